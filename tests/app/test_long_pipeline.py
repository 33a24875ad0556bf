"""A long pipeline: the pickers search in the database and offer the matches, never every deal or
counterparty (a page for one deal ships the same few options however many deals there are)."""

from core import ui
from core.demo import load_synthetic
from core.store import Store
from tests.app.test_team import team  # noqa: F401 - the team fixture
from tests.postgres import fill


def long_pipeline(db_path, first_start_file):
    fill(db_path, first_start_file)
    more(db_path)


def more(db_path):
    """Over the pickers' limit in deals and in counterparties (the synthetic pipeline has one for three)."""
    load_synthetic(Store.open(db_path), deals=3 * ui.PICKER_LIMIT + 3, concessions_per_deal=1)


FIRST = "Northwind — enterprise SaaS annual · Northwind Logistics"
SECOND = "Northwind — EU expansion licences · Northwind Logistics"  # deal 12, the same counterparty


def test_the_sidebar_offers_the_deal_on_screen_and_the_matches_of_what_is_typed(
    app, db_path, first_start_file
):
    long_pipeline(db_path, first_start_file)
    at = app(deal=12, page="pages/concessions.py")
    picker = at.sidebar.selectbox(key=ui.session.PICKER_KEY)
    assert picker.options == [SECOND]  # only the one shown
    at.sidebar.text_input(key="deal_search").set_value("northwind").run()
    options = at.sidebar.selectbox(key=ui.session.PICKER_KEY).options
    assert options[0] == SECOND
    assert FIRST in options
    assert all("northwind" in o.lower() for o in options)
    at.sidebar.text_input(key="deal_search").set_value("a").run()  # nearly every synthetic deal matches
    assert len(at.sidebar.selectbox(key=ui.session.PICKER_KEY).options) == ui.PICKER_MATCHES + 1
    assert not at.exception


def test_new_deal_offers_the_counterparties_found_by_name(app, db_path, first_start_file):
    long_pipeline(db_path, first_start_file)
    at = app(deal=1, page="pages/prepare.py")
    assert at.selectbox(key="new_deal__counterparty").options == ["+ New counterparty"]  # search first
    at.text_input(key="new_deal__cp_search").set_value("NORTHWIND").run()
    assert at.selectbox(key="new_deal__counterparty").options == ["+ New counterparty", "Northwind Logistics"]
    assert not at.exception


def test_admin_deal_teams_search_the_deals(team, db_path, first_start_file):  # noqa: F811
    more(db_path)
    at = team("ada@example.com", deal=1, page="pages/admin.py")
    assert at.selectbox(key="admin_deal").options == [FIRST]
    at.text_input(key="admin_deal_search").set_value("northwind").run()
    assert at.selectbox(key="admin_deal").options[:2] == [
        FIRST,
        SECOND,
    ]
    assert not at.exception

"""Every screen on the edge cases: an empty database, a deal with nothing filled in, and a deal id that
does not exist. Each gets a plain message, never an exception."""

import pytest
from streamlit.testing.v1 import AppTest

from core import ui
from core.models import Counterparty, Deal
from core.store import Store
from tests.app.conftest import APP

SCREENS = [s.path for s in ui.SCREENS.values()]  # every screen the navigation lists


def visit_all(at):
    for screen in SCREENS:
        at.switch_page(screen).run()
        assert not at.exception, f"{screen}: {at.exception}"
        yield screen, at


def said(at) -> str:
    return " ".join(
        e.value for kind in ("info", "warning", "error", "caption", "markdown") for e in getattr(at, kind)
    )


def test_an_empty_database_says_what_to_do_on_every_screen(app, monkeypatch):
    monkeypatch.setenv("COCKPIT_DEMO", "0")
    for screen, at in visit_all(app()):
        text = said(at)
        assert "No deal" in text or "Create the first deal" in text, f"{screen}: {text[:200]}"


def test_a_deal_with_nothing_filled_in_shows_every_screen(app, db_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_DEMO", "0")
    store = Store.open(db_path)
    deal_id = store.deals.create_deal(
        Deal(name="Bare deal", context="hiring", owner="Ana"), Counterparty(name="Kim")
    )
    store.close()
    deal_screens = {"Prepare", "Leverage", "Concessions", "MESO", "Moves", "History", "Review"}
    for screen, at in visit_all(app(deal=deal_id)):
        if screen in {ui.SCREENS[t].path for t in deal_screens}:
            assert at.subheader[0].value.endswith("· Bare deal"), screen
    assert "add the deal's issues on Prepare first" in said(at.switch_page("pages/meso.py").run())


@pytest.mark.parametrize("screen", SCREENS)
def test_a_deal_id_that_does_not_exist_is_named_and_the_first_deal_shown(db_path, screen):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["deal"] = "999"  # a link to a deal that is not there, opened straight on this screen
    at.switch_page(screen).run()
    assert not at.exception
    assert [w.value for w in at.sidebar.warning] == [
        "There is no deal with id 999; showing the first deal instead."
    ]


@pytest.mark.parametrize(
    "bad", ["abc", "-1", "1.5", "99999999999999999999", "²", "¹", "٣", "１２", "1\u200b"]
)
def test_a_malformed_deal_id_in_the_link_is_not_an_error(app, bad):
    at = app(deal=bad)
    at.switch_page("pages/concessions.py").run()
    assert not at.exception and at.subheader[0].value.startswith("Concessions · ")


def test_no_screen_calls_a_streamlit_function_announced_for_removal(app, caplog):
    """Streamlit warns when a deprecated call runs (components.html was to go after 2026-06-01); a
    newer Streamlit inside the pinned range would break the screen that still made it."""
    caplog.set_level("WARNING", logger="streamlit.deprecation_util")
    for _screen, _at in visit_all(app(deal=1)):
        pass
    assert [r.getMessage() for r in caplog.records if r.name == "streamlit.deprecation_util"] == []

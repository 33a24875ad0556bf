"""Every screen on the edge cases: an empty database, a deal with nothing filled in, and a deal id that
does not exist. Each gets a plain message, never an exception."""

import pytest
from streamlit.testing.v1 import AppTest

from core import ui
from core.demo import curated_deals
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


def tab_places(at) -> list[tuple[int, ...]]:
    """Where each set of tabs sits on the screen: its path of places from the main area down."""
    places = []

    def walk(node, path):
        for place, child in getattr(node, "children", {}).items():
            if getattr(child, "type", None) == "tab_container":
                places.append((*path, place))
            walk(child, (*path, place))

    walk(at.main, ())
    return places


def test_tabs_keep_their_place_whatever_shows_above_them(app):
    """The browser keeps the tab a negotiator is in only while the tabs stay where they were: moved by one
    place (a confirmation after a save, a warning a score added, a first give over the mandate) they were
    drawn afresh mid-run and could come back on their first tab. So every deal puts a screen's tabs at the
    same place, with or without a confirmation above them."""
    tabbed = ["Prepare", "Leverage", "Concessions", "Library", "Admin"]
    seen: dict[str, set[tuple]] = {screen: set() for screen in tabbed}
    for deal_id in range(1, len(curated_deals()) + 1):  # the demo's deals, stored in their order
        at = app(deal=deal_id)
        for screen in tabbed:
            at.switch_page(ui.SCREENS[screen].path).run()
            seen[screen].add(tuple(tab_places(at)))
            at.session_state["_flash"] = "Saved the deal."
            at.run()
            assert at.success[0].value == "Saved the deal.", screen
            seen[screen].add(tuple(tab_places(at)))
    assert {screen: len(places) for screen, places in seen.items()} == dict.fromkeys(tabbed, 1), seen
    assert all(len(places) == 1 for (places,) in seen.values()), seen  # one set of tabs on each

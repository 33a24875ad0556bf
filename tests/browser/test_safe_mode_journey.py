"""Screen-share safe mode in a real browser: with it on, no screen's page text holds any of the deal's
private values; with it off they are there. The switch survives moving between screens."""

import re

import pytest
from playwright.sync_api import expect

from core.demo import load_curated
from core.store import Store
from tests.app.test_safe_mode import occurs, public_values
from tests.browser.conftest import settle
from tests.conftest import TODAY

pytestmark = pytest.mark.browser

SCREENS = ["prepare", "leverage", "concessions", "meso", "moves", "history", ""]  # "" is the pipeline
DEALS = [1, 4]
BADGE = "Screen-share safe · private figures hidden"


def watched(deal_id):
    """The deal's distinctive private values, from the same curated files the served app loads."""
    from core.privacy import private_values

    store = Store.memory()
    load_curated(store, today=TODAY)
    file = store.deal_files.export_deal(deal_id)
    store.close()
    public = public_values(file)
    return {
        where: {v for v in values if v not in public and len(v) >= (5 if re.fullmatch(r"[\d,.]+", v) else 8)}
        for where, values in private_values(file).items()
    }


def page_text(page, url):
    page.goto(url)
    expect(page.get_by_text("Screen-share safe", exact=True)).to_be_visible(timeout=60_000)
    settle(page)
    expect(page.get_by_test_id("stMain")).not_to_contain_text("Please wait", timeout=30_000)
    # text_content, not inner_text: the panels of tabs not clicked count too
    return page.locator("body").text_content()


@pytest.mark.parametrize("deal_id", DEALS)
def test_no_private_value_in_any_screen_text_while_sharing(page, deal_id):
    watch = watched(deal_id)
    off = {s: page_text(page, f"{page.base_url}/{s}?deal={deal_id}") for s in SCREENS}
    # Floors mostly show in the canvas grid and charts, which have no page text: the AppTest sweep reads those.
    for where in ("Deal", "Alternative", "Balance"):
        assert any(occurs(v, t) for v in watch[where] for t in off.values()), (
            f"no {where} value visible when off"
        )

    leaks = []
    for screen in SCREENS:
        text = page_text(page, f"{page.base_url}/{screen}?deal={deal_id}&safe=1")
        assert BADGE in text, f"/{screen}: no safe-mode badge"
        leaks += [(screen, where, v) for where, values in watch.items() for v in values if occurs(v, text)]
    assert leaks == []


def test_the_switch_stays_on_across_screens_until_switched_off(page):
    page.goto(f"{page.base_url}/prepare?deal=1")
    expect(page.get_by_text("BATNA — what walking away earns us")).to_be_visible(timeout=60_000)
    settle(page)
    page.get_by_text("Screen-share safe", exact=True).click()
    expect(page.get_by_text(BADGE)).to_be_visible()
    expect(page).to_have_url(re.compile(r"safe=1"))
    expect(page.get_by_text("BATNA — what walking away earns us")).to_have_count(0)

    page.get_by_test_id("stSidebar").get_by_role("link", name="Concessions").click()
    expect(page.get_by_text(BADGE)).to_be_visible()
    expect(page.get_by_text("lines logged")).to_be_visible()  # the shared big figure: the round and the lines
    expect(page.get_by_text("Give/get balance — value to us")).to_have_count(0)

    page.get_by_text("Screen-share safe", exact=True).click()
    expect(page.get_by_text("Give/get balance — value to us")).to_be_visible()
    expect(page.get_by_text(BADGE)).to_have_count(0)

"""A negotiator's first journey in a real browser: pick a demo deal, change a floor, reload, it is kept."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import settle

pytestmark = pytest.mark.browser


def visible(locator):
    return locator.locator("visible=true")


def choose(page, label, option):
    """Open a selectbox, type to filter, pick the option: the way a hurried user does it."""
    box = visible(page.get_by_role("combobox", name=label))
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option).click()
    settle(page)


def test_pick_a_deal_change_a_floor_and_it_survives_a_reload(page):
    page.goto(f"{page.base_url}/prepare")
    expect(page.get_by_role("heading", name="Prepare · Northwind — enterprise SaaS annual")).to_be_visible(
        timeout=60_000
    )

    # type to filter the sidebar picker by counterparty name
    picker = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Deal")
    picker.click()
    picker.fill("Kessler")
    page.get_by_role("option", name=re.compile("Kessler Castings")).click()
    expect(
        page.get_by_role("heading", name="Prepare · Kessler — die-cast housings should-cost")
    ).to_be_visible()
    expect(page).to_have_url(re.compile(r"deal=4"))
    settle(page)

    page.get_by_role("tab", name="Issues & ZOPA").click()

    choose(page, "Edit issue", "Unit price")
    ceiling = visible(page.get_by_role("textbox", name="Our floor/ceiling"))  # an amount: typed, never spun
    expect(ceiling).to_have_value("8.8")
    ceiling.fill("8.95")
    visible(page.get_by_role("button", name="Save")).first.click()
    expect(page.get_by_text("Saved issue 'Unit price'.")).to_be_visible()

    page.reload()
    expect(
        page.get_by_role("heading", name="Prepare · Kessler — die-cast housings should-cost")
    ).to_be_visible(timeout=60_000)
    settle(page)
    page.get_by_role("tab", name="Issues & ZOPA").click()
    choose(page, "Edit issue", "Unit price")
    expect(visible(page.get_by_role("textbox", name="Our floor/ceiling"))).to_have_value("8.95")


def test_prepare_a_new_deal_end_to_end_and_its_history_shows_it(page):
    page.goto(f"{page.base_url}/prepare")
    expect(page.get_by_role("heading", name=re.compile("^Prepare · "))).to_be_visible(timeout=60_000)
    settle(page)
    new = page.get_by_test_id("stExpander").filter(has_text="New deal")
    new.get_by_text("New deal").click()
    new.get_by_label("Name", exact=True).fill("Orion — platform licence")
    new.get_by_label("Owner").fill("Ana Ruiz")
    new.get_by_label("New counterparty name").fill("Orion Labs")
    new.get_by_role("button", name="Create deal").click()
    expect(page.get_by_role("heading", name="Prepare · Orion — platform licence")).to_be_visible()
    expect(page.get_by_text("Created deal 'Orion — platform licence'.")).to_be_visible()
    settle(page)

    page.get_by_role("tab", name="BATNA & alternatives").click()

    visible(page.get_by_label("Description")).fill("Sell the capacity to Vega")
    visible(page.get_by_role("textbox", name="Money (what it would earn us)")).fill("80000")
    visible(page.get_by_role("button", name="Save")).first.click()
    expect(page.get_by_text("Saved alternative 'Sell the capacity to Vega'.")).to_be_visible()
    expect(page.get_by_role("heading", name="80,000 EUR")).to_be_visible()  # the BATNA is the big number
    # the save reran the page; the negotiator is still on the tab they were working in
    expect(page.get_by_role("tab", name="BATNA & alternatives")).to_have_attribute("aria-selected", "true")
    settle(page)

    page.get_by_role("tab", name="Issues & ZOPA").click()

    visible(page.get_by_label("Name", exact=True)).last.fill("Licence fee")
    visible(page.get_by_role("textbox", name="Our target")).fill("150000")
    visible(page.get_by_role("textbox", name="Our floor/ceiling")).fill("120000")
    visible(page.get_by_role("button", name="Save")).first.click()
    expect(page.get_by_text("Saved issue 'Licence fee'.")).to_be_visible()
    settle(page)

    page.get_by_test_id("stSidebar").get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="History · Orion — platform licence")).to_be_visible()
    # deal created, alternative added, issue added, and its floor as a private change of its own
    expect(page.get_by_role("heading", name="4", exact=True)).to_be_visible()

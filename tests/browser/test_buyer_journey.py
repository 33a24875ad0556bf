"""A procurement lead's renewal, typed by keyboard the German way: a buyer's deal in a decimal-comma deal
from New deal to Review, every stored value checked against what was meant, every figure read back in the
deal's convention and in the buyer's words."""

import re

import pytest
from playwright.sync_api import expect

from core.store import Store
from tests.browser.conftest import settle
from tests.browser.server import serve

pytestmark = pytest.mark.browser
DEAL = "Nordsee Reederei — container rates 2027"


def visible(locator):
    return locator.locator("visible=true")


def typed(page, box, text: str) -> None:
    """Into a box by keyboard, key by key, as a hurried hand types it."""
    box.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose(page, box, option: str) -> None:
    box.click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")


def test_a_buyer_types_a_decimal_comma_deal_from_new_deal_to_review(browser, tmp_path):
    database = tmp_path / "buyer.duckdb"
    with serve(database, tmp_path / "streamlit.log") as url:
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            journey(page, url)
        finally:
            page.screenshot(path=str(tmp_path / "last.png"), full_page=True)
            context.close()
    # Every stored value as meant, read once the server has let go of the file.
    store = Store.open(database)
    deal = store.deals.get_deal(
        next(int(d.id) for d in store.deals.list_deals().itertuples() if d.name == DEAL)
    )
    (rate,) = store.preparation.list_issues(deal.id)
    alternatives = sorted(
        (a.description, a.money, a.time_days) for a in store.preparation.list_alternatives(deal.id)
    )
    lines = [(c.item, c.value_to_you, c.value_to_them) for c in store.concessions.list_concessions(deal.id)]
    finals = [c.item for c in store.concessions.list_concessions(deal.id) if c.final_offer]
    (final,) = store.reviews.get_review(deal.id).final_values
    store.close()
    assert (deal.value, deal.mandate, deal.decimal_comma, deal.side.value) == (5_000_000, 40_000, True, "buy")
    assert (rate.target, rate.reservation, rate.their_target, rate.their_walk_away) == (
        1650,
        1900,
        1950,
        1750,
    )
    assert rate.direction.value == "ceiling"
    assert alternatives == [("Second carrier", 1820, 42), ("Spot market", 2050, 0)]
    # the line typed the English way was refused, then stored as meant once typed the deal's way
    assert lines == [("Fuel clause", -12500.5, 8000.0), ("Payment days", -1500.0, 0.0), ("Rate", 0.0, 0.0)]
    assert finals == ["Rate"]  # logged once, by Enter on the Final offer box
    assert (final.issue_id, final.value) == (rate.id, 1790)


def journey(page, url: str) -> None:
    page.goto(f"{url}/prepare")
    expect(page.get_by_role("heading", name=re.compile("^Prepare · "))).to_be_visible(timeout=60_000)
    settle(page)
    new = page.get_by_test_id("stExpander").filter(has_text="New deal")
    new.get_by_text("New deal").click()
    typed(page, new.get_by_label("Name", exact=True), DEAL)
    choose(page, new.get_by_role("combobox", name="Context"), "Procurement")
    typed(page, new.get_by_label("Owner"), "Jana Weber")
    new.get_by_label("Decimal comma (15.000,50)").focus()
    page.keyboard.press("Space")  # ticked by keyboard, in the same form as the amounts it governs
    typed(page, new.get_by_role("textbox", name="Deal value"), "5.000.000")
    typed(page, new.get_by_role("textbox", name="Mandate"), "40.000")
    typed(page, new.get_by_label("New counterparty name"), "Nordsee Reederei")
    new.get_by_role("button", name="Create deal").click()
    expect(page.get_by_role("heading", name=f"Prepare · {DEAL}")).to_be_visible()
    settle(page)
    expect(
        page.get_by_text("40.000 EUR", exact=True)
    ).to_be_visible()  # written back the way the deal reads numbers

    page.get_by_role("tab", name="Issues & ZOPA").click()
    typed(page, visible(page.get_by_label("Name", exact=True)).last, "Rate per 40ft container")
    typed(page, visible(page.get_by_label("Unit")), "EUR")
    choose(page, visible(page.get_by_role("combobox", name="Direction")), "ceiling")
    typed(page, visible(page.get_by_role("textbox", name="Our target")), "1.650")
    typed(page, visible(page.get_by_role("textbox", name="Our floor/ceiling")), "1.900")
    typed(page, visible(page.get_by_role("textbox", name="Their target")), "1.950")
    typed(page, visible(page.get_by_role("textbox", name="Their walk-away")), "1.750")
    visible(page.get_by_role("button", name="Save")).first.click()
    expect(page.get_by_text("Saved issue 'Rate per 40ft container'.")).to_be_visible()
    settle(page)

    page.get_by_role("tab", name="BATNA & alternatives").click()
    for description, cost, days in (("Spot market", "2.050", "0"), ("Second carrier", "1.820", "42")):
        typed(page, visible(page.get_by_label("Description")), description)
        typed(page, visible(page.get_by_role("textbox", name="Money (what it would cost us)")), cost)
        typed(page, visible(page.get_by_role("textbox", name="Time (days)")), days)
        visible(page.get_by_role("button", name="Save")).first.click()
        expect(page.get_by_text(f"Saved alternative '{description}'.")).to_be_visible()
        settle(page)
        # the save (a rerun with a confirmation above the tabs) leaves the buyer on the tab they typed in
        expect(page.get_by_role("tab", name="BATNA & alternatives")).to_have_attribute(
            "aria-selected", "true"
        )
    expect(
        page.get_by_role("heading", name="1.820 EUR")
    ).to_be_visible()  # the cheaper one is a buyer's BATNA
    expect(page.get_by_text("'Second carrier' is the BATNA: it costs us the least")).to_be_visible()

    page.get_by_test_id("stSidebar").get_by_role("link", name="Concessions").click()
    expect(page.get_by_role("heading", name=f"Concessions · {DEAL}")).to_be_visible()
    settle(page)
    page.get_by_label("Item").click()
    for text in ("Fuel clause", "Index-linked fuel surcharge", "Three-year term", "-12.500,50", "8.000"):
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Logged 'Fuel clause' — balance now −12.500,50 EUR")).to_be_visible()
    expect(page.get_by_text("Read as: to us −12.500,50 EUR · to them +8.000 EUR")).to_be_visible()
    # the English way in a German deal is refused, never read as a thousandth
    expect(page.get_by_label("Item")).to_be_focused()  # the cursor is back on Item by itself
    for text in ("Payment days", "Net 45", "Faster sign-off", "-1,500"):
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("did you mean -1.500 or -1,5?")).to_be_visible()
    expect(page.get_by_text("Logged 'Fuel clause'")).to_have_count(
        0
    )  # the last confirmation is not this line's
    value = page.get_by_role("textbox", name=re.compile("^Value to you"))
    expect(value).to_be_focused()  # the cursor is on the refused amount, selected, to be typed again
    page.keyboard.type("-1.500")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Logged 'Payment days' — balance now −14.000,50 EUR")).to_be_visible()
    # a final offer ticked by keyboard, and Enter on the box itself logs the line
    expect(page.get_by_label("Item")).to_be_focused()
    for text in ("Rate", "Hold 1.900", "Signature today"):
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    page.get_by_role("checkbox", name="Final offer").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Logged 'Rate'")).to_be_visible()

    page.get_by_test_id("stSidebar").get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", name=f"Review · {DEAL}")).to_be_visible()
    settle(page)
    typed(page, visible(page.get_by_role("textbox", name=re.compile("^Rate per 40ft container"))), "1.790")
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_text("Review saved.")).to_be_visible()
    settle(page)
    page.get_by_role("button", name="Save review").click()  # saved again as the screen wrote it back
    expect(page.get_by_text("Review saved.")).to_be_visible()

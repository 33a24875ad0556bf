"""After the deal: put a library standard in a deal's evidence pack, review the deal with that standard as
persuasive and mark it final, and see the library's count and the leaders' outcomes change."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import settle

pytestmark = pytest.mark.browser
STANDARD = "Die-cast aluminium housing should-cost"  # picked as persuasive once already, in Kessler's review


def open_screen(page, path, heading):
    page.goto(f"{page.base_url}/{path}")
    expect(page.get_by_role("heading", name=re.compile(heading))).to_be_visible(timeout=60_000)
    settle(page)


def test_a_review_with_a_library_standard_counts_for_it_and_reaches_the_leaders(page):
    open_screen(page, "outcomes?deal=9", "^Outcomes")
    expect(page.get_by_text("3 reviewed deals · 2 signed")).to_be_visible()

    open_screen(page, "library?deal=9", "^Library")
    expect(page.get_by_text(f"most often persuasive: {STANDARD} (1 review)", exact=False)).to_be_visible()
    page.get_by_label(re.compile("^Add to the evidence pack of")).click()
    page.keyboard.type("Die-cast")  # the picker filters as you type
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Add to the deal").click()
    expect(page.get_by_text("Added to the deal's evidence pack.")).to_be_visible()

    open_screen(page, "review?deal=9", "^Review · Baltic Freight")
    page.get_by_label("Rate per container (EUR/container)").fill("1500")
    page.get_by_label("Persuasive standards (from the evidence pack)").click()
    page.keyboard.type("Die-cast")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_text("Real", exact=True).click()
    page.get_by_text("Mark final: no more changes").click()
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_text("Review saved and marked final.")).to_be_visible()
    # (1600 − 1500) / (1600 − 1450): two thirds of the range on the one issue given
    expect(page.get_by_role("heading", name="67%")).to_be_visible()
    expect(page.get_by_text("This review is final", exact=False)).to_be_visible()

    open_screen(page, "library?deal=9", "^Library")
    expect(page.get_by_text(f"most often persuasive: {STANDARD} (2 reviews)", exact=False)).to_be_visible()
    open_screen(page, "outcomes?deal=9", "^Outcomes")
    expect(page.get_by_text("4 reviewed deals · 3 signed")).to_be_visible()
    expect(page.get_by_text("3 of 4")).to_be_visible()  # deadlines backed by a real constraint

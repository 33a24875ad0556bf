"""The MESO comparison charts render in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import settle

pytestmark = pytest.mark.browser


def test_the_comparison_charts_render(page):
    page.goto(f"{page.base_url}/meso?deal=1")
    expect(page.get_by_role("heading", name=re.compile(r"^MESO · Northwind"))).to_be_visible(timeout=60_000)
    settle(page)
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(2)
    for n in range(2):
        expect(charts.nth(n).locator("canvas, svg").first).to_be_visible()
        box = charts.nth(n).bounding_box()
        assert box and box["width"] > 250 and box["height"] > 150
    # The screen opens on the latest round: the one where a bundle was cut to their ask, with its reason.
    expect(page.get_by_text("Two-year term, net 60 (their ask) is worth 42% to us")).to_be_visible()


def test_compare_bundles_add_one_record_their_pick_and_see_what_it_reveals(page):
    page.goto(f"{page.base_url}/meso?deal=1")
    expect(page.get_by_role("heading", name=re.compile(r"^MESO · Northwind"))).to_be_visible(timeout=60_000)
    settle(page)
    verdict = page.get_by_test_id("stMain").get_by_role("heading", level=1).first
    expect(verdict).to_be_visible()

    page.get_by_text("Bundles of this round").click()
    page.get_by_role("button", name="Add a bundle where the talks stand").click()
    expect(page.get_by_text("Added Bundle 4.")).to_be_visible()
    settle(page)
    expect(page.get_by_text("A MESO set has 2 or 3 bundles; this one has 4.")).to_be_visible()

    reaction = page.get_by_role("combobox", name="Reaction")
    reaction.click()
    reaction.fill("preferred")
    page.get_by_role("option", name="preferred", exact=True).click()
    settle(page)
    page.get_by_role("button", name="Record the reaction").click()
    expect(page.get_by_text("Recorded their reaction.")).to_be_visible()
    settle(page)
    expect(page.get_by_text("What they seem to value")).to_be_visible()
    expect(page.get_by_role("button", name="Adopt the inferred priorities")).to_be_visible()

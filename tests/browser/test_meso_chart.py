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
    expect(page.get_by_text("Full suite, annual is worth 75% to us")).to_be_visible()

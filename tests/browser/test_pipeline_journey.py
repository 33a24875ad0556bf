"""A leader's weekly review in a real browser: filter the pipeline, select a deal, land on its screen."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import settle

pytestmark = pytest.mark.browser

ROW_HEIGHT = 35  # Streamlit's data grid: a header row, then rows of this height


def test_filter_select_a_deal_and_land_on_its_leverage(page):
    page.goto(page.base_url)
    expect(page.get_by_role("heading", name="Pipeline · every deal, risk first")).to_be_visible(
        timeout=60_000
    )
    settle(page)
    expect(
        page.get_by_role("heading", name="7 of 11")
    ).to_be_visible()  # live: Lena is signed; Kessler too, but missed a commitment

    owner = page.get_by_role("combobox", name="Owner")
    owner.click()
    page.get_by_role("option", name="Jonas Weber").click()
    page.keyboard.press("Escape")
    settle(page)
    expect(page.get_by_role("heading", name="1 of 2")).to_be_visible()  # Baltic at risk, Helios not
    expect(page.get_by_text("2 of 12 deals match")).to_be_visible()

    # The grid is drawn on a canvas: click the selection cell of the first row (the riskiest deal).
    grid = page.get_by_test_id("stDataFrame")
    grid.click(position={"x": 16, "y": ROW_HEIGHT + ROW_HEIGHT // 2})
    expect(page).to_have_url(re.compile(r"/leverage\?deal=9$"), timeout=30_000)
    expect(
        page.get_by_role("heading", name="Leverage · Baltic Freight — 3-year carrier contract")
    ).to_be_visible()

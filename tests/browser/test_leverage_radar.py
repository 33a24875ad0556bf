"""The radar renders in a real browser: both polygons are painted, in our colours."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from core.charts import OURS, THEIRS
from tests.browser.conftest import settle

pytestmark = pytest.mark.browser


def pixels_near(image: Image.Image, hex_color: str, tolerance: int = 40) -> int:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    raw = image.convert("RGB").tobytes()
    return sum(
        1
        for k in range(0, len(raw), 3)
        if abs(raw[k] - r) <= tolerance
        and abs(raw[k + 1] - g) <= tolerance
        and abs(raw[k + 2] - b) <= tolerance
    )


def test_the_radar_paints_both_sides(page, tmp_path):
    page.goto(f"{page.base_url}/leverage?deal=1")
    expect(page.get_by_role("heading", name=re.compile(r"^Leverage · Northwind"))).to_be_visible(
        timeout=60_000
    )
    settle(page)
    chart = page.get_by_test_id("stVegaLiteChart").first
    expect(chart).to_be_visible()
    expect(chart.locator("canvas, svg").first).to_be_visible()
    shot = chart.screenshot(path=str(tmp_path / "radar.png"))
    image = Image.open(io.BytesIO(shot))
    assert image.width > 300 and image.height > 300
    assert pixels_near(image, OURS) > 300, "our polygon is not painted"
    assert pixels_near(image, THEIRS) > 300, "their polygon is not painted"


def test_score_the_sources_with_the_keyboard_and_the_index_and_history_follow(page):
    page.goto(f"{page.base_url}/leverage?deal=1")
    expect(page.get_by_role("heading", name=re.compile(r"^Leverage · Northwind"))).to_be_visible(
        timeout=60_000
    )
    settle(page)
    index = page.get_by_test_id("stMain").get_by_role("heading", level=1).first  # the big number
    before = index.inner_text()
    sliders = page.get_by_test_id("stMain").get_by_role("slider")
    expect(sliders).to_have_count(14)  # seven sources, us and them
    ours = page.get_by_role("slider", name="alternatives us").first
    ours.focus()
    ours.press("End")  # 5: a signed competing offer
    expect(ours).to_have_value("5")
    theirs = page.get_by_role("slider", name="time them").first
    theirs.focus()
    theirs.press("Home")  # 0: no deadline pressure on them
    expect(theirs).to_have_value("0")
    page.get_by_role("button", name="Save as a new assessment").click()
    expect(page.get_by_text(re.compile(r"Saved a new assessment: index [+−]?\d+\."))).to_be_visible()
    settle(page)
    expect(index).not_to_have_text(before)
    after = index.inner_text()
    assert after != before and int(after.replace("−", "-")) > int(before.replace("−", "-"))

    page.get_by_test_id("stSidebar").get_by_role("link", name="History").click()
    settle(page)
    page.get_by_role("combobox", name="Kind of change").click()
    page.get_by_role("option", name="Power scores").click()
    page.keyboard.press("Escape")
    settle(page)
    expect(page.get_by_role("heading", name=re.compile(r"^[1-9]\d*$"))).to_be_visible()  # the scores it moved

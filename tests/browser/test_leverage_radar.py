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

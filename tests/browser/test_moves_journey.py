"""Advance a stage in a real browser and see the highlighted moves change."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import settle

pytestmark = pytest.mark.browser


def test_advancing_the_stage_changes_the_highlighted_moves(page):
    page.goto(f"{page.base_url}/moves?deal=1")
    expect(page.get_by_role("heading", name=re.compile(r"^Moves · Northwind"))).to_be_visible(timeout=60_000)
    settle(page)
    # Each move's header is one markdown element; the current stage's moves carry a "this stage" badge.
    highlighted = page.get_by_test_id("stMarkdownContainer").filter(has_text="this stage")
    expect(highlighted).to_have_count(3)
    expect(highlighted.first).to_contain_text("Calibrated deadline")

    page.get_by_role("button", name="Advance to 4 Close").click()
    expect(page.get_by_text("Moved to 4 Close.")).to_be_visible()
    settle(page)
    expect(highlighted).to_have_count(1)
    expect(highlighted.first).to_contain_text("Single-text convergence")
    expect(page.get_by_role("button", name="Advance to 5 Implementation")).to_be_visible()

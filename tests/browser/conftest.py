"""Browser fixtures: the real app served on its own database, driven by Debian's chromium."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, ServerDidNotStart, serve

# What a person waits for before giving up on a screen, not a speed goal (`make bench` measures speed): on a
# loaded two-core machine a redraw can take longer than Playwright's 5 seconds.
expect.set_options(timeout=10_000)


@pytest.fixture
def served(tmp_path):
    try:
        with serve(tmp_path / "browser.duckdb", tmp_path / "streamlit.log") as url:
            yield url
    except ServerDidNotStart as exc:
        pytest.fail(f"streamlit did not start:\n{exc}")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium)"
        )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, served, tmp_path):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.base_url = served
    yield page
    page.screenshot(path=str(tmp_path / "last.png"), full_page=True)  # kept beside the log for a failed run
    context.close()


def settle(page):
    """Wait until Streamlit has finished the rerun an action started: the app says its script is not running
    (the status widget alone shows only after a delay, so a busy machine could read a page half drawn), and
    the status widget is gone."""
    expect(page.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=30_000
    )
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=30_000)

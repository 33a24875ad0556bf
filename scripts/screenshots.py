"""Serve the app on a scratch copy of the demo database and save a full-page PNG of each screen.

.venv/bin/python scripts/screenshots.py [out_dir]
"""

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

# (file name, url path, deal id, text that shows once the screen has rendered, tab to open first)
SCREENS = [
    ("pipeline", "", 1, "Deals at risk", None),
    ("prepare", "prepare", 1, "Save deal", None),
    ("prepare-issues", "prepare", 1, "Save deal", "Issues & ZOPA"),
    ("concessions", "concessions", 1, "Log it", None),
    ("leverage", "leverage", 7, "Leverage index — us against them", None),
    ("moves", "moves", 1, "Ready for the talks", None),
    ("meso", "meso", 2, "Save the grid", None),
    ("history", "history", 1, "Changes recorded", None),
    ("concessions-safe", "concessions?safe=1&", 1, "Screen-share safe · private figures hidden", None),
    ("prepare-safe", "prepare?safe=1&", 1, "Screen-share safe · private figures hidden", None),
    ("pipeline-safe", "?safe=1&", 1, "Screen-share safe · private figures hidden", None),
]


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp())
    with serve(scratch / "shots.duckdb", scratch / "streamlit.log") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1500})
        for name, path, deal, ready, tab in SCREENS:
            query = path if "?" in path else f"{path}?"
            page.goto(f"{url}/{query}deal={deal}", timeout=60_000)
            expect(page.get_by_text(ready).first).to_be_visible(timeout=60_000)
            if tab:
                page.get_by_role("tab", name=tab).click()
                page.wait_for_timeout(500)  # a keyed tab redraws the page
            expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=30_000)
            expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(800)  # let charts finish their first paint
            page.screenshot(path=out / f"{name}.png", full_page=True)
            print(out / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main()

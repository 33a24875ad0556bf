"""Serve the app on a scratch copy of the demo database and save a full-page PNG of each screen.

make screenshots, or .venv/bin/python docs/screenshots.py [out_dir] (default: docs/screenshots)
"""

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402
from tests.browser.team import oidc_provider, serve_team, sign_in, team_database  # noqa: E402

# (file name, url path, deal id, text that shows once the screen has rendered, tab to open first)
SCREENS = [
    ("pipeline", "", 1, "Deals at risk", None),
    ("prepare", "prepare", 1, "Save deal", None),
    ("prepare-issues", "prepare", 9, "Save deal", "Issues & ZOPA"),
    ("concessions", "concessions", 1, "Log it", None),
    ("leverage", "leverage", 7, "Leverage index — us against them", None),
    ("moves", "moves", 1, "Ready for the talks", None),
    ("single-text", "agreement", 2, "Save a version", None),
    ("single-text-late", "agreement", 11, "Save a version", None),
    ("implementation", "implementation", 4, "Record the step", None),
    ("meso", "meso", 2, "Save the grid", None),
    ("history", "history", 1, "Changes recorded", None),
    ("concessions-safe", "concessions?safe=1&", 1, "Screen-share safe · private figures hidden", None),
    ("prepare-safe", "prepare?safe=1&", 1, "Screen-share safe · private figures hidden", None),
    ("pipeline-safe", "?safe=1&", 1, "Screen-share safe · private figures hidden", None),
    ("admin", "admin", 1, "Members", None),
    ("review", "review", 4, "Save review", None),
    ("library", "library", 4, "Items in the library", None),
    ("outcomes", "outcomes", 4, "Standards most often persuasive", None),
]


def settled(page) -> None:
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=30_000)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(800)  # let charts finish their first paint


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp())
    database = team_database(scratch / "shots.duckdb")  # the demo, with a team for the Admin screen
    with serve(database, scratch / "streamlit.log") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1500})
        for name, path, deal, ready, tab in SCREENS:
            query = path if "?" in path else f"{path}?"
            page.goto(f"{url}/{query}deal={deal}", timeout=60_000)
            expect(page.get_by_text(ready).first).to_be_visible(timeout=60_000)
            if tab:
                page.get_by_role("tab", name=tab).click()
                page.wait_for_timeout(500)  # a keyed tab redraws the page
            settled(page)
            page.screenshot(path=out / f"{name}.png", full_page=True)
            print(out / f"{name}.png")

        # Team mode: the sign-in page, and a sponsor's screen with the gives waiting for approval.
        team = Path(tempfile.mkdtemp())
        with oidc_provider() as provider, serve_team(team, provider) as team_url:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(team_url)
            expect(page.get_by_text("Sign in with your company account")).to_be_visible(timeout=60_000)
            page.screenshot(path=out / "sign-in.png")
            sign_in(page, team_url, "sam@example.com")
            page.goto(f"{team_url}/concessions?deal=1")
            expect(page.get_by_role("button", name="Approve").first).to_be_visible(timeout=60_000)
            settled(page)
            page.screenshot(path=out / "approval.png", full_page=True)
            print(out / "sign-in.png", out / "approval.png")
        browser.close()
    printed(database, out)


def printed(database: Path, out: Path) -> None:
    """The two PDFs of Kessler (signed, a missed commitment, gives over the mandate), first page as PNG."""
    from core.documents import single_text_pdf, sponsor_brief_pdf
    from core.store import Store, now

    store = Store.open(database)
    documents = {"single-text-pdf": single_text_pdf(store, 4, now().date()),
                 "sponsor-brief": sponsor_brief_pdf(store, 4, now())}  # fmt: skip
    store.close()
    for name, pdf in documents.items():
        (out / f"{name}.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", "1", "-l", "1",
                        str(out / f"{name}.pdf"), str(out / name)], check=True)  # fmt: skip
        (out / f"{name}.pdf").unlink()
        print(out / f"{name}.png")


if __name__ == "__main__":
    main()

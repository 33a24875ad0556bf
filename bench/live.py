"""Speed during talks, in chromium, as ratios to bare Streamlit measured in the same run: logging a line
against a fragment with a one-field form, and the first open of each screen against a page with one
metric. The bare pages are written to the bench's work folder, never to the project."""

from __future__ import annotations

import statistics
from pathlib import Path

BARE_FORM = """
import streamlit as st

@st.fragment
def entry():
    st.session_state.setdefault("n", 0)
    with st.form("f", enter_to_submit=True):
        st.text_input("Item", key="item")
        if st.form_submit_button("Log it"):
            st.session_state["n"] += 1
    st.write(f"Logged {st.session_state['item']}")

entry()
"""
BARE_METRIC = """
import streamlit as st

st.markdown("# 42")
"""
SCREENS = ["", "prepare", "leverage", "concessions", "meso", "moves", "history"]


def _browser(p):
    from tests.browser.server import CHROMIUM, CHROMIUM_ARGS

    return p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# Timed inside the page, from the Enter keydown to the first animation frame whose page holds the text:
# Playwright's own waits poll at growing intervals (up to 100 ms and more), coarser than what is measured.
WATCH_FOR_TEXT = """text => {
    window.__enter = undefined; window.__shown = undefined;
    document.addEventListener('keydown', e => {
        if (e.key === 'Enter') window.__enter = performance.now();
    }, {capture: true, once: true});
    const look = () => {
        if (window.__enter !== undefined && document.body.textContent.includes(text)) {
            window.__shown = performance.now();
        } else {
            requestAnimationFrame(look);
        }
    };
    requestAnimationFrame(look);
}"""


def log_seconds(url: str, runs: int, confirmation: str) -> float:
    """Median seconds from Enter on the entry form to the line's confirmation, after one warm-up line."""
    from playwright.sync_api import expect, sync_playwright

    times = []
    with sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(url)
        expect(page.get_by_text("Log it")).to_be_visible(timeout=60_000)
        for n in range(runs + 1):
            page.get_by_label("Item").fill(f"bench line {n}")
            page.evaluate(WATCH_FOR_TEXT, confirmation.format(n=n))
            page.get_by_label("Item").press("Enter")
            page.wait_for_function("window.__shown !== undefined", timeout=30_000)
            expect(page.get_by_text(confirmation.format(n=n))).to_be_visible(timeout=30_000)
            if n:
                times.append(page.evaluate("(window.__shown - window.__enter) / 1000"))
        browser.close()
    return statistics.median(times)


# Timed inside the page as well: from the navigation's start to the first animation frame holding the main
# figure (the screen's first heading), on a new browser context each time.
WATCH_FOR_FIGURE = """() => {
    const look = () => {
        if (document.querySelector('[data-testid="stMain"] h1')) {
            window.__figure = performance.now();
        } else {
            requestAnimationFrame(look);
        }
    };
    requestAnimationFrame(look);
}"""


def first_open_seconds(url: str, runs: int) -> float:
    """Median seconds from opening the address in a new browser session to the screen's main figure."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = _browser(p)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1440, "height": 1000})
            context.add_init_script(f"({WATCH_FOR_FIGURE})()")
            page = context.new_page()
            page.goto(url)
            page.wait_for_function("window.__figure !== undefined", timeout=60_000)
            # performance.now() counts from the start of the navigation
            times.append(page.evaluate("window.__figure / 1000"))
            context.close()
        browser.close()
    return statistics.median(times)


def live_rows(work: Path, cockpit_db: Path, deal_id: int, fmt) -> list[tuple[str, str, str, str]]:
    from tests.browser.server import serve

    bare_form, bare_metric = work / "bare_form.py", work / "bare_metric.py"
    bare_form.write_text(BARE_FORM)
    bare_metric.write_text(BARE_METRIC)
    rows = []
    lines, opens_each = 20, 5  # the page-timed medians are steady at these counts on a 2-core machine
    with serve(work / "bare.duckdb", work / "bare.log", script=bare_form) as url:
        floor = log_seconds(url, lines, "Logged bench line {n}")
    with serve(cockpit_db, work / "cockpit.log") as url:
        logged = log_seconds(f"{url}/concessions?deal={deal_id}", lines, "Logged 'bench line {n}'")
        rows.append(("Bare Streamlit: a fragment with a one-field form, Enter to visible (chromium)", fmt(floor),
                     "the floor for the row below", str(lines)))  # fmt: skip
        rows.append(("Log one concession in a deal with 5,000 lines, Enter to the new balance (chromium)",
                     fmt(logged), f"≤ 1.5× the floor: {logged / floor:.1f}×", str(lines)))  # fmt: skip
        opens = {
            screen: first_open_seconds(f"{url}/{screen}?deal={deal_id}", opens_each) for screen in SCREENS
        }
    with serve(work / "bare2.duckdb", work / "bare2.log", script=bare_metric) as url:
        bare = first_open_seconds(url, opens_each)
    rows.append(("Bare Streamlit: a page with one figure, new session to visible (chromium)", fmt(bare),
                 "the floor for the rows below", str(opens_each)))  # fmt: skip
    for screen, seconds in opens.items():
        rows.append((f"First open of {('/' + screen) if screen else '/ (Pipeline)'}: main figure visible", fmt(seconds),
                     f"≤ 1.5× the floor: {seconds / bare:.1f}×", str(opens_each)))  # fmt: skip
    return rows

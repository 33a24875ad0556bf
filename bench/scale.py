"""Company scale (issue 28), as ratios measured in one run:

- every screen's script run (AppTest) at 100 deals and at 10,000 on DuckDB, and at 10,000 on PostgreSQL
  (the app servers' login, under row-level security), in interleaved rounds so a busy moment hits all;
- N people opening the Pipeline at once (N = 1, 10, 20, 40 browser sessions in headless chromium) against
  a bare page with one figure: time to the main figure (p50, p95) and the server's CPU per new session;
- the server's memory: idle after the first page, and after 220 sessions opened and closed.

`python -m bench.scale` runs it alone on a fresh 100 / 10,000-deal pair; `make bench` runs it as a section."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Every screen, as the cockpit's navigation lists them (core/ui/session.py's SCREENS).
PAGES = ["app.py", "pages/prepare.py", "pages/leverage.py", "pages/concessions.py", "pages/meso.py",
         "pages/moves.py", "pages/agreement.py", "pages/implementation.py", "pages/history.py",
         "pages/review.py", "pages/library.py", "pages/outcomes.py", "pages/admin.py"]  # fmt: skip
DEAL = 4  # Kessler: a curated deal with every part (log, bundles, text, plan), the same in every database
SESSIONS_AT_ONCE = (1, 10, 20, 40)
OPENED_AND_CLOSED = 220
TABS = 10  # the 220 are opened by this many tabs at once, each loading the page again (a new session)
# Streamlit keeps a session whose browser went away for server.disconnectedSessionTTL (120 s by default),
# so a reconnecting laptop finds its state again; memory is read once those have expired.
SESSION_TTL = 120


def screen_run(page: str, deal: int = DEAL) -> Callable[[], None]:
    """One script run of a screen in a fresh AppTest session (nothing cached per session)."""
    from streamlit.testing.v1 import AppTest

    def run() -> None:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
        at.query_params["deal"] = str(deal)
        at.run()
        if page != "app.py":
            at.switch_page(page).run()
        assert not at.exception, (page, at.exception)

    return run


def screens_at_scale(databases: dict[str, str], rounds: int = 5) -> dict[tuple[str, str], float]:
    """Median seconds per (database label, page), measured in `rounds` interleaved rounds: each round
    runs every page on every database once, so a slow moment of the machine lands on all of them."""
    times: dict[tuple[str, str], list[float]] = {}
    for location in databases.values():  # warm each process-wide store once
        os.environ["COCKPIT_DB"] = location
        screen_run("app.py")()
    for _ in range(rounds):
        for label, location in databases.items():
            os.environ["COCKPIT_DB"] = location
            for page in PAGES:
                run = screen_run(page)
                began = time.perf_counter()
                run()
                times.setdefault((label, page), []).append(time.perf_counter() - began)
    return {key: statistics.median(values) for key, values in times.items()}


def scale_rows(
    medians: dict[tuple[str, str], float], small: str, bigs: Sequence[str], pg: dict[str, str], fmt
) -> list[tuple]:
    """Per screen: its time at each of the `bigs` sizes on DuckDB against `small`, and on PostgreSQL (`pg`:
    the label of the PostgreSQL copy of a size) against DuckDB at that size."""
    rows = []
    for page in PAGES:
        name = "Pipeline" if page == "app.py" else Path(page).stem.capitalize()
        name = {"Agreement": "Single text"}.get(name, name)
        at_small = medians[(small, page)]
        for big in bigs:
            at_big = medians[(big, page)]
            rows.append((f"{name}: script run (AppTest) at {big} deals on DuckDB", fmt(at_big),
                         f"≤ 2× at {small}, {fmt(at_small)}: {at_big / at_small:.1f}×", "5"))  # fmt: skip
            if big in pg:
                at_pg = medians[(pg[big], page)]
                rows.append((f"{name}: the same at {big} deals on PostgreSQL (app login, row-level security)",
                             fmt(at_pg), f"≤ 2× DuckDB's: {at_pg / at_big:.1f}×", "5"))  # fmt: skip
    return rows


# ---- many people at once, in chromium ------------------------------------------------------------------
def _cpu_seconds(pid: int) -> float:
    """The server process's user + system CPU so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def open_at_once(browser, url: str, pid: int, n: int) -> tuple[float, float, float]:
    """`n` new browser sessions open `url` at once: p50 and p95 seconds to the main figure, and the
    server's CPU seconds per session (from before the first request to when the last figure showed and
    the server went quiet)."""
    from bench.live import WATCH_FOR_FIGURE

    contexts = [browser.new_context(viewport={"width": 1440, "height": 1000}) for _ in range(n)]
    pages = []
    for context in contexts:
        context.add_init_script(f"({WATCH_FOR_FIGURE})()")
        pages.append(context.new_page())
    before = _cpu_seconds(pid)
    for page in pages:  # every navigation started before any is waited for
        page.goto(url, wait_until="commit", timeout=120_000)
    shown = []
    for page in pages:
        page.wait_for_function("window.__figure !== undefined", timeout=180_000)
        shown.append(page.evaluate("window.__figure / 1000"))
    time.sleep(1.0)  # the runs' tails (a fragment's first refresh, the session's bookkeeping)
    cpu = (_cpu_seconds(pid) - before) / n
    for context in contexts:
        context.close()
    shown.sort()
    p95 = shown[min(len(shown) - 1, round(0.95 * (len(shown) - 1)))]
    return statistics.median(shown), p95, cpu


def reopen(browser, url: str, sessions: int) -> None:
    """`sessions` sessions opened and closed: TABS tabs load the page again and again, each load a new
    session and the end of the one before."""
    from bench.live import WATCH_FOR_FIGURE

    contexts = [browser.new_context(viewport={"width": 1440, "height": 1000}) for _ in range(TABS)]
    pages = []
    for context in contexts:
        context.add_init_script(f"({WATCH_FOR_FIGURE})()")
        pages.append(context.new_page())
    for _ in range(sessions // TABS):
        for page in pages:
            page.goto(url, wait_until="commit", timeout=120_000)
        for page in pages:
            page.wait_for_function("window.__figure !== undefined", timeout=180_000)
    for context in contexts:
        context.close()


def sessions_rows(work: Path, cockpit_db: Path, fmt) -> list[tuple]:
    from playwright.sync_api import sync_playwright

    from bench.live import BARE_METRIC, _browser
    from tests.browser.server import serve

    bare_script = work / "bare_metric_scale.py"
    bare_script.write_text(BARE_METRIC)
    rows: list[tuple] = []
    with sync_playwright() as p:
        browser = _browser(p)
        with serve(work / "bare-scale.duckdb", work / "bare-scale.log", script=bare_script) as bare_url:
            bare = {n: open_at_once(browser, bare_url, bare_url.process.pid, n) for n in SESSIONS_AT_ONCE}
        with serve(cockpit_db, work / "cockpit-scale.log") as url:
            pid = url.process.pid
            open_at_once(browser, f"{url}/?deal={DEAL}", pid, 1)  # the first page: the server is warm
            time.sleep(2.0)
            idle = _rss_mb(pid)
            cockpit = {n: open_at_once(browser, f"{url}/?deal={DEAL}", pid, n) for n in SESSIONS_AT_ONCE}
            peak = _rss_mb(pid)
            time.sleep(SESSION_TTL + 15)
            start = _rss_mb(pid)
            reopen(browser, f"{url}/?deal={DEAL}", OPENED_AND_CLOSED)
            time.sleep(SESSION_TTL + 15)
            after = _rss_mb(pid)
        browser.close()
    for n in SESSIONS_AT_ONCE:
        p50, p95, cpu = cockpit[n]
        b50, b95, bcpu = bare[n]
        rows.append((f"{n} people open the Pipeline at once (10,000 deals, chromium): main figure p50 / p95",
                     f"{fmt(p50)} / {fmt(p95)}",
                     f"server CPU per new session within 2× a bare page's: {cpu * 1000:,.0f} ms vs "
                     f"{bcpu * 1000:,.0f} ms, {cpu / bcpu:.1f}× (bare page's figure p50 / p95 "
                     f"{fmt(b50)} / {fmt(b95)})", "1"))  # fmt: skip
    rows.append(
        ("Server memory, idle after the first page (10,000 deals)", f"{idle:,.0f} MB", "< 200 MB", "1")
    )
    rows.append(("Server memory right after the 71 sessions above (40 of them at once)", f"{peak:,.0f} MB",
                 "—: a session's state is kept 2 minutes after its browser leaves, for a reconnect", "1"))  # fmt: skip
    rows.append((f"Server memory after {OPENED_AND_CLOSED} more sessions opened and closed, once expired",
                 f"{after:,.0f} MB", f"within 10 % of {start:,.0f} MB before them: {after / start - 1:+.0%}", "1"))  # fmt: skip
    return rows


def main() -> None:
    import tempfile

    from bench.bench import fmt, print_table
    from core.demo import load_curated, load_synthetic
    from core.store import Store

    work = Path(tempfile.mkdtemp(prefix="cockpit-scale-"))
    paths = {}
    for deals in (100, 10_000):
        paths[deals] = work / f"scale-{deals}.duckdb"
        store = Store.open(paths[deals])
        load_curated(store)
        load_synthetic(store, deals, 50)
        store.close()
    rows = sessions_rows(work, paths[10_000], fmt)
    medians = screens_at_scale({"100": str(paths[100]), "10,000": str(paths[10_000])}, rounds=3)
    rows = scale_rows(medians, "100", ["10,000"], {}, fmt) + rows
    print_table(rows)


if __name__ == "__main__":
    main()

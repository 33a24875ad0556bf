"""`make bench`: the speed figures the issues set goals for, as a markdown table (median of several runs).

Timings are measured here and only here; tests never assert on time.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.csvio import frame_to_csv, parse_concessions  # noqa: E402
from core.demo import load_curated, load_synthetic  # noqa: E402
from core.pipeline import pipeline_frame  # noqa: E402
from core.store import Store, now  # noqa: E402

DEALS, PER_DEAL = 10_000, 50
HUGE = 100_000  # company scale (issue 28): built once per run by the command a person would use


def median_seconds(
    action: Callable[[], object], runs: int, setup: Callable[[], object] | None = None
) -> float:
    times = []
    for _ in range(runs):
        if setup:
            setup()
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    """The rows as the README's Markdown table."""
    print("| measure | median | goal | runs |")
    print("|---|---:|---|---:|")
    for name, value, goal, runs in rows:
        print(f"| {name} | {value} | {goal} | {runs} |")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import duckdb
    import streamlit

    return (f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
            f"Streamlit {streamlit.__version__}")  # fmt: skip


def live(work: Path) -> list[tuple[str, str, str, str]]:
    """Speed during talks (bench/live.py), on the curated demo plus a deal with 5,000 lines."""
    from bench.live import live_rows

    db = work / "log5000.duckdb"
    store = Store.open(db)
    load_curated(store)
    load_synthetic(store, deals=1, concessions_per_deal=5000)
    deal_id = int(store.deals.list_deals()["id"].max())
    store.close()
    return live_rows(work, db, deal_id, fmt)


def command_peak(db: Path, *args: str) -> tuple[float, float]:
    """Seconds and peak memory (MB) of one `cockpit` command on `db`, in a process of its own."""
    import subprocess

    # VmHWM, not getrusage's ru_maxrss: Linux starts a child's ru_maxrss at its parent's size when forked (the
    # bench holds 10,000 deals then), while VmHWM is this program's own peak since it was started.
    measure = (
        "import re, sys; from core import cli; code = cli.main(sys.argv[1:]); "
        "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1]); sys.exit(code)"
    )
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", measure, *args], env={**os.environ, "COCKPIT_DB": str(db)}, cwd=ROOT,
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return time.perf_counter() - began, int(done.stdout.split()[-1]) / 1024  # VmHWM is in kB


def export_peak(db: Path, work: Path) -> float:
    """Peak memory (MB) of a `cockpit export-concessions` of every deal."""
    return command_peak(db, "export-concessions", "-o", str(work / "export.csv"))[1]


def main() -> None:
    rows: list[tuple[str, str, str, str]] = []
    work = Path(tempfile.mkdtemp(prefix="cockpit-bench-"))

    # 1. Synthetic load, each run into a fresh database file (commit included).
    counter = iter(range(100))
    paths: list[Path] = []

    def fresh() -> None:
        paths.append(work / f"load-{next(counter)}.duckdb")

    def load() -> None:
        store = Store.open(paths[-1])
        load_synthetic(store, DEALS, PER_DEAL)
        store.close()

    t = median_seconds(load, runs=3, setup=fresh)
    rows.append(("Synthetic load: 10,000 deals × 50 concessions", fmt(t), "< 60 s", "3"))

    # A pipeline database the read figures share: the curated deals plus the synthetic 10k.
    db = work / "pipeline.duckdb"
    store = Store.open(db)
    load_curated(store)
    load_synthetic(store, DEALS, PER_DEAL)
    deal_ids = store.deals.list_deals()["id"].tolist()
    middle = int(deal_ids[len(deal_ids) // 2])

    t = median_seconds(lambda: store.deal_files.export_deal(middle), runs=30)
    rows.append(("Open one deal (everything it owns, validated) at 10,000 deals", fmt(t), "—", "30"))
    t = median_seconds(lambda: pipeline_frame(store, date.today()), runs=15)
    rows.append(
        ("Pipeline aggregate and verdicts over 10,000 deals / 500,000 concessions", fmt(t), "—", "15")
    )
    t = median_seconds(lambda: frame_to_csv(store.concessions.concession_log()), runs=3)
    rows.append(("Export every deal's log: 500,000 lines to CSV", fmt(t), "≤ 5 s", "3"))
    one_deal = frame_to_csv(store.concessions.concession_log(middle))
    big_file = one_deal + b"".join(one_deal.split(b"\r\n", 1)[1] for _ in range(100_000 // PER_DEAL - 1))
    issue_ids = store.preparation.issue_ids(middle)
    t = median_seconds(lambda: parse_concessions(big_file, issue_ids, now()), runs=3)
    rows.append(("Validate a 100,000-line concession CSV (import, before writing)", fmt(t), "—", "3"))
    store.close()

    # The same curated deals with 100 synthetic ones: every screen is timed on the same deal at both sizes.
    small = work / "pipeline100.duckdb"
    small_store = Store.open(small)
    load_curated(small_store)
    load_synthetic(small_store, 100, PER_DEAL)
    small_store.close()
    # Before the screens below open the files in this process (a DuckDB file has one process at a time).
    peak_small, peak_big = export_peak(small, work), export_peak(db, work)
    rows.append(("`cockpit export-concessions` of every deal: peak memory at 10,000 deals / 500,000 lines",
                 f"{peak_big:,.0f} MB", f"< 1 GB and ≤ 2× at 100 deals, {peak_small:,.0f} MB "
                 f"(here {peak_big / peak_small:.1f}×): written part by part", "1"))  # fmt: skip

    # 100,000 deals / 5 million lines, built once by `cockpit demo --deals` in a process of its own.
    from core.demo import SYNTHETIC_PART

    huge = work / "pipeline100k.duckdb"
    huge_store = Store.open(huge)
    load_curated(huge_store)
    huge_store.close()
    seconds, peak = command_peak(huge, "demo", "--deals", str(HUGE), "--concessions-per-deal", str(PER_DEAL))
    rows.append((f"Synthetic load: {HUGE:,} deals × {PER_DEAL} concessions (`cockpit demo --deals`)", fmt(seconds),
                 f"peak memory < 1 GB: {peak:,.0f} MB, written {SYNTHETIC_PART:,} deals at a time", "1"))  # fmt: skip
    peak_huge = export_peak(huge, work)
    rows.append((f"`cockpit export-concessions` of every deal: peak memory at {HUGE:,} deals / "
                 f"{HUGE * PER_DEAL:,} lines", f"{peak_huge:,.0f} MB", "< 1 GB", "1"))  # fmt: skip
    from bench.scale import scale_rows, screens_at_scale, sessions_rows

    at_once = sessions_rows(work, db, fmt)  # a server of its own on the 10,000 deals, in chromium

    # A shared database (issue 17): the same 10,000 deals moved to a throwaway PostgreSQL by `cockpit copy`'s
    # code, read as the app servers' login (not the tables' owner, so under row-level security).
    from bench.shared import (
        CLI_FILES,
        CLI_LINES,
        PROCESSES,
        SESSIONS,
        WRITER_LINES,
        WRITES,
        duckdb_writes,
        pipeline_rows,
        postgres_writes,
        writers_to_different_deals,
    )
    from core.store.copying import PART_ROWS
    from tests.postgres import Cluster

    cluster = Cluster()
    try:
        cluster.admin("CREATE ROLE cockpit_app LOGIN")
        owner_url = cluster.create("pipeline")
        # The command itself, in a process of its own: its time and its peak memory.
        seconds, peak = command_peak(db, "copy", "--to", owner_url)
        target = Store.open(owner_url)
        rows.append(("`cockpit copy` of 10,000 deals / 500,000 concessions into PostgreSQL", fmt(seconds),
                     f"all or nothing, counts equal; peak memory {peak:,.0f} MB, read and written "
                     f"{PART_ROWS:,} rows at a time", "1"))  # fmt: skip
        target.grant("cockpit_app")
        target.cursor().execute("ANALYZE")
        target.close()
        app_url = owner_url.replace("postgres@", "cockpit_app@", 1)
        rows += pipeline_rows(db, app_url, 15, median_seconds, fmt)
        huge_owner_url = cluster.create("pipeline100k")
        seconds, peak = command_peak(huge, "copy", "--to", huge_owner_url)
        rows.append((f"`cockpit copy` of {HUGE:,} deals / {HUGE * PER_DEAL:,} concessions into PostgreSQL",
                     fmt(seconds), f"peak memory < 1 GB: {peak:,.0f} MB", "1"))  # fmt: skip
        huge_target = Store.open(huge_owner_url)
        huge_target.grant("cockpit_app")
        huge_target.cursor().execute("ANALYZE")
        huge_target.close()
        huge_app_url = huge_owner_url.replace("postgres@", "cockpit_app@", 1)
        # Scale: every screen at 100, 10,000 and 100,000 deals on DuckDB and at 10,000 and 100,000 on
        # PostgreSQL, interleaved.
        medians = screens_at_scale({"100": str(small), "10,000": str(db), "100,000": str(huge),
                                    "PostgreSQL": app_url, "PostgreSQL 100,000": huge_app_url})  # fmt: skip
        rows += scale_rows(
            medians,
            "100",
            ["10,000", "100,000"],
            {"10,000": "PostgreSQL", "100,000": "PostgreSQL 100,000"},
            fmt,
        )
        rows += at_once

        writes_url = cluster.create("writes")
        load_curated(Store.open(writes_url))
        pg = postgres_writes(writes_url, work)
        duck_writes = work / "writes.duckdb"
        load_curated(Store.open(duck_writes))
        duck = duckdb_writes(duck_writes, work)
        total = PROCESSES * SESSIONS * WRITES + CLI_FILES * CLI_LINES
        for label, r in ((f"PostgreSQL: {PROCESSES} app processes × {SESSIONS} sessions + 1 `cockpit import-concessions`", pg),
                         (f"DuckDB file: 1 app process × {PROCESSES * SESSIONS} sessions + the imports in it", duck)):  # fmt: skip
            rows.append((f"{label}, {total:,} lines in all", fmt(r["seconds"]),
                         f"{total:,} rows, 0 errors: got {r['stored']:,} rows, {r['errors']} errors; "
                         f"write p50 {fmt(r['p50'])}, p95 {fmt(r['p95'])}", "1"))  # fmt: skip

        writers_url = cluster.create("writers")
        load_curated(Store.open(writers_url))
        rates = writers_to_different_deals(writers_url)
        alone = rates[0]["per_second"]
        for r in rates:
            rows.append((f"PostgreSQL: {r['writers']} writer process{'es' if r['writers'] > 1 else ''} logging "
                         f"{WRITER_LINES} lines each, each on a deal of its own, at once", f"{r['per_second']:,.0f} lines/s",
                         f"no waiting on each other: {r['per_second'] / alone:.1f}× one writer's rate (2 cores); "
                         f"write p50 {fmt(r['p50'])}", "1"))  # fmt: skip
    finally:
        cluster.remove()

    rows += live(work)

    # Reliability (issue 9): the figures behind the README's Reliability section.
    from bench.reliability import THREADS, WRITES, bad_inputs, busy_file, concurrent_writes, crash_rounds

    runs = [concurrent_writes(work / f"concurrent-{n}.duckdb") for n in range(3)]
    seconds = sorted(r[0] for r in runs)[1]
    rows.append((f"{THREADS} sessions × {WRITES} concession writes at once (file database, with history)",
                 fmt(seconds), f"{THREADS * WRITES:,} rows, 0 errors: got {min(r[1] for r in runs):,} rows, "
                 f"{max(r[2] for r in runs)} errors", "3"))  # fmt: skip
    rounds, intact, lines, reopen = crash_rounds(work / "crash.duckdb")
    rows.append((f"Reopen after SIGKILL of a writing process ({rounds} rounds)", fmt(reopen),
                 f"every committed line present: {intact} of {rounds} rounds ({lines:,} lines)", str(rounds)))  # fmt: skip
    gave_up, turn = busy_file(work / "busy.duckdb")
    rows.append(("`cockpit` while the app holds the file: gives up after COCKPIT_WAIT=1 s", fmt(gave_up),
                 "a plain message, exit 3", "1"))  # fmt: skip
    rows.append(("`cockpit` when the holder lets go after 1 s: gets its turn", fmt(turn), "—", "1"))
    tried, tracebacks, changed = bad_inputs(work)
    rows.append((f"Bad inputs tried: deal files, CSV files, COCKPIT_WAIT, COCKPIT_DB ({tried})", "—",
                 f"tracebacks 0, rows changed 0: got {tracebacks} tracebacks, {changed} rows changed", "1"))  # fmt: skip

    from bench.reliability import attacks

    for name, tried, reached, tracebacks in attacks(work):
        rows.append((f"Attacks tried: {name} ({tried})", "—",
                     f"data reached 0, tracebacks 0: got {reached} reached, {tracebacks} tracebacks", "1"))  # fmt: skip

    print(f"Machine: {machine()}\n")
    print_table(rows)


if __name__ == "__main__":
    main()

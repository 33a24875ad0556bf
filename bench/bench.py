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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.demo import load_curated, load_synthetic  # noqa: E402
from core.store import Store  # noqa: E402

DEALS, PER_DEAL = 10_000, 50


def median_seconds(action: Callable[[], object], runs: int, setup: Callable[[], object] | None = None) -> float:
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
    deal_ids = store.list_deals()["id"].tolist()
    middle = int(deal_ids[len(deal_ids) // 2])

    t = median_seconds(lambda: store.export_deal(middle), runs=30)
    rows.append(("Open one deal (everything it owns, validated) at 10,000 deals", fmt(t), "—", "30"))
    t = median_seconds(store.pipeline_totals, runs=15)
    rows.append(("Pipeline aggregate over 10,000 deals / 500,000 concessions", fmt(t), "—", "15"))
    store.close()

    # The Prepare screen's script time, run by AppTest on the same database.
    os.environ["COCKPIT_DB"] = str(db)
    from streamlit.testing.v1 import AppTest

    def prepare_screen() -> None:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params["deal"] = "1"
        at.run()
        assert not at.exception, at.exception

    prepare_screen()  # warm the process-wide store
    t = median_seconds(prepare_screen, runs=5)
    rows.append(("Prepare screen script run (AppTest) at 10,000 deals", fmt(t), "—", "5"))

    print(f"Machine: {machine()}\n")
    print("| measure | median | goal | runs |")
    print("|---|---:|---|---:|")
    for name, value, goal, runs in rows:
        print(f"| {name} | {value} | {goal} | {runs} |")


if __name__ == "__main__":
    main()

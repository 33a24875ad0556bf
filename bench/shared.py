"""The shared-database figures of `make bench`: several app processes and the command line writing into one
PostgreSQL database at once (DuckDB in one process beside it), and the pipeline at 10,000 deals on both.

`python -m bench.shared app URL SESSIONS WRITES` is one app process: SESSIONS threads sharing one store,
as Streamlit's sessions do, each logging WRITES lines; it prints each write's latency in milliseconds.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import pandas as pd

from core.csvio import frame_to_csv
from core.models import Concession
from core.store import Store

ROOT = Path(__file__).resolve().parent.parent
PROCESSES, SESSIONS, WRITES = 2, 8, 175  # 2 × 8 × 175 = 2,800 lines from the app servers' sessions
CLI_FILES, CLI_LINES = 8, 50  # and 400 from `cockpit import-concessions`: 3,200 in all
DEALS = 12  # the curated demo's deals


def sessions_writing(store: Store, sessions: int, writes: int, tag: str) -> tuple[list[float], int]:
    """`sessions` threads each log `writes` lines on random deals: (latencies in s, errors)."""
    latencies: list[float] = []
    errors = [0]
    barrier = threading.Barrier(sessions)

    def session(k: int) -> None:
        rng = random.Random(k)
        barrier.wait()
        for n in range(writes):
            line = Concession(item=f"{tag}-{k}-{n}", you_give="x", you_get="y", value_to_you=-10.0,
                              logged_at=datetime(2026, 11, 25, 12))  # fmt: skip
            began = time.perf_counter()
            try:
                store.concessions.add_concession(rng.randint(1, DEALS), line)
                latencies.append(time.perf_counter() - began)
            except Exception:  # noqa: BLE001 - every failure counts
                errors[0] += 1

    threads = [threading.Thread(target=session, args=(k,)) for k in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0]


def _cli_files(work: Path) -> list[Path]:
    rows = pd.DataFrame({"Item": [f"cli-{n}" for n in range(CLI_LINES)], "You give": "x", "You get": "y",
                         "Value to you": -10, "Value to them": 5, "Trigger/contingency": ""})  # fmt: skip
    files = []
    for n in range(CLI_FILES):
        path = work / f"cli-{n}.csv"
        path.write_bytes(frame_to_csv(rows))
        files.append(path)
    return files


def _summary(seconds: float, stored: int, errors: int, latencies: list[float]) -> dict:
    q = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else [0.0] * 19
    return {"seconds": seconds, "stored": stored, "errors": errors, "p50": statistics.median(latencies or [0.0]),
            "p95": q[18]}  # fmt: skip


def postgres_writes(url: str, work: Path) -> dict:
    """2 app processes × 8 sessions and 1 `cockpit import-concessions` at once into one database."""
    store = Store.open(url)
    before = int(store.cursor().scalar("SELECT count(*) FROM concession"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COCKPIT_DB": url}
    began = time.perf_counter()
    apps = [subprocess.Popen([sys.executable, "-m", "bench.shared", "app", url, str(SESSIONS), str(WRITES)],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) for _ in range(PROCESSES)]  # fmt: skip
    cli_errors = 0
    for path in _cli_files(work):
        done = subprocess.run([sys.executable, "-m", "core.cli", "import-concessions", str(path), "--deal", "3"],
                              cwd=ROOT, env=env, capture_output=True, text=True)  # fmt: skip
        cli_errors += done.returncode != 0
    latencies, errors = [], cli_errors
    for app in apps:
        out, _ = app.communicate()
        *times, failed = out.split()
        latencies += [float(t) / 1000 for t in times]
        errors += int(failed)
    seconds = time.perf_counter() - began
    stored = int(store.cursor().scalar("SELECT count(*) FROM concession")) - before
    store.close()
    return _summary(seconds, stored, errors, latencies)


def duckdb_writes(path: Path, work: Path) -> dict:
    """The same 3,200 lines on a DuckDB file: one process (the file's one writer), 16 sessions, and the
    command line's files imported in that process (another process would wait for the file)."""
    from core.csvio import parse_concessions
    from core.store import now

    store = Store.open(path)
    before = int(store.cursor().scalar("SELECT count(*) FROM concession"))
    files = _cli_files(work)
    began = time.perf_counter()
    importer_errors = [0]

    def importer() -> None:
        for f in files:
            try:
                store.concessions.import_concessions(
                    3, parse_concessions(f.read_bytes(), store.preparation.issue_ids(3), now())
                )
            except Exception:  # noqa: BLE001
                importer_errors[0] += 1

    side = threading.Thread(target=importer)
    side.start()
    latencies, errors = sessions_writing(store, PROCESSES * SESSIONS, WRITES, "duck")
    side.join()
    seconds = time.perf_counter() - began
    stored = int(store.cursor().scalar("SELECT count(*) FROM concession")) - before
    store.close()
    return _summary(seconds, stored, errors + importer_errors[0], latencies)


def pipeline_rows(
    duck_path: Path, pg_url: str, runs: int, median_seconds, fmt
) -> list[tuple[str, str, str, str]]:
    """The pipeline aggregate at 10,000 deals / 500,000 concessions, on PostgreSQL (as the app servers'
    login, under row-level security) against DuckDB in the same run; and the alternative the issue asks
    to weigh: reading the rows out of PostgreSQL to aggregate them in DuckDB."""
    from datetime import date

    from core.pipeline import pipeline_frame

    duck = Store.open(duck_path)
    shared = Store.open(pg_url)
    t_duck = median_seconds(lambda: pipeline_frame(duck, date.today()), runs=runs)
    t_pg = median_seconds(lambda: pipeline_frame(shared, date.today()), runs=runs)
    t_read = median_seconds(lambda: shared.cursor().df(
        "SELECT deal_id, you_get, value_to_you, new_position, issue_id FROM concession WHERE deleted_at IS NULL"),
        runs=3)  # fmt: skip
    duck.close()
    shared.close()
    return [
        ("Pipeline aggregate over 10,000 deals / 500,000 concessions on PostgreSQL (app login, row-level security)",
         fmt(t_pg), f"≤ 0.5 s and ≤ 2× DuckDB's {fmt(t_duck)} (here {t_pg / t_duck:.1f}×)", str(runs)),
        ("… the other way: only reading the concession rows out of PostgreSQL (to aggregate in DuckDB)",
         fmt(t_read), "slower than the whole aggregate in PostgreSQL, so the aggregate stays there", "3"),
    ]  # fmt: skip


WRITERS, WRITER_LINES = (1, 2, 4, 8), 60


def writers_to_different_deals(url: str) -> list[dict]:
    """1, 2, 4 and 8 processes (as many app servers) each logging lines on a deal of its own at once: lines
    per second in all and each write's median. Writers to different deals should not wait on each other,
    so the rate should grow with writers until the machine's cores are busy."""
    results = []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for writers in WRITERS:
        start = time.time() + 4  # every process connected and waiting before the first write
        procs = [subprocess.Popen([sys.executable, "-m", "bench.shared", "writer", url, str(deal), str(WRITER_LINES),
                                   str(start)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
                 for deal in range(1, writers + 1)]  # fmt: skip
        latencies, ends = [], []
        for proc in procs:
            out, _ = proc.communicate()
            end, *times = out.split()
            ends.append(float(end))
            latencies += [float(t) for t in times]
        seconds = max(ends) - start
        results.append({"writers": writers, "per_second": writers * WRITER_LINES / seconds,
                        "p50": statistics.median(latencies)})  # fmt: skip
    return results


def _writer_process(url: str, deal_id: int, writes: int, start: float) -> None:
    store = Store.open(url)
    store.deals.get_deal(deal_id)  # connected and warm before the clock starts
    time.sleep(max(0.0, start - time.time()))
    latencies = []
    for n in range(writes):
        line = Concession(item=f"writer-{deal_id}-{n}", you_give="x", you_get="y", value_to_you=-10.0,
                          logged_at=datetime(2026, 11, 25, 12))  # fmt: skip
        began = time.perf_counter()
        store.concessions.add_concession(deal_id, line)
        latencies.append(time.perf_counter() - began)
    print(time.time(), " ".join(f"{t:.5f}" for t in latencies))


def _app_process(url: str, sessions: int, writes: int) -> None:
    store = Store.open(url)
    latencies, errors = sessions_writing(store, sessions, writes, f"pid{os.getpid()}")
    print(" ".join(f"{t * 1000:.3f}" for t in latencies), errors)


if __name__ == "__main__":
    if sys.argv[1] == "app":
        _app_process(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1] == "writer":
        _writer_process(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    elif sys.argv[1] == "writers":  # python -m bench.shared writers: the writers' rows alone
        sys.path.insert(0, str(ROOT))
        from core.demo import load_curated
        from tests.postgres import Cluster

        cluster = Cluster()
        try:
            url = cluster.create("writers")
            load_curated(Store.open(url))
            for row in writers_to_different_deals(url):
                print(row)
        finally:
            cluster.remove()
    else:  # a quick look: python -m bench.shared try
        sys.path.insert(0, str(ROOT))
        from core.demo import load_curated
        from tests.postgres import Cluster

        cluster, work = Cluster(), Path(tempfile.mkdtemp())
        try:
            url = cluster.create("bench")
            load_curated(Store.open(url))
            print("postgresql", postgres_writes(url, work))
            duck = work / "w.duckdb"
            load_curated(Store.open(duck))
            print("duckdb", duckdb_writes(duck, work))
        finally:
            cluster.remove()

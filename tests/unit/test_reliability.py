"""Under load and faults: many sessions writing at once, two people correcting the same line, a writer
killed mid-flight, and a second process that finds the file busy."""

import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime

import pytest

from core.models import Concession, Counterparty, Deal
from core.store import Conflict, DatabaseBusy, Store

THREADS, WRITES = 16, 200
CRASH_ROUNDS = 20


def new_deal(store):
    return store.create_deal(Deal(name="Load test", context="sales", owner="Ana"), Counterparty(name="Acme"))


def line(n: int) -> Concession:
    return Concession(item=f"Line {n}", you_give="x", value_to_you=-1.0, logged_at=datetime(2026, 11, 25))


def test_sixteen_sessions_writing_at_once_store_every_line_and_raise_nothing(tmp_path):
    store = Store.open(tmp_path / "load.duckdb")
    deal_id = new_deal(store)
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def session(k: int) -> None:
        start.wait()  # all at once, as Streamlit's session threads do
        for n in range(WRITES):
            try:
                store.add_concession(deal_id, line(k * WRITES + n))
            except BaseException as exc:  # noqa: BLE001 - the test counts every kind of failure
                errors.append(exc)

    threads = [threading.Thread(target=session, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    items = [c.item for c in store.list_concessions(deal_id)]
    assert len(items) == THREADS * WRITES == 3200 and len(set(items)) == 3200
    assert len(store.list_events(deal_id, kinds=["concession"])) >= 3200  # each one is in the history too
    store.close()


def test_two_sessions_correcting_the_same_line_one_wins_the_other_is_told_and_retries(store):
    deal_id = new_deal(store)
    store.add_concession(deal_id, line(1))
    ana_read = store.list_concessions(deal_id)
    ben_read = store.list_concessions(deal_id)

    store.update_concessions(
        deal_id, [ana_read[0].model_copy(update={"you_get": "Case study"})], read=ana_read
    )
    with pytest.raises(Conflict) as exc:
        store.update_concessions(
            deal_id, [ben_read[0].model_copy(update={"value_to_you": -2.0})], read=ben_read
        )
    assert "Line 1" in str(exc.value) and "changed by someone else" in str(exc.value)
    assert store.list_concessions(deal_id)[0].you_get == "Case study"  # Ana's change stands

    ben_again = store.list_concessions(deal_id)  # the retry starts from what is stored now
    store.update_concessions(
        deal_id, [ben_again[0].model_copy(update={"value_to_you": -2.0})], read=ben_again
    )
    final = store.list_concessions(deal_id)[0]
    assert (final.you_get, final.value_to_you) == ("Case study", -2.0)  # nothing silently lost
    with pytest.raises(Conflict):  # a removal on a stale read is refused the same way
        store.update_concessions(deal_id, [], [final.id], read=ben_read)


WRITER = textwrap.dedent("""
    import sys
    from datetime import datetime
    from core.models import Concession
    from core.store import Store
    store = Store.open(sys.argv[1])
    n = 0
    while True:
        n += 1
        new_id = store.add_concession(1, Concession(item=f"Crash {sys.argv[2]}.{n}", you_give="x", value_to_you=-1.0,
                                                    logged_at=datetime(2026, 11, 25)))
        print(new_id, flush=True)  # reported only after the transaction committed
""")


def test_a_writer_killed_at_random_moments_never_loses_a_committed_line(tmp_path):
    path = tmp_path / "crash.duckdb"
    seed = Store.open(path)
    new_deal(seed)
    seed.close()
    rng = random.Random(7)
    committed: set[int] = set()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for round_no in range(CRASH_ROUNDS):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(round_no)],
            stdout=subprocess.PIPE, text=True, cwd=root, env={**os.environ, "PYTHONPATH": root},
        )  # fmt: skip
        first = child.stdout.readline()  # wait until it writes, then kill it somewhere in the next writes
        assert first.strip().isdigit(), f"round {round_no}: the writer did not start"
        committed.add(int(first))
        time.sleep(rng.uniform(0.0, 0.3))
        os.kill(child.pid, signal.SIGKILL)
        rest, _ = child.communicate()
        committed.update(int(x) for x in rest.split() if x.isdigit())
        store = Store.open(path)  # opens cleanly after every kill (DuckDB replays its write-ahead log)
        stored = {c.id for c in store.list_concessions(1)}
        store.close()
        missing = committed - stored
        assert not missing, f"round {round_no}: reported committed but missing: {sorted(missing)[:5]}"
    assert len(committed) >= CRASH_ROUNDS


def hold(path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import time, duckdb
            con = duckdb.connect({str(path)!r})
            print("holding", flush=True)
            time.sleep({seconds})
        """)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_a_second_process_waits_for_the_file_and_then_gets_its_turn(tmp_path):
    path = tmp_path / "busy.duckdb"
    Store.open(path).close()
    holder = hold(path, 1.0)
    store = Store.open(path, wait=15)  # the holder lets go after a second
    assert store.is_empty()
    store.close()
    holder.wait()


def test_a_second_process_that_waits_in_vain_is_told_why(tmp_path):
    path = tmp_path / "busy.duckdb"
    Store.open(path).close()
    holder = hold(path, 30)
    try:
        began = time.monotonic()
        with pytest.raises(DatabaseBusy) as exc:
            Store.open(path, wait=1)
        assert time.monotonic() - began >= 1
        assert "waited 1 s" in str(exc.value) and str(path) in str(exc.value)
    finally:
        holder.kill()
        holder.wait()


def cockpit(*args, path, wait):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return subprocess.run(
        [sys.executable, "-c", "import sys; from core.cli import main; sys.exit(main(sys.argv[1:]))", *args],
        capture_output=True, text=True, cwd=root,
        env={**os.environ, "PYTHONPATH": root, "COCKPIT_DB": str(path), "COCKPIT_WAIT": str(wait)},
    )  # fmt: skip


def test_the_cockpit_command_next_to_a_busy_app_waits_then_says_why_without_a_traceback(tmp_path):
    path = tmp_path / "app.duckdb"
    Store.open(path).close()
    holder = hold(path, 30)  # the app, serving
    try:
        done = cockpit("deals", path=path, wait=1)
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 3
    assert "is in use by another program" in done.stderr and "waited 1 s" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""

    holder = hold(path, 1)  # a short job that lets go: the command gets its turn
    done = cockpit("deals", path=path, wait=15)
    holder.wait()
    assert done.returncode == 0 and done.stdout.startswith('"id","name","counterparty","context","stage"')

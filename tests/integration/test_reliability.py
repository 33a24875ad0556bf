"""Under load and faults: many sessions writing at once, two people correcting the same line, a writer
killed mid-flight, and a second process that finds the file busy."""

import os
import subprocess
import sys
import textwrap
import time
from datetime import datetime

import pytest

from bench.reliability import CRASH_ROUNDS, THREADS, WRITES, concurrent_writes, crash_rounds
from core.models import Concession, Counterparty, Deal
from core.store import Conflict, DatabaseBusy, Store


def new_deal(store):
    return store.deals.create_deal(
        Deal(name="Load test", context="sales", owner="Ana"), Counterparty(name="Acme")
    )


def line(n: int) -> Concession:
    return Concession(item=f"Line {n}", you_give="x", value_to_you=-1.0, logged_at=datetime(2026, 11, 25))


def test_sixteen_sessions_writing_at_once_store_every_line_and_raise_nothing(tmp_path):
    _, rows, errors = concurrent_writes(tmp_path / "load.duckdb")  # the harness `make bench` times
    assert (rows, errors) == (THREADS * WRITES, 0) == (3200, 0)
    store = Store.open(tmp_path / "load.duckdb")
    items = [c.item for c in store.concessions.list_concessions(1)]
    assert len(set(items)) == 3200  # every line once: none lost, none doubled
    assert len(store.deals.list_events(1, kinds=["concession"])) >= 3200  # each one is in the history too
    store.close()


def test_two_sessions_correcting_the_same_line_one_wins_the_other_is_told_and_retries(store):
    deal_id = new_deal(store)
    store.concessions.add_concession(deal_id, line(1))
    ana_read = store.concessions.list_concessions(deal_id)
    ben_read = store.concessions.list_concessions(deal_id)

    store.concessions.update_concessions(
        deal_id, [ana_read[0].model_copy(update={"you_get": "Case study"})], read=ana_read
    )
    with pytest.raises(Conflict) as exc:
        store.concessions.update_concessions(
            deal_id, [ben_read[0].model_copy(update={"value_to_you": -2.0})], read=ben_read
        )
    assert "Line 1" in str(exc.value) and "changed by someone else" in str(exc.value)
    assert store.concessions.list_concessions(deal_id)[0].you_get == "Case study"  # Ana's change stands

    ben_again = store.concessions.list_concessions(deal_id)  # the retry starts from what is stored now
    store.concessions.update_concessions(
        deal_id, [ben_again[0].model_copy(update={"value_to_you": -2.0})], read=ben_again
    )
    final = store.concessions.list_concessions(deal_id)[0]
    assert (final.you_get, final.value_to_you) == ("Case study", -2.0)  # nothing silently lost
    with pytest.raises(Conflict):  # a removal on a stale read is refused the same way
        store.concessions.update_concessions(deal_id, [], [final.id], read=ben_read)


def test_a_writer_killed_at_random_moments_never_loses_a_committed_line(tmp_path):
    rounds, intact, lines, _ = crash_rounds(tmp_path / "crash.duckdb")  # opens after every kill, then checks
    assert rounds == CRASH_ROUNDS >= 20
    assert intact == rounds, f"{rounds - intact} rounds lost a line the writer reported committed"
    assert lines >= rounds


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
    assert store.deals.is_empty()
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


def test_every_bad_input_of_the_bench_is_refused_cleanly_and_changes_nothing(tmp_path, monkeypatch):
    from bench.reliability import bad_inputs

    monkeypatch.setenv("COCKPIT_DB", str(tmp_path / "unused.duckdb"))  # bad_inputs points it where it needs
    tried, tracebacks, changed = bad_inputs(tmp_path)
    assert tried >= 25 and (tracebacks, changed) == (0, 0)

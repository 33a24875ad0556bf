"""One PostgreSQL database, several writers (each `Store` here has its own connections, as each app server
and `cockpit` command does): the database's own locks keep ids, history and the optimistic check right."""

import threading
import time
from datetime import datetime

import pytest

from core.models import Concession
from core.store import Conflict, Store

# These are guarantees of PostgreSQL (a DuckDB file has one writing process and no roles).
pytestmark = pytest.mark.parametrize("engine", ["postgresql"], indirect=True)


@pytest.fixture
def shared(demo_store):
    second = Store.open(demo_store.location)
    yield demo_store, second
    second.close()


def test_a_correction_waits_for_the_other_servers_write_and_then_sees_it(shared):
    """The optimistic check between two app servers: B read the log, then A changed the line while B was
    saving. B's save waits for A's commit and refuses, instead of overwriting A's change."""
    a, b = shared
    seen = b.concessions.list_concessions(1)
    outcome: dict = {}

    def b_saves():
        try:
            b.concessions.update_concessions(
                1, [seen[0].model_copy(update={"item": "B's wording"})], read=seen
            )
            outcome["saved"] = True
        except Conflict as exc:
            outcome["conflict"] = str(exc)

    with a._writing(1) as cur:  # A is in the middle of its write to deal 1
        cur.execute("UPDATE concession SET item = ? WHERE id = ?", ["A's wording", seen[0].id])
        saver = threading.Thread(target=b_saves)
        saver.start()
        time.sleep(0.5)
        assert saver.is_alive() and not outcome  # B waits on the deal's row
    saver.join(10)
    assert "was changed by someone else" in outcome["conflict"]
    assert a.concessions.list_concessions(1)[0].item == "A's wording"


def test_writers_on_two_servers_never_collide_on_ids_or_lose_a_line(shared):
    a, b = shared
    before = len(a.concessions.list_concessions(1))
    errors: list[BaseException] = []

    def log(store: Store, who: int):
        try:
            for n in range(15):
                line = Concession(item=f"w{who}-{n}", you_give="x", you_get="y", value_to_you=-10,
                                  logged_at=datetime(2026, 11, 25, 12, who, n))  # fmt: skip
                store.concessions.add_concession(1 if n % 2 else 2, line)
        except BaseException as exc:  # noqa: BLE001 (the test reports every writer's failure)
            errors.append(exc)

    writers = [threading.Thread(target=log, args=(s, w)) for w, s in enumerate([a, b, a, b, a, b])]
    for t in writers:
        t.start()
    for t in writers:
        t.join(60)
    assert errors == []
    lines = a.concessions.list_concessions(1) + a.concessions.list_concessions(2)
    assert len({c.id for c in lines}) == len(lines)
    assert len(a.concessions.list_concessions(1)) == before + 6 * 7  # odd n: 7 of each writer's 15 lines
    subjects = " ".join(a.deals.list_events(1)["subject"])
    assert all(f"'w{w}-{n}'" in subjects for w in range(6) for n in range(1, 15, 2))  # each with its history


def test_a_write_to_another_deal_does_not_wait_for_an_open_write(shared):
    """Two servers writing to different deals: B's line (its id, its history row's id) goes in while A's
    transaction on deal 1 is still open, holding ids of both tables. Ids come from sequences, not from the
    highest id under a lock held until commit, on which every write of every server used to queue."""
    a, b = shared
    done = threading.Event()
    with a._writing(1) as cur:
        cur.next_ids("concession", 3), cur.next_ids("deal_event", 3)  # A took ids and is still writing
        writer = threading.Thread(target=lambda: (b.concessions.add_concession(2, Concession(item="B's line", logged_at=datetime(2026, 11, 25))), done.set()))  # fmt: skip
        writer.start()
        assert done.wait(10), "B waited for A's transaction to end"
    writer.join(10)
    assert [c.item for c in a.concessions.list_concessions(2)][-1] == "B's line"


def test_ids_continue_after_the_copied_or_bulk_loaded_rows(shared):
    # The shared fixture was made by `cockpit copy`; a bulk load chooses ids of its own too.
    from core.demo import load_synthetic

    a, _ = shared
    top = a.cursor().scalar("SELECT max(id) FROM concession")
    load_synthetic(a, deals=2, concessions_per_deal=5)
    loaded = a.cursor().scalar("SELECT max(id) FROM concession")
    assert loaded == top + 10
    new = a.concessions.add_concession(1, Concession(item="After the load", logged_at=datetime(2026, 11, 25)))
    assert new > loaded


def test_a_write_on_one_server_is_a_new_revision_on_the_other(shared):
    a, b = shared
    seen = b.revision
    a.concessions.add_concession(1, Concession(item="From A", logged_at=datetime(2026, 11, 25)))
    assert b.revision > seen


def test_two_servers_starting_on_one_new_database_load_the_demo_once(store):
    from core.demo import ensure_demo

    stores = [store, Store.open(store.location)]
    loaded: list[bool] = []
    starts = [threading.Thread(target=lambda s=s: loaded.append(ensure_demo(s))) for s in stores]
    for t in starts:
        t.start()
    for t in starts:
        t.join(60)
    assert sorted(loaded) == [False, True]
    assert len(store.deals.list_deals()) == 12

"""The DuckDB store: migrations, round trips, all-or-nothing writes, threads, and a busy file."""

import subprocess
import sys
import textwrap
import threading
from datetime import date, datetime

import pytest

from core.models import (
    Alternative,
    Concession,
    Counterparty,
    Deal,
    Evidence,
    InvalidInput,
    Issue,
    Stakeholder,
)
from core.store import MIGRATIONS, DatabaseBusy, NotFound, Store


def new_deal(store, name="Acme renewal"):
    return store.deals.create_deal(Deal(name=name, context="sales", owner="Ana"), Counterparty(name="Acme"))


def test_a_new_database_gets_every_migration_in_order(store):
    assert store.applied_migrations() == [name for name, _ in MIGRATIONS]


def test_opening_an_older_database_upgrades_it_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.duckdb"
    old = Store.open(path, migrations=MIGRATIONS[:1])
    with old.transaction() as cur:  # written as that version of the app wrote it: no audit table yet
        cur.execute("INSERT INTO counterparty VALUES (1, 'Acme', 'one_off', 'direct', '')")
        cur.execute(
            "INSERT INTO deal VALUES (1, 'Acme renewal', 'sales', 'setup', 1, 0, 'EUR', 'Ana', NULL, '', NULL, "
            "0, NULL, '', now())"
        )
    deal_id = 1
    assert old.applied_migrations() == ["001_counterparties_and_deals"]
    old.close()

    upgraded = Store.open(path)
    assert upgraded.applied_migrations() == [name for name, _ in MIGRATIONS]
    assert upgraded.deals.get_deal(deal_id).name == "Acme renewal"
    assert upgraded.preparation.list_issues(deal_id) == []  # a table from a later step now exists
    upgraded.deals.advance_stage(deal_id, "first_move")  # and the audit trail records into the upgraded table
    assert upgraded.deals.list_events(deal_id)["private"].tolist() == [False]
    upgraded.close()
    assert Store.open(path).migrate(MIGRATIONS) == []  # nothing left to apply


def test_a_deal_and_its_preparation_round_trip(store):
    deal_id = new_deal(store)
    (ev,) = store.preparation.replace_evidence(
        deal_id, [Evidence(title="Benchmark", source="Survey", date=date(2026, 1, 2))]
    )
    store.preparation.replace_alternatives(
        deal_id, [Alternative(description="Other customer", money=90000, evidence_id=ev)]
    )
    store.preparation.replace_issues(
        deal_id, [Issue(name="Price", target=120000, reservation=110000, evidence_id=ev)]
    )
    deal = store.deals.get_deal(deal_id)
    store.deals.replace_stakeholders(deal.counterparty_id, [Stakeholder(name="Mara", veto=True)])

    assert store.preparation.list_evidence(deal_id)[0].date == date(2026, 1, 2)
    assert store.preparation.list_alternatives(deal_id)[0].money == 90000
    assert store.preparation.list_issues(deal_id)[0].reservation == 110000
    assert store.deals.list_stakeholders(deal.counterparty_id)[0].veto is True
    assert store.deals.list_deals()[["name", "counterparty"]].values.tolist() == [["Acme renewal", "Acme"]]


def test_replacing_a_list_updates_inserts_and_soft_deletes(store):
    deal_id = new_deal(store)
    a, b = store.preparation.replace_issues(
        deal_id, [Issue(name="Price", target=10, reservation=5), Issue(name="Term", target=3, reservation=1)]
    )
    price = store.preparation.list_issues(deal_id)[0].model_copy(update={"reservation": 7})
    c = store.preparation.replace_issues(
        deal_id, [price, Issue(name="Payment", target=30, reservation=60, direction="ceiling")]
    )
    assert c[0] == a and c[1] not in (a, b)
    assert [(i.name, i.reservation) for i in store.preparation.list_issues(deal_id)] == [
        ("Price", 7),
        ("Payment", 60),
    ]
    # the removed issue is kept, marked deleted: nothing is hard-deleted
    assert store.cursor().scalar("SELECT count(*) FROM issue WHERE deleted_at IS NOT NULL") == 1


def test_updating_a_deal_persists_every_field(store):
    deal_id = new_deal(store)
    deal = store.deals.get_deal(deal_id).model_copy(
        update={
            "stage": "midgame",
            "value": 125000,
            "deadline": date(2026, 12, 1),
            "deadline_reason": "Fiscal close",
        }
    )
    store.deals.update_deal(deal)
    assert store.deals.get_deal(deal_id) == deal
    store.set_mandate(deal_id, 12000, "board agreed")  # the mandate moves on its own, with its reason
    assert store.deals.get_deal(deal_id) == deal.model_copy(update={"mandate": 12000})


def test_a_failed_write_leaves_nothing_behind(store):
    deal_id = new_deal(store)
    with pytest.raises(RuntimeError), store.transaction() as cur:
        cur.execute("UPDATE deal SET name = 'half-written' WHERE id = ?", [deal_id])
        raise RuntimeError("boom")
    assert store.deals.get_deal(deal_id).name == "Acme renewal"


def test_a_reference_to_another_deals_evidence_is_refused_and_nothing_changes(store):
    first, second = new_deal(store), new_deal(store, "Second")
    (ev,) = store.preparation.replace_evidence(
        first, [Evidence(title="B", source="S", date=date(2026, 1, 1))]
    )
    with pytest.raises(NotFound, match="Row 1, Evidence: evidence .* is not in this deal's evidence pack"):
        store.preparation.replace_issues(
            second, [Issue(name="Price", target=1, reservation=1, evidence_id=ev)]
        )
    assert store.preparation.list_issues(second) == []


def test_unknown_ids_raise_not_found(store):
    with pytest.raises(NotFound, match="There is no deal with id 404"):
        store.deals.get_deal(404)
    with pytest.raises(NotFound):
        store.preparation.replace_issues(404, [])


def test_eight_threads_writing_at_once_lose_no_rows(store):
    deal_id = new_deal(store)
    errors = []

    def writer(n):
        try:
            for k in range(50):
                store.concessions.add_concession(
                    deal_id, Concession(item=f"t{n}-{k}", logged_at=datetime(2026, 11, 25))
                )
                store.concessions.list_concessions(
                    deal_id
                )  # reads interleave with writes, each thread on its cursor
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    items = [c.item for c in store.concessions.list_concessions(deal_id)]
    assert len(items) == 400 and len(set(items)) == 400


def test_a_database_held_by_another_process_raises_a_plain_error(tmp_path):
    path = tmp_path / "busy.duckdb"
    Store.open(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, duckdb
            con = duckdb.connect({str(path)!r})
            print("holding", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(DatabaseBusy) as exc:
            Store.open(path)
        message = str(exc.value)
        assert str(path) in message and "in use by another program" in message and "COCKPIT_DB" in message
    finally:
        holder.communicate("")


def test_a_round_with_two_bundles_of_one_name_is_refused_and_nothing_is_written(demo_store):
    from core.models import InvalidInput, MesoBundle

    before = demo_store.meso.list_meso_bundles(1)
    clash = [MesoBundle(name="Same", round=9), MesoBundle(name=" same", round=9)]
    with pytest.raises(InvalidInput, match="two bundles of round 9 are named"):
        demo_store.meso.replace_meso_round(1, 9, clash)
    assert demo_store.meso.list_meso_bundles(1) == before


def test_the_latest_assessment_of_each_deal_of_a_counterparty_in_one_call(demo_store):
    deal = demo_store.deals.get_deal(1)
    latest = demo_store.power.latest_assessments(deal.counterparty_id)
    expected = {
        int(d): (demo_store.power.list_assessments(int(d)) or [None])[-1]
        for d in demo_store.deals.list_deals().query(
            "counterparty == @demo_store.deals.get_counterparty(@deal.counterparty_id).name"
        )["id"]
    }
    assert latest == expected and any(a is not None for a in latest.values())


def test_every_insert_names_its_columns():
    import re
    from pathlib import Path

    source = "\n".join(p.read_text() for p in (Path(__file__).parents[2] / "core" / "store").glob("*.py"))
    unnamed = re.findall(r"INSERT (?:OR REPLACE )?INTO \w+ VALUES", source)
    assert unnamed == []


def test_a_copy_that_skips_the_models_rules_is_refused_at_the_store_and_the_deal_still_opens(store):
    deal_id = new_deal(store)
    store.preparation.replace_issues(deal_id, [Issue(name="Price", target=120, reservation=100)])
    (issue,) = store.preparation.list_issues(deal_id)
    broken = issue.model_copy(
        update={"reservation": 130}
    )  # a floor above the target: model_copy checks nothing
    with pytest.raises(InvalidInput, match="floor"):
        store.preparation.replace_issues(deal_id, [broken])
    with pytest.raises(InvalidInput, match="Stage"):
        store.deals.update_deal(store.deals.get_deal(deal_id).model_copy(update={"stage": "banana"}))
    with pytest.raises(InvalidInput, match="^Stage: 'banana' is not one of setup, "):
        store.deals.advance_stage(deal_id, "banana")
    assert (
        store.preparation.list_issues(deal_id) == [issue] and store.deals.get_deal(deal_id).stage == "setup"
    )


def test_a_note_per_round_the_latest_counts_an_empty_one_clears_it_and_history_keeps_each(store):
    deal_id = new_deal(store)
    store.deals.write_round_note(deal_id, 1, "They anchored at 2,100.")
    store.deals.write_round_note(deal_id, 2, "Asked for the index clause.")
    store.deals.write_round_note(deal_id, 1, "They anchored at 2,100; we asked what drives it.")
    store.deals.write_round_note(
        deal_id, 1, "They anchored at 2,100; we asked what drives it."
    )  # the same: kept once
    assert store.deals.round_notes(deal_id) == {1: "They anchored at 2,100; we asked what drives it.",
                                          2: "Asked for the index clause."}  # fmt: skip
    store.deals.write_round_note(deal_id, 2, "  ")
    assert store.deals.round_notes(deal_id) == {1: "They anchored at 2,100; we asked what drives it."}
    events = store.deals.list_events(deal_id, kinds=["round_note"])
    assert len(events) == 4 and events["private"].all()
    with pytest.raises(InvalidInput, match="^Round: must be from 1 to 1000$"):
        store.deals.write_round_note(deal_id, 0, "x")
    with pytest.raises(InvalidInput, match="^Note: at most 2,000 characters"):
        store.deals.write_round_note(deal_id, 3, "x" * 2001)


def test_round_notes_travel_in_the_deal_file(store):
    deal_id = new_deal(store)
    store.deals.write_round_note(deal_id, 3, "Next: trade term for rate.")
    copy = store.deal_files.import_deal(store.deal_files.export_deal(deal_id)).deal_id
    assert store.deals.round_notes(copy) == {3: "Next: trade term for rate."}

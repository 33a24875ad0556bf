"""One deal as a JSON file: export, import, and the `cockpit` commands around them."""

import json

import pytest

from core import cli
from core.demo import load_curated
from core.store import Store

ID_KEYS = {"id", "deal_id", "counterparty_id", "evidence_id", "issue_id", "deadline_evidence_id",
           "pressured_issue_id"}  # fmt: skip


def without_ids(node):
    if isinstance(node, dict):
        return {k: without_ids(v) for k, v in node.items() if k not in ID_KEYS}
    if isinstance(node, list):
        return [without_ids(v) for v in node]
    return node


def test_export_import_export_is_identical_apart_from_ids(demo_store):
    first = demo_store.export_deal(1).model_dump_json(indent=2)
    new_id = demo_store.import_deal(demo_store.export_deal(1))
    second = demo_store.export_deal(new_id).model_dump_json(indent=2)
    assert new_id != 1
    assert json.loads(first) != json.loads(second)  # ids differ...
    assert without_ids(json.loads(first)) == without_ids(json.loads(second))  # ...and nothing else


def test_references_inside_a_deal_follow_the_new_ids(demo_store):
    new_id = demo_store.import_deal(demo_store.export_deal(1))
    f = demo_store.export_deal(new_id)
    issue_ids = {i.id for i in f.issues}
    assert f.deal.pressured_issue_id in issue_ids
    assert {t.issue_id for b in f.meso_bundles for t in b.terms} <= issue_ids
    assert {c.issue_id for c in f.concessions if c.issue_id} <= issue_ids
    assert f.deal.deadline_evidence_id in {e.id for e in f.evidence}


def test_importing_into_another_database_reuses_nothing_and_round_trips(demo_store):
    exported = demo_store.export_deal(3)
    other = Store.memory()
    new_id = other.import_deal(exported)
    assert without_ids(other.export_deal(new_id).model_dump()) == without_ids(exported.model_dump())


def test_a_counterparty_is_reused_by_name(demo_store):
    before = len(demo_store.list_counterparties())
    demo_store.import_deal(demo_store.export_deal(1))
    assert len(demo_store.list_counterparties()) == before


def test_cli_round_trip_through_files(db_path, tmp_path, capsys):
    load_curated(Store.open(db_path))
    Store.open(db_path).close()
    out = tmp_path / "deal.json"
    assert cli.main(["export-deal", "2", "-o", str(out)]) == 0
    assert cli.main(["import-deal", str(out)]) == 0
    assert "as deal 13" in capsys.readouterr().out
    again = tmp_path / "again.json"
    assert cli.main(["export-deal", "13", "-o", str(again)]) == 0
    assert without_ids(json.loads(out.read_text())) == without_ids(json.loads(again.read_text()))


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["issues"][0].update(reservation=999999999),
            "issues.0: Our floor/ceiling: the floor 999,999,999 is above",
        ),
        (lambda d: d["deal"].update(stage="haggling"), "deal › Stage: 'haggling' is not one of"),
        (lambda d: d["assessments"][0]["scores"][0].update(score=9), "Score: must be at most 5"),
        (lambda d: d["concessions"][0].update(item=""), "concessions.0 › Item: must not be empty"),
        (lambda d: d["deal"].update(mandate=-1), "deal › Mandate: must be at least 0"),
    ],
)
def test_a_bad_deal_file_changes_nothing_and_names_the_field(db_path, tmp_path, capsys, mutate, expected):
    store = Store.open(db_path)
    load_curated(store)
    data = json.loads(store.export_deal(1).model_dump_json())
    store.close()
    mutate(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    before = Store.open(db_path).table_counts()
    Store.open(db_path).close()

    assert cli.main(["import-deal", str(bad)]) == cli.EXIT_INVALID
    assert expected in capsys.readouterr().err
    assert Store.open(db_path).table_counts() == before


@pytest.mark.parametrize(
    ("content", "expected"), [(b"\xff\xfe not utf-8", "not UTF-8"), (b"{", "Invalid JSON")]
)
def test_unreadable_deal_files_are_refused_plainly(db_path, tmp_path, capsys, content, expected):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    assert cli.main(["import-deal", str(bad)]) == cli.EXIT_INVALID
    assert expected in capsys.readouterr().err


def test_cli_deals_lists_csv(db_path, capsys):
    load_curated(Store.open(db_path))
    Store.open(db_path).close()
    assert cli.main(["deals"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == '"id","name","counterparty","context","stage"'
    assert lines[1] == '1,"Northwind — enterprise SaaS annual","Northwind Logistics","sales","midgame"'
    assert len(lines) == 13


def test_cli_export_of_an_unknown_deal_fails_plainly(db_path, capsys):
    Store.open(db_path).close()
    assert cli.main(["export-deal", "99"]) == cli.EXIT_INVALID
    assert "There is no deal with id 99" in capsys.readouterr().err

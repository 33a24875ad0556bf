"""One deal as a JSON file: export, import, and the `cockpit` commands around them."""

import json

import pytest

from core import cli
from core.demo import load_curated
from core.store import Store

ID_KEYS = {"id", "deal_id", "counterparty_id", "evidence_id", "issue_id", "deadline_evidence_id",
           "pressured_issue_id", "bundle_id", "concession_id", "benchmark_ids", "persuasive_evidence_ids",
           "per_unit_of"}  # fmt: skip
# What a deal owns and the file carries, by table; and what it owns but leaves out, with the reason.
CARRIED = {"deal", "counterparty", "stakeholder", "alternative", "issue", "evidence", "power_assessment",
           "power_score", "concession", "meso_bundle", "meso_term", "anchor_worksheet", "meso_pick", "approval",
           "review", "single_text", "text_version", "text_clause", "commitment", "escalation_step"}  # fmt: skip
LEFT_OUT = {
    "deal_person": "who works on it belongs to this organisation's members, not to the deal",
    "library_use": "the library belongs to the organisation; the evidence itself travels",
    "concession_totals": "derived from the lines, rebuilt on import",
    "latest_assessment": "derived from the assessments, rebuilt on import",
    "deal_batna": "derived from the alternatives, judged again on import",
    "deal_event": "the history stays where it happened; the signals observed travel",
    "access_event": "who saw or took what is the organisation's record, not the deal's",
}


def without_ids(node):
    if isinstance(node, dict):
        return {k: without_ids(v) for k, v in node.items() if k not in ID_KEYS}
    if isinstance(node, list):
        return [without_ids(v) for v in node]
    return node


def test_export_import_export_is_identical_apart_from_ids(demo_store):
    first = demo_store.deal_files.export_deal(1).model_dump_json(indent=2)
    new_id = demo_store.deal_files.import_deal(demo_store.deal_files.export_deal(1)).deal_id
    second = demo_store.deal_files.export_deal(new_id).model_dump_json(indent=2)
    assert new_id != 1
    assert json.loads(first) != json.loads(second)  # ids differ...
    assert without_ids(json.loads(first)) == without_ids(json.loads(second))  # ...and nothing else


def owning_everything(store) -> None:
    """Give the demo what its files leave out: an anchor worksheet, a reaction to a bundle, a sponsor's
    decision, an observed signal and a review, each on some deal."""
    from datetime import datetime

    from core.models import AnchorWorksheet, Concession, MesoPick, Review

    store.deals.observe_signal(1, "give_get_pairing", "asked twice")
    line = store.concessions.add_concession(1, Concession(item="Extra seat", you_give="1 seat", value_to_you=-5000,
                                              logged_at=datetime(2026, 11, 25, 10)))  # fmt: skip
    store.decide_approval(1, line, "approved", "CFO agreed", decided_by="maria@example.com",
                          decided_at=datetime(2026, 11, 25, 11))  # fmt: skip
    issue, evidence = store.preparation.list_issues(1)[0], store.preparation.list_evidence(1)[0]
    store.preparation.save_anchor(1, AnchorWorksheet(issue_id=issue.id, range_low=115000, range_high=125000,
                                         benchmark_ids=[evidence.id], rationale="Peers pay more"))  # fmt: skip
    store.reviews.save_review(1, Review(outcome="paused", final_values=[{"issue_id": issue.id, "value": 115000}],
                                persuasive_evidence_ids=[evidence.id]))  # fmt: skip
    with_bundles = next(
        int(d) for d in store.deals.list_deals()["id"] if store.meso.list_meso_bundles(int(d))
    )
    bundle = store.meso.list_meso_bundles(with_bundles)[0]
    store.meso.add_meso_pick(with_bundles, MesoPick(bundle_id=bundle.id, round=bundle.round, reaction="preferred",
                                               note="liked the term", recorded_at=datetime(2026, 11, 25, 12)))  # fmt: skip


def test_every_deal_of_the_demo_round_trips_with_everything_it_owns(demo_store):
    owning_everything(demo_store)
    carried = {
        "anchors": 0,
        "meso_picks": 0,
        "approvals": 0,
        "signals": 0,
        "review": 0,
        "single_text": 0,
        "commitments": 0,
        "escalation_steps": 0,
    }
    for deal in demo_store.deals.list_deals()["id"].astype(int).tolist():
        first = demo_store.deal_files.export_deal(deal)
        second = demo_store.deal_files.export_deal(demo_store.deal_files.import_deal(first).deal_id)
        assert without_ids(json.loads(first.model_dump_json())) == without_ids(
            json.loads(second.model_dump_json())
        )
        for part in carried:
            carried[part] += bool(getattr(first, part))
    assert all(carried.values()), (
        carried
    )  # each part is in at least one demo deal, so the check means something


def test_a_deals_review_signals_approvals_and_reactions_arrive_with_it(demo_store):
    owning_everything(demo_store)
    new = demo_store.deal_files.import_deal(demo_store.deal_files.export_deal(1)).deal_id
    assert demo_store.deals.observed_signals(new) == {"give_get_pairing"}
    (approval,) = [a for a in demo_store.list_approvals(new) if a.note == "CFO agreed"]
    copied = {c.id: c.item for c in demo_store.concessions.list_concessions(new)}
    assert copied[approval.concession_id] == "Extra seat" and approval.decided_by == "maria@example.com"
    review = demo_store.reviews.get_review(new)
    (final,) = review.final_values
    issues, evidence = (
        {i.id for i in demo_store.preparation.list_issues(new)},
        {e.id for e in demo_store.preparation.list_evidence(new)},
    )
    assert (review.outcome.value, final.value, final.issue_id in issues) == ("paused", 115000, True)
    assert set(review.persuasive_evidence_ids) <= evidence
    (sheet,) = demo_store.preparation.list_anchors(new).values()
    assert (sheet.range_low, sheet.issue_id in issues, set(sheet.benchmark_ids) <= evidence) == (
        115000,
        True,
        True,
    )


def test_every_table_a_deal_owns_is_carried_by_its_file_or_left_out_for_a_reason(store):
    from core.store.copying import DERIVED, TABLES

    owned = {t for t in (*TABLES, *DERIVED) if store.cursor().rows(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = ? AND column_name IN ('deal_id', 'assessment_id', 'bundle_id', 'counterparty_id')", [t])}  # fmt: skip
    owned |= {"deal", "counterparty"}
    assert owned - CARRIED - set(LEFT_OUT) == set(), (
        "a table a deal owns that its file neither carries nor leaves out"
    )


def test_references_inside_a_deal_follow_the_new_ids(demo_store):
    new_id = demo_store.deal_files.import_deal(demo_store.deal_files.export_deal(1)).deal_id
    f = demo_store.deal_files.export_deal(new_id)
    issue_ids = {i.id for i in f.issues}
    assert f.deal.pressured_issue_id in issue_ids
    assert {t.issue_id for b in f.meso_bundles for t in b.terms} <= issue_ids
    assert {c.issue_id for c in f.concessions if c.issue_id} <= issue_ids
    assert f.deal.deadline_evidence_id in {e.id for e in f.evidence}
    freight = demo_store.deal_files.export_deal(
        demo_store.deal_files.import_deal(demo_store.deal_files.export_deal(9)).deal_id
    )
    (spot,) = [a for a in freight.alternatives if a.per_unit_of is not None]  # priced per container
    assert spot.per_unit_of == next(i.id for i in freight.issues if i.name == "Rate per container")


def test_importing_into_another_database_reuses_nothing_and_round_trips(demo_store):
    exported = demo_store.deal_files.export_deal(3)
    other = Store.memory()
    new_id = other.deal_files.import_deal(exported).deal_id
    assert without_ids(other.deal_files.export_deal(new_id).model_dump()) == without_ids(
        exported.model_dump()
    )


def test_a_counterparty_is_reused_by_name(demo_store):
    before = len(demo_store.deals.list_counterparties())
    demo_store.deal_files.import_deal(demo_store.deal_files.export_deal(1))
    assert len(demo_store.deals.list_counterparties()) == before


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
        (
            lambda d: d["deal"].update(deadline="9999-12-31"),
            "deal › Deadline: 9999-12-31 is not a date the cockpit keeps (years 1900 to 2199)",
        ),
        (
            lambda d: d["concessions"][0].update(logged_at="0001-01-01T00:00:00+05:00"),
            "Logged at: 0001-01-01T00:00:00+05:00 is not a time the cockpit can keep",
        ),
    ],
)
def test_a_bad_deal_file_changes_nothing_and_names_the_field(db_path, tmp_path, capsys, mutate, expected):
    store = Store.open(db_path)
    load_curated(store)
    data = json.loads(store.deal_files.export_deal(1).model_dump_json())
    store.close()
    mutate(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    before = Store.open(db_path).queries.table_counts()
    Store.open(db_path).close()

    assert cli.main(["import-deal", str(bad)]) == cli.EXIT_INVALID
    assert expected in capsys.readouterr().err
    assert Store.open(db_path).queries.table_counts() == before


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"\xff\xfe not utf-8", "not UTF-8"), (b"{", "the JSON is malformed (line 1, column 2)")],
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


# ---- what the reader refuses before the database is touched -------------------------------------------
def _demo_json() -> str:
    from core.demo import CURATED_DIR

    return (CURATED_DIR / "01-northwind-saas-renewal.json").read_text(encoding="utf-8")


def test_a_key_written_twice_is_refused_instead_of_the_last_one_winning(tmp_path):
    from core.dealfiles import read_deal_file
    from core.models import InvalidInput

    text = _demo_json().replace('"mandate":', '"mandate": 0, "mandate":', 1)
    path = tmp_path / "twice.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        read_deal_file(path)
    assert refused.value.problems == [f"{path}: the key 'mandate' appears twice in one object; keep one, since the "
                                      "second would silently replace the first"]  # fmt: skip


def test_a_byte_order_mark_is_accepted(tmp_path):
    from core.dealfiles import read_deal_file

    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + _demo_json().encode("utf-8"))
    assert read_deal_file(path).deal.name == "Northwind — enterprise SaaS annual"


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from core import dealfiles
    from core.models import InvalidInput

    path = tmp_path / "huge.json"
    path.write_bytes(b" " * (dealfiles.MAX_DEAL_FILE_BYTES + 1))
    monkeypatch.setattr(type(path), "read_bytes", lambda self: pytest.fail("read before the size check"))
    with pytest.raises(InvalidInput, match="a deal file may be at most 5 MB"):
        dealfiles.read_deal_file(path)


def test_two_values_for_one_issue_in_a_bundle_are_refused_naming_the_bundle(tmp_path):
    import json

    from core.dealfiles import read_deal_file
    from core.models import InvalidInput

    data = json.loads(_demo_json())
    bundle = data["meso_bundles"][0]
    bundle["terms"].append(dict(bundle["terms"][0]))
    path = tmp_path / "term.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InvalidInput, match=f"bundle '{bundle['name']}' has two values for issue"):
        read_deal_file(path)


def test_two_bundles_of_one_round_with_one_name_are_refused(tmp_path):
    import json

    from core.dealfiles import read_deal_file
    from core.models import InvalidInput

    data = json.loads(_demo_json())
    data["meso_bundles"][1]["name"] = data["meso_bundles"][0]["name"].upper()
    path = tmp_path / "names.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InvalidInput, match="two bundles of one round are named"):
        read_deal_file(path)


def test_importing_onto_a_known_counterparty_records_the_new_stakeholder_in_every_deal_it_shares(
    demo_store, tmp_path, capsys, monkeypatch
):
    from core.models import Stakeholder

    shared = demo_store.deals.get_deal(1).counterparty_id
    deals = [
        int(i)
        for i in demo_store.deals.list_deals()["id"]
        if demo_store.deals.get_deal(int(i)).counterparty_id == shared
    ]
    exported = demo_store.deal_files.export_deal(1)
    veto = Stakeholder(name="Dr. New Veto", role="CFO", decision_rights="signs", veto=True)
    changed = exported.model_copy(update={"stakeholders": [*exported.stakeholders, veto]})
    path = tmp_path / "deal.json"
    path.write_text(changed.model_dump_json(), encoding="utf-8")
    demo_store.close()
    monkeypatch.setenv("COCKPIT_DB", str(demo_store.location))

    assert cli.main(["import-deal", str(path)]) == 0
    out = capsys.readouterr().out
    assert "already existed" in out and "Dr. New Veto" in out and f"deals {', '.join(map(str, deals))}" in out
    store = Store.open(demo_store.location)
    for deal_id in deals:
        history = store.deals.list_events(deal_id)
        row = history[history["subject"] == "Stakeholder 'Dr. New Veto' added"]
        assert len(row) == 1 and row.iloc[0]["note"] == "from a deal file imported for this counterparty", (
            deal_id
        )
    assert "Dr. New Veto" in [s.name for s in store.deals.list_stakeholders(shared)]


def test_a_deal_whose_linked_issues_and_evidence_were_removed_still_exports_and_imports(demo_store):
    """Removing an issue or evidence that something points at (the pressured issue, a line, a bundle's
    term, a score, the deadline's evidence) never leaves the deal unexportable: the links go, the rest stays."""
    deal = demo_store.deals.get_deal(1)
    demo_store.preparation.replace_issues(1, [])
    demo_store.preparation.replace_evidence(1, [])
    exported = demo_store.deal_files.export_deal(1)
    assert exported.deal.pressured_issue_id is None and exported.deal.deadline_evidence_id is None
    assert exported.issues == [] and all(c.issue_id is None for c in exported.concessions)
    assert len(exported.concessions) == len(demo_store.concessions.list_concessions(1, include_removed=True))
    copy = demo_store.deal_files.import_deal(exported).deal_id
    assert demo_store.deals.get_deal(copy).name == deal.name


def test_a_deal_file_with_thousands_of_bundles_is_refused_naming_the_part_and_the_limit():
    from core.dealfiles import parse_deal_file
    from core.models import InvalidInput

    store = Store.memory()
    load_curated(store)
    data = json.loads(store.deal_files.export_deal(2).model_dump_json())
    bundle = data["meso_bundles"][0]
    data["meso_bundles"] = [dict(bundle, id=n, name=f"Bundle {n}") for n in range(6000)]
    with pytest.raises(InvalidInput) as refused:
        parse_deal_file(json.dumps(data).encode(), "big.json")
    assert refused.value.problems == ["big.json: Meso bundles: has 6,000 entries; the limit is 600"]

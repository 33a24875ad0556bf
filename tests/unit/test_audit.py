"""The audit trail: every change to what a negotiator commits to is recorded with old, new, when and who."""

from datetime import date, datetime

import pytest

from core.audit import as_text, field_changes, list_changes, score_changes
from core.models import (
    Alternative,
    Concession,
    Counterparty,
    Deal,
    Evidence,
    InvalidInput,
    Issue,
    MesoBundle,
    MesoPick,
    MesoTerm,
    PowerAssessment,
    PowerScore,
    Stakeholder,
)
from core.store import NotFound


@pytest.fixture
def deal(store, monkeypatch):
    monkeypatch.setenv("COCKPIT_USER", "ana.lead")
    deal_id = store.deals.create_deal(
        Deal(name="Acme renewal", context="sales", owner="Ana", mandate=10000), Counterparty(name="Acme")
    )
    store.preparation.replace_issues(
        deal_id, [Issue(name="Price", unit="EUR", target=120000, reservation=100000)]
    )
    return deal_id


def history(store, deal_id, kind=None):
    events = store.deals.list_events(deal_id, kinds=[kind] if kind else None)
    events = events.astype(object).where(events.notna(), None)
    return [
        tuple(r) for r in events[["subject", "old_value", "new_value", "private"]].itertuples(index=False)
    ][::-1]


def test_values_are_written_as_the_screens_write_them():
    assert [as_text(v) for v in (120000.0, 0.5, True, None, date(2026, 1, 2))] == [
        "120,000",
        "0.50",
        "yes",
        None,
        "2026-01-02",
    ]


def test_a_new_deal_and_its_first_issue_are_in_its_history_with_who(store, deal):
    events = store.deals.list_events(deal)
    assert set(events["changed_by"]) == {"ana.lead"}
    assert history(store, deal)[0] == ("Deal created", None, history(store, deal)[0][2], False)
    assert "Name: Acme renewal" in history(store, deal)[0][2] and "Mandate" not in history(store, deal)[0][2]
    ours = [r for r in history(store, deal) if r[0] == "Deal · our side"]  # private, on a line of its own
    assert len(ours) == 1 and "Mandate: 10,000" in ours[0][2] and ours[0][3] is True
    assert ("Issue 'Price' added", None, "Name: Price; Unit: EUR; Direction: floor", False) in history(
        store, deal
    )
    (issue_ours,) = [r for r in history(store, deal) if r[0] == "Issue 'Price' · our side"]
    assert (
        "Our floor/ceiling: 100,000" in issue_ours[2]
        and "Our target: 120,000" in issue_ours[2]
        and issue_ours[3]
    )


def test_floor_target_and_mandate_changes_record_old_and_new(store, deal):
    issue = store.preparation.list_issues(deal)[0]
    store.preparation.replace_issues(
        deal, [issue.model_copy(update={"reservation": 105000, "target": 125000})]
    )
    store.deals.update_deal(store.deals.get_deal(deal).model_copy(update={"stage": "midgame"}))
    with pytest.raises(InvalidInput, match="^Mandate: moves on its own, with its reason"):
        store.deals.update_deal(store.deals.get_deal(deal).model_copy(update={"mandate": 15000}))
    with pytest.raises(InvalidInput, match="^Why: say why the mandate moves"):
        store.set_mandate(deal, 15000, "  ")
    store.set_mandate(deal, 15000, "board agreed")
    assert history(store, deal, "issue")[-2:] == [
        ("Issue 'Price' · Our target", "120,000", "125,000", True),
        ("Issue 'Price' · Our floor/ceiling", "100,000", "105,000", True),
    ]
    assert history(store, deal, "deal")[-1] == ("Deal · Mandate", "10,000", "15,000", True)
    assert store.deals.list_events(deal)["note"].iloc[0] == "board agreed"
    assert history(store, deal, "stage") == [("Deal · Stage", "setup", "midgame", False)]


def test_batna_changes_and_a_new_best_alternative_are_recorded_as_private(store, deal):
    store.preparation.replace_alternatives(deal, [Alternative(description="Stay with Beta", money=90000)])
    first = store.preparation.list_alternatives(deal)[0]
    store.preparation.replace_alternatives(
        deal,
        [Alternative(description="Build in house", money=95000), first.model_copy(update={"money": 80000})],
    )
    rows = history(store, deal, "batna")
    assert rows[0][0] == "Alternative 'Stay with Beta' added" and rows[0][3] is True
    assert ("Alternative 'Stay with Beta' · Money", "90,000", "80,000", True) in rows
    assert ("BATNA (the best alternative)", "Stay with Beta", "Build in house", True) in rows
    assert all(private for *_, private in rows)


def test_power_scores_record_what_moved(store, deal):
    def assess(**scores):
        return PowerAssessment(
            assessed_at=datetime(2026, 11, 25, 10),
            scores=[PowerScore(source=s, side="us", score=v) for s, v in scores.items()],
        )

    store.power.add_assessment(deal, assess(time=2, information=3))
    store.power.add_assessment(deal, assess(time=4, information=3))
    rows = history(store, deal, "power")
    assert rows == [
        ("Information · us", None, "3 · perceived only", False),
        ("Time · us", None, "2 · perceived only", False),
        ("Time · us", "2 · perceived only", "4 · perceived only", False),
    ]


def test_concessions_logged_edited_removed_and_restored(store, deal):
    line_id = store.concessions.add_concession(
        deal,
        Concession(
            item="Pilot", you_give="30-day pilot", value_to_you=-4000, logged_at=datetime(2026, 11, 25)
        ),
    )
    line = store.concessions.list_concessions(deal)[0]
    store.concessions.update_concessions(
        deal, [line.model_copy(update={"value_to_you": -5000, "you_get": "Case study"})]
    )
    store.concessions.remove_concession(deal, line_id)
    store.concessions.restore_concession(deal, line_id)
    rows = history(store, deal, "concession")
    assert rows[0] == ("Concession 'Pilot' (round 1) logged", None, rows[0][2], False)
    assert "-4,000" not in rows[0][2] and "You give: 30-day pilot" in rows[0][2]
    assert ("Concession 'Pilot' (round 1) · our side", None, "Value to you: -4,000", True) in rows
    assert ("Concession 'Pilot' (round 1) · Value to you", "-4,000", "-5,000", True) in rows
    assert ("Concession 'Pilot' (round 1) · You get", "", "Case study", False) in rows
    assert rows[-2][0] == "Concession 'Pilot' (round 1) removed" and rows[-2][2] == "removed"
    assert rows[-1] == ("Concession 'Pilot' (round 1) restored", "removed", "live", False)


def test_a_refused_change_leaves_no_history(store, deal):
    before = len(store.deals.list_events(deal))
    with pytest.raises(NotFound):
        store.concessions.update_concessions(deal, [], [999])
    with pytest.raises(InvalidInput):
        store.preparation.set_their_priorities(deal, {store.preparation.list_issues(deal)[0].id: 9})
    assert len(store.deals.list_events(deal)) == before


def test_meso_bundles_record_values_names_reactions_and_removals_without_hard_deletes(store, deal):
    price = store.preparation.list_issues(deal)[0].id
    store.meso.replace_meso_round(deal, 1, [MesoBundle(name="A", round=1, terms=[MesoTerm(issue_id=price, value=118000)]),
                                     MesoBundle(name="B", round=1, terms=[MesoTerm(issue_id=price, value=112000)])])  # fmt: skip
    a, b = store.meso.list_meso_bundles(deal)
    changed = a.model_copy(update={"name": "Lean", "terms": [MesoTerm(issue_id=price, value=119000)]})
    store.meso.replace_meso_round(deal, 1, [changed])
    store.meso.add_meso_pick(
        deal,
        MesoPick(
            bundle_id=a.id, round=1, reaction="preferred", note="liked the term", recorded_at=datetime.now()
        ),
    )
    rows = history(store, deal, "meso")
    assert rows[:2] == [
        ("Round 1 · A added", None, "Price: 118,000", False),
        ("Round 1 · B added", None, "Price: 112,000", False),
    ]
    assert ("Round 1 · A · Name", "A", "Lean", False) in rows
    assert ("Round 1 · Lean · Price", "118,000", "119,000", False) in rows
    assert ("Round 1 · B removed", "B", "removed", False) in rows
    assert rows[-1] == ("Round 1 · Lean · their reaction", None, "preferred", False)
    counts = store.queries.table_counts()
    assert (
        counts["meso_bundle"] == 2 and counts["meso_term"] == 2
    )  # the removed bundle and its value are kept


def test_evidence_marked_internal_is_recorded_as_private(store, deal):
    store.preparation.replace_evidence(
        deal,
        [Evidence(title="Their CFO's budget slide", source="Hallway", date=date(2026, 11, 1), internal=True)],
    )
    (row,) = history(store, deal, "evidence")
    assert row[0] == "Evidence 'Their CFO's budget slide' added" and row[3] is True


def test_pure_diff_helpers():
    old = Issue(id=1, name="Price", target=10, reservation=8)
    new = old.model_copy(update={"reservation": 9})
    (change,) = field_changes("issue", "Price", old, new)
    assert (change.subject, change.old, change.new, change.private) == (
        "Price · Our floor/ceiling",
        "8",
        "9",
        True,
    )
    gone = list_changes("issue", [old], [], lambda i: i.name)
    assert [(c.subject, c.new) for c in gone] == [("Price removed", "removed")]
    assert score_changes(None, PowerAssessment(assessed_at=datetime(2026, 1, 1), scores=[])) == []


def test_a_shared_history_names_no_private_record():
    from core.audit import shareable_subject
    from core.privacy import MASK

    assert (
        shareable_subject("batna", "Alternative 'Stay with Beta' added", True)
        == f"BATNA and alternatives · {MASK}"
    )
    assert shareable_subject("evidence", "Evidence 'CFO slide' added", True) == f"Evidence · {MASK}"
    assert shareable_subject("evidence", "Evidence 'Index' added", False) == "Evidence 'Index' added"
    assert (
        shareable_subject("issue", "Issue 'Price' · Our floor/ceiling", True)
        == "Issue 'Price' · Our floor/ceiling"
    )


def test_counterparty_map_changes_reach_the_history_of_each_of_its_deals(store, deal):
    cp_id = store.deals.get_deal(deal).counterparty_id
    second = store.deals.create_deal(
        Deal(name="Acme EU", context="sales", owner="Ana", counterparty_id=cp_id)
    )
    store.deals.replace_stakeholders(
        cp_id, [Stakeholder(name="Mara", role="CFO", status_concerns="wants a win for the board")]
    )
    cp = store.deals.get_counterparty(cp_id)
    store.deals.update_counterparty(cp.model_copy(update={"communication_style": "indirect"}))
    for deal_id in (deal, second):
        rows = history(store, deal_id, "counterparty")
        assert rows[0] == ("Stakeholder 'Mara' added", None,
                           "Name: Mara; Role: CFO; Veto: no; Status concerns: wants a win for the board", True)  # fmt: skip
        assert rows[-1] == ("Counterparty · Communication style", "direct", "indirect", True)


def test_the_history_names_the_linked_issue_not_its_id(store, deal):
    price = store.preparation.list_issues(deal)[0]
    store.concessions.add_concession(
        deal, Concession(item="Volume", you_give="x", issue_id=price.id, logged_at=datetime(2026, 11, 25))
    )
    line = store.concessions.list_concessions(deal)[0]
    store.concessions.update_concessions(deal, [line.model_copy(update={"issue_id": None})])
    rows = history(store, deal, "concession")
    assert "Linked issue: Price" in rows[0][2]
    assert ("Concession 'Volume' (round 1) · Linked issue", "Price", None, False) in rows

"""Step 5, the implementation plan: the rules in core/implementation.py, and the store's commitments and
escalation steps on both engines."""

from datetime import date, datetime, timedelta

import pytest

from core.implementation import (
    ENFORCEMENT_MOVE,
    execution_facts,
    friction,
    from_clauses,
    is_missed,
    mediation_first,
    plan_state,
)
from core.models import Clause, Commitment, EscalationKind, EscalationStep, InvalidInput
from core.pipeline import pipeline_frame
from core.store import NotAllowed
from tests.unit.team import ANA, LEA

TODAY = date(2026, 11, 25)


def promise(what, status="on_track", due=None, **kw):
    return Commitment(what=what, owner="Kessler QA", status=status, due=due, **kw)


@pytest.mark.parametrize(
    ("status", "due", "missed"),
    [("on_track", None, False), ("missed", None, True), ("on_track", TODAY, False),
     ("on_track", TODAY - timedelta(days=1), True), ("at_risk", TODAY - timedelta(days=1), True),
     ("done", TODAY - timedelta(days=30), False)],
)  # fmt: skip
def test_a_commitment_is_missed_when_marked_so_or_past_due_and_not_done(status, due, missed):
    assert is_missed(promise("x", status, due), TODAY) is missed


def test_the_plan_says_what_is_done_at_risk_and_missed_and_friction_follows():
    plan = [
        promise("Report", "done"),
        promise("Audit", "at_risk"),
        promise("Credit", due=TODAY - timedelta(days=2)),
    ]
    state = plan_state(plan, TODAY)
    assert (state.commitments, state.done, state.at_risk, state.missed) == (3, 1, 1, ("Credit",))
    assert state.headline == "1 missed" and friction(plan, TODAY)
    assert plan_state(plan[:2], TODAY).headline == "1 of 2 on track or done" and not friction(plan[:2], TODAY)
    assert plan_state([], TODAY).headline == "No commitments yet"
    assert execution_facts(plan, TODAY) == "1 of 3 commitments done, 1 missed (Credit)."
    assert execution_facts([], TODAY) == "No implementation plan recorded."


def test_agreed_clauses_with_a_metric_or_verification_become_commitments_once():
    clauses = [Clause(number=1, kind="issue", title="Price", issue_id=1, status="agreed", verification="audit"),
               Clause(number=2, title="Open term", status="open", metric="m"),
               Clause(number=3, title="Unmeasured", status="agreed"),
               Clause(number=4, kind="metric", title="Uptime", status="agreed", metric="99.5 %"),
               Clause(number=5, kind="verification", title="Brand check", status="agreed", wording="Both checklists")]  # fmt: skip
    made = from_clauses(clauses, [], "Ana")
    assert [(c.clause_number, c.what, c.verification, c.metric, c.owner) for c in made] == [
        (1, "Price", "audit", "", "Ana"), (4, "Uptime", "", "99.5 %", "Ana"),
        (5, "Brand check", "Both checklists", "", "Ana")]  # fmt: skip
    assert [c.clause_number for c in from_clauses(clauses, made[:1], "Ana")] == [4, 5]


def test_a_sanction_before_any_mediation_is_refused_with_the_move_tables_safeguard():
    at = datetime(2026, 11, 20)
    sponsors = [EscalationStep(kind="sponsor_to_sponsor", taken_at=at)]
    said = mediation_first(sponsors, EscalationKind.contractual_remedy)
    assert said.startswith("Use mediation step before sanctions")
    assert mediation_first([], EscalationKind.owner_to_owner) is None
    assert (
        mediation_first(
            [*sponsors, EscalationStep(kind="mediation", taken_at=at)], EscalationKind.contractual_remedy
        )
        is None
    )


# ---- the store, on both engines -----------------------------------------------------------------------
def test_a_commitment_marked_missed_observes_friction_in_the_same_save(demo_store):
    plan = demo_store.plans.list_commitments(5)  # Lena: on track
    assert plan and ENFORCEMENT_MOVE not in demo_store.deals.observed_signals(5)
    changed = [plan[0].model_copy(update={"status": "missed"}), *plan[1:]]
    demo_store.plans.save_commitments(5, changed)
    assert ENFORCEMENT_MOVE in demo_store.deals.observed_signals(5)
    history = demo_store.deals.list_events(5, kinds=["commitment"])
    assert "missed" in " ".join(history["new_value"].astype(str)).lower()
    kept = demo_store.plans.list_commitments(5)
    assert [c.id for c in kept] == [c.id for c in plan] and kept[0].status.value == "missed"


def test_a_commitment_of_another_deal_cannot_be_saved_through_this_one(demo_store):
    theirs = demo_store.plans.list_commitments(4)[0]
    with pytest.raises(InvalidInput, match="is not one of this deal's commitments"):
        demo_store.plans.save_commitments(5, [*demo_store.plans.list_commitments(5), theirs])
    assert demo_store.plans.list_commitments(4)[0] == theirs


def test_mediation_before_sanctions_and_only_a_leader_may_go_past_it_with_a_reason(team):
    ana, lea = team.acting_as(ANA), team.acting_as(LEA)
    with pytest.raises(InvalidInput, match="Use mediation step before sanctions"):
        ana.plans.record_escalation_step(1, "contractual_remedy", "credit note")
    with pytest.raises(NotAllowed, match="Only a leader can go past mediation"):
        ana.plans.record_escalation_step(1, "contractual_remedy", "credit note", "they stopped answering")
    team.share_deal(1, LEA.email, "team")  # a leader working the deal
    step = lea.plans.record_escalation_step(1, "contractual_remedy", "credit note", "they stopped answering")
    assert (step.kind, step.override_reason, step.taken_by) == (
        EscalationKind.contractual_remedy, "they stopped answering", LEA.email)  # fmt: skip
    ana.plans.record_escalation_step(1, "mediation", "joint session")
    later = ana.plans.record_escalation_step(1, "contractual_remedy", "credit note", "not needed now")
    assert later.override_reason == ""  # after mediation no override is taken or kept
    history = team.deals.list_events(1, kinds=["escalation"])
    assert "past mediation: they stopped answering" in " ".join(history["note"])


def test_the_pipeline_counts_missed_commitments_as_the_python_rule_does(demo_store):
    frame = pipeline_frame(demo_store, TODAY).set_index("id")
    for deal_id in frame.index:
        expected = sum(is_missed(c, TODAY) for c in demo_store.plans.list_commitments(int(deal_id)))
        assert frame.loc[deal_id, "missed_commitments"] == expected, deal_id
    assert frame.loc[4, "at_risk"] and "commitment missed" in frame.loc[4, "risk_reasons"]
    assert not frame.loc[4, "closed"]  # signed, but live again while friction lasts

"""Gives over the mandate and the sponsor's decisions on them, on a log computed by hand."""

from datetime import datetime, timedelta

import pandas as pd
import pytest

from core.approvals import ApprovalState, line_keys
from core.concessions import is_severe, review_log
from core.models import Approval, Concession, InvalidInput, validate

T0 = datetime(2026, 11, 20, 9, 0)


def line(n, you, get="Something back"):
    return Concession(id=n, item=f"Line {n}", you_give="a give", you_get=get, value_to_you=you,
                      logged_at=T0 + timedelta(minutes=n))  # fmt: skip


def decision(cid, what="approved", you=-6000.0, minutes=30, note="", by="maria@example.com"):
    return Approval(concession_id=cid, decision=what, decided_by=by, decided_at=T0 + timedelta(minutes=minutes),
                    note=note, value_to_you=you)  # fmt: skip


# gives 4,000 then 6,000 then a get, then 1,000: with a mandate of 8,000 lines 2 and 4 go over it
LOG = [line(1, -4000), line(2, -6000), line(3, 2500), line(4, -1000)]
MANDATE = 8000


def states(approvals=()):
    review = review_log(LOG, [], MANDATE, approvals)
    return review, {cid: s.state for cid, s in review.approvals.items()}


def test_each_give_over_the_mandate_is_pending_until_decided():
    review, state = states()
    assert state == {2: ApprovalState.pending, 4: ApprovalState.pending}
    assert review.approvals[2].over_by == 2000 and review.approvals[4].over_by == 3000
    assert review.summary.open_approvals == 2 and review.summary.needs_approval
    assert review.lines["flags"].tolist()[1] == ["over the mandate by 2,000 — pending approval"]
    assert review.lines["approval_open"].tolist() == [False, True, False, True]


def test_a_line_not_stored_yet_is_judged_but_never_matches_a_decision():
    # A line from an import being checked has no id: its key comes from its row, below every real id.
    lines = pd.DataFrame({"id": [5, None, 7, None]}, index=[0, 1, 2, 9])
    assert line_keys(lines) == [5, -2, 7, -10]
    unsaved = [line(1, -4000), line(2, -6000).model_copy(update={"id": None})]
    review = review_log(unsaved, [], 8000, [decision(2)])  # the id it had is not its key
    assert {cid: s.state for cid, s in review.approvals.items()} == {-2: ApprovalState.pending}


def test_an_approval_closes_its_line_and_says_who_and_when():
    review, state = states([decision(2, note="CFO agreed by phone")])
    assert state == {2: ApprovalState.approved, 4: ApprovalState.pending}
    assert review.summary.open_approvals == 1
    assert review.lines["flags"].tolist()[1] == [
        "over the mandate by 2,000 — approved by maria@example.com at 20 Nov 2026 09:30: CFO agreed by phone"
    ]
    assert not is_severe(None, review.lines["approval_open"].tolist()[1])


def test_a_rejection_stays_open_with_its_reason():
    review, state = states([decision(4, "rejected", you=-1000, note="Hold the line")])
    assert state[4] is ApprovalState.rejected
    assert review.approvals[4].open and review.summary.open_approvals == 2
    assert review.lines["flags"].tolist()[3] == [
        "over the mandate by 3,000 — rejected by maria@example.com at 20 Nov 2026 09:30: Hold the line"
    ]


@pytest.mark.parametrize(
    ("now_you", "expected"), [(-6000, "approved"), (-5000, "approved"), (-6500, "pending")]
)
def test_an_approval_covers_the_give_it_was_made_for_not_a_bigger_one(now_you, expected):
    log = [line(1, -4000), line(2, now_you)]
    review = review_log(log, [], MANDATE, [decision(2, you=-6000)])
    assert review.approvals[2].state == expected
    if expected == "pending":
        assert (
            review.approvals[2].says().endswith("pending approval again: the give grew after it was approved")
        )


def test_the_latest_decision_counts():
    _, state = states([decision(2, "rejected", note="No", minutes=10), decision(2, minutes=20)])
    assert state[2] is ApprovalState.approved
    _, state = states([decision(2, minutes=10), decision(2, "rejected", note="Changed my mind", minutes=20)])
    assert state[2] is ApprovalState.rejected


def test_a_raised_mandate_needs_no_approval_whatever_was_decided():
    review = review_log(LOG, [], 20000, [decision(2, "rejected", note="No")])
    assert review.approvals == {} and review.summary.open_approvals == 0


def test_a_rejection_must_say_why():
    with pytest.raises(InvalidInput) as exc:
        validate(Approval, {"concession_id": 2, "decision": "rejected", "decided_by": "Maria",
                            "decided_at": T0, "note": "  "})  # fmt: skip
    assert exc.value.problems == [
        "Note: say why the give is rejected, so the negotiator knows what to do next"
    ]


def test_an_approval_names_who_approved():
    with pytest.raises(InvalidInput) as exc:
        validate(Approval, {"concession_id": 2, "decision": "approved", "decided_by": " ", "decided_at": T0})
    assert exc.value.problems == ["Decided by: must not be empty"]


def test_an_overrun_splits_into_what_the_sponsor_approved_and_what_still_waits(demo_store):
    from datetime import datetime

    from core.approvals import overrun_by_deal
    from core.pipeline import pipeline_frame

    # deal 1: gives 13,500 against 12,000; Onboarding (-3,000) and then Payment terms (-500) took it over
    assert 1 not in set(
        overrun_by_deal(*demo_store.overrun_lines())["deal_id"]
    )  # nobody decided yet: not read
    before = pipeline_frame(demo_store, datetime(2026, 11, 25).date()).set_index("id").loc[1]
    assert (before["over_open"], before["over_approved"]) == (1500.0, 0.0)  # all of it open
    line = next(c for c in demo_store.concessions.list_concessions(1) if c.value_to_you == -3000)
    demo_store.decide_approval(1, line.id, "approved", "CFO agreed", decided_by="maria@example.com",
                               decided_at=datetime(2026, 11, 25, 11))  # fmt: skip
    split = overrun_by_deal(*demo_store.overrun_lines()).set_index("deal_id")
    # Onboarding took the gives 1,000 over (its own 3,000 give, up to the overrun it brought); Payment
    # terms the other 500, still waiting
    assert (split.loc[1, "over_approved"], split.loc[1, "over_open"]) == (1000.0, 500.0)
    row = pipeline_frame(demo_store, datetime(2026, 11, 25).date()).set_index("id").loc[1]
    assert (row["over_mandate"], row["over_open"] + row["over_approved"]) == (1500.0, 1500.0)

"""Review & iteration: how much of our range each issue captured, and the facts beside the seed's three
post-negotiation questions, each rule defined once.

- Range captured on an issue: where the final value landed between our floor (0 %) and our target
  (100 %); for a ceiling, between the ceiling and the (lower) target. Past the target it is above 100 %;
  on the wrong side of the floor it is below 0 % (a breach). An issue whose target equals its floor has no
  range: it is held or not, and not counted.
- Overall: the issues' captures weighted by our priority (1–5), over the issues with a final value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from .models import Direction, Issue, Outcome, Review, Stage

# A deal whose review says it is over leaves the live pipeline (its figures, its risk), still found by a filter.
CLOSED_OUTCOMES = frozenset({Outcome.signed, Outcome.walked_away, Outcome.lost})


def stage_after_outcome(stage: Stage, outcome: Outcome) -> Stage | None:
    """The step a deal moves to when its review records `outcome`: a signed deal is in implementation (the
    method's step 5); None when it stays where it is."""
    if outcome is Outcome.signed and stage is not Stage.implementation:
        return Stage.implementation
    return None


def range_captured(issue: Issue, final: float) -> float | None:
    """The share of our range (floor → target) the final value reached; None when there is no range."""
    span = issue.target - issue.reservation
    if span == 0:
        return None
    return (final - issue.reservation) / span  # a ceiling's span is negative, so the sign works out


@dataclass(frozen=True)
class IssueResult:
    issue: Issue
    final: float
    captured: float | None

    @property
    def breached(self) -> bool:
        return not self.issue.holds(self.final)


def issue_results(issues: Sequence[Issue], review: Review) -> list[IssueResult]:
    finals = {f.issue_id: f.value for f in review.final_values}
    return [IssueResult(i, finals[i.id], range_captured(i, finals[i.id])) for i in issues if i.id in finals]


def overall_captured(results: Sequence[IssueResult]) -> float | None:
    """Priority-weighted range captured over the issues that have a range; None when none has."""
    counted = [(r.captured, r.issue.priority) for r in results if r.captured is not None]
    if not counted:
        return None
    return sum(c * w for c, w in counted) / sum(w for _, w in counted)


CAPTURED_WELL = 0.5  # half the way from the floor to the target, or more: a good outcome


def captured_colour(captured: float | None) -> str | None:
    """How the range captured reads: green from half the way to the target, orange between the floor and
    there, red below the floor (a deal closed past its reservation point); no colour without a figure."""
    if captured is None:
        return None
    return "green" if captured >= CAPTURED_WELL else "orange" if captured >= 0 else "red"


@dataclass(frozen=True)
class OutcomeFigures:
    """What the reviewed deals say, for the Outcomes screen's figures."""

    captured_median: float | None
    reviewed: int
    signed: int
    real_deadlines: int
    judged_deadlines: int
    health_mean: float | None
    moves_after_final: int


def outcome_figures(shown: pd.DataFrame) -> OutcomeFigures:
    """The figures of the reviewed deals in `shown` (a frame of `outcomes_frame`)."""
    captured = shown["captured"].dropna()
    judged = shown["deadline_verdict"].dropna()
    health = shown["relationship_health"].dropna()
    return OutcomeFigures(
        captured_median=float(captured.median()) if len(captured) else None,
        reviewed=len(shown),
        signed=int((shown["outcome"] == "signed").sum()),
        real_deadlines=int((judged == "real").sum()),
        judged_deadlines=len(judged),
        health_mean=float(health.mean()) if len(health) else None,
        moves_after_final=int(shown["moved_after_final"].sum()),
    )


def direction_word(issue: Issue) -> str:
    return "floor" if issue.direction is Direction.floor else "ceiling"


def outcomes_frame(rows: Sequence[dict]) -> pd.DataFrame:
    """The leader's view across reviewed deals: one row per deal with outcome, range captured, one-way
    share and moves after a final offer (from the log), the deadline verdict and relationship health.
    `rows` is the store's `reviewed_deals()`."""
    from .concessions import review_log

    out = []
    for r in rows:
        results = issue_results(r["issues"], r["review"])
        log = review_log(r["log"], r["issues"], r["mandate"]).summary
        review = r["review"]
        out.append({
            "deal_id": r["deal_id"], "name": r["name"], "context": r["context"], "owner": r["owner"],
            "outcome": review.outcome.value, "captured": overall_captured(results),
            "one_way_share": log.one_way / log.lines if log.lines else None,
            "moved_after_final": log.moved_after_final,
            "deadline_verdict": review.deadline_verdict.value if review.deadline_verdict else None,
            "relationship_health": review.relationship_health, "final": review.final,
        })  # fmt: skip
    return pd.DataFrame(
        out,
        columns=["deal_id", "name", "context", "owner", "outcome", "captured", "one_way_share",
                 "moved_after_final", "deadline_verdict", "relationship_health", "final"],
    )  # fmt: skip


def filter_outcomes(
    frame: pd.DataFrame, contexts: Sequence[str] = (), owners: Sequence[str] = ()
) -> pd.DataFrame:
    """The reviewed deals of these contexts and owners (none picked: all)."""
    keep = pd.Series(True, index=frame.index)
    if contexts:
        keep &= frame["context"].isin(list(contexts))
    if owners:
        keep &= frame["owner"].isin(list(owners))
    return frame[keep]

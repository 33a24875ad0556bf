"""Step 5 of the method, implementation: "Assign owners, dates, and metrics. Keep escalation paths that allow
problem-solving before power plays reappear." Commitments from the agreed text, when one counts as missed,
the friction signal, and mediation before sanctions. Every rule about the plan is here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .models import (
    Clause,
    ClauseKind,
    ClauseStatus,
    Commitment,
    CommitmentStatus,
    EscalationKind,
    EscalationStep,
    Side,
)

# The move whose signal a missed commitment observes: "Post-close enforcement" stops on "Friction resurfaces".
ENFORCEMENT_MOVE = "post_close_enforcement"
MEDIATION_FIRST = "Use mediation step before sanctions"  # the move table's safeguard, as the seed words it


def is_missed(c: Commitment, today: date) -> bool:
    """Missed when marked so, or when its due date has passed and it is not done."""
    return c.status is CommitmentStatus.missed or (
        c.due is not None and c.due < today and c.status is not CommitmentStatus.done
    )


@dataclass(frozen=True)
class PlanState:
    commitments: int
    done: int
    missed: tuple[str, ...]  # what was missed, by name
    at_risk: int

    @property
    def headline(self) -> str:
        if not self.commitments:
            return "No commitments yet"
        if self.missed:
            return f"{len(self.missed)} missed"
        return f"{self.commitments - self.at_risk} of {self.commitments} on track or done"


def plan_state(commitments: Sequence[Commitment], today: date) -> PlanState:
    missed = [c for c in commitments if is_missed(c, today)]
    return PlanState(
        commitments=len(commitments),
        done=sum(c.status is CommitmentStatus.done for c in commitments),
        missed=tuple(c.what for c in missed),
        at_risk=sum(c.status is CommitmentStatus.at_risk and not is_missed(c, today) for c in commitments),
    )


def friction(commitments: Sequence[Commitment], today: date) -> bool:
    """The signal of "Post-close enforcement", read from the data: a commitment missed (or overdue)."""
    return any(is_missed(c, today) for c in commitments)


def observed_from_data(commitments: Sequence[Commitment], today: date) -> set[str]:
    """The move-table signals the plan shows without anyone marking them."""
    return {ENFORCEMENT_MOVE} if friction(commitments, today) else set()


def from_clauses(clauses: Sequence[Clause], existing: Sequence[Commitment], owner: str) -> list[Commitment]:
    """A commitment per agreed clause that says how it is measured or checked (a metric or verification of
    its own, or a metric or verification clause, whose wording is the measure), and has none yet; the owner
    to be named (ours by default)."""
    covered = {c.clause_number for c in existing if c.clause_number is not None}
    made = []
    for c in clauses:
        metric = c.metric.strip() or (c.wording.strip() if c.kind is ClauseKind.metric else "")
        verification = c.verification.strip() or (
            c.wording.strip() if c.kind is ClauseKind.verification else ""
        )
        if c.status is ClauseStatus.agreed and (metric or verification) and c.number not in covered:
            made.append(Commitment(clause_number=c.number, what=c.title, side=Side.them, owner=owner,
                                   metric=metric[:5000], verification=verification[:5000]))  # fmt: skip
    return made


def mediation_first(steps: Sequence[EscalationStep], kind: EscalationKind) -> str | None:
    """Why recording this step now is refused, or None: a contractual remedy or sanction comes only after
    a mediation step (the move table's safeguard for post-close enforcement)."""
    if kind is EscalationKind.contractual_remedy and not any(
        s.kind is EscalationKind.mediation for s in steps
    ):
        return f"{MEDIATION_FIRST}: record a mediation step before a contractual remedy or sanction"
    return None


def execution_facts(commitments: Sequence[Commitment], today: date) -> str:
    """What the plan says about execution quality, for the review's first question."""
    if not commitments:
        return "No implementation plan recorded."
    state = plan_state(commitments, today)
    said = f"{state.done} of {state.commitments} commitments done"
    if state.missed:
        said += f", {len(state.missed)} missed ({', '.join(state.missed)})"
    return said + "."

"""Leverage: the index, legitimacy, and the warnings that keep power-based tactics honest.

Leverage index
    For each of the seven power sources we score us and them from 0 to 5. Our score counts in full when it
    carries evidence and at half (PERCEIVED_WEIGHT) when it is perceived only: power we cannot show can
    be exposed as a bluff. Their scores count as we see them: a threat we cannot disprove is still one.

        index = (Σ our weighted scores − Σ their scores) / 35 × 100

    so it runs from −100 (they hold every card) to +100 (we do); 0 is balance. Its direction is the change
    since the previous dated assessment.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from .batna import best_alternative
from .models import (
    POWER_SOURCE_LABELS,
    Alternative,
    CommunicationStyle,
    Counterparty,
    Deal,
    Evidence,
    EvidenceKind,
    Issue,
    PowerAssessment,
    PowerSource,
    Relationship,
    Side,
    fmt_amount,
)

PERCEIVED_WEIGHT = 0.5
MAX_SCORE = 5
SOURCES = list(PowerSource)
LEANED_ON = 3  # a source scored at least this high is one we would lean on in the talks
SMALL_GAIN_SHARE = 0.05  # pressing for less than 5 % of the deal is a small gain in a repeated game
STANDARD_KINDS = {
    EvidenceKind.benchmark,
    EvidenceKind.legal_standard,
    EvidenceKind.policy,
    EvidenceKind.precedent,
}
FRESH_DAYS = 365


def scores_of(assessment: PowerAssessment) -> dict[tuple[PowerSource, Side], tuple[int, int | None]]:
    """(source, side) -> (score, evidence id); a source not scored counts as 0, perceived only."""
    found = {(s.source, s.side): (s.score, s.evidence_id) for s in assessment.scores}
    return {(src, side): found.get((src, side), (0, None)) for src in SOURCES for side in Side}


def leverage_index(assessment: PowerAssessment) -> float:
    """The index defined above, rounded to one decimal."""
    scores = scores_of(assessment)
    ours = sum(score * (1 if ev is not None else PERCEIVED_WEIGHT) for (src, side), (score, ev) in scores.items()
               if side == Side.us)  # fmt: skip
    theirs = sum(score for (src, side), (score, _) in scores.items() if side == Side.them)
    return round((ours - theirs) / (MAX_SCORE * len(SOURCES)) * 100, 1)


def perceived_only(assessment: PowerAssessment, side: Side = Side.us) -> list[PowerSource]:
    """The sources scored above 0 for `side` that carry no evidence."""
    return [
        src
        for (src, s), (score, ev) in scores_of(assessment).items()
        if s == side and score > 0 and ev is None
    ]


@dataclass(frozen=True)
class IndexPoint:
    assessed_at: object
    index: float
    change: float | None  # since the previous assessment; None for the first


def index_history(assessments: Sequence[PowerAssessment]) -> list[IndexPoint]:
    points: list[IndexPoint] = []
    for a in sorted(assessments, key=lambda a: (a.assessed_at, a.id or 0)):
        value = leverage_index(a)
        points.append(
            IndexPoint(a.assessed_at, value, None if not points else round(value - points[-1].index, 1))
        )
    return points


def radar_frame(assessment: PowerAssessment, evidence: Sequence[Evidence] = ()) -> pd.DataFrame:
    """One row per source and side, with the polygon's x/y (source 1 at the top, clockwise) and the
    evidence behind each score. The first point of each side is repeated to close the polygon."""
    by_id = {e.id: e for e in evidence}
    scores = scores_of(assessment)
    rows = []
    for side in Side:
        for k, src in enumerate([*SOURCES, SOURCES[0]]):
            score, ev = scores[(src, side)]
            angle = math.pi / 2 - 2 * math.pi * (k % len(SOURCES)) / len(SOURCES)
            item = by_id.get(ev)
            rows.append({
                "side": "Us" if side == Side.us else "Them", "source": POWER_SOURCE_LABELS[src], "order": k,
                "score": score, "x": score * math.cos(angle), "y": score * math.sin(angle),
                "evidenced": ev is not None,
                "evidence": f"{item.title} ({item.source}, {item.date:%d %b %Y})" if item else
                ("evidenced" if ev is not None else "perceived only"),
            })  # fmt: skip
    return pd.DataFrame(rows)


def aggregate(assessments: Sequence[PowerAssessment]) -> PowerAssessment | None:
    """One counterparty across its deals: the mean score per source and side of each deal's latest
    assessment. A mean counts as evidenced when at least half of the deals back it with evidence."""
    from .models import PowerScore

    if not assessments:
        return None
    tables = [scores_of(a) for a in assessments]
    scores = []
    for src in SOURCES:
        for side in Side:
            values = [t[(src, side)] for t in tables]
            mean = round(sum(v[0] for v in values) / len(values))
            evidenced = sum(v[1] is not None for v in values) * 2 >= len(values)
            scores.append(PowerScore(source=src, side=side, score=mean, evidence_id=0 if evidenced else None))
    latest = max(a.assessed_at for a in assessments)
    return PowerAssessment(assessed_at=latest, assessed_by="aggregate", scores=scores)


@dataclass(frozen=True)
class Legitimacy:
    standards: int  # benchmarks, legal standards, policies and precedents in the evidence pack
    newest_days: int | None
    stale: int  # standards older than a year

    def describe(self) -> str:
        if not self.standards:
            return "No standard backs our position yet: pressure without legitimacy reads as arbitrary."
        fresh = f"newest {self.newest_days} days old"
        stale = f", {self.stale} older than a year" if self.stale else ""
        plural = "s back" if self.standards != 1 else " backs"
        return f"{self.standards} standard{plural} our position ({fresh}{stale})."


def legitimacy(evidence: Sequence[Evidence], today: date) -> Legitimacy:
    standards = [e for e in evidence if e.kind in STANDARD_KINDS]
    ages = [(today - e.date).days for e in standards]
    return Legitimacy(len(standards), min(ages) if ages else None, sum(a > FRESH_DAYS for a in ages))


@dataclass(frozen=True)
class UseWarning:
    """A "do not use when" warning: why pressing with power would backfire here, and the reason."""

    code: str
    title: str
    reason: str
    private: bool = False  # the reason quotes our floor or BATNA: only the title may show on a shared screen


def warnings(
    deal: Deal,
    counterparty: Counterparty,
    assessment: PowerAssessment | None,
    alternatives: Sequence[Alternative],
    issues: Sequence[Issue],
) -> list[UseWarning]:
    """The seed's "do not use when", deadline credibility and the bluff guard, each with its reason."""
    found: list[UseWarning] = []
    scores = scores_of(assessment) if assessment else {}

    reputation = max((scores.get((PowerSource.reputation, side), (0, None))[0] for side in Side), default=0)
    pressured = next((i for i in issues if i.id == deal.pressured_issue_id), None)
    if (
        counterparty.relationship == Relationship.repeated
        and reputation >= LEANED_ON
        and pressured
        and deal.value
    ):
        gain = abs(pressured.target - pressured.reservation)
        if pressured.unit.upper() in (deal.currency, "") and gain < SMALL_GAIN_SHARE * deal.value:
            found.append(UseWarning(
                "repeated_small_gain", "Do not use power tactics: small gain in a repeated relationship",
                f"{counterparty.name} is a repeated, reputation-sensitive relationship (reputation {reputation}/5) and "
                f"pressing on {pressured.name} is worth at most {fmt_amount(gain)} {deal.currency}, under "
                f"{SMALL_GAIN_SHARE:.0%} of the deal. Long-term trust is worth more: trade, don't press.",
                private=True,
            ))  # fmt: skip

    if assessment:
        bluffs = [src for src in perceived_only(assessment) if scores[(src, Side.us)][0] >= LEANED_ON]
        if bluffs:
            names = ", ".join(POWER_SOURCE_LABELS[s] for s in bluffs)
            found.append(UseWarning(
                "perceived_power", "Do not lean on power you cannot show",
                f"{names}: scored {LEANED_ON} or more for us with no evidence. If they test it, it reads as a "
                "bluff. Add evidence to the pack or keep these out of the talks.",
            ))  # fmt: skip

    if counterparty.communication_style == CommunicationStyle.indirect:
        found.append(UseWarning(
            "face_saving", "Indirect, face-saving culture: no public firm lines",
            f"{counterparty.name} communicates indirectly; pressure in front of others reads as humiliation. Give "
            "their sponsor a private preview first and sequence concessions so they can save face.",
        ))  # fmt: skip

    if deal.deadline is not None:
        if not deal.deadline_reason.strip():
            found.append(UseWarning(
                "fake_urgency", "Deadline without a documented constraint: fake-urgency risk",
                f"The deadline of {deal.deadline:%d %b %Y} names no real constraint (capacity, budget cadence, fiscal "
                "close, award date). Tie it to one or drop it.",
            ))  # fmt: skip
        elif deal.deadline_evidence_id is None:
            found.append(UseWarning(
                "fake_urgency", "Deadline not backed by evidence: fake-urgency risk",
                f"The deadline of {deal.deadline:%d %b %Y} rests on \"{deal.deadline_reason}\" with no evidence in "
                "the pack. If they call the bluff, show the capacity plan or award date: add it first.",
            ))  # fmt: skip

    batna = best_alternative(alternatives, deal.our_side, issues)
    if batna is None:
        found.append(
            UseWarning("bluff_guard", "No BATNA", "Walking away is not credible without a known alternative.")
        )
    else:
        if batna.money <= 0 and batna.time_days <= 0:
            found.append(UseWarning(
                "bluff_guard", "BATNA not quantified",
                f"\"{batna.description}\" has no money or time figure: quantify it before citing it.", private=True,
            ))  # fmt: skip
        if batna.evidence_id is None:
            found.append(UseWarning(
                "bluff_guard", "BATNA without evidence",
                f"\"{batna.description}\" carries no evidence; citing it is a bluff that could be exposed.",
                private=True,
            ))  # fmt: skip
    return found

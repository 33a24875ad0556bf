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
from typing import Any

import numpy as np
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


def net_power(ours_evidenced: Any, ours_perceived: Any, theirs: Any) -> Any:
    """Our scores weighted (perceived only at PERCEIVED_WEIGHT) minus theirs: for one assessment or one
    source, or for whole columns of them at once (the pipeline's deals, the leverage map's edges)."""
    return np.add(ours_evidenced, np.multiply(PERCEIVED_WEIGHT, ours_perceived)) - np.asarray(theirs)


def index_of(net: Any) -> Any:
    """The index defined above from the net power of all seven sources, rounded to one decimal."""
    return np.round(np.divide(net, MAX_SCORE * len(SOURCES)) * 100, 1)


def leverage_index(assessment: PowerAssessment) -> float:
    """The index defined above, rounded to one decimal."""
    scores = scores_of(assessment)
    ours = [(score, ev is not None) for (_, side), (score, ev) in scores.items() if side == Side.us]
    theirs = sum(score for (_, side), (score, _) in scores.items() if side == Side.them)
    evidenced = sum(score for score, shown in ours if shown)
    perceived = sum(score for score, shown in ours if not shown)
    return float(index_of(net_power(evidenced, perceived, theirs)))


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


def warning_flags(facts: pd.DataFrame) -> pd.DataFrame:
    """Which warnings hold, for every deal of a frame at once (the pipeline's facts per deal) or for one
    (`warnings` below): the one writing of their conditions. `facts` columns: relationship, reputation (the
    highest reputation score on either side), strongest_perceived (our highest score without evidence),
    communication_style, value, currency, pressured_unit/target/reservation (the issue pressed on, if any),
    deadline, deadline_reason, deadline_evidence_id, batna (whether there is one), batna_money,
    batna_time_days, batna_evidence_id. One boolean column per warning code, and the reasons apart
    (fake urgency without a reason or without evidence; no BATNA, not quantified, without evidence)."""
    value = facts["value"].astype(float)
    unit = facts["pressured_unit"].fillna("").astype(str).str.upper()
    gain = (facts["pressured_target"].astype(float) - facts["pressured_reservation"].astype(float)).abs()
    small_gain = (
        facts["relationship"].eq(Relationship.repeated.value)
        & facts["reputation"].astype(float).fillna(0).ge(LEANED_ON)
        & facts["pressured_target"].notna() & value.fillna(0).ne(0)
        & (unit.eq(facts["currency"]) | unit.eq("")) & gain.lt(SMALL_GAIN_SHARE * value)
    )  # fmt: skip
    deadline = facts["deadline"].notna()
    no_reason = deadline & facts["deadline_reason"].fillna("").astype(str).str.strip().eq("")
    batna = facts["batna"].fillna(False).astype(bool)
    flags = (
        pd.DataFrame(
            {
                "repeated_small_gain": small_gain,
                "perceived_power": facts["strongest_perceived"].astype(float).ge(LEANED_ON),
                "face_saving": facts["communication_style"].eq(CommunicationStyle.indirect.value),
                "no_deadline_reason": no_reason,
                "no_deadline_evidence": deadline & ~no_reason & facts["deadline_evidence_id"].isna(),
                "no_batna": ~batna,
                "batna_unquantified": batna
                & facts["batna_money"].astype(float).le(0)
                & facts["batna_time_days"].astype(float).le(0),
                "batna_unevidenced": batna & facts["batna_evidence_id"].isna(),
            },
            index=facts.index,
        )
        .fillna(False)
        .astype(bool)
    )
    flags["fake_urgency"] = flags["no_deadline_reason"] | flags["no_deadline_evidence"]
    flags["bluff_guard"] = flags["no_batna"] | flags["batna_unquantified"] | flags["batna_unevidenced"]
    return flags


def warning_facts(
    deal: Deal,
    counterparty: Counterparty,
    assessment: PowerAssessment | None,
    alternatives: Sequence[Alternative],
    issues: Sequence[Issue],
) -> pd.DataFrame:
    """One deal's facts as warning_flags reads them (the pipeline's store query returns the same per deal)."""
    scores = scores_of(assessment) if assessment else {}
    pressured = next((i for i in issues if i.id == deal.pressured_issue_id), None)
    batna = best_alternative(alternatives, deal.our_side, issues)
    perceived = [score for (_, side), (score, ev) in scores.items() if side == Side.us and ev is None]
    return pd.DataFrame([{
        "relationship": str(counterparty.relationship),
        "reputation": max((scores.get((PowerSource.reputation, side), (0, None))[0] for side in Side), default=0),
        "strongest_perceived": max(perceived) if perceived else None,
        "communication_style": str(counterparty.communication_style),
        "value": deal.value, "currency": deal.currency,
        "pressured_unit": pressured.unit if pressured else None,
        "pressured_target": pressured.target if pressured else None,
        "pressured_reservation": pressured.reservation if pressured else None,
        "deadline": deal.deadline, "deadline_reason": deal.deadline_reason,
        "deadline_evidence_id": deal.deadline_evidence_id,
        "batna": batna is not None,
        "batna_money": batna.money if batna else None, "batna_time_days": batna.time_days if batna else None,
        "batna_evidence_id": batna.evidence_id if batna else None,
    }])  # fmt: skip


def warnings(
    deal: Deal,
    counterparty: Counterparty,
    assessment: PowerAssessment | None,
    alternatives: Sequence[Alternative],
    issues: Sequence[Issue],
) -> list[UseWarning]:
    """The seed's "do not use when", deadline credibility and the bluff guard, each with its reason (which
    hold is warning_flags's to say)."""
    flags = warning_flags(warning_facts(deal, counterparty, assessment, alternatives, issues)).iloc[0]
    found: list[UseWarning] = []
    scores = scores_of(assessment) if assessment else {}
    if flags["repeated_small_gain"]:
        reputation = max(scores[(PowerSource.reputation, side)][0] for side in Side)
        pressured = next(i for i in issues if i.id == deal.pressured_issue_id)
        gain = abs(pressured.target - pressured.reservation)
        found.append(UseWarning(
            "repeated_small_gain", "Do not use power tactics: small gain in a repeated relationship",
            f"{counterparty.name} is a repeated, reputation-sensitive relationship (reputation {reputation}/5) and "
            f"pressing on {pressured.name} is worth at most {fmt_amount(gain)} {deal.currency}, under "
            f"{SMALL_GAIN_SHARE:.0%} of the deal. Long-term trust is worth more: trade, don't press.",
            private=True,
        ))  # fmt: skip
    if flags["perceived_power"] and assessment:
        bluffs = [src for src in perceived_only(assessment) if scores[(src, Side.us)][0] >= LEANED_ON]
        names = ", ".join(POWER_SOURCE_LABELS[s] for s in bluffs)
        found.append(UseWarning(
            "perceived_power", "Do not lean on power you cannot show",
            f"{names}: scored {LEANED_ON} or more for us with no evidence. If they test it, it reads as a "
            "bluff. Add evidence to the pack or keep these out of the talks.",
        ))  # fmt: skip
    if flags["face_saving"]:
        found.append(UseWarning(
            "face_saving", "Indirect, face-saving culture: no public firm lines",
            f"{counterparty.name} communicates indirectly; pressure in front of others reads as humiliation. Give "
            "their sponsor a private preview first and sequence concessions so they can save face.",
        ))  # fmt: skip
    if flags["no_deadline_reason"]:
        found.append(UseWarning(
            "fake_urgency", "Deadline without a documented constraint: fake-urgency risk",
            f"The deadline of {deal.deadline:%d %b %Y} names no real constraint (capacity, budget cadence, fiscal "
            "close, award date). Tie it to one or drop it.",
        ))  # fmt: skip
    if flags["no_deadline_evidence"]:
        found.append(UseWarning(
            "fake_urgency", "Deadline not backed by evidence: fake-urgency risk",
            f"The deadline of {deal.deadline:%d %b %Y} rests on \"{deal.deadline_reason}\" with no evidence in "
            "the pack. If they call the bluff, show the capacity plan or award date: add it first.",
        ))  # fmt: skip
    batna = best_alternative(alternatives, deal.our_side, issues)
    if flags["no_batna"]:
        found.append(
            UseWarning("bluff_guard", "No BATNA", "Walking away is not credible without a known alternative.")
        )
    if flags["batna_unquantified"] and batna:
        found.append(UseWarning(
            "bluff_guard", "BATNA not quantified",
            f"\"{batna.description}\" has no money or time figure: quantify it before citing it.", private=True,
        ))  # fmt: skip
    if flags["batna_unevidenced"] and batna:
        found.append(UseWarning(
            "bluff_guard", "BATNA without evidence",
            f"\"{batna.description}\" carries no evidence; citing it is a bluff that could be exposed.",
            private=True,
        ))  # fmt: skip
    return found

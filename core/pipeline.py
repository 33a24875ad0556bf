"""The leader's pipeline: every deal's leverage, deadline, give/get balance and risks, risk first.

The store gathers one row of facts per deal (store.queries.pipeline: the log's kept totals, the latest assessment's
scores summed, what the warnings read); the functions the screens use for one deal turn them into the
overrun, the leverage index and the warnings for every deal at once (`judged_facts`), and this module adds
the pipeline's own rules: what "at risk" means, the order, the filters and the top metrics.

At risk: a floor breach, a mandate overrun, they lead clearly of ours (index at or below
CLEARLY_WEAKER), a deadline within RISK_DEADLINE_DAYS while their leverage is ahead (index below 0), or, in
implementation, a missed commitment (core.implementation.is_missed). Each deal at risk says why
(`risk_reasons`). A closed deal (its review says signed, walked away or lost) is never at risk and leaves the
live pipeline's figures, a filter brings it back; a signed deal whose commitments are missed is live again.
The risk score orders the table: breaches and overruns first, then weaker leverage, then near deadlines,
then one-way concessions and warnings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from .approvals import overrun, overrun_by_deal
from .deadline import days_left_of
from .formatting import amount_text
from .leverage import index_of, net_power, warning_flags
from .models import Outcome, word
from .review import CLOSED_OUTCOMES

RISK_DEADLINE_DAYS = 14
CLEARLY_WEAKER = -20.0
# Warning columns from the store, with the short names the table shows (the codes of core.leverage).
WARNING_LABELS = {
    "repeated_small_gain": "small gain, repeated game",
    "perceived_power": "power not shown",
    "face_saving": "face-saving culture",
    "fake_urgency": "fake-urgency deadline",
    "bluff_guard": "BATNA weak",
}


def pipeline_frame(store, today: date) -> pd.DataFrame:
    """The store's aggregate with each overrun split into approved and open, and the pipeline's verdict
    columns added, riskiest first."""
    frame = judged_facts(store.queries.pipeline(today), today)
    split = overrun_by_deal(*store.overrun_lines())
    return judge(with_overrun_split(frame, split))


# What the store gathers per deal for the rules below and core.leverage.warning_flags: read, then dropped
# (it holds our floor on the pressed issue and our BATNA, which no pipeline table or shared screen shows).
FACTS = ["ours_evidenced", "ours_perceived", "theirs", "strongest_perceived", "reputation", "relationship",
         "communication_style", "pressured_unit", "pressured_target", "pressured_reservation", "deadline_reason",
         "deadline_evidence_id", "batna", "batna_money", "batna_time_days", "batna_evidence_id"]  # fmt: skip


def judged_facts(facts: pd.DataFrame, today: date) -> pd.DataFrame:
    """The store's facts per deal turned into the figures the screens show, by the functions they use: days
    to the deadline (core.deadline), the overrun (core.approvals.overrun), the leverage index
    (core.leverage.index_of) and one w_ column per warning (core.leverage.warning_flags)."""
    f = facts.copy()
    f["days_to_deadline"] = days_left_of(f["deadline"], today)
    f["over_mandate"] = overrun(f["gives"].astype(float), f["mandate"].astype(float))
    net = net_power(
        f["ours_evidenced"].astype(float), f["ours_perceived"].astype(float), f["theirs"].astype(float)
    )
    f["leverage_index"] = index_of(net)
    flags = warning_flags(f)
    for code in WARNING_LABELS:
        f[f"w_{code}"] = flags[code]
    return f.drop(columns=FACTS)


def source_edges(store, deal_ids: list[int]) -> pd.DataFrame:
    """Per deal and source, from its latest assessment, our weighted score minus theirs (net_power)."""
    sums = store.queries.power_edges(deal_ids)
    edge = net_power(
        sums["ours_evidenced"].astype(float),
        sums["ours_perceived"].astype(float),
        sums["theirs"].astype(float),
    )
    return sums.assign(edge=edge)[["deal_id", "source", "edge"]]


def with_overrun_split(frame: pd.DataFrame, split: pd.DataFrame) -> pd.DataFrame:
    """over_open and over_approved per deal (0 where a deal is within its mandate; all open where nobody
    decided on any of its gives)."""
    merged = frame.drop(columns=["over_open", "over_approved"], errors="ignore").merge(
        split.astype({"deal_id": "int64"}), how="left", left_on="id", right_on="deal_id"
    )
    merged = merged.drop(columns=["deal_id"])
    # A deal over its mandate without any decision on it (not in `split`): its whole overrun is open.
    merged["over_open"] = merged["over_open"].astype(float).fillna(merged["over_mandate"].astype(float))
    merged["over_approved"] = merged["over_approved"].astype(float).fillna(0.0)
    return merged


def judge(frame: pd.DataFrame) -> pd.DataFrame:
    """Add warnings (text and count), at_risk and risk, and sort riskiest first. Vectorised: no loop over deals."""
    f = frame.copy()
    f["leverage_index"] = f["leverage_index"].astype(float).round(1)
    codes = [f"w_{code}" for code in WARNING_LABELS]
    flags = f[codes].fillna(False).astype(bool)
    f["warning_count"] = flags.sum(axis=1)
    text = pd.Series("", index=f.index)
    for code, label in WARNING_LABELS.items():  # a loop over the five kinds of warning, not over deals
        text = text + flags[f"w_{code}"].map({True: label + " · ", False: ""})
    f["warnings"] = text.str.removesuffix(" · ")
    weaker = f["leverage_index"].lt(0).fillna(False)
    breach = f["floor_breaches"].gt(0)
    if "over_open" not in f:  # no split given: every overrun counts as waiting
        f["over_open"], f["over_approved"] = f["over_mandate"].astype(float), 0.0
    # an overrun the sponsor approved is decided; what still waits (pending, or rejected) is the risk
    overrun = f["over_open"].gt(0)
    days = f["days_to_deadline"]
    near = days.between(0, RISK_DEADLINE_DAYS).fillna(False)
    clearly_weaker = f["leverage_index"].le(CLEARLY_WEAKER).fillna(False)
    outcome = f["outcome"] if "outcome" in f else pd.Series(None, index=f.index, dtype=object)
    # In implementation, a missed commitment is friction resurfacing: a signed deal is live and at risk again
    # (one walked away from or lost stays closed).
    missed_commitments = f["missed_commitments"] if "missed_commitments" in f else pd.Series(0, index=f.index)
    missed = (
        missed_commitments.gt(0)
        & f["stage"].eq("implementation")
        & ~outcome.isin([Outcome.walked_away.value, Outcome.lost.value])
    )
    f["closed"] = outcome.isin([o.value for o in CLOSED_OUTCOMES]) & ~missed
    f["status"] = outcome.map(lambda o: word(o) if isinstance(o, str) else "Live")
    live = ~f["closed"]
    f["their_leverage_higher"] = weaker & live
    f["at_risk"] = (breach | overrun | clearly_weaker | (near & weaker) | missed) & live
    f["risk"] = (
        (
            4 * breach
            + 4 * overrun
            + 3 * clearly_weaker
            + weaker
            + 2 * near
            + 3 * missed
            + f["one_way"].gt(0)
            + f["warning_count"].gt(0)
        )
        * live
    ).astype(int)
    reasons = pd.Series("", index=f.index)
    for says, when in (
        ("floor breach", breach),
        ("overrun awaiting approval", overrun),
        ("they lead clearly", clearly_weaker),
        ("deadline near, they lead", near & weaker & ~clearly_weaker),
        ("commitment missed", missed),
    ):  # a loop over the kinds of risk, not over deals
        reasons = reasons + when.map({True: says + " · ", False: ""})
    f["risk_reasons"] = reasons.str.removesuffix(" · ").where(f["at_risk"], "")
    return f.sort_values(
        ["risk", "days_to_deadline", "value"],
        ascending=[False, True, False],
        na_position="last",
        kind="stable",
    ).reset_index(drop=True)


def filter_pipeline(
    frame: pd.DataFrame,
    owners: Iterable[str] = (),
    contexts: Iterable[str] = (),
    stages: Iterable[str] = (),
    at_risk_only: bool = False,
    closed_too: bool = False,
) -> pd.DataFrame:
    """Empty selections mean "all"; closed deals only when asked for."""
    keep = pd.Series(True, index=frame.index) if closed_too else ~frame["closed"]
    for column, chosen in (("owner", owners), ("context", contexts), ("stage", stages)):
        chosen = list(chosen)
        if chosen:
            keep &= frame[column].isin(chosen)
    if at_risk_only:
        keep &= frame["at_risk"]
    return frame[keep]


@dataclass(frozen=True)
class PipelineMetrics:
    deals: int
    at_risk: int
    value_by_currency: dict[str, float]
    their_leverage_higher: int
    breaches_or_overruns: int
    deadlines_soon: int
    late_scope: (
        int  # deals whose single text took a change after its edit window (step 4's "Scope creep late")
    )


def metrics(frame: pd.DataFrame) -> PipelineMetrics:
    value = frame.groupby("currency")["value"].sum().sort_values(ascending=False)
    return PipelineMetrics(
        deals=len(frame),
        at_risk=int(frame["at_risk"].sum()),
        value_by_currency={str(k): float(v) for k, v in value.items()},
        their_leverage_higher=int(frame["their_leverage_higher"].sum()),
        breaches_or_overruns=int((frame["floor_breaches"].gt(0) | frame["over_open"].gt(0)).sum()),
        deadlines_soon=int(frame["days_to_deadline"].between(0, RISK_DEADLINE_DAYS).sum()),
        late_scope=int(frame["late_scope_changes"].gt(0).sum()),
    )


def compact_money(x: float) -> str:
    """1_234_000 -> '1.23M', 56_000 -> '56k' (for a pipeline total on one line)."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return amount_text(round(x / size, 2), digits=3) + suffix
    return amount_text(round(x))


EXPORT_COLUMNS = {
    "name": "Deal", "counterparty": "Counterparty", "owner": "Owner", "context": "Context", "stage": "Stage",
    "value": "Value", "currency": "Currency", "leverage_index": "Leverage index", "deadline": "Deadline",
    "days_to_deadline": "Days to deadline", "balance": "Give/get balance", "one_way": "One-way concessions",
    "floor_breaches": "Floor breaches", "over_mandate": "Over mandate", "over_open": "Over mandate, awaiting approval",
    "over_approved": "Over mandate, approved", "late_scope_changes": "Late scope changes",
    "missed_commitments": "Missed commitments", "warnings": "Warnings",
    "at_risk": "At risk", "risk_reasons": "Why at risk", "status": "Status", "id": "Deal id",
}  # fmt: skip


def export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The filtered table as the CSV download shows it."""
    return frame[list(EXPORT_COLUMNS)].rename(columns=EXPORT_COLUMNS)

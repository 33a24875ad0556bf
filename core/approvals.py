"""Approval of gives over the mandate, each rule defined once.

- A line needs approval when it is a give (negative value to us) logged while our gives, added up in
  logged order, are over the deal's mandate (see `concessions.review_log`).
- Its state is the latest decision on it: approved or rejected. Without one it is pending.
- An approval covers the give it was made for: a correction that gives more makes the line pending
  again; a smaller give stays approved. A rejection stands until the line is removed or a new decision
  is made.
- A line that no longer goes over the mandate (a raised mandate, an earlier give taken back) needs no
  approval, whatever was decided on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from .formatting import fmt_amount
from .models import Approval, Decision


class ApprovalState(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


@dataclass(frozen=True)
class LineApproval:
    concession_id: int
    state: ApprovalState
    over_by: float  # how far our gives were over the mandate after this line
    decision: Approval | None  # the decision the state comes from, if any

    @property
    def open(self) -> bool:
        """Pending or rejected: the line still needs action before the next move."""
        return self.state is not ApprovalState.approved

    def says(self) -> str:
        """The line's approval in a few words, for the log and the sponsor's list."""
        over = f"over the mandate by {fmt_amount(self.over_by)}"
        d = self.decision
        if self.state is ApprovalState.pending:
            again = " again: the give grew after it was approved" if d is not None else ""
            return f"{over} — pending approval{again}"
        if d is None:  # approved or rejected always carries its decision
            return over
        when = f"{d.decided_at:%d %b %Y %H:%M}"
        if self.state is ApprovalState.approved:
            return f"{over} — approved by {d.decided_by} at {when}" + (f": {d.note}" if d.note else "")
        return f"{over} — rejected by {d.decided_by} at {when}: {d.note}"


def overrun(gives: Any, mandate: Any) -> Any:
    """How far our gives went past the mandate, 0 within it: for numbers, or for whole columns at once (a
    log's running gives, every deal of the pipeline). The one writing of the rule."""
    return np.maximum(np.subtract(gives, mandate), 0.0)


def mark_over_mandate(lines: pd.DataFrame, mandate: float | pd.Series, by: str | None = None) -> pd.DataFrame:
    """Add give, cumulative_gives and over_mandate to lines in logged order (per `by` group, e.g. per
    deal): gives add up, gets do not refill the mandate."""
    value = lines["value_to_you"].astype(float)
    lines["give"] = (-value).clip(lower=0)
    lines["cumulative_gives"] = lines.groupby(by)["give"].cumsum() if by else lines["give"].cumsum()
    lines["over_mandate"] = overrun(lines["cumulative_gives"], mandate)
    return lines


def latest_decisions(approvals: Sequence[Approval]) -> dict[int, Approval]:
    """Each line's latest decision (by time, then by the order recorded)."""
    latest: dict[int, Approval] = {}
    for a in sorted(approvals, key=lambda a: (a.decided_at, a.id or 0)):
        latest[a.concession_id] = a
    return latest


def line_keys(lines: pd.DataFrame) -> list[int]:
    """Each line's key in the approvals: its id; a line not stored yet (no id) gets a negative key from
    its row, so it can be judged but never matches a decision."""
    # Whole columns at once: a live log is reviewed after every line logged, and a per-row check of 5,000
    # ids cost more than the rest of the approvals.
    ids = pd.to_numeric(lines["id"], errors="coerce").to_numpy(float)
    rows = lines.index.to_numpy(np.int64)
    return np.where(np.isnan(ids), -1 - rows, np.nan_to_num(ids)).astype(np.int64).tolist()


def line_approvals(lines: pd.DataFrame, approvals: Sequence[Approval]) -> dict[int, LineApproval]:
    """The approval state of every line that needs one. `lines` is `review_log(...).lines`."""
    needing = lines[(lines["give"] > 0) & (lines["over_mandate"] > 0)]
    latest = latest_decisions(approvals)
    states: dict[int, LineApproval] = {}
    for cid, value, over in zip(
        line_keys(needing), needing["value_to_you"].tolist(), needing["over_mandate"].tolist(), strict=True
    ):
        d = latest.get(cid)
        if d is None:
            state = ApprovalState.pending
        elif d.decision is Decision.rejected:
            state = ApprovalState.rejected
        else:  # approved for a give at least this large?
            state = ApprovalState.approved if float(value) >= d.value_to_you else ApprovalState.pending
        states[int(cid)] = LineApproval(int(cid), state, float(over), d)
    return states


def pending(states: dict[int, LineApproval]) -> list[LineApproval]:
    return [s for s in states.values() if s.state is ApprovalState.pending]


def to_decide(
    lines: pd.DataFrame, approvals: Sequence[Approval], person_email: str | None = None
) -> pd.DataFrame:
    """The pending gives over the mandate across deals (`store.approval_queue()`), oldest first, without
    the lines `person_email` logged or last changed (nobody approves their own give). Columns: deal_id, deal_name,
    concession_id, item, value_to_you, over_by, logged_by, logged_at, says."""
    columns = ["deal_id", "deal_name", "concession_id", "item", "value_to_you", "over_by", "logged_by",
               "logged_at", "says"]  # fmt: skip
    if lines.empty:
        return pd.DataFrame(columns=columns)
    df = lines.sort_values(["deal_id", "logged_at", "id"], kind="stable").reset_index(drop=True)
    mark_over_mandate(df, df["mandate"].astype(float), by="deal_id")
    states = line_approvals(df, approvals)
    waiting = {cid: s for cid, s in states.items() if s.state is ApprovalState.pending}
    df = df[df["id"].isin(list(waiting))]
    if person_email:  # nobody approves a line they logged or last changed
        hands = [df[c].fillna("").str.lower() for c in ("logged_by", "changed_by") if c in df]
        for by in hands:
            df = df[by.loc[df.index] != person_email.lower()]
    return pd.DataFrame(
        {"deal_id": df["deal_id"].astype(int), "deal_name": df["deal_name"], "concession_id": df["id"].astype(int),
         "item": df["item"], "value_to_you": df["value_to_you"].astype(float),
         "over_by": [waiting[int(i)].over_by for i in df["id"]], "logged_by": df["logged_by"],
         "logged_at": df["logged_at"], "says": [waiting[int(i)].says() for i in df["id"]]},
        columns=columns,
    )  # fmt: skip


def overrun_by_deal(lines: pd.DataFrame, approvals: Sequence[Approval]) -> pd.DataFrame:
    """Per deal, how much of its overrun the sponsor approved and how much still waits (pending or
    rejected). `lines`: the live lines of deals over their mandate, with deal_id, id, value_to_you,
    logged_at and mandate (`store.overrun_lines()`). A line over the mandate counts its own give, up to
    the overrun it brought the log to. Columns: deal_id, over_open, over_approved."""
    columns = ["deal_id", "over_open", "over_approved"]
    if lines.empty:
        return pd.DataFrame(columns=columns)
    df = lines.sort_values(["deal_id", "logged_at", "id"], kind="stable").reset_index(drop=True)
    mark_over_mandate(df, df["mandate"].astype(float), by="deal_id")
    states = line_approvals(df, approvals)
    approved = [bool(s and s.state is ApprovalState.approved) for s in (states.get(int(i)) for i in df["id"])]
    needs = (df["give"] > 0) & (df["over_mandate"] > 0)
    counted = df["give"].where(df["give"] < df["over_mandate"], df["over_mandate"]).where(needs, 0.0)
    df["over_approved"] = counted.where(pd.Series(approved, index=df.index), 0.0)
    per_deal = df.groupby("deal_id").agg(over=("over_mandate", "max"), over_approved=("over_approved", "sum"))
    per_deal["over_open"] = (per_deal["over"] - per_deal["over_approved"]).clip(lower=0)
    return per_deal.reset_index()[columns]

"""The zone of possible agreement per issue: where our reservation point and their walk-away overlap."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .formatting import fmt_amount
from .models import Direction, Issue

OUR_RANGE = "Our range"
THEIR_RANGE = "Their range (estimate)"
ZONE = "ZOPA"
BANDS = [OUR_RANGE, THEIR_RANGE, ZONE]


@dataclass(frozen=True)
class Zopa:
    issue: str
    low: float | None
    high: float | None
    overlap: bool | None  # None: their walk-away is not estimated, so the zone is unknown
    verdict: str


def zopa(issue: Issue) -> Zopa:
    """Where we want more (floor) the zone runs from our floor up to their walk-away; where we want less
    (ceiling), from their walk-away up to our ceiling. An empty zone means no deal on this issue unless
    something else moves."""
    unit = f" {issue.unit}" if issue.unit else ""
    if issue.their_walk_away is None:
        return Zopa(issue.name, None, None, None, "their walk-away is not estimated yet")
    if issue.direction is Direction.floor:
        low, high = issue.reservation, issue.their_walk_away
    else:
        low, high = issue.their_walk_away, issue.reservation
    if low <= high:
        return Zopa(issue.name, low, high, True, f"zone {fmt_amount(low)}–{fmt_amount(high)}{unit}")
    gap = low - high
    return Zopa(
        issue.name, None, None, False,
        f"no overlap: a gap of {fmt_amount(gap)}{unit} between our "
        f"{'floor' if issue.direction is Direction.floor else 'ceiling'} and their estimated walk-away",
    )  # fmt: skip


def zopa_frame(issues: list[Issue]) -> pd.DataFrame:
    """Long table for the ZOPA chart: one bar per issue for our range, theirs, and the zone."""
    rows = []
    for i in issues:
        label = f"{i.name} ({i.unit})" if i.unit else i.name
        rows.append(
            {
                "issue": label,
                "band": OUR_RANGE,
                "start": min(i.reservation, i.target),
                "end": max(i.reservation, i.target),
            }
        )
        if i.their_walk_away is not None:
            their_t = i.their_target if i.their_target is not None else i.their_walk_away
            rows.append(
                {
                    "issue": label,
                    "band": THEIR_RANGE,
                    "start": min(their_t, i.their_walk_away),
                    "end": max(their_t, i.their_walk_away),
                }
            )
        z = zopa(i)
        if z.overlap:
            rows.append({"issue": label, "band": ZONE, "start": z.low, "end": z.high})
    return pd.DataFrame(rows, columns=["issue", "band", "start", "end"])

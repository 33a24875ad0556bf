"""What a position on an issue is worth in money: a rate's impact is rate × volume per year × years
(4,000 containers a year for 3 years at 1,790 EUR each is 21.48 M EUR), so a buyer sees what moving the
rate by 30 costs and a seller what it earns. Each figure is signed for us: positive is money we keep
or earn, negative money we give, whichever side we are on (a floor wants more, a ceiling less)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from .formatting import fmt_amount, money, signed_money
from .models import Alternative, Direction, Issue


def _for_us(issue: Issue) -> int:
    """+1 where more is better for us (a floor), −1 where less is (a ceiling)."""
    return 1 if issue.direction is Direction.floor else -1


def money_at(issue: Issue, position: float | None) -> float | None:
    """The money a position moves over the contract: position × volume × years; None without a volume."""
    if issue.volume is None or position is None:
        return None
    return position * issue.volume * issue.years


def move_impact(issue: Issue, before: float | None, after: float | None) -> float | None:
    """What moving the issue from `before` to `after` is worth to us over the contract: negative when the
    move is against us (a seller lowering the price, a buyer accepting a higher rate)."""
    if issue.volume is None or before is None or after is None:
        return None
    return _for_us(issue) * (after - before) * issue.volume * issue.years


def against_batna(
    issue: Issue, position: float | None, batna: Alternative | None, pressured_issue_id: int | None = None
) -> float | None:
    """What a position is worth to us beside walking away: positive means better than the BATNA (a buyer
    saves, a seller earns more), negative that walking away would serve us better. The BATNA compares when
    it is priced per unit of this issue (the second carrier at 1,820 per container), or, given as a total,
    with the money over the contract of the deal's pressured issue (the price)."""
    if batna is None or issue.volume is None or position is None:
        return None
    if batna.per_unit_of == issue.id:
        return _for_us(issue) * (position - batna.money) * issue.volume * issue.years
    if batna.per_unit_of is None and issue.id is not None and issue.id == pressured_issue_id:
        return _for_us(issue) * (position * issue.volume * issue.years - batna.money)
    return None


def previous_position(log: pd.DataFrame, issue: Issue, before_line: int | None = None) -> float:
    """Where the issue stood before a line: the last position logged on it earlier, else our target
    (the opening we planned). `log` is the deal's live log in logged order (id, issue_id, new_position)."""
    rows = log.reset_index(drop=True)
    if before_line is not None:
        at = rows.index[rows["id"] == before_line]
        rows = rows.iloc[: at[0]] if len(at) else rows
    on_issue = rows[(rows["issue_id"] == issue.id) & rows["new_position"].notna()]
    return float(on_issue["new_position"].iloc[-1]) if len(on_issue) else issue.target


def move_said(issue: Issue, before: float, after: float, currency: str) -> str | None:
    """The confirmation's line for a move on an issue with a volume: what it is worth over the contract."""
    worth = move_impact(issue, before, after)
    if worth is None or before == after:
        return None
    years = f"{fmt_amount(issue.years)} year{'s' if issue.years != 1 else ''}"
    return (
        f"{issue.name} from {money(before)} to {money(after)}: {signed_money(worth, currency)} to us over "
        f"{years} ({fmt_amount(issue.volume)} {issue.unit or 'units'} a year)"
    )


@dataclass(frozen=True)
class Stake:
    """One issue's money at stake, each figure over the whole contract."""

    issue: Issue
    at_target: float
    at_reservation: float
    at_their_walk_away: float | None
    per_unit: float  # what one unit of the rate is worth over the contract
    target_against_batna: float | None
    reservation_against_batna: float | None


def stakes(
    issues: Sequence[Issue], batna: Alternative | None, pressured_issue_id: int | None = None
) -> list[Stake]:
    """The money at stake on every issue that has a volume, in the issues' order."""
    return [
        Stake(
            issue=i,
            at_target=i.target * per_unit,
            at_reservation=i.reservation * per_unit,
            at_their_walk_away=money_at(i, i.their_walk_away),
            per_unit=per_unit,
            target_against_batna=against_batna(i, i.target, batna, pressured_issue_id),
            reservation_against_batna=against_batna(i, i.reservation, batna, pressured_issue_id),
        )
        for i in issues
        if i.volume is not None and (per_unit := i.volume * i.years) is not None
    ]

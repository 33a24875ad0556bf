"""Which alternative is the BATNA, and why; and whether it agrees with the deal's floors and dates.

An alternative's money means what the deal's side makes it mean: for a seller what walking away to it
would earn us (more is better), for a buyer what it would cost us (less is better). The BATNA is the one
the negotiator marked as best, else the best by money, then the quicker, then the less risky, then the one
entered first (`ranking`, which the store also uses to keep each deal's BATNA as alternatives are written)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from .deadline import days_left
from .formatting import fmt_amount, money
from .models import Alternative, Deal, DealSide, Direction, Issue


def over_contract(money: Any, volume: Any, years: Any) -> Any:
    """Money per unit of an issue with a volume, over the contract: times the volume and the years; money
    given as a total (no volume) stays as it is. For numbers, or whole columns at once."""
    volume, years = np.asarray(volume, dtype=float), np.asarray(years, dtype=float)
    return np.multiply(money, np.where(np.isnan(volume), 1.0, volume * years))


def contract_money(alternative: Alternative, issues: Sequence[Issue] = ()) -> float:
    """An alternative's money over the contract: a rate per unit of an issue with a volume (the spot market
    at 2,050 per container) is multiplied by the issue's volume and years, so it ranks beside totals."""
    issue = next((i for i in issues if i.id == alternative.per_unit_of), None)
    return float(
        over_contract(alternative.money, issue.volume if issue else None, issue.years if issue else 1.0)
    )


# What `ranking` reads of each alternative (the store gathers the same per deal, see store.facts).
RANKED_BY = ["deal_id", "side", "best", "money", "volume", "years", "time_days", "risk", "position", "id"]


def ranking(alternatives: pd.DataFrame) -> pd.DataFrame:
    """Every deal's alternatives best first, for many deals at once: the one writing of the order above.
    `alternatives` has the RANKED_BY columns (volume and years: of the issue its money is per unit of, if
    any; position: its place in the deal's list). Returns it sorted by deal, then best first."""
    sign = np.where(alternatives["side"].astype(str).eq(DealSide.buy.value), 1.0, -1.0)
    keyed = alternatives.assign(
        _not_best=~alternatives["best"].fillna(False).astype(bool),
        _money=sign
        * over_contract(alternatives["money"].astype(float), alternatives["volume"], alternatives["years"]),
    )
    order = ["deal_id", "_not_best", "_money", "time_days", "risk", "position", "id"]
    return keyed.sort_values(order, kind="stable").drop(columns=["_not_best", "_money"])


def ranked(
    alternatives: Sequence[Alternative], side: DealSide, issues: Sequence[Issue] = ()
) -> list[Alternative]:
    """Best first, for a deal on `side` (`issues`: to read money given per unit of one of them)."""
    if not alternatives:
        return []
    by_id = {i.id: i for i in issues}
    frame = pd.DataFrame(
        [
            (0, side.value, a.best, a.money, by_id[a.per_unit_of].volume if a.per_unit_of in by_id else None,
             by_id[a.per_unit_of].years if a.per_unit_of in by_id else 1.0, a.time_days, a.risk, n, n)
            for n, a in enumerate(alternatives)
        ],
        columns=RANKED_BY,
    )  # fmt: skip
    return [alternatives[int(n)] for n in ranking(frame)["position"]]


def best_alternative(
    alternatives: Sequence[Alternative], side: DealSide, issues: Sequence[Issue] = ()
) -> Alternative | None:
    order = ranked(alternatives, side, issues)
    return order[0] if order else None


def mark_best(
    chosen: Alternative, alternatives: Sequence[Alternative], side: DealSide, issues: Sequence[Issue] = ()
) -> list[Alternative]:
    """The alternatives with `chosen` marked as the BATNA. Overriding what the figures say takes a reason
    in the negotiator's words (InvalidInput otherwise), so the override can be defended later."""
    from .models import InvalidInput

    by_figures = best_alternative([a.model_copy(update={"best": False}) for a in alternatives], side, issues)
    if by_figures is not None and by_figures.id != chosen.id and not chosen.best_reason.strip():
        raise InvalidInput([f"Why it is our best: the figures make '{by_figures.description}' the BATNA; write why "
                            f"'{chosen.description}' is our best instead, then mark it."])  # fmt: skip
    return [
        (chosen if a.id == chosen.id else a).model_copy(update={"best": a.id == chosen.id})
        for a in alternatives
    ]


def money_meaning(side: DealSide) -> str:
    """What an alternative's money is, in the deal's words."""
    return (
        "what walking away to it would cost us"
        if side is DealSide.buy
        else "what walking away to it would earn us"
    )


def why_best(
    alternatives: Sequence[Alternative], side: DealSide, currency: str = "", issues: Sequence[Issue] = ()
) -> str:
    """The reason, in a sentence: the negotiator's mark (with their reason), or the figure that makes it
    the best for the deal's side."""
    best = best_alternative(alternatives, side, issues)
    if best is None:
        return "No alternative yet: add the best one we have if these talks fail."
    if best.best:
        because = f": {best.best_reason.strip()}" if best.best_reason.strip() else ""
        return f"'{best.description}' is the BATNA because it is marked as our best alternative{because}."
    if len(alternatives) == 1:
        return f"'{best.description}' is the BATNA: it is our only alternative."
    figure = money(best.money, currency)
    rate_of = next((i for i in issues if i.id == best.per_unit_of and i.volume is not None), None)
    if rate_of is not None:  # a rate: said with its money over the contract, as it was ranked
        figure += f" on {rate_of.name}, {money(contract_money(best, issues), currency)} over the contract"
    if side is DealSide.buy:
        return (f"'{best.description}' is the BATNA: it costs us the least if we walk away ({figure}); "
                "mark another as best to override, saying why.")  # fmt: skip
    return (f"'{best.description}' is the BATNA: it is worth the most to us if we walk away ({figure}); "
            "mark another as best to override, saying why.")  # fmt: skip


def batna_checks(
    deal: Deal, alternatives: Sequence[Alternative], issues: Sequence[Issue], today: date
) -> list[str]:
    """What the BATNA says about the deal's own limits, each a sentence to act on:

    - against the reservation point of the pressured issue (when it is a money issue in the deal's
      currency): a buyer's ceiling above what the BATNA costs, or a seller's floor below what it earns,
      means we would accept a deal worse than walking away;
    - its switch time against the deadline: an alternative that takes longer to switch to than the days
      left needs a bridge if talks fail late."""
    best = best_alternative(alternatives, deal.our_side, issues)
    if best is None:
        return []
    said: list[str] = []
    issue = next((i for i in issues if i.id == deal.pressured_issue_id), None)
    in_money = issue is not None and (not issue.unit or deal.currency in issue.unit.upper())
    if issue is not None and in_money and best.money > 0:
        if issue.direction is Direction.ceiling and best.money < issue.reservation:
            said.append(
                f"Our BATNA '{best.description}' costs {money(best.money, deal.currency)}, less than our ceiling of "
                f"{fmt_amount(issue.reservation)} on {issue.name}: at the ceiling we would accept a deal worse than "
                f"walking away. Lower the ceiling to at most {fmt_amount(best.money)}, or say what the BATNA "
                "costs beyond its price (risk, time, switching)."
            )
        if issue.direction is Direction.floor and best.money > issue.reservation:
            said.append(
                f"Our BATNA '{best.description}' earns {money(best.money, deal.currency)}, more than our floor of "
                f"{fmt_amount(issue.reservation)} on {issue.name}: at the floor we would accept a deal worse than "
                f"walking away. Raise the floor to at least {fmt_amount(best.money)}, or say what the BATNA "
                "costs beyond its price (risk, time, switching)."
            )
    if deal.deadline is not None and best.time_days > 0:
        left = days_left(deal.deadline, today)
        if left is not None and 0 <= left < best.time_days:
            said.append(
                f"Switching to '{best.description}' takes {best.time_days} days; the deadline is in {left}. If talks "
                "fail late, we need a bridge for the gap (a short extension, a spot arrangement) before the "
                "walk-away is real."
            )
    return said

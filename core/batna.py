"""Which alternative is the BATNA, and why: the one the negotiator marked as best, else the one worth
most to us if we walk away to it (money), then the quicker, then the less risky, then the one entered
first. The store's pipeline aggregate orders alternatives the same way (tests check they agree)."""

from __future__ import annotations

from collections.abc import Sequence

from .formatting import fmt_amount
from .models import Alternative


def ranked(alternatives: Sequence[Alternative]) -> list[Alternative]:
    """Best first."""
    order = sorted(
        enumerate(alternatives),
        key=lambda pair: (not pair[1].best, -pair[1].money, pair[1].time_days, pair[1].risk, pair[0]),
    )
    return [a for _, a in order]


def best_alternative(alternatives: Sequence[Alternative]) -> Alternative | None:
    order = ranked(alternatives)
    return order[0] if order else None


def why_best(alternatives: Sequence[Alternative], currency: str = "") -> str:
    """The reason, in a sentence: the negotiator's mark, or the value that makes it the best."""
    best = best_alternative(alternatives)
    if best is None:
        return "No alternative yet: add the best one we have if these talks fail."
    if best.best:
        return f"'{best.description}' is the BATNA because it is marked as our best alternative."
    if len(alternatives) == 1:
        return f"'{best.description}' is the BATNA: it is our only alternative."
    return (f"'{best.description}' is the BATNA: it is worth the most to us if we walk away "
            f"({fmt_amount(best.money)} {currency}".rstrip() + "); mark another as best to override.")  # fmt: skip

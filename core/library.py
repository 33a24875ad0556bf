"""The organisation's library, each rule defined once.

- Four kinds, as the method names them: benchmarks (accepted market or cost references), governance
  clauses, capacity artefacts (plans, award dates, budget calendars) and tradeables.
- Stale: a standard loses force with age. A benchmark older than a year, a capacity artefact older than
  six months, a governance clause older than three years is flagged stale; a tradeable does not age.
- An item applies to a deal when its contexts include the deal's (no contexts: every deal).
- A one-way line is paired with tradeables that apply to the deal, freshest first, then by title ("if we move on A, we
  need B").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .models import Context, EvidenceKind, LibraryItem, LibraryKind

STALE_AFTER_DAYS = {
    LibraryKind.benchmark: 365,
    LibraryKind.capacity_artefact: 183,
    LibraryKind.governance_clause: 3 * 365,
    LibraryKind.tradeable: None,
}
KIND_WORDS = {
    LibraryKind.benchmark: "Benchmark",
    LibraryKind.governance_clause: "Governance clause",
    LibraryKind.capacity_artefact: "Capacity artefact",
    LibraryKind.tradeable: "Tradeable",
}
# How a library item enters a deal's evidence pack, and how a deal's evidence enters the library.
EVIDENCE_KIND = {
    LibraryKind.benchmark: EvidenceKind.benchmark,
    LibraryKind.governance_clause: EvidenceKind.legal_standard,
    LibraryKind.capacity_artefact: EvidenceKind.capacity,
    LibraryKind.tradeable: EvidenceKind.other,
}
LIBRARY_KIND = {
    EvidenceKind.benchmark: LibraryKind.benchmark,
    EvidenceKind.cost_driver: LibraryKind.benchmark,
    EvidenceKind.legal_standard: LibraryKind.governance_clause,
    EvidenceKind.policy: LibraryKind.governance_clause,
    EvidenceKind.precedent: LibraryKind.benchmark,
    EvidenceKind.capacity: LibraryKind.capacity_artefact,
    EvidenceKind.other: LibraryKind.benchmark,
}
SUGGESTIONS = 3


def is_stale(item: LibraryItem, today: date) -> bool:
    limit = STALE_AFTER_DAYS[item.kind]
    return limit is not None and (today - item.date).days > limit


def applies_to(item: LibraryItem, context: Context | str) -> bool:
    return not item.contexts or Context(context) in item.contexts


def tradeable_suggestions(
    items: Sequence[LibraryItem], context: Context | str, limit: int = SUGGESTIONS
) -> list[LibraryItem]:
    """Tradeables to pair a one-way give with, for a deal in `context`: those that apply, freshest first."""
    fitting = [i for i in items if i.kind is LibraryKind.tradeable and applies_to(i, context)]
    return sorted(fitting, key=lambda i: (-i.date.toordinal(), i.title))[:limit]

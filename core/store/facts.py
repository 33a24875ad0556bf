"""Facts the store keeps per line, judged by the method's rule in Python (core.concessions.line_facts) when a
line or its issue is written, so that SQL only counts them: the pipeline's one-way lines and floor breaches
are the very verdicts the Concessions screen shows, never a second writing of the rule in SQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from ..concessions import line_facts

if TYPE_CHECKING:
    from .backends import Cursor

LINE_FACTS = ("one_way", "breaches_floor")
# Lines judged at a time when every deal's lines are (a migration on a large cockpit): memory stays flat.
_PART_LINES = 200_000


def judge_lines(cur: Cursor, deal_ids: Sequence[int] | None, line_ids: Sequence[int] | None = None) -> int:
    """Judge the lines of these deals (None: of every deal; `line_ids`: only these of them) against their
    deals' live issues and write each fact that changed, in the caller's transaction. Returns the lines
    whose facts changed."""
    changed = 0
    for where, args in _parts(cur, deal_ids, line_ids):
        lines = cur.df(
            f"SELECT id, deal_id, you_get, new_position, issue_id, {', '.join(LINE_FACTS)} FROM concession "
            f"WHERE {where}",
            args,
        )
        if lines.empty:
            continue
        issues = cur.df(
            "SELECT id, direction, reservation FROM issue WHERE deleted_at IS NULL AND deal_id = ANY(?)",
            [sorted({int(d) for d in lines["deal_id"]})],
        )
        facts = line_facts(lines, issues)
        moved = facts.ne(lines[list(LINE_FACTS)].astype("boolean").fillna(False).astype(bool))
        for fact in LINE_FACTS:
            for value in (True, False):
                ids = lines.loc[moved[fact] & (facts[fact] == value), "id"].astype(int).tolist()
                if ids:
                    cur.execute(f"UPDATE concession SET {fact} = ? WHERE id = ANY(?)", [value, ids])
        changed += int(moved.any(axis=1).sum())
    return changed


def _parts(
    cur: Cursor, deal_ids: Sequence[int] | None, line_ids: Sequence[int] | None
) -> Iterator[tuple[str, list]]:
    """The filters that cover the lines asked for: these lines, these deals, or every deal in ranges of
    deal ids of about _PART_LINES lines each."""
    if line_ids is not None:
        yield "id = ANY(?)", [sorted({int(i) for i in line_ids})]
        return
    if deal_ids is not None:
        yield "deal_id = ANY(?)", [sorted({int(d) for d in deal_ids})]
        return
    lines, low, high = cur.fetch("SELECT count(*), min(deal_id), max(deal_id) FROM concession")[1][0]
    if not lines:
        return
    step = max(1, (int(high) - int(low) + 1) * _PART_LINES // int(lines))
    for start in range(int(low), int(high) + 1, step):
        yield "deal_id >= ? AND deal_id < ?", [start, start + step]

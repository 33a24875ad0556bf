"""Facts the store keeps, judged by the method's rules in Python when what they depend on is written, so that
SQL only counts and joins them, never a second writing of a rule: each line's one-way and floor-breach
verdicts (core.concessions.line_facts), the very ones the Concessions screen shows, and each deal's BATNA
(core.batna.ranking), the very one Prepare names."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from ..batna import RANKED_BY, ranking
from ..concessions import line_facts

if TYPE_CHECKING:
    from .backends import Cursor

LINE_FACTS = ("one_way", "breaches_floor")
# Lines judged at a time when every deal's lines are (a migration on a large cockpit): memory stays flat.
_PART_LINES = 200_000


def judge_lines(cur: Cursor, deal_ids: Sequence[int] | None) -> int:
    """Judge the lines of these deals (None: of every deal) against their deals' live issues and write each
    fact that changed, in the caller's transaction (a new line is judged as it is inserted:
    store.concessions.insert_line). Returns the lines whose facts changed."""
    changed = 0
    for where, args in _parts(cur, deal_ids):
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


def _parts(cur: Cursor, deal_ids: Sequence[int] | None) -> Iterator[tuple[str, list]]:
    """The filters that cover the lines asked for: these deals, or every deal in ranges of deal ids of about
    _PART_LINES lines each."""
    if deal_ids is not None:
        yield "deal_id = ANY(?)", [sorted({int(d) for d in deal_ids})]
        return
    lines, low, high = cur.fetch("SELECT count(*), min(deal_id), max(deal_id) FROM concession")[1][0]
    if not lines:
        return
    step = max(1, (int(high) - int(low) + 1) * _PART_LINES // int(lines))
    for start in range(int(low), int(high) + 1, step):
        yield "deal_id >= ? AND deal_id < ?", [start, start + step]


def judge_batnas(cur: Cursor, deal_ids: Sequence[int] | None) -> None:
    """Keep which alternative is each deal's BATNA (None: of every deal) as core.batna.ranking orders them,
    in the caller's transaction: written with the alternatives, the issues their money may be per unit of,
    and the deal's side."""
    of_some = deal_ids is not None
    ids = sorted({int(d) for d in deal_ids}) if deal_ids is not None else []
    if of_some and not ids:
        return
    where = "AND a.deal_id = ANY(?)" if of_some else ""
    alternatives = cur.df(
        f"""SELECT a.deal_id, d.side, a.best, a.money, ui.volume, ui.years, a.time_days, a.risk, a.position, a.id
            FROM alternative a JOIN deal d ON d.id = a.deal_id
            LEFT JOIN issue ui ON ui.id = a.per_unit_of AND ui.deleted_at IS NULL
            WHERE a.deleted_at IS NULL {where}""",
        [ids] if of_some else [],
    )
    cur.execute(
        "DELETE FROM deal_batna" + (" WHERE deal_id = ANY(?)" if of_some else ""), [ids] if of_some else []
    )
    if alternatives.empty:
        return
    best = ranking(alternatives[list(RANKED_BY)]).drop_duplicates("deal_id")
    cur.bulk_insert(
        "deal_batna",
        pd.DataFrame(
            {"deal_id": best["deal_id"].astype("int64"), "alternative_id": best["id"].astype("int64")}
        ),
    )

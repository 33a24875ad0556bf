"""The concession log: logging, corrections with an optimistic check, removal and restore, import, CSV rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pandas as pd

from .. import audit
from ..concessions import LogTotals, line_facts
from ..csvio import LOG_COLUMNS
from ..models import Concession
from .engine import (
    Conflict,
    Cursor,
    NotFound,
    UnitOfWork,
    insert,
    issue_names,
    live_ids,
    params,
    placeholders,
    quoted,
    refresh_totals,
    set_clause,
    soft_delete,
    stored_id,
)  # fmt: skip
from .facts import LINE_FACTS
from .members import filtered, reads_deal, works_deal
from .repository import Repository

_CONCESSION_COLUMNS = (
    "item", "you_give", "you_get", "value_to_you", "value_to_them", "trigger", "round", "issue_id",
    "new_position", "final_offer", "logged_at", "deleted_at",
)  # fmt: skip
# Every read of lines selects the same columns; only the filter and the order differ.
_SELECT_LINES = f"SELECT id, deal_id, {quoted(_CONCESSION_COLUMNS)} FROM concession"


# The CSV's columns in the CSV's order, named with the labels the screens use (core.csvio.LOG_COLUMNS).
_LOG_COLUMNS = ", ".join(
    f'{expr} AS "{heading}"'
    for expr, heading in zip(
        ['c."item"', 'c."you_give"', 'c."you_get"', 'c."value_to_you"', 'c."value_to_them"', 'c."trigger"', "d.name",
         "cp.name", 'c."round"', "i.name", 'c."new_position"', 'c."final_offer"', 'c."logged_at"'],
        LOG_COLUMNS,
        strict=True,
    )
)  # fmt: skip


def _line(c: Concession) -> str:
    return f"Concession '{c.item}' (round {c.round})"


class Concessions(Repository):
    @reads_deal
    def list_concessions(self, deal_id: int, include_removed: bool = False) -> list[Concession]:
        live = "" if include_removed else "AND deleted_at IS NULL"
        rows = self.store.cursor().rows(
            f"{_SELECT_LINES} WHERE deal_id = ? {live} ORDER BY logged_at, id",
            [deal_id],
        )
        # Rows were validated on the way in; skipping re-validation keeps a 5,000-line log fast to read.
        return [Concession.model_construct(**r) for r in rows]

    @reads_deal
    def concession_frame(self, deal_id: int) -> pd.DataFrame:
        """The deal's live log as a frame with the Concession fields as columns, in logged order."""
        return self.store.cursor().df(
            f"{_SELECT_LINES} WHERE deal_id = ? AND deleted_at IS NULL ORDER BY logged_at, id",
            [deal_id],
        )

    @reads_deal
    def log_totals(self, deal_id: int) -> LogTotals:
        """Lines, balance, gives and one-way lines of the live log, as every write keeps them (one row, not
        the whole log)."""
        rows = self.store.cursor().rows(
            "SELECT lines, balance, gives, one_way, floor_breaches FROM concession_totals WHERE deal_id = ?",
            [deal_id],
        )
        if not rows:
            return LogTotals()
        r = rows[0]
        return LogTotals(int(r["lines"]), float(r["balance"]), float(r["gives"]), int(r["one_way"]),
                         int(r["floor_breaches"]))  # fmt: skip

    @reads_deal
    def live_concession(self, deal_id: int, concession_id: int) -> Concession | None:
        """The line if it is in the deal's live log (not removed), else None."""
        rows = self.store.cursor().rows(
            f"{_SELECT_LINES} WHERE deal_id = ? AND id = ? AND deleted_at IS NULL", [deal_id, concession_id]
        )
        return Concession.model_construct(**rows[0]) if rows else None

    @reads_deal
    def logged_it(self, deal_id: int, concession_id: int) -> bool:
        """Whether the acting person logged this live line of the deal (what a reloaded page may offer to
        undo: one's own last line, never another's)."""
        return bool(self.store.cursor().scalar(
            "SELECT count(*) FROM concession WHERE deal_id = ? AND id = ? AND deleted_at IS NULL AND logged_by = ?",
            [deal_id, concession_id, self.store.person.email],
        ))  # fmt: skip

    @works_deal
    def add_concession(self, deal_id: int, concession: Concession) -> int:
        with self.store._writing(deal_id) as cur:
            self._check_issue_links(cur, deal_id, [concession])
            new_id = insert_line(UnitOfWork(cur, self.store.person), deal_id, concession, issue_map=None)
            add_to_totals(cur, deal_id, new_id)
            self.store._audit(
                cur,
                deal_id,
                audit.record_added(
                    "concession",
                    _line(concession),
                    concession,
                    "logged",
                    refs={"issue_id": issue_names(cur, deal_id)},
                ),
            )
            return new_id

    def _concessions_by_id(self, cur: Cursor, ids: Sequence[int]) -> dict[int, Concession]:
        """Lines as stored now, removed ones included: what the history compares a change against."""
        if not ids:
            return {}
        rows = cur.rows(
            f"{_SELECT_LINES} WHERE id IN ({placeholders(len(ids))})",
            list(ids),
        )
        return {r["id"]: Concession.model_validate(r) for r in rows}

    def _check_issue_links(self, cur: Cursor, deal_id: int, items: Sequence[Concession]) -> None:
        issues = live_ids(cur, "issue", deal_id)
        for c in items:
            if c.issue_id is not None and c.issue_id not in issues:
                raise NotFound(f"Linked issue: issue {c.issue_id} is not an issue of this deal.")

    @works_deal
    def update_concessions(
        self,
        deal_id: int,
        changed: Sequence[Concession],
        removed: Sequence[int] = (),
        read: Sequence[Concession] | None = None,
    ) -> None:
        """Corrections to the log in one step: changed lines are rewritten, removed ones soft-deleted.

        `read` is the log as the caller saw it: if someone else changed one of the touched lines since,
        nothing is written and Conflict names the line (two sessions never silently overwrite each other)."""
        with self.store._writing(deal_id) as cur:
            live = live_ids(cur, "concession", deal_id)
            changed_ids = [stored_id(c) for c in changed]
            unknown = [i for i in changed_ids if i not in live] + [i for i in removed if i not in live]
            if unknown:
                gone = [c for c in self._concessions_by_id(cur, unknown).values() if c.deal_id == deal_id]
                if len(gone) < len(unknown):
                    raise NotFound(
                        f"Concession line(s) {', '.join(map(str, unknown))} are not lines of this deal."
                    )
                raise Conflict(
                    f"{_line(gone[0])} was removed by someone else since you opened the log. Nothing was saved: "
                    "the table now shows the log as it is; make your correction again."
                )
            self._check_issue_links(cur, deal_id, changed)
            touched = changed_ids + list(removed)
            before = self._concessions_by_id(cur, touched)
            seen = {c.id: c for c in read or []}
            stale = [
                before[i] for i in touched
                if i in seen and params(seen[i], _CONCESSION_COLUMNS) != params(before[i], _CONCESSION_COLUMNS)
            ]  # fmt: skip
            if stale:
                raise Conflict(
                    f"{_line(stale[0])} was changed by someone else since you opened the log. Nothing was saved: "
                    "the table now shows their version; make your correction again."
                )
            changes: list[audit.Change] = []
            refs = {"issue_id": issue_names(cur, deal_id)}
            for c in changed:
                cur.execute(
                    f"UPDATE concession SET {set_clause(_CONCESSION_COLUMNS)}, changed_by = ? WHERE id = ?",
                    [*params(c, _CONCESSION_COLUMNS), self.store.person.email, c.id],
                )
                changes += audit.field_changes("concession", _line(before[stored_id(c)]), before[stored_id(c)], c, refs=refs,
                                               fields=[f for f in _CONCESSION_COLUMNS if f != "deleted_at"])  # fmt: skip
            for concession_id in removed:
                soft_delete(cur, "concession", [concession_id])
                line = before[concession_id]
                changes += audit.record_removed("concession", _line(line), line, refs=refs)
            refresh_totals(cur, [deal_id])
            self.store._audit(cur, deal_id, changes)

    @works_deal
    def remove_concession(self, deal_id: int, concession_id: int) -> None:
        self.update_concessions(deal_id, [], [concession_id])

    @works_deal
    def restore_concession(self, deal_id: int, concession_id: int) -> None:
        """Undo a removal."""
        with self.store._writing(deal_id) as cur:
            if not cur.scalar(
                "SELECT count(*) FROM concession WHERE id = ? AND deal_id = ? AND deleted_at IS NOT NULL",
                [concession_id, deal_id],
            ):
                raise NotFound(f"Concession line {concession_id} is not a removed line of this deal.")
            cur.execute(
                "UPDATE concession SET deleted_at = NULL, changed_by = ? WHERE id = ?",
                [self.store.person.email, concession_id],
            )
            refresh_totals(cur, [deal_id])
            line = self._concessions_by_id(cur, [concession_id])[concession_id]
            self.store._audit(
                cur, deal_id, [audit.Change("concession", f"{_line(line)} restored", "removed", "live")]
            )

    @reads_deal
    def list_removed_concessions(self, deal_id: int) -> list[Concession]:
        rows = self.store.cursor().rows(
            f"{_SELECT_LINES} WHERE deal_id = ? AND deleted_at IS NOT NULL ORDER BY deleted_at DESC, id DESC",
            [deal_id],
        )
        return [Concession.model_validate(r) for r in rows]

    @works_deal
    def import_concessions(self, deal_id: int, items: Sequence[Concession]) -> int:
        """Append validated lines in one transaction (bulk, so 100,000 lines take seconds)."""
        with self.store._writing(deal_id) as cur:
            self._check_issue_links(cur, deal_id, items)
            frame = pd.DataFrame(
                [params(c, _CONCESSION_COLUMNS) for c in items], columns=list(_CONCESSION_COLUMNS)
            ).astype({"issue_id": "Int64", "new_position": "Float64"})
            frame.insert(0, "deal_id", deal_id)
            frame.insert(0, "id", cur.next_ids("concession", len(items)))
            cur.bulk_insert("concession", frame)
            refresh_totals(cur, [deal_id])
            lines = f"{len(items):,} line{'s' if len(items) != 1 else ''}"
            self.store._audit(
                cur,
                deal_id,
                [audit.Change("concession", "Concession lines imported from a CSV", None, lines)],
            )
        return len(items)

    @filtered
    def concession_log(self, deal_id: int | None = None) -> pd.DataFrame:
        """The live log of one deal, or of every deal, with the CSV's column names, in logged order."""
        if deal_id is not None:
            self.store._require_read(deal_id)
        visible, args = self.store._visible("c.deal_id")
        where = f"c.deal_id = ? AND {visible}" if deal_id is not None else visible
        return self._log_frame(where, ([deal_id] if deal_id is not None else []) + args)

    @filtered
    def concession_log_in_parts(self, lines_per_part: int = 25_000) -> Iterator[pd.DataFrame]:
        """Every deal's live log as concession_log() has it (the deals the acting person may read), in parts
        of whole deals of about `lines_per_part` lines (a deal with more is a part of its own), in the same
        order: an export of a long pipeline holds one part in memory, never the whole log. Each deal's lines
        come from one statement; the first part comes even when empty (the file's header)."""
        visible, args = self.store._visible("d.id")
        deals = self.store.cursor().rows(
            f"""SELECT d.id, coalesce(t.lines, 0) AS lines FROM deal d
                LEFT JOIN concession_totals t ON t.deal_id = d.id WHERE {visible} ORDER BY d.id""",
            args,
        )
        parts: list[list[int]] = [[]]
        held = 0
        for deal in deals:
            if parts[-1] and held + int(deal["lines"]) > lines_per_part:
                parts.append([])
                held = 0
            parts[-1].append(int(deal["id"]))
            held += int(deal["lines"])
        return (self._log_frame("c.deal_id = ANY(?)", [ids]) for ids in parts)

    def _log_frame(self, where: str, args: list) -> pd.DataFrame:
        return self.store.cursor().df(
            f"""SELECT {_LOG_COLUMNS}
                FROM concession c JOIN deal d ON d.id = c.deal_id
                JOIN counterparty cp ON cp.id = d.counterparty_id
                LEFT JOIN issue i ON i.id = c.issue_id
                WHERE c.deleted_at IS NULL AND {where}
                ORDER BY c.deal_id, c.logged_at, c.id""",
            args,
        )


# ---- the repository of the log's lines ---------------------------------------------------------------
def insert_line(uow: UnitOfWork, deal_id: int, c: Concession, issue_map: dict | None) -> int:
    """One line, logged and last changed by the person acting, with its facts judged as it goes in
    (store.facts); `issue_map` renames its issue (a deal file's to new ids)."""
    new_id = uow.cur.next_id("concession")
    issue_id = c.issue_id if issue_map is None else issue_map.get(c.issue_id)
    line = c.model_copy(update={"issue_id": issue_id})
    facts = _facts_of(uow.cur, line)
    insert(uow.cur, "concession", ["id", "deal_id", *_CONCESSION_COLUMNS, *LINE_FACTS, "logged_by", "changed_by"],
           [new_id, deal_id, *params(line, _CONCESSION_COLUMNS), *facts, uow.person.email, uow.person.email])  # fmt: skip
    return new_id


def _facts_of(cur: Cursor, line: Concession) -> list[bool]:
    """One line's facts by core.concessions.line_facts, reading its issue only when its position could
    breach it."""
    linked = line.issue_id is not None and line.new_position is not None
    issue = cur.df(
        "SELECT id, direction, reservation FROM issue WHERE id = ? AND deleted_at IS NULL",
        [line.issue_id if linked else -1],
    ) if linked else pd.DataFrame({"id": [], "direction": [], "reservation": []})  # fmt: skip
    one = pd.DataFrame(
        [{"you_get": line.you_get, "new_position": line.new_position, "issue_id": line.issue_id}]
    )
    judged = line_facts(one, issue).iloc[0]
    return [bool(judged[f]) for f in LINE_FACTS]


def add_to_totals(cur: Cursor, deal_id: int, line_id: int) -> None:
    """A new line added to its deal's kept totals, not the deal's lines added up again: the write a
    negotiator waits on stays the same size however long the log."""
    cur.execute(
        """INSERT INTO concession_totals (deal_id, lines, balance, gives, one_way, floor_breaches)
           SELECT deal_id, 1, value_to_you, greatest(-value_to_you, 0), CASE WHEN one_way THEN 1 ELSE 0 END,
                  CASE WHEN breaches_floor THEN 1 ELSE 0 END
           FROM concession WHERE id = ?
           ON CONFLICT (deal_id) DO UPDATE SET lines = concession_totals.lines + excluded.lines,
               balance = concession_totals.balance + excluded.balance, gives = concession_totals.gives + excluded.gives,
               one_way = concession_totals.one_way + excluded.one_way,
               floor_breaches = concession_totals.floor_breaches + excluded.floor_breaches""",
        [line_id],
    )  # fmt: skip

"""Counterparties and their maps, deals, their stage, the signals observed, and the history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from .. import audit
from ..access import Action, Part, may, reads_every_deal
from ..audit import Change
from ..models import Counterparty, Deal, InvalidInput, Stage, Stakeholder
from .engine import (
    Cursor,
    NotAllowed,
    NotFound,
    UnitOfWork,
    insert,
    live_ids,
    now,
    params,
    quoted,
    require_row,
    set_clause,
    stored_id,
)
from .facts import judge_batnas
from .members import (
    creates_deal,
    filtered,
    open_to_members,
    reads_counterparty,
    reads_deal,
    works_counterparty,
    works_deal,
)
from .repository import Repository

MAX_ROUND = 1000  # as a concession line's round
MAX_ROUND_NOTE = 2000
_COUNTERPARTY_COLUMNS = ("name", "relationship", "communication_style", "notes")
_DEAL_COLUMNS = (
    "name", "context", "stage", "counterparty_id", "value", "currency", "owner", "deadline",
    "deadline_reason", "deadline_evidence_id", "mandate", "pressured_issue_id", "notes", "decimal_comma", "side",
)  # fmt: skip


class Deals(Repository):
    @filtered
    def list_counterparties(self) -> pd.DataFrame:
        """The counterparties of the deals the acting person may read (every one, for those who read
        every deal), with how many of those deals each has."""
        visible, args = self.store._visible()
        having = "" if reads_every_deal(self.store.person) else "HAVING count(d.id) > 0"
        return self.store.cursor().df(
            f"""SELECT c.id, c.name, c.relationship, c.communication_style, count(d.id) AS deals
               FROM counterparty c LEFT JOIN deal d ON d.counterparty_id = c.id AND {visible}
               GROUP BY c.id, c.name, c.relationship, c.communication_style {having} ORDER BY lower(c.name)""",
            args,
        )

    @filtered
    def find_counterparties(self, text: str = "", limit: int = 50) -> pd.DataFrame:
        """Counterparties of the deals the acting person may read (every one, for those who read every
        deal) whose name contains `text` (any case), at most `limit` by name: for a picker."""
        visible, args = self.store._visible()
        mine = "true" if reads_every_deal(self.store.person) else (
            f"c.id IN (SELECT d.counterparty_id FROM deal d WHERE {visible})"
        )  # fmt: skip
        found, more = ("strpos(lower(c.name), ?) > 0", [text.lower()]) if text else ("true", [])
        return self.store.cursor().df(
            f"""SELECT c.id, c.name FROM counterparty c WHERE {mine} AND {found}
               ORDER BY lower(c.name), c.id LIMIT {int(limit)}""",
            [*args, *more],
        )

    @reads_counterparty
    def get_counterparty(self, counterparty_id: int) -> Counterparty:
        rows = self.store.cursor().rows(
            f"SELECT id, {quoted(_COUNTERPARTY_COLUMNS)} FROM counterparty WHERE id = ?", [counterparty_id]
        )
        if not rows:
            raise NotFound(f"There is no counterparty with id {counterparty_id}.")
        return Counterparty.model_validate(rows[0])

    @works_counterparty
    def update_counterparty(self, cp: Counterparty) -> None:
        with self.store.transaction() as cur:
            self.store._require(cur, "counterparty", cp.id)
            before = Counterparty.model_validate(
                cur.rows(
                    f"SELECT id, {quoted(_COUNTERPARTY_COLUMNS)} FROM counterparty WHERE id = ?", [cp.id]
                )[0]
            )
            cur.execute(
                f"UPDATE counterparty SET {set_clause(_COUNTERPARTY_COLUMNS)} WHERE id = ?",
                [*params(cp, _COUNTERPARTY_COLUMNS), cp.id],
            )
            tell_deals_of_counterparty(
                UnitOfWork(cur, self.store.person),
                stored_id(cp),
                audit.field_changes("counterparty", "Counterparty", before, cp),
            )

    @reads_counterparty
    def list_stakeholders(self, counterparty_id: int) -> list[Stakeholder]:
        return self.store._list_children(Stakeholder, counterparty_id)

    @works_counterparty
    def replace_stakeholders(self, counterparty_id: int, people: Sequence[Stakeholder]) -> list[int]:
        with self.store.transaction() as cur:
            self.store._require(cur, "counterparty", counterparty_id)
            before = self.store._list_children(Stakeholder, counterparty_id, cur)
            ids = self.store._replace_children(cur, Stakeholder, counterparty_id, people)
            after = [p.model_copy(update={"id": i}) for p, i in zip(people, ids, strict=True)]
            changes = audit.list_changes("counterparty", before, after, lambda p: f"Stakeholder '{p.name}'")
            tell_deals_of_counterparty(UnitOfWork(cur, self.store.person), counterparty_id, changes)
            return ids

    @open_to_members
    def is_empty(self) -> bool:
        return self.store.cursor().scalar("SELECT count(*) FROM deal") == 0

    @filtered
    def list_deals(self) -> pd.DataFrame:
        """One row per deal for pickers and `cockpit deals`."""
        visible, args = self.store._visible()
        return self.store.cursor().df(
            f"""SELECT d.id, d.name, c.name AS counterparty, d.context, d.stage, d.owner, d.value,
                      d.currency, d.deadline
               FROM deal d JOIN counterparty c ON c.id = d.counterparty_id WHERE {visible} ORDER BY d.id""",
            args,
        )

    @filtered
    def find_deals(self, text: str = "", limit: int = 50, ids: Sequence[int] = ()) -> pd.DataFrame:
        """Deals the acting person may read, for pickers, at most `limit` by id: those whose name or
        counterparty contains `text` (any case), or with `ids` those of them it may read. The database
        searches and counts, so a picker never reads a long pipeline's every deal."""
        visible, args = self.store._visible()
        where: list[str] = ["true"]
        more: list[Any] = []
        if ids:
            where.append(f"d.id IN ({', '.join('?' for _ in ids)})")
            more += [int(i) for i in ids]
        if text:
            where.append("(strpos(lower(d.name), ?) > 0 OR strpos(lower(c.name), ?) > 0)")
            more += [text.lower(), text.lower()]
        return self.store.cursor().df(
            f"""SELECT d.id, d.name, c.name AS counterparty
               FROM deal d JOIN counterparty c ON c.id = d.counterparty_id
               WHERE {visible} AND {" AND ".join(where)} ORDER BY d.id LIMIT {int(limit)}""",
            [*args, *more],
        )

    @reads_deal
    def get_deal(self, deal_id: int) -> Deal:
        rows = self.store.cursor().rows(
            f"SELECT id, {quoted(_DEAL_COLUMNS)} FROM deal WHERE id = ?", [deal_id]
        )
        if not rows:
            raise NotFound(f"There is no deal with id {deal_id}.")
        return Deal.model_validate(rows[0])

    @creates_deal
    def create_deal(self, deal: Deal, counterparty: Counterparty | None = None) -> int:
        """Store a new deal; with `counterparty` (no id) the counterparty is created in the same step."""
        existing = counterparty.id if counterparty is not None else deal.counterparty_id
        if existing is not None:
            self.store._require_counterparty(
                existing, work=False
            )  # only one of the person's own counterparties
        with self.store.unit_of_work() as uow:
            deal_id = insert_deal(uow, deal, counterparty)
            uow.audit(deal_id, audit.record_added("deal", "Deal", deal, verb="created"))
            return deal_id

    @works_deal
    def update_deal(self, deal: Deal) -> None:
        with self.store._writing(deal.id) as cur:
            before = Deal.model_validate(
                cur.rows(f"SELECT id, {quoted(_DEAL_COLUMNS)} FROM deal WHERE id = ?", [deal.id])[0]
            )
            if before.mandate != deal.mandate:
                if not may(self.store.person, Action.set_mandate, self.store._parts(stored_id(deal), cur)):
                    raise NotAllowed(
                        "Mandate: only the deal's sponsor or a leader can move it; ask them to approve the give "
                        "or raise the mandate."
                    )
                raise InvalidInput(
                    ["Mandate: moves on its own, with its reason (Prepare › Move the mandate)"]
                )
            self.store._require(cur, "counterparty", deal.counterparty_id)
            for col, table in (("deadline_evidence_id", "evidence"), ("pressured_issue_id", "issue")):
                ref = getattr(deal, col)
                if ref is not None and ref not in live_ids(cur, table, stored_id(deal)):
                    raise NotFound(f"{col.replace('_', ' ')}: {table} {ref} does not belong to this deal.")
            cur.execute(
                f"UPDATE deal SET {set_clause(_DEAL_COLUMNS)} WHERE id = ?",
                [*params(deal, _DEAL_COLUMNS), deal.id],
            )
            if before.side != deal.side:  # a buyer's cheapest alternative is a seller's poorest
                judge_batnas(cur, [stored_id(deal)])
            self.store._audit(
                cur, deal.id, audit.field_changes("deal", "Deal", before, deal, kinds={"stage": "stage"})
            )

    @works_deal
    def advance_stage(self, deal_id: int, to: str, note: str = "") -> None:
        """Move the deal to the next step and record it, in one transaction."""
        try:
            to = Stage(str(to).strip().lower()).value
        except ValueError:
            raise InvalidInput(
                [f"Stage: '{str(to)[:40]}' is not one of {', '.join(s.value for s in Stage)}"]
            ) from None
        with self.store._writing(deal_id) as cur:
            rows = cur.rows("SELECT stage FROM deal WHERE id = ?", [deal_id])
            if not rows:
                raise NotFound(f"There is no deal with id {deal_id}.")
            cur.execute("UPDATE deal SET stage = ? WHERE id = ?", [to, deal_id])
            self.store._record(cur, deal_id, "stage", "Deal · Stage", rows[0]["stage"], to, note)

    @works_deal
    def observe_signal(self, deal_id: int, move_key: str, note: str = "") -> None:
        with self.store._writing(deal_id) as cur:
            self.store._record(cur, deal_id, "signal", move_key, None, "observed", note)

    @works_deal
    def clear_signal(self, deal_id: int, move_key: str, note: str = "") -> None:
        with self.store._writing(deal_id) as cur:
            self.store._record(cur, deal_id, "signal", move_key, "observed", "cleared", note)

    @works_deal
    def write_round_note(self, deal_id: int, round_no: int, note: str) -> None:
        """The negotiator's note on a round (what they asked, what we answered, what to try next). Kept in
        the history, which is never rewritten: a new note on the round is a new entry, the latest one
        counts, and an empty one clears it. Private: ours alone on a shared screen."""
        note = note.strip()
        problems = []
        if not 1 <= round_no <= MAX_ROUND:
            problems.append(f"Round: must be from 1 to {MAX_ROUND}")
        if len(note) > MAX_ROUND_NOTE:
            problems.append(f"Note: at most {MAX_ROUND_NOTE:,} characters (this one has {len(note):,})")
        if problems:
            raise InvalidInput(problems)
        with self.store._writing(deal_id) as cur:
            if note == self._round_notes(cur, deal_id).get(round_no, ""):
                return  # nothing new to keep
            self.store._audit(
                cur, deal_id, [Change("round_note", f"Round {round_no}", None, None, private=True, note=note)]
            )

    def _round_notes(self, cur: Cursor, deal_id: int) -> dict[int, str]:
        rows = cur.rows(
            """SELECT subject, note FROM (
                   SELECT subject, note, row_number() OVER (PARTITION BY subject ORDER BY changed_at DESC, id DESC) AS n
                   FROM deal_event WHERE deal_id = ? AND kind = 'round_note') AS latest WHERE n = 1""",
            [deal_id],
        )
        notes = {int(r["subject"].removeprefix("Round ")): r["note"] for r in rows}
        return {n: text for n, text in sorted(notes.items()) if text}

    @reads_deal
    def round_notes(self, deal_id: int) -> dict[int, str]:
        """The latest note on each round that has one, by round."""
        return self._round_notes(self.store.cursor(), deal_id)

    @reads_deal
    def observed_signals(self, deal_id: int) -> set[str]:
        """Moves whose signal was observed and not cleared since."""
        rows = self.store.cursor().rows(
            """SELECT subject FROM (
                   SELECT subject, new_value, row_number() OVER (PARTITION BY subject ORDER BY changed_at DESC, id DESC) AS n
                   FROM deal_event WHERE deal_id = ? AND kind = 'signal') AS latest WHERE n = 1 AND new_value = 'observed'""",
            [deal_id],
        )
        return {r["subject"] for r in rows}

    @reads_deal
    def list_events(self, deal_id: int, kinds: Sequence[str] | None = None) -> pd.DataFrame:
        """The deal's history, newest first; `kinds` keeps only those kinds of change."""
        where = f"AND kind IN ({', '.join('?' * len(kinds))})" if kinds else ""
        return self.store.cursor().df(
            "SELECT changed_at, kind, subject, old_value, new_value, note, changed_by, coalesce(private, false) AS private "
            f"FROM deal_event WHERE deal_id = ? {where} ORDER BY changed_at DESC, id DESC",
            [deal_id, *(kinds or [])],
        )


# ---- the repository of counterparties and deals: functions over a unit of work, for every use case ------
def insert_counterparty(uow: UnitOfWork, cp: Counterparty) -> int:
    new_id = uow.cur.next_id("counterparty")
    insert(
        uow.cur, "counterparty", ["id", *_COUNTERPARTY_COLUMNS], [new_id, *params(cp, _COUNTERPARTY_COLUMNS)]
    )
    return new_id


def tell_deals_of_counterparty(uow: UnitOfWork, counterparty_id: int, changes: Sequence[Change]) -> list[int]:
    """A counterparty is shared by its deals: each deal's history gets the change. Returns those deals."""
    deals = [
        r["id"]
        for r in uow.cur.rows("SELECT id FROM deal WHERE counterparty_id = ? ORDER BY id", [counterparty_id])
    ]
    for deal_id in deals:
        uow.audit(deal_id, changes)
    return deals


def insert_deal(uow: UnitOfWork, deal: Deal, counterparty: Counterparty | None) -> int:
    """A new deal (and its new counterparty, one without an id); a deal started by a signed-in person is
    theirs."""
    if counterparty is not None and counterparty.id is None:
        cp_id = insert_counterparty(uow, counterparty)
    else:
        known = counterparty.id if counterparty is not None else deal.counterparty_id
        cp_id = require_row(uow.cur, "counterparty", known)
    new_id = uow.cur.next_id("deal")
    values = params(deal.model_copy(update={"counterparty_id": cp_id}), _DEAL_COLUMNS)
    insert(uow.cur, "deal", ["id", *_DEAL_COLUMNS, "created_at"], [new_id, *values, now()])
    if not uow.person.local:
        insert(uow.cur, "deal_person", ["deal_id", "email", "part", "added_at"],
               [new_id, uow.person.email, Part.owner.value, now()])  # fmt: skip
    return new_id

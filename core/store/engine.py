"""The store's engine room: where the database is, opening and migrating it, transactions, the generic
child lists, and the history write that goes into every transaction.

Writes go through `transaction()`, which commits all or nothing (validation happens before, in the
models). How each engine connects, serialises writers and hands out ids is in `backends`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import duckdb

from ..access import Part, Person, local_person, reads_every_deal
from ..audit import Change
from ..models import Alternative, Evidence, Issue, M, Model, Stakeholder, record_id, validate
from ..settings import settings
from .backends import Cursor, DuckBackend, PostgresBackend, checked_location, damaged, is_postgres
from .errors import (  # noqa: F401 (the store's errors are imported from here by the aggregates)
    Conflict,
    DatabaseBusy,
    DatabaseProblem,
    DatabaseUnreachable,
    DatabaseUnusable,
    NotAllowed,
    NotFound,
    masked,
)
from .facts import judge_batnas, judge_lines
from .integrity import Constrain, violations
from .migrations import MIGRATIONS, Judge

# Set inside a public store call (see members._marked): the calls it makes reuse the person it read, and
# each deal's parts of that person are read once (`export_deal` checks one deal a dozen times) until the
# call commits a write, which may have changed them. None outside a call.
PARTS_IN_CALL: ContextVar[dict[int, frozenset[Part]] | None] = ContextVar("parts_in_call", default=None)


def database_location() -> str:
    """Where the deal database lives: COCKPIT_DB (a DuckDB file, or a postgresql:// URL for a team),
    or data/cockpit.duckdb in the project."""
    return settings().database


def current_user() -> str:
    """Who is recorded as making a change: COCKPIT_USER, else the operating-system user."""
    return settings().user


def now() -> datetime:
    """Timestamps are stored as naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


# Model -> (table, columns, parent column). Columns are the model's stored fields, in table order.
_CHILD_TABLES: dict[type[Model], tuple[str, tuple[str, ...], str]] = {
    Stakeholder: (
        "stakeholder",
        ("name", "role", "decision_rights", "veto", "status_concerns"),
        "counterparty_id",
    ),
    Evidence: ("evidence", ("kind", "title", "source", "date", "internal", "note"), "deal_id"),
    Alternative: (
        "alternative",
        ("description", "money", "time_days", "risk", "political_cost", "evidence_id", "best", "best_reason",
         "per_unit_of"),
        "deal_id",
    ),
    Issue: (
        "issue",
        (
            "name", "unit", "direction", "target", "reservation", "their_target", "their_walk_away",
            "confidence", "estimate_source", "priority", "their_priority", "tradeable", "evidence_id", "volume",
            "years",
        ),
        "deal_id",
    ),
}  # fmt: skip


def require_row(cur: Cursor, table: str, row_id: int | None) -> int:
    """The id of a row that is there; NotFound otherwise."""
    if row_id is None or not cur.scalar(f"SELECT count(*) FROM {table} WHERE id = ?", [row_id]):
        raise NotFound(f"There is no {table} with id {row_id}.")
    return row_id


def stored_id(record: Model) -> int:
    """The id of a record read from the store. One never stored has none: NotFound, in one sentence
    (a guard refuses such a record before; this says so to the reader and the type checker)."""
    known = record_id(record)
    if known is None:
        raise NotFound(f"This {type(record).__name__.lower()} was never stored: it has no id.")
    return int(known)


def quoted(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def placeholders(n: int) -> str:
    return ", ".join("?" * n)


def set_clause(columns: Sequence[str]) -> str:
    """`"a" = ?, "b" = ?` for an UPDATE of these columns."""
    return ", ".join(f'"{c}" = ?' for c in columns)


def insert(cur: Cursor, table: str, columns: Sequence[str], values: Sequence[Any]) -> None:
    """One row, every column named: a column added later never shifts the values."""
    cur.execute(
        f"INSERT INTO {table} ({quoted(columns)}) VALUES ({placeholders(len(columns))})", list(values)
    )


def live_ids(cur: Cursor, table: str, parent_id: int, parent: str = "deal_id") -> set[int]:
    """Ids of the rows of a deal (or another parent) that are not soft-deleted."""
    rows = cur.rows(f"SELECT id FROM {table} WHERE {parent} = ? AND deleted_at IS NULL", [parent_id])
    return {r["id"] for r in rows}


def issue_names(cur: Cursor, deal_id: int) -> dict[int, str]:
    """A deal's issues by id, removed ones included: how the history names what a change refers to."""
    return {r["id"]: r["name"] for r in cur.rows("SELECT id, name FROM issue WHERE deal_id = ?", [deal_id])}


def soft_delete(cur: Cursor, table: str, ids: Sequence[int]) -> None:
    """The app never hard-deletes a record: it marks it, and the history keeps what it was."""
    stamp = now()
    for row_id in sorted(ids):
        cur.execute(f"UPDATE {table} SET deleted_at = ? WHERE id = ?", [stamp, row_id])


# Per deal, the live log's totals the pipeline reads (lines, balance, gives, one-way lines, floor breaches):
# derived, rebuilt for a deal inside every write that changes its lines or its issues, so the pipeline
# reads 10,000 rows instead of aggregating 500,000 lines on each refresh. SQL only adds up: which line is
# one-way or breaches a floor is each line's fact, judged by core.concessions.line_facts (store.facts).
_TOTALS = r"""
    INSERT INTO concession_totals (deal_id, lines, balance, gives, one_way, floor_breaches)
    SELECT c.deal_id, count(*), sum(c.value_to_you), sum(greatest(-c.value_to_you, 0)),
           count(*) FILTER (WHERE c.one_way), count(*) FILTER (WHERE c.breaches_floor)
    FROM concession c WHERE c.deleted_at IS NULL {where} GROUP BY c.deal_id"""


_TOTALS_BY_ID = 200  # above this many deals at once (a bulk load), one pass over every line is faster


def refresh_totals(cur: Cursor, deal_ids: Sequence[int] | None, lines_judged: bool = False) -> None:
    """Rebuild the concession totals of these deals (None: of every deal), in the caller's transaction,
    after judging their lines again (`lines_judged`: the caller has, e.g. a copy that carries the facts)."""
    if not lines_judged:
        judge_lines(cur, deal_ids)
    _rebuild(cur, "concession_totals", _TOTALS, "AND c.deal_id = ANY(?)", deal_ids)


def _rebuild(cur: Cursor, table: str, fill: str, of_some: str, deal_ids: Sequence[int] | None) -> None:
    """Rebuild a fact kept per deal: `fill` inserts its rows, with `{where}` left empty for every deal or
    `of_some` (a condition `deal_id = ANY(?)`) for the deals listed. A long list that is one run of ids (a
    bulk load's part) is read as a range; any other long list, as every deal (one pass over every row beats
    a long list)."""
    ids = None if deal_ids is None else sorted({int(i) for i in deal_ids})
    if ids and len(ids) > _TOTALS_BY_ID and ids[-1] - ids[0] + 1 == len(ids):
        in_range = of_some.replace("= ANY(?)", "BETWEEN ? AND ?")
        cur.execute(f"DELETE FROM {table} WHERE deal_id BETWEEN ? AND ?", [ids[0], ids[-1]])
        cur.execute(fill.format(where=in_range), [ids[0], ids[-1]])
    elif ids is None or len(ids) > _TOTALS_BY_ID:
        cur.execute(f"DELETE FROM {table}")
        cur.execute(fill.format(where=""))
    elif ids:
        cur.execute(f"DELETE FROM {table} WHERE deal_id = ANY(?)", [ids])
        cur.execute(fill.format(where=of_some), [ids])


# Per deal, its latest power assessment (the last by time, ties broken by id, as list_assessments orders
# them): derived, rebuilt for a deal inside every write that adds one, so the pipeline and the leverage map
# join one row per deal instead of ranking every assessment on each refresh.
_LATEST = """
    INSERT INTO latest_assessment (deal_id, assessment_id)
    SELECT deal_id, id FROM (
        SELECT deal_id, id, row_number() OVER (PARTITION BY deal_id ORDER BY assessed_at DESC, id DESC) AS n
        FROM power_assessment {where}) AS ranked WHERE n = 1"""


def refresh_latest_assessments(cur: Cursor, deal_ids: Sequence[int] | None) -> None:
    """Rebuild which assessment is the latest of these deals (None: of every deal), in the caller's
    transaction."""
    _rebuild(cur, "latest_assessment", _LATEST, "WHERE deal_id = ANY(?)", deal_ids)


def _value(v: Any) -> Any:
    return v.value if hasattr(v, "value") and not isinstance(v, int | float | str) else v


def params(model: Model, columns: Sequence[str]) -> list[Any]:
    """A model's values for `columns`, validated again first: a copy made with `model_copy(update=…)`
    skips the model's rules, and a row that breaks them would stop its deal from opening."""
    validate(type(model), model.model_dump(warnings=False))
    return [_value(getattr(model, c)) for c in columns]


def list_children(cur: Cursor, model: type[M], parent_id: int) -> list[M]:
    """A parent's live stakeholders, evidence, alternatives or issues, in their order."""
    table, cols, parent = _CHILD_TABLES[model]
    rows = cur.rows(
        f"SELECT id, {parent}, {quoted(cols)} FROM {table} "
        f"WHERE {parent} = ? AND deleted_at IS NULL ORDER BY position, id",
        [parent_id],
    )
    return [model.model_validate(r) for r in rows]


def replace_children(cur: Cursor, model: type[Model], parent_id: int, items: Sequence) -> list[int]:
    """Make the stored list equal `items`: update by id, insert new, soft-delete the missing."""
    table, cols, parent = _CHILD_TABLES[model]
    existing = live_ids(cur, table, parent_id, parent)
    ids = []
    for position, item in enumerate(items):
        if item.id is not None and item.id in existing:
            cur.execute(
                f"UPDATE {table} SET {set_clause(cols)}, position = ? WHERE id = ?",
                [*params(item, cols), position, item.id],
            )
            ids.append(item.id)
        else:
            new_id = cur.next_id(table)
            insert(
                cur,
                table,
                ["id", parent, "position", *cols],
                [new_id, parent_id, position, *params(item, cols)],
            )
            ids.append(new_id)
    soft_delete(cur, table, list(existing - set(ids)))
    if model is Issue:  # a floor moved or an issue removed: its lines' breaches change
        refresh_totals(cur, [parent_id])
    if model in (Issue, Alternative):  # money per unit of an issue counts over its volume
        judge_batnas(cur, [parent_id])
    return ids


def visible_condition(person: Person, column: str = "d.id") -> tuple[str, list]:
    """A condition on `column` (a deal id) that keeps the deals `person` may read, and its parameters."""
    if reads_every_deal(person):
        return "true", []
    return f"{column} IN (SELECT deal_id FROM deal_person WHERE email = ?)", [person.email]


class UnitOfWork:
    """One transaction as a use case sees it: its one cursor, the person acting, and the history it writes
    with the data. The repository functions of each aggregate (`deals.insert_deal`, `power.insert_assessment`
    …) take it, so a use case that spans aggregates (importing a deal file) composes them in one transaction
    without reaching into another aggregate's insides."""

    def __init__(self, cur: Cursor, person: Person):
        self.cur = cur
        self.person = person

    def visible(self, column: str = "d.id") -> tuple[str, list]:
        return visible_condition(self.person, column)

    def readable_deal_ids(self) -> set[int] | None:
        """The deals the person may read; None when they may read every deal."""
        if reads_every_deal(self.person):
            return None
        rows = self.cur.rows("SELECT deal_id FROM deal_person WHERE email = ?", [self.person.email])
        return {int(r["deal_id"]) for r in rows}

    def record(
        self, deal_id: int, kind: str, subject: str, old: str | None, new: str | None, note: str = ""
    ) -> None:
        self.audit(deal_id, [Change(kind, subject, old, new, note=note)])

    def audit(self, deal_id: int | None, changes: Sequence[Change]) -> None:
        """Record changes in this transaction: the history and the data commit together. Changes to the
        team itself (members, roles) have no deal."""
        if not changes:
            return
        ids, at, who = self.cur.next_ids("deal_event", len(changes)), now(), self.person.email
        self.cur.many(
            "INSERT INTO deal_event (id, deal_id, kind, subject, old_value, new_value, note, changed_at, changed_by, "
            "private) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[event_id, deal_id, c.kind, c.subject, c.old, c.new, c.note, at, who, c.private]
             for event_id, c in zip(ids, changes, strict=True)],
        )  # fmt: skip


class Engine:
    """Opening, migrating, cursors, transactions and the history: what every aggregate builds on. The
    engine underneath (DuckDB file or PostgreSQL server) is behind `backends`; nothing above knows which."""

    def __init__(self, backend: DuckBackend | PostgresBackend):
        self._backend = backend
        self._person: Person | None = None  # None: the one local user (see `person`)
        self._person_read_at: int | None = None  # the revision the bound member's role was read at

    @property
    def path(self) -> Path | None:
        """The DuckDB file, or None (in memory, or on PostgreSQL)."""
        return self._backend.path

    @property
    def location(self) -> str:
        """What COCKPIT_DB says to reach this database: a file path or a postgresql:// URL."""
        return self._backend.location

    @property
    def engine_kind(self) -> str:
        return self._backend.kind

    @property
    def revision(self) -> int:
        """Bumped after every committed write, by any process: screens that refresh every few seconds
        reuse their work while it is unchanged."""
        return self._backend.revision()

    @property
    def revision_key(self) -> tuple[str, int]:
        """The revision with what it counts: on a DuckDB file each opening counts its own writes, on
        PostgreSQL every process reads the database's one count. A key for what is cached by revision."""
        return self._backend.revision_source, self._backend.revision()

    @property
    def person(self) -> Person:
        """Who is acting: the signed-in member this store is bound to, else the one local user."""
        return self._person or local_person(current_user())

    @classmethod
    def open(cls, location: Path | str | None = None, migrations=None, wait: float = 0.0) -> Self:
        """Open (and migrate) the database. A DuckDB file another process holds is retried for up to
        `wait` seconds, then DatabaseBusy: a short command run next to the app gets its turn."""
        location = checked_location(location if location is not None else database_location())
        if not is_postgres(location):
            store = cls(DuckBackend.open(Path(location), wait=wait))
            try:
                store.migrate(MIGRATIONS if migrations is None else migrations)
            except duckdb.Error as exc:  # a truncated or overwritten file opens, then fails on its first read
                store.close()
                raise damaged(Path(location), exc) from None
            return store
        try:
            store = cls(PostgresBackend.open(str(location)))
            store.migrate(MIGRATIONS if migrations is None else migrations)
            return store
        except Exception as exc:
            if getattr(exc, "sqlstate", None) != "42501":  # insufficient privilege: not the tables' owner
                raise
            raise DatabaseUnusable(
                masked(str(location)), PostgresBackend(str(location)).shown,
                "The shared deal database {file} needs its schema made or upgraded, which only its owner may do: "
                "run `cockpit grant ROLE` once with COCKPIT_DB set to the owner's login.",
            ) from None  # fmt: skip

    @classmethod
    def memory(cls, migrations=None) -> Self:
        store = cls(DuckBackend.memory())
        store.migrate(MIGRATIONS if migrations is None else migrations)
        return store

    def close(self) -> None:
        self._backend.close()

    def migrate(self, migrations) -> list[str]:
        """Apply the steps this database does not have yet, each in its own transaction."""
        with self.transaction() as cur:
            cur.serialize("migrate")  # two servers starting at once on a new database: one migrates
            # Asked before created: the app servers' role may read the schema but not create in it.
            if not cur.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migration' "
                              "AND table_schema = current_schema()"):  # fmt: skip
                cur.execute(
                    "CREATE TABLE schema_migration (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"
                )
            done = {r["name"] for r in cur.rows("SELECT name FROM schema_migration")}
        applied = []
        for name, statements in migrations:
            if name in done:
                continue
            with self.transaction() as cur:
                cur.serialize("migrate")
                if cur.scalar("SELECT count(*) FROM schema_migration WHERE name = ?", [name]):
                    continue
                rules = [s for s in statements if isinstance(s, Constrain)]
                if broken := violations(cur, rules):
                    raise DatabaseUnusable(
                        masked(self.location), self._backend.shown,
                        f"The deal database {{file}} was not upgraded ({name}), and nothing in it changed: it holds "
                        f"rows the new integrity rules refuse — {'; '.join(broken)}. Correct those rows, or restore "
                        "a backup taken before they were written, then open it again.",
                    )  # fmt: skip
                for statement in statements:
                    if isinstance(statement, Constrain):
                        self._backend.constrain(cur, statement)
                        continue
                    if isinstance(statement, Judge):
                        statement.rows(cur)
                        continue
                    sql = self._backend.ddl(statement)
                    if sql is not None:
                        cur.execute(sql)
                insert(cur, "schema_migration", ["name", "applied_at"], [name, now()])
            applied.append(name)
        return applied

    def applied_migrations(self) -> list[str]:
        return [r["name"] for r in self.cursor().rows("SELECT name FROM schema_migration ORDER BY name")]

    def _identity(self) -> tuple[str, bool]:
        """Who is acting, for the database's own wall (PostgreSQL's row-level security)."""
        return self.person.email, reads_every_deal(self.person)

    def cursor(self) -> Cursor:
        """A read cursor (this thread's, on DuckDB; statements borrow a pooled connection, on PostgreSQL)."""
        return self._backend.read_cursor(self._identity())

    @contextmanager
    def transaction(self, changes_screens: bool = True) -> Iterator[Cursor]:
        """All or nothing: commits when the block ends, rolls back if it raises. Then the revision moves on,
        so every screen redoes its work; `changes_screens=False` for a write no cached screen shows (the
        access log: a sign-in or a download must not make every open page of every server recompute)."""
        try:
            with self._backend.transaction(self._identity(), changes_screens) as cur:
                yield cur
        finally:
            if (known := PARTS_IN_CALL.get()) is not None:
                known.clear()

    @contextmanager
    def unit_of_work(self, deal_id: int | None = None) -> Iterator[UnitOfWork]:
        """A transaction as a unit of work for the acting person; with `deal_id`, a write to that deal
        (held as `_writing` holds it; NotFound if there is none)."""
        with self.transaction() if deal_id is None else self._writing(deal_id) as cur:
            yield UnitOfWork(cur, self.person)

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """One holder of `name` at a time, across processes on a shared database, for work that spans
        transactions (the first start's demo: two servers starting at once must not load it twice)."""
        with self._backend.exclusive(name):
            yield

    @contextmanager
    def _writing(self, deal_id: int | None) -> Iterator[Cursor]:
        """A write to one deal: its transaction holds the deal's row until it commits, so two writers
        (two sessions, two app servers, the command line) never interleave a read-check-write on the
        same deal. NotFound if there is no such deal."""
        with self.transaction() as cur:
            if deal_id is None or not cur.lock_deal(deal_id):
                raise NotFound(f"There is no deal with id {deal_id}.")
            yield cur

    def _list_children(self, model: type[M], parent_id: int, cur: Cursor | None = None) -> list[M]:
        return list_children(cur or self.cursor(), model, parent_id)

    def _replace_children(
        self, cur: Cursor, model: type[Model], parent_id: int, items: Sequence
    ) -> list[int]:
        return replace_children(cur, model, parent_id, items)

    def _require(self, cur: Cursor, table: str, row_id: int | None) -> int:
        return require_row(cur, table, row_id)

    def _record(self, cur: Cursor, deal_id: int, kind: str, subject: str, old: str | None, new: str | None,
                note: str = "") -> None:  # fmt: skip
        UnitOfWork(cur, self.person).record(deal_id, kind, subject, old, new, note)

    def _audit(self, cur: Cursor, deal_id: int | None, changes: Sequence[Change]) -> None:
        """Record changes in the caller's transaction (see UnitOfWork.audit)."""
        UnitOfWork(cur, self.person).audit(deal_id, changes)

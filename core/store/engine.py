"""The store's engine room: where the database is, its errors, cursors, transactions, the generic
child lists, and the history write that goes into every transaction.

One connection per process; each thread reads through its own cursor (DuckDB connections are not
thread-safe, Streamlit sessions are threads). Writes go through `transaction()`, which serialises them
in-process with a lock and commits all or nothing: validation happens before, in the models.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import duckdb
import pandas as pd

from ..access import Person, local_person
from ..audit import Change
from ..models import Alternative, Evidence, Issue, Model, Stakeholder
from .migrations import MIGRATIONS

BUSY_RETRY_SECONDS = 0.25
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = PROJECT_ROOT / "data" / "cockpit.duckdb"


def database_path() -> Path:
    """Where the deal database lives: COCKPIT_DB, or data/cockpit.duckdb in the project."""
    return Path(os.environ.get("COCKPIT_DB") or DEFAULT_DB)


def current_user() -> str:
    """Who is recorded as making a change: COCKPIT_USER, else the operating-system user."""
    import getpass

    return os.environ.get("COCKPIT_USER") or getpass.getuser()


def now() -> datetime:
    """Timestamps are stored as naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


class DatabaseProblem(RuntimeError):
    """The database file cannot be used now. `str()` names the whole path (for the command line);
    `shown()` names only the file, for a page that may be seen by people who need not know the server."""

    def __init__(self, path: Path, template: str):
        self.path = path
        self._template = template
        super().__init__(template.format(file=path))

    def shown(self) -> str:
        return self._template.format(file=self.path.name)


class DatabaseBusy(DatabaseProblem):
    """Another process holds the database file's write lock."""

    def __init__(self, path: Path, holder: str = "", waited: float = 0.0):
        who = f" ({holder})" if holder else ""
        after = f" (waited {waited:g} s for it)" if waited else ""
        super().__init__(
            path,
            f"The deal database {{file}} is in use by another program{who}{after}. "
            "Stop the other cockpit (the app started with `make run`, or another `cockpit` command) and "
            "try again, or set COCKPIT_DB to a different file.",
        )


class DatabaseUnusable(DatabaseProblem):
    """COCKPIT_DB names something the cockpit must not or cannot use: it was left as it was."""


def _unusable(path: Path, why: str) -> DatabaseUnusable:
    return DatabaseUnusable(path, f"The deal database {{file}} {why}; it was left unchanged. Set COCKPIT_DB to "
                                  "another file (a new name starts an empty cockpit).")  # fmt: skip


def _check_usable(path: Path) -> None:
    """Refuse, before anything is written, a path that is not a cockpit database or cannot be written."""
    if path.is_dir():
        raise _unusable(path, "is a folder, not a file")
    if not path.parent.is_dir():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _unusable(path, f"cannot be created here ({exc.strerror.lower()})") from None
    if not path.exists():
        return
    if path.stat().st_size == 0 or _magic(path) != b"DUCK":
        raise _unusable(path, "is not a DuckDB database (another kind of file, or damaged)")
    try:
        probe = duckdb.connect(str(path), read_only=True)
    except duckdb.ConnectionException:
        return  # this process has it open already, so it passed this check when first opened
    except duckdb.IOException as exc:
        if _held_elsewhere(exc):
            return  # held by another process: opening says so, with the wait
        raise _unusable(path, "cannot be read") from None
    try:
        tables = {r[0] for r in probe.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}  # fmt: skip
    finally:
        probe.close()
    if tables and "schema_migration" not in tables:
        raise _unusable(path, "was made by another program (it has tables but is not a cockpit database)")


def _magic(path: Path) -> bytes:
    with path.open("rb") as f:
        f.seek(8)
        return f.read(4)


def _held_elsewhere(exc: Exception) -> bool:
    """DuckDB's word for a file another process has open (read apart from the path, which may say 'lock')."""
    return "could not set lock" in str(exc).lower()


def _write_problem(text: str) -> str:
    lower = text.lower()
    if "read-only" in lower or "read only" in lower:
        return "is on a read-only disk"
    if "permission" in lower or "not permitted" in lower:
        return "cannot be written by this user (or is locked against changes)"
    return "cannot be opened for writing"


class NotFound(LookupError):
    """A deal or other record that the caller named does not exist."""


class NotAllowed(PermissionError):
    """The acting person may read the deal but not do this to it (one sentence that says what to do)."""


class Conflict(RuntimeError):
    """Someone else changed the record since the caller read it: nothing was written."""


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
        ("description", "money", "time_days", "risk", "political_cost", "evidence_id", "best"),
        "deal_id",
    ),
    Issue: (
        "issue",
        (
            "name", "unit", "direction", "target", "reservation", "their_target", "their_walk_away",
            "confidence", "estimate_source", "priority", "their_priority", "tradeable", "evidence_id",
        ),
        "deal_id",
    ),
}  # fmt: skip


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


def _value(v: Any) -> Any:
    return v.value if hasattr(v, "value") and not isinstance(v, int | float | str) else v


def params(model: Model, columns: Sequence[str]) -> list[Any]:
    return [_value(getattr(model, c)) for c in columns]


class Cursor:
    """A thin wrapper so every call site binds parameters and gets rows as dicts."""

    def __init__(self, raw: duckdb.DuckDBPyConnection):
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> duckdb.DuckDBPyConnection:
        return self.raw.execute(sql, params or [])

    def rows(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        res = self.raw.execute(sql, params or [])
        names = [d[0] for d in res.description]
        return [dict(zip(names, r, strict=True)) for r in res.fetchall()]

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        # fetchall, not fetchone: DuckDB 2 refuses more work on a cursor with a half-read result.
        rows = self.raw.execute(sql, params or []).fetchall()
        return rows[0][0] if rows else None

    def df(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        return self.raw.execute(sql, params or []).df()

    def next_id(self, table: str) -> int:
        # Ids are handed out under the write lock, so max+1 cannot collide within the process,
        # and the file lock keeps other processes out. It also lets bulk loads assign ids in pandas.
        return int(self.scalar(f"SELECT coalesce(max(id), 0) + 1 FROM {table}"))


class Engine:
    """Opening, migrating, cursors, transactions and the history: what every aggregate builds on."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, path: Path | None):
        self._conn = conn
        self.path = path
        self._write_lock = threading.RLock()
        self._local = threading.local()
        # Bumped after every committed write. Only this process can write the file (DuckDB's lock), so
        # an unchanged revision means unchanged data: screens that refresh every few seconds reuse work.
        # A list, so the stores bound to each signed-in person (`acting_as`) share it.
        self._revision = [0]
        self._person: Person | None = None  # None: the one local user (see `person`)

    @property
    def revision(self) -> int:
        return self._revision[0]

    @property
    def person(self) -> Person:
        """Who is acting: the signed-in member this store is bound to, else the one local user."""
        return self._person or local_person(current_user())

    @classmethod
    def open(cls, path: Path | str | None = None, migrations=None, wait: float = 0.0) -> Self:
        """Open (and migrate) the file. If another process holds it, retry for up to `wait` seconds,
        then raise DatabaseBusy: a short command run next to the app gets its turn once the file is free."""
        path = Path(path) if path is not None else database_path()
        try:
            _check_usable(path)
        except PermissionError:
            raise _unusable(path, "cannot be read by this user") from None
        deadline = time.monotonic() + wait
        while True:
            try:
                conn = duckdb.connect(str(path))
                break
            except duckdb.IOException as exc:
                text = str(exc)
                if not _held_elsewhere(exc):
                    raise _unusable(path, _write_problem(text)) from None
                if time.monotonic() >= deadline:
                    holder = re.search(r"PID \d+", text)
                    raise DatabaseBusy(path, holder.group(0) if holder else "", waited=wait) from None
                time.sleep(BUSY_RETRY_SECONDS)
        store = cls(conn, path)
        store.migrate(MIGRATIONS if migrations is None else migrations)
        return store

    @classmethod
    def memory(cls, migrations=None) -> Self:
        store = cls(duckdb.connect(":memory:"), None)
        store.migrate(MIGRATIONS if migrations is None else migrations)
        return store

    def close(self) -> None:
        self._conn.close()

    def migrate(self, migrations) -> list[str]:
        """Apply the steps this database does not have yet, each in its own transaction."""
        with self.transaction() as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migration (name VARCHAR PRIMARY KEY, "
                "applied_at TIMESTAMP NOT NULL)"
            )
            done = {r["name"] for r in cur.rows("SELECT name FROM schema_migration")}
        applied = []
        for name, statements in migrations:
            if name in done:
                continue
            with self.transaction() as cur:
                for sql in statements:
                    cur.execute(sql)
                insert(cur, "schema_migration", ["name", "applied_at"], [name, now()])
            applied.append(name)
        return applied

    def applied_migrations(self) -> list[str]:
        return [r["name"] for r in self.cursor().rows("SELECT name FROM schema_migration ORDER BY name")]

    def cursor(self) -> Cursor:
        """This thread's read cursor."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._local.cursor = Cursor(self._conn.cursor())
        return cur

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """All or nothing: commits when the block ends, rolls back if it raises."""
        with self._write_lock:
            raw = self._conn.cursor()
            raw.begin()
            try:
                yield Cursor(raw)
                raw.commit()
                self._revision[0] += 1
            except BaseException:
                raw.rollback()
                raise
            finally:
                raw.close()

    def _list_children(self, model: type[Model], parent_id: int, cur: Cursor | None = None) -> list:
        table, cols, parent = _CHILD_TABLES[model]
        rows = (cur or self.cursor()).rows(
            f"SELECT id, {parent}, {quoted(cols)} FROM {table} "
            f"WHERE {parent} = ? AND deleted_at IS NULL ORDER BY position, id",
            [parent_id],
        )
        return [model.model_validate(r) for r in rows]

    def _replace_children(
        self, cur: Cursor, model: type[Model], parent_id: int, items: Sequence
    ) -> list[int]:
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
        return ids

    def _require(self, cur: Cursor, table: str, row_id: int | None) -> None:
        if row_id is None or not cur.scalar(f"SELECT count(*) FROM {table} WHERE id = ?", [row_id]):
            raise NotFound(f"There is no {table} with id {row_id}.")

    def _record(self, cur: Cursor, deal_id: int, kind: str, subject: str, old: str | None, new: str | None,
                note: str = "") -> None:  # fmt: skip
        self._audit(cur, deal_id, [Change(kind, subject, old, new, note=note)])

    def _audit(self, cur: Cursor, deal_id: int | None, changes: Sequence[Change]) -> None:
        """Record changes in the caller's transaction: the history and the data commit together. Changes
        to the team itself (members, roles) have no deal."""
        if not changes:
            return
        first, at, who = cur.next_id("deal_event"), now(), self.person.email
        cur.raw.executemany(
            "INSERT INTO deal_event (id, deal_id, kind, subject, old_value, new_value, note, changed_at, changed_by, "
            "private) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[first + n, deal_id, c.kind, c.subject, c.old, c.new, c.note, at, who, c.private]
             for n, c in enumerate(changes)],
        )  # fmt: skip

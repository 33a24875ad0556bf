"""Where DuckDB and PostgreSQL differ, and nowhere else: connecting, cursors, handing out ids, bulk
loads, row locks, the revision other processes see, and the two spellings the schema needs.

The store writes one SQL for both (`?` and `$name` parameters, as DuckDB reads them); the PostgreSQL
cursor translates the parameters for psycopg. DuckDB is the embedded default (one file, one process);
PostgreSQL is for a team that runs several app servers and the command line against one database.
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
import time
import uuid
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import duckdb
import pandas as pd

from .errors import DatabaseBusy, DatabaseUnreachable, DatabaseUnusable, masked
from .integrity import Constrain, add_on_postgres, rebuild_on_duckdb
from .migrations import TABLES_WITH_IDS

BUSY_RETRY_SECONDS = 0.25

# Who is acting, as the database's second wall reads it: (e-mail, may read every deal).
Identity = tuple[str, bool]
EVERYONE: Identity = ("", True)


def _for_engine(statement, kind: str) -> str | None:
    engine = getattr(statement, "engine", None)
    if engine is None:
        return statement
    return statement.sql if engine == kind else None


POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_KEYWORDS = re.compile(r"^\s*[A-Za-z_]+\s*=")  # libpq's "host=… dbname=… password=…"


def is_postgres(location: str | Path) -> bool:
    return isinstance(location, str) and location[:13].lower().startswith(POSTGRES_SCHEMES)


def checked_location(location: str | Path) -> str | Path:
    """A database location as the cockpit takes it: a DuckDB file path, or a postgresql:// (postgres://)
    URL in any letter case, written with a lower-case scheme. Anything else is refused before it can
    become a file named after a password: another scheme (postgresql+psycopg://, mysql://), a libpq
    keyword string, a URL libpq cannot read (an unknown ?parameter, a port out of range, a broken [::1]).
    The refusal is one sentence with the password masked (DatabaseUnusable)."""
    if isinstance(location, Path):
        return location
    text = location.strip()
    scheme = _SCHEME.match(text)

    def refused(why: str) -> DatabaseUnusable:
        return DatabaseUnusable(text, text, f"COCKPIT_DB {{file}}: {why}. Give a DuckDB file path or a "
                                "postgresql://user:password@host:port/database URL.")  # fmt: skip

    if scheme is None:
        if _KEYWORDS.match(text):
            raise refused("is a connection string of key=value settings")
        if not text:
            raise refused("is empty")
        return text
    if scheme.group(1).lower() not in ("postgresql", "postgres"):
        raise refused(f"is a {scheme.group(1)}:// URL, which the cockpit does not use")
    url = scheme.group(1).lower() + text[scheme.end(1) :]
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict

    try:
        settings = conninfo_to_dict(url)
    except ProgrammingError as exc:
        raise refused(f"is not a URL PostgreSQL can read ({_first_line(exc)})") from None
    port = str(settings.get("port") or "5432")
    if not all(p.isdigit() and 0 < int(p) < 65536 for p in port.split(",")):
        raise refused(f"has the port {port}, which is not a number from 1 to 65535")
    return url


class Cursor:
    """Every call site binds parameters and gets rows as dicts, whatever the engine."""

    def execute(self, sql: str, params: Sequence[Any] | dict | None = None) -> None:
        raise NotImplementedError

    def fetch(self, sql: str, params: Sequence[Any] | dict | None = None) -> tuple[list, list[tuple]]:
        """(column descriptions, rows)."""
        raise NotImplementedError

    def rows(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[dict[str, Any]]:
        description, rows = self.fetch(sql, params)
        names = [d[0] for d in description]
        return [dict(zip(names, r, strict=True)) for r in rows]

    def scalar(self, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
        rows = self.fetch(sql, params)[1]
        return rows[0][0] if rows else None

    def df(self, sql: str, params: Sequence[Any] | dict | None = None) -> pd.DataFrame:
        raise NotImplementedError

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        raise NotImplementedError

    def next_id(self, table: str) -> int:
        """A new id for a row of `table`, which no other writer gets."""
        return self.next_ids(table, 1)[0]

    def next_ids(self, table: str, n: int) -> list[int]:
        """`n` new ids for rows of `table` (ascending), which no other writer gets."""
        raise NotImplementedError

    def bulk_insert(self, table: str, frame: pd.DataFrame) -> None:
        """Append a frame whose columns are named as the table's."""
        raise NotImplementedError

    def lock_deal(self, deal_id: int) -> bool:
        """Hold the deal's row until this transaction ends: a read-check-write on the deal (the optimistic
        check on log corrections) cannot interleave with another writer's. False: no such deal.
        (DuckDB has one writer per process and one process per file: finding the row is enough.)"""
        return bool(self.fetch("SELECT id FROM deal WHERE id = ?", [deal_id])[1])

    def change_member(self, op: str, **values: Any) -> None:
        """One of the member changes the store makes (migrations.MEMBER_CHANGES), run as it stands."""
        from .migrations import MEMBER_CHANGES

        sql = MEMBER_CHANGES[op]
        self.execute(sql, {k: v for k, v in values.items() if f"${k}" in sql})

    def serialize(self, name: str) -> None:
        """One writer at a time for `name` until this transaction ends (a check that spans tables)."""

    def snapshot(self) -> None:
        """Every read of this transaction sees the database as of its start (first statement only).
        A DuckDB transaction always does."""


# ---- DuckDB: the embedded default --------------------------------------------------------------------
class DuckCursor(Cursor):
    def __init__(self, raw: duckdb.DuckDBPyConnection):
        self.raw = raw

    def execute(self, sql, params=None):
        self.raw.execute(sql, params or [])

    def fetch(self, sql, params=None):
        # fetchall, not fetchone: DuckDB 2 refuses more work on a cursor with a half-read result.
        res = self.raw.execute(sql, params or [])
        return res.description, res.fetchall()

    def df(self, sql, params=None):
        return self.raw.execute(sql, params or []).df()

    def many(self, sql, rows):
        self.raw.executemany(sql, [list(r) for r in rows])

    def next_ids(self, table, n):
        # Ids are handed out under the in-process write lock, and the file lock keeps other processes out.
        first = int(self.scalar(f"SELECT coalesce(max(id), 0) + 1 FROM {table}"))
        return list(range(first, first + n))

    def bulk_insert(self, table, frame):
        self.raw.register("_bulk_frame", frame)
        try:
            self.raw.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _bulk_frame")
        finally:
            self.raw.unregister("_bulk_frame")


def _unusable(path: Path, why: str) -> DatabaseUnusable:
    return DatabaseUnusable(str(path), path.name, f"The deal database {{file}} {why}; it was left unchanged. "
                            "Set COCKPIT_DB to another file (a new name starts an empty cockpit).")  # fmt: skip


def damaged(path: Path, exc: BaseException) -> DatabaseUnusable:
    """A DuckDB file that opened but cannot be read (cut short by a full disk or a failed copy)."""
    return _unusable(
        path, f"is damaged and cannot be read ({_first_line(exc)[:160]}); restore it from a backup"
    )


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


_HEADER_BYTES = 3 * 4096  # DuckDB's file header and its two database headers, before the first block


def _check_whole(conn: duckdb.DuckDBPyConnection, path: Path) -> None:
    """A file too short for the blocks its header says are in use was cut short (a full disk, a failed
    copy): refuse it at once, not at the first read that happens to reach a missing block, maybe
    mid-meeting. (Free blocks at the end are not counted: DuckDB may leave them out of the file.)"""
    try:
        blocks, block_size = conn.execute(
            "SELECT used_blocks, block_size FROM pragma_database_size()"
        ).fetchall()[0]
        needed = _HEADER_BYTES + int(blocks) * int(block_size)
        held = path.stat().st_size
    except (duckdb.Error, OSError, TypeError, IndexError) as exc:
        conn.close()
        raise damaged(path, exc) from None
    if held < needed:
        conn.close()
        raise damaged(
            path, RuntimeError(f"cut short: its blocks in use need {needed:,} bytes, the file holds {held:,}")
        )


def _check_usable(path: Path) -> None:
    """Refuse, before anything is written, a path that is not a cockpit database or cannot be written."""
    if path.is_dir():
        raise _unusable(path, "is a folder, not a file")
    if not path.parent.is_dir():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _unusable(path, f"cannot be created here ({(exc.strerror or str(exc)).lower()})") from None
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


class DuckBackend:
    """One connection per process; each thread reads through its own cursor (DuckDB connections are not
    thread-safe, Streamlit sessions are threads); writes are serialised in-process."""

    kind = "duckdb"

    def __init__(self, conn: duckdb.DuckDBPyConnection, path: Path | None):
        self._conn = conn
        self.path = path
        self.location = str(path) if path is not None else ":memory:"
        self._write_lock = threading.RLock()
        self._local = threading.local()
        # Only this process can write the file (DuckDB's lock), so a revision counted here is the file's;
        # it is this opening's count, so what is cached by it names this opening too.
        self._revision = 0
        self.revision_source = f"{self.location} opened as {uuid.uuid4().hex}"

    @classmethod
    def open(cls, path: Path, wait: float = 0.0) -> DuckBackend:
        """If another process holds the file, retry for up to `wait` seconds, then raise DatabaseBusy."""
        try:
            _check_usable(path)
        except PermissionError:
            raise _unusable(path, "cannot be read by this user") from None
        deadline = time.monotonic() + wait
        while True:
            try:
                conn = duckdb.connect(str(path))
            except duckdb.IOException as exc:
                text = str(exc)
                if not _held_elsewhere(exc):
                    raise _unusable(path, _write_problem(text)) from None
                if time.monotonic() >= deadline:
                    holder = re.search(r"PID \d+", text)
                    raise DatabaseBusy(
                        str(path), path.name, holder.group(0) if holder else "", waited=wait
                    ) from None
                time.sleep(BUSY_RETRY_SECONDS)
                continue
            _check_whole(conn, path)
            return cls(conn, path)

    @classmethod
    def memory(cls) -> DuckBackend:
        return cls(duckdb.connect(":memory:"), None)

    def ddl(self, statement) -> str | None:
        """The SQL to run for a migration statement here, or None when it is another engine's alone."""
        return _for_engine(statement, self.kind)

    def constrain(self, cur: Cursor, step: Constrain) -> None:
        """DuckDB adds a CHECK or a foreign key only when a table is created: the table is made again."""
        rebuild_on_duckdb(cur, step)

    @property
    def shown(self) -> str:
        return self.path.name if self.path is not None else self.location

    def revision(self) -> int:
        return self._revision

    def read_cursor(self, identity: Identity = EVERYONE) -> Cursor:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._local.cursor = DuckCursor(self._conn.cursor())
        return cur

    @contextmanager
    def transaction(self, identity: Identity = EVERYONE, changes_screens: bool = True) -> Iterator[Cursor]:
        with self._write_lock:
            raw = self._conn.cursor()
            raw.begin()
            try:
                yield DuckCursor(raw)
                raw.commit()
                if changes_screens:
                    self._revision += 1
            except duckdb.IOException as exc:  # a full disk, a file gone: DuckDB may have ended it already
                with contextlib.suppress(duckdb.Error):
                    raw.rollback()
                where = self.path or Path("(in memory)")
                if "could not read" in str(exc).lower():  # cut short (a failed copy): the file, not the disk
                    raise damaged(where, exc) from None
                raise DatabaseUnusable(
                    str(where), where.name, f"The deal database {{file}} could not be written "
                    f"({_first_line(exc)[:120]}); nothing of this change was saved. Free space on its disk (or "
                    "check the file), then try again.",
                ) from None  # fmt: skip
            except BaseException:
                with contextlib.suppress(
                    duckdb.Error
                ):  # the error that ended the transaction is the one to tell
                    raw.rollback()
                raise
            finally:
                raw.close()

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        with self._write_lock:  # one process per file: the in-process lock is the whole story
            yield

    def close(self) -> None:
        self._conn.close()


# ---- PostgreSQL: one database for a team ---------------------------------------------------------------
_TOKENS = re.compile(r"'[^']*'|\"[^\"]*\"|\?|\$([a-z_]+)|%")


@functools.lru_cache(maxsize=512)
def to_psycopg(sql: str) -> str:
    """The store's parameters (`?`, `$name`) as psycopg's (`%s`, `%(name)s`); a literal `%` doubled."""

    def one(m: re.Match) -> str:
        token = m.group(0)
        if token[0] in "'\"":
            return token.replace("%", "%%")
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        return f"%({m.group(1)})s"

    return _TOKENS.sub(one, sql)


# Type codes (PostgreSQL OIDs) -> how DuckDB's .df() types the same column, so screens see one frame.
_INTS = {20: "Int64", 21: "Int16", 23: "Int32"}
_FLOATS = {700, 701, 1700}
_DATES = {1082, 1114, 1184}


def _frame(description, rows: list[tuple]) -> pd.DataFrame:
    names = [d.name for d in description]
    frame = pd.DataFrame.from_records(rows, columns=names) if rows else pd.DataFrame(columns=names)
    for d in description:
        col = frame[d.name]
        if d.type_code in _INTS:
            nullable = _INTS[d.type_code]
            frame[d.name] = col.astype(nullable if col.isna().any() else nullable.lower())
        elif d.type_code in _FLOATS:
            frame[d.name] = col.astype("float64")
        elif d.type_code == 16:
            frame[d.name] = col.astype("boolean" if col.isna().any() else "bool")
        elif d.type_code in _DATES:
            frame[d.name] = pd.to_datetime(col).astype("datetime64[us]")
    return frame


def _plain(value: Any) -> Any:
    """A pandas or numpy value as the Python value psycopg writes."""
    if value is None or value is pd.NaT or (not isinstance(value, str | bytes) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


def _unreachable(exc: BaseException) -> bool:
    import psycopg

    if isinstance(exc, psycopg.OperationalError):
        sqlstate = getattr(exc, "sqlstate", None)
        return sqlstate is None or sqlstate.startswith(("08", "57P"))  # connection lost, server shutting down
    return False


class PgCursor(Cursor):
    """A transaction's cursor holds its connection; a read cursor (conn None) borrows one per statement."""

    def __init__(self, backend: PostgresBackend, conn=None, identity: Identity = EVERYONE):
        self._backend = backend
        self._conn = conn
        self._identity = identity

    @contextmanager
    def _cursor(self):
        if self._conn is not None:
            with self._conn.cursor() as cur:
                yield cur
            return
        with self._backend.connection(self._identity) as conn, conn.cursor() as cur:
            yield cur

    @staticmethod
    def _run(cur, sql, params) -> None:
        # Without parameters psycopg sends the text as it is (so a literal % stays single).
        cur.execute(to_psycopg(sql), params) if params else cur.execute(sql)

    def change_member(self, op: str, **values: Any) -> None:
        """Through the owner's function: the app login may read the member table but not write it."""
        from .migrations import MEMBER_CHANGE_VALUES

        self.execute(
            "SELECT cockpit_member_change($op, $email, $role, CAST($at AS TIMESTAMP), $by, $iss, $sub)",
            {"op": op, **{k: values.get(k) for k in MEMBER_CHANGE_VALUES}},
        )

    def execute(self, sql, params=None):
        with self._cursor() as cur:
            self._run(cur, sql, params)

    def fetch(self, sql, params=None):
        with self._cursor() as cur:
            self._run(cur, sql, params)
            return list(cur.description or []), cur.fetchall()

    def df(self, sql, params=None):
        with self._cursor() as cur:
            self._run(cur, sql, params)
            return _frame(cur.description, cur.fetchall())

    def many(self, sql, rows):
        with self._cursor() as cur:
            cur.executemany(to_psycopg(sql), [[_plain(v) for v in r] for r in rows])

    def next_ids(self, table, n):
        # From the table's sequence: no lock, so writers to different deals never wait on each other for ids.
        with self._cursor() as cur:
            cur.execute("SELECT nextval(%s) FROM generate_series(1, %s) ORDER BY 1", [f"{table}_ids", n])
            return [int(r[0]) for r in cur.fetchall()]

    BULK_ROWS = 20_000

    def bulk_insert(self, table, frame):
        # One INSERT … SELECT FROM unnest(column arrays) per chunk: as fast as COPY here, and unlike COPY
        # it runs under row-level security (every row still passes the table's policies).
        with self._cursor() as cur:
            cur.execute(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped",
                [table],
            )
            types = dict(cur.fetchall())
            columns = list(frame.columns)
            statement = (
                f"INSERT INTO {table} ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)}) "
                f"SELECT * FROM unnest({', '.join(f'%s::{types[c]}[]' for c in columns)})"
            )
            for start in range(0, len(frame), self.BULK_ROWS):
                chunk = frame.iloc[start : start + self.BULK_ROWS]
                cur.execute(statement, [[_plain(v) for v in chunk[c].tolist()] for c in columns])
            if "id" in columns and table in TABLES_WITH_IDS:  # ids chosen here: the sequence moves past them
                cur.execute("SELECT cockpit_ids_past(%s)", [table])

    def lock_deal(self, deal_id):
        return bool(self.fetch("SELECT id FROM deal WHERE id = ? FOR UPDATE", [deal_id])[1])

    def serialize(self, name):
        self.execute("SELECT pg_advisory_xact_lock(hashtext(?))", [f"cockpit.{name}"])

    def snapshot(self):
        self.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


class PostgresBackend:
    """Connections from a small pool of its own (no background threads); every write one transaction;
    the revision is a sequence bumped after each commit, so every process sees every other's writes."""

    kind = "postgresql"
    POOL_SIZE = 8
    CONNECT_TIMEOUT = 3

    def __init__(self, url: str):
        self.location = url
        self.path = None
        self.revision_source = url  # one sequence in the database, whichever process reads it
        parts = urlsplit(url)
        self.shown = (
            f"{parts.hostname or 'localhost'}{':' + str(parts.port) if parts.port else ''}{parts.path}"
        )
        self._idle: list = []
        # What each pooled connection last said (set again only when it changes); weak, keyed by the connection
        # itself: a connection dropped or replaced takes its entry with it, and a new one never inherits it.
        self._identities: weakref.WeakKeyDictionary[Any, Identity] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    @classmethod
    def open(cls, url: str) -> PostgresBackend:
        backend = cls(url)
        # Unreachable or refused: said now, not on the first screen. The revision lives beside the schema
        # (a sequence is not transactional, which is what lets it be bumped after the commit).
        with backend.connection() as conn:
            if conn.execute("SELECT to_regclass('cockpit_revision')").fetchone()[0] is None:
                conn.execute("CREATE SEQUENCE IF NOT EXISTS cockpit_revision")
        return backend

    def _connect(self):
        import psycopg
        from psycopg.types.numeric import FloatLoader

        try:
            conn = psycopg.connect(self.location, autocommit=True, connect_timeout=self.CONNECT_TIMEOUT)
        except psycopg.OperationalError as exc:
            text = str(exc).lower()
            if "password" in text or "authentication" in text or "does not exist" in text or "role" in text:
                raise DatabaseUnusable(
                    masked(self.location), self.shown,
                    f"The shared deal database {{file}} refused the cockpit ({_first_line(exc)}); check "
                    "COCKPIT_DB's user, password and database name.",
                ) from None  # fmt: skip
            raise DatabaseUnreachable(masked(self.location), self.shown, _first_line(exc)) from None
        # Sums of integers come back as numeric; the store reads numbers as floats, as from DuckDB.
        conn.adapters.register_loader("numeric", FloatLoader)
        return conn

    @contextmanager
    def connection(self, identity: Identity = EVERYONE):
        """A pooled connection that says who is acting (set again only when it changes)."""
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None or conn.closed or conn.broken:
            conn = self._connect()
        try:
            if self._identities.get(conn) != identity:
                conn.execute(
                    "SELECT set_config('cockpit.person', %s, false), set_config('cockpit.all_deals', %s, false)",
                    [identity[0], "on" if identity[1] else "off"],
                )
                self._identities[conn] = identity
            yield conn
        except BaseException as exc:
            if _unreachable(exc):
                conn.close()
                raise DatabaseUnreachable(masked(self.location), self.shown, _first_line(exc)) from None
            raise
        finally:
            if not conn.closed and not conn.broken:
                with self._lock:
                    if len(self._idle) < self.POOL_SIZE:
                        self._idle.append(conn)
                        conn = None
                if conn is not None:
                    conn.close()

    def ddl(self, statement) -> str | None:
        sql = _for_engine(statement, self.kind)
        return None if sql is None else re.sub(r"\bDOUBLE\b", "DOUBLE PRECISION", sql)

    def constrain(self, cur: Cursor, step: Constrain) -> None:
        add_on_postgres(cur, step)

    def revision(self) -> int:
        return int(self.read_cursor().scalar("SELECT last_value FROM cockpit_revision"))

    def read_cursor(self, identity: Identity = EVERYONE) -> Cursor:
        return PgCursor(self, identity=identity)

    @contextmanager
    def transaction(self, identity: Identity = EVERYONE, changes_screens: bool = True) -> Iterator[Cursor]:
        with self.connection(identity) as conn:
            with conn.transaction():
                yield PgCursor(self, conn, identity)
            # After the commit, never before: whoever sees the new revision sees the data.
            if changes_screens:
                conn.execute("SELECT nextval('cockpit_revision')")

    def grant(self, role: str) -> None:
        """Let `role` (the app servers' and commands' login, which does not own the tables) use the
        cockpit: read and write rows, within the row-level policies; never change the schema."""
        import psycopg
        from psycopg import sql

        from ..models import InvalidInput

        who = sql.Identifier(role)
        try:
            with self.connection() as conn, conn.transaction():
                schema = sql.Identifier(conn.execute("SELECT current_schema()").fetchone()[0])
                conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, who))
                conn.execute(
                    sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
                        schema, who
                    )
                )
                # History and the schema's record are written once and never changed by the app: no UPDATE
                # or DELETE on them, whatever a bug (or whoever holds this login) attempts.
                conn.execute(sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON deal_event FROM {}").format(who))
                conn.execute(sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON access_event FROM {}").format(who))
                # Members change only through the owner's function (the store's five member changes).
                conn.execute(sql.SQL("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON member FROM {}").format(who))
                conn.execute(
                    sql.SQL("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migration FROM {}").format(who)
                )
                # nextval only: setval (UPDATE) could wind the revision back, and other servers would miss writes.
                conn.execute(sql.SQL("REVOKE ALL ON SEQUENCE cockpit_revision FROM {}").format(who))
                conn.execute(sql.SQL("GRANT USAGE, SELECT ON SEQUENCE cockpit_revision TO {}").format(who))
                # New ids: nextval (USAGE) on each table's sequence, never setval (another row's id).
                for table in TABLES_WITH_IDS:
                    conn.execute(sql.SQL(f"REVOKE ALL ON SEQUENCE {table}_ids FROM {{}}").format(who))
                    conn.execute(sql.SQL(f"GRANT USAGE ON SEQUENCE {table}_ids TO {{}}").format(who))
                for function in (
                    "cockpit_on_deal(BIGINT)",
                    "cockpit_counterparty_unused(BIGINT)",
                    "cockpit_ids_past(TEXT)",
                    "cockpit_member_change(TEXT, TEXT, TEXT, TIMESTAMP, TEXT, TEXT, TEXT)",
                ):
                    conn.execute(sql.SQL(f"GRANT EXECUTE ON FUNCTION {function} TO {{}}").format(who))
        except psycopg.Error as exc:  # no such role, or not the owner: PostgreSQL's own words, one line
            raise InvalidInput(
                [
                    f"Role: PostgreSQL refused the grant ({_first_line(exc)}); run it as the tables' "
                    "owner, for an existing login role"
                ]
            ) from None

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        # A session-level advisory lock on a connection of its own, held across the work's transactions.
        with self.connection() as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", [f"cockpit.{name}"])
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", [f"cockpit.{name}"])

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0].rstrip(".") if str(exc).strip() else type(exc).__name__

"""A whole cockpit from one database to another (a pilot's DuckDB file to the team's PostgreSQL, or back):
every table, all or nothing, and the counts checked equal on both sides before the copy commits."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from .backends import Cursor
from .engine import Engine, refresh_latest_assessments, refresh_totals
from .errors import DatabaseProblem
from .facts import judge_batnas
from .integrity import ROW_KEY

# Every table the migrations create, apart from the migration record itself (the target has its own) and
# what is derived from them (rebuilt on the target), parents before children as the foreign keys need.
# tests/unit/test_copy.py fails when a migration adds a table that is in neither list.
TABLES = (
    "counterparty", "stakeholder", "deal", "evidence", "issue", "alternative", "power_assessment",
    "power_score", "concession", "meso_bundle", "meso_term", "meso_pick", "deal_event", "member",
    "deal_person", "approval", "review", "library_item", "library_use", "anchor_worksheet", "access_event",
    "single_text", "text_version", "text_clause", "commitment", "escalation_step",
)  # fmt: skip
DERIVED = ("concession_totals", "latest_assessment", "deal_batna")
# Rows a copy reads and writes at a time: the memory it needs stays flat however large the cockpit.
PART_ROWS = 50_000


class TargetNotEmpty(DatabaseProblem):
    """The copy goes into an empty cockpit only: it never merges two."""

    def __init__(self, target: Engine, rows: int):
        self.rows = rows
        super().__init__(
            target.location,
            target.location,
            f"The target {{file}} already holds {rows:,} row{'s' if rows != 1 else ''}; nothing was copied. "
            "Copy into a new, empty database (a new file name, or a new PostgreSQL database).",
        )


def table_counts(store: Engine) -> dict[str, int]:
    cur = store.cursor()
    return {t: int(cur.scalar(f"SELECT count(*) FROM {t}")) for t in TABLES}


def table_in_parts(cur: Cursor, table: str, part_rows: int | None = None) -> Iterator[pd.DataFrame]:
    """A table read in parts of about `part_rows` rows, by ranges of its key (the rows of one key value stay
    in one part), in the caller's transaction. A table keyed by text (members) is read whole: it is small."""
    part_rows = part_rows or PART_ROWS
    key = ROW_KEY.get(table, "id")
    rows = int(cur.scalar(f"SELECT count(*) FROM {table}"))
    if not rows:
        return
    if rows <= part_rows or key == "email":
        yield cur.df(f"SELECT * FROM {table}")
        return
    low, high = (int(v) for v in cur.fetch(f"SELECT min({key}), max({key}) FROM {table}")[1][0])
    step = max(1, (high - low + 1) * part_rows // rows)
    for start in range(low, high + 1, step):
        part = cur.df(f"SELECT * FROM {table} WHERE {key} >= ? AND {key} < ?", [start, start + step])
        if not part.empty:
            yield part


def copy_cockpit(source: Engine, target: Engine, replace: bool = False) -> dict[str, int]:
    """Copy every row of `source` into the empty `target` in one transaction; returns rows per table.
    The source is read as one snapshot; the target's counts are compared with it before the commit.
    With `replace`, the target's rows are removed first in the same transaction (a restore): it holds the
    source's rows and nothing else, or, if anything fails, exactly what it held before."""
    with target.transaction() as out:
        present = sum(int(out.scalar(f"SELECT count(*) FROM {t}")) for t in TABLES)
        if present and not replace:
            raise TargetNotEmpty(target, present)
        if present:  # (PostgreSQL only: a DuckDB file is restored by replacing the file, see restore_cockpit)
            for table in (*DERIVED, *reversed(TABLES)):  # children before the parents they name
                out.execute(f"DELETE FROM {table}")
        with source.transaction() as src:
            src.snapshot()
            counts = {}
            for table in TABLES:
                counts[table] = 0
                for part in table_in_parts(src, table):
                    out.bulk_insert(table, part)
                    counts[table] += len(part)
        refresh_totals(out, None, lines_judged=True)  # each line's facts came with it
        refresh_latest_assessments(out, None)
        judge_batnas(out, None)
        copied = {t: int(out.scalar(f"SELECT count(*) FROM {t}")) for t in TABLES}
        if copied != counts:  # cannot happen unless a table changed shape: then nothing is committed
            differ = ", ".join(f"{t} {counts[t]} → {copied[t]}" for t in TABLES if copied[t] != counts[t])
            raise RuntimeError(f"The copy did not match the source ({differ}); nothing was copied.")
    return counts


def backup_cockpit(source: Engine, path: Path) -> dict[str, int]:
    """A consistent snapshot of `source` into a new DuckDB file only its owner may read (0600). An existing
    file is never overwritten; if the backup fails, the file it started is removed."""
    from ..models import InvalidInput

    for taken in (path, path.with_name(path.name + ".wal")):
        if taken.exists():
            raise InvalidInput(
                [f"Backup file: {taken} already exists; name a new file (a backup never overwrites one)"]
            )
    if not path.parent.is_dir():
        raise InvalidInput([f"Backup file: the folder {path.parent} does not exist"])
    from . import Store

    mask = os.umask(0o077)  # the file and its write-ahead log are made private from their first byte
    try:
        target = Store.open(path)
    finally:
        os.umask(mask)
    try:
        counts = copy_cockpit(source, target)
    except BaseException:
        target.close()
        for made in (path, path.with_name(path.name + ".wal")):
            made.unlink(missing_ok=True)
        raise
    target.close()
    path.chmod(0o600)
    return counts


@contextmanager
def opened_backup(path: Path) -> Iterator[Engine]:
    """A backup file opened for reading without changing it: a private copy is opened (and brought to this
    version's schema, for a backup an earlier version took), never the file itself."""
    from ..models import InvalidInput
    from . import Store

    if not path.is_file():
        raise InvalidInput([f"Backup file: there is no file at {path}"])
    with tempfile.TemporaryDirectory(prefix="cockpit-restore-") as folder:
        copy = Path(folder) / "backup.duckdb"
        shutil.copyfile(path, copy)
        store = Store.open(copy)
        try:
            yield store
        finally:
            store.close()


def restore_cockpit(
    backup: Engine, location: str, replace: bool, wait: float = 0.0
) -> tuple[str, dict[str, int]]:
    """Put the backup's rows into the database at `location`, all or nothing; a database holding rows only
    with `replace`. Returns where it went (shown) and rows per table, counted equal on both sides.

    PostgreSQL: one transaction removes every row and copies the backup's (the tables' owner only).
    DuckDB: the backup is copied into a new file beside the database, which then takes its place in one
    rename (DuckDB checks a foreign key against rows deleted earlier in the same transaction, so it cannot
    empty its tables and refill them in one)."""
    from . import Store
    from .backends import is_postgres

    if is_postgres(location):
        target = Store.open(location)
        try:
            return target.location, copy_cockpit(backup, target, replace=replace)
        finally:
            target.close()
    path = Path(location)
    current = Store.open(path, wait=wait)  # another program holding it: busy, and nothing is touched
    try:
        present = sum(int(current.cursor().scalar(f"SELECT count(*) FROM {t}")) for t in TABLES)
        if present and not replace:
            raise TargetNotEmpty(current, present)
    finally:
        current.close()
    fresh = path.with_name(path.name + ".restoring")
    for leftover in (fresh, fresh.with_name(fresh.name + ".wal")):
        leftover.unlink(missing_ok=True)  # a restore cut short before: its own file, never the database
    target = Store.open(fresh)
    try:
        counts = copy_cockpit(backup, target)
    except BaseException:
        target.close()
        fresh.unlink(missing_ok=True)
        raise
    target.close()
    fresh.chmod(path.stat().st_mode & 0o777)
    os.replace(fresh, path)
    return str(path), counts

"""`cockpit backup` and `cockpit restore`: a snapshot only its owner reads, never written over, and a
restore that puts back every row of every table, all or nothing, on both engines."""

from __future__ import annotations

import hashlib
import re
import stat
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from core import cli
from core.demo import load_curated
from core.models import Concession
from core.store import Store
from core.store.copying import DERIVED, TABLES


def every_table(store: Store) -> dict[str, pd.DataFrame]:
    frames = {}
    for table in (*TABLES, *DERIVED):
        frame = store.cursor().df(f"SELECT * FROM {table}")
        frames[table] = frame.sort_values(list(frame.columns)).reset_index(drop=True) if len(frame) else frame
    return frames


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def cockpit(engine, db_path):
    """The curated demo in COCKPIT_DB (a file, or a PostgreSQL database as its owner)."""
    store = Store.open(str(db_path))
    load_curated(store)
    store.add_member("ada@example.com", "admin")
    yield store
    store.close()


def test_a_backup_is_private_and_a_restore_puts_back_every_row_of_every_table(cockpit, tmp_path, capsys):
    before = every_table(cockpit)
    backup = tmp_path / "monday.duckdb"
    assert cli.main(["backup", str(backup)]) == 0
    out = capsys.readouterr().out
    assert "the counts are equal on both sides" in out
    assert re.search(rf"^concession +{len(before['concession']):,}$", out, re.M)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    kept = digest(backup)

    # Tuesday's work, which the restore takes back: a line, a removed line, a member, a deal moved on.
    cockpit.concessions.add_concession(
        1, Concession(item="Tuesday", value_to_you=-500, logged_at=datetime(2026, 11, 24))
    )
    cockpit.concessions.remove_concession(1, cockpit.concessions.list_concessions(1)[0].id)
    cockpit.add_member("tom@example.com", "negotiator")
    cockpit.deals.advance_stage(2, "close", "moved on")
    assert every_table(cockpit)["concession"].shape != before["concession"].shape

    cockpit.close()  # the app stopped, as a DuckDB file needs (another process holding it: busy)
    assert cli.main(["restore", str(backup)]) == 2  # it holds rows: only with --replace
    assert "already holds" in capsys.readouterr().err
    assert cli.main(["restore", str(backup), "--replace"]) == 0
    assert "restored" in capsys.readouterr().out
    again = Store.open(cockpit.location)
    try:
        after = every_table(again)
    finally:
        again.close()
    for table in before:
        if table != "access_event":
            pd.testing.assert_frame_equal(after[table], before[table], check_dtype=False, obj=table)
    # The access log is the backup's and, after it, the restore itself.
    assert after["access_event"]["action"].tolist() == ["restored"]
    assert digest(backup) == kept  # reading a backup never changes it


def test_a_backup_never_overwrites_a_file(cockpit, tmp_path, capsys):
    taken = tmp_path / "taken.duckdb"
    taken.write_bytes(b"someone's file")
    assert cli.main(["backup", str(taken)]) == 2
    assert f"Backup file: {taken} already exists; name a new file" in capsys.readouterr().err
    assert taken.read_bytes() == b"someone's file"


def test_a_restore_that_fails_halfway_leaves_the_database_as_it_was(cockpit, engine, tmp_path, monkeypatch):
    from core.store.backends import DuckCursor, PgCursor

    backup = tmp_path / "b.duckdb"
    assert cli.main(["backup", str(backup)]) == 0
    cockpit.concessions.add_concession(
        1, Concession(item="Kept", value_to_you=-5, logged_at=datetime(2026, 11, 24))
    )
    before = every_table(cockpit)
    cursor = DuckCursor if engine == "duckdb" else PgCursor
    real = cursor.bulk_insert

    def fails_on_lines(self, table, frame):
        if table == "concession":
            raise OSError("disk full")
        real(self, table, frame)

    monkeypatch.setattr(cursor, "bulk_insert", fails_on_lines)
    assert cli.main(["restore", str(backup), "--replace"]) == 2
    monkeypatch.undo()
    again = Store.open(cockpit.location)
    try:
        after = every_table(again)
    finally:
        again.close()
    for table in before:
        pd.testing.assert_frame_equal(after[table], before[table], check_dtype=False, obj=table)
    assert (
        not list(tmp_path.glob("*.restoring*"))
        and not list(Path(str(cockpit.location)).parent.glob("*.restoring*"))
        if engine == "duckdb"
        else True
    )


def test_a_restore_from_a_file_that_is_not_there_or_not_a_backup_is_one_sentence(cockpit, tmp_path, capsys):
    assert cli.main(["restore", str(tmp_path / "nope.duckdb"), "--replace"]) == 2
    assert "Backup file: there is no file at" in capsys.readouterr().err
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database")
    assert cli.main(["restore", str(junk), "--replace"]) == 2
    err = capsys.readouterr().err
    assert "is not a DuckDB database" in err and "Traceback" not in err
    assert len(cockpit.deals.list_deals()) == 12


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_only_the_tables_owner_restores_a_shared_database(cockpit, db_path, tmp_path, monkeypatch, capsys):
    from tests.conftest import APP_ROLE

    backup = tmp_path / "b.duckdb"
    assert cli.main(["backup", str(backup)]) == 0
    cockpit.grant(APP_ROLE)
    monkeypatch.setenv("COCKPIT_DB", db_path.as_role(APP_ROLE))  # an app server's login
    lines = len(cockpit.concessions.list_concessions(1))
    assert cli.main(["restore", str(backup), "--replace"]) == 2
    err = capsys.readouterr().err
    assert "only the tables' owner may replace every row" in err and "Traceback" not in err
    assert len(cockpit.concessions.list_concessions(1)) == lines

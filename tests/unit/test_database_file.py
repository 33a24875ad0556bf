"""COCKPIT_DB naming something the cockpit must not or cannot use: one sentence naming the file and what
to do, exit 2 from the command line, a plain message on the page, and the file left exactly as it was."""

import hashlib
import os
import shutil
import subprocess
from datetime import datetime

import duckdb
import pytest

from core import cli
from core.settings import settings
from core.store import DatabaseUnusable, Store


def _foreign(path):
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE invoices (id INTEGER, amount DOUBLE)")
    con.execute("INSERT INTO invoices VALUES (1, 99.5)")
    con.close()


MAKERS = {
    "a folder": lambda p: p.mkdir(),
    "random bytes": lambda p: p.write_bytes(os.urandom(4096)),
    "a text file": lambda p: p.write_text("name,amount\nAcme,12\n"),
    "an empty file": lambda p: p.write_bytes(b""),
    "another program's DuckDB file": _foreign,
}
SAID = {
    "a folder": "is a folder, not a file",
    "random bytes": "is not a DuckDB database",
    "a text file": "is not a DuckDB database",
    "an empty file": "is not a DuckDB database",
    "another program's DuckDB file": "was made by another program",
}


def fingerprint(path):
    if path.is_dir():
        return sorted(os.listdir(path))
    return hashlib.sha256(path.read_bytes()).hexdigest(), sorted(os.listdir(path.parent))


@pytest.mark.parametrize("kind", MAKERS)
def test_the_command_refuses_it_in_one_sentence_and_changes_nothing(kind, tmp_path, monkeypatch, capsys):
    path = tmp_path / "cockpit.duckdb"
    MAKERS[kind](path)
    before = fingerprint(path)
    monkeypatch.setenv("COCKPIT_DB", str(path))
    assert cli.main(["deals"]) == cli.EXIT_INVALID
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and SAID[kind] in err and "COCKPIT_DB" in err
    assert "Traceback" not in err
    assert fingerprint(path) == before


def test_a_foreign_database_gains_no_table(tmp_path):
    path = tmp_path / "theirs.duckdb"
    _foreign(path)
    with pytest.raises(DatabaseUnusable):
        Store.open(path)
    con = duckdb.connect(str(path), read_only=True)
    tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
    con.close()
    assert tables == ["invoices"]


def test_an_empty_new_database_file_is_still_a_fresh_cockpit(tmp_path):
    path = tmp_path / "new.duckdb"
    duckdb.connect(str(path)).close()  # a DuckDB file with no tables yet
    store = Store.open(path)
    assert store.deals.is_empty() and store.applied_migrations()


def test_a_file_locked_against_changes_is_refused_and_left_unchanged(tmp_path, monkeypatch, capsys):
    path = tmp_path / "locked.duckdb"
    Store.open(path).close()
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
        pytest.skip("this file system cannot mark a file immutable")
    try:
        before = fingerprint(path)
        monkeypatch.setenv("COCKPIT_DB", str(path))
        assert cli.main(["deals"]) == cli.EXIT_INVALID
        err = capsys.readouterr().err
        assert "cannot be written" in err and str(path) in err and "Traceback" not in err
        assert fingerprint(path) == before
    finally:
        subprocess.run(["chattr", "-i", str(path)])


def test_a_read_only_disk_is_refused_plainly(tmp_path, monkeypatch, capsys):
    mount = tmp_path / "ro"
    mount.mkdir()
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro", "tmpfs", str(mount)], capture_output=True
    ).returncode:
        pytest.skip("this machine lets no test mount a read-only disk")
    try:
        monkeypatch.setenv("COCKPIT_DB", str(mount / "cockpit.duckdb"))
        assert cli.main(["deals"]) == cli.EXIT_INVALID
        err = capsys.readouterr().err
        assert "read-only" in err and "Traceback" not in err and os.listdir(mount) == []
    finally:
        subprocess.run(["umount", str(mount)])


@pytest.mark.parametrize("raw", ["abc", "-1", "nan", "inf", "1e30", "3601"])
def test_a_wait_that_is_not_a_sane_number_of_seconds_is_refused(raw):
    with pytest.raises(cli.InvalidInput, match="COCKPIT_WAIT: must be a number of seconds from 0 to 3600"):
        seconds = settings({"COCKPIT_WAIT": raw}).wait
        pytest.fail(f"read as {seconds} s")


@pytest.mark.parametrize(("raw", "seconds"), [("", 10.0), ("0", 0.0), (" 2.5 ", 2.5), ("3600", 3600.0)])
def test_a_sane_wait_is_read(raw, seconds):
    assert settings({"COCKPIT_WAIT": raw}).wait == seconds


def test_the_page_names_the_file_but_not_the_servers_folders(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    path = tmp_path / "secret-folder" / "cockpit.duckdb"
    path.parent.mkdir()
    _foreign(path)
    monkeypatch.setenv("COCKPIT_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    (error,) = at.error
    assert "cockpit.duckdb" in error.value.replace("\\", "") and "secret-folder" not in error.value


def test_a_cockpit_file_cut_short_is_refused_as_damaged_in_one_sentence(tmp_path, monkeypatch, capsys):
    from core.demo import load_curated

    path = tmp_path / "cut.duckdb"
    store = Store.open(path)
    load_curated(store)
    store.close()
    with path.open("r+b") as f:  # what a full disk or a failed copy leaves
        f.truncate(path.stat().st_size // 2)
    monkeypatch.setenv("COCKPIT_DB", str(path))
    assert cli.main(["deals"]) == cli.EXIT_INVALID
    err = capsys.readouterr().err
    assert err.startswith(f"cockpit: The deal database {path} is damaged and cannot be read (")
    assert "restore it from a backup" in err and "Traceback" not in err


def test_a_full_disk_mid_write_is_one_sentence_and_nothing_of_the_change_is_kept(tmp_path, monkeypatch):
    from core.models import Concession
    from core.store.backends import DuckCursor

    store = Store.open(tmp_path / "full.duckdb")
    from core.demo import load_curated

    load_curated(store)
    before = len(store.concessions.list_concessions(1))
    real = DuckCursor.many

    def disk_full(self, sql, rows):  # the history row is the write that does not fit
        raise duckdb.IOException('IO Error: Could not write file "full.duckdb": No space left on device')

    monkeypatch.setattr(DuckCursor, "many", disk_full)
    with pytest.raises(DatabaseUnusable) as full:
        store.concessions.add_concession(
            1, Concession(item="Pilot", you_give="pilot", logged_at=datetime(2026, 11, 25, 12))
        )
    assert str(full.value) == (
        f"The deal database {tmp_path / 'full.duckdb'} could not be written (IO Error: Could not write file "
        '"full.duckdb": No space left on device); nothing of this change was saved. Free space on its disk '
        "(or check the file), then try again."
    )
    monkeypatch.setattr(DuckCursor, "many", real)
    assert len(store.concessions.list_concessions(1)) == before  # the line went with its history row
    store.concessions.add_concession(
        1, Concession(item="Pilot", you_give="pilot", logged_at=datetime(2026, 11, 25, 12))
    )  # and the store goes on
    assert len(store.concessions.list_concessions(1)) == before + 1

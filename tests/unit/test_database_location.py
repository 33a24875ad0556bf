"""COCKPIT_DB is a DuckDB file path or a postgresql:// URL, nothing else, and no error path prints a
password: every location goes through `checked_location`, every printed error through `masked`."""

from pathlib import Path

import pytest

from core import cli
from core.store import DatabaseUnusable, Store
from core.store.backends import checked_location
from core.store.errors import masked

SECRET = "s3cr3t-Pa55"


@pytest.mark.parametrize(
    ("given", "taken"),
    [
        ("data/cockpit.duckdb", "data/cockpit.duckdb"),
        ("  /tmp/deals.duckdb ", "/tmp/deals.duckdb"),
        (
            "POSTGRESQL://app:pw@db.example.com:5432/cockpit",
            "postgresql://app:pw@db.example.com:5432/cockpit",
        ),
        ("Postgres://app@db/cockpit?sslmode=require", "postgres://app@db/cockpit?sslmode=require"),
        ("postgresql://app@[::1]:5432/cockpit", "postgresql://app@[::1]:5432/cockpit"),
    ],
)
def test_a_file_path_or_a_postgresql_url_in_any_letter_case_is_taken(given, taken):
    assert checked_location(given) == taken


@pytest.mark.parametrize(
    ("given", "says"),
    [
        (f"postgresql+psycopg://app:{SECRET}@db/cockpit", "is a postgresql+psycopg:// URL"),
        (f"mysql://app:{SECRET}@db/cockpit", "is a mysql:// URL"),
        (f"host=db dbname=cockpit password={SECRET}", "is a connection string of key=value settings"),
        (f"postgresql://app:{SECRET}@db/cockpit?foo=bar", 'invalid URI query parameter: "foo"'),
        (f"postgresql://app:{SECRET}@db:99999/cockpit", "has the port 99999"),
        (f"postgresql://app:{SECRET}@[::1:5432/cockpit", "is not a URL PostgreSQL can read"),
        (f"POSTGRESQL://app@db/cockpit?password={SECRET}&foo=1", 'invalid URI query parameter: "foo"'),
        ("   ", "is empty"),
    ],
)
def test_anything_else_is_refused_in_one_sentence_without_the_password(given, says):
    with pytest.raises(DatabaseUnusable) as refused:
        checked_location(given)
    assert says in str(refused.value) and says in refused.value.shown()
    assert SECRET not in str(refused.value) and SECRET not in refused.value.shown()
    assert str(refused.value).startswith("COCKPIT_DB ")


@pytest.mark.parametrize(
    "text",
    [
        f"postgresql://app:{SECRET}@db/cockpit",
        f"POSTGRESQL://app:{SECRET}@db/cockpit",
        f"postgresql+psycopg://app:{SECRET}@db/x",
        f"postgresql://app@db/x?sslmode=require&password={SECRET}",
        f"host=db password={SECRET} dbname=x",
        f"host=db password='{SECRET} with space' dbname=x",
        f"connection to postgresql://a:{SECRET}@h failed: PASSWORD = {SECRET}",
    ],
)
def test_masked_hides_every_password_spelling(text):
    assert SECRET not in masked(text) and "***" in masked(text)


def test_masked_hides_pgpassword_wherever_it_appears(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", SECRET)
    assert masked(f"role app failed with {SECRET}") == "role app failed with ***"


BAD_LOCATIONS = [
    f"POSTGRESQL://app:{SECRET}@127.0.0.1:1/cockpit",  # well formed, nobody answers
    f"postgresql://app:{SECRET}@127.0.0.1:1/cockpit?connect_timeout=1",
    f"postgresql+psycopg://app:{SECRET}@127.0.0.1/cockpit",
    f"host=127.0.0.1 password={SECRET} dbname=cockpit",
    f"postgresql://app:{SECRET}@127.0.0.1/cockpit?foo=bar",
    f"postgresql://app:{SECRET}@127.0.0.1:99999/cockpit",
    f"postgresql://app:{SECRET}@[::1:5432/cockpit",
]
COMMANDS = [
    ["deals"],
    ["demo"],
    ["export-deal", "1"],
    ["export-concessions", "--deal", "1"],
    ["member", "list"],
    ["member", "add", "a@example.com", "--role", "leader"],
    ["share", "1", "a@example.com"],
    ["grant", "cockpit_app"],
    ["copy", "--to", "copy.duckdb"],
    ["copy", "--to", f"postgresql://other:{SECRET}@127.0.0.1:1/x"],
]


@pytest.mark.parametrize("location", BAD_LOCATIONS)
def test_no_command_prints_a_password_creates_a_file_or_shows_a_traceback(
    location, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COCKPIT_DB", location)
    monkeypatch.setenv("PGPASSWORD", SECRET)
    monkeypatch.setenv("COCKPIT_WAIT", "0")
    for command in COMMANDS:
        code = cli.main(command)
        out, err = capsys.readouterr()
        assert code != 0, (command, out)
        assert SECRET not in out + err and "Traceback" not in err, (command, err)
        assert err.startswith("cockpit: "), (command, err)
    assert list(Path(tmp_path).iterdir()) == []  # nothing named after the password, nothing at all


def test_a_copy_between_two_spellings_of_one_url_is_the_same_database(monkeypatch, capsys):
    monkeypatch.setenv("COCKPIT_DB", f"postgresql://app:{SECRET}@127.0.0.1:1/cockpit")
    assert cli.main(["copy", "--to", f"POSTGRESQL://app:{SECRET}@127.0.0.1:1/cockpit"]) != 0
    err = capsys.readouterr().err
    assert "the source and the target are the same database" in err and SECRET not in err


def test_the_store_opens_a_location_only_after_checking_it(tmp_path):
    with pytest.raises(DatabaseUnusable):
        Store.open(f"host=x password={SECRET}")
    assert Store.open(str(tmp_path / "ok.duckdb")).deals.is_empty() is not None

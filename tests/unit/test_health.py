"""`cockpit check`: ready to serve, or one sentence and a non-zero code; it never changes the database."""

from pathlib import Path

import pytest

from core import cli
from core.health import check, sign_in_problem
from core.store import Store
from core.store.migrations import MIGRATIONS

AUTH = """[auth]
redirect_uri = "https://cockpit.example.com/oauth2callback"
cookie_secret = "long"
client_id = "cockpit"
client_secret = "s"
server_metadata_url = "https://id.example.com/.well-known/openid-configuration"
"""


@pytest.fixture
def cockpit_file(tmp_path) -> Path:
    path = tmp_path / "cockpit.duckdb"
    Store.open(path).close()
    return path


def test_a_current_database_is_ready_in_local_and_in_team_mode(cockpit_file, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COCKPIT_DB", str(cockpit_file))
    assert cli.main(["check"]) == 0
    assert capsys.readouterr().out == (
        f"ok: the database {cockpit_file} answers, its schema is current ({len(MIGRATIONS)} steps), local mode.\n"
    )
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(AUTH)
    assert cli.main(["check", "--secrets", str(secrets)]) == 0
    assert capsys.readouterr().out.endswith("steps), sign-in configured.\n")


def test_a_database_behind_this_versions_schema_is_named_and_left_as_it_was(tmp_path):
    path = tmp_path / "old.duckdb"
    Store.open(path, migrations=MIGRATIONS[:15]).close()
    health = check(str(path), None)
    assert not health.ok and health.said.startswith(
        f"The database {path} needs {len(MIGRATIONS) - 15} schema step(s) this version brings (016_member_identity first)"
    )
    store = Store.open(path, migrations=[])
    assert len(store.applied_migrations()) == 15  # the check migrated nothing
    store.close()


def test_no_database_file_is_said_and_none_is_made(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COCKPIT_DB", str(tmp_path / "missing.duckdb"))
    assert cli.main(["check"]) == cli.EXIT_INVALID
    assert "There is no deal database at" in capsys.readouterr().err
    assert not (tmp_path / "missing.duckdb").exists()


def test_a_shared_database_without_sign_in_is_not_ready_and_is_not_even_asked(capsys, monkeypatch):
    monkeypatch.setenv("COCKPIT_DB", "postgresql://app:s3cret@db.example.com/cockpit")
    assert cli.main(["check"]) == cli.EXIT_INVALID
    err = capsys.readouterr().err
    assert "Without sign-in (no --secrets)" in err and "s3cret" not in err


def test_a_database_that_does_not_answer_exits_as_busy(tmp_path, monkeypatch, capsys):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(AUTH)
    monkeypatch.setenv("COCKPIT_DB", "postgresql://app:s3cret@127.0.0.1:1/cockpit")
    assert cli.main(["check", "--secrets", str(secrets)]) == cli.EXIT_BUSY
    err = capsys.readouterr().err
    assert "cannot be reached just now" in err and "s3cret" not in err


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (None, "there is no secrets file at"),
        ("[auth", "is not valid TOML"),
        ("[other]\na = 1\n", "has no [auth] section"),
        (AUTH.replace('client_secret = "s"\n', ""), "lacks client_secret"),
        (AUTH.replace('cookie_secret = "long"', 'cookie_secret = ""'), "lacks cookie_secret"),
    ],
)
def test_sign_in_that_is_not_configured_is_named(tmp_path, text, says):
    secrets = tmp_path / "secrets.toml"
    if text is not None:
        secrets.write_text(text)
    assert says in sign_in_problem(secrets)


def test_a_providers_own_section_configures_sign_in(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[auth]\nredirect_uri = "https://c/oauth2callback"\ncookie_secret = "x"\n'
        '[auth.microsoft]\nclient_id = "a"\nclient_secret = "b"\nserver_metadata_url = "https://m"\n'
    )
    assert sign_in_problem(secrets) is None


def test_the_version_is_said(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("cockpit ")

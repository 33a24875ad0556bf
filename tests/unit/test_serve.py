"""`cockpit serve`: the one command a systemd unit or a container runs, with production settings, that
refuses to start rather than serve a database that does not answer or deals without sign-in."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import cli
from core.demo import load_curated
from core.store import Store


@pytest.fixture
def execs(monkeypatch):
    """What `serve` would become (os.execv replaces the process: here it is only recorded)."""
    seen: list[list[str]] = []
    monkeypatch.setattr(cli.os, "execv", lambda path, command: seen.append(command))
    monkeypatch.setattr(cli.os, "chdir", lambda path: seen.append(["chdir", str(path)]))  # must not happen
    return seen


def option(command: list[str], name: str) -> list[str]:
    return [command[i + 1] for i, part in enumerate(command) if part == name]


def test_serve_runs_the_app_with_production_settings_on_loopback_by_default(
    tmp_path, monkeypatch, execs, capsys
):
    monkeypatch.setenv("COCKPIT_DB", str(tmp_path / "new.duckdb"))  # made at the first page, as make run does
    assert cli.main(["serve", "--port", "8600"]) == 0
    (command,) = execs  # and no chdir: a relative COCKPIT_DB or --secrets keeps its meaning
    assert command[1:5] == ["-m", "streamlit", "run", str(cli.PROJECT_ROOT / "app.py")]
    assert option(command, "--server.address") == ["127.0.0.1"] and option(command, "--server.port") == [
        "8600"
    ]
    assert option(command, "--server.headless") == ["true"] and option(
        command, "--server.fileWatcherType"
    ) == ["none"]
    assert option(command, "--client.showErrorDetails") == ["none"]
    assert option(command, "--server.allowedHosts") == ["localhost", "127.0.0.1", "::1"]
    assert option(command, "--secrets.files") == []
    # .streamlit/config.toml's settings travel as flags: Streamlit reads that file only in the folder it starts in
    assert option(command, "--client.showSidebarNavigation") == ["false"]
    assert option(command, "--runner.postScriptGC") == ["false"]  # no full collection after every rerun
    assert option(command, "--server.maxUploadSize") == ["20"] and option(
        command, "--client.toolbarMode"
    ) == ["viewer"]
    assert "serving the cockpit on http://127.0.0.1:8600 (local mode)" in capsys.readouterr().out


def test_serve_for_a_team_behind_a_proxy_takes_its_settings_from_the_environment_too(
    tmp_path, monkeypatch, execs
):
    db = tmp_path / "team.duckdb"
    load_curated(Store.open(db))
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[auth]\nredirect_uri = "https://cockpit.example.com/oauth2callback"\ncookie_secret = "x"\n'
                       'client_id = "c"\nclient_secret = "s"\nserver_metadata_url = "https://idp.example.com/.well-known"\n')  # fmt: skip
    monkeypatch.setenv("COCKPIT_DB", str(db))
    monkeypatch.setenv("COCKPIT_ADDRESS", "0.0.0.0")
    monkeypatch.setenv("COCKPIT_PORT", "8700")
    monkeypatch.setenv("COCKPIT_SECRETS", str(secrets))
    monkeypatch.setenv("COCKPIT_ALLOWED_HOSTS", "cockpit.example.com")
    assert cli.main(["serve"]) == 0
    command = execs[-1]
    assert option(command, "--server.address") == ["0.0.0.0"] and option(command, "--server.port") == ["8700"]
    assert option(command, "--secrets.files") == [str(secrets.resolve())]
    assert option(command, "--server.allowedHosts")[-1] == "cockpit.example.com"


@pytest.mark.parametrize(
    ("args", "env", "said"),
    [
        (
            ["--address", "0.0.0.0"],
            {},
            "--address: 0.0.0.0 would serve every deal without sign-in to other computers",
        ),
        (["--address", ""], {}, "would serve every deal without sign-in"),
        (["--port", "70000"], {}, "--port: 70000 is not a port"),
        ([], {"COCKPIT_PORT": "http"}, "COCKPIT_PORT: 'http' is not a port"),
        (
            ["--secrets", "/nowhere/secrets.toml"],
            {},
            "not started: Sign-in is not configured: there is no secrets file",
        ),
    ],
)
def test_serve_refuses_to_start_in_one_sentence(tmp_path, monkeypatch, execs, capsys, args, env, said):
    monkeypatch.setenv("COCKPIT_DB", str(tmp_path / "c.duckdb"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["serve", *args]) == cli.EXIT_INVALID
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert execs == []  # nothing started


def test_serve_does_not_start_on_a_database_whose_schema_is_behind(tmp_path, monkeypatch, execs, capsys):
    from core.store.migrations import MIGRATIONS

    db: Path = tmp_path / "old.duckdb"
    Store.open(db, migrations=MIGRATIONS[:-1]).close()
    monkeypatch.setenv("COCKPIT_DB", str(db))
    assert cli.main(["serve"]) == cli.EXIT_INVALID
    assert "not started: The database" in capsys.readouterr().err and execs == []

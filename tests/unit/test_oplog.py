"""The operator's log: one JSON line per failure, with its real cause and never a secret."""

import json

from core import oplog


def test_a_failure_is_one_json_line_with_its_cause_and_every_password_masked(capsys, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "pg-env-secret")
    oplog.failure(
        "database_unreachable",
        "The shared deal database postgresql://app:hunter2@db:5432/cockpit cannot be reached just now",
        cause='connection to server at "db" failed: password=hunter2 pg-env-secret',
        person="",  # empty fields are left out
    )
    (line,) = capsys.readouterr().err.splitlines()
    record = json.loads(line)
    assert (
        record["level"] == "error"
        and record["logger"] == "cockpit"
        and record["event"] == "database_unreachable"
    )
    assert record["at"].endswith("+00:00") and "person" not in record
    assert "connection to server" in record["cause"]
    assert "hunter2" not in line and "pg-env-secret" not in line

"""The cockpit on a shared PostgreSQL database that stops answering: one plain sentence, no traceback, no
password, and the screens come back when it answers again."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.postgres import Cluster, free_port

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_a_database_server_that_is_not_there_is_said_plainly(monkeypatch, capsys):
    monkeypatch.setenv("COCKPIT_DB", f"postgresql://cockpit:s3cret@127.0.0.1:{free_port()}/cockpit")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    said = at.error[0].value
    assert "cannot be reached just now" in said and "nothing was lost" in said
    assert "s3cret" not in said and "cockpit:" not in said  # the host and database only
    assert not at.dataframe  # no deal data behind the message
    # The operator's log has the real cause, as one JSON line, and no password either.
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith('{"at"')]
    (record,) = [json.loads(line) for line in lines]
    assert record["event"] == "database_unreachable" and "refused" in record["cause"].lower()
    assert "s3cret" not in lines[0]


@pytest.fixture
def own_cluster():
    """A cluster of this test's own: it is stopped and started again, which the session's must never be."""
    cluster = Cluster()
    yield cluster
    cluster.remove()


def test_screens_say_the_database_is_unreachable_and_come_back_when_it_answers(own_cluster, monkeypatch):
    monkeypatch.setenv("COCKPIT_DB", own_cluster.create("cockpit"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and at.dataframe  # the pipeline, on the demo the first start added
    own_cluster.stop()
    at.run()
    assert not at.exception
    assert any("cannot be reached just now" in e.value for e in at.error)
    own_cluster.start()
    at.run()
    assert not at.exception and not at.error and at.dataframe

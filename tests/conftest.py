"""Shared fixtures: a fresh store per test, with or without the curated demo pipeline."""

from datetime import date

import pytest

from core.demo import load_curated
from core.store import Store

TODAY = date(2026, 11, 25)  # the curated set's anchor: dates in the demo files are used as written


@pytest.fixture
def store():
    s = Store.memory()
    yield s
    s.close()


@pytest.fixture
def demo_store():
    s = Store.memory()
    load_curated(s, today=TODAY)
    yield s
    s.close()


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    """A database file of its own for code that opens COCKPIT_DB (app, CLI)."""
    path = tmp_path / "cockpit.duckdb"
    monkeypatch.setenv("COCKPIT_DB", str(path))
    return path

"""Shared fixtures: a fresh store per test, with or without the curated demo pipeline.

The curated demo is built once per test session and its file copied per test (building it takes
seconds, copying the file milliseconds)."""

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from core.demo import load_curated
from core.store import Store

TODAY = date(2026, 11, 25)  # the curated set's anchor: dates in the demo files are used as written

# Property tests: a quick look while editing (`make test-fast` skips them anyway), the full search in CI.
settings.register_profile("dev", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_collection_modifyitems(items):
    """Everything under tests/integration is slow: processes, servers, load and property tests."""
    for item in items:
        if "integration" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.slow)


def _built(directory: Path, today: date | None) -> Path:
    path = directory / "curated.duckdb"
    store = Store.open(path)
    load_curated(store, today=today)
    store.close()
    return path


@pytest.fixture(scope="session")
def curated_file(tmp_path_factory):
    """The curated demo anchored on TODAY, as the unit tests read it."""
    return _built(tmp_path_factory.mktemp("curated"), TODAY)


@pytest.fixture(scope="session")
def first_start_file(tmp_path_factory):
    """The database the app makes on its first start: the curated demo with dates shifted to today."""
    return _built(tmp_path_factory.mktemp("first-start"), None)


@pytest.fixture
def store():
    s = Store.memory()
    yield s
    s.close()


@pytest.fixture
def demo_store(curated_file, tmp_path):
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(curated_file, path)
    s = Store.open(path)
    yield s
    s.close()


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    """A database file of its own for code that opens COCKPIT_DB (app, CLI)."""
    path = tmp_path / "cockpit.duckdb"
    monkeypatch.setenv("COCKPIT_DB", str(path))
    return path

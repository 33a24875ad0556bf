"""Shared fixtures: a fresh store per test, with or without the curated demo pipeline.

The curated demo is built once per test session and its file copied per test (building it takes
seconds, copying the file milliseconds)."""

import itertools
import os
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from hypothesis import HealthCheck, settings

from core.demo import load_curated
from core.store import Store
from tests.postgres import PgDatabase

TODAY = date(2026, 11, 25)  # the curated set's anchor: dates in the demo files are used as written
# The clock of every test that runs in this process (core units, AppTest screens): the curated set's anchor
# day, ticking from 18:00 (after the day's demo lines and the times tests write). The demo the app loads on its first start is dated from the clock, so a test that
# logs a line "on 25 November" sorts the same way on whatever day it runs. Tests that start servers in
# processes of their own (integration, browser) read the real clock on both sides instead, and
# `make test-future` runs the whole suite with the real clock a year ahead to prove neither depends on it.
CLOCK = datetime(2026, 11, 25, 18, 0)
DEMO_BUILT = datetime(2026, 11, 25, 6, 0)  # the demo's own history is written before any test's
IN_PROCESS = ("unit", "app")

# Property tests: a quick look while editing (`make test-fast` skips them anyway), the full search in CI.
settings.register_profile("dev", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_collection_modifyitems(config, items):
    """Everything under tests/integration is slow: processes, servers, load and property tests.

    COCKPIT_TEST_ENGINES (default: both) narrows the engines: `make test-fast` runs the edit loop on the
    embedded DuckDB only, and `make test` (CI) runs every test on both."""
    engines = set(os.environ.get("COCKPIT_TEST_ENGINES", ",".join(ENGINES)).split(","))
    unknown = engines - set(ENGINES)
    if unknown:
        raise pytest.UsageError(f"COCKPIT_TEST_ENGINES: {', '.join(sorted(unknown))} is not one of {ENGINES}")
    kept, left_out = [], []
    for item in items:
        if "integration" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.slow)
        callspec = getattr(item, "callspec", None)
        engine = callspec.params.get("engine") if callspec else None
        on_postgres = engine == "postgresql" or "postgres" in getattr(item, "fixturenames", ())
        (left_out if on_postgres and "postgresql" not in engines else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture(autouse=True)
def clock(request):
    """In-process tests run on CLOCK (see above); the others on the real one."""
    if not set(IN_PROCESS) & set(Path(str(request.node.path)).relative_to(Path(__file__).parent).parts[:1]):
        yield None
        return
    with time_machine.travel(CLOCK, tick=True) as traveller:
        yield traveller


def _built(directory: Path, today: date | None) -> Path:
    path = directory / "curated.duckdb"
    store = Store.open(path)
    with time_machine.travel(DEMO_BUILT, tick=True):  # built once per session, before any test's clock starts
        load_curated(store, today=today)
    store.close()
    return path


@pytest.fixture(scope="session")
def curated_file(tmp_path_factory):
    """The curated demo anchored on TODAY, as the unit tests read it."""
    return _built(tmp_path_factory.mktemp("curated"), TODAY)


@pytest.fixture(scope="session")
def first_start_file(tmp_path_factory):
    """The database the app makes on its first start: the curated demo with dates shifted to today (the
    in-process tests' CLOCK)."""
    return _built(tmp_path_factory.mktemp("first-start"), None)


# ---- both engines: DuckDB (the embedded default) and PostgreSQL (a team's shared database) ----------
ENGINES = ("duckdb", "postgresql")
_names = itertools.count()
# The store tests on PostgreSQL connect as the app servers do: a login that does not own the tables, so
# the row-level policies are the second wall behind every check the store makes itself.
APP_ROLE = "cockpit_app"


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster for the session, started only when a test asks for the engine."""
    from tests.postgres import Cluster

    cluster = Cluster()
    cluster.admin(f"CREATE ROLE {APP_ROLE} LOGIN")
    yield cluster
    cluster.remove()


@pytest.fixture(scope="session")
def pg_template(postgres):
    """The template database holding what a DuckDB file holds (None: an empty, migrated cockpit); built
    once per session with `cockpit copy`'s own code, then copied per test in milliseconds."""
    from core.store.copying import copy_cockpit

    built: dict[str, str] = {}

    def template(source: Path | None) -> str:
        key = str(source)
        if key not in built:
            name = f"tpl_{len(built)}"
            target = Store.open(postgres.create(name))
            if source is not None:
                origin = Store.open(source)
                copy_cockpit(origin, target)
                origin.close()
            target.grant(APP_ROLE)  # copies of the template keep it
            target.close()
            built[key] = name
        return built[key]

    return template


def _pg_database(postgres, pg_template, source: Path | None, blank: bool = False) -> PgDatabase:
    """A database of the test's own: a copy of the template for `source`, or `blank` (not even migrated)."""
    name = f"t{os.getpid()}_{next(_names)}"
    url = postgres.create(name) if blank else postgres.create(name, pg_template(source))
    return PgDatabase(url, name, postgres, pg_template)


@pytest.fixture(params=ENGINES)
def engine(request):
    return request.param


@pytest.fixture
def store(engine, request):
    if engine == "duckdb":
        s = Store.memory()
        yield s
        s.close()
        return
    postgres, template = request.getfixturevalue("postgres"), request.getfixturevalue("pg_template")
    database = _pg_database(postgres, template, None)
    s = Store.open(database.as_role(APP_ROLE))
    yield s
    s.close()
    postgres.drop(database.name)


@pytest.fixture
def demo_store(engine, curated_file, tmp_path, request):
    if engine == "duckdb":
        path = tmp_path / "demo.duckdb"
        shutil.copyfile(curated_file, path)
        s = Store.open(path)
        yield s
        s.close()
        return
    postgres, template = request.getfixturevalue("postgres"), request.getfixturevalue("pg_template")
    database = _pg_database(postgres, template, curated_file)
    s = Store.open(database.as_role(APP_ROLE))
    yield s
    s.close()
    postgres.drop(database.name)


@pytest.fixture
def db_path(engine, tmp_path, monkeypatch, request):
    """A database of its own for code that opens COCKPIT_DB (app, CLI): a file, or a PostgreSQL database."""
    if engine == "duckdb":
        path = tmp_path / "cockpit.duckdb"
        monkeypatch.setenv("COCKPIT_DB", str(path))
        yield path
        return
    postgres, template = request.getfixturevalue("postgres"), request.getfixturevalue("pg_template")
    database = _pg_database(postgres, template, None, blank=True)  # the app's first start migrates it
    monkeypatch.setenv("COCKPIT_DB", database)
    yield database
    postgres.drop(database.name)

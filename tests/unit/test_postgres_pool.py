"""The shared database's connections: lent from psycopg_pool's pool, capped per server, each saying who acts."""

import pytest

from core.store import Store
from core.store.backends import PostgresBackend
from core.store.errors import ConnectionsBusy


def test_a_server_holds_at_most_its_share_of_connections_and_says_so_when_all_are_busy(postgres, monkeypatch):
    monkeypatch.setattr(PostgresBackend, "POOL_MAX", 2)
    monkeypatch.setattr(PostgresBackend, "POOL_WAIT", 1.5)
    store = Store.open(postgres.fresh())
    backend = store._backend
    try:
        with backend.connection() as first, backend.connection() as second:
            assert first is not second
            with pytest.raises(ConnectionsBusy) as refused:
                with backend.connection():
                    pass
            assert str(refused.value).startswith(
                "Every one of this server's 2 connections to the shared deal"
            )
            assert "nothing was changed" in refused.value.shown()
        assert store.is_empty()  # both went back to the pool: the next statement gets one
    finally:
        store.close()


def test_a_lent_connection_says_who_acts_and_changes_it_only_when_the_person_changes(postgres):
    store = Store.open(postgres.fresh())
    backend = store._backend
    try:
        with backend.connection(("ana@example.com", False)) as conn:
            said = conn.execute(
                "SELECT current_setting('cockpit.person'), current_setting('cockpit.all_deals')"
            )
            assert said.fetchone() == ("ana@example.com", "off")
        with backend.connection(("lea@example.com", True)) as conn:
            said = conn.execute(
                "SELECT current_setting('cockpit.person'), current_setting('cockpit.all_deals')"
            )
            assert said.fetchone() == ("lea@example.com", "on")
    finally:
        store.close()

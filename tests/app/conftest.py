import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP_ROLE
from tests.postgres import PgDatabase, fill

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def app(db_path, first_start_file, monkeypatch):
    """The cockpit on a database of its own. Its first start on no database leaves the curated demo there
    (unless COCKPIT_DEMO=0): the same file, built once per session, is copied in instead."""

    def start(deal: int | str | None = None, page: str | None = None, auth: dict | None = None,
              user: dict | None = None) -> AppTest:  # fmt: skip
        """`auth`: a secrets [auth] section (team mode); `user`: who is signed in for the session."""
        if not db_path.exists() and os.environ.get("COCKPIT_DEMO", "1") != "0":
            fill(db_path, first_start_file)
        if isinstance(db_path, PgDatabase) and db_path.granted(APP_ROLE):
            # As the app servers run on a shared database: a login that does not own the tables, under
            # row-level security.
            monkeypatch.setenv("COCKPIT_DB", db_path.as_role(APP_ROLE))
        at = AppTest.from_file(APP, default_timeout=60)
        if auth is not None:
            at.secrets["auth"] = auth
        if user is not None:
            at.user = user
        if deal is not None:
            at.query_params["deal"] = str(deal)
        at.run()
        if page is not None:
            at.switch_page(page).run()
        return at

    return start

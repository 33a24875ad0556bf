from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def app(db_path):
    """The cockpit on a fresh database file (filled with the curated demo on first start)."""

    def start(deal: int | str | None = None, page: str | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        if deal is not None:
            at.query_params["deal"] = str(deal)
        at.run()
        if page is not None:
            at.switch_page(page).run()
        return at

    return start

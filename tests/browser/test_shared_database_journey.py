"""A team on one PostgreSQL database: two app servers and the command line writing at once, a line logged
in one server's browser live in the other's, one server killed mid-write, and the database stopped for a
few seconds. The servers and the database are started by the tests on 127.0.0.1 and stopped after."""

import os
import re
import subprocess
import sys
import time

import pandas as pd
import pytest
from playwright.sync_api import expect

from core.csvio import frame_to_csv
from core.store import Store
from tests.browser.conftest import settle
from tests.browser.server import ROOT, serve
from tests.postgres import Cluster

pytestmark = pytest.mark.browser

LIVE = 3_000 + 4_000  # the live log's tick, and a rerun's worth of slack


@pytest.fixture
def context(browser):
    made = []

    def new(base_url: str):
        ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
        made.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(30_000)
        page.base_url = base_url
        return page

    yield new
    for ctx in made:
        ctx.close()


def open_log(page, deal: int = 1) -> None:
    page.goto(f"{page.base_url}/concessions?deal={deal}")
    expect(page.get_by_role("heading", name=re.compile(r"^Concessions · "))).to_be_visible(timeout=60_000)
    settle(page)


def log_line(page, item: str, value: str) -> None:
    page.get_by_label("Item").focus()
    page.keyboard.type(item)
    page.keyboard.press("Tab")
    page.keyboard.type("Net 60")
    page.keyboard.press("Tab")
    page.keyboard.type("Signature this week")
    page.keyboard.press("Tab")
    page.keyboard.type(value)
    page.keyboard.press("Enter")


def no_tracebacks(*logs) -> None:
    for log in logs:
        text = log.read_text()
        assert "Traceback" not in text, text[-3000:]


def test_two_servers_and_an_import_write_at_once_and_each_browser_sees_the_others_line(
    postgres, context, tmp_path
):
    url = postgres.fresh()
    logs = tmp_path / "a.log", tmp_path / "b.log"
    with serve(url, logs[0]) as server_a, serve(url, logs[1]) as server_b:
        negotiator, sponsor = context(server_a), context(server_b)
        open_log(negotiator)
        open_log(sponsor)
        expect(sponsor.get_by_role("heading", name="−13,500 EUR")).to_be_visible()

        store = Store.open(url)
        deal_2_before = len(store.concessions.list_concessions(2))
        lines = store.concessions.concession_log(2)
        csv = tmp_path / "lines.csv"
        csv.write_bytes(frame_to_csv(pd.concat([lines] * 40, ignore_index=True)))
        importing = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "import-concessions", str(csv), "--deal", "2"],
            cwd=ROOT, env={**os.environ, "COCKPIT_DB": url}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        log_line(negotiator, "Payment terms", "-1500")
        expect(negotiator.get_by_text("Logged 'Payment terms' — balance now −15,000 EUR")).to_be_visible()
        # The other server's browser follows on its own tick: no reload.
        expect(sponsor.get_by_role("heading", name="−15,000 EUR")).to_be_visible(timeout=LIVE)

        out, err = importing.communicate(timeout=120)
        assert importing.returncode == 0, err
        assert f"imported {len(lines) * 40} concession lines into deal 2" in out
        assert len(store.concessions.list_concessions(2)) == deal_2_before + len(lines) * 40
        assert store.concessions.list_concessions(1)[-1].item == "Payment terms"
    no_tracebacks(*logs)


def test_a_server_killed_mid_write_loses_no_committed_line_and_the_other_keeps_serving(
    postgres, context, tmp_path
):
    url = postgres.fresh()
    logs = tmp_path / "a.log", tmp_path / "b.log"
    with serve(url, logs[0]) as server_a, serve(url, logs[1]) as server_b:
        negotiator = context(server_a)
        open_log(negotiator)
        for n in range(3):
            log_line(negotiator, f"Line {n}", "-100")
            expect(negotiator.get_by_text(f"Logged 'Line {n}'")).to_be_visible()
            settle(negotiator)  # a durability test, not a typing-speed one: each line starts on a quiet page
        log_line(negotiator, "In flight", "-100")
        server_a.process.kill()  # kill -9 while the fourth line is being written
        server_a.process.wait(10)

        colleague = context(server_b)
        open_log(colleague)
        expect(colleague.get_by_role("heading", name="−13,800 EUR").or_(
            colleague.get_by_role("heading", name="−13,900 EUR"))).to_be_visible()  # fmt: skip
        store = Store.open(url)
        items = [c.item for c in store.concessions.list_concessions(1)]
        assert items[-4:-1] == ["Line 0", "Line 1", "Line 2"] or items[-3:] == ["Line 0", "Line 1", "Line 2"]
        history = " ".join(store.deals.list_events(1)["subject"])
        # All or nothing: a line that is there has its history row, and one that is not has none.
        assert ("'In flight'" in history) == ("In flight" in items)
        log_line(colleague, "After the crash", "-100")
        expect(colleague.get_by_text("Logged 'After the crash'")).to_be_visible()
    no_tracebacks(logs[1])


@pytest.fixture
def own_cluster():
    """A cluster of this test's own: it is stopped and started again, which the session's must never be."""
    cluster = Cluster()
    yield cluster
    cluster.remove()


def test_the_database_stopped_for_a_few_seconds_is_said_plainly_and_the_screen_comes_back(
    own_cluster, context, tmp_path
):
    url = own_cluster.create("cockpit")
    with serve(url, tmp_path / "app.log") as served:
        page = context(served)
        open_log(page)
        expect(page.get_by_role("heading", name="−13,500 EUR")).to_be_visible()
        own_cluster.stop()
        down = time.monotonic()
        expect(page.get_by_text("cannot be reached just now").first).to_be_visible(timeout=LIVE)
        expect(page.get_by_text("Traceback")).to_have_count(0)
        page.screenshot(path=str(tmp_path / "unreachable.png"))
        time.sleep(max(0.0, 3 - (time.monotonic() - down)))  # down for a few seconds
        own_cluster.start()
        # Back by itself: the live parts tick again, the message goes.
        expect(page.get_by_text("cannot be reached just now")).to_have_count(0, timeout=LIVE + 5_000)
        expect(page.get_by_role("heading", name="−13,500 EUR")).to_be_visible()
        # And a screen opened now works on the database that is back.
        page.get_by_role("link", name="Pipeline").click()
        expect(page.get_by_text("cannot be reached just now")).to_have_count(0)
        expect(page.get_by_role("heading", name=re.compile("Pipeline"))).to_be_visible()
    no_tracebacks(tmp_path / "app.log")

"""Text that looks like HTML, script, SQL or markdown, typed into every free-text field, is stored as
typed and shown as text in a real browser: no script runs, no markup renders."""

from datetime import date, datetime

import pytest
from playwright.sync_api import expect

from core.demo import load_curated
from core.models import Alternative, Concession, Counterparty, Deal, Evidence, Issue, Stakeholder
from core.store import Store
from tests.browser.conftest import settle
from tests.browser.server import serve

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__pwned = 1</script>"
IMAGE = '<img src=x onerror="window.__pwned = 2">'
SQL = "'; DROP TABLE deal; --"
MARKDOWN = "**bold** [click](javascript:window.__pwned=3) :red[red]"
SCREENS = ["prepare", "leverage", "concessions", "meso", "moves", "history", ""]


def hostile_database(path) -> int:
    store = Store.open(path)
    load_curated(store)
    deal_id = store.deals.create_deal(
        Deal(name=f"Hostile {SCRIPT}", context="sales", owner=IMAGE, deadline_reason=MARKDOWN, notes=SQL,
             deadline=date(2026, 12, 20)),
        Counterparty(name=f"Counter {IMAGE}", notes=SCRIPT),
    )  # fmt: skip
    deal = store.deals.get_deal(deal_id)
    store.deals.replace_stakeholders(
        deal.counterparty_id, [Stakeholder(name=SQL, role=SCRIPT, decision_rights=MARKDOWN)]
    )
    store.preparation.replace_evidence(
        deal_id, [Evidence(title=MARKDOWN, source=IMAGE, date=date(2026, 11, 1), note=SCRIPT)]
    )
    store.preparation.replace_alternatives(deal_id, [Alternative(description=SCRIPT, money=50000)])
    store.preparation.replace_issues(
        deal_id, [Issue(name=IMAGE, unit="EUR", target=100, reservation=90, estimate_source=SQL)]
    )
    store.concessions.add_concession(deal_id, Concession(item=SCRIPT, you_give=MARKDOWN, you_get="", trigger=f"If {SQL}, {IMAGE}",
                                             value_to_you=-10, logged_at=datetime(2026, 11, 25, 9)))  # fmt: skip
    store.close()
    return deal_id


def test_hostile_text_is_shown_as_text_and_never_runs(browser, tmp_path):
    db = tmp_path / "hostile.duckdb"
    deal_id = hostile_database(db)
    with serve(db, tmp_path / "streamlit.log") as url:
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for screen in SCREENS:
            page.goto(f"{url}/{screen}?deal={deal_id}")
            expect(page.get_by_text("Screen-share safe", exact=True)).to_be_visible(timeout=60_000)
            settle(page)
            assert page.evaluate("window.__pwned") is None, f"/{screen}: a script ran"
            assert page.locator("main script, main img[src='x']").count() == 0, f"/{screen}: markup rendered"
        page.goto(f"{url}/prepare?deal={deal_id}")
        expect(page.get_by_role("heading", name=f"Prepare · Hostile {SCRIPT}")).to_be_visible(timeout=60_000)
        page.goto(f"{url}/concessions?deal={deal_id}")
        expect(page.get_by_text(SCRIPT).first).to_be_visible(
            timeout=60_000
        )  # the flagged line's item, as typed
        assert dialogs == []
        context.close()
    reopened = Store.open(db)
    assert reopened.deals.get_deal(deal_id).notes == SQL and len(reopened.deals.list_deals()) == 13
    reopened.close()


PAYLOAD = "**B** ![i](http://evil.example/I.png) [L](http://evil.example/L)"
PHISH = "9999 **Session expired** [sign in again](http://evil.example/phish)"


def test_markdown_names_and_links_render_no_link_image_or_bold_and_nothing_leaves_this_machine(
    browser, tmp_path
):
    db = tmp_path / "markdown.duckdb"
    store = Store.open(db)
    load_curated(store)
    deal_id = store.deals.create_deal(
        Deal(
            name=PAYLOAD, context="sales", owner=PAYLOAD, deadline_reason=PAYLOAD, deadline=date(2026, 12, 20)
        ),
        Counterparty(name=PAYLOAD),
    )
    store.preparation.replace_alternatives(deal_id, [Alternative(description=PAYLOAD, money=50000)])
    store.concessions.add_concession(deal_id, Concession(item=PAYLOAD, logged_at=datetime(2026, 11, 25, 9)))
    store.close()
    with serve(db, tmp_path / "streamlit.log") as url:
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        outside = []
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(url)
                else (outside.append(route.request.url), route.abort())
            ),
        )
        page = context.new_page()
        for screen in SCREENS:
            for deal in (str(deal_id), PHISH):
                page.goto(f"{url}/{screen}?deal={deal}")
                expect(page.get_by_text("Screen-share safe", exact=True)).to_be_visible(timeout=60_000)
                settle(page)
                app = page.get_by_test_id("stApp")
                assert app.locator("a[href*='evil.example'], img[src*='evil.example']").count() == 0, screen
                assert app.locator("strong", has_text="Session expired").count() == 0, screen
                assert "B" not in app.locator("strong").all_inner_texts(), screen
        context.close()
    assert [u for u in outside if "evil.example" in u] == []

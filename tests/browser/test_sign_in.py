"""Team mode end to end: a real OIDC provider on 127.0.0.1 (oidc-provider-mock, in a thread), two people
signing in in two browsers, each seeing only their deals, a sponsor's approval reaching the negotiator's
screen, and signing out. Nothing leaves the loopback."""

import re
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import expect

from core.demo import load_curated
from core.store import Store
from tests.browser.conftest import settle
from tests.browser.server import ServerDidNotStart, free_port, serve

pytestmark = pytest.mark.browser
LOOPBACK = re.compile(r"(https?://(127\.0\.0\.1|localhost)[:/]|data:|blob:|about:)")


@pytest.fixture
def provider():
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread(port=free_port()) as server:
        url = f"http://localhost:{server.server_port}"
        for email in ("ana@example.com", "sam@example.com"):
            claims = {"email": email, "email_verified": True, "name": email.split("@")[0].capitalize()}
            assert httpx.put(f"{url}/users/{quote(email)}", json=claims).status_code == 204
        yield url


@pytest.fixture
def team_server(tmp_path, provider):
    db = tmp_path / "team.duckdb"
    store = Store.open(db)
    load_curated(store)
    for email, role in [
        ("ada@example.com", "admin"),
        ("ana@example.com", "negotiator"),
        ("sam@example.com", "sponsor"),
    ]:
        store.add_member(email, role)
    store.share_deal(1, "ana@example.com", "owner")
    store.share_deal(1, "sam@example.com", "sponsor")
    store.close()
    port = free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-test-cookie-secret-of-enough-length"\n'
        'client_id = "deal-cockpit"\n'
        'client_secret = "a-test-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    try:
        with serve(db, tmp_path / "streamlit.log", port=port, secrets=secrets) as url:
            yield url
    except ServerDidNotStart as exc:
        pytest.fail(f"streamlit did not start:\n{exc}")


def sign_in(browser, url, email):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    outside = []
    # What the cockpit's pages fetch (the test provider's own pages load their CSS from a CDN: not ours).
    page.on("request", lambda r: outside.append(r.url) if r.frame.url.startswith(url) and not LOOPBACK.match(r.url) else None)  # fmt: skip
    page.goto(url)
    expect(page.get_by_text("Sign in with your company account")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Northwind")).to_have_count(0)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_placeholder("sub").fill(email)
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_text(email, exact=False).first).to_be_visible(timeout=60_000)
    settle(page)
    page.outside = outside
    return context, page


def test_two_people_each_see_their_deals_a_sponsor_approves_and_the_negotiator_sees_it(browser, team_server):
    ana_context, ana = sign_in(browser, team_server, "ana@example.com")
    # The pipeline holds her one deal; another deal's link is "not found".
    expect(ana.get_by_text("1 of 1 deals match", exact=False)).to_be_visible()
    ana.goto(f"{team_server}/concessions?deal=2")
    expect(ana.get_by_text("There is no deal with id 2; showing the first deal instead.")).to_be_visible(
        timeout=60_000
    )
    expect(
        ana.get_by_role("heading", name=re.compile("^Concessions · Northwind — enterprise SaaS annual"))
    ).to_be_visible()
    expect(ana.get_by_text("Helios", exact=False)).to_have_count(0)
    expect(ana.get_by_text("pending approval", exact=False).first).to_be_visible()

    sam_context, sam = sign_in(browser, team_server, "sam@example.com")
    expect(sam.get_by_text("over the mandate wait for your approval", exact=False)).to_be_visible()
    sam.get_by_role("link", name=re.compile("Northwind — enterprise SaaS annual · 'Onboarding'")).click()
    expect(sam.get_by_role("heading", name=re.compile("^Concessions · Northwind"))).to_be_visible()
    settle(sam)
    sam.get_by_role("button", name="Approve").first.click()
    expect(sam.get_by_text("'Onboarding': approved.")).to_be_visible()

    # The negotiator's open screen shows the decision without a reload.
    expect(ana.get_by_text(re.compile(r"approved by sam@\u200b?example\.com at"))).to_be_visible(
        timeout=10_000
    )

    ana.get_by_role("button", name="Sign out").click()
    ana.get_by_role("button", name="End session").click()  # the provider's own sign-out, then back to us
    expect(ana.get_by_text("Sign in with your company account")).to_be_visible(timeout=60_000)
    expect(ana.get_by_text("Northwind")).to_have_count(0)
    assert ana.outside == [] and sam.outside == [], ana.outside + sam.outside
    ana_context.close()
    sam_context.close()

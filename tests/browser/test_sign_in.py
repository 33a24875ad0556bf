"""Team mode end to end: a real OIDC provider on 127.0.0.1 (oidc-provider-mock, in a thread), two people
signing in in two browsers, each seeing only their deals, a sponsor's approval reaching the negotiator's
screen, and signing out. Nothing leaves the loopback."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import settle
from tests.browser.server import ServerDidNotStart
from tests.browser.team import oidc_provider, serve_team, sign_in

pytestmark = pytest.mark.browser
LOOPBACK = re.compile(r"(https?://(127\.0\.0\.1|localhost)[:/]|data:|blob:|about:)")


@pytest.fixture
def team_server(tmp_path):
    try:
        with oidc_provider() as provider, serve_team(tmp_path, provider) as url:
            yield url
    except ServerDidNotStart as exc:
        pytest.fail(f"streamlit did not start:\n{exc}")


def signed_in(browser, url, email):
    """A browser of its own for `email`, signed in, that notes every request the cockpit's pages send
    beyond the loopback (the test provider's own pages load their CSS from a CDN: not ours)."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    outside = []
    page.on("request", lambda r: outside.append(r.url) if r.frame.url.startswith(url) and not LOOPBACK.match(r.url) else None)  # fmt: skip
    page.goto(url)
    expect(page.get_by_text("Sign in with your company account")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Northwind")).to_have_count(0)  # nothing before signing in
    sign_in(page, url, email)
    settle(page)
    page.outside = outside
    return context, page


def test_two_people_each_see_their_deals_a_sponsor_approves_and_the_negotiator_sees_it(browser, team_server):
    ana_context, ana = signed_in(browser, team_server, "ana@example.com")
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

    sam_context, sam = signed_in(browser, team_server, "sam@example.com")
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

"""Team mode for the browser journeys and the README's screenshots: a real OIDC provider on the loopback
(oidc-provider-mock in a thread), a team database, the app served with sign-in, and signing in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
from playwright.sync_api import expect

from core.demo import load_curated
from core.store import Store
from tests.browser.server import free_port, serve

# Ada runs the team; Ana owns deal 1 and Sam sponsors it; Lea leads; Jonas is on deal 12's team.
TEAM = [("ada@example.com", "admin"), ("ana@example.com", "negotiator"), ("sam@example.com", "sponsor"),
        ("lea@example.com", "leader"), ("jonas@example.com", "negotiator")]  # fmt: skip
DEAL_PEOPLE = [
    (1, "ana@example.com", "owner"),
    (1, "sam@example.com", "sponsor"),
    (12, "jonas@example.com", "team"),
]


@contextmanager
def oidc_provider() -> Iterator[str]:
    """A real OIDC provider on localhost that knows every member of TEAM; yields its URL."""
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread(port=free_port()) as server:
        url = f"http://localhost:{server.server_port}"
        for email, _ in TEAM:
            claims = {"email": email, "email_verified": True, "name": email.split("@")[0].capitalize()}
            response = httpx.put(f"{url}/users/{quote(email)}", json=claims)
            assert response.status_code == 204, response.text
        yield url


def team_database(path: Path) -> Path:
    """The curated demo with TEAM as members and DEAL_PEOPLE named on their deals."""
    store = Store.open(path)
    load_curated(store)
    for email, role in TEAM:
        store.add_member(email, role)
    for deal_id, email, part in DEAL_PEOPLE:
        store.share_deal(deal_id, email, part)
    store.close()
    return path


@contextmanager
def serve_team(folder: Path, provider: str) -> Iterator[str]:
    """The app in team mode on a team database in `folder`: sign-in through `provider`."""
    port = free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-test-cookie-secret-of-enough-length"\n'
        'client_id = "deal-cockpit"\n'
        'client_secret = "a-test-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    with serve(
        team_database(folder / "team.duckdb"), folder / "streamlit.log", port=port, secrets=secrets
    ) as url:
        yield url


def sign_in(page, url: str, email: str) -> None:
    """From the cockpit's sign-in page through the provider's form and back, signed in as `email`."""
    page.goto(url)
    expect(page.get_by_text("Sign in with your company account")).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_placeholder("sub").fill(email)
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_text(email, exact=False).first).to_be_visible(timeout=60_000)

"""Who is using the cockpit: local mode (one person, this computer) or team mode (sign-in through the
company's OIDC provider with Streamlit's `st.login`). Every screen gets a store bound to that person,
so no read or write can forget who is acting; access itself is decided in core (access.py, store)."""

from __future__ import annotations

import streamlit as st

from ..access import ROLE_MEANS, Person, local_person
from ..formatting import md
from ..store import Store, current_user

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def team_mode() -> bool:
    """Team mode is on when `.streamlit/secrets.toml` has Streamlit's `[auth]` section."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: local mode  # noqa: BLE001
        return False


def _claims() -> dict:
    try:
        return st.user.to_dict()
    except AttributeError:
        return dict(st.user)


def acting_person(store: Store) -> Person:
    """The person this run acts for; stops the page with the sign-in or "ask an admin" page when there
    is nobody the store may act for."""
    if not team_mode():
        _refuse_beyond_this_computer()
        return local_person(current_user())
    if not st.user.is_logged_in:
        _sign_in_page()
    claims = _claims()
    email = str(claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") is False:
        _not_a_member_page(email, "Your sign-in did not come with a verified e-mail address.")
    member = store.member(email) or store.claim_first_admin(email)
    if member is None:
        _not_a_member_page(email, "You are signed in, but not a member of this cockpit yet.")
    return Person(member.email, member.role)


def _refuse_beyond_this_computer() -> None:
    """Local mode has no sign-in, so it serves only this computer: never the confidential numbers to
    whoever can reach the port."""
    address = st.get_option("server.address")
    if address and address not in LOOPBACK:
        st.error(
            f"This cockpit has no sign-in configured but listens on {md(address)}. Serve it on 127.0.0.1 "
            "(`make run`), or configure sign-in for team use (see the README)."
        )
        st.stop()


def _sign_in_page() -> None:
    st.title("Deal Cockpit")
    st.markdown("Sign in with your company account to see the deals you work on.")
    st.button("Sign in", icon=":material/login:", type="primary", on_click=st.login, key="sign_in")
    st.caption("Nothing is shown before you sign in.")
    st.stop()


def _not_a_member_page(email: str, why: str) -> None:
    st.title("Deal Cockpit")
    st.warning(
        f"{why} Ask an admin to add you" + (f" ({md(email)})." if email else "."), icon=":material/lock:"
    )
    st.button("Sign out", icon=":material/logout:", on_click=st.logout, key="sign_out")
    st.stop()


def who_badge(person: Person) -> None:
    """The sidebar line that says who is acting, or that this is a one-person local cockpit."""
    if person.local:
        st.sidebar.caption(":material/computer: Local: only this computer can open it.")
        return
    role = person.role.value if person.role else ""
    st.sidebar.caption(f":material/badge: {md(person.email)} · {role}", help=ROLE_MEANS.get(person.role))
    st.sidebar.button("Sign out", icon=":material/logout:", on_click=st.logout, key="sign_out")

"""Who is using the cockpit: local mode (one person, this computer) or team mode (sign-in through the
company's OIDC provider with Streamlit's `st.login`). Every screen gets a store bound to that person,
so no read or write can forget who is acting; access itself is decided in core (access.py, store)."""

from __future__ import annotations

import streamlit as st

from .. import oplog
from ..access import (
    ROLE_MEANS,
    Person,
    local_database_refusal,
    local_person,
    local_reach_refusal,
    signed_in_identity,
)
from ..errors import CockpitError
from ..formatting import md
from ..settings import settings
from ..store import Store, current_user, database_location


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
    is nobody the store may act for. (Local mode's reach is refused by page_start, before the database
    is opened.)"""
    if not team_mode():
        return local_person(current_user())
    if not st.user.is_logged_in:
        _sign_in_page()
    try:
        identity = signed_in_identity(_claims(), trusted_issuers())
        member = store.sign_in(identity)
    except (ValueError, CockpitError) as exc:  # an identity refused, or no longer a member
        oplog.failure("sign_in_refused", str(exc), issuer=_claims().get("iss"))
        _refused_page(md(str(exc)))
    if member is None:
        oplog.failure("not_a_member", "Signed in, but not a member of this cockpit.", email=identity.email)
        _refused_page(f"You are signed in, but not a member of this cockpit yet. Ask an admin to add you "
                      f"({md(identity.email)}).")  # fmt: skip
    person = Person(member.email, member.role)
    if st.session_state.get("_sign_in_recorded") != member.email:  # once per browser session
        store.acting_as(person).record_access("signed_in", "Signed in")
        st.session_state["_sign_in_recorded"] = member.email
    return person


def trusted_issuers() -> frozenset[str]:
    """Issuers whose e-mail addresses are verified though they never send `email_verified` (Microsoft
    Entra ID): named by an admin in COCKPIT_TRUSTED_ISSUERS, separated by spaces or commas."""
    return settings().trusted_issuers


def refuse_beyond_this_computer() -> None:
    """Local mode has no sign-in, so it serves only this computer: never the confidential numbers to
    whoever can reach the port, a proxy in front of it, or another web page in the same browser."""
    try:
        headers = dict(st.context.headers)
    except Exception:  # noqa: BLE001 (no request behind this run: a test's script runner)
        headers = {}
    refusal = local_reach_refusal(st.get_option("server.address"), headers) or local_database_refusal(
        database_location()
    )
    if refusal:
        st.error(md(refusal))
        st.stop()


def _sign_in_page() -> None:
    st.title("Deal Cockpit")
    st.markdown("Sign in with your company account to see the deals you work on.")
    st.button("Sign in", icon=":material/login:", type="primary", on_click=st.login, key="sign_in")
    st.caption("Nothing is shown before you sign in.")
    st.stop()


def _refused_page(why: str) -> None:
    st.title("Deal Cockpit")
    st.warning(why, icon=":material/lock:")
    st.button("Sign out", icon=":material/logout:", on_click=st.logout, key="sign_out")
    st.stop()


def who_badge(person: Person) -> None:
    """The sidebar line that says who is acting, or that this is a one-person local cockpit."""
    if person.local:
        st.sidebar.caption(":material/computer: Local: only this computer can open it.")
        return
    role = person.role.value if person.role else ""
    st.sidebar.caption(
        f":material/badge: {md(person.email)} · {role}", help=ROLE_MEANS[person.role] if person.role else None
    )
    st.sidebar.button("Sign out", icon=":material/logout:", on_click=st.logout, key="sign_out")

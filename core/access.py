"""Who may see and do what: the rules of team use, each defined once. The store asks these for every
read and every write, with the acting person; no screen decides access.

- Local mode (no sign-in configured): one person on their own computer may do everything.
- Team mode: every person is a member with a role, and a deal names its people: an owner, a sponsor
  and a team.

| role       | reads                              | changes                    | approves gives over the mandate |
|------------|------------------------------------|----------------------------|---------------------------------|
| negotiator | deals they own or are named on     | deals they own or are on   | no                              |
| sponsor    | deals they sponsor or are named on | deals they own or are on   | deals they sponsor              |
| leader     | every deal, the whole pipeline     | deals they own or are on   | every deal                      |
| admin      | every deal                         | deals they own or are on   | deals they sponsor              |

Only admins manage members and who is on which deal. Nobody approves a line they logged or last changed.
A deal a person may not read does not exist for them: it is "not found", never "forbidden".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl, urlsplit


class Role(StrEnum):
    negotiator = "negotiator"
    sponsor = "sponsor"
    leader = "leader"
    admin = "admin"


class Part(StrEnum):
    """A person's part in one deal."""

    owner = "owner"
    sponsor = "sponsor"
    team = "team"


ROLE_MEANS = {
    Role.negotiator: "works the deals they own or are named on",
    Role.sponsor: "reads the deals they sponsor and approves gives over their mandate",
    Role.leader: "reads every deal and the whole pipeline, and sees pending approvals",
    Role.admin: "manages members and who is on which deal; reads every deal",
}

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def email_address(text: str) -> str:
    """An e-mail address as the cockpit keys people: trimmed, NFKC-normalised and case-folded. Raises
    ValueError with the reason when it is not one, or when it has a character that only looks like a
    plain one: the Kelvin sign in "\u212aim@…" folds to "kim@…", another member's address."""
    raw = (text or "").strip()
    shown = raw[:80].encode("ascii", "backslashreplace").decode()
    look_alike = next(
        (c for c in raw if not c.isascii() and unicodedata.normalize("NFKC", c).casefold().isascii()), None
    )
    if look_alike:
        name = unicodedata.name(look_alike, f"U+{ord(look_alike):04X}").lower()
        raise ValueError(f"'{shown}' has a character that stands in for a plain letter ({name})")
    email = unicodedata.normalize("NFKC", raw).casefold()
    if not _EMAIL.fullmatch(email) or len(email) > 254:
        raise ValueError(f"'{shown}' is not an e-mail address")
    return email


# Local mode has no sign-in: it serves the browser on this computer and nothing else.
LOOPBACK_ADDRESSES = ("127.0.0.1", "::1", "localhost")
PROXY_HEADERS = ("x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "forwarded", "x-real-ip")


def _host_name(netloc: str) -> str | None:
    try:
        return urlsplit(f"//{netloc}").hostname
    except ValueError:
        return None


def local_reach_refusal(address: str | None, headers: Mapping[str, str]) -> str | None:
    """Why local mode must not serve this request, or None. It listens on a loopback address only (an
    empty one means every interface); the request came to a loopback name (not a name that a web page
    re-pointed at 127.0.0.1), from a page of the cockpit itself (not a page on another port), and not
    through a proxy, which would serve this computer's cockpit to whoever reaches the proxy."""
    if (address or "").strip("[]") not in LOOPBACK_ADDRESSES:
        shown = address or "every address (an empty server.address)"
        return (
            f"This cockpit has no sign-in configured but listens on {shown}. Serve it on 127.0.0.1 "
            "(make run), or configure sign-in for team use (see the README)."
        )
    lower = {k.lower(): v for k, v in headers.items()}
    if any(h in lower for h in PROXY_HEADERS):
        return (
            "This cockpit has no sign-in configured and was reached through a proxy: local mode serves "
            "only the browser on this computer. Configure sign-in for team use (see the README)."
        )
    host = lower.get("host")
    if host is not None and _host_name(host) not in LOOPBACK_ADDRESSES:
        return "This cockpit has no sign-in configured: open it at http://127.0.0.1 on this computer."
    origin = lower.get("origin")
    if origin is not None and host is not None and urlsplit(origin).netloc != host:
        return "Another web page tried to open this cockpit: it answers only its own pages."
    return None


def local_database_refusal(location: str) -> str | None:
    """Why local mode must not open this database, or None. Without sign-in the one local user may read
    every deal, so a team's shared PostgreSQL on another computer is refused: serve it in team mode. A
    DuckDB file, or a PostgreSQL on this computer (loopback or a local socket), is one person's."""
    if not location[:13].lower().startswith(("postgresql://", "postgres://")):
        return None
    hosts = [h for h in (_host_name(n) for n in urlsplit(location).netloc.rpartition("@")[2].split(",")) if h]
    query_host = next((v for k, v in parse_qsl(urlsplit(location).query) if k == "host"), None)
    if query_host:
        hosts.append(query_host)
    if all(h in LOOPBACK_ADDRESSES or h.startswith("/") for h in hosts):  # none named: a local socket
        return None
    return (
        "This cockpit has no sign-in configured but COCKPIT_DB is a shared database on another computer: "
        "without sign-in, whoever opens this page would read every deal in it. Configure sign-in for team "
        "use (see the README), or use a DuckDB file."
    )


@dataclass(frozen=True)
class Identity:
    """Who the identity provider says signed in: the address the cockpit shows, and the provider's own
    key for the person (issuer and subject), which a changed or look-alike address cannot borrow."""

    email: str
    issuer: str
    subject: str


def signed_in_identity(claims: Mapping[str, Any], trusted_issuers: Collection[str] = ()) -> Identity:
    """The identity in a provider's claims, or ValueError with the one sentence the person is shown.
    The address must be verified by the boolean `email_verified: true`; a provider that never sends the
    claim (Microsoft Entra ID) is trusted only when an admin names its issuer (COCKPIT_TRUSTED_ISSUERS)."""
    issuer, subject = str(claims.get("iss") or "").strip(), str(claims.get("sub") or "").strip()
    if not issuer or not subject:
        raise ValueError("Your sign-in did not say who you are at your company (no issuer or subject).")
    if claims.get("email_verified") is not True and issuer not in trusted_issuers:
        raise ValueError("Your sign-in did not come with a verified e-mail address.")
    try:
        email = email_address(str(claims.get("email") or ""))
    except ValueError as exc:
        raise ValueError(f"Your sign-in's e-mail address is not one the cockpit accepts: {exc}.") from None
    return Identity(email, issuer, subject)


@dataclass(frozen=True)
class Person:
    """Who is acting: a signed-in member (team mode), or the one local user."""

    email: str
    role: Role | None = None
    local: bool = False


def local_person(user: str) -> Person:
    """The one person of local mode: may do everything, recorded under the operating-system user."""
    return Person(email=user, role=Role.admin, local=True)


def reads_every_deal(person: Person) -> bool:
    return person.local or person.role in (Role.leader, Role.admin)


class Action(StrEnum):
    """What a person may be asked to do; `may` answers for each, from the table below."""

    read = "read the deal"
    work = "change the deal"
    approve = "approve a give over the mandate"
    set_mandate = "move the mandate"
    override_escalation = "record a remedy before any mediation"
    create_deal = "start a deal"
    contribute = "add to the library"
    manage = "manage members and deal teams"


def _reads(person: Person, parts: frozenset[Part], hands: Collection[str | None]) -> bool:
    """Sees the deal at all (any screen, chart, file or history of it)."""
    return reads_every_deal(person) or bool(parts)


def _works(person: Person, parts: frozenset[Part], hands: Collection[str | None]) -> bool:
    """Changes the deal: its preparation, log, assessments and bundles."""
    return person.local or Part.owner in parts or Part.team in parts


def _approves(person: Person, parts: frozenset[Part], hands: Collection[str | None]) -> bool:
    """Decides on a give over the mandate, or moves the mandate (the sponsor's limit on the negotiator).
    Never on a line they logged or last changed (`hands`): the four-eyes rule the mandate exists for."""
    if person.local:
        return True
    if any(h is not None and h.lower() == person.email for h in hands):
        return False
    return person.role is Role.leader or Part.sponsor in parts


def _leads(person: Person, parts: frozenset[Part], hands: Collection[str | None]) -> bool:
    return person.local or person.role is Role.leader


def _starts_deals(person: Person, parts: frozenset[Part], hands: Collection[str | None]) -> bool:
    return person.local or person.role in (Role.negotiator, Role.leader, Role.admin)


def _administers(person: Person, parts: frozenset[Part], hands: Collection[str | None]) -> bool:
    return person.local or person.role is Role.admin


# The one policy: every action and the rule that allows it. The store's guards, the screens that offer a
# form or a page, and the tests all ask `may`; none repeats a rule.
POLICY = {
    Action.read: _reads,
    Action.work: _works,
    Action.approve: _approves,
    Action.set_mandate: _approves,
    Action.override_escalation: _leads,
    Action.create_deal: _starts_deals,
    Action.contribute: _starts_deals,  # those who start deals add to the library (not sponsors, who approve)
    Action.manage: _administers,
}


def may(
    person: Person, action: Action, parts: Collection[Part] = (), hands: Collection[str | None] = ()
) -> bool:
    """May `person`, with these `parts` in the deal (none for actions on no deal), do `action`? `hands`:
    who logged and last changed the line being approved."""
    return POLICY[action](person, frozenset(parts), hands)


def refusal(what: str) -> str:
    """The one sentence for a permitted reader who may not do `what`."""
    return f"You can read this deal but not {what}: ask an admin to name you on its team."

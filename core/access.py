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

Only admins manage members and who is on which deal. Nobody approves a line they logged themselves.
A deal a person may not read does not exist for them: it is "not found", never "forbidden".
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum


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
    """An e-mail address as the cockpit keys people: trimmed and lower-case. Raises ValueError with the
    reason when it is not one."""
    email = (text or "").strip().lower()
    if not _EMAIL.fullmatch(email) or len(email) > 254:
        raise ValueError(f"'{text.strip()[:80]}' is not an e-mail address")
    return email


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


def may_read(person: Person, parts: Collection[Part]) -> bool:
    """May this person see the deal at all (any screen, chart, file or history of it)?"""
    return reads_every_deal(person) or bool(parts)


def may_work(person: Person, parts: Collection[Part]) -> bool:
    """May this person change the deal: its preparation, log, assessments and bundles?"""
    return person.local or Part.owner in parts or Part.team in parts


def may_approve(person: Person, parts: Collection[Part], logged_by: str | None = None) -> bool:
    """May this person approve or reject a give over the deal's mandate (and raise the mandate)? Never
    their own line: the four-eyes rule the mandate exists for."""
    if person.local:
        return True
    if logged_by is not None and logged_by.lower() == person.email:
        return False
    return person.role is Role.leader or Part.sponsor in parts


def may_set_mandate(person: Person, parts: Collection[Part]) -> bool:
    """The mandate is the sponsor's limit on the negotiator: only an approver may move it."""
    return may_approve(person, parts)


def may_create_deal(person: Person) -> bool:
    return person.local or person.role in (Role.negotiator, Role.leader, Role.admin)


def may_manage_members(person: Person) -> bool:
    return person.local or person.role is Role.admin


def refusal(what: str) -> str:
    """The one sentence for a permitted reader who may not do `what`."""
    return f"You can read this deal but not {what}: ask an admin to name you on its team."

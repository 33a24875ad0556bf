"""The rules of team use, role by role and part by part (core/access.py's table)."""

import pytest

from core.access import (
    Part,
    Person,
    Role,
    email_address,
    local_person,
    may_approve,
    may_create_deal,
    may_manage_members,
    may_read,
    may_work,
)

NONE, OWNER, SPONSOR, TEAM = set(), {Part.owner}, {Part.sponsor}, {Part.team}


@pytest.mark.parametrize(
    ("role", "parts", "read", "work", "approve"),
    [
        (Role.negotiator, NONE, False, False, False),
        (Role.negotiator, OWNER, True, True, False),
        (Role.negotiator, TEAM, True, True, False),
        (Role.negotiator, SPONSOR, True, False, True),  # named as a deal's sponsor, whatever the role
        (Role.sponsor, NONE, False, False, False),
        (Role.sponsor, SPONSOR, True, False, True),
        (Role.sponsor, TEAM, True, True, False),
        (Role.leader, NONE, True, False, True),
        (Role.leader, TEAM, True, True, True),
        (Role.admin, NONE, True, False, False),
        (Role.admin, SPONSOR, True, False, True),
    ],
)
def test_what_each_role_may_do_on_a_deal(role, parts, read, work, approve):
    person = Person("p@example.com", role)
    assert (may_read(person, parts), may_work(person, parts), may_approve(person, parts)) == (
        read,
        work,
        approve,
    )


def test_nobody_approves_their_own_line_but_the_local_user_does_everything():
    sponsor = Person("sam@example.com", Role.sponsor)
    assert may_approve(sponsor, SPONSOR, logged_by="ana@example.com")
    assert not may_approve(sponsor, SPONSOR, logged_by="SAM@example.com")
    me = local_person("ana")
    assert may_read(me, NONE) and may_work(me, NONE) and may_approve(me, NONE, logged_by="ana")
    assert may_create_deal(me) and may_manage_members(me)


@pytest.mark.parametrize(
    ("role", "create", "manage"),
    [
        (Role.negotiator, True, False),
        (Role.sponsor, False, False),
        (Role.leader, True, False),
        (Role.admin, True, True),
    ],
)
def test_who_starts_deals_and_who_manages_members(role, create, manage):
    person = Person("p@example.com", role)
    assert (may_create_deal(person), may_manage_members(person)) == (create, manage)


@pytest.mark.parametrize(
    "text", ["", "ana", "ana@", "@example.com", "ana@example", "a b@example.com", "a@b@c.com"]
)
def test_an_address_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError, match="is not an e-mail address"):
        email_address(text)


def test_addresses_are_keyed_trimmed_and_lower_case():
    assert email_address("  Ana.Ruiz@Example.COM ") == "ana.ruiz@example.com"

"""The rules of team use, role by role and part by part (core/access.py's table)."""

import pytest

from core.access import (
    POLICY,
    Action,
    Identity,
    Part,
    Person,
    Role,
    email_address,
    local_database_refusal,
    local_person,
    local_reach_refusal,
    may,
    signed_in_identity,
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
    assert (
        may(person, Action.read, parts),
        may(person, Action.work, parts),
        may(person, Action.approve, parts),
    ) == (
        read,
        work,
        approve,
    )
    assert may(person, Action.set_mandate, parts) == approve  # the mandate moves only by who approves


def test_nobody_approves_their_own_line_but_the_local_user_does_everything():
    sponsor = Person("sam@example.com", Role.sponsor)
    assert may(sponsor, Action.approve, SPONSOR, hands=("ana@example.com", None))
    assert not may(sponsor, Action.approve, SPONSOR, hands=("ana@example.com", "SAM@example.com"))
    me = local_person("ana")
    assert all(may(me, action, NONE, hands=("ana",)) for action in Action)


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
    assert (may(person, Action.create_deal), may(person, Action.manage)) == (create, manage)
    assert may(person, Action.contribute) == create  # who starts deals adds to the library


# Every action for every role with no part in the deal, written out: a rule that changes, or an action
# added without its row here, fails (the deal-part rules are the table above).
ON_NO_DEAL = {
    Role.negotiator: {Action.create_deal, Action.contribute},
    Role.sponsor: set(),
    Role.leader: {Action.read, Action.approve, Action.set_mandate, Action.override_escalation,
                  Action.create_deal, Action.contribute},
    Role.admin: {Action.read, Action.create_deal, Action.contribute, Action.manage},
}  # fmt: skip


@pytest.mark.parametrize("role", list(Role))
def test_every_action_of_the_one_policy_for_each_role(role):
    assert set(POLICY) == set(Action)
    person = Person("p@example.com", role)
    assert {action for action in Action if may(person, action)} == ON_NO_DEAL[role]


@pytest.mark.parametrize(
    "text", ["", "ana", "ana@", "@example.com", "ana@example", "a b@example.com", "a@b@c.com"]
)
def test_an_address_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError, match="is not an e-mail address"):
        email_address(text)


def test_addresses_are_keyed_trimmed_and_lower_case():
    assert email_address("  Ana.Ruiz@Example.COM ") == "ana.ruiz@example.com"


@pytest.mark.parametrize(
    ("text", "character"),
    [
        ("\u212aim@example.com", "kelvin sign"),  # folds to kim@example.com
        ("ｋim@example.com", "fullwidth latin small letter k"),
        ("kim@exa\u217fple.com", "small roman numeral one thousand"),  # ⅿ folds to m
        ("k\ufb01@example.com", "latin small ligature fi"),
    ],
)
def test_a_character_that_stands_in_for_a_plain_letter_is_refused_naming_it(text, character):
    with pytest.raises(ValueError, match=f"stands in for a plain letter \\({character}\\)"):
        email_address(text)


def test_addresses_in_other_scripts_are_kept_and_case_folded():
    assert email_address("Jürgen@Beispiel.DE") == "jürgen@beispiel.de"
    assert email_address("ΑΝΝΑ@example.gr") == "αννα@example.gr"


ISSUER = "https://id.example.com"


@pytest.mark.parametrize("verified", [False, "true", "false", 1, None])
def test_only_the_boolean_true_verifies_an_address(verified):
    claims = {"iss": ISSUER, "sub": "1", "email": "ana@example.com", "email_verified": verified}
    with pytest.raises(ValueError, match="did not come with a verified e-mail address"):
        signed_in_identity(claims)


def test_a_provider_that_never_says_verified_is_trusted_only_when_an_admin_names_it():
    claims = {"iss": "https://login.microsoftonline.com/t/v2.0", "sub": "x1", "email": "Ana@Example.com"}
    with pytest.raises(ValueError):
        signed_in_identity(claims)
    assert signed_in_identity(claims, {"https://login.microsoftonline.com/t/v2.0"}) == Identity(
        "ana@example.com", "https://login.microsoftonline.com/t/v2.0", "x1"
    )


@pytest.mark.parametrize("missing", ["iss", "sub"])
def test_an_identity_needs_the_issuer_and_the_subject(missing):
    claims = {"iss": ISSUER, "sub": "1", "email": "ana@example.com", "email_verified": True}
    with pytest.raises(ValueError, match="did not say who you are"):
        signed_in_identity({k: v for k, v in claims.items() if k != missing})


LOCAL = {"Host": "127.0.0.1:8501", "Origin": "http://127.0.0.1:8501"}


@pytest.mark.parametrize("address", ["127.0.0.1", "localhost", "::1", "[::1]"])
def test_local_mode_serves_its_own_pages_on_a_loopback_address(address):
    assert local_reach_refusal(address, LOCAL) is None
    assert local_reach_refusal(address, {"host": "localhost:8501", "origin": "http://localhost:8501"}) is None
    assert local_reach_refusal(address, {}) is None  # no request headers: nobody else to refuse


@pytest.mark.parametrize("address", ["", None, "0.0.0.0", "::", "192.168.1.20", "127.0.0.1.example.com"])
def test_local_mode_refuses_any_address_that_is_not_loopback_the_empty_one_included(address):
    refusal = local_reach_refusal(address, LOCAL)
    assert refusal is not None and refusal.startswith("This cockpit has no sign-in configured but listens on")


@pytest.mark.parametrize(
    "header", ["X-Forwarded-For", "x-forwarded-host", "Forwarded", "X-Real-IP", "X-Forwarded-Proto"]
)
def test_local_mode_refuses_a_request_that_came_through_a_proxy(header):
    assert "reached through a proxy" in local_reach_refusal("127.0.0.1", {**LOCAL, header: "10.0.0.9"})


@pytest.mark.parametrize(
    ("host", "origin", "says"),
    [
        ("rebound.example.com:8501", "http://rebound.example.com:8501", "open it at http://127.0.0.1"),
        ("127.0.0.1:8501", "http://localhost:9999", "Another web page"),  # a page on another port
        ("127.0.0.1:8501", "http://127.0.0.1:3000", "Another web page"),
        ("127.0.0.1:8501", "null", "Another web page"),  # a sandboxed frame or a file
    ],
)
def test_local_mode_refuses_other_web_pages_and_names_rebound_to_loopback(host, origin, says):
    assert says in local_reach_refusal("127.0.0.1", {"Host": host, "Origin": origin})


@pytest.mark.parametrize(
    "location",
    [
        "data/cockpit.duckdb",
        "postgresql://me:pw@127.0.0.1:5432/mine",
        "POSTGRESQL://me@localhost/mine",
        "postgresql://me@[::1]:5433/mine",
        "postgresql:///mine",  # the local socket
        "postgresql:///mine?host=/var/run/postgresql",
    ],
)
def test_local_mode_opens_one_persons_database(location):
    assert local_database_refusal(location) is None


@pytest.mark.parametrize(
    "location",
    [
        "postgresql://app:pw@db.example.com/cockpit",
        "postgres://app@10.0.0.5:5432/cockpit",
        "postgresql://app@127.0.0.1,db.example.com/cockpit",
        "postgresql:///cockpit?host=db.example.com",
    ],
)
def test_local_mode_refuses_a_shared_database_on_another_computer(location):
    assert "COCKPIT_DB is a shared database on another computer" in local_database_refusal(location)

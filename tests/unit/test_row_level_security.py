"""PostgreSQL's row-level security: the second wall behind the store's own access checks. The store here
connects as the app servers do (a login that does not own the tables); queries below skip the store's
filters on purpose, as a forgotten WHERE would, and the database still keeps each person to their deals."""

from datetime import datetime

import psycopg
import pytest

from core.store.members import Members
from tests.unit.team import ANA, JONAS, LEA, NOBODY

# These are guarantees of PostgreSQL (a DuckDB file has one writing process and no roles).
pytestmark = pytest.mark.parametrize("engine", ["postgresql"], indirect=True)


def raw(store, sql):
    return [tuple(r.values()) for r in store.cursor().rows(sql)]


@pytest.mark.parametrize(
    ("person", "deals"), [(ANA, [1]), (JONAS, [12]), (NOBODY, []), (LEA, list(range(1, 13)))]
)
def test_a_query_that_forgets_to_filter_still_sees_only_the_persons_deals(team, person, deals):
    store = team.acting_as(person)
    assert [r[0] for r in raw(store, "SELECT id FROM deal ORDER BY id")] == deals
    for table in ("concession", "issue", "evidence", "power_assessment", "meso_bundle", "deal_event"):
        seen = {r[0] for r in raw(store, f"SELECT DISTINCT deal_id FROM {table}")}
        assert seen - {None} <= set(deals), table  # None: the team's own history, for those who read all
        assert (None in seen) <= (person is LEA)
    # Through their parents: scores of assessments, terms of bundles, the people of counterparties.
    assessments = {r[0] for r in raw(store, "SELECT id FROM power_assessment")}
    assert {r[0] for r in raw(store, "SELECT DISTINCT assessment_id FROM power_score")} <= assessments
    counterparties = {r[0] for r in raw(store, "SELECT counterparty_id FROM deal")}
    assert {r[0] for r in raw(store, "SELECT DISTINCT counterparty_id FROM stakeholder")} <= counterparties


def test_the_local_user_and_the_command_line_see_every_deal(team):
    assert len(raw(team, "SELECT id FROM deal")) == 12


def test_a_store_filter_that_breaks_is_caught_by_the_database(team, monkeypatch):
    monkeypatch.setattr(Members, "_visible", lambda self, column="d.id": ("true", []))  # the bug
    assert list(team.acting_as(ANA).deals.list_deals()["id"]) == [1]
    assert len(team.acting_as(LEA).deals.list_deals()) == 12


def test_writing_into_a_deal_one_is_not_on_is_refused_by_the_database(team):
    ana = team.acting_as(ANA)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        with ana.transaction() as cur:
            cur.execute(
                "INSERT INTO concession (id, deal_id, item, you_give, you_get, value_to_you, value_to_them, "
                '"trigger", "round", final_offer, logged_at) VALUES (9999, 2, ?, ?, ?, 0, 0, ?, 1, false, now())',
                ["smuggled", "", "", ""],
            )
    with ana.transaction() as cur:
        cur.execute("UPDATE deal SET name = ? WHERE id = 2", ["renamed"])  # a row one cannot see is no row
    assert team.deals.get_deal(2).name != "renamed"
    # What is hers she still writes, and new ids continue after every row, seen or not.
    from core.models import Concession

    new_id = ana.concessions.add_concession(1, Concession(item="Hers", logged_at=datetime(2026, 11, 25)))
    assert new_id > max(r[0] for r in raw(team, "SELECT id FROM concession") if r[0] != new_id)


def test_the_app_servers_login_cannot_change_the_schema(team):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        with team.transaction() as cur:
            cur.execute("DROP TABLE concession")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        with team.transaction() as cur:
            cur.execute("ALTER TABLE deal DISABLE ROW LEVEL SECURITY")


def test_a_new_deal_by_a_negotiator_is_theirs_and_only_theirs(team):
    from core.models import Counterparty, Deal

    ana = team.acting_as(ANA)
    deal_id = ana.deals.create_deal(Deal(name="Ana's new", context="sales", owner="Ana"),
                              Counterparty(name="Newco", relationship="one_off", communication_style="direct"))  # fmt: skip
    assert deal_id in list(ana.deals.list_deals()["id"])
    assert deal_id not in [r[0] for r in raw(team.acting_as(JONAS), "SELECT id FROM deal")]
    assert "Newco" not in [r[0] for r in raw(team.acting_as(JONAS), "SELECT name FROM counterparty")]


def test_the_app_login_on_a_database_its_owner_has_not_made_is_told_who_must(
    engine, postgres, monkeypatch, capsys
):
    from core import cli
    from tests.conftest import APP_ROLE

    blank = postgres.fresh()
    monkeypatch.setenv("COCKPIT_DB", blank.replace("postgres@", f"{APP_ROLE}@", 1))
    assert cli.main(["deals"]) == 2
    err = capsys.readouterr().err
    assert "needs its schema made or upgraded" in err and "cockpit grant" in err and "Traceback" not in err
    monkeypatch.setenv("COCKPIT_DB", blank)  # the owner makes it and lets the app login in
    assert cli.main(["grant", APP_ROLE]) == 0
    monkeypatch.setenv("COCKPIT_DB", blank.replace("postgres@", f"{APP_ROLE}@", 1))
    assert cli.main(["deals"]) == 0
    assert cli.main(["grant", "x"]) == 2  # and only the owner grants
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE deal_event SET new_value = 'rewritten'",
        "DELETE FROM deal_event",
        "DELETE FROM member",
        "UPDATE member SET role = 'admin'",
        "INSERT INTO member (email, role, added_at, added_by) VALUES ('eve@x.com', 'admin', now(), 'eve')",
        "UPDATE schema_migration SET name = 'x'",
        "DELETE FROM schema_migration",
        "SELECT setval('cockpit_revision', 1)",
        "SELECT setval('concession_ids', 1)",  # the next line would take an id already given
        "UPDATE access_event SET person = 'someone@else.com'",
        "DELETE FROM access_event",
    ],
)
def test_history_the_schemas_record_and_the_revision_are_not_the_app_logins_to_change(team, statement):
    events = len(raw(team, "SELECT id FROM deal_event"))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        with team.transaction() as cur:
            cur.execute(statement)
    assert len(raw(team, "SELECT id FROM deal_event")) == events


def test_a_callers_temporary_table_does_not_stand_in_for_the_deal_teams(team):
    nobody = team.acting_as(NOBODY)
    with nobody.transaction() as cur:
        cur.execute("CREATE TEMPORARY TABLE deal_person (deal_id BIGINT, email VARCHAR, part VARCHAR)")
        cur.execute("INSERT INTO pg_temp.deal_person VALUES (12, 'carol@example.com', 'owner')")
        assert cur.scalar("SELECT cockpit_on_deal(12)") is False
        assert cur.rows("SELECT id FROM concession WHERE deal_id = 12") == []


def test_only_the_granted_login_may_call_the_owners_functions(team):
    with team.transaction() as cur:
        rows = cur.rows(
            "SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS anyone "
            "FROM pg_proc p WHERE p.proname LIKE 'cockpit_%' ORDER BY p.proname"
        )
    assert [(r["proname"], r["anyone"]) for r in rows] == [
        ("cockpit_counterparty_unused", False),
        ("cockpit_ids_past", False),
        ("cockpit_member_change", False),
        ("cockpit_on_deal", False),
    ]

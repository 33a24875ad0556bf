"""The database guards its own integrity (migration 021): every choice a model offers is a CHECK, every
id that names another row a foreign key, a provider account one member; a database that already holds
rows breaking them is not upgraded and is told which rows, on both engines."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from core.access import Part, Role
from core.health import check
from core.models import (
    AccessAction,
    ClauseKind,
    ClauseStatus,
    CommitmentStatus,
    CommunicationStyle,
    Confidence,
    Context,
    DeadlineVerdict,
    DealSide,
    Decision,
    Direction,
    EscalationKind,
    EvidenceKind,
    LibraryKind,
    Outcome,
    PositionSource,
    PowerSource,
    Reaction,
    Relationship,
    Side,
    Stage,
)
from core.store import DatabaseUnusable, Store
from core.store.copying import DERIVED, TABLES
from core.store.integrity import Check, References, Unique, violations
from core.store.migrations import MIGRATIONS, integrity_rules

# A database without the integrity step and the steps that build on its keys (the access log, the single
# text); 022's sequences applied: this code writes through them.
LATER = ("023_access_log", "025_single_text", "026_implementation_plan")
BEFORE = [m for m in MIGRATIONS if m[0] not in ("021_integrity", *LATER)]
MADE_LATER = ("access_event", "single_text", "text_version", "text_clause", "commitment", "escalation_step")

CHOICES = {
    ("counterparty", "relationship"): Relationship, ("counterparty", "communication_style"): CommunicationStyle,
    ("deal", "context"): Context, ("deal", "stage"): Stage, ("deal", "side"): DealSide,
    ("evidence", "kind"): EvidenceKind, ("issue", "direction"): Direction, ("issue", "confidence"): Confidence,
    ("power_score", "source"): PowerSource, ("power_score", "side"): Side, ("meso_pick", "reaction"): Reaction,
    ("member", "role"): Role, ("deal_person", "part"): Part, ("approval", "decision"): Decision,
    ("review", "outcome"): Outcome, ("access_event", "action"): AccessAction, ("review", "deadline_verdict"): DeadlineVerdict, ("library_item", "kind"): LibraryKind,
    ("text_clause", "kind"): ClauseKind, ("text_clause", "status"): ClauseStatus, ("text_clause", "source"): PositionSource,
    ("commitment", "side"): Side, ("commitment", "status"): CommitmentStatus, ("escalation_step", "kind"): EscalationKind,
}  # fmt: skip


def _checked_choices() -> dict[tuple[str, str], set[str]]:
    found = {}
    for step in integrity_rules():
        for rule in step.rules:
            if isinstance(rule, Check) and (m := re.fullmatch(r'"(\w+)" IN \((.*)\)', rule.sql)):
                found[(step.table, m.group(1))] = set(re.findall(r"'([^']*)'", m.group(2)))
    return found


def test_every_choice_a_model_offers_is_exactly_what_the_database_checks():
    # A new stage (or role, or outcome…) without a new step would be refused by the database at its first save.
    checked = _checked_choices()
    assert set(checked) == set(CHOICES)
    for key, choices in CHOICES.items():
        assert checked[key] == {c.value for c in choices}, key


def test_every_id_that_names_a_deal_is_a_foreign_key():
    references = {
        (s.table, r.column): r.parent for s in integrity_rules() for r in s.rules if isinstance(r, References)
    }
    with_deal = [t for t in (*TABLES, *DERIVED) if t not in ("counterparty", "stakeholder", "deal", "member",
                                                                        "power_score", "meso_term", "library_item")]  # fmt: skip
    assert {t for t in with_deal if references.get((t, "deal_id")) == "deal"} == set(with_deal)
    assert references[("power_score", "assessment_id")] == "power_assessment"
    assert references[("latest_assessment", "assessment_id")] == "power_assessment"
    assert references[("approval", "concession_id")] == "concession"
    assert references[("meso_term", "bundle_id")] == "meso_bundle"
    assert references[("text_clause", "version_id")] == "text_version"
    assert references[("text_clause", "issue_id")] == "issue"


def test_the_database_refuses_a_stage_it_does_not_know_and_the_deal_still_opens(demo_store):
    deal = demo_store.deals.get_deal(1)
    with pytest.raises(Exception, match="(?i)check"):
        with demo_store.transaction() as cur:
            cur.execute("UPDATE deal SET stage = 'banana' WHERE id = 1")
    assert demo_store.deals.get_deal(1).stage == deal.stage


def test_the_database_refuses_a_line_of_a_deal_that_does_not_exist(demo_store):
    lines = len(demo_store.concessions.list_concessions(1))
    with pytest.raises(Exception, match="(?i)foreign key"):
        with demo_store.transaction() as cur:
            cur.execute(
                "INSERT INTO concession (id, deal_id, item, you_give, you_get, value_to_you, value_to_them, "
                "\"trigger\", \"round\", final_offer, logged_at) VALUES (900001, 424242, 'x', 'x', '', -1, 1, '', 1, "
                "false, ?)",
                [datetime(2026, 11, 20)],
            )
    assert len(demo_store.concessions.list_concessions(1)) == lines


def _location(engine: str, db_path) -> str:
    return str(db_path) if engine == "duckdb" else db_path  # PostgreSQL: a new database, as its owner


def demo_before_the_later_steps(store: Store, monkeypatch) -> None:
    """The demo as it was before a later step's tables existed: their parts of the deal files left out."""
    from core import demo

    files = [
        f.model_copy(update={"single_text": None, "commitments": [], "escalation_steps": []})
        for f in demo.curated_deals()
    ]
    monkeypatch.setattr(demo, "curated_deals", lambda today=None: files)
    demo.load_curated(store)


def test_an_upgrade_keeps_every_row_and_index_and_adds_the_rules(engine, db_path, monkeypatch):
    location = _location(engine, db_path)
    old = Store.open(location, migrations=BEFORE)
    demo_before_the_later_steps(old, monkeypatch)
    tables = [t for t in (*TABLES, "concession_totals") if t not in MADE_LATER]
    counts = {t: old.cursor().scalar(f"SELECT count(*) FROM {t}") for t in tables}
    lines = old.concessions.list_concessions(1)
    old.close()

    new = Store.open(location)
    try:
        assert "021_integrity" in new.applied_migrations()
        assert {t: new.cursor().scalar(f"SELECT count(*) FROM {t}") for t in counts} == counts
        assert new.concessions.list_concessions(1) == lines
        if engine == "duckdb":
            indexes = {r["index_name"] for r in new.cursor().rows("SELECT index_name FROM duckdb_indexes()")}
            assert {"deal_event_deal", "approval_deal", "deal_person_email"} <= indexes
            kinds = new.cursor().rows(
                "SELECT constraint_type AS k, count(*) AS n FROM duckdb_constraints() "
                "WHERE constraint_type IN ('CHECK', 'FOREIGN KEY', 'UNIQUE') GROUP BY 1"
            )
        else:
            kinds = new.cursor().rows(
                "SELECT CASE contype WHEN 'c' THEN 'CHECK' WHEN 'f' THEN 'FOREIGN KEY' ELSE 'UNIQUE' END AS k, "
                "count(*) AS n FROM pg_constraint WHERE contype IN ('c', 'f', 'u') AND conrelid <> 0 "
                "AND conrelid::regclass::text NOT LIKE 'pg_%' GROUP BY 1"
            )
        rules = [r for s in integrity_rules() for r in s.rules]
        keys = [r for r in rules if isinstance(r, References) and (r.on_duckdb or engine == "postgresql")]
        assert {r["k"]: r["n"] for r in kinds} == {
            "CHECK": sum(isinstance(r, Check) for r in rules),  # 28
            "FOREIGN KEY": len(keys),  # 29; on DuckDB 26, three the store holds there
            "UNIQUE": sum(isinstance(r, Unique) for r in rules),
        }
    finally:
        new.close()


def test_a_database_with_rows_the_rules_refuse_is_not_upgraded_and_hears_which(engine, db_path, monkeypatch):
    location = _location(engine, db_path)
    old = Store.open(location, migrations=BEFORE)
    demo_before_the_later_steps(old, monkeypatch)
    with old.transaction() as cur:
        cur.execute("UPDATE deal SET stage = 'banana' WHERE id = 2")
        cur.execute("UPDATE alternative SET risk = 9 WHERE id = (SELECT min(id) FROM alternative)")
        cur.execute(
            "UPDATE concession SET deal_id = 424242 WHERE id IN (SELECT id FROM concession ORDER BY id LIMIT 7)"
        )
    first_alternative = old.cursor().scalar("SELECT min(id) FROM alternative")
    old.close()

    with pytest.raises(DatabaseUnusable) as refused:
        Store.open(location)
    said = str(refused.value)
    assert "was not upgraded (021_integrity), and nothing in it changed" in said
    assert "deal: 1 row has a stage that is not one of the cockpit's stages (id 2)" in said
    assert f"alternative: 1 row has a risk outside 1 to 5 (id {first_alternative})" in said
    assert "concession: 7 rows have a deal_id that names no deal (id 1, 2, 3, 4, 5, …)" in said
    assert "\n" not in said and "Traceback" not in said

    again = Store.open(
        location, migrations=BEFORE
    )  # nothing was changed: the rows and the schema as they were
    try:
        assert "021_integrity" not in again.applied_migrations()
        assert again.cursor().scalar("SELECT stage FROM deal WHERE id = 2") == "banana"
        with again.transaction() as cur:
            cur.execute("UPDATE deal SET stage = 'midgame' WHERE id = 2")
            cur.execute("UPDATE alternative SET risk = 5 WHERE risk > 5")
            cur.execute("UPDATE concession SET deal_id = 1 WHERE deal_id = 424242")
    finally:
        again.close()
    fixed = Store.open(location)
    assert "021_integrity" in fixed.applied_migrations()
    fixed.close()


def test_cockpit_check_reads_every_row_against_the_rules_the_store_holds_alone_on_duckdb(tmp_path):
    # On DuckDB a line's issue is the store's to keep (the database cannot hold that key there).
    from core.demo import load_curated

    path = tmp_path / "cockpit.duckdb"
    store = Store.open(path)
    load_curated(store)
    line = store.cursor().scalar("SELECT min(id) FROM concession WHERE issue_id IS NOT NULL")
    with store.transaction() as cur:
        cur.execute("UPDATE concession SET issue_id = 424242 WHERE id = ?", [line])
    assert violations(store.cursor(), integrity_rules()) == [
        f"concession: 1 row has an issue_id that names no issue (id {line})"
    ]
    store.close()
    assert check(str(path), None).ok  # the health check every few seconds does not read every row
    health = check(str(path), None, integrity=True)
    assert not health.ok
    assert health.said.endswith(
        f"holds rows its integrity rules refuse: concession: 1 row has an issue_id that names no issue (id {line})."
    )


def test_a_clean_database_passes_the_full_check(tmp_path):
    from core.demo import load_curated

    path: Path = tmp_path / "cockpit.duckdb"
    store = Store.open(path)
    load_curated(store)
    store.close()
    health = check(str(path), None, integrity=True)
    assert health.ok and "every row holds its integrity rules" in health.said

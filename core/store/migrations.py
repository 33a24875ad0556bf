"""The schema as named, ordered steps. A database records which ones it has; opening it applies the rest.

A statement is SQL both engines run, `OnlyOn(engine, sql)` where one engine needs a statement the other
has no use for (PostgreSQL's row-level security), a `Constrain` (integrity rules), or `Judge(function)`: a
verdict of the method's rules written for the rows already stored."""

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from ..models import SIDE_BY_CONTEXT
from .facts import judge_batnas, judge_lines
from .integrity import Check, Constrain, References, Unique, a

if TYPE_CHECKING:
    from .backends import Cursor


class OnlyOn(NamedTuple):
    engine: str  # "postgresql" or "duckdb"
    sql: str


class Judge(NamedTuple):
    """A step the method's rules take in Python over the rows already stored (a fact the store keeps from
    then on as rows are written), in the step's transaction."""

    rows: Callable[["Cursor"], object]


Step = str | OnlyOn | Constrain | Judge


def _sides_from_context(cur: "Cursor") -> None:
    """A deal without a side gets the one its context gives it (models.SIDE_BY_CONTEXT, as the deal form does)."""
    for context, side in SIDE_BY_CONTEXT.items():
        cur.execute(
            "UPDATE deal SET side = ? WHERE side IS NULL AND context = ?", [side.value, context.value]
        )


# Row-level security, PostgreSQL's second wall behind the store's own access checks. It binds the roles
# that do not own the tables (the app servers' role, see `cockpit grant`): the store sets who is acting
# on each connection (`cockpit.person`, and `cockpit.all_deals` for leaders, admins and the local user),
# and a row of a deal someone is not on is neither read nor written, whatever a query forgets to filter.
_ALL = "current_setting('cockpit.all_deals', true) = 'on'"
_ME = "current_setting('cockpit.person', true)"


# Every change the store makes to members, by name. On PostgreSQL the app login may only read the member
# table and change it through the owner's function built from these (migration 020); on DuckDB the store
# runs them itself. A change here needs a new migration that replaces the function.
MEMBER_CHANGES = {
    "add": "INSERT INTO member (email, role, added_at, added_by) VALUES ($email, $role, $at, $by)",
    # Added back after a removal: bound again at the next sign-in (a new account is a new subject).
    "set_role": "UPDATE member SET role = $role, added_at = $at, added_by = $by, removed_at = NULL, "
    "issuer = CASE WHEN removed_at IS NULL THEN issuer END, subject = CASE WHEN removed_at IS NULL THEN subject END "
    "WHERE email = $email",
    "remove": "UPDATE member SET removed_at = $at WHERE email = $email",
    "bind": "UPDATE member SET issuer = $iss, subject = $sub WHERE email = $email AND subject IS NULL",
    # The first admin of a team with no live members takes the place of their own removed row.
    "forget": "DELETE FROM member WHERE email = $email AND NOT EXISTS (SELECT 1 FROM member WHERE removed_at IS NULL)",
}
MEMBER_CHANGE_VALUES = ("email", "role", "at", "by", "iss", "sub")


def _member_function() -> str:
    as_parameters = {op: re.sub(r"[$]([a-z]+)", r"p_\1", sql) for op, sql in MEMBER_CHANGES.items()}
    branches = " ELSIF ".join(f"op = '{op}' THEN {sql};" for op, sql in as_parameters.items())
    return (
        "CREATE FUNCTION cockpit_member_change(op TEXT, p_email TEXT, p_role TEXT, p_at TIMESTAMP, p_by TEXT, "
        "p_iss TEXT, p_sub TEXT) RETURNS VOID LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $$ BEGIN "
        f"IF {branches} ELSE RAISE EXCEPTION 'not a member change'; END IF; END $$"
    )


def _on_deal(column: str) -> str:
    return f"({_ALL} OR {column} IN (SELECT deal_id FROM deal_person WHERE email = {_ME}))"


def _kept_per_deal(table: str, names: References) -> list[Step]:
    """What a fact kept per deal (one row per deal naming another row) needs besides its table: its keys
    (not on DuckDB: there a key naming a table stops a later step rebuilding that table, and only the store
    writes this one), and PostgreSQL's row-level security."""
    return [
        Constrain(table, (References("deal_id", "deal", on_duckdb=False), names)),
        OnlyOn(_PG, f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"),
        OnlyOn(_PG, f"CREATE POLICY on_deal ON {table} USING {_on_deal('deal_id')}"),
        OnlyOn(_PG, f"ANALYZE {table}"),
    ]


_DEAL_TABLES = ("evidence", "alternative", "issue", "power_assessment", "concession", "meso_bundle",
                "meso_pick", "deal_event", "approval", "review", "library_use", "anchor_worksheet")  # fmt: skip
_PG = "postgresql"
_ROW_LEVEL_SECURITY: list[Step] = [
    # Read as the tables' owner (who is not bound by the policies), so no policy reads itself.
    OnlyOn(
        _PG,
        f"""CREATE FUNCTION cockpit_on_deal(d BIGINT) RETURNS BOOLEAN LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path FROM CURRENT AS $$
        SELECT EXISTS (SELECT 1 FROM deal_person WHERE deal_id = d AND email = {_ME}) $$""",
    ),
    OnlyOn(
        _PG,
        """CREATE FUNCTION cockpit_counterparty_unused(c BIGINT) RETURNS BOOLEAN LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path FROM CURRENT AS $$
        SELECT NOT EXISTS (SELECT 1 FROM deal WHERE counterparty_id = c) $$""",
    ),
    # Ids are the next after every row, seen or not: a new line never takes the id of a deal one is not on.
    OnlyOn(
        _PG,
        """CREATE FUNCTION cockpit_next_id(tbl TEXT) RETURNS BIGINT LANGUAGE plpgsql VOLATILE
        SECURITY DEFINER SET search_path FROM CURRENT AS $$
        DECLARE n BIGINT;
        BEGIN EXECUTE format('SELECT coalesce(max(id), 0) + 1 FROM %I', tbl) INTO n; RETURN n; END $$""",
    ),
    *[
        OnlyOn(_PG, f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
        for t in (
            "deal",
            "deal_person",
            "counterparty",
            "stakeholder",
            "power_score",
            "meso_term",
            *_DEAL_TABLES,
        )
    ],
    *[OnlyOn(_PG, f"CREATE POLICY on_deal ON {t} USING {_on_deal('deal_id')}") for t in _DEAL_TABLES],
    # A new deal has nobody on it until its owner is named in the same transaction: creating one is the
    # store's check (the role may create deals); reading and changing it is the wall's.
    OnlyOn(_PG, f"CREATE POLICY on_deal ON deal FOR SELECT USING {_on_deal('id')}"),
    OnlyOn(_PG, f"CREATE POLICY changes_deal ON deal FOR UPDATE USING {_on_deal('id')}"),
    OnlyOn(_PG, f"CREATE POLICY removes_deal ON deal FOR DELETE USING {_on_deal('id')}"),
    OnlyOn(_PG, "CREATE POLICY creates_deal ON deal FOR INSERT WITH CHECK (true)"),
    OnlyOn(
        _PG,
        f"CREATE POLICY on_deal ON deal_person USING ({_ALL} OR email = {_ME} OR cockpit_on_deal(deal_id))",
    ),
    OnlyOn(
        _PG,
        f"""CREATE POLICY of_a_deal ON counterparty FOR SELECT USING
        ({_ALL} OR id IN (SELECT counterparty_id FROM deal) OR cockpit_counterparty_unused(id))""",
    ),
    OnlyOn(
        _PG,
        f"""CREATE POLICY changes_it ON counterparty FOR UPDATE USING
        ({_ALL} OR id IN (SELECT counterparty_id FROM deal) OR cockpit_counterparty_unused(id))""",
    ),
    OnlyOn(_PG, "CREATE POLICY creates_one ON counterparty FOR INSERT WITH CHECK (true)"),
    OnlyOn(
        _PG,
        "CREATE POLICY of_a_counterparty ON stakeholder USING (counterparty_id IN (SELECT id FROM counterparty))",
    ),
    OnlyOn(
        _PG,
        "CREATE POLICY of_an_assessment ON power_score USING (assessment_id IN (SELECT id FROM power_assessment))",
    ),
    OnlyOn(_PG, "CREATE POLICY of_a_bundle ON meso_term USING (bundle_id IN (SELECT id FROM meso_bundle))"),
]


def _one_of(column: str, values: tuple[str, ...], what: str) -> Check:
    listed = ", ".join(f"'{v}'" for v in values)
    return Check(column, f'"{column}" IN ({listed})', f"{a(column)} that is not one of the cockpit's {what}")


def _between(column: str, low: int, high: int) -> Check:
    return Check(column, f'"{column}" BETWEEN {low} AND {high}', f"{a(column)} outside {low} to {high}")


def _of_deal(table: str, *rules) -> Constrain:
    return Constrain(table, (References("deal_id", "deal"), *rules))


# Written out as they stood when the step shipped (a step never changes); tests/unit/test_integrity.py
# fails when a model's choices and the database's CHECK part ways, so a new choice comes with a new step.
_INTEGRITY = [
    # Parents before children: on DuckDB each table is rebuilt, and one already referenced cannot be.
    Constrain("counterparty", (_one_of("relationship", ("one_off", "repeated"), "relationships"),
                               _one_of("communication_style", ("direct", "indirect"), "communication styles"))),
    Constrain("stakeholder", (References("counterparty_id", "counterparty"),)),
    Constrain("deal", (References("counterparty_id", "counterparty", on_duckdb=False),
                       _one_of("context", ("sales", "partnership", "procurement", "hiring"), "contexts"),
                       _one_of("stage", ("setup", "first_move", "midgame", "close", "implementation"), "stages"),
                       _one_of("side", ("buy", "sell"), "sides"),
                       Check("mandate", "mandate >= 0", "a negative mandate"))),
    _of_deal("evidence", _one_of("kind", ("benchmark", "cost_driver", "legal_standard", "precedent", "capacity",
                                          "policy", "other"), "kinds of evidence")),
    _of_deal("issue", References("evidence_id", "evidence", on_duckdb=False), _one_of("direction", ("floor", "ceiling"), "directions"),
             _one_of("confidence", ("low", "medium", "high"), "confidence levels"), _between("priority", 1, 5),
             _between("their_priority", 1, 5), Check("years", "years > 0", "a contract of no years")),
    _of_deal("alternative", References("evidence_id", "evidence"), References("per_unit_of", "issue"),
             _between("risk", 1, 5), _between("political_cost", 1, 5), _between("time_days", 0, 36500)),
    _of_deal("power_assessment"),
    Constrain("power_score", (References("assessment_id", "power_assessment"), References("evidence_id", "evidence"),
                              _one_of("source", ("alternatives", "authority", "information", "reputation", "time",
                                                 "coalition", "resources"), "power sources"),
                              _one_of("side", ("us", "them"), "sides"), _between("score", 0, 5))),
    _of_deal("concession", References("issue_id", "issue", on_duckdb=False), _between("round", 1, 1000)),
    _of_deal("meso_bundle", _between("round", 1, 1000)),
    Constrain("meso_term", (References("bundle_id", "meso_bundle"), References("issue_id", "issue"))),
    _of_deal("meso_pick", References("bundle_id", "meso_bundle"),
             _one_of("reaction", ("accepted", "preferred", "rejected"), "reactions")),
    Constrain("deal_event", (References("deal_id", "deal"),)),
    # One provider account is one member: a second row bound to the same issuer and subject signs two in.
    Constrain("member", (_one_of("role", ("negotiator", "sponsor", "leader", "admin"), "roles"),
                         Unique(("issuer", "subject")))),
    _of_deal("deal_person", _one_of("part", ("owner", "sponsor", "team"), "parts on a deal")),
    _of_deal("approval", References("concession_id", "concession"),
             _one_of("decision", ("approved", "rejected"), "decisions")),
    _of_deal("review", _one_of("outcome", ("signed", "walked_away", "lost", "paused"), "outcomes"),
             _one_of("deadline_verdict", ("real", "partly", "not_real"), "deadline verdicts"),
             _between("relationship_health", 1, 5)),
    Constrain("library_item", (_one_of("kind", ("benchmark", "governance_clause", "capacity_artefact", "tradeable"),
                                       "kinds of library item"),)),
    _of_deal("library_use", References("item_id", "library_item"), References("evidence_id", "evidence")),
    _of_deal("anchor_worksheet", References("issue_id", "issue")),
    _of_deal("concession_totals"),
]  # fmt: skip

# A deal's rows are read by deal: on PostgreSQL without an index each read scans every deal's rows (DuckDB's
# zone maps find them without one, and an index there would block later ALTERs of the table).
_READ_BY_DEAL = ("evidence", "alternative", "issue", "power_assessment", "concession", "meso_bundle", "meso_pick",
                 "library_use", "anchor_worksheet")  # fmt: skip

# The tables whose rows have an id of their own; on PostgreSQL each takes its ids from a sequence `TABLE_ids`
# (the first fourteen from step 022, the access log's from 023).
_SEQUENCED_022 = ("counterparty", "stakeholder", "deal", "evidence", "alternative", "issue", "power_assessment",
                  "concession", "meso_bundle", "meso_pick", "deal_event", "approval", "library_item", "library_use")  # fmt: skip
_SEQUENCED_023 = (*_SEQUENCED_022, "access_event")
_SEQUENCED_025 = (*_SEQUENCED_023, "text_version")
_SEQUENCED_026 = (*_SEQUENCED_025, "commitment", "escalation_step")
TABLES_WITH_IDS = _SEQUENCED_026


def _ids_past(tables: tuple[str, ...], replace: bool = False) -> str:
    listed = ", ".join(f"'{t}'" for t in tables)
    return f"""CREATE {"OR REPLACE " if replace else ""}FUNCTION cockpit_ids_past(tbl TEXT) RETURNS VOID
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $$
    DECLARE top BIGINT; given BIGINT;
    BEGIN
      IF tbl NOT IN ({listed}) THEN RAISE EXCEPTION 'not a table with ids: %', tbl; END IF;
      EXECUTE format('SELECT coalesce(max(id), 0) FROM %I', tbl) INTO top;
      EXECUTE format('SELECT last_value FROM %I', tbl || '_ids') INTO given;
      IF top >= given THEN PERFORM setval(format('%I', tbl || '_ids')::regclass, top); END IF;
    END $$"""


# After rows were added with ids of their own choosing (a copy, a bulk load), the sequence moves past them;
# it never moves back. Through the owner: the app's login may only take the next id, never set one.
_IDS_PAST = _ids_past(_SEQUENCED_022)
_PIN_IDS_PAST = """DO $$ BEGIN EXECUTE format('ALTER FUNCTION cockpit_ids_past(TEXT) SET search_path = %I, pg_temp',
                current_schema()); END $$"""

# Never edit a step that has shipped: add a new one.
MIGRATIONS: list[tuple[str, list[Step]]] = [
    (
        "001_counterparties_and_deals",
        [
            """CREATE TABLE counterparty (
                id BIGINT PRIMARY KEY, name VARCHAR NOT NULL, relationship VARCHAR NOT NULL,
                communication_style VARCHAR NOT NULL, notes VARCHAR NOT NULL DEFAULT '')""",
            """CREATE TABLE stakeholder (
                id BIGINT PRIMARY KEY, counterparty_id BIGINT NOT NULL, position INTEGER NOT NULL,
                name VARCHAR NOT NULL, role VARCHAR NOT NULL, decision_rights VARCHAR NOT NULL,
                veto BOOLEAN NOT NULL, status_concerns VARCHAR NOT NULL, deleted_at TIMESTAMP)""",
            """CREATE TABLE deal (
                id BIGINT PRIMARY KEY, name VARCHAR NOT NULL, context VARCHAR NOT NULL,
                stage VARCHAR NOT NULL, counterparty_id BIGINT NOT NULL, value DOUBLE NOT NULL,
                currency VARCHAR NOT NULL, owner VARCHAR NOT NULL, deadline DATE,
                deadline_reason VARCHAR NOT NULL, deadline_evidence_id BIGINT, mandate DOUBLE NOT NULL,
                pressured_issue_id BIGINT, notes VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL)""",
        ],
    ),
    (
        "002_preparation",
        [
            """CREATE TABLE evidence (
                id BIGINT PRIMARY KEY, deal_id BIGINT NOT NULL, position INTEGER NOT NULL,
                kind VARCHAR NOT NULL, title VARCHAR NOT NULL, source VARCHAR NOT NULL, date DATE NOT NULL,
                internal BOOLEAN NOT NULL, note VARCHAR NOT NULL, deleted_at TIMESTAMP)""",
            """CREATE TABLE alternative (
                id BIGINT PRIMARY KEY, deal_id BIGINT NOT NULL, position INTEGER NOT NULL,
                description VARCHAR NOT NULL, money DOUBLE NOT NULL, time_days INTEGER NOT NULL,
                risk INTEGER NOT NULL, political_cost INTEGER NOT NULL, evidence_id BIGINT,
                deleted_at TIMESTAMP)""",
            """CREATE TABLE issue (
                id BIGINT PRIMARY KEY, deal_id BIGINT NOT NULL, position INTEGER NOT NULL,
                name VARCHAR NOT NULL, unit VARCHAR NOT NULL, direction VARCHAR NOT NULL,
                target DOUBLE NOT NULL, reservation DOUBLE NOT NULL, their_target DOUBLE,
                their_walk_away DOUBLE, confidence VARCHAR NOT NULL, estimate_source VARCHAR NOT NULL,
                priority INTEGER NOT NULL, tradeable BOOLEAN NOT NULL, evidence_id BIGINT,
                deleted_at TIMESTAMP)""",
        ],
    ),
    (
        "003_power_concessions_meso",
        [
            """CREATE TABLE power_assessment (
                id BIGINT PRIMARY KEY, deal_id BIGINT NOT NULL, assessed_at TIMESTAMP NOT NULL,
                assessed_by VARCHAR NOT NULL)""",
            """CREATE TABLE power_score (
                assessment_id BIGINT NOT NULL, source VARCHAR NOT NULL, side VARCHAR NOT NULL,
                score INTEGER NOT NULL, evidence_id BIGINT, note VARCHAR NOT NULL,
                PRIMARY KEY (assessment_id, source, side))""",
            """CREATE TABLE concession (
                id BIGINT PRIMARY KEY, deal_id BIGINT NOT NULL, item VARCHAR NOT NULL,
                you_give VARCHAR NOT NULL, you_get VARCHAR NOT NULL, value_to_you DOUBLE NOT NULL,
                value_to_them DOUBLE NOT NULL, "trigger" VARCHAR NOT NULL, "round" INTEGER NOT NULL,
                issue_id BIGINT, new_position DOUBLE, final_offer BOOLEAN NOT NULL,
                logged_at TIMESTAMP NOT NULL, deleted_at TIMESTAMP)""",
            """CREATE TABLE meso_bundle (
                id BIGINT PRIMARY KEY, deal_id BIGINT NOT NULL, set_no INTEGER NOT NULL,
                position INTEGER NOT NULL, name VARCHAR NOT NULL, deleted_at TIMESTAMP)""",
            """CREATE TABLE meso_term (
                bundle_id BIGINT NOT NULL, issue_id BIGINT NOT NULL, value DOUBLE NOT NULL,
                PRIMARY KEY (bundle_id, issue_id))""",
        ],
    ),
    (
        "004_deal_events",
        [
            # What happened to a deal and who did it: stage changes, signals observed and cleared.
            """CREATE TABLE deal_event (
                id BIGINT PRIMARY KEY, deal_id BIGINT NOT NULL, kind VARCHAR NOT NULL, subject VARCHAR NOT NULL,
                old_value VARCHAR, new_value VARCHAR, note VARCHAR NOT NULL, changed_at TIMESTAMP NOT NULL,
                changed_by VARCHAR NOT NULL)""",
        ],
    ),
    (
        "005_meso_learning",
        [
            "ALTER TABLE issue ADD COLUMN their_priority INTEGER",
            """CREATE TABLE meso_pick (
                id BIGINT PRIMARY KEY, deal_id BIGINT NOT NULL, set_no INTEGER NOT NULL, bundle_id BIGINT NOT NULL,
                reaction VARCHAR NOT NULL, note VARCHAR NOT NULL, recorded_at TIMESTAMP NOT NULL,
                recorded_by VARCHAR NOT NULL)""",
        ],
    ),
    (
        "006_audit_trail",
        [
            # deal_event becomes the audit trail of every change; a private change's values are masked when shared.
            "ALTER TABLE deal_event ADD COLUMN private BOOLEAN DEFAULT false",
            "CREATE INDEX deal_event_deal ON deal_event (deal_id)",
        ],
    ),
    (
        "007_meso_round",
        [
            # The screens say "round"; the code and the schema now say it too.
            'ALTER TABLE meso_bundle RENAME COLUMN set_no TO "round"',
            'ALTER TABLE meso_pick RENAME COLUMN set_no TO "round"',
        ],
    ),
    (
        "008_deal_decimal_comma",
        ["ALTER TABLE deal ADD COLUMN decimal_comma BOOLEAN DEFAULT false"],
    ),
    (
        "009_alternative_marked_best",
        ["ALTER TABLE alternative ADD COLUMN best BOOLEAN DEFAULT false"],
    ),
    (
        "010_team_use",
        [
            # Who may sign in, and as what; a removed member keeps their row so their history still names them.
            """CREATE TABLE member (
                email VARCHAR PRIMARY KEY, role VARCHAR NOT NULL, added_at TIMESTAMP NOT NULL,
                added_by VARCHAR NOT NULL, removed_at TIMESTAMP)""",
            # Who is on which deal: one owner, one sponsor, any number of team members.
            """CREATE TABLE deal_person (
                deal_id BIGINT NOT NULL, email VARCHAR NOT NULL, part VARCHAR NOT NULL,
                added_at TIMESTAMP NOT NULL, PRIMARY KEY (deal_id, email))""",
            "CREATE INDEX deal_person_email ON deal_person (email)",
            # The sponsor's decisions on gives over the mandate; every decision is kept.
            """CREATE TABLE approval (
                id BIGINT PRIMARY KEY, deal_id BIGINT NOT NULL, concession_id BIGINT NOT NULL,
                decision VARCHAR NOT NULL, decided_by VARCHAR NOT NULL, decided_at TIMESTAMP NOT NULL,
                note VARCHAR NOT NULL, value_to_you DOUBLE NOT NULL, recorded_by VARCHAR NOT NULL,
                recorded_at TIMESTAMP NOT NULL)""",
            "CREATE INDEX approval_deal ON approval (deal_id)",
            # Who logged a line: nobody approves their own give.
            "ALTER TABLE concession ADD COLUMN logged_by VARCHAR",
            # Changes to the team itself (members, roles) belong to no deal.
            # (DuckDB alters a column only while no index depends on its table.)
            "DROP INDEX deal_event_deal",
            "ALTER TABLE deal_event ALTER COLUMN deal_id DROP NOT NULL",
            "CREATE INDEX deal_event_deal ON deal_event (deal_id)",
        ],
    ),
    (
        "011_review_and_library",
        [
            # One review per deal; lists are kept as JSON text, read and written only by core/store/reviews.py.
            """CREATE TABLE review (
                deal_id BIGINT PRIMARY KEY, outcome VARCHAR NOT NULL, final_values VARCHAR NOT NULL,
                power_answer VARCHAR NOT NULL, persuasive_evidence_ids VARCHAR NOT NULL,
                standards_answer VARCHAR NOT NULL, deadline_verdict VARCHAR, deadline_answer VARCHAR NOT NULL,
                relationship_health INTEGER, relationship_note VARCHAR NOT NULL, lessons VARCHAR NOT NULL,
                improvements VARCHAR NOT NULL, final BOOLEAN NOT NULL, updated_at TIMESTAMP NOT NULL)""",
            """CREATE TABLE library_item (
                id BIGINT PRIMARY KEY, kind VARCHAR NOT NULL, title VARCHAR NOT NULL, source VARCHAR NOT NULL,
                date DATE NOT NULL, contexts VARCHAR NOT NULL, owner VARCHAR NOT NULL, note VARCHAR NOT NULL,
                added_at TIMESTAMP NOT NULL, added_by VARCHAR NOT NULL, deleted_at TIMESTAMP)""",
            # Which deal's evidence came from (or went to) which library item: how uses and persuasive
            # picks are counted.
            """CREATE TABLE library_use (
                id BIGINT PRIMARY KEY, item_id BIGINT NOT NULL, deal_id BIGINT NOT NULL,
                evidence_id BIGINT NOT NULL, used_at TIMESTAMP NOT NULL, used_by VARCHAR NOT NULL)""",
        ],
    ),
    (
        "012_anchor_worksheet",
        [
            """CREATE TABLE anchor_worksheet (
                issue_id BIGINT PRIMARY KEY, deal_id BIGINT NOT NULL, range_low DOUBLE, range_high DOUBLE,
                benchmark_ids VARCHAR NOT NULL, cost_logic VARCHAR NOT NULL, rationale VARCHAR NOT NULL)""",
        ],
    ),
    ("013_row_level_security", _ROW_LEVEL_SECURITY),
    (
        "014_concession_totals",
        [
            """CREATE TABLE concession_totals (
                deal_id BIGINT PRIMARY KEY, lines BIGINT NOT NULL, balance DOUBLE NOT NULL, gives DOUBLE NOT NULL,
                one_way BIGINT NOT NULL, floor_breaches BIGINT NOT NULL)""",
            # Filled as of this step (the store keeps it from here on); written out here so that this step
            # stays what it was even if the store's rules move on.
            r"""INSERT INTO concession_totals (deal_id, lines, balance, gives, one_way, floor_breaches)
                SELECT c.deal_id, count(*), sum(c.value_to_you), sum(greatest(-c.value_to_you, 0)),
                       count(*) FILTER (WHERE c.you_get ~ '^\s*$'),
                       count(*) FILTER (WHERE c.new_position IS NOT NULL AND (
                           (i.direction = 'floor' AND c.new_position < i.reservation) OR
                           (i.direction = 'ceiling' AND c.new_position > i.reservation)))
                FROM concession c LEFT JOIN issue i ON i.id = c.issue_id AND i.deleted_at IS NULL
                WHERE c.deleted_at IS NULL GROUP BY c.deal_id""",
            OnlyOn(_PG, "ALTER TABLE concession_totals ENABLE ROW LEVEL SECURITY"),
            OnlyOn(_PG, f"CREATE POLICY on_deal ON concession_totals USING {_on_deal('deal_id')}"),
            OnlyOn(_PG, "ANALYZE concession_totals"),
        ],
    ),
    (
        "015_deal_side",
        [
            # Whether we buy or sell; deals from before read it from their context, as the model does.
            "ALTER TABLE deal ADD COLUMN side VARCHAR",
            "UPDATE deal SET side = CASE WHEN context IN ('procurement', 'hiring') THEN 'buy' ELSE 'sell' END",
            "ALTER TABLE alternative ADD COLUMN best_reason VARCHAR DEFAULT ''",
        ],
    ),
    (
        "016_member_identity",
        [
            # The identity provider's own key for a member (issuer + subject), bound at their first sign-in:
            # from then on an address alone, changed or look-alike, signs nobody in as them.
            "ALTER TABLE member ADD COLUMN issuer VARCHAR",
            "ALTER TABLE member ADD COLUMN subject VARCHAR",
        ],
    ),
    (
        "017_concession_changed_by",
        [
            # Who wrote a line last (logged, corrected or restored it): they do not approve it either.
            "ALTER TABLE concession ADD COLUMN changed_by VARCHAR",
            "UPDATE concession SET changed_by = logged_by",
        ],
    ),
    (
        "018_definer_functions_pinned",
        [
            # A definer function searches the cockpit's schema and nothing a caller can put first: with
            # `FROM CURRENT`, a caller's temporary table named deal_person was searched before the real one.
            OnlyOn(
                _PG,
                """DO $$ BEGIN
                EXECUTE format('ALTER FUNCTION cockpit_on_deal(BIGINT) SET search_path = %I, pg_temp', current_schema());
                EXECUTE format('ALTER FUNCTION cockpit_counterparty_unused(BIGINT) SET search_path = %I, pg_temp',
                               current_schema());
                EXECUTE format('ALTER FUNCTION cockpit_next_id(TEXT) SET search_path = %I, pg_temp', current_schema());
                END $$""",
            ),
            # Only the logins `cockpit grant` names may call them (cockpit_next_id tells the highest ids).
            *[
                OnlyOn(_PG, f"REVOKE EXECUTE ON FUNCTION {f} FROM PUBLIC")
                for f in (
                    "cockpit_on_deal(BIGINT)",
                    "cockpit_counterparty_unused(BIGINT)",
                    "cockpit_next_id(TEXT)",
                )
            ],
        ],
    ),
    (
        "019_issue_volume",
        [
            # A rate's money impact: rate × volume per year × years; and an alternative priced per unit.
            "ALTER TABLE issue ADD COLUMN volume DOUBLE",
            "ALTER TABLE issue ADD COLUMN years DOUBLE DEFAULT 1",
            "UPDATE issue SET years = 1",
            "ALTER TABLE alternative ADD COLUMN per_unit_of BIGINT",
        ],
    ),
    (
        "020_member_changes_through_the_owner",
        [
            OnlyOn(_PG, _member_function()),
            OnlyOn(
                _PG,
                """DO $$ BEGIN EXECUTE format('ALTER FUNCTION cockpit_member_change(TEXT, TEXT, TEXT, TIMESTAMP, TEXT, '
                'TEXT, TEXT) SET search_path = %I, pg_temp', current_schema()); END $$""",
            ),
            OnlyOn(
                _PG,
                "REVOKE EXECUTE ON FUNCTION cockpit_member_change(TEXT, TEXT, TEXT, TIMESTAMP, TEXT, TEXT, TEXT) FROM PUBLIC",
            ),
        ],
    ),
    (
        "021_integrity",
        [
            *_INTEGRITY,
            *[OnlyOn(_PG, f"CREATE INDEX {t}_deal ON {t} (deal_id)") for t in _READ_BY_DEAL],
            OnlyOn(_PG, "CREATE INDEX stakeholder_counterparty ON stakeholder (counterparty_id)"),
            OnlyOn(_PG, "CREATE INDEX deal_counterparty ON deal (counterparty_id)"),
        ],
    ),
    (
        "022_ids_from_sequences",
        [
            # Each new row's id from a sequence, on PostgreSQL: before, the next id was the highest plus one under
            # a lock held until commit, so every write of every server (each writes a history row) queued on one
            # lock. (DuckDB keeps the highest plus one: one process writes a file, one write at a time.)
            *[OnlyOn(_PG, f"CREATE SEQUENCE {t}_ids") for t in _SEQUENCED_022],
            *[
                OnlyOn(_PG, f"SELECT setval('{t}_ids', (SELECT coalesce(max(id), 0) + 1 FROM {t}), false)")
                for t in _SEQUENCED_022
            ],
            OnlyOn(_PG, _IDS_PAST),
            OnlyOn(_PG, _PIN_IDS_PAST),
            OnlyOn(_PG, "REVOKE EXECUTE ON FUNCTION cockpit_ids_past(TEXT) FROM PUBLIC"),
            OnlyOn(_PG, "DROP FUNCTION cockpit_next_id(TEXT)"),
        ],
    ),
    (
        "023_access_log",
        [
            # Who saw or took what (sign-ins, downloads, exports, backups), beside the history of what changed.
            # Written once and never changed: on PostgreSQL the app login may add rows, and only those who read
            # every deal (admins, leaders, the command line) read them.
            """CREATE TABLE access_event (
                id BIGINT PRIMARY KEY, happened_at TIMESTAMP NOT NULL, person VARCHAR NOT NULL, action VARCHAR NOT NULL,
                deal_id BIGINT, what VARCHAR NOT NULL)""",
            Constrain(
                "access_event",
                (
                    References("deal_id", "deal"),
                    _one_of(
                        "action",
                        ("signed_in", "downloaded", "exported", "backed_up", "restored"),
                        "access actions",
                    ),
                ),
            ),  # fmt: skip
            OnlyOn(_PG, "CREATE INDEX access_event_happened_at ON access_event (happened_at)"),
            OnlyOn(_PG, "CREATE SEQUENCE access_event_ids"),
            OnlyOn(_PG, _ids_past(_SEQUENCED_023, replace=True)),
            OnlyOn(_PG, "ALTER TABLE access_event ENABLE ROW LEVEL SECURITY"),
            OnlyOn(_PG, f"CREATE POLICY reads_all ON access_event FOR SELECT USING ({_ALL})"),
            OnlyOn(
                _PG,
                f"CREATE POLICY adds_own ON access_event FOR INSERT WITH CHECK (person = {_ME} OR {_ALL})",
            ),
        ],
    ),
    (
        "024_latest_assessment",
        [
            # Each deal's latest power assessment, kept as a fact when one is added (as the log's totals are),
            # so the pipeline joins one row per deal instead of ranking every assessment of every deal.
            "CREATE TABLE latest_assessment (deal_id BIGINT PRIMARY KEY, assessment_id BIGINT NOT NULL)",
            # Filled as of this step, written out here so that the step stays what it was.
            """INSERT INTO latest_assessment (deal_id, assessment_id)
                SELECT deal_id, id FROM (
                    SELECT deal_id, id, row_number() OVER (PARTITION BY deal_id ORDER BY assessed_at DESC, id DESC) AS n
                    FROM power_assessment) AS ranked WHERE n = 1""",
            *_kept_per_deal(
                "latest_assessment", References("assessment_id", "power_assessment", on_duckdb=False)
            ),
        ],
    ),
    (
        "025_single_text",
        [
            # Step 4: the one text both sides converge on. Every save is a version whose clauses are kept
            # whole, so any two versions compare clause by clause; the edit window closes on edit_until.
            """CREATE TABLE single_text (
                deal_id BIGINT PRIMARY KEY, edit_until DATE, started_at TIMESTAMP NOT NULL,
                started_by VARCHAR NOT NULL)""",
            """CREATE TABLE text_version (
                id BIGINT PRIMARY KEY, deal_id BIGINT NOT NULL, "number" INTEGER NOT NULL,
                saved_at TIMESTAMP NOT NULL, saved_by VARCHAR NOT NULL, late BOOLEAN NOT NULL,
                reason VARCHAR NOT NULL)""",
            """CREATE TABLE text_clause (
                version_id BIGINT NOT NULL, deal_id BIGINT NOT NULL, "position" INTEGER NOT NULL,
                "number" INTEGER NOT NULL, kind VARCHAR NOT NULL, title VARCHAR NOT NULL, wording VARCHAR NOT NULL,
                issue_id BIGINT, amount DOUBLE, source VARCHAR NOT NULL, metric VARCHAR NOT NULL,
                verification VARCHAR NOT NULL, status VARCHAR NOT NULL, PRIMARY KEY (version_id, "number"))""",
            _of_deal("single_text"),
            _of_deal(
                "text_version",
                Unique(("deal_id", "number")),
                Check("number", '"number" >= 1', "a version number below 1"),
            ),
            _of_deal(
                "text_clause",
                References("version_id", "text_version"),
                References("issue_id", "issue", on_duckdb=False),
                _one_of(
                    "kind",
                    ("issue", "metric", "verification", "remedy", "escalation", "validity", "other"),
                    "kinds of clause",
                ),
                _one_of("status", ("open", "agreed"), "clause statuses"),
                _one_of(
                    "source", ("concession_log", "meso_bundle", "our_target", "written"), "position sources"
                ),
            ),
            OnlyOn(_PG, "CREATE INDEX text_version_deal ON text_version (deal_id)"),
            OnlyOn(_PG, "CREATE INDEX text_clause_deal ON text_clause (deal_id)"),
            OnlyOn(_PG, "CREATE SEQUENCE text_version_ids"),
            OnlyOn(_PG, _ids_past(_SEQUENCED_025, replace=True)),
            # CREATE OR REPLACE resets a function's settings: the owner's function is pinned to this schema
            # again (step 023's replacement had left it reading the caller's search_path).
            OnlyOn(_PG, _PIN_IDS_PAST),
            *[
                OnlyOn(_PG, f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
                for t in ("single_text", "text_version", "text_clause")
            ],
            *[
                OnlyOn(_PG, f"CREATE POLICY on_deal ON {t} USING {_on_deal('deal_id')}")
                for t in ("single_text", "text_version", "text_clause")
            ],
        ],
    ),
    (
        "026_implementation_plan",
        [
            # Step 5: what each side promised, owned and dated, and the escalation steps taken.
            """CREATE TABLE commitment (
                id BIGINT PRIMARY KEY, deal_id BIGINT NOT NULL, "position" INTEGER NOT NULL, clause_number INTEGER,
                what VARCHAR NOT NULL, side VARCHAR NOT NULL, owner VARCHAR NOT NULL, due DATE,
                metric VARCHAR NOT NULL, target VARCHAR NOT NULL, verification VARCHAR NOT NULL,
                status VARCHAR NOT NULL, note VARCHAR NOT NULL, deleted_at TIMESTAMP)""",
            """CREATE TABLE escalation_step (
                id BIGINT PRIMARY KEY, deal_id BIGINT NOT NULL, kind VARCHAR NOT NULL, taken_at TIMESTAMP NOT NULL,
                taken_by VARCHAR NOT NULL, note VARCHAR NOT NULL, override_reason VARCHAR NOT NULL)""",
            _of_deal(
                "commitment",
                _one_of("side", ("us", "them"), "sides"),
                _one_of("status", ("on_track", "at_risk", "missed", "done"), "commitment statuses"),
            ),
            _of_deal(
                "escalation_step",
                _one_of(
                    "kind",
                    ("owner_to_owner", "sponsor_to_sponsor", "mediation", "contractual_remedy"),
                    "escalation steps",
                ),
            ),
            OnlyOn(_PG, "CREATE INDEX commitment_deal ON commitment (deal_id)"),
            OnlyOn(_PG, "CREATE INDEX escalation_step_deal ON escalation_step (deal_id)"),
            OnlyOn(_PG, "CREATE SEQUENCE commitment_ids"),
            OnlyOn(_PG, "CREATE SEQUENCE escalation_step_ids"),
            OnlyOn(_PG, _ids_past(_SEQUENCED_026, replace=True)),
            OnlyOn(_PG, _PIN_IDS_PAST),
            *[
                OnlyOn(_PG, f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
                for t in ("commitment", "escalation_step")
            ],
            *[
                OnlyOn(_PG, f"CREATE POLICY on_deal ON {t} USING {_on_deal('deal_id')}")
                for t in ("commitment", "escalation_step")
            ],
        ],
    ),
    (
        "027_line_facts",
        [
            # Each line's one-way and floor-breach verdicts, judged by core.concessions.line_facts as lines and
            # issues are written (store.facts): the totals below count them instead of restating the rules.
            "ALTER TABLE concession ADD COLUMN one_way BOOLEAN DEFAULT false",
            "ALTER TABLE concession ADD COLUMN breaches_floor BOOLEAN DEFAULT false",
            Judge(lambda cur: judge_lines(cur, None)),
            "DELETE FROM concession_totals",
            """INSERT INTO concession_totals (deal_id, lines, balance, gives, one_way, floor_breaches)
               SELECT deal_id, count(*), sum(value_to_you), sum(greatest(-value_to_you, 0)),
                      count(*) FILTER (WHERE one_way), count(*) FILTER (WHERE breaches_floor)
               FROM concession WHERE deleted_at IS NULL GROUP BY deal_id""",
        ],
    ),
    (
        "028_deal_batna",
        [
            # A deal bulk-loaded without a side: the side a screen would have given it, from its context.
            Judge(_sides_from_context),
            # Each deal's BATNA, kept as alternatives, issues and the deal's side are written (store.facts):
            # the pipeline joins it instead of ranking every alternative in SQL by a second writing of the order.
            "CREATE TABLE deal_batna (deal_id BIGINT PRIMARY KEY, alternative_id BIGINT NOT NULL)",
            Judge(lambda cur: judge_batnas(cur, None)),
            *_kept_per_deal("deal_batna", References("alternative_id", "alternative", on_duckdb=False)),
        ],
    ),
]


def integrity_rules() -> list[Constrain]:
    """Every integrity rule the migrations added, in the order they were added."""
    return [s for _, statements in MIGRATIONS for s in statements if isinstance(s, Constrain)]

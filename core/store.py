"""The DuckDB store: schema migrations, transactions, and every SQL statement of the app.

One connection per process; each thread reads through its own cursor (DuckDB connections are not
thread-safe, Streamlit sessions are threads). Writes go through `transaction()`, which serialises them
in-process with a lock and commits all or nothing: validation happens before, in the models.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from . import audit
from .audit import Change
from .models import (
    Batna,
    Concession,
    Counterparty,
    Deal,
    DealFile,
    Evidence,
    InvalidInput,
    Issue,
    MesoBundle,
    MesoPick,
    MesoTerm,
    Model,
    PowerAssessment,
    PowerScore,
    Stakeholder,
)

BUSY_RETRY_SECONDS = 0.25
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_ROOT / "data" / "cockpit.duckdb"


def database_path() -> Path:
    """Where the deal database lives: COCKPIT_DB, or data/cockpit.duckdb in the project."""
    return Path(os.environ.get("COCKPIT_DB") or DEFAULT_DB)


def current_user() -> str:
    """Who is recorded as making a change: COCKPIT_USER, else the operating-system user."""
    import getpass

    return os.environ.get("COCKPIT_USER") or getpass.getuser()


def now() -> datetime:
    """Timestamps are stored as naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


class DatabaseBusy(RuntimeError):
    """Another process holds the database file's write lock."""

    def __init__(self, path: Path, holder: str = "", waited: float = 0.0):
        self.path = path
        who = f" ({holder})" if holder else ""
        after = f" (waited {waited:g} s for it)" if waited else ""
        super().__init__(
            f"The deal database {path} is in use by another program{who}{after}. "
            "Stop the other cockpit (the app started with `make run`, or another `cockpit` command) and "
            "try again, or set COCKPIT_DB to a different file."
        )


class NotFound(LookupError):
    """A deal or other record that the caller named does not exist."""


class Conflict(RuntimeError):
    """Someone else changed the record since the caller read it: nothing was written."""


# Named, ordered schema steps. A database records which ones it has; opening it applies the rest.
# Never edit a step that has shipped: add a new one.
MIGRATIONS: list[tuple[str, list[str]]] = [
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
]

# Model -> (table, columns, parent column). Columns are the model's stored fields, in table order.
_CHILD_TABLES: dict[type[Model], tuple[str, tuple[str, ...], str]] = {
    Stakeholder: (
        "stakeholder",
        ("name", "role", "decision_rights", "veto", "status_concerns"),
        "counterparty_id",
    ),
    Evidence: ("evidence", ("kind", "title", "source", "date", "internal", "note"), "deal_id"),
    Batna: (
        "alternative",
        ("description", "money", "time_days", "risk", "political_cost", "evidence_id"),
        "deal_id",
    ),
    Issue: (
        "issue",
        (
            "name", "unit", "direction", "target", "reservation", "their_target", "their_walk_away",
            "confidence", "estimate_source", "priority", "their_priority", "tradeable", "evidence_id",
        ),
        "deal_id",
    ),
}  # fmt: skip

_DEAL_COLUMNS = (
    "name", "context", "stage", "counterparty_id", "value", "currency", "owner", "deadline",
    "deadline_reason", "deadline_evidence_id", "mandate", "pressured_issue_id", "notes",
)  # fmt: skip
_COUNTERPARTY_COLUMNS = ("name", "relationship", "communication_style", "notes")
_CONCESSION_COLUMNS = (
    "item", "you_give", "you_get", "value_to_you", "value_to_them", "trigger", "round", "issue_id",
    "new_position", "final_offer", "logged_at", "deleted_at",
)  # fmt: skip


# What the history calls each kept list, and the field that names an item of it.
_AUDITED: dict[type[Model], tuple[str, str, str]] = {
    Issue: ("issue", "Issue", "name"),
    Batna: ("batna", "Alternative", "description"),
    Evidence: ("evidence", "Evidence", "title"),
}


def _line(c: Concession) -> str:
    return f"Concession '{c.item}' (round {c.round})"


def _q(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def _value(v: Any) -> Any:
    return v.value if hasattr(v, "value") and not isinstance(v, int | float | str) else v


def _params(model: Model, columns: Sequence[str]) -> list[Any]:
    return [_value(getattr(model, c)) for c in columns]


class Cursor:
    """A thin wrapper so every call site binds parameters and gets rows as dicts."""

    def __init__(self, raw: duckdb.DuckDBPyConnection):
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> duckdb.DuckDBPyConnection:
        return self.raw.execute(sql, params or [])

    def rows(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        res = self.raw.execute(sql, params or [])
        names = [d[0] for d in res.description]
        return [dict(zip(names, r, strict=True)) for r in res.fetchall()]

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        # fetchall, not fetchone: DuckDB 2 refuses more work on a cursor with a half-read result.
        rows = self.raw.execute(sql, params or []).fetchall()
        return rows[0][0] if rows else None

    def df(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        return self.raw.execute(sql, params or []).df()

    def next_id(self, table: str) -> int:
        # Ids are handed out under the write lock, so max+1 cannot collide within the process,
        # and the file lock keeps other processes out. It also lets bulk loads assign ids in pandas.
        return int(self.scalar(f"SELECT coalesce(max(id), 0) + 1 FROM {table}"))


class Store:
    """The deal database. Open with `Store.open(path)`; `Store.memory()` for tests."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, path: Path | None):
        self._conn = conn
        self.path = path
        self._write_lock = threading.RLock()
        self._local = threading.local()
        # Bumped after every committed write. Only this process can write the file (DuckDB's lock), so
        # an unchanged revision means unchanged data: screens that refresh every few seconds reuse work.
        self.revision = 0

    # ---- opening and schema -------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str | None = None, migrations=None, wait: float = 0.0) -> Store:
        """Open (and migrate) the file. If another process holds it, retry for up to `wait` seconds,
        then raise DatabaseBusy: a short command run next to the app gets its turn once the file is free."""
        path = Path(path) if path is not None else database_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + wait
        while True:
            try:
                conn = duckdb.connect(str(path))
                break
            except duckdb.IOException as exc:
                text = str(exc)
                if "lock" not in text.lower():
                    raise
                if time.monotonic() >= deadline:
                    holder = re.search(r"PID \d+", text)
                    raise DatabaseBusy(path, holder.group(0) if holder else "", waited=wait) from None
                time.sleep(BUSY_RETRY_SECONDS)
        store = cls(conn, path)
        store.migrate(MIGRATIONS if migrations is None else migrations)
        return store

    @classmethod
    def memory(cls, migrations=None) -> Store:
        store = cls(duckdb.connect(":memory:"), None)
        store.migrate(MIGRATIONS if migrations is None else migrations)
        return store

    def close(self) -> None:
        self._conn.close()

    def migrate(self, migrations) -> list[str]:
        """Apply the steps this database does not have yet, each in its own transaction."""
        with self.transaction() as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migration (name VARCHAR PRIMARY KEY, "
                "applied_at TIMESTAMP NOT NULL)"
            )
            done = {r["name"] for r in cur.rows("SELECT name FROM schema_migration")}
        applied = []
        for name, statements in migrations:
            if name in done:
                continue
            with self.transaction() as cur:
                for sql in statements:
                    cur.execute(sql)
                cur.execute("INSERT INTO schema_migration VALUES (?, ?)", [name, now()])
            applied.append(name)
        return applied

    def applied_migrations(self) -> list[str]:
        return [r["name"] for r in self.cursor().rows("SELECT name FROM schema_migration ORDER BY name")]

    # ---- cursors and transactions -------------------------------------------------------------
    def cursor(self) -> Cursor:
        """This thread's read cursor."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._local.cursor = Cursor(self._conn.cursor())
        return cur

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """All or nothing: commits when the block ends, rolls back if it raises."""
        with self._write_lock:
            raw = self._conn.cursor()
            raw.begin()
            try:
                yield Cursor(raw)
                raw.commit()
                self.revision += 1
            except BaseException:
                raw.rollback()
                raise
            finally:
                raw.close()

    # ---- generic children (stakeholders, evidence, alternatives, issues) ------------------------
    def _list_children(self, model: type[Model], parent_id: int, cur: Cursor | None = None) -> list:
        table, cols, parent = _CHILD_TABLES[model]
        rows = (cur or self.cursor()).rows(
            f"SELECT id, {parent}, {_q(cols)} FROM {table} "
            f"WHERE {parent} = ? AND deleted_at IS NULL ORDER BY position, id",
            [parent_id],
        )
        return [model.model_validate(r) for r in rows]

    def _replace_children(
        self, cur: Cursor, model: type[Model], parent_id: int, items: Sequence
    ) -> list[int]:
        """Make the stored list equal `items`: update by id, insert new, soft-delete the missing."""
        table, cols, parent = _CHILD_TABLES[model]
        existing = {
            r["id"]
            for r in cur.rows(
                f"SELECT id FROM {table} WHERE {parent} = ? AND deleted_at IS NULL", [parent_id]
            )
        }
        ids = []
        for position, item in enumerate(items):
            if item.id is not None and item.id in existing:
                sets = ", ".join(f'"{c}" = ?' for c in cols)
                cur.execute(
                    f"UPDATE {table} SET {sets}, position = ? WHERE id = ?",
                    [*_params(item, cols), position, item.id],
                )
                ids.append(item.id)
            else:
                new_id = cur.next_id(table)
                cur.execute(
                    f"INSERT INTO {table} (id, {parent}, position, {_q(cols)}) "
                    f"VALUES (?, ?, ?, {', '.join('?' * len(cols))})",
                    [new_id, parent_id, position, *_params(item, cols)],
                )
                ids.append(new_id)
        gone = existing - set(ids)
        for old in sorted(gone):
            cur.execute(f"UPDATE {table} SET deleted_at = ? WHERE id = ?", [now(), old])
        return ids

    # ---- counterparties -----------------------------------------------------------------------
    def list_counterparties(self) -> pd.DataFrame:
        return self.cursor().df(
            """SELECT c.id, c.name, c.relationship, c.communication_style, count(d.id) AS deals
               FROM counterparty c LEFT JOIN deal d ON d.counterparty_id = c.id
               GROUP BY c.id, c.name, c.relationship, c.communication_style ORDER BY lower(c.name)"""
        )

    def get_counterparty(self, counterparty_id: int) -> Counterparty:
        rows = self.cursor().rows(
            f"SELECT id, {_q(_COUNTERPARTY_COLUMNS)} FROM counterparty WHERE id = ?", [counterparty_id]
        )
        if not rows:
            raise NotFound(f"There is no counterparty with id {counterparty_id}.")
        return Counterparty.model_validate(rows[0])

    def find_counterparty(self, name: str) -> Counterparty | None:
        rows = self.cursor().rows(
            f"SELECT id, {_q(_COUNTERPARTY_COLUMNS)} FROM counterparty WHERE lower(name) = lower(?) "
            "ORDER BY id LIMIT 1",
            [name.strip()],
        )
        return Counterparty.model_validate(rows[0]) if rows else None

    def _insert_counterparty(self, cur: Cursor, cp: Counterparty) -> int:
        new_id = cur.next_id("counterparty")
        cur.execute(
            f"INSERT INTO counterparty (id, {_q(_COUNTERPARTY_COLUMNS)}) VALUES (?, ?, ?, ?, ?)",
            [new_id, *_params(cp, _COUNTERPARTY_COLUMNS)],
        )
        return new_id

    def update_counterparty(self, cp: Counterparty) -> None:
        sets = ", ".join(f'"{c}" = ?' for c in _COUNTERPARTY_COLUMNS)
        with self.transaction() as cur:
            self._require(cur, "counterparty", cp.id)
            before = Counterparty.model_validate(
                cur.rows(f"SELECT id, {_q(_COUNTERPARTY_COLUMNS)} FROM counterparty WHERE id = ?", [cp.id])[0]
            )
            cur.execute(
                f"UPDATE counterparty SET {sets} WHERE id = ?", [*_params(cp, _COUNTERPARTY_COLUMNS), cp.id]
            )
            self._audit_counterparty(
                cur, cp.id, audit.field_changes("counterparty", "Counterparty", before, cp)
            )

    def _audit_counterparty(self, cur: Cursor, counterparty_id: int, changes: Sequence[Change]) -> None:
        """A counterparty is shared by its deals: each deal's history gets the change."""
        for r in cur.rows("SELECT id FROM deal WHERE counterparty_id = ? ORDER BY id", [counterparty_id]):
            self._audit(cur, r["id"], changes)

    def list_stakeholders(self, counterparty_id: int) -> list[Stakeholder]:
        return self._list_children(Stakeholder, counterparty_id)

    def replace_stakeholders(self, counterparty_id: int, people: Sequence[Stakeholder]) -> list[int]:
        with self.transaction() as cur:
            self._require(cur, "counterparty", counterparty_id)
            before = self._list_children(Stakeholder, counterparty_id, cur)
            ids = self._replace_children(cur, Stakeholder, counterparty_id, people)
            after = [p.model_copy(update={"id": i}) for p, i in zip(people, ids, strict=True)]
            changes = audit.list_changes("counterparty", before, after, lambda p: f"Stakeholder '{p.name}'")
            self._audit_counterparty(cur, counterparty_id, changes)
            return ids

    # ---- deals --------------------------------------------------------------------------------
    def is_empty(self) -> bool:
        return self.cursor().scalar("SELECT count(*) FROM deal") == 0

    def list_deals(self) -> pd.DataFrame:
        """One row per deal for pickers and `cockpit deals`."""
        return self.cursor().df(
            """SELECT d.id, d.name, c.name AS counterparty, d.context, d.stage, d.owner, d.value,
                      d.currency, d.deadline
               FROM deal d JOIN counterparty c ON c.id = d.counterparty_id ORDER BY d.id"""
        )

    def get_deal(self, deal_id: int) -> Deal:
        rows = self.cursor().rows(f"SELECT id, {_q(_DEAL_COLUMNS)} FROM deal WHERE id = ?", [deal_id])
        if not rows:
            raise NotFound(f"There is no deal with id {deal_id}.")
        return Deal.model_validate(rows[0])

    def create_deal(self, deal: Deal, counterparty: Counterparty | None = None) -> int:
        """Store a new deal; with `counterparty` (no id) the counterparty is created in the same step."""
        with self.transaction() as cur:
            deal_id = self._insert_deal(cur, deal, counterparty)
            self._audit(cur, deal_id, audit.record_added("deal", "Deal", deal, verb="created"))
            return deal_id

    def _insert_deal(self, cur: Cursor, deal: Deal, counterparty: Counterparty | None) -> int:
        if counterparty is not None and counterparty.id is None:
            cp_id = self._insert_counterparty(cur, counterparty)
        else:
            cp_id = counterparty.id if counterparty is not None else deal.counterparty_id
            self._require(cur, "counterparty", cp_id)
        new_id = cur.next_id("deal")
        values = _params(deal.model_copy(update={"counterparty_id": cp_id}), _DEAL_COLUMNS)
        cur.execute(
            f"INSERT INTO deal (id, {_q(_DEAL_COLUMNS)}, created_at) "
            f"VALUES (?, {', '.join('?' * len(_DEAL_COLUMNS))}, ?)",
            [new_id, *values, now()],
        )
        return new_id

    def update_deal(self, deal: Deal) -> None:
        sets = ", ".join(f'"{c}" = ?' for c in _DEAL_COLUMNS)
        with self.transaction() as cur:
            self._require(cur, "deal", deal.id)
            before = Deal.model_validate(
                cur.rows(f"SELECT id, {_q(_DEAL_COLUMNS)} FROM deal WHERE id = ?", [deal.id])[0]
            )
            self._require(cur, "counterparty", deal.counterparty_id)
            for col, table in (("deadline_evidence_id", "evidence"), ("pressured_issue_id", "issue")):
                ref = getattr(deal, col)
                if ref is not None and not cur.scalar(
                    f"SELECT count(*) FROM {table} WHERE id = ? AND deal_id = ? AND deleted_at IS NULL",
                    [ref, deal.id],
                ):
                    raise NotFound(f"{col.replace('_', ' ')}: {table} {ref} does not belong to this deal.")
            cur.execute(f"UPDATE deal SET {sets} WHERE id = ?", [*_params(deal, _DEAL_COLUMNS), deal.id])
            self._audit(
                cur, deal.id, audit.field_changes("deal", "Deal", before, deal, kinds={"stage": "stage"})
            )

    def _require(self, cur: Cursor, table: str, row_id: int | None) -> None:
        if row_id is None or not cur.scalar(f"SELECT count(*) FROM {table} WHERE id = ?", [row_id]):
            raise NotFound(f"There is no {table} with id {row_id}.")

    # ---- preparation: evidence, alternatives, issues --------------------------------------------
    def list_evidence(self, deal_id: int) -> list[Evidence]:
        return self._list_children(Evidence, deal_id)

    def list_alternatives(self, deal_id: int) -> list[Batna]:
        """The deal's walk-away alternatives, best first: the first is the BATNA."""
        return self._list_children(Batna, deal_id)

    def list_issues(self, deal_id: int) -> list[Issue]:
        return self._list_children(Issue, deal_id)

    def issue_ids(self, deal_id: int) -> dict[str, int]:
        """The deal's issues by name, for linking imported lines. Raises NotFound for an unknown deal."""
        self.get_deal(deal_id)
        return {i.name: i.id for i in self.list_issues(deal_id)}

    def replace_evidence(self, deal_id: int, items: Sequence[Evidence]) -> list[int]:
        return self._replace_for_deal(Evidence, deal_id, items)

    def replace_alternatives(self, deal_id: int, items: Sequence[Batna]) -> list[int]:
        return self._replace_for_deal(Batna, deal_id, items)

    def replace_issues(self, deal_id: int, items: Sequence[Issue]) -> list[int]:
        return self._replace_for_deal(Issue, deal_id, items)

    def _replace_for_deal(self, model: type[Model], deal_id: int, items: Sequence) -> list[int]:
        with self.transaction() as cur:
            self._require(cur, "deal", deal_id)
            refs = {
                r["id"]
                for r in cur.rows(
                    "SELECT id FROM evidence WHERE deal_id = ? AND deleted_at IS NULL", [deal_id]
                )
            }
            for n, item in enumerate(items, start=1):
                ref = getattr(item, "evidence_id", None)
                if ref is not None and ref not in refs:
                    raise NotFound(f"Row {n}, Evidence: evidence {ref} is not in this deal's evidence pack.")
            before = self._list_children(model, deal_id, cur)
            ids = self._replace_children(cur, model, deal_id, items)
            after = [item.model_copy(update={"id": i}) for item, i in zip(items, ids, strict=True)]
            kind, noun, name = _AUDITED[model]
            changes = audit.list_changes(kind, before, after, lambda it: f"{noun} '{getattr(it, name)}'")
            if model is Batna and before and after and before[0].id != after[0].id:
                changes.append(audit.Change("batna", "BATNA (first alternative)", before[0].description,
                                            after[0].description, private=True))  # fmt: skip
            self._audit(cur, deal_id, changes)
            return ids

    # ---- power, concessions, MESO ---------------------------------------------------------------
    def list_assessments(self, deal_id: int) -> list[PowerAssessment]:
        cur = self.cursor()
        heads = cur.rows(
            "SELECT id, deal_id, assessed_at, assessed_by FROM power_assessment WHERE deal_id = ? "
            "ORDER BY assessed_at, id",
            [deal_id],
        )
        if not heads:
            return []
        scores = cur.rows(
            "SELECT assessment_id, source, side, score, evidence_id, note FROM power_score "
            "WHERE assessment_id IN (SELECT id FROM power_assessment WHERE deal_id = ?)",
            [deal_id],
        )
        by_assessment: dict[int, list[dict]] = {}
        for s in scores:
            by_assessment.setdefault(s.pop("assessment_id"), []).append(s)
        return [
            PowerAssessment.model_validate(
                {**h, "scores": _sorted_scores([PowerScore(**s) for s in by_assessment.get(h["id"], [])])}
            )
            for h in heads
        ]

    def counterparty_deals(self, counterparty_id: int) -> pd.DataFrame:
        """Every deal with this counterparty (for the counterparty view of leverage)."""
        return self.cursor().df(
            "SELECT id, name, context, stage, value, currency FROM deal WHERE counterparty_id = ? ORDER BY id",
            [counterparty_id],
        )

    def add_assessment(self, deal_id: int, assessment: PowerAssessment) -> int:
        with self.transaction() as cur:
            self._require(cur, "deal", deal_id)
            previous = self._latest_assessment(cur, deal_id)
            new_id = self._insert_assessment(cur, deal_id, assessment, evidence_map=None)
            self._audit(cur, deal_id, audit.score_changes(previous, assessment))
            return new_id

    def _latest_assessment(self, cur: Cursor, deal_id: int) -> PowerAssessment | None:
        head = cur.rows(
            "SELECT id, assessed_at, assessed_by FROM power_assessment WHERE deal_id = ? "
            "ORDER BY assessed_at DESC, id DESC LIMIT 1",
            [deal_id],
        )
        if not head:
            return None
        scores = cur.rows(
            "SELECT source, side, score, evidence_id, note FROM power_score WHERE assessment_id = ?",
            [head[0]["id"]],
        )
        return PowerAssessment.model_validate({**head[0], "scores": scores})

    def _insert_assessment(self, cur: Cursor, deal_id: int, a: PowerAssessment, evidence_map) -> int:
        new_id = cur.next_id("power_assessment")
        cur.execute(
            "INSERT INTO power_assessment VALUES (?, ?, ?, ?)",
            [new_id, deal_id, a.assessed_at, a.assessed_by],
        )
        for s in _sorted_scores(a.scores):
            ev = s.evidence_id if evidence_map is None else evidence_map.get(s.evidence_id)
            cur.execute(
                "INSERT INTO power_score VALUES (?, ?, ?, ?, ?, ?)",
                [new_id, s.source.value, s.side.value, s.score, ev, s.note],
            )
        return new_id

    def list_concessions(self, deal_id: int, include_deleted: bool = False) -> list[Concession]:
        live = "" if include_deleted else "AND deleted_at IS NULL"
        rows = self.cursor().rows(
            f"SELECT id, deal_id, {_q(_CONCESSION_COLUMNS)} FROM concession WHERE deal_id = ? {live} "
            "ORDER BY logged_at, id",
            [deal_id],
        )
        # Rows were validated on the way in; skipping re-validation keeps a 5,000-line log fast to read.
        return [Concession.model_construct(**r) for r in rows]

    def concession_frame(self, deal_id: int) -> pd.DataFrame:
        """The deal's live log as a frame with the Concession fields as columns, in logged order."""
        return self.cursor().df(
            f"SELECT id, deal_id, {_q(_CONCESSION_COLUMNS)} FROM concession WHERE deal_id = ? AND deleted_at IS NULL "
            "ORDER BY logged_at, id",
            [deal_id],
        )

    def add_concession(self, deal_id: int, concession: Concession) -> int:
        with self.transaction() as cur:
            self._require(cur, "deal", deal_id)
            self._check_issue_links(cur, deal_id, [concession])
            new_id = self._insert_concession(cur, deal_id, concession, issue_map=None)
            self._audit(
                cur, deal_id, audit.record_added("concession", _line(concession), concession, "logged")
            )
            return new_id

    def _concessions_by_id(self, cur: Cursor, ids: Sequence[int]) -> dict[int, Concession]:
        """Lines as stored now, removed ones included: what the history compares a change against."""
        if not ids:
            return {}
        rows = cur.rows(
            f"SELECT id, deal_id, {_q(_CONCESSION_COLUMNS)} FROM concession WHERE id IN ({', '.join('?' * len(ids))})",
            list(ids),
        )
        return {r["id"]: Concession.model_validate(r) for r in rows}

    def _check_issue_links(self, cur: Cursor, deal_id: int, items: Sequence[Concession]) -> None:
        issues = {
            r["id"]
            for r in cur.rows("SELECT id FROM issue WHERE deal_id = ? AND deleted_at IS NULL", [deal_id])
        }
        for c in items:
            if c.issue_id is not None and c.issue_id not in issues:
                raise NotFound(f"Linked issue: issue {c.issue_id} is not an issue of this deal.")

    def update_concessions(
        self,
        deal_id: int,
        changed: Sequence[Concession],
        removed: Sequence[int] = (),
        read: Sequence[Concession] | None = None,
    ) -> None:
        """Corrections to the log in one step: changed lines are rewritten, removed ones soft-deleted.

        `read` is the log as the caller saw it: if someone else changed one of the touched lines since,
        nothing is written and Conflict names the line (two sessions never silently overwrite each other)."""
        sets = ", ".join(f'"{c}" = ?' for c in _CONCESSION_COLUMNS)
        with self.transaction() as cur:
            live = {
                r["id"]
                for r in cur.rows(
                    "SELECT id FROM concession WHERE deal_id = ? AND deleted_at IS NULL", [deal_id]
                )
            }
            unknown = [c.id for c in changed if c.id not in live] + [i for i in removed if i not in live]
            if unknown:
                raise NotFound(
                    f"Concession line(s) {', '.join(map(str, unknown))} are no longer in this log "
                    "(removed or changed elsewhere). Reload and try again."
                )
            self._check_issue_links(cur, deal_id, changed)
            touched = [c.id for c in changed] + list(removed)
            before = self._concessions_by_id(cur, touched)
            seen = {c.id: c for c in read or []}
            stale = [
                before[i] for i in touched
                if i in seen and _params(seen[i], _CONCESSION_COLUMNS) != _params(before[i], _CONCESSION_COLUMNS)
            ]  # fmt: skip
            if stale:
                raise Conflict(
                    f"{_line(stale[0])} was changed by someone else since you opened the log. Nothing was saved: "
                    "the table now shows their version; make your correction again."
                )
            changes: list[audit.Change] = []
            for c in changed:
                cur.execute(
                    f"UPDATE concession SET {sets} WHERE id = ?", [*_params(c, _CONCESSION_COLUMNS), c.id]
                )
                changes += audit.field_changes("concession", _line(before[c.id]), before[c.id], c,
                                               fields=[f for f in _CONCESSION_COLUMNS if f != "deleted_at"])  # fmt: skip
            for concession_id in removed:
                cur.execute("UPDATE concession SET deleted_at = ? WHERE id = ?", [now(), concession_id])
                line = before[concession_id]
                changes += audit.record_removed("concession", _line(line), line)
            self._audit(cur, deal_id, changes)

    def remove_concession(self, deal_id: int, concession_id: int) -> None:
        self.update_concessions(deal_id, [], [concession_id])

    def restore_concession(self, deal_id: int, concession_id: int) -> None:
        """Undo a removal."""
        with self.transaction() as cur:
            if not cur.scalar(
                "SELECT count(*) FROM concession WHERE id = ? AND deal_id = ? AND deleted_at IS NOT NULL",
                [concession_id, deal_id],
            ):
                raise NotFound(f"Concession line {concession_id} is not a removed line of this deal.")
            cur.execute("UPDATE concession SET deleted_at = NULL WHERE id = ?", [concession_id])
            line = self._concessions_by_id(cur, [concession_id])[concession_id]
            self._audit(
                cur, deal_id, [audit.Change("concession", f"{_line(line)} restored", "removed", "live")]
            )

    def list_removed_concessions(self, deal_id: int) -> list[Concession]:
        rows = self.cursor().rows(
            f"SELECT id, deal_id, {_q(_CONCESSION_COLUMNS)} FROM concession "
            "WHERE deal_id = ? AND deleted_at IS NOT NULL ORDER BY deleted_at DESC, id DESC",
            [deal_id],
        )
        return [Concession.model_validate(r) for r in rows]

    def import_concessions(self, deal_id: int, items: Sequence[Concession]) -> int:
        """Append validated lines in one transaction (bulk, so 100,000 lines take seconds)."""
        with self.transaction() as cur:
            self._require(cur, "deal", deal_id)
            self._check_issue_links(cur, deal_id, items)
            first = cur.next_id("concession")
            frame = pd.DataFrame(
                [_params(c, _CONCESSION_COLUMNS) for c in items], columns=list(_CONCESSION_COLUMNS)
            ).astype({"issue_id": "Int64", "new_position": "Float64"})
            frame.insert(0, "deal_id", deal_id)
            frame.insert(0, "id", range(first, first + len(items)))
            cur.raw.register("_import_frame", frame)
            try:
                cur.execute("INSERT INTO concession BY NAME SELECT * FROM _import_frame")
            finally:
                cur.raw.unregister("_import_frame")
            lines = f"{len(items):,} line{'s' if len(items) != 1 else ''}"
            self._audit(
                cur,
                deal_id,
                [audit.Change("concession", "Concession lines imported from a CSV", None, lines)],
            )
        return len(items)

    def concession_log(self, deal_id: int | None = None) -> pd.DataFrame:
        """The live log of one deal, or of every deal, with the CSV's column names, in logged order."""
        where = "AND c.deal_id = ?" if deal_id is not None else ""
        return self.cursor().df(
            f"""SELECT c.item AS "Item", c.you_give AS "You give", c.you_get AS "You get",
                       c.value_to_you AS "Value to you", c.value_to_them AS "Value to them",
                       c."trigger" AS "Trigger/contingency", d.name AS "Deal", cp.name AS "Counterparty",
                       c."round" AS "Round", i.name AS "Linked issue", c.new_position AS "New position",
                       c.final_offer AS "Final offer", c.logged_at AS "Logged at"
                FROM concession c JOIN deal d ON d.id = c.deal_id
                JOIN counterparty cp ON cp.id = d.counterparty_id
                LEFT JOIN issue i ON i.id = c.issue_id
                WHERE c.deleted_at IS NULL {where}
                ORDER BY c.deal_id, c.logged_at, c.id""",
            [deal_id] if deal_id is not None else [],
        )

    def _insert_concession(self, cur: Cursor, deal_id: int, c: Concession, issue_map) -> int:
        new_id = cur.next_id("concession")
        issue_id = c.issue_id if issue_map is None else issue_map.get(c.issue_id)
        values = _params(c.model_copy(update={"issue_id": issue_id}), _CONCESSION_COLUMNS)
        cur.execute(
            f"INSERT INTO concession (id, deal_id, {_q(_CONCESSION_COLUMNS)}) "
            f"VALUES (?, ?, {', '.join('?' * len(_CONCESSION_COLUMNS))})",
            [new_id, deal_id, *values],
        )
        return new_id

    def list_meso_bundles(
        self, deal_id: int, include_removed: bool = False, cur: Cursor | None = None
    ) -> list[MesoBundle]:
        cur = cur or self.cursor()
        live = "" if include_removed else "AND deleted_at IS NULL"
        heads = cur.rows(
            f"SELECT id, deal_id, set_no, name FROM meso_bundle WHERE deal_id = ? {live} ORDER BY set_no, position, id",
            [deal_id],
        )
        terms = cur.rows(
            "SELECT t.bundle_id, t.issue_id, t.value FROM meso_term t JOIN issue i ON i.id = t.issue_id "
            "WHERE t.bundle_id IN (SELECT id FROM meso_bundle WHERE deal_id = ?) ORDER BY i.position, i.id",
            [deal_id],
        )
        by_bundle: dict[int, list[MesoTerm]] = {}
        for t in terms:
            by_bundle.setdefault(t["bundle_id"], []).append(
                MesoTerm(issue_id=t["issue_id"], value=t["value"])
            )
        return [MesoBundle.model_validate({**h, "terms": by_bundle.get(h["id"], [])}) for h in heads]

    def replace_meso_set(self, deal_id: int, set_no: int, bundles: Sequence[MesoBundle]) -> None:
        """Make a MESO round equal `bundles` in one step: rename and re-value by id, add new, soft-delete missing."""
        with self.transaction() as cur:
            self._require(cur, "deal", deal_id)
            issues = {
                r["id"]
                for r in cur.rows("SELECT id FROM issue WHERE deal_id = ? AND deleted_at IS NULL", [deal_id])
            }
            for b in bundles:
                for t in b.terms:
                    if t.issue_id not in issues:
                        raise NotFound(f"{b.name}: issue {t.issue_id} is not an issue of this deal.")
            existing = {
                r["id"] for r in cur.rows(
                    "SELECT id FROM meso_bundle WHERE deal_id = ? AND set_no = ? AND deleted_at IS NULL", [deal_id, set_no]
                )
            }  # fmt: skip
            before = {b.id: b for b in self.list_meso_bundles(deal_id, cur=cur) if b.id in existing}
            names = {
                r["id"]: r["name"]
                for r in cur.rows("SELECT id, name FROM issue WHERE deal_id = ?", [deal_id])
            }  # fmt: skip
            changes: list[Change] = []
            kept = set()
            for position, b in enumerate(bundles):
                subject = f"Round {set_no} · {b.name}"
                if b.id in existing:
                    old = before[b.id]
                    if old.name != b.name:
                        changes.append(
                            Change("meso", f"Round {set_no} · {old.name} · Name", old.name, b.name)
                        )
                    cur.execute(
                        "UPDATE meso_bundle SET name = ?, position = ? WHERE id = ?", [b.name, position, b.id]
                    )
                    old_terms = {t.issue_id: t.value for t in old.terms}
                    for t in b.terms:
                        # An upsert, not delete-and-insert: the app never hard-deletes; the old value is in history.
                        cur.execute(
                            "INSERT OR REPLACE INTO meso_term VALUES (?, ?, ?)", [b.id, t.issue_id, t.value]
                        )
                        if old_terms.get(t.issue_id) != t.value:
                            changes.append(Change("meso", f"{subject} · {names.get(t.issue_id, t.issue_id)}",
                                                  audit.as_text(old_terms.get(t.issue_id)), audit.as_text(t.value)))  # fmt: skip
                    kept.add(b.id)
                else:
                    self._insert_bundle(cur, deal_id, b.model_copy(update={"set_no": set_no}), position, None)
                    terms = "; ".join(
                        f"{names.get(t.issue_id, t.issue_id)}: {audit.as_text(t.value)}" for t in b.terms
                    )
                    changes.append(Change("meso", f"{subject} added", None, terms))
            for gone in existing - kept:
                cur.execute("UPDATE meso_bundle SET deleted_at = ? WHERE id = ?", [now(), gone])
                changes.append(
                    Change(
                        "meso", f"Round {set_no} · {before[gone].name} removed", before[gone].name, "removed"
                    )
                )
            self._audit(cur, deal_id, changes)

    def add_meso_pick(self, deal_id: int, pick: MesoPick) -> None:
        with self.transaction() as cur:
            if not cur.scalar(
                "SELECT count(*) FROM meso_bundle WHERE id = ? AND deal_id = ? AND set_no = ?",
                [pick.bundle_id, deal_id, pick.set_no],
            ):
                raise NotFound(f"Bundle {pick.bundle_id} is not in round {pick.set_no} of this deal.")
            cur.execute(
                "INSERT INTO meso_pick VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [cur.next_id("meso_pick"), deal_id, pick.set_no, pick.bundle_id, pick.reaction.value, pick.note,
                 pick.recorded_at, current_user()],
            )  # fmt: skip
            name = cur.scalar("SELECT name FROM meso_bundle WHERE id = ?", [pick.bundle_id])
            self._audit(cur, deal_id, [Change("meso", f"Round {pick.set_no} · {name} · their reaction", None,
                                              pick.reaction.value, note=pick.note)])  # fmt: skip

    def list_meso_picks(self, deal_id: int) -> list[MesoPick]:
        rows = self.cursor().rows(
            "SELECT id, bundle_id, set_no, reaction, note, recorded_at FROM meso_pick WHERE deal_id = ? "
            "ORDER BY recorded_at, id",
            [deal_id],
        )
        return [MesoPick.model_validate(r) for r in rows]

    def all_meso_bundles(self, deal_id: int) -> list[MesoBundle]:
        """Bundles of every round, removed ones included (a recorded reaction may refer to them)."""
        return self.list_meso_bundles(deal_id, include_removed=True)

    def set_their_priorities(self, deal_id: int, priorities: dict[int, int]) -> None:
        with self.transaction() as cur:
            before = {i.id: i for i in self._list_children(Issue, deal_id, cur)}
            changes: list[Change] = []
            for issue_id, priority in priorities.items():
                if not 1 <= int(priority) <= 5:
                    raise InvalidInput([f"Their priority: must be from 1 to 5 (got {priority})"])
                cur.execute(
                    "UPDATE issue SET their_priority = ? WHERE id = ? AND deal_id = ?",
                    [int(priority), issue_id, deal_id],
                )
                old = before.get(issue_id)
                if old is not None and old.their_priority != int(priority):
                    changes.append(Change("issue", f"Issue '{old.name}' · Their priority",
                                          audit.as_text(old.their_priority), str(int(priority))))  # fmt: skip
            self._audit(cur, deal_id, changes)

    def _insert_bundle(self, cur: Cursor, deal_id: int, b: MesoBundle, position: int, issue_map) -> int:
        new_id = cur.next_id("meso_bundle")
        cur.execute(
            "INSERT INTO meso_bundle VALUES (?, ?, ?, ?, ?, NULL)",
            [new_id, deal_id, b.set_no, position, b.name],
        )
        for t in b.terms:
            issue_id = t.issue_id if issue_map is None else issue_map[t.issue_id]
            cur.execute("INSERT INTO meso_term VALUES (?, ?, ?)", [new_id, issue_id, t.value])
        return new_id

    # ---- events: stage changes and signals ------------------------------------------------------
    def _record(self, cur: Cursor, deal_id: int, kind: str, subject: str, old: str | None, new: str | None,
                note: str = "") -> None:  # fmt: skip
        self._audit(cur, deal_id, [Change(kind, subject, old, new, note=note)])

    def _audit(self, cur: Cursor, deal_id: int, changes: Sequence[Change]) -> None:
        """Record changes in the caller's transaction: the history and the data commit together."""
        if not changes:
            return
        first, at, who = cur.next_id("deal_event"), now(), current_user()
        cur.raw.executemany(
            "INSERT INTO deal_event (id, deal_id, kind, subject, old_value, new_value, note, changed_at, changed_by, "
            "private) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[first + n, deal_id, c.kind, c.subject, c.old, c.new, c.note, at, who, c.private]
             for n, c in enumerate(changes)],
        )  # fmt: skip

    def advance_stage(self, deal_id: int, to: str, note: str = "") -> None:
        """Move the deal to the next step and record it, in one transaction."""
        with self.transaction() as cur:
            rows = cur.rows("SELECT stage FROM deal WHERE id = ?", [deal_id])
            if not rows:
                raise NotFound(f"There is no deal with id {deal_id}.")
            cur.execute("UPDATE deal SET stage = ? WHERE id = ?", [to, deal_id])
            self._record(cur, deal_id, "stage", "Deal · Stage", rows[0]["stage"], to, note)

    def observe_signal(self, deal_id: int, move_key: str, note: str = "") -> None:
        with self.transaction() as cur:
            self._require(cur, "deal", deal_id)
            self._record(cur, deal_id, "signal", move_key, None, "observed", note)

    def clear_signal(self, deal_id: int, move_key: str, note: str = "") -> None:
        with self.transaction() as cur:
            self._require(cur, "deal", deal_id)
            self._record(cur, deal_id, "signal", move_key, "observed", "cleared", note)

    def observed_signals(self, deal_id: int) -> set[str]:
        """Moves whose signal was observed and not cleared since."""
        rows = self.cursor().rows(
            """SELECT subject FROM (
                   SELECT subject, new_value, row_number() OVER (PARTITION BY subject ORDER BY changed_at DESC, id DESC) AS n
                   FROM deal_event WHERE deal_id = ? AND kind = 'signal') WHERE n = 1 AND new_value = 'observed'""",
            [deal_id],
        )
        return {r["subject"] for r in rows}

    def list_events(self, deal_id: int, kinds: Sequence[str] | None = None) -> pd.DataFrame:
        """The deal's history, newest first; `kinds` keeps only those kinds of change."""
        where = f"AND kind IN ({', '.join('?' * len(kinds))})" if kinds else ""
        return self.cursor().df(
            "SELECT changed_at, kind, subject, old_value, new_value, note, changed_by, coalesce(private, false) AS private "
            f"FROM deal_event WHERE deal_id = ? {where} ORDER BY changed_at DESC, id DESC",
            [deal_id, *(kinds or [])],
        )

    # ---- one deal as a file -------------------------------------------------------------------
    def export_deal(self, deal_id: int) -> DealFile:
        deal = self.get_deal(deal_id)
        cp = self.get_counterparty(deal.counterparty_id)
        return DealFile(
            deal=deal,
            counterparty=cp,
            stakeholders=self.list_stakeholders(cp.id),
            alternatives=self.list_alternatives(deal_id),
            issues=self.list_issues(deal_id),
            evidence=self.list_evidence(deal_id),
            assessments=self.list_assessments(deal_id),
            concessions=self.list_concessions(deal_id, include_deleted=True),
            meso_bundles=self.list_meso_bundles(deal_id),
        )

    def import_deal(self, f: DealFile) -> int:
        """Store a deal file under new ids, in one transaction.

        A counterparty with the same name is reused (a counterparty can be in several deals); the file's
        stakeholders that it does not have yet are added to it.
        """
        with self.transaction() as cur:
            return self._import_deal(cur, f)

    def import_deals(self, files: Sequence[DealFile]) -> list[int]:
        with self.transaction() as cur:
            return [self._import_deal(cur, f) for f in files]

    def _import_deal(self, cur: Cursor, f: DealFile) -> int:
        rows = cur.rows(
            "SELECT id FROM counterparty WHERE lower(name) = lower(?) ORDER BY id LIMIT 1",
            [f.counterparty.name],
        )
        if rows:
            cp_id = rows[0]["id"]
            known = {
                r["name"].lower()
                for r in cur.rows(
                    "SELECT name FROM stakeholder WHERE counterparty_id = ? AND deleted_at IS NULL", [cp_id]
                )
            }
            current = self._list_children(Stakeholder, cp_id, cur)
            new = [s.model_copy(update={"id": None}) for s in f.stakeholders if s.name.lower() not in known]
            if new:
                self._replace_children(cur, Stakeholder, cp_id, [*current, *new])
        else:
            cp_id = self._insert_counterparty(cur, f.counterparty)
            self._replace_children(
                cur, Stakeholder, cp_id, [s.model_copy(update={"id": None}) for s in f.stakeholders]
            )

        bare = f.deal.model_copy(
            update={"counterparty_id": cp_id, "deadline_evidence_id": None, "pressured_issue_id": None}
        )
        deal_id = self._insert_deal(cur, bare, None)

        ev_ids = self._replace_children(
            cur, Evidence, deal_id, [e.model_copy(update={"id": None}) for e in f.evidence]
        )
        ev_map = {old.id: new for old, new in zip(f.evidence, ev_ids, strict=True)}
        issues = [
            i.model_copy(update={"id": None, "evidence_id": ev_map.get(i.evidence_id)}) for i in f.issues
        ]
        issue_ids = self._replace_children(cur, Issue, deal_id, issues)
        issue_map = {old.id: new for old, new in zip(f.issues, issue_ids, strict=True)}
        alts = [
            b.model_copy(update={"id": None, "evidence_id": ev_map.get(b.evidence_id)})
            for b in f.alternatives
        ]
        self._replace_children(cur, Batna, deal_id, alts)
        cur.execute(
            "UPDATE deal SET deadline_evidence_id = ?, pressured_issue_id = ? WHERE id = ?",
            [ev_map.get(f.deal.deadline_evidence_id), issue_map.get(f.deal.pressured_issue_id), deal_id],
        )
        for a in f.assessments:
            self._insert_assessment(cur, deal_id, a, evidence_map=ev_map)
        for c in f.concessions:
            self._insert_concession(cur, deal_id, c, issue_map=issue_map)
        for position, b in enumerate(f.meso_bundles):
            self._insert_bundle(cur, deal_id, b, position, issue_map)
        self._audit(cur, deal_id, [Change("deal", "Deal imported from a deal file", None, f.deal.name)])
        return deal_id

    # ---- bulk load and pipeline aggregates ------------------------------------------------------
    def next_ids(self) -> dict[str, int]:
        """The next free id per table, for generators that build whole tables in pandas."""
        cur = self.cursor()
        tables = ("counterparty", "stakeholder", "deal", "evidence", "alternative", "issue",
                  "power_assessment", "concession", "meso_bundle", "deal_event", "meso_pick")  # fmt: skip
        return {t: cur.next_id(t) for t in tables}

    def bulk_insert(self, frames: dict[str, pd.DataFrame]) -> dict[str, int]:
        """Append whole tables at once (columns by name), in one transaction. Returns rows per table."""
        counts = {}
        with self.transaction() as cur:
            for table, frame in frames.items():
                if frame.empty:
                    continue
                cur.raw.register("_bulk_frame", frame)
                try:
                    cur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _bulk_frame")
                finally:
                    cur.raw.unregister("_bulk_frame")
                counts[table] = len(frame)
        return counts

    def table_counts(self) -> dict[str, int]:
        cur = self.cursor()
        tables = ("counterparty", "deal", "issue", "evidence", "alternative", "power_score", "concession",
                  "meso_bundle", "meso_term", "deal_event")  # fmt: skip
        return {t: int(cur.scalar(f"SELECT count(*) FROM {t}")) for t in tables}

    def pipeline(self, today: date, rules: dict[str, float]) -> pd.DataFrame:
        """One row per deal with everything the pipeline shows, aggregated in DuckDB in one statement.

        The figures follow core.concessions and core.leverage; `rules` carries their constants
        (perceived_weight, max_total, leaned_on, small_gain_share) so they are defined in one place,
        and tests/unit/test_pipeline.py checks this query against the Python rules deal by deal.
        """
        return self.cursor().df(
            rf"""
            WITH c AS (
                SELECT c.deal_id, count(*) AS lines, sum(c.value_to_you) AS balance,
                       sum(greatest(-c.value_to_you, 0)) AS gives,
                       count(*) FILTER (WHERE regexp_full_match(c.you_get, '\s*')) AS one_way,
                       count(*) FILTER (WHERE c.new_position IS NOT NULL AND (
                           (i.direction = 'floor' AND c.new_position < i.reservation) OR
                           (i.direction = 'ceiling' AND c.new_position > i.reservation))) AS floor_breaches
                FROM concession c LEFT JOIN issue i ON i.id = c.issue_id AND i.deleted_at IS NULL
                WHERE c.deleted_at IS NULL GROUP BY c.deal_id),
            latest AS ({_LATEST_ASSESSMENT.format(where="")}),
            p AS (
                SELECT l.deal_id,
                       sum(CASE WHEN s.side = 'us' THEN s.score * (CASE WHEN s.evidence_id IS NULL THEN $weight ELSE 1 END)
                                ELSE -s.score END) AS net_power,
                       count(*) FILTER (WHERE s.side = 'us' AND s.score >= $leaned AND s.evidence_id IS NULL) AS leaned_perceived,
                       max(s.score) FILTER (WHERE s.source = 'reputation') AS reputation
                FROM latest l JOIN power_score s ON s.assessment_id = l.assessment_id GROUP BY l.deal_id),
            b AS (
                SELECT deal_id, money, time_days, evidence_id FROM (
                    SELECT deal_id, money, time_days, evidence_id,
                           row_number() OVER (PARTITION BY deal_id ORDER BY position, id) AS n
                    FROM alternative WHERE deleted_at IS NULL) WHERE n = 1)
            SELECT d.id, d.name, cp.name AS counterparty, d.owner, d.context, d.stage, d.value, d.currency,
                   d.mandate, d.deadline, date_diff('day', $today::DATE, d.deadline) AS days_to_deadline,
                   coalesce(c.lines, 0) AS lines, coalesce(c.balance, 0) AS balance, coalesce(c.gives, 0) AS gives,
                   greatest(coalesce(c.gives, 0) - d.mandate, 0) AS over_mandate,
                   coalesce(c.one_way, 0) AS one_way, coalesce(c.floor_breaches, 0) AS floor_breaches,
                   p.net_power / $max_total * 100 AS leverage_index,
                   (cp.relationship = 'repeated' AND coalesce(p.reputation, 0) >= $leaned AND pi.id IS NOT NULL
                    AND d.value > 0 AND (upper(pi.unit) = d.currency OR pi.unit = '')
                    AND abs(pi.target - pi.reservation) < $small_gain * d.value) AS w_repeated_small_gain,
                   coalesce(p.leaned_perceived, 0) > 0 AS w_perceived_power,
                   cp.communication_style = 'indirect' AS w_face_saving,
                   (d.deadline IS NOT NULL AND (regexp_full_match(d.deadline_reason, '\s*')
                    OR d.deadline_evidence_id IS NULL)) AS w_fake_urgency,
                   (b.deal_id IS NULL OR (b.money <= 0 AND b.time_days <= 0) OR b.evidence_id IS NULL) AS w_bluff_guard
            FROM deal d JOIN counterparty cp ON cp.id = d.counterparty_id
            LEFT JOIN c ON c.deal_id = d.id LEFT JOIN p ON p.deal_id = d.id LEFT JOIN b ON b.deal_id = d.id
            LEFT JOIN issue pi ON pi.id = d.pressured_issue_id AND pi.deleted_at IS NULL
            ORDER BY d.id""",
            {"today": today, "weight": rules["perceived_weight"], "leaned": rules["leaned_on"],
             "max_total": rules["max_total"], "small_gain": rules["small_gain_share"]},
        )  # fmt: skip

    def power_edges(self, deal_ids: Sequence[int], perceived_weight: float) -> pd.DataFrame:
        """Per deal and source, from the latest assessment: our weighted score minus theirs."""
        if not deal_ids:
            return pd.DataFrame(columns=["deal_id", "source", "edge"])
        return self.cursor().df(
            f"""
            WITH latest AS ({_LATEST_ASSESSMENT.format(where="WHERE list_contains($ids, deal_id)")})
            SELECT l.deal_id, s.source,
                   sum(CASE WHEN s.side = 'us' THEN s.score * (CASE WHEN s.evidence_id IS NULL THEN $weight ELSE 1 END)
                            ELSE -s.score END) AS edge
            FROM latest l JOIN power_score s ON s.assessment_id = l.assessment_id
            GROUP BY l.deal_id, s.source""",
            {"ids": [int(i) for i in deal_ids], "weight": perceived_weight},
        )


# Each deal's latest assessment: the last by time, ties broken by id (as list_assessments orders them).
_LATEST_ASSESSMENT = """
    SELECT deal_id, id AS assessment_id FROM (
        SELECT deal_id, id, row_number() OVER (PARTITION BY deal_id ORDER BY assessed_at DESC, id DESC) AS n
        FROM power_assessment {where}) WHERE n = 1"""


def _sorted_scores(scores: Sequence[PowerScore]) -> list[PowerScore]:
    from .models import PowerSource, Side

    order = {s: n for n, s in enumerate(PowerSource)}
    sides = {s: n for n, s in enumerate(Side)}
    return sorted(scores, key=lambda s: (order[s.source], sides[s.side]))

"""The database's own integrity rules: CHECKs, foreign keys and UNIQUEs, added by a migration step to
tables that already hold rows.

A step first asks every rule which rows would break it and, if any do, changes nothing and says which
(table, rule, how many, the first of them) — never a blind failure halfway. PostgreSQL adds each rule
with ALTER TABLE; DuckDB, which cannot add a CHECK or a foreign key to a table, rebuilds the table with
them (same columns, same rows, same indexes) inside the step's transaction.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Check(NamedTuple):
    """A condition every row meets (NULL passes, as SQL's CHECK says)."""

    name: str
    sql: str
    said: str  # what a row that breaks it has, for the report: "a stage that is not one of the cockpit's"


class References(NamedTuple):
    """`column` holds the id of a row of `parent` (or NULL).

    `on_duckdb=False` where the column changes on rows other tables reference: DuckDB checks such an
    update as a delete and an insert and refuses it while the row is referenced, so there the store's
    own checks hold the key alone (and `cockpit check` reports any row that breaks it)."""

    column: str
    parent: str
    on_duckdb: bool = True


class Unique(NamedTuple):
    """No two rows share these columns (rows with a NULL among them never clash)."""

    columns: tuple[str, ...]


Rule = Check | References | Unique


def a(word: str) -> str:
    """The word with its article: "a stage", "an outcome"."""
    return f"{'an' if word[:1] in 'aeio' else 'a'} {word}"


class Constrain(NamedTuple):
    """A migration statement: add `rules` to `table`."""

    table: str
    rules: tuple[Rule, ...]


# How a row is named (in a report, in a copy read part by part): its id, or the leading key of a table without one.
ROW_KEY = {"power_score": "assessment_id", "meso_term": "bundle_id", "deal_person": "deal_id", "member": "email",
        "review": "deal_id", "anchor_worksheet": "issue_id", "concession_totals": "deal_id",
        "latest_assessment": "deal_id", "deal_batna": "deal_id", "single_text": "deal_id", "text_clause": "version_id"}  # fmt: skip
SHOWN_PER_RULE = 5


def constraint_name(table: str, rule: Rule) -> str:
    if isinstance(rule, Check):
        return f"{table}_{rule.name}_check"
    if isinstance(rule, References):
        return f"{table}_{rule.column}_fkey"
    return f"{table}_{'_'.join(rule.columns)}_key"


def clause(table: str, rule: Rule) -> str:
    """The rule as a table constraint, in SQL both engines read."""
    name = constraint_name(table, rule)
    if isinstance(rule, Check):
        return f"CONSTRAINT {name} CHECK ({rule.sql})"
    if isinstance(rule, References):
        return f'CONSTRAINT {name} FOREIGN KEY ("{rule.column}") REFERENCES {rule.parent} (id)'
    return f"CONSTRAINT {name} UNIQUE ({', '.join(_quoted(rule.columns))})"


def _quoted(columns: tuple[str, ...]) -> list[str]:
    return [f'"{c}"' for c in columns]


def _breaking(table: str, rule: Rule) -> tuple[str, str]:
    """SQL for the rows that break `rule` (how each is named, first ones first), and what they have."""
    key = ROW_KEY.get(table, "id")
    if isinstance(rule, Check):
        return f"SELECT {key} AS k FROM {table} WHERE NOT coalesce(({rule.sql}), true) ORDER BY 1", rule.said
    if isinstance(rule, References):
        column = f'"{rule.column}"'
        return (
            f"SELECT {key} AS k FROM {table} WHERE {column} IS NOT NULL "
            f"AND {column} NOT IN (SELECT id FROM {rule.parent}) ORDER BY 1",
            f"{a(rule.column)} that names no {rule.parent}",
        )
    columns = ", ".join(_quoted(rule.columns))
    present = " AND ".join(f"{c} IS NOT NULL" for c in _quoted(rule.columns))
    return (
        f"SELECT concat_ws(' / ', {columns}) AS k FROM {table} WHERE {present} "
        f"GROUP BY {columns} HAVING count(*) > 1 ORDER BY 1",
        f"the same {' and '.join(rule.columns)} as another row",
    )


def violations(cur, steps: list[Constrain]) -> list[str]:
    """One phrase per rule that rows break ("deal: 1 row has a stage that is not one of the cockpit's
    (id 12)"); empty when every rule holds."""
    found = []
    for step in steps:
        if not cur.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
                          "AND table_schema = current_schema()", [step.table]):  # fmt: skip
            continue  # made in the same step, so it holds no rows yet
        for rule in step.rules:
            sql, said = _breaking(step.table, rule)
            keys = [r["k"] for r in cur.rows(sql)]
            if not keys:
                continue
            first = ", ".join(str(k) for k in keys[:SHOWN_PER_RULE]) + (
                ", …" if len(keys) > SHOWN_PER_RULE else ""
            )
            rows = "1 row has" if len(keys) == 1 else f"{len(keys):,} rows have"
            name = "duplicates" if isinstance(rule, Unique) else ROW_KEY.get(step.table, "id")
            found.append(f"{step.table}: {rows} {said} ({name} {first})")
    return found


# ---- applying them ---------------------------------------------------------------------------------------
def add_on_postgres(cur, step: Constrain) -> None:
    for rule in step.rules:
        cur.execute(f"ALTER TABLE {step.table} ADD {clause(step.table, rule)}")


_CREATE = re.compile(r"^\s*CREATE TABLE\s+(\w+)\s*\(", re.IGNORECASE)


def rebuild_on_duckdb(cur, step: Constrain) -> None:
    """The table again with the rules added: its stored definition (columns as they are after every
    ALTER) with the constraints before its closing parenthesis, the rows copied, its indexes made again.
    Tables are rebuilt parents first: a table others already reference cannot be dropped."""
    table = step.table
    created = cur.scalar(
        "SELECT sql FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'", [table]
    )
    indexes = [r["sql"] for r in cur.rows(
        "SELECT sql FROM duckdb_indexes() WHERE table_name = ? AND schema_name = 'main'", [table])]  # fmt: skip
    body = created.rstrip().rstrip(";").rstrip()
    if not _CREATE.match(body) or not body.endswith(")"):
        raise RuntimeError(f"The stored definition of table {table} is not one this step can rebuild.")
    # Copied aside and back rather than created aside and renamed: DuckDB's foreign keys keep the name a
    # table was created with, so a renamed parent or child breaks every later write to the other.
    aside = f"{table}__before_rules"
    held = [r for r in step.rules if not (isinstance(r, References) and not r.on_duckdb)]
    if not held:
        return
    extra = ", ".join(clause(table, rule) for rule in held)
    cur.execute(f"CREATE TABLE {aside} AS SELECT * FROM {table}")
    cur.execute(f"DROP TABLE {table}")
    cur.execute(body[:-1] + f", {extra})")
    cur.execute(f"INSERT INTO {table} SELECT * FROM {aside}")
    cur.execute(f"DROP TABLE {aside}")
    for index in indexes:
        cur.execute(index)

"""A whole cockpit from one database to another (a pilot's DuckDB file to the team's PostgreSQL, or back):
every table, all or nothing, and the counts checked equal on both sides before the copy commits."""

from __future__ import annotations

from .engine import Engine, refresh_totals
from .errors import DatabaseProblem

# Every table the migrations create, apart from the migration record itself (the target has its own) and
# what is derived from them (rebuilt on the target), parents before children as the foreign keys need.
# tests/unit/test_copy.py fails when a migration adds a table that is in neither list.
TABLES = (
    "counterparty", "stakeholder", "deal", "evidence", "issue", "alternative", "power_assessment",
    "power_score", "concession", "meso_bundle", "meso_term", "meso_pick", "deal_event", "member",
    "deal_person", "approval", "review", "library_item", "library_use", "anchor_worksheet",
)  # fmt: skip
DERIVED = ("concession_totals",)


class TargetNotEmpty(DatabaseProblem):
    """The copy goes into an empty cockpit only: it never merges two."""

    def __init__(self, target: Engine, rows: int):
        super().__init__(
            target.location,
            target.location,
            f"The target {{file}} already holds {rows:,} row{'s' if rows != 1 else ''}; nothing was copied. "
            "Copy into a new, empty database (a new file name, or a new PostgreSQL database).",
        )


def table_counts(store: Engine) -> dict[str, int]:
    cur = store.cursor()
    return {t: int(cur.scalar(f"SELECT count(*) FROM {t}")) for t in TABLES}


def copy_cockpit(source: Engine, target: Engine) -> dict[str, int]:
    """Copy every row of `source` into the empty `target` in one transaction; returns rows per table.
    The source is read as one snapshot; the target's counts are compared with it before the commit."""
    with target.transaction() as out:
        present = sum(int(out.scalar(f"SELECT count(*) FROM {t}")) for t in TABLES)
        if present:
            raise TargetNotEmpty(target, present)
        with source.transaction() as src:
            src.snapshot()
            counts = {}
            for table in TABLES:
                frame = src.df(f"SELECT * FROM {table}")
                if not frame.empty:
                    out.bulk_insert(table, frame)
                counts[table] = len(frame)
        refresh_totals(out, None)
        copied = {t: int(out.scalar(f"SELECT count(*) FROM {t}")) for t in TABLES}
        if copied != counts:  # cannot happen unless a table changed shape: then nothing is committed
            differ = ", ".join(f"{t} {counts[t]} → {copied[t]}" for t in TABLES if copied[t] != counts[t])
            raise RuntimeError(f"The copy did not match the source ({differ}); nothing was copied.")
    return counts

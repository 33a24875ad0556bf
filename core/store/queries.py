"""The read side: the pipeline aggregate, power edges, counts, and bulk loads for generated pipelines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from ..concessions import line_facts
from .backends import Cursor
from .copying import DERIVED, TABLES
from .engine import refresh_latest_assessments, refresh_totals
from .facts import LINE_FACTS, judge_batnas, judge_lines
from .members import filtered, manages, reads_counterparty
from .repository import Repository

_PARENTS_FIRST = (*TABLES, *DERIVED)  # the order the foreign keys let tables be filled in


class Queries(Repository):
    @manages
    def next_ids(self) -> dict[str, int]:
        """The next free id per table, for generators that build whole tables in pandas."""
        cur = self.store.cursor()
        tables = ("counterparty", "stakeholder", "deal", "evidence", "alternative", "issue",
                  "power_assessment", "concession", "meso_bundle", "deal_event", "meso_pick")  # fmt: skip
        return {t: cur.next_id(t) for t in tables}

    @manages
    def bulk_insert(self, frames: dict[str, pd.DataFrame]) -> dict[str, int]:
        """Append whole tables at once (columns by name), in one transaction. Returns rows per table."""
        counts = {}
        with self.store.transaction() as cur:
            for table, frame in sorted(frames.items(), key=lambda item: _PARENTS_FIRST.index(item[0])):
                if frame.empty:
                    continue
                if table == "concession":  # judged as they go in (their issues are in by now): no second pass
                    frame = _with_line_facts(cur, frame)
                cur.bulk_insert(table, frame)
                counts[table] = len(frame)
            touched = [
                f["deal_id"] for t, f in frames.items() if t in ("concession", "issue") and not f.empty
            ]
            ranked = [
                f["deal_id"] for t, f in frames.items() if t in ("alternative", "issue") and not f.empty
            ]
            if ranked:
                judge_batnas(cur, pd.concat(ranked).unique().tolist())
            if touched:
                # Issues added to deals stored before: the lines those deals already had are judged again.
                new_deals = set(frames["deal"]["id"].astype(int)) if "deal" in frames else set()
                old = {
                    int(d) for d in frames.get("issue", pd.DataFrame({"deal_id": []}))["deal_id"]
                } - new_deals
                if old:
                    judge_lines(cur, sorted(old))
                refresh_totals(cur, pd.concat(touched).unique().tolist(), lines_judged=True)
            if "power_assessment" in frames and not frames["power_assessment"].empty:
                refresh_latest_assessments(cur, frames["power_assessment"]["deal_id"].unique().tolist())
        return counts

    @manages
    def table_counts(self) -> dict[str, int]:
        cur = self.store.cursor()
        tables = ("counterparty", "deal", "issue", "evidence", "alternative", "power_score", "concession",
                  "meso_bundle", "meso_term", "deal_event")  # fmt: skip
        return {t: int(cur.scalar(f"SELECT count(*) FROM {t}")) for t in tables}

    @filtered
    def pipeline(self, today: date) -> pd.DataFrame:
        """One row per deal with the facts the pipeline judges, gathered by the database in one statement:
        the log's totals as the store keeps them per line (engine.refresh_totals), the latest assessment's
        scores summed (ours evidenced, ours perceived only, theirs), and what core.leverage.warning_flags reads.
        SQL only gathers, joins the facts the store keeps (each deal's BATNA as core.batna.ranking picked it)
        and adds up; core.pipeline turns the facts into the index, warnings and risk with the functions the
        screens use. The one rule left here is a missed commitment, which tests/unit/test_pipeline.py checks
        against core.implementation.is_missed deal by deal."""
        visible, who = self.store._visible_named()
        return self.store.cursor().df(
            rf"""
            WITH p AS (
                -- the latest assessment of each deal (a fact kept as assessments are added), its scores summed
                SELECT l.deal_id,
                       coalesce(sum(s.score) FILTER (WHERE s.side = 'us' AND s.evidence_id IS NOT NULL), 0) AS ours_evidenced,
                       coalesce(sum(s.score) FILTER (WHERE s.side = 'us' AND s.evidence_id IS NULL), 0) AS ours_perceived,
                       coalesce(sum(s.score) FILTER (WHERE s.side = 'them'), 0) AS theirs,
                       max(s.score) FILTER (WHERE s.side = 'us' AND s.evidence_id IS NULL) AS strongest_perceived,
                       max(s.score) FILTER (WHERE s.source = 'reputation') AS reputation
                FROM latest_assessment l JOIN power_score s ON s.assessment_id = l.assessment_id
                GROUP BY l.deal_id)
            SELECT d.id, d.name, cp.name AS counterparty, d.owner, d.context, d.stage, d.value, d.currency,
                   d.mandate, d.deadline,
                   coalesce(c.lines, 0) AS lines, coalesce(c.balance, 0) AS balance, coalesce(c.gives, 0) AS gives,
                   coalesce(c.one_way, 0) AS one_way, coalesce(c.floor_breaches, 0) AS floor_breaches,
                   p.ours_evidenced, p.ours_perceived, p.theirs, p.strongest_perceived, p.reputation,
                   cp.relationship, cp.communication_style,
                   pi.unit AS pressured_unit, pi.target AS pressured_target, pi.reservation AS pressured_reservation,
                   d.deadline_reason, d.deadline_evidence_id,
                   b.id IS NOT NULL AS batna, b.money AS batna_money, b.time_days AS batna_time_days,
                   b.evidence_id AS batna_evidence_id,
                   rv.outcome, coalesce(tv.late, 0) AS late_scope_changes,
                   coalesce(cm.missed, 0) AS missed_commitments
            FROM deal d JOIN counterparty cp ON cp.id = d.counterparty_id
            LEFT JOIN review rv ON rv.deal_id = d.id
            LEFT JOIN (SELECT deal_id, count(*) AS late FROM text_version WHERE late GROUP BY deal_id) tv
                ON tv.deal_id = d.id
            -- missed as core.implementation.is_missed says: marked missed, or past due and not done
            LEFT JOIN (SELECT deal_id, count(*) AS missed FROM commitment
                       WHERE deleted_at IS NULL AND (status = 'missed' OR (due < CAST($today AS DATE) AND status <> 'done'))
                       GROUP BY deal_id) cm ON cm.deal_id = d.id
            LEFT JOIN concession_totals c ON c.deal_id = d.id LEFT JOIN p ON p.deal_id = d.id
            LEFT JOIN deal_batna bt ON bt.deal_id = d.id LEFT JOIN alternative b ON b.id = bt.alternative_id
            LEFT JOIN issue pi ON pi.id = d.pressured_issue_id AND pi.deleted_at IS NULL
            WHERE {visible}
            ORDER BY d.id""",
            {**who, "today": today},
        )  # fmt: skip

    @filtered
    def power_edges(self, deal_ids: Sequence[int]) -> pd.DataFrame:
        """Per deal and source, from the latest assessment: our scores with and without evidence and theirs,
        summed (core.leverage.net_power weighs them)."""
        allowed = self.store.visible_deal_ids()
        deal_ids = [int(i) for i in deal_ids if allowed is None or int(i) in allowed]
        columns = ["deal_id", "source", "ours_evidenced", "ours_perceived", "theirs"]
        if not deal_ids:
            return pd.DataFrame(columns=columns)
        return self.store.cursor().df(
            """
            WITH latest AS (SELECT deal_id, assessment_id FROM latest_assessment WHERE deal_id = ANY($ids))
            SELECT l.deal_id, s.source,
                   coalesce(sum(s.score) FILTER (WHERE s.side = 'us' AND s.evidence_id IS NOT NULL), 0) AS ours_evidenced,
                   coalesce(sum(s.score) FILTER (WHERE s.side = 'us' AND s.evidence_id IS NULL), 0) AS ours_perceived,
                   coalesce(sum(s.score) FILTER (WHERE s.side = 'them'), 0) AS theirs
            FROM latest l JOIN power_score s ON s.assessment_id = l.assessment_id
            GROUP BY l.deal_id, s.source""",
            {"ids": [int(i) for i in deal_ids]},
        )  # fmt: skip

    @reads_counterparty
    def counterparty_deals(self, counterparty_id: int) -> pd.DataFrame:
        """Every deal with this counterparty that the acting person may read (for the counterparty view of
        leverage)."""
        visible, args = self.store._visible("id")
        return self.store.cursor().df(
            "SELECT id, name, context, stage, value, currency FROM deal "
            f"WHERE counterparty_id = ? AND {visible} ORDER BY id",
            [counterparty_id, *args],
        )


def _with_line_facts(cur: Cursor, lines: pd.DataFrame) -> pd.DataFrame:
    """New lines with the facts core.concessions.line_facts judges of them, against their deals' live
    issues as stored."""
    issues = cur.df(
        "SELECT id, direction, reservation FROM issue WHERE deleted_at IS NULL AND deal_id = ANY(?)",
        [sorted({int(d) for d in lines["deal_id"]})],
    )
    return lines.drop(columns=list(LINE_FACTS), errors="ignore").join(line_facts(lines, issues))

"""Power assessments: dated scores per source and side, and the latest one."""

from __future__ import annotations

from collections.abc import Sequence

from .. import audit
from ..models import PowerAssessment, PowerScore
from .engine import Cursor, UnitOfWork, insert, refresh_latest_assessments
from .members import reads_counterparty, reads_deal, works_deal
from .repository import Repository


def _assessments(cur: Cursor, ids_sql: str, args: list) -> list[PowerAssessment]:
    """The assessments whose ids `ids_sql` selects, with their scores, oldest first: two reads in all."""
    heads = cur.rows(
        f"SELECT id, deal_id, assessed_at, assessed_by FROM power_assessment WHERE id IN ({ids_sql}) "
        "ORDER BY assessed_at, id",
        args,
    )
    if not heads:
        return []
    scores = cur.rows(
        f"SELECT assessment_id, source, side, score, evidence_id, note FROM power_score WHERE assessment_id IN ({ids_sql})",
        args,
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


class Power(Repository):
    @reads_deal
    def list_assessments(self, deal_id: int) -> list[PowerAssessment]:
        return _assessments(
            self.store.cursor(), "SELECT id FROM power_assessment WHERE deal_id = ?", [deal_id]
        )

    @reads_counterparty
    def latest_assessments(self, counterparty_id: int) -> dict[int, PowerAssessment | None]:
        """Each deal with this counterparty and its latest assessment (None if never scored)."""
        cur = self.store.cursor()
        visible, args = self.store._visible("id")
        deals = cur.rows(
            f"SELECT id FROM deal WHERE counterparty_id = ? AND {visible} ORDER BY id",
            [counterparty_id, *args],
        )
        latest = _latest_ids(
            f"WHERE deal_id IN (SELECT id FROM deal WHERE counterparty_id = ? AND {visible})"
        )
        found = {a.deal_id: a for a in _assessments(cur, latest, [counterparty_id, *args])}
        return {r["id"]: found.get(r["id"]) for r in deals}

    def _latest_assessment(self, cur: Cursor, deal_id: int) -> PowerAssessment | None:
        found = _assessments(cur, _latest_ids("WHERE deal_id = ?"), [deal_id])
        return found[0] if found else None

    @works_deal
    def add_assessment(self, deal_id: int, assessment: PowerAssessment) -> int:
        """A new assessment, by the acting person (the signed-in member; locally, this computer's user)."""
        assessment = assessment.model_copy(update={"assessed_by": self.store.person.email})
        with self.store.unit_of_work(deal_id) as uow:
            previous = self._latest_assessment(uow.cur, deal_id)
            new_id = insert_assessment(uow, deal_id, assessment, evidence_map=None)
            refresh_latest_assessments(uow.cur, [deal_id])
            uow.audit(deal_id, audit.score_changes(previous, assessment))
            return new_id


def _latest_ids(where: str) -> str:
    """The ids of the latest assessment of each deal that `where` selects (on `deal_id`), as a subquery: from
    the fact kept as assessments are added (engine.refresh_latest_assessments)."""
    return f"SELECT assessment_id FROM latest_assessment {where}"


def _sorted_scores(scores: Sequence[PowerScore]) -> list[PowerScore]:
    from ..models import PowerSource, Side

    order = {s: n for n, s in enumerate(PowerSource)}
    sides = {s: n for n, s in enumerate(Side)}
    return sorted(scores, key=lambda s: (order[s.source], sides[s.side]))


# ---- the repository of assessments ------------------------------------------------------------------
def insert_assessment(uow: UnitOfWork, deal_id: int, a: PowerAssessment, evidence_map: dict | None) -> int:
    """One assessment and its scores; `evidence_map` renames the scores' evidence (a deal file's to new ids)."""
    new_id = uow.cur.next_id("power_assessment")
    insert(uow.cur, "power_assessment", ["id", "deal_id", "assessed_at", "assessed_by"],
           [new_id, deal_id, a.assessed_at, a.assessed_by])  # fmt: skip
    for s in _sorted_scores(a.scores):
        ev = s.evidence_id if evidence_map is None else evidence_map.get(s.evidence_id)
        insert(uow.cur, "power_score", ["assessment_id", "source", "side", "score", "evidence_id", "note"],
               [new_id, s.source.value, s.side.value, s.score, ev, s.note])  # fmt: skip
    return new_id

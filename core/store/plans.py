"""The implementation plan of a deal (step 5): its commitments, kept as a list by id, and the escalation
steps taken, written once each. A commitment newly missed observes the move table's signal "Friction
resurfaces" in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence

from .. import audit
from ..access import Action, may
from ..audit import Change
from ..implementation import ENFORCEMENT_MOVE, mediation_first
from ..models import (
    ESCALATION_LABELS,
    Commitment,
    CommitmentStatus,
    EscalationKind,
    EscalationStep,
    InvalidInput,
)
from .engine import Cursor, NotAllowed, UnitOfWork, insert, live_ids, now, quoted, set_clause, soft_delete
from .members import reads_deal, works_deal
from .repository import Repository

_COMMITMENT_COLUMNS = ("clause_number", "what", "side", "owner", "due", "metric", "target", "verification",
                       "status", "note")  # fmt: skip
MAX_NOTE = 2000


def _values(c: Commitment) -> list:
    data = c.model_dump(mode="python")
    return [getattr(data[k], "value", data[k]) for k in _COMMITMENT_COLUMNS]


class Plans(Repository):
    def _read_commitments(self, cur: Cursor, deal_id: int) -> list[Commitment]:
        rows = cur.rows(
            f"SELECT id, deal_id, {quoted(_COMMITMENT_COLUMNS)} FROM commitment "
            'WHERE deal_id = ? AND deleted_at IS NULL ORDER BY "position", id',
            [deal_id],
        )
        return [Commitment.model_validate(r) for r in rows]

    @reads_deal
    def list_commitments(self, deal_id: int) -> list[Commitment]:
        return self._read_commitments(self.store.cursor(), deal_id)

    @works_deal
    def save_commitments(self, deal_id: int, commitments: Sequence[Commitment]) -> None:
        """Make the deal's commitments equal `commitments` (by id: changed, added, removed), with each change
        in the history. One newly marked missed observes "Friction resurfaces" (Post-close enforcement)."""
        checked = [Commitment.model_validate(dict(c)) for c in commitments]
        with self.store._writing(deal_id) as cur:
            before = self._read_commitments(cur, deal_id)
            foreign = [c for c in checked if c.id is not None and c.id not in {b.id for b in before}]
            if foreign:
                raise InvalidInput(
                    [f"Commitment '{foreign[0].what}': it is not one of this deal's commitments"]
                )
            ids = write_commitments(UnitOfWork(cur, self.store.person), deal_id, checked)
            after = [
                c.model_copy(update={"id": i, "deal_id": deal_id}) for c, i in zip(checked, ids, strict=True)
            ]
            self.store._audit(
                cur,
                deal_id,
                audit.list_changes("commitment", before, after, lambda c: f"Commitment '{c.what}'"),
            )
            was_missed = {b.id for b in before if b.status is CommitmentStatus.missed}
            newly = [c for c in after if c.status is CommitmentStatus.missed and c.id not in was_missed]
            if newly:
                self.store._record(cur, deal_id, "signal", ENFORCEMENT_MOVE, None, "observed",
                             "commitment missed: " + ", ".join(c.what for c in newly))  # fmt: skip

    def _read_escalation_steps(self, cur: Cursor, deal_id: int) -> list[EscalationStep]:
        rows = cur.rows(
            "SELECT id, deal_id, kind, taken_at, taken_by, note, override_reason FROM escalation_step "
            "WHERE deal_id = ? ORDER BY taken_at, id",
            [deal_id],
        )
        return [EscalationStep.model_validate(r) for r in rows]

    @reads_deal
    def list_escalation_steps(self, deal_id: int) -> list[EscalationStep]:
        return self._read_escalation_steps(self.store.cursor(), deal_id)

    @works_deal
    def record_escalation_step(
        self, deal_id: int, kind: EscalationKind | str, note: str = "", override_reason: str = ""
    ) -> EscalationStep:
        """A step taken on the escalation path, dated and in the history. Mediation before sanctions: a
        contractual remedy with no mediation step before it is refused with the move table's safeguard,
        unless a leader overrides it with a reason (kept with the step)."""
        note, override_reason = note.strip(), override_reason.strip()
        try:
            kind = EscalationKind(kind)
        except ValueError:
            raise InvalidInput(
                [f"Step: '{str(kind)[:40]}' is not one of the escalation path's steps"]
            ) from None
        problems = [f"{label}: at most {MAX_NOTE:,} characters" for label, text in
                    (("Note", note), ("Reason for going past mediation", override_reason)) if len(text) > MAX_NOTE]  # fmt: skip
        if problems:
            raise InvalidInput(problems)
        with self.store._writing(deal_id) as cur:
            refused = mediation_first(self._read_escalation_steps(cur, deal_id), kind)
            if refused and not override_reason:
                raise InvalidInput([f"Step: {refused}"])
            if refused and not may(self.store.person, Action.override_escalation):
                raise NotAllowed(f"{refused}. Only a leader can go past mediation, with a reason.")
            if not refused:
                override_reason = ""
            step = EscalationStep(kind=kind, taken_at=now(), taken_by=self.store.person.email, note=note,
                                  override_reason=override_reason)  # fmt: skip
            step_id = cur.next_id("escalation_step")
            insert(cur, "escalation_step", ["id", "deal_id", "kind", "taken_at", "taken_by", "note", "override_reason"],
                   [step_id, deal_id, kind.value, step.taken_at, step.taken_by, note, override_reason])  # fmt: skip
            said = f"past mediation: {override_reason}" if override_reason else ""
            self.store._audit(cur, deal_id, [Change("escalation", f"Escalation · {ESCALATION_LABELS[kind]}", None, "taken",
                                              private=True, note=" · ".join(x for x in (note, said) if x))])  # fmt: skip
            return step.model_copy(update={"id": step_id, "deal_id": deal_id})


# ---- the repository of commitments ------------------------------------------------------------------
def write_commitments(uow: UnitOfWork, deal_id: int, items: Sequence[Commitment]) -> list[int]:
    """Make the deal's commitments equal `items` (by id: update, insert, soft-delete the missing)."""
    cur = uow.cur
    existing = live_ids(cur, "commitment", deal_id)
    ids = []
    for position, c in enumerate(items):
        if c.id is not None and c.id in existing:
            cur.execute(f'UPDATE commitment SET {set_clause(_COMMITMENT_COLUMNS)}, "position" = ? WHERE id = ?',
                        [*_values(c), position, c.id])  # fmt: skip
            ids.append(c.id)
        else:
            new_id = cur.next_id("commitment")
            insert(cur, "commitment", ["id", "deal_id", "position", *_COMMITMENT_COLUMNS],
                   [new_id, deal_id, position, *_values(c)])  # fmt: skip
            ids.append(new_id)
    soft_delete(cur, "commitment", list(existing - set(ids)))
    return ids

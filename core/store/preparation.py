"""The deal’s preparation: evidence pack, alternatives (which is the BATNA is core/batna.py's to rank),
issues and priorities."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .. import audit
from ..audit import Change
from ..batna import best_alternative
from ..models import Alternative, AnchorWorksheet, DealSide, Evidence, InvalidInput, Issue, Model
from .engine import NotFound, insert, live_ids
from .members import reads_deal, works_deal
from .repository import Repository

# What the history calls each kept list, and the field that names an item of it.
_AUDITED: dict[type[Model], tuple[str, str, str]] = {
    Issue: ("issue", "Issue", "name"),
    Alternative: ("batna", "Alternative", "description"),
    Evidence: ("evidence", "Evidence", "title"),
}


_ANCHOR_COLUMNS = ("range_low", "range_high", "benchmark_ids", "cost_logic", "rationale")


class Preparation(Repository):
    """A deal's preparation: its issues, evidence, alternatives, anchors. Builds on the deal itself."""

    @reads_deal
    def list_anchors(self, deal_id: int) -> dict[int, AnchorWorksheet]:
        """The anchor worksheet of each live issue that has one."""
        rows = self.store.cursor().rows(
            f"SELECT a.issue_id, {', '.join('a.' + c for c in _ANCHOR_COLUMNS)} FROM anchor_worksheet a "
            "JOIN issue i ON i.id = a.issue_id AND i.deleted_at IS NULL WHERE a.deal_id = ?",
            [deal_id],
        )
        return {
            r["issue_id"]: AnchorWorksheet.model_validate(
                {**r, "benchmark_ids": json.loads(r["benchmark_ids"])}
            )
            for r in rows
        }

    @works_deal
    def save_anchor(self, deal_id: int, sheet: AnchorWorksheet) -> None:
        """Record an issue's anchor worksheet (its benchmarks from this deal's evidence pack)."""
        with self.store._writing(deal_id) as cur:
            problems = []
            if sheet.issue_id not in live_ids(cur, "issue", deal_id):
                problems.append(f"Issue: issue {sheet.issue_id} is not an issue of this deal")
            evidence = live_ids(cur, "evidence", deal_id)
            problems += [f"External benchmarks: evidence {e} is not in this deal's evidence pack"
                         for e in sheet.benchmark_ids if e not in evidence]  # fmt: skip
            if problems:
                raise InvalidInput(problems)
            rows = cur.rows(
                f"SELECT issue_id, {', '.join(_ANCHOR_COLUMNS)} FROM anchor_worksheet WHERE issue_id = ?",
                [sheet.issue_id],
            )
            values = [sheet.range_low, sheet.range_high, json.dumps(sheet.benchmark_ids), sheet.cost_logic,
                      sheet.rationale]  # fmt: skip
            name = cur.scalar("SELECT name FROM issue WHERE id = ?", [sheet.issue_id])
            if rows:
                before = AnchorWorksheet.model_validate(
                    {**rows[0], "benchmark_ids": json.loads(rows[0]["benchmark_ids"])}
                )
                cur.execute(
                    f"UPDATE anchor_worksheet SET {', '.join(c + ' = ?' for c in _ANCHOR_COLUMNS)} WHERE issue_id = ?",
                    [*values, sheet.issue_id],
                )
                changes = audit.field_changes("issue", f"Anchor worksheet '{name}'", before, sheet)
            else:
                insert(cur, "anchor_worksheet", ["issue_id", "deal_id", *_ANCHOR_COLUMNS],
                       [sheet.issue_id, deal_id, *values])  # fmt: skip
                changes = audit.record_added("issue", f"Anchor worksheet '{name}'", sheet)
            self.store._audit(cur, deal_id, changes)

    @reads_deal
    def list_evidence(self, deal_id: int) -> list[Evidence]:
        return self.store._list_children(Evidence, deal_id)

    @reads_deal
    def list_alternatives(self, deal_id: int) -> list[Alternative]:
        """The deal's walk-away alternatives in the order they were entered; `batna.best_alternative` says
        which is the BATNA (by what each would cost or earn, the deal's side deciding)."""
        return self.store._list_children(Alternative, deal_id)

    @reads_deal
    def list_issues(self, deal_id: int) -> list[Issue]:
        return self.store._list_children(Issue, deal_id)

    @reads_deal
    def issue_ids(self, deal_id: int) -> dict[str, int]:
        """The deal's issues by name, for linking imported lines. Raises NotFound for an unknown deal."""
        self.store.deals.get_deal(deal_id)
        return {i.name: i.id for i in self.list_issues(deal_id)}

    @works_deal
    def replace_evidence(self, deal_id: int, items: Sequence[Evidence]) -> list[int]:
        return self._replace_for_deal(Evidence, deal_id, items)

    @works_deal
    def replace_alternatives(self, deal_id: int, items: Sequence[Alternative]) -> list[int]:
        return self._replace_for_deal(Alternative, deal_id, items)

    @works_deal
    def replace_issues(self, deal_id: int, items: Sequence[Issue]) -> list[int]:
        return self._replace_for_deal(Issue, deal_id, items)

    def _replace_for_deal(self, model: type[Model], deal_id: int, items: Sequence) -> list[int]:
        with self.store._writing(deal_id) as cur:
            refs = live_ids(cur, "evidence", deal_id)
            issues = live_ids(cur, "issue", deal_id) if model is Alternative else set()
            for n, item in enumerate(items, start=1):
                ref = getattr(item, "evidence_id", None)
                if ref is not None and ref not in refs:
                    raise NotFound(f"Row {n}, Evidence: evidence {ref} is not in this deal's evidence pack.")
                unit_of = getattr(item, "per_unit_of", None)
                if unit_of is not None and unit_of not in issues:
                    raise NotFound(
                        f"Row {n}, Money is per unit of: issue {unit_of} is not an issue of this deal."
                    )
            before = self.store._list_children(model, deal_id, cur)
            ids = self.store._replace_children(cur, model, deal_id, items)
            after = [item.model_copy(update={"id": i}) for item, i in zip(items, ids, strict=True)]
            kind, noun, name = _AUDITED[model]
            changes = audit.list_changes(kind, before, after, lambda it: f"{noun} '{getattr(it, name)}'")
            if model is Alternative:
                side = DealSide(cur.scalar("SELECT side FROM deal WHERE id = ?", [deal_id]) or DealSide.sell)
                per_unit_of = self.store._list_children(Issue, deal_id, cur)
                was, now_best = (best_alternative([a for a in before if isinstance(a, Alternative)], side, per_unit_of),
                                 best_alternative([a for a in after if isinstance(a, Alternative)], side, per_unit_of))  # fmt: skip
            else:
                was = now_best = None
            if was and now_best and was.id != now_best.id:
                changes.append(audit.Change("batna", "BATNA (the best alternative)", was.description,
                                            now_best.description, private=True))  # fmt: skip
            self.store._audit(cur, deal_id, changes)
            return ids

    @works_deal
    def set_their_priorities(self, deal_id: int, priorities: dict[int, int]) -> None:
        with self.store._writing(deal_id) as cur:
            before = {i.id: i for i in self.store._list_children(Issue, deal_id, cur)}
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
            self.store._audit(cur, deal_id, changes)

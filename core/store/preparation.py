"""The deal’s preparation: evidence pack, alternatives (the best is the BATNA), issues and priorities."""

from __future__ import annotations

from collections.abc import Sequence

from .. import audit
from ..audit import Change
from ..batna import best_alternative
from ..models import Alternative, Evidence, InvalidInput, Issue, Model
from .engine import NotFound, live_ids
from .members import Members, reads_deal, works_deal

# What the history calls each kept list, and the field that names an item of it.
_AUDITED: dict[type[Model], tuple[str, str, str]] = {
    Issue: ("issue", "Issue", "name"),
    Alternative: ("batna", "Alternative", "description"),
    Evidence: ("evidence", "Evidence", "title"),
}


class Preparation(Members):
    @reads_deal
    def list_evidence(self, deal_id: int) -> list[Evidence]:
        return self._list_children(Evidence, deal_id)

    @reads_deal
    def list_alternatives(self, deal_id: int) -> list[Alternative]:
        """The deal's walk-away alternatives, best first: the first is the BATNA."""
        return self._list_children(Alternative, deal_id)

    @reads_deal
    def list_issues(self, deal_id: int) -> list[Issue]:
        return self._list_children(Issue, deal_id)

    @reads_deal
    def issue_ids(self, deal_id: int) -> dict[str, int]:
        """The deal's issues by name, for linking imported lines. Raises NotFound for an unknown deal."""
        self.get_deal(deal_id)
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
        with self.transaction() as cur:
            self._require(cur, "deal", deal_id)
            refs = live_ids(cur, "evidence", deal_id)
            for n, item in enumerate(items, start=1):
                ref = getattr(item, "evidence_id", None)
                if ref is not None and ref not in refs:
                    raise NotFound(f"Row {n}, Evidence: evidence {ref} is not in this deal's evidence pack.")
            before = self._list_children(model, deal_id, cur)
            ids = self._replace_children(cur, model, deal_id, items)
            after = [item.model_copy(update={"id": i}) for item, i in zip(items, ids, strict=True)]
            kind, noun, name = _AUDITED[model]
            changes = audit.list_changes(kind, before, after, lambda it: f"{noun} '{getattr(it, name)}'")
            was, now_best = (
                (best_alternative(before), best_alternative(after)) if model is Alternative else (None, None)
            )
            if was and now_best and was.id != now_best.id:
                changes.append(audit.Change("batna", "BATNA (the best alternative)", was.description,
                                            now_best.description, private=True))  # fmt: skip
            self._audit(cur, deal_id, changes)
            return ids

    @works_deal
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

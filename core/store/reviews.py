"""Each deal's review, and the organisation's library with where its items were used."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import cast

import pandas as pd

from .. import audit
from ..access import Action, may
from ..library import EVIDENCE_KIND, LIBRARY_KIND
from ..models import Evidence, InvalidInput, LibraryItem, Review, Stage
from ..review import stage_after_outcome
from .engine import Cursor, NotFound, insert, live_ids, now, quoted, set_clause
from .members import contributes, filtered, open_to_members, reads_deal, works_deal
from .repository import Repository

_REVIEW_COLUMNS = (
    "outcome", "final_values", "power_answer", "persuasive_evidence_ids", "standards_answer", "deadline_verdict",
    "deadline_answer", "relationship_health", "relationship_note", "lessons", "improvements", "final",
)  # fmt: skip
_JSON = {"final_values", "persuasive_evidence_ids", "improvements"}
_ITEM_COLUMNS = ("kind", "title", "source", "date", "contexts", "owner", "note")


def _review_values(review: Review) -> list:
    data = review.model_dump(mode="json")
    return [json.dumps(data[c]) if c in _JSON else data[c] for c in _REVIEW_COLUMNS]


def _review(row: dict) -> Review:
    return Review.model_validate({**row, **{c: json.loads(row[c]) for c in _JSON}})


def _item_values(item: LibraryItem) -> list:
    data = item.model_dump(mode="json")
    return [json.dumps(data[c]) if c == "contexts" else getattr(item, c) for c in _ITEM_COLUMNS]


def _item(row: dict) -> LibraryItem:
    return LibraryItem.model_validate({**row, "contexts": json.loads(row["contexts"])})


class Reviews(Repository):
    # ---- the review of a deal ---------------------------------------------------------------------
    def _read_review(self, cur: Cursor, deal_id: int) -> Review | None:
        rows = cur.rows(f"SELECT deal_id, {quoted(_REVIEW_COLUMNS)} FROM review WHERE deal_id = ?", [deal_id])
        return _review(rows[0]) if rows else None

    @reads_deal
    def get_review(self, deal_id: int) -> Review | None:
        return self._read_review(self.store.cursor(), deal_id)

    @works_deal
    def save_review(self, deal_id: int, review: Review) -> None:
        """Record or change the review; a review marked final is kept as it is."""
        with self.store._writing(deal_id) as cur:
            before = self._read_review(cur, deal_id)
            if before is not None and before.final:
                raise InvalidInput(["Final: this review is marked final and can no longer be changed"])
            problems = []
            evidence = live_ids(cur, "evidence", deal_id)
            for ev in review.persuasive_evidence_ids:
                if ev not in evidence:
                    problems.append(
                        f"Persuasive standards: evidence {ev} is not in this deal's evidence pack"
                    )
            issues = live_ids(cur, "issue", deal_id)
            for f in review.final_values:
                if f.issue_id not in issues:
                    problems.append(f"Final values: issue {f.issue_id} is not an issue of this deal")
            if problems:
                raise InvalidInput(problems)
            review = review.model_copy(update={"deal_id": deal_id})
            values = [*_review_values(review), now()]
            if before is None:
                insert(cur, "review", ["deal_id", *_REVIEW_COLUMNS, "updated_at"], [deal_id, *values])
                changes = audit.record_added("review", "Review", review, verb="recorded")
            else:
                cur.execute(
                    f"UPDATE review SET {set_clause((*_REVIEW_COLUMNS, 'updated_at'))} WHERE deal_id = ?",
                    [*values, deal_id],
                )
                changes = audit.field_changes("review", "Review", before, review)
            self.store._audit(cur, deal_id, changes)
            stage = cur.scalar("SELECT stage FROM deal WHERE id = ?", [deal_id])
            moved = stage_after_outcome(Stage(stage), review.outcome) if stage else None
            if moved is not None:  # in the same transaction: the review and the step it implies
                cur.execute("UPDATE deal SET stage = ? WHERE id = ?", [moved.value, deal_id])
                self.store._record(cur, deal_id, "stage", "Deal · Stage", stage, moved.value,
                             f"the review says {review.outcome.value}")  # fmt: skip

    @filtered
    def reviewed_deals(self) -> list[dict]:
        """The reviewed deals the acting person may read: each with its deal row, review, issues and live
        log frame, for the leaders' view (core.review.outcomes_frame judges them)."""
        visible, args = self.store._visible()
        rows = self.store.cursor().rows(
            f"""SELECT d.id AS deal_id, d.name, d.context, d.owner, d.mandate,
                       {", ".join(f"r.{c}" for c in _REVIEW_COLUMNS)}
                FROM review r JOIN deal d ON d.id = r.deal_id WHERE {visible} ORDER BY d.id""",
            args,
        )
        return [
            {"deal_id": r["deal_id"], "name": r["name"], "context": r["context"], "owner": r["owner"],
             "mandate": r["mandate"],
             "review": _review({c: r[c] for c in ("deal_id", *_REVIEW_COLUMNS)}),
             "issues": self.store.preparation.list_issues(r["deal_id"]), "log": self.store.concessions.concession_frame(r["deal_id"])}
            for r in rows
        ]  # fmt: skip

    # ---- the library ------------------------------------------------------------------------------
    @open_to_members
    def list_library(self) -> list[LibraryItem]:
        rows = self.store.cursor().rows(
            f"SELECT id, {quoted(_ITEM_COLUMNS)} FROM library_item WHERE deleted_at IS NULL ORDER BY kind, lower(title), id"
        )
        return [_item(r) for r in rows]

    def _insert_item(self, cur: Cursor, item: LibraryItem) -> int:
        new_id = cur.next_id("library_item")
        insert(
            cur, "library_item", ["id", *_ITEM_COLUMNS, "added_at", "added_by"],
            [new_id, *_item_values(item), now(), self.store.person.email],
        )  # fmt: skip
        return new_id

    @contributes
    def add_library_items(self, items: Sequence[LibraryItem]) -> list[int]:
        """Add items (one, or a whole imported file) all or nothing."""
        with self.store.transaction() as cur:
            return [self._insert_item(cur, i) for i in items]

    @contributes
    def remove_library_item(self, item_id: int) -> None:
        with self.store.transaction() as cur:
            if not cur.scalar(
                "SELECT count(*) FROM library_item WHERE id = ? AND deleted_at IS NULL", [item_id]
            ):
                raise NotFound(f"There is no library item with id {item_id}.")
            cur.execute("UPDATE library_item SET deleted_at = ? WHERE id = ?", [now(), item_id])

    @works_deal
    def use_library_item(self, deal_id: int, item_id: int) -> int:
        """Add a library item to the deal's evidence pack in one step; returns the new evidence id."""
        with self.store._writing(deal_id) as cur:
            rows = cur.rows(
                f"SELECT id, {quoted(_ITEM_COLUMNS)} FROM library_item WHERE id = ? AND deleted_at IS NULL",
                [item_id],
            )
            if not rows:
                raise NotFound(f"There is no library item with id {item_id}.")
            item = _item(rows[0])
            current = self.store._list_children(Evidence, deal_id, cur)
            new = Evidence(kind=EVIDENCE_KIND[item.kind], title=item.title, source=item.source, date=item.date,
                           note=item.note)  # fmt: skip
            ids = self.store._replace_children(cur, Evidence, deal_id, [*current, new])
            self._record_use(cur, item_id, deal_id, ids[-1])
            self.store._audit(
                cur, deal_id, audit.record_added("evidence", "Evidence", new, verb="added from the library")
            )
            return ids[-1]

    @works_deal
    def save_evidence_to_library(self, deal_id: int, evidence_id: int) -> int:
        """Put one of the deal's evidence items in the organisation's library; returns the item's id."""
        if not may(self.store.person, Action.contribute):
            raise InvalidInput(
                ["Library: your role reads the library; negotiators, leaders and admins add to it"]
            )
        with self.store._writing(deal_id) as cur:
            found = [e for e in self.store._list_children(Evidence, deal_id, cur) if e.id == evidence_id]
            if not found:
                raise NotFound(f"Evidence {evidence_id} is not in this deal's evidence pack.")
            e = found[0]
            if e.internal:
                raise InvalidInput([f"Internal: '{e.title}' is internal to this deal; clear Internal first"])
            context = cur.scalar("SELECT context FROM deal WHERE id = ?", [deal_id])
            item = LibraryItem(kind=LIBRARY_KIND[e.kind], title=e.title, source=e.source, date=e.date,
                               contexts=[context], owner=self.store.person.email, note=e.note)  # fmt: skip
            item_id = self._insert_item(cur, item)
            self._record_use(cur, item_id, deal_id, evidence_id)
            return item_id

    @works_deal
    def link_library_item(self, deal_id: int, item_id: int, evidence_id: int) -> None:
        """Note that a piece of the deal's evidence is this library item (so its persuasive picks count)."""
        with self.store._writing(deal_id) as cur:
            if evidence_id not in live_ids(cur, "evidence", deal_id):
                raise NotFound(f"Evidence {evidence_id} is not in this deal's evidence pack.")
            if not cur.scalar(
                "SELECT count(*) FROM library_item WHERE id = ? AND deleted_at IS NULL", [item_id]
            ):
                raise NotFound(f"There is no library item with id {item_id}.")
            self._record_use(cur, item_id, deal_id, evidence_id)

    def _record_use(self, cur: Cursor, item_id: int, deal_id: int, evidence_id: int) -> None:
        insert(
            cur, "library_use", ["id", "item_id", "deal_id", "evidence_id", "used_at", "used_by"],
            [cur.next_id("library_use"), item_id, deal_id, evidence_id, now(), self.store.person.email],
        )  # fmt: skip

    @filtered
    def library_usage(self) -> pd.DataFrame:
        """Per library item: how many deals used it, how often a review picked it as persuasive (counts
        over every deal), and the names of the deals the acting person may read that used it."""
        cur = self.store.cursor()
        uses = cur.df("SELECT item_id, deal_id, evidence_id FROM library_use")
        picks: set[tuple[int, int]] = set()
        for r in cur.rows("SELECT deal_id, persuasive_evidence_ids FROM review"):
            picks.update((int(r["deal_id"]), int(e)) for e in json.loads(r["persuasive_evidence_ids"]))
        visible, args = self.store._visible()
        # Only the deals that used an item: reading every deal's name cost 0.3 s at 100,000 deals.
        names = {
            int(r["id"]): r["name"]
            for r in cur.rows(
                f"SELECT d.id, d.name FROM deal d WHERE d.id IN (SELECT deal_id FROM library_use) AND {visible}",
                args,
            )
        }
        out = []
        for item_id, group in uses.groupby("item_id"):
            pairs = list(zip(group["deal_id"].astype(int), group["evidence_id"].astype(int), strict=True))
            out.append({
                "item_id": int(cast(int, item_id)), "uses": len({d for d, _ in pairs}),
                "persuasive": sum(1 for p in pairs if p in picks),
                "deals": sorted({names[d] for d, _ in pairs if d in names}),
            })  # fmt: skip
        return pd.DataFrame(out, columns=["item_id", "uses", "persuasive", "deals"])

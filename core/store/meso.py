"""MESO rounds: bundles and their terms, and the reactions that reveal the other side’s priorities."""

from __future__ import annotations

from collections.abc import Sequence

from .. import audit
from ..audit import Change
from ..models import InvalidInput, MesoBundle, MesoPick, MesoTerm, duplicate_bundle_names
from .engine import Cursor, NotFound, UnitOfWork, insert, issue_names, live_ids, soft_delete
from .members import reads_deal, works_deal
from .repository import Repository


class Meso(Repository):
    @reads_deal
    def list_meso_bundles(
        self, deal_id: int, include_removed: bool = False, cur: Cursor | None = None
    ) -> list[MesoBundle]:
        cur = cur or self.store.cursor()
        live = "" if include_removed else "AND deleted_at IS NULL"
        heads = cur.rows(
            f'SELECT id, deal_id, "round", name FROM meso_bundle WHERE deal_id = ? {live} ORDER BY "round", position, id',
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

    @works_deal
    def replace_meso_round(self, deal_id: int, round_no: int, bundles: Sequence[MesoBundle]) -> None:
        """Make a MESO round equal `bundles` in one step: rename and re-value by id, add new, soft-delete missing."""
        with self.store._writing(deal_id) as cur:
            if twice := duplicate_bundle_names(bundles):
                raise InvalidInput(
                    [f"Name: two bundles of round {round_no} are named '{twice[0]}'; give each its own"]
                )
            issues = live_ids(cur, "issue", deal_id)
            for b in bundles:
                for t in b.terms:
                    if t.issue_id not in issues:
                        raise NotFound(f"{b.name}: issue {t.issue_id} is not an issue of this deal.")
            existing = {
                r["id"] for r in cur.rows(
                    'SELECT id FROM meso_bundle WHERE deal_id = ? AND "round" = ? AND deleted_at IS NULL', [deal_id, round_no]
                )
            }  # fmt: skip
            before = {b.id: b for b in self.list_meso_bundles(deal_id, cur=cur) if b.id in existing}
            names = issue_names(cur, deal_id)
            changes: list[Change] = []
            kept = set()
            for position, b in enumerate(bundles):
                subject = f"Round {round_no} · {b.name}"
                if b.id in existing:
                    old = before[b.id]
                    if old.name != b.name:
                        changes.append(
                            Change("meso", f"Round {round_no} · {old.name} · Name", old.name, b.name)
                        )
                    cur.execute(
                        "UPDATE meso_bundle SET name = ?, position = ? WHERE id = ?", [b.name, position, b.id]
                    )
                    old_terms = {t.issue_id: t.value for t in old.terms}
                    for t in b.terms:
                        # An upsert, not delete-and-insert: the app never hard-deletes; the old value is in history.
                        cur.execute(
                            "INSERT INTO meso_term (bundle_id, issue_id, value) VALUES (?, ?, ?) "
                            "ON CONFLICT (bundle_id, issue_id) DO UPDATE SET value = excluded.value",
                            [b.id, t.issue_id, t.value],
                        )
                        if old_terms.get(t.issue_id) != t.value:
                            changes.append(Change("meso", f"{subject} · {names.get(t.issue_id, t.issue_id)}",
                                                  audit.as_text(old_terms.get(t.issue_id)), audit.as_text(t.value)))  # fmt: skip
                    kept.add(b.id)
                else:
                    insert_bundle(
                        UnitOfWork(cur, self.store.person),
                        deal_id,
                        b.model_copy(update={"round": round_no}),
                        position,
                        None,
                    )
                    terms = "; ".join(
                        f"{names.get(t.issue_id, t.issue_id)}: {audit.as_text(t.value)}" for t in b.terms
                    )
                    changes.append(Change("meso", f"{subject} added", None, terms))
            soft_delete(cur, "meso_bundle", list(existing - kept))
            for gone in sorted(existing - kept):
                changes.append(
                    Change(
                        "meso",
                        f"Round {round_no} · {before[gone].name} removed",
                        before[gone].name,
                        "removed",
                    )
                )
            self.store._audit(cur, deal_id, changes)

    @works_deal
    def add_meso_pick(self, deal_id: int, pick: MesoPick) -> None:
        with self.store._writing(deal_id) as cur:
            if not cur.scalar(
                'SELECT count(*) FROM meso_bundle WHERE id = ? AND deal_id = ? AND "round" = ?',
                [pick.bundle_id, deal_id, pick.round],
            ):
                raise NotFound(f"Bundle {pick.bundle_id} is not in round {pick.round} of this deal.")
            insert(cur, "meso_pick", ["id", "deal_id", "round", "bundle_id", "reaction", "note", "recorded_at", "recorded_by"],
                   [cur.next_id("meso_pick"), deal_id, pick.round, pick.bundle_id, pick.reaction.value, pick.note,
                    pick.recorded_at, self.store.person.email])  # fmt: skip
            name = cur.scalar("SELECT name FROM meso_bundle WHERE id = ?", [pick.bundle_id])
            self.store._audit(cur, deal_id, [Change("meso", f"Round {pick.round} · {name} · their reaction", None,
                                              pick.reaction.value, note=pick.note)])  # fmt: skip

    @reads_deal
    def list_meso_picks(self, deal_id: int) -> list[MesoPick]:
        rows = self.store.cursor().rows(
            'SELECT id, bundle_id, "round", reaction, note, recorded_at FROM meso_pick WHERE deal_id = ? '
            "ORDER BY recorded_at, id",
            [deal_id],
        )
        return [MesoPick.model_validate(r) for r in rows]


# ---- the repository of bundles -----------------------------------------------------------------------
def insert_bundle(uow: UnitOfWork, deal_id: int, b: MesoBundle, position: int, issue_map: dict | None) -> int:
    """One bundle and its terms; `issue_map` renames the terms' issues (a deal file's to new ids)."""
    new_id = uow.cur.next_id("meso_bundle")
    insert(uow.cur, "meso_bundle", ["id", "deal_id", "round", "position", "name"],
           [new_id, deal_id, b.round, position, b.name])  # fmt: skip
    for t in b.terms:
        issue_id = t.issue_id if issue_map is None else issue_map[t.issue_id]
        insert(uow.cur, "meso_term", ["bundle_id", "issue_id", "value"], [new_id, issue_id, t.value])
    return new_id

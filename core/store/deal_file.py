"""One deal as a file: export everything about it, import it under new ids in one transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from .. import audit
from ..access import reads_every_deal
from ..audit import Change
from ..models import Alternative, ClauseKind, DealFile, Evidence, Issue, SingleText, Stakeholder
from .concessions import insert_line
from .deals import insert_counterparty, insert_deal, tell_deals_of_counterparty
from .engine import (
    UnitOfWork,
    insert,
    list_children,
    now,
    refresh_latest_assessments,
    refresh_totals,
    replace_children,
)
from .members import creates_deal, reads_deal
from .meso import insert_bundle
from .plans import write_commitments
from .power import insert_assessment
from .preparation import _ANCHOR_COLUMNS
from .repository import Repository
from .reviews import _REVIEW_COLUMNS, _review_values
from .single_texts import insert_version


@dataclass(frozen=True)
class DealImport:
    """What an import did, so the command can say it: the new deal, and whether it joined a counterparty
    that was already there (whose map then gained the file's new stakeholders, recorded in the history
    of every deal with that counterparty)."""

    deal_id: int
    counterparty: str
    joined_existing: bool
    added_stakeholders: list[str] = field(default_factory=list)
    deals_told: list[int] = field(default_factory=list)


class DealFiles(Repository):
    """A whole deal as one file: composes every aggregate of a deal, each reached through the store."""

    @reads_deal
    def export_deal(self, deal_id: int) -> DealFile:
        deal = self.store.deals.get_deal(deal_id)
        cp = self.store.deals.get_counterparty(deal.counterparty_id)
        issues, evidence = (
            self.store.preparation.list_issues(deal_id),
            self.store.preparation.list_evidence(deal_id),
        )
        # The file holds the live deal: a link to an issue or evidence that was removed since (the pressured
        # issue, a line's issue, a bundle's term, a score's evidence) is left out, not carried dangling.
        on_issue = {i.id for i in issues}.__contains__
        on_evidence = {e.id for e in evidence}.__contains__

        def kept(ref: int | None, live) -> int | None:
            return ref if ref is not None and live(ref) else None

        lines = self.store.concessions.list_concessions(deal_id, include_removed=True)
        bundles = self.store.meso.list_meso_bundles(deal_id)
        review = self.store.reviews.get_review(deal_id)
        text = self.store.single_texts.get_single_text(deal_id)

        return DealFile(
            deal=deal.model_copy(update={"pressured_issue_id": kept(deal.pressured_issue_id, on_issue),
                                         "deadline_evidence_id": kept(deal.deadline_evidence_id, on_evidence)}),
            counterparty=cp,
            stakeholders=self.store.deals.list_stakeholders(cp.id),
            alternatives=[a.model_copy(update={"evidence_id": kept(a.evidence_id, on_evidence),
                                               "per_unit_of": kept(a.per_unit_of, on_issue)})
                          for a in self.store.preparation.list_alternatives(deal_id)],
            issues=[i.model_copy(update={"evidence_id": kept(i.evidence_id, on_evidence)}) for i in issues],
            evidence=evidence,
            assessments=[a.model_copy(update={"scores": [s.model_copy(update={"evidence_id": kept(s.evidence_id, on_evidence)})
                                                         for s in a.scores]}) for a in self.store.power.list_assessments(deal_id)],
            concessions=[c.model_copy(update={"issue_id": kept(c.issue_id, on_issue)}) for c in lines],
            meso_bundles=[b.model_copy(update={"terms": [t for t in b.terms if on_issue(t.issue_id)]})
                          for b in bundles],
            anchors=[a.model_copy(update={"benchmark_ids": [e for e in a.benchmark_ids if on_evidence(e)]})
                     for a in self.store.preparation.list_anchors(deal_id).values()],
            meso_picks=[p for p in self.store.meso.list_meso_picks(deal_id) if p.bundle_id in {b.id for b in bundles}],
            approvals=[a for a in self.store.list_approvals(deal_id) if a.concession_id in {c.id for c in lines}],
            signals=sorted(self.store.deals.observed_signals(deal_id)),
            round_notes=self.store.deals.round_notes(deal_id),
            review=None if review is None else review.model_copy(update={
                "final_values": [f for f in review.final_values if on_issue(f.issue_id)],
                "persuasive_evidence_ids": [e for e in review.persuasive_evidence_ids if on_evidence(e)]}),
            single_text=None if text is None else _live_issues_only(text, on_issue),
            commitments=self.store.plans.list_commitments(deal_id),
            escalation_steps=self.store.plans.list_escalation_steps(deal_id),
        )  # fmt: skip

    @creates_deal
    def import_deal(self, f: DealFile) -> DealImport:
        """Store a deal file under new ids, in one transaction.

        A counterparty with the same name is reused (a counterparty can be in several deals); the file's
        stakeholders that it does not have yet are added to its map, and that change is in the history
        of every deal with that counterparty, as any other change to the map is.
        """
        with self.store.unit_of_work() as uow:
            return import_deal_file(uow, f)

    @creates_deal
    def import_deals(self, files: Sequence[DealFile]) -> list[int]:
        with self.store.unit_of_work() as uow:
            return [import_deal_file(uow, f).deal_id for f in files]


# ---- the use case: a deal file in, composed from each aggregate's repository in one unit of work --------
def import_deal_file(uow: UnitOfWork, f: DealFile) -> DealImport:
    """The deal file stored under new ids in the caller's unit of work (see DealFiles.import_deal)."""
    cur = uow.cur
    visible, args = uow.visible()
    # Join a counterparty of the same name only if the importer may see it: its map is private.
    rows = cur.rows(
        "SELECT c.id FROM counterparty c WHERE lower(c.name) = lower(?) AND (? OR EXISTS ("
        f"SELECT 1 FROM deal d WHERE d.counterparty_id = c.id AND {visible})) ORDER BY c.id LIMIT 1",
        [f.counterparty.name, reads_every_deal(uow.person), *args],
    )
    added: list[str] = []
    told: list[int] = []
    if rows:
        # The other deals' histories are told that the map changed, never the new deal's name: a person
        # on one of them may not be allowed to see the new deal.
        cp_id = rows[0]["id"]
        current = list_children(cur, Stakeholder, cp_id)
        known = {p.name.lower() for p in current}
        new = [s.model_copy(update={"id": None}) for s in f.stakeholders if s.name.lower() not in known]
        if new:
            ids = replace_children(cur, Stakeholder, cp_id, [*current, *new])
            after = [p.model_copy(update={"id": i}) for p, i in zip([*current, *new], ids, strict=True)]
            changes = audit.list_changes("counterparty", current, after, lambda p: f"Stakeholder '{p.name}'")
            told = tell_deals_of_counterparty(uow, cp_id, [Change(c.kind, c.subject, c.old, c.new, c.private,
                                                                note="from a deal file imported for this counterparty")
                                                         for c in changes])  # fmt: skip
            added = [p.name for p in new]
    else:
        cp_id = insert_counterparty(uow, f.counterparty)
        replace_children(cur, Stakeholder, cp_id, [s.model_copy(update={"id": None}) for s in f.stakeholders])

    bare = f.deal.model_copy(
        update={"counterparty_id": cp_id, "deadline_evidence_id": None, "pressured_issue_id": None}
    )
    deal_id = insert_deal(uow, bare, None)

    ev_ids = replace_children(cur, Evidence, deal_id, [e.model_copy(update={"id": None}) for e in f.evidence])
    ev_map = {old.id: new for old, new in zip(f.evidence, ev_ids, strict=True)}
    issues = [i.model_copy(update={"id": None, "evidence_id": ev_map.get(i.evidence_id)}) for i in f.issues]
    issue_ids = replace_children(cur, Issue, deal_id, issues)
    issue_map = {old.id: new for old, new in zip(f.issues, issue_ids, strict=True)}
    alts = [
        b.model_copy(
            update={
                "id": None,
                "evidence_id": ev_map.get(b.evidence_id),
                "per_unit_of": issue_map.get(b.per_unit_of),
            }
        )
        for b in f.alternatives
    ]
    replace_children(cur, Alternative, deal_id, alts)
    cur.execute(
        "UPDATE deal SET deadline_evidence_id = ?, pressured_issue_id = ? WHERE id = ?",
        [ev_map.get(f.deal.deadline_evidence_id), issue_map.get(f.deal.pressured_issue_id), deal_id],
    )
    for a in f.assessments:
        insert_assessment(uow, deal_id, a, evidence_map=ev_map)
    refresh_latest_assessments(cur, [deal_id])
    line_map = {c.id: insert_line(uow, deal_id, c, issue_map=issue_map) for c in f.concessions}
    refresh_totals(cur, [deal_id], lines_judged=True)  # each line was judged as it went in
    bundle_map = {b.id: insert_bundle(uow, deal_id, b, position, issue_map)
                  for position, b in enumerate(f.meso_bundles)}  # fmt: skip
    _import_the_rest(uow, deal_id, f, issue_map, ev_map, line_map, bundle_map)
    uow.audit(deal_id, [Change("deal", "Deal imported from a deal file", None, f.deal.name)])
    allowed = uow.readable_deal_ids()  # the other deals named to the importer: only those they may read
    told = [d for d in told if allowed is None or d in allowed]
    return DealImport(deal_id, f.counterparty.name, bool(rows), added, told)


def _import_the_rest(
    uow: UnitOfWork, deal_id: int, f: DealFile, issue_map, ev_map, line_map, bundle_map
) -> None:
    """The parts of a deal file that refer to its lines, bundles, issues and evidence: anchor worksheets,
    their reactions to bundles, the sponsor's decisions, the signals observed, and the review."""
    cur = uow.cur
    for a in f.anchors:
        insert(cur, "anchor_worksheet", ["issue_id", "deal_id", *_ANCHOR_COLUMNS],
               [issue_map[a.issue_id], deal_id, a.range_low, a.range_high,
                json.dumps([ev_map[e] for e in a.benchmark_ids]), a.cost_logic, a.rationale])  # fmt: skip
    for p in f.meso_picks:
        insert(cur, "meso_pick", ["id", "deal_id", "round", "bundle_id", "reaction", "note", "recorded_at", "recorded_by"],
               [cur.next_id("meso_pick"), deal_id, p.round, bundle_map[p.bundle_id], p.reaction.value, p.note,
                p.recorded_at, uow.person.email])  # fmt: skip
    for ap in f.approvals:
        insert(cur, "approval", ["id", "deal_id", "concession_id", "decision", "decided_by", "decided_at", "note",
                                 "value_to_you", "recorded_by", "recorded_at"],
               [cur.next_id("approval"), deal_id, line_map[ap.concession_id], ap.decision.value, ap.decided_by,
                ap.decided_at, ap.note, ap.value_to_you, ap.recorded_by or uow.person.email, now()])  # fmt: skip
    for key in f.signals:
        uow.record(deal_id, "signal", key, None, "observed", "from a deal file")
    uow.audit(deal_id, [Change("round_note", f"Round {n}", None, None, private=True, note=text.strip())
                               for n, text in sorted(f.round_notes.items()) if text.strip()])  # fmt: skip
    if f.single_text is not None:
        insert(cur, "single_text", ["deal_id", "edit_until", "started_at", "started_by"],
               [deal_id, f.single_text.edit_until, f.single_text.versions[0].saved_at,
                f.single_text.versions[0].saved_by or uow.person.email])  # fmt: skip
        for v in f.single_text.versions:
            insert_version(uow, deal_id, v.model_copy(update={"clauses": [
                c.model_copy(update={"issue_id": issue_map.get(c.issue_id)}) for c in v.clauses]}))  # fmt: skip
    if f.commitments:
        write_commitments(uow, deal_id, [c.model_copy(update={"id": None}) for c in f.commitments])
    for step in f.escalation_steps:
        insert(cur, "escalation_step", ["id", "deal_id", "kind", "taken_at", "taken_by", "note", "override_reason"],
               [cur.next_id("escalation_step"), deal_id, step.kind.value, step.taken_at,
                step.taken_by or uow.person.email, step.note, step.override_reason])  # fmt: skip
    if f.review is not None:
        review = f.review.model_copy(update={
            "deal_id": deal_id,
            "final_values": [v.model_copy(update={"issue_id": issue_map[v.issue_id]}) for v in f.review.final_values],
            "persuasive_evidence_ids": [ev_map[e] for e in f.review.persuasive_evidence_ids]})  # fmt: skip
        insert(
            cur,
            "review",
            ["deal_id", *_REVIEW_COLUMNS, "updated_at"],
            [deal_id, *_review_values(review), now()],
        )


def _live_issues_only(text: SingleText, live) -> SingleText:
    """The text as a file carries it: a clause of an older version on an issue removed since keeps its
    words, no longer tied to the issue (as the other parts of the file leave such links out)."""
    return text.model_copy(update={"versions": [
        v.model_copy(update={"clauses": [
            c if c.issue_id is None or live(c.issue_id)
            else c.model_copy(update={"issue_id": None, "kind": ClauseKind.other}) for c in v.clauses]})
        for v in text.versions]})  # fmt: skip

"""Step 4 of the method, "converge on a single text": the clauses a text starts from, how two versions
differ, how far the text is from signature, when an edit is late scope, and the document both sides read.

Every rule about the single text is here; the store keeps versions and the page shows these verdicts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError

from .formatting import AmountNotUnderstood, fmt_amount, number_convention, parse_amount
from .models import (
    CLAUSE_KIND_LABELS,
    Clause,
    ClauseKind,
    ClauseStatus,
    Concession,
    Deal,
    InvalidInput,
    Issue,
    MesoBundle,
    MesoPick,
    PositionSource,
    Reaction,
    SingleText,
    TextVersion,
    describe_errors,
    field_label,
)

# The move whose signal a late change observes: "Single-text convergence" stops on "Scope creep late".
SINGLE_TEXT_MOVE = "single_text"


# ---- starting a text from what the cockpit knows ---------------------------------------------------
def current_positions(
    issues: Sequence[Issue],
    concessions: Sequence[Concession],
    bundles: Sequence[MesoBundle] = (),
    picks: Sequence[MesoPick] = (),
) -> dict[int, tuple[float, PositionSource]]:
    """Each issue's position on the table now: the latest new position logged on it (the live log), else
    the term of the latest MESO bundle they accepted, else our target (which starting the text tables)."""
    found: dict[int, tuple[float, PositionSource]] = {}
    live = [
        c
        for c in concessions
        if c.deleted_at is None and c.issue_id is not None and c.new_position is not None
    ]
    for c in sorted(live, key=lambda c: (c.logged_at, c.id or 0)):
        if c.issue_id is not None and c.new_position is not None:  # as filtered above; said for the checker
            found[c.issue_id] = (c.new_position, PositionSource.concession_log)
    accepted = [p for p in picks if p.reaction is Reaction.accepted]
    by_id = {b.id: b for b in bundles}
    for pick in sorted(accepted, key=lambda p: (p.recorded_at, p.id or 0), reverse=True)[:1]:
        for term in by_id[pick.bundle_id].terms if pick.bundle_id in by_id else []:
            found.setdefault(term.issue_id, (term.value, PositionSource.meso_bundle))
    return {i.id: found.get(i.id, (i.target, PositionSource.our_target)) for i in issues if i.id is not None}


def starting_clauses(
    deal: Deal,
    issues: Sequence[Issue],
    concessions: Sequence[Concession],
    bundles: Sequence[MesoBundle] = (),
    picks: Sequence[MesoPick] = (),
) -> list[Clause]:
    """The first version: a clause per issue holding its current position, and the validity date when the
    deal has a deadline. Only what is public enters: the issue's name and unit, a position on the table,
    the date (never the deadline's reason, a floor, the BATNA or an estimate)."""
    positions = current_positions(issues, concessions, bundles, picks)
    clauses = [
        Clause(number=n, kind=ClauseKind.issue, title=issue.name, issue_id=issue.id,
               position=placed[0], source=placed[1])
        for n, issue in enumerate(issues, start=1)
        if issue.id is not None and (placed := positions.get(issue.id)) is not None  # stored issues: all of them
    ]  # fmt: skip
    if deal.deadline is not None:
        clauses.append(
            Clause(
                number=len(clauses) + 1,
                kind=ClauseKind.validity,
                title="Validity",
                wording=f"This offer is valid until {deal.deadline:%d %B %Y}.",
            )  # fmt: skip
        )
    return clauses


def next_number(clauses: Sequence[Clause]) -> int:
    """A new clause's number: never one a clause had in any version, so the change log cannot mix them."""
    return max((c.number for c in clauses), default=0) + 1


# ---- the editor's rows read back as clauses ---------------------------------------------------------
@dataclass(frozen=True)
class ClauseRow:
    """One row of the clause editor as typed: the position as text, the issue by its label."""

    number: int | None
    kind: ClauseKind
    title: str
    issue: int | None
    position: str
    wording: str = ""
    metric: str = ""
    verification: str = ""
    agreed: bool = False
    remove: bool = False


def clauses_from_rows(
    rows: Sequence[ClauseRow], before: Sequence[Clause], decimal_comma: bool
) -> list[Clause]:
    """The clauses a save would store: positions read by the one parser in the deal's convention, a clause
    with an issue is an issue clause, a new row gets a number no clause ever had, and a figure changed by
    hand is the negotiator's own (written). Every problem is named by clause and field; none is stored."""
    old = {c.number: c for c in before}
    number = next_number(before)
    clauses, problems = [], []
    for row in rows:
        if row.remove:
            continue
        if row.number is None or row.number not in old:
            row_number, number = number, number + 1
        else:
            row_number = row.number
        where = f"Clause {row_number}" + (f" ('{row.title.strip()}')" if (row.title or "").strip() else "")
        try:
            position = parse_amount(row.position or "", decimal_comma)
        except AmountNotUnderstood as exc:
            problems.append(f"{where}, Position: {exc}")
            continue
        kind = ClauseKind.issue if row.issue is not None else row.kind
        was = old.get(row_number)
        kept = was is not None and was.position == position and was.issue_id == row.issue
        try:
            clauses.append(Clause(
                number=row_number, kind=kind, title=row.title or "", wording=row.wording or "", issue_id=row.issue,
                position=position, source=was.source if was is not None and kept else PositionSource.written,
                metric=row.metric or "", verification=row.verification or "",
                status=ClauseStatus.agreed if row.agreed else ClauseStatus.open,
            ))  # fmt: skip
        except ValidationError as exc:
            problems += [f"{where}, {p}" for p in describe_errors(exc)]
    if problems:
        raise InvalidInput(problems)
    return clauses


# ---- two versions compared --------------------------------------------------------------------------
COMPARED = ("kind", "title", "wording", "issue_id", "position", "metric", "verification", "status")


@dataclass(frozen=True)
class ClauseChange:
    change: str  # "added", "removed" or "changed"
    number: int
    title: str
    fields: tuple[tuple[str, str, str], ...] = ()  # (field, from, to) for a changed clause


def shown_value(clause: Clause, name: str, issue_names: dict[int, str]) -> str:
    value = getattr(clause, name)
    if name == "issue_id":
        return issue_names.get(value, "") if value is not None else ""
    if name == "position":
        return "" if value is None else fmt_amount(value)
    if name == "kind":
        return CLAUSE_KIND_LABELS[value]
    return str(getattr(value, "value", value))


def compare(
    before: Sequence[Clause], after: Sequence[Clause], issue_names: dict[int, str] | None = None
) -> list[ClauseChange]:
    """What changed from one version to another, clause by clause (by number), in the later one's order:
    added, removed, and changed with each field from what to what."""
    names = issue_names or {}
    old = {c.number: c for c in before}
    new = {c.number: c for c in after}
    changes = []
    for c in after:
        if c.number not in old:
            changes.append(ClauseChange("added", c.number, c.title))
            continue
        was = old[c.number]
        fields = tuple(
            (field_label(f), shown_value(was, f, names), shown_value(c, f, names))
            for f in COMPARED
            if getattr(was, f) != getattr(c, f)
        )
        if fields:
            changes.append(ClauseChange("changed", c.number, c.title, fields))
    changes += [ClauseChange("removed", c.number, c.title) for c in before if c.number not in new]
    return changes


def describe(changes: Sequence[ClauseChange]) -> str:
    """The change log's line for a version: 'clause 2 changed (Position 120,000 → 118,000); clause 5 added'."""
    said = []
    for ch in changes:
        if ch.change == "changed":
            fields = ", ".join(f"{f} {a or '—'} → {b or '—'}" for f, a, b in ch.fields)
            said.append(f"clause {ch.number} '{ch.title}' changed ({fields})")
        else:
            said.append(f"clause {ch.number} '{ch.title}' {ch.change}")
    return "; ".join(said) if said else "no change"


# ---- how far from signature ------------------------------------------------------------------------
@dataclass(frozen=True)
class TextProgress:
    agreed: int
    clauses: int
    issues_without_clause: tuple[str, ...]

    @property
    def ready_to_sign(self) -> bool:
        return self.clauses > 0 and self.agreed == self.clauses and not self.issues_without_clause

    @property
    def headline(self) -> str:
        return "Ready to sign" if self.ready_to_sign else f"Agreed {self.agreed} of {self.clauses}"


def progress(clauses: Sequence[Clause], issues: Sequence[Issue]) -> TextProgress:
    """Agreed N of M clauses; ready to sign when every clause is agreed and every live issue has one."""
    covered = {c.issue_id for c in clauses if c.kind is ClauseKind.issue}
    return TextProgress(
        agreed=sum(c.status is ClauseStatus.agreed for c in clauses),
        clauses=len(clauses),
        issues_without_clause=tuple(i.name for i in issues if i.id not in covered),
    )


# Clauses that are themselves how the text is measured, checked or enforced: they need no metric of their own.
SELF_MEASURED = (ClauseKind.metric, ClauseKind.verification, ClauseKind.remedy, ClauseKind.escalation,
                 ClauseKind.validity)  # fmt: skip


def unmeasured(clauses: Sequence[Clause]) -> list[Clause]:
    """Terms with neither a success metric nor a verification: what nobody could later show was kept."""
    return [
        c for c in clauses if c.kind not in SELF_MEASURED and not (c.metric.strip() or c.verification.strip())
    ]


def readiness(text: SingleText | None, issues: Sequence[Issue]) -> tuple[bool, str]:
    """The Moves check "Single text at close", judged from the data: a text exists, every issue has a
    clause, every term has a metric or a verification, and no clause is open."""
    if text is None:
        return False, "no single text yet: start one on Single text"
    clauses = text.latest.clauses
    state = progress(clauses, issues)
    missing = []
    if state.issues_without_clause:
        missing.append("no clause for " + ", ".join(state.issues_without_clause))
    if vague := unmeasured(clauses):
        missing.append(f"{len(vague)} term{'s' if len(vague) != 1 else ''} without a metric or verification")
    if opened := state.clauses - state.agreed:
        missing.append(f"{opened} clause{'s' if opened != 1 else ''} still open")
    if missing:
        return False, "; ".join(missing)
    return True, f"one text, version {text.latest.number}, every clause agreed and measured"


# ---- who agreed what ---------------------------------------------------------------------------------
def agreements(text: SingleText) -> dict[int, TextVersion]:
    """For each agreed clause of the latest version, the version in which it was agreed as it now reads:
    the save that marked it agreed, or that last changed it while it stood agreed (an agreement holds for
    the words agreed). Reopened and agreed again: counted from the new agreement."""
    agreed: dict[int, TextVersion] = {}
    terms: dict[int, dict] = {}
    for version in text.versions:
        now: dict[int, dict] = {}
        for c in version.clauses:
            if c.status is ClauseStatus.agreed:
                now[c.number] = c.model_dump(exclude={"status"})
        for number in list(agreed):
            if number not in now or now[number] != terms[number]:
                del agreed[number]
        for number in now:
            agreed.setdefault(number, version)
        terms = now
    return agreed


# ---- time-boxed edits ----------------------------------------------------------------------------------
def edit_is_late(edit_until: date | None, today: date) -> bool:
    """A change after the day the edit window closes is late scope ("Scope creep late")."""
    return edit_until is not None and today > edit_until


def late_changes(versions: Sequence[TextVersion]) -> list[TextVersion]:
    return [v for v in versions if v.late]


# ---- the document both sides read ------------------------------------------------------------------
def _escaped(text: str) -> str:
    """User text inside the Markdown document: literal, never a link, heading, image or raw HTML."""
    out = []
    for ch in str(text).replace("\r", ""):
        out.append("\\" + ch if ch in "\\`*_{}[]()<>#+-.!|~&" else ch)
    return "".join(out).replace("\n", "  \n")


def position_text(clause: Clause, unit: str, currency: str) -> str:
    if clause.position is None:
        return ""
    return f"{fmt_amount(clause.position)} {unit.strip() or currency}"


def markdown(deal: Deal, counterparty_name: str, text: SingleText, issues: Sequence[Issue]) -> str:
    """The single text as Markdown: the clauses of the latest version, their status, and the versions
    (number, when, who, late). Public content only: what the clauses hold, never a reason we wrote.
    Figures are written in the deal's number convention."""
    with number_convention(deal.decimal_comma):
        return _markdown(deal, counterparty_name, text, issues)


def _markdown(deal: Deal, counterparty_name: str, text: SingleText, issues: Sequence[Issue]) -> str:
    units = {i.id: i.unit for i in issues}
    latest = text.latest
    state = progress(latest.clauses, issues)
    lines = [
        f"# Single text · {_escaped(deal.name)}",
        "",
        f"Between us and {_escaped(counterparty_name)} · version {latest.number} of "
        f"{latest.saved_at:%d %B %Y %H:%M} UTC · {state.headline.lower()}",
    ]
    if text.edit_until is not None:
        lines.append(f"Edits close on {text.edit_until:%d %B %Y}.")
    lines += ["", "## Clauses", ""]
    for c in latest.clauses:
        status = "agreed" if c.status is ClauseStatus.agreed else "open"
        lines.append(f"### {c.number}. {_escaped(c.title)} ({CLAUSE_KIND_LABELS[c.kind].lower()}, {status})")
        lines.append("")
        if figure := position_text(c, units.get(c.issue_id, ""), deal.currency):
            lines += [f"Position: {_escaped(figure)}", ""]
        if c.wording.strip():
            lines += [_escaped(c.wording.strip()), ""]
        if c.metric.strip():
            lines += [f"Success metric: {_escaped(c.metric.strip())}", ""]
        if c.verification.strip():
            lines += [f"Verification: {_escaped(c.verification.strip())}", ""]
    lines += ["## Versions", "", "| Version | Saved | By | Late scope change |", "|---|---|---|---|"]
    for v in text.versions:
        lines.append(
            f"| {v.number} | {v.saved_at:%d %b %Y %H:%M} | {_escaped(v.saved_by)} | {'yes' if v.late else ''} |"
        )
    return "\n".join(lines) + "\n"

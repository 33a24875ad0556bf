"""The single text of a deal (step 4): started once, every save a new version with its clauses, the edit
window, and a late change recorded as the move table's signal in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pydantic import ValidationError

from ..audit import Change
from ..models import Clause, ClauseKind, InvalidInput, SingleText, TextVersion, describe_errors
from ..single_text import SINGLE_TEXT_MOVE, compare, describe, edit_is_late
from .engine import Conflict, Cursor, UnitOfWork, insert, issue_names, live_ids, now, quoted
from .members import reads_deal, works_deal
from .repository import Repository

_CLAUSE_COLUMNS = ("number", "kind", "title", "wording", "issue_id", "amount", "source", "metric", "verification",
                   "status")  # fmt: skip


def _clause_values(c: Clause) -> list:
    return [c.number, c.kind.value, c.title, c.wording, c.issue_id, c.position, c.source.value, c.metric,
            c.verification, c.status.value]  # fmt: skip


class SingleTexts(Repository):
    def _read_single_text(self, cur: Cursor, deal_id: int) -> SingleText | None:
        head = cur.rows("SELECT edit_until FROM single_text WHERE deal_id = ?", [deal_id])
        if not head:
            return None
        versions = cur.rows(
            'SELECT id, "number", saved_at, saved_by, late, reason FROM text_version WHERE deal_id = ? '
            'ORDER BY "number"',
            [deal_id],
        )
        clauses: dict[int, list[Clause]] = {v["id"]: [] for v in versions}
        for r in cur.rows(
            f"SELECT version_id, {quoted(_CLAUSE_COLUMNS)} FROM text_clause WHERE deal_id = ? "
            'ORDER BY version_id, "position"',
            [deal_id],
        ):
            version_id, amount = r.pop("version_id"), r.pop("amount")
            clauses[version_id].append(Clause.model_validate({**r, "position": amount}))
        return SingleText(
            edit_until=head[0]["edit_until"],
            versions=[TextVersion.model_validate({**v, "clauses": clauses[v["id"]]}) for v in versions],
        )

    @reads_deal
    def get_single_text(self, deal_id: int) -> SingleText | None:
        """The deal's single text with every version, oldest first; None before one is started."""
        return self._read_single_text(self.store.cursor(), deal_id)

    def _check_clauses(self, cur: Cursor, deal_id: int, clauses: Sequence[Clause]) -> list[Clause]:
        # Each clause validated again (a copy made with model_copy is not): one clause per issue, numbers apart.
        try:
            version = TextVersion(
                number=1, saved_at=now(), clauses=[Clause.model_validate(dict(c)) for c in clauses]
            )
        except ValidationError as exc:
            raise InvalidInput(describe_errors(exc)) from None
        issues = live_ids(cur, "issue", deal_id)
        problems = [
            f"Clause {c.number} ('{c.title}'): issue {c.issue_id} is not an issue of this deal"
            for c in version.clauses
            if c.issue_id is not None and c.issue_id not in issues
        ]
        problems += [
            f"Clause {c.number} ('{c.title}'): only an issue clause names an issue"
            for c in version.clauses
            if c.issue_id is not None and c.kind is not ClauseKind.issue
        ]
        if not version.clauses:
            problems.append("Clauses: a single text needs at least one clause")
        if problems:
            raise InvalidInput(problems)
        return version.clauses

    @works_deal
    def start_single_text(
        self, deal_id: int, clauses: Sequence[Clause], edit_until: date | None = None
    ) -> None:
        """Version 1 of the deal's one text. A deal has one: starting a second is refused."""
        with self.store._writing(deal_id) as cur:
            if cur.rows("SELECT deal_id FROM single_text WHERE deal_id = ?", [deal_id]):
                raise InvalidInput(
                    ["Single text: this deal has one already; change it instead of starting another"]
                )
            checked = self._check_clauses(cur, deal_id, clauses)
            at = now()
            insert(cur, "single_text", ["deal_id", "edit_until", "started_at", "started_by"],
                   [deal_id, edit_until, at, self.store.person.email])  # fmt: skip
            insert_version(UnitOfWork(cur, self.store.person), deal_id, TextVersion(number=1, saved_at=at, saved_by=self.store.person.email,
                                                           clauses=checked))  # fmt: skip
            self.store._record(cur, deal_id, "single_text", "Single text", None, "version 1",
                         f"started with {len(checked)} clause{'s' if len(checked) != 1 else ''}")  # fmt: skip

    @works_deal
    def save_single_text(
        self, deal_id: int, clauses: Sequence[Clause], based_on: int, reason: str = ""
    ) -> TextVersion:
        """A new version of the text. `based_on` is the version the editor started from: if someone saved
        another since, nothing is saved (their version is shown instead of being overwritten). After the
        edit window a change needs a reason and is recorded as a late scope change, which observes the
        move table's signal "Scope creep late" in the same transaction."""
        reason = reason.strip()
        if len(reason) > 2000:
            raise InvalidInput([f"Reason: at most 2,000 characters (this one has {len(reason):,})"])
        with self.store._writing(deal_id) as cur:
            text = self._read_single_text(cur, deal_id)
            if text is None:
                raise InvalidInput(["Single text: this deal has none yet; start it first"])
            latest = text.latest
            if latest.number != based_on:
                raise Conflict(
                    f"Someone saved version {latest.number} of the single text while you were editing version "
                    f"{based_on}; nothing of yours was saved. Their version is shown now: make your change again."
                )
            checked = self._check_clauses(cur, deal_id, clauses)
            changes = compare(latest.clauses, checked, issue_names(cur, deal_id))
            if not changes:
                raise InvalidInput(["There are no changes to save."])
            at = now()
            late = edit_is_late(text.edit_until, at.date())
            if late and not reason:
                raise InvalidInput([
                    f"Reason: the edit window closed on {text.edit_until:%d %B %Y}; a change after it is a late "
                    "scope change: say why it comes in now"
                ])  # fmt: skip
            version = TextVersion(number=latest.number + 1, saved_at=at, saved_by=self.store.person.email, late=late,
                                  reason=reason if late else "", clauses=checked)  # fmt: skip
            insert_version(UnitOfWork(cur, self.store.person), deal_id, version)
            said = describe(changes)
            self.store._audit(cur, deal_id, [Change("single_text", "Single text", f"version {latest.number}",
                                              f"version {version.number}", note=said[:2000])])  # fmt: skip
            if late:
                self.store._record(cur, deal_id, "signal", SINGLE_TEXT_MOVE, None, "observed",
                             f"late scope change in version {version.number}: {reason}")  # fmt: skip
            return version

    @works_deal
    def set_edit_window(self, deal_id: int, edit_until: date | None, reason: str = "") -> None:
        """When edits close. Moving the close later once it has passed (or opening it again) is itself a
        late scope change: it needs a reason and observes the signal, or the time-box would mean nothing."""
        reason = reason.strip()
        with self.store._writing(deal_id) as cur:
            text = self._read_single_text(cur, deal_id)
            if text is None:
                raise InvalidInput(["Single text: this deal has none yet; start it first"])
            if edit_until == text.edit_until:
                return
            today = now().date()
            reopens = edit_is_late(text.edit_until, today) and not edit_is_late(edit_until, today)
            if reopens and not reason:
                raise InvalidInput([
                    f"Reason: the edit window closed on {text.edit_until:%d %B %Y}; opening it again is a late "
                    "scope change: say why"
                ])  # fmt: skip
            cur.execute("UPDATE single_text SET edit_until = ? WHERE deal_id = ?", [edit_until, deal_id])
            shown = "open" if edit_until is None else f"{edit_until:%d %b %Y}"
            was = "open" if text.edit_until is None else f"{text.edit_until:%d %b %Y}"
            self.store._record(
                cur, deal_id, "single_text", "Single text · Edits close on", was, shown, reason
            )
            if reopens:
                self.store._record(cur, deal_id, "signal", SINGLE_TEXT_MOVE, None, "observed",
                             f"edit window opened again after it closed: {reason}")  # fmt: skip


# ---- the repository of the text's versions ----------------------------------------------------------
def insert_version(uow: UnitOfWork, deal_id: int, v: TextVersion) -> int:
    """One version of the text, its clauses in order."""
    cur = uow.cur
    version_id = cur.next_id("text_version")
    insert(cur, "text_version", ["id", "deal_id", "number", "saved_at", "saved_by", "late", "reason"],
           [version_id, deal_id, v.number, v.saved_at, v.saved_by, v.late, v.reason])  # fmt: skip
    if v.clauses:
        cur.many(
            f'INSERT INTO text_clause (version_id, deal_id, "position", {quoted(_CLAUSE_COLUMNS)}) '
            f"VALUES ({', '.join('?' * (3 + len(_CLAUSE_COLUMNS)))})",
            [[version_id, deal_id, n, *_clause_values(c)] for n, c in enumerate(v.clauses)],
        )
    return version_id

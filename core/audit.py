"""The audit trail: what changed in a deal, from what to what. The store records these in the same
transaction as the change itself, with when and by whom, so the history can never disagree with the data.

A change to a private field (a floor, the mandate, a value in the log) or to a private record (an
alternative, internal evidence) is marked private: the History screen masks its values when shared.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

import pandas as pd
from pydantic import BaseModel

from .formatting import fmt_amount
from .models import (
    POWER_SOURCE_LABELS,
    Commitment,
    Concession,
    Counterparty,
    Deal,
    Evidence,
    Issue,
    M,
    Model,
    PowerAssessment,
    Side,
    field_label,
    record_id,
)
from .privacy import MASK, is_private, private_fields, public_fields

# Kinds of change, as the History screen names them.
KINDS = {
    "deal": "Deal terms",
    "stage": "Stage",
    "issue": "Issues: targets and floors",
    "batna": "BATNA and alternatives",
    "evidence": "Evidence",
    "counterparty": "Counterparty map",
    "power": "Power scores",
    "concession": "Concessions",
    "meso": "MESO bundles",
    "signal": "Signals",
    "approval": "Approvals over the mandate",
    "access": "Who is on the deal",
    "review": "Review",
    "single_text": "Single text",
    "commitment": "Implementation plan",
    "escalation": "Escalation path",
    "round_note": "Round notes",
}
# Kinds whose records are private as a whole: their names (a BATNA's description, an internal
# evidence title) are private too, so a shared History masks the subject of their private changes.
PRIVATE_RECORD_KINDS = {"batna", "evidence", "counterparty"}  # counterparty: its stakeholders
# Kinds that are our assessment as a whole: on a shared screen not even what was changed shows.
ASSESSMENT_KINDS = {"power", "signal", "approval", "access"}
# The model whose public fields a kind's changes may show when shared (an allowlist: any other field,
# and any summary row, shows only that it changed).
_KIND_MODELS: dict[str, type[Model]] = {"deal": Deal, "stage": Deal, "issue": Issue, "evidence": Evidence, "concession": Concession,
                "counterparty": Counterparty, "commitment": Commitment}  # fmt: skip
_KEYS = {"id", "deal_id", "counterparty_id"}
_TEXT_LIMIT = 500  # a note in the history is a reminder, not a copy of a 5,000-character field


@dataclass(frozen=True)
class Change:
    kind: str
    subject: str
    old: str | None
    new: str | None
    private: bool = False
    note: str = ""


def as_text(value: Any) -> str | None:
    """A stored value as the history writes it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return fmt_amount(float(value))
    if isinstance(value, list):  # a list of values or of small records (a review's final values)
        return "; ".join(
            " ".join(as_text(v) or "" for v in x.model_dump().values())
            if isinstance(x, BaseModel)
            else as_text(x) or ""
            for x in value
        )
    text = str(value)
    return text if len(text) <= _TEXT_LIMIT else text[: _TEXT_LIMIT - 1] + "…"


def _content(item: Model) -> list[str]:
    return [f for f in type(item).model_fields if f not in _KEYS]


Refs = dict[str, dict[int, str]]  # {"issue_id": {3: "Annual price"}}: references written by name


def _text(item: Model, f: str, refs: Refs | None) -> str | None:
    value = getattr(item, f)
    named = (refs or {}).get(f, {})
    if value is None:
        return None
    # references are ids (ints, never a flag)
    return named.get(value, as_text(value)) if type(value) is int else as_text(value)


def _summary(item: Model, fields: Sequence[str], refs: Refs | None = None) -> str:
    parts = [f"{field_label(f)}: {_text(item, f, refs)}" for f in fields]
    return "; ".join(p for p in parts if not p.endswith(": None") and not p.endswith(": "))


def record_added(
    kind: str, subject: str, item: Model, verb: str = "added", refs: Refs | None = None
) -> list[Change]:
    """A new record: its public fields in one change, and its private fields together in one private
    change beside it (a private record is private as a whole)."""
    if is_private(item):
        return [Change(kind, f"{subject} {verb}", None, _summary(item, _content(item), refs), private=True)]
    hidden = private_fields(type(item))
    changes = [
        Change(
            kind,
            f"{subject} {verb}",
            None,
            _summary(item, [f for f in _content(item) if f not in hidden], refs),
        )
    ]
    ours = [f for f in _content(item) if f in hidden and as_text(getattr(item, f)) not in (None, "", "0")]
    if ours:
        changes.append(Change(kind, f"{subject} · our side", None, _summary(item, ours, refs), private=True))
    return changes


def record_removed(kind: str, subject: str, item: Model, refs: Refs | None = None) -> list[Change]:
    hidden = set() if is_private(item) else private_fields(type(item))
    fields = [f for f in _content(item) if f not in hidden]
    return [
        Change(kind, f"{subject} removed", _summary(item, fields, refs), "removed", private=is_private(item))
    ]


def field_changes(
    kind: str,
    subject: str,
    old: Model,
    new: Model,
    fields: Sequence[str] | None = None,
    kinds: dict[str, str] | None = None,
    refs: Refs | None = None,
) -> list[Change]:
    """Field by field, what differs between two versions of one record. `kinds` files a field under another
    kind (a deal's stage under "stage"); `refs` writes a reference by its name (the linked issue)."""
    hidden = private_fields(type(new))
    whole = is_private(old) or is_private(new)
    changes = []
    for f in fields or _content(new):
        before, after = _text(old, f, refs), _text(new, f, refs)
        if before != after:
            changes.append(Change((kinds or {}).get(f, kind), f"{subject} · {field_label(f)}", before, after,
                                  private=whole or f in hidden))  # fmt: skip
    return changes


def list_changes(kind: str, old: Sequence[M], new: Sequence[M], name: Callable[[M], str]) -> list[Change]:
    """Changes between two versions of a list kept by id (every item of such a list has one): added,
    changed, removed (in that order)."""
    before = {record_id(item): item for item in old}
    after_ids = {record_id(item) for item in new if record_id(item) in before}
    changes: list[Change] = []
    for item in new:
        if record_id(item) in before:
            changes += field_changes(kind, name(before[record_id(item)]), before[record_id(item)], item)
        else:
            changes += record_added(kind, name(item), item)
    for item_id, item in before.items():
        if item_id not in after_ids:
            changes += record_removed(kind, name(item), item)
    return changes


def _score_text(score: int, evidence_id: int | None) -> str:
    return f"{score} · {'evidenced' if evidence_id is not None else 'perceived only'}"


def score_changes(old: PowerAssessment | None, new: PowerAssessment) -> list[Change]:
    """Which scores a new assessment moved, source by source and side by side."""
    before = {(s.source, s.side): s for s in old.scores} if old else {}
    changes = []
    for s in sorted(new.scores, key=lambda s: (list(POWER_SOURCE_LABELS).index(s.source), s.side != Side.us)):
        prior = before.get((s.source, s.side))
        old_text = _score_text(prior.score, prior.evidence_id) if prior else None
        new_text = _score_text(s.score, s.evidence_id)
        if old_text != new_text:
            side = "us" if s.side is Side.us else "them"
            changes.append(Change("power", f"{POWER_SOURCE_LABELS[s.source]} · {side}", old_text, new_text))
    return changes


def listed_when_shared(kind: str, private: bool) -> bool:
    """Whether a shared screen lists a change at all: never one about a private record or field, nor one
    of our assessments, so that the list itself gives no hint of what is hidden (that alternatives were
    added, scores saved or the mandate moved)."""
    return not (private or kind in ASSESSMENT_KINDS)


def shareable_subject(kind: str, subject: str, private: bool) -> str:
    """What a shared screen may say about a change: the subject, unless it names a private record or is
    part of our assessment."""
    if kind in ASSESSMENT_KINDS or (private and kind in PRIVATE_RECORD_KINDS):
        return f"{KINDS.get(kind, kind)} · {MASK}"
    return subject


def values_shareable(kind: str, subject: str, private: bool) -> bool:
    """Whether a shared screen may show a change's old and new values: only for a public field of a
    public record (a stage, an item's wording, a bundle's offered value). Summary rows, notes, and every
    other field show only that they changed, whenever they were recorded."""
    if private or kind in ASSESSMENT_KINDS:
        return False
    if kind == "meso":
        return not subject.endswith("their reaction") and not subject.endswith(" added")
    field = subject.rsplit(" · ", 1)[-1] if " · " in subject else None
    model = _KIND_MODELS.get(kind)
    return bool(field and model and field in {field_label(f) for f in public_fields(model)})


ACCESS_WORDS = {"signed_in": "Signed in", "downloaded": "Downloaded", "exported": "Exported",
                "backed_up": "Backed up", "restored": "Restored"}  # fmt: skip


def access_log_table(log: pd.DataFrame) -> pd.DataFrame:
    """The access log (the store's frame) as people read it, on Admin and in its CSV: When, Who, Did, Deal
    id, Deal, What."""
    return pd.DataFrame({
        "When": log["happened_at"], "Who": log["person"], "Did": log["action"].map(ACCESS_WORDS),
        "Deal id": log["deal_id"], "Deal": log["deal"].fillna(""), "What": log["what"],
    })  # fmt: skip

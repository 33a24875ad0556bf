"""Screen-share safety: what may show while the other side may be looking.

An allowlist, decided here once from the models' marks: a field marked `PUBLIC`, of a record that is not
private as a whole (`private_when`). Everything else — every estimate, note, score, flag, warning and
figure built on them — is ours alone. Screens ask this module, never decide for themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from .models import (
    Alternative,
    Concession,
    Counterparty,
    Deal,
    DealFile,
    Evidence,
    Issue,
    Model,
    Stakeholder,
    fmt_amount,
)

MASK = "▒▒▒"  # what a shared screen shows in place of a private figure
_KEYS = ("id", "deal_id", "counterparty_id")  # references, not content
M = TypeVar("M", bound=Model)


def public_fields(model: type[Model]) -> frozenset[str]:
    """The fields of `model` that a shared screen may show: marked PUBLIC, of a record that is not
    private as a whole. Everything else is private by default."""
    if model.private_when is True:
        return frozenset()
    return frozenset(
        name
        for name, info in model.model_fields.items()
        if any(isinstance(extra, dict) and extra.get("public") for extra in _extras(info))
    )


def private_fields(model: type[Model]) -> frozenset[str]:
    """The fields of `model` that only we may see: every field not marked PUBLIC (references aside)."""
    return frozenset(n for n in model.model_fields if n not in _KEYS) - public_fields(model)


def _extras(info) -> list:
    """The field's json_schema_extra, and those of the Annotated metadata pydantic merged into it."""
    found = [info.json_schema_extra]
    found += [getattr(m, "json_schema_extra", None) for m in info.metadata]
    return found


def is_private(item: Model) -> bool:
    """True when the whole record is ours alone (a BATNA, internal evidence)."""
    rule = type(item).private_when
    return rule is True or (isinstance(rule, str) and bool(getattr(item, rule)))


def shareable(items: Iterable[M]) -> list[M]:
    """The records that may show on a shared screen."""
    return [i for i in items if not is_private(i)]


def cited_publicly(evidence: Iterable[Evidence], deal: Any, issues: Iterable[Any]) -> list[Evidence]:
    """The evidence a shared screen may show: not internal, and cited by something the other side sees
    (an issue's standard, the deadline's evidence). Evidence behind only our own alternatives, scores or
    worksheets would tell them those exist, so it stays off with them."""
    cited = {i.evidence_id for i in issues} | {deal.deadline_evidence_id}
    return [e for e in evidence if not is_private(e) and e.id in cited]


class Private(str):
    """A piece of text that quotes one of our private figures (a floor, the BATNA): masked when shared."""


def shown(text: str, safe: bool) -> str:
    """The text as a screen shows it: a Private piece becomes the mask in safe mode."""
    return MASK if safe and isinstance(text, Private) else str(text)


# ---- what a deal would leak: used by the tests that look for it on every screen ----------------------------
def as_shown(value: Any) -> list[str]:
    """The ways a screen writes `value`."""
    if value is None or isinstance(value, bool | Enum | date | datetime):
        return []
    if isinstance(value, int | float):
        if value == 0:
            return []
        return [fmt_amount(abs(float(value)))]
    text = str(value).strip()
    return [text] if text else []


def private_values(file: DealFile) -> dict[str, set[str]]:
    """Every private value of one deal as a screen would write it, by where it comes from.

    Record-level privacy counts whole records (every alternative, internal evidence); field-level
    privacy counts the marked fields of everything else. The balance and its parts are derived from
    private values and private too.
    """
    found: dict[str, set[str]] = {}

    def add(where: str, values: Iterable[Any]) -> None:
        for v in values:
            for text in as_shown(v):
                found.setdefault(where, set()).add(text)

    parts: list[tuple[type[Model], Sequence[Model]]] = [
        (Deal, [file.deal]),
        (Counterparty, [file.counterparty]),
        (Stakeholder, file.stakeholders),
        (Alternative, file.alternatives),
        (Issue, file.issues),
        (Evidence, file.evidence),
        (Concession, [c for c in file.concessions if c.deleted_at is None]),
    ]
    for model, items in parts:
        for item in items:
            names = set(model.model_fields) - set(_KEYS) if is_private(item) else private_fields(model)
            add(model.__name__, [getattr(item, n) for n in sorted(names)])
    live = [c for c in file.concessions if c.deleted_at is None]
    gives = sum(-c.value_to_you for c in live if c.value_to_you < 0)
    gets = sum(c.value_to_you for c in live if c.value_to_you > 0)
    add("Balance", [gets - gives, gives, gets])
    return found

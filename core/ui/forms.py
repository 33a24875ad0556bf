"""Forms generated from the models: one input per field, labelled with the screen's words, validated
by the model itself; and the pick-edit-save list editor the Prepare screen uses."""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Callable, Sequence
from datetime import date
from enum import Enum
from typing import Any

import streamlit as st

from ..formatting import amount_example, distinct_labels, typed_amount
from ..models import InvalidInput, M, Model, field_label, record_id, same_as_another, validate, word
from ..privacy import private_fields
from .session import attempt, hidden, safe_mode, shareable

HELP = {
    "mandate": "The most we may concede in total without going back for approval.",
    "reservation": "Our walk-away point on this issue: the floor (when we want more) or ceiling (when we want less). Private.",
    "direction": "floor: we want more (a seller's price). ceiling: we want less (a buyer's price, a lead time).",
    "their_walk_away": "Our estimate of the worst they would still accept.",
    "pressured_issue_id": "The issue they press hardest; every MESO bundle must hold its floor.",
    "deadline_reason": "The real constraint behind the date: capacity, budget cadence, fiscal close, award date.",
    "internal": "Internal evidence never shows when the screen is shared.",
    "risk": "1 = low risk … 5 = high risk of walking away to it.",
    "political_cost": "1 = nobody minds … 5 = costly inside our own organisation.",
    "priority": "1 = matters least to us … 5 = matters most.",
    "their_priority": "How much we believe they care: 1 = least … 5 = most. Empty: as much as we do.",
    "confidence": "How sure we are of our estimate of their target and walk-away.",
    "best": "Makes this the BATNA whatever the figures say; otherwise the best by money is.",
    "best_reason": "Needed to mark an alternative as the BATNA when the figures make another one the best.",
    "side": "Empty: read from the context (procurement and hiring buy; sales and partnerships sell).",
}


# ---- a form generated from a model ---------------------------------------------------------------
def _base(annotation: Any) -> tuple[Any, bool]:
    """(type, optional) for an annotation like `float | None`."""
    optional = False
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        annotation = [a for a in typing.get_args(annotation) if a is not type(None)][0]
        optional = True
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation, optional


def model_inputs(
    model: type[Model],
    current: Model | dict | None,
    key: str,
    fields: Sequence[str],
    choices: dict[str, dict[Any, str]] | None = None,
    labels: dict[str, str] | None = None,
    columns: int = 2,
) -> dict[str, Any]:
    """Render one input per field (inside a form) and return the raw values.

    `choices` turns an id field into a picker: {field: {id: label}}; None is always offered as '—'.
    """
    values = current.model_dump() if isinstance(current, Model) else dict(current or {})
    if safe_mode():  # a shared screen never shows a private field, not even in a form; saving keeps it
        hide = private_fields(model)
        fields = [f for f in fields if f not in hide]
    choices = choices or {}
    labels = labels or {}
    cols = st.columns(columns)
    out: dict[str, Any] = {}
    for n, name in enumerate(fields):
        info = model.model_fields[name]
        typ, optional = _base(info.annotation)
        label = labels.get(name) or field_label(name)
        value = values.get(name, None if info.is_required() else info.get_default(call_default_factory=True))
        wkey = f"{key}__{name}"
        helptext = HELP.get(name)
        with cols[n % columns]:
            if name in choices:
                options = [None, *choices[name].keys()]
                names = distinct_labels({None: "—", **choices[name]})
                out[name] = st.selectbox(
                    label,
                    options,
                    index=options.index(value) if value in options else 0,
                    format_func=names.__getitem__,
                    key=wkey,
                    help=helptext,
                )
            elif isinstance(typ, type) and issubclass(typ, Enum):
                options = [e.value for e in typ]
                current_value = value.value if isinstance(value, Enum) else value
                out[name] = st.selectbox(
                    label,
                    options,
                    index=options.index(current_value) if current_value in options else 0,
                    format_func=word,
                    key=wkey,
                    help=helptext,
                )
            elif typ is bool:
                out[name] = st.checkbox(label, value=bool(value), key=wkey, help=helptext)
            elif typ is int and _upper_bound(info) > SMALL_COUNT:
                # A count that can have thousands (days): typed and read like an amount, never a number box.
                typed = amount_input(st, label, wkey, value, helptext, placeholder="a whole number, e.g. 45")
                out[name] = value if value is not None and typed.strip() == typed_amount(value) else typed
            elif typ is int:  # a rating or a score: 1 to 5, no separator to misread
                out[name] = st.number_input(
                    label,
                    value=None if value is None else int(value),
                    step=1,
                    key=wkey,
                    help=helptext,
                    placeholder="—",
                )
            elif typ is float:
                typed = amount_input(st, label, wkey, value, helptext)
                # Left as the screen wrote it: the stored value itself, whatever convention is ticked now.
                out[name] = value if value is not None and typed.strip() == typed_amount(value) else typed
            elif typ is date:
                out[name] = (
                    st.date_input(label, value=value, key=wkey, help=helptext, format="YYYY-MM-DD")
                    if optional
                    else st.date_input(
                        label, value=value or date.today(), key=wkey, help=helptext, format="YYYY-MM-DD"
                    )
                )
            else:
                long = name in ("notes", "note", "description", "status_concerns", "deadline_reason")
                widget = st.text_area if long else st.text_input
                out[name] = widget(label, value="" if value is None else str(value), key=wkey, help=helptext)
    # An empty box means "not set": None where the model allows it; otherwise the stored value stays.
    for k, v in list(out.items()):
        if isinstance(v, str) and not v.strip() and _base(model.model_fields[k].annotation)[0] is float:
            out[k] = None
    return {
        k: v for k, v in out.items() if not (v is None and not _base(model.model_fields[k].annotation)[1])
    }


AMOUNT_BOXES = "_amount_boxes"  # the keys of every amount box drawn in this session (the tests sweep them)


SMALL_COUNT = 100  # int fields up to this bound (ratings, scores) keep a number box


def _upper_bound(info: Any) -> float:
    """A field's `le` bound (infinite without one), also inside an optional type (`Rating | None`)."""
    marks = list(info.metadata)
    pending = [info.annotation]
    while pending:
        hint = pending.pop()
        marks += getattr(hint, "__metadata__", ())
        pending += typing.get_args(hint)
    marks += [m for f in marks for m in getattr(f, "metadata", ())]  # a Field(...) holds its own marks
    return min((m.le for m in marks if getattr(m, "le", None) is not None), default=math.inf)


def amount_input(
    where: Any,
    label: str,
    key: str,
    value: float | None = None,
    helptext: str | None = None,
    placeholder: str | None = None,
    **kwargs: Any,
) -> str:
    """The one kind of box an amount is typed into: text, prefilled and exemplified in the deal's number
    convention, read by the one parser when saved (never a number box: the browser reads '40.000' as 40).
    What it prefills, the parser reads back as the same value."""
    st.session_state.setdefault(AMOUNT_BOXES, set()).add(key)
    shown = placeholder or amount_example()
    if key not in st.session_state:
        return where.text_input(
            label, value=typed_amount(value), key=key, help=helptext, placeholder=shown, **kwargs
        )
    return where.text_input(label, key=key, help=helptext, placeholder=shown, **kwargs)


def list_editor(
    model: type[M],
    items: Sequence[M],
    key: str,
    fields: Sequence[str],
    item_label: Callable[[Any], str],
    save: Callable[[list], Any],
    noun: str,
    choices: dict[str, dict[Any, str]] | None = None,
    make_first: str | None = None,
    first: Callable[[Any, Sequence[Any]], list] | None = None,
    labels: dict[str, str] | None = None,
    visible: Sequence[Any] | None = None,
) -> None:
    """Pick an item (or a new one), edit it in a form, save or remove it. `save` gets the whole list,
    so the store can write it in one transaction. `make_first` labels a button that makes it the first
    (by default it moves it to the top; `first(item, items)` returns the list to save instead)."""
    # save() still gets every item, private ones too; `visible` narrows what a shared screen offers to edit
    by_id = {
        record_id(it): it for it in (visible if visible is not None and safe_mode() else shareable(items))
    }
    options = [None, *by_id]
    # The picker's own labels: `labels` names the form's fields.
    item_labels = distinct_labels({None: f"+ New {noun}", **{i: item_label(it) for i, it in by_id.items()}})
    pick = st.selectbox(f"Edit {noun}", options, key=f"{key}_pick", format_func=item_labels.__getitem__)
    current = by_id.get(pick)
    # A new-item form gets fresh widgets after each save (a new generation of keys), so no value and no
    # flag of the item just saved carries over into the next one.
    generation = st.session_state.get(f"{key}_generation", 0)
    slot = f"{pick}" if current else f"new{generation or ''}"
    with st.form(f"{key}_form_{slot}", border=True):
        values = model_inputs(model, current, f"{key}_{slot}", fields, choices, labels)
        if safe_mode() and any(f in private_fields(model) for f in fields):
            hidden(f"Our side of this {noun} (saving keeps it)")
        b1, b2, b3 = st.columns([1, 1, 2])
        saved = b1.form_submit_button("Save", type="primary", key=f"{key}_save")
        removed = b2.form_submit_button("Remove", key=f"{key}_remove") if current else False
        to_top = b3.form_submit_button(make_first, key=f"{key}_first") if current and make_first else False
    if saved:

        def save_item() -> None:
            base = current.model_dump() if current else {}
            item = validate(model, {**base, **values})
            if twin := same_as_another(item, items):
                raise InvalidInput([f"This {noun} is already in the list as '{item_label(twin)}': change it there, "
                                    "or make this one differ"])  # fmt: skip
            save([item if record_id(it) == pick else it for it in items] if current else [*items, item])
            if not current:
                st.session_state[f"{key}_generation"] = generation + 1

        attempt(save_item, f"Saved {noun} '{values.get(fields[0], '')}'.")
    if removed:
        attempt(
            lambda: save([it for it in items if record_id(it) != pick]),
            f"Removed {noun} '{item_label(current)}'.",
        )
    if to_top and current is not None:
        attempt(
            lambda: save(
                # as typed in the form: a reason written beside the button counts
                first(validate(model, {**current.model_dump(), **values}), items)
                if first
                else [current, *[it for it in items if record_id(it) != pick]]
            ),
            f"'{item_label(current)}' is now first.",
        )


def pick_and_do(
    key: str,
    label: str,
    options: dict[Any, str],
    button: str,
    icon: str,
    missing: str,
    action: Callable[[Any], Any],
    success: str | Callable[[Any], str],
    placeholder: str = "Pick one",
) -> None:
    """A one-line form: pick one of `options` (value -> label), press `button`, and `action(value)` runs
    through `session.attempt`. Pressing it with nothing picked says `missing` (a field-named sentence)."""
    with st.form(key, border=False):
        left, right = st.columns([4, 1], vertical_alignment="bottom")
        labels = distinct_labels(options)
        pick = left.selectbox(
            label, list(options), index=None, format_func=labels.__getitem__, placeholder=placeholder
        )
        if right.form_submit_button(button, icon=icon):
            if pick is None:
                st.error(missing)
            else:
                attempt(lambda: action(pick), success)

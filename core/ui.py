"""The one core module that imports Streamlit: the cached store, the deal picker, shared widgets."""

from __future__ import annotations

import os
import re
import types
import typing
from collections.abc import Callable, Sequence
from datetime import date
from enum import Enum
from typing import Any

import pandas as pd
import streamlit as st

from . import privacy
from .models import FIELD_LABELS, STAGE_LABELS, InvalidInput, Model, describe_errors, fmt_amount
from .privacy import private_fields
from .store import Conflict, DatabaseBusy, NotFound, Store, database_path

HELP = {
    "mandate": "The most we may concede in total without going back for approval.",
    "reservation": "Our walk-away point on this issue: the floor (when we want more) or ceiling (when we want less). Private.",
    "direction": "floor: we want more (a seller's price). ceiling: we want less (a buyer's price, a lead time).",
    "their_walk_away": "Our estimate of the worst they would still accept.",
    "pressured_issue_id": "The issue they press hardest; every MESO bundle must hold its floor.",
    "deadline_reason": "The real constraint behind the date: capacity, budget cadence, fiscal close, award date.",
    "internal": "Internal evidence never shows when the screen is shared.",
}


# ---- the store ---------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> Store:
    from .demo import ensure_demo

    store = Store.open(path)
    if os.environ.get("COCKPIT_DEMO", "1") != "0":
        ensure_demo(store)  # first start on an empty database: the curated pipeline
    return store


def get_store() -> Store:
    """The process's store for COCKPIT_DB. A busy file stops the page with the plain message."""
    try:
        return _open_store(str(database_path()))
    except DatabaseBusy as exc:
        st.error(str(exc))
        st.stop()


# ---- the picked deal ---------------------------------------------------------------------------
PICKER_KEY = "deal_picker"
PICKER_LIMIT = 300  # above this many deals the picker searches instead of listing every deal
PICKER_MATCHES = 50
CURRENT_KEY = "current_deal"  # not a widget key: it survives page switches, which clear widget state
OPEN_DEAL_KEY = "open_deal"


def open_deal(deal_id: int) -> None:
    """Ask the sidebar picker to show this deal on the next run (a widget can't change mid-run)."""
    st.session_state[OPEN_DEAL_KEY] = deal_id


def _picked() -> None:
    st.session_state[CURRENT_KEY] = st.session_state[PICKER_KEY]


def deal_picker(store: Store) -> int | None:
    """Sidebar picker: type to filter by deal or counterparty; the choice is kept in the URL (?deal=ID).

    Which deal: one just created, else the one picked in this session, else the link's, else the first.
    """
    deals = store.list_deals()
    if deals.empty:
        st.sidebar.info("No deals yet: create one on Prepare.")
        return None
    all_ids = deals["id"].astype(int)
    ids = all_ids.tolist()
    state = st.session_state
    chosen = state.pop(OPEN_DEAL_KEY, None)
    if chosen not in ids:
        chosen = state.get(CURRENT_KEY)
    if chosen not in ids:
        param = st.query_params.get("deal")
        chosen = int(param) if param and param.isdigit() else None
        if param is not None and chosen not in ids:
            st.sidebar.warning(f"There is no deal with id {param}; showing the first deal instead.")
    if chosen not in ids:
        chosen = ids[0]
    if len(deals) > PICKER_LIMIT:
        # A long pipeline: search first, then offer the matches, so the page never ships every deal.
        query = st.sidebar.text_input(
            "Find a deal", key="deal_search", placeholder="deal or counterparty name"
        )
        text = deals["name"] + " · " + deals["counterparty"]
        hits = deals[text.str.contains(query, case=False, regex=False)] if query else deals.iloc[0:0]
        shown = deals[all_ids.eq(chosen)]
        deals = pd.concat([shown, hits[hits["id"] != chosen].head(PICKER_MATCHES)])
        ids = deals["id"].astype(int).tolist()
    labels = {int(r.id): f"{r.name} · {r.counterparty}" for r in deals.itertuples()}
    state[CURRENT_KEY] = state[PICKER_KEY] = chosen
    st.sidebar.selectbox(
        "Deal", ids, key=PICKER_KEY, format_func=labels.__getitem__, on_change=_picked,
        help="Type to filter by deal or counterparty name.",
    )  # fmt: skip
    st.query_params["deal"] = str(chosen)
    return chosen


def deal_page(what: str):
    """The start of a deal screen: sidebar, the picked deal and its counterparty, and the header."""
    store, deal_id = page_start()
    return deal_or_stop(store, deal_id, what)


def deal_or_stop(
    store: Store, deal_id: int | None, what: str, empty: str = "No deal yet: create one on Prepare."
):
    """The picked deal, its counterparty and the screen's header; stops the page with a plain message
    when there is no deal to show."""
    if deal_id is None:
        st.info(empty)
        st.stop()
    try:
        deal = store.get_deal(deal_id)
    except NotFound as exc:
        st.error(str(exc))
        st.stop()
    counterparty = store.get_counterparty(deal.counterparty_id)
    deal_header(deal, counterparty, what)
    return store, deal, counterparty


def current_deal_id() -> int | None:
    return st.session_state.get(CURRENT_KEY)


def page_start() -> tuple[Store, int | None]:
    """Every screen begins here: the store, the sidebar with the deal picker and the screen-share
    switch, and any flash message."""
    store = get_store()
    st.sidebar.title("Deal Cockpit")
    safe_switch()
    deal_id = deal_picker(store)
    show_flash()
    return store, deal_id


# ---- screen-share safe mode ------------------------------------------------------------------------
SAFE_KEY = "safe_mode"  # not a widget key: it survives page switches
SAFE_TOGGLE = "safe_mode_toggle"
SAFE_PARAM = "safe"  # ?safe=1 in a bookmark opens the cockpit already safe


def safe_mode() -> bool:
    """True while the screen may be shared: private figures are hidden on every screen."""
    return bool(st.session_state.get(SAFE_KEY))


def _safe_switched() -> None:
    st.session_state[SAFE_KEY] = st.session_state[SAFE_TOGGLE]


def safe_switch() -> None:
    """The sidebar switch, the URL that remembers it, and the badge that says it is on."""
    state = st.session_state
    if SAFE_KEY not in state:
        state[SAFE_KEY] = st.query_params.get(SAFE_PARAM, "") in ("1", "true", "on", "yes")
    state[SAFE_TOGGLE] = state[SAFE_KEY]
    st.sidebar.toggle(
        "Screen-share safe", key=SAFE_TOGGLE, on_change=_safe_switched,
        help="Hides our BATNA, floors and ceilings, mandate, estimates of their walk-away, the balance in money, "
        "internal notes and internal evidence on every screen, and turns off downloads of private data.",
    )  # fmt: skip
    if state[SAFE_KEY]:
        st.query_params[SAFE_PARAM] = "1"
        st.sidebar.badge("Safe to share", icon=":material/visibility_off:", color="orange")
        st.badge(
            "Screen-share safe · private figures hidden", icon=":material/visibility_off:", color="orange"
        )
    elif SAFE_PARAM in st.query_params:
        del st.query_params[SAFE_PARAM]


def hidden(what: str) -> None:
    """Say what a shared screen leaves out, so nobody mistakes it for missing data."""
    st.caption(f":material/visibility_off: {what} hidden while screen-sharing.")


def shareable(items: Sequence[Model]) -> list[Model]:
    """The records a screen may show now: all of them, or in safe mode only those that are not private."""
    return privacy.shareable(items) if safe_mode() else list(items)


def evidence_labels(evidence: Sequence[Model], date_format: str = "%Y-%m-%d") -> dict[int, str]:
    """Picker labels for the evidence pack. On a shared screen internal evidence keeps its place (so
    saving a form never drops a link to it) but not its title."""
    safe = safe_mode()
    return {
        e.id: f"internal evidence {privacy.MASK}" if safe and privacy.is_private(e)
        else f"{e.title} ({e.source}, {e.date:{date_format}})"
        for e in evidence
    }  # fmt: skip


def table(
    items: Sequence[Model], columns: dict[str, str], extra: dict[str, Callable[[Any], Any]] | None = None
):
    """Rows for st.dataframe from model records: {field: heading} columns plus computed ones.
    In safe mode private records and private fields are left out."""
    if not items:
        return []
    hide = private_fields(type(items[0])) if safe_mode() else frozenset()
    fields = {name: heading for name, heading in columns.items() if name not in hide}
    return [
        {**{heading: getattr(item, name) for name, heading in fields.items()},
         **{heading: compute(item) for heading, compute in (extra or {}).items()}}
        for item in shareable(items)
    ]  # fmt: skip


# ---- messages ----------------------------------------------------------------------------------
def flash(message: str) -> None:
    """Show a confirmation on the next run (after st.rerun), where the saved data is already visible."""
    st.session_state["_flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("_flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")
    conflict = st.session_state.pop("_conflict", None)
    if conflict:
        st.warning(conflict, icon=":material/sync_problem:")


def show_problems(exc: Exception) -> None:
    problems = exc.problems if isinstance(exc, InvalidInput) else [str(exc)]
    st.error("Nothing was saved:\n\n" + "\n".join(f"- {p}" for p in problems))


def attempt(action: Callable[[], Any], success: str) -> bool:
    """Run a save; on bad input show what is wrong (nothing was written), else flash and rerun."""
    try:
        action()
    except (InvalidInput, NotFound) as exc:
        show_problems(exc)
        return False
    except Conflict as exc:  # someone else saved first: show theirs, keep the message for the rerun
        st.session_state["_conflict"] = str(exc)
        st.rerun()
    flash(success)
    st.rerun()
    return True


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
        label = labels.get(name) or FIELD_LABELS.get(name, name.replace("_", " ").capitalize())
        value = values.get(name, None if info.is_required() else info.get_default(call_default_factory=True))
        wkey = f"{key}__{name}"
        helptext = HELP.get(name)
        with cols[n % columns]:
            if name in choices:
                options = [None, *choices[name].keys()]
                names = {None: "—", **choices[name]}
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
                    key=wkey,
                    help=helptext,
                )
            elif typ is bool:
                out[name] = st.checkbox(label, value=bool(value), key=wkey, help=helptext)
            elif typ is int:
                out[name] = st.number_input(
                    label,
                    value=None if value is None else int(value),
                    step=1,
                    key=wkey,
                    help=helptext,
                    placeholder="—",
                )
            elif typ is float:
                out[name] = st.number_input(
                    label,
                    value=None if value is None else float(value),
                    step=1.0,
                    format="%.2f",
                    key=wkey,
                    help=helptext,
                    placeholder="—",
                )
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
    # An empty number box means "not set": let the model say whether that is allowed.
    return {
        k: v for k, v in out.items() if not (v is None and not _base(model.model_fields[k].annotation)[1])
    }


def build(model: type[Model], data: dict[str, Any], prefix: str = "") -> Model:
    """Validate form values into a model or raise InvalidInput naming the fields."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(describe_errors(exc, prefix)) from None


def money(x: float | None, currency: str = "") -> str:
    return f"{fmt_amount(x)} {currency}".strip() if x is not None else "—"


def signed_money(x: float, currency: str = "") -> str:
    """-18500 -> '−18,500 EUR', 2500 -> '+2,500 EUR' (a true minus sign reads better across a table)."""
    sign = "−" if x < 0 else "+" if x > 0 else ""
    return f"{sign}{fmt_amount(abs(x))} {currency}".strip()


def signed(x: float, digits: int = 0) -> str:
    """+14 / −36 / 0, with a true minus sign."""
    text = f"{abs(x):,.{digits}f}"
    return ("−" if x < 0 else "+" if x > 0 else "") + text


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md(text: str) -> str:
    """User text made literal inside markdown (names and notes are typed by users)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text).replace("\n", " ")


def deal_header(deal, counterparty, what: str) -> None:
    """The deal's name and where it stands, kept smaller than the screen's one big number."""
    st.subheader(f"{what} · {deal.name}", anchor=False)
    st.caption(
        f"{counterparty.name} · {deal.context.value} · {STAGE_LABELS[deal.stage]} · owner {deal.owner}"
    )


def big_number(label: str, value: str, caption: str = "", color: str | None = None) -> None:
    """The one figure that matters on a screen, readable from across the table."""
    st.caption(label)
    shown = f":{color}[{value}]" if color else value
    st.markdown(f"# {shown}")
    if caption:
        st.caption(caption)


def list_editor(
    model: type[Model],
    items: Sequence[Model],
    key: str,
    fields: Sequence[str],
    item_label: Callable[[Any], str],
    save: Callable[[list], Any],
    noun: str,
    choices: dict[str, dict[Any, str]] | None = None,
    make_first: str | None = None,
) -> None:
    """Pick an item (or a new one), edit it in a form, save or remove it. `save` gets the whole list,
    so the store can write it in one transaction. `make_first` labels a button that moves it to the top."""
    by_id = {it.id: it for it in shareable(items)}  # save() still gets every item, private ones too
    options = [None, *by_id]
    pick = st.selectbox(
        f"Edit {noun}", options, key=f"{key}_pick",
        format_func=lambda i: f"+ New {noun}" if i is None else item_label(by_id[i]),
    )  # fmt: skip
    current = by_id.get(pick)
    with st.form(f"{key}_form_{pick or 'new'}", border=True):
        values = model_inputs(model, current, f"{key}_{pick or 'new'}", fields, choices)
        kept = [FIELD_LABELS.get(f, f) for f in fields if f in private_fields(model)]
        if safe_mode() and kept:
            hidden(f"{', '.join(kept)} (saving keeps them)")
        b1, b2, b3 = st.columns([1, 1, 2])
        saved = b1.form_submit_button("Save", type="primary", key=f"{key}_save")
        removed = b2.form_submit_button("Remove", key=f"{key}_remove") if current else False
        to_top = b3.form_submit_button(make_first, key=f"{key}_first") if current and make_first else False
    if saved:

        def save_item() -> None:
            base = current.model_dump() if current else {}
            item = build(model, {**base, **values})
            save([item if it.id == pick else it for it in items] if current else [*items, item])

        attempt(save_item, f"Saved {noun} '{values.get(fields[0], '')}'.")
    if removed:
        attempt(
            lambda: save([it for it in items if it.id != pick]), f"Removed {noun} '{item_label(current)}'."
        )
    if to_top:
        attempt(
            lambda: save([current, *[it for it in items if it.id != pick]]),
            f"'{item_label(current)}' is now first.",
        )


def per_revision(store: Store, name: str, compute: Callable[[], Any]) -> Any:
    """`compute()` once per store revision for this session: screens that refresh every few seconds
    redo nothing until something is written."""
    cached = st.session_state.get(f"_rev_{name}")
    if cached is not None and cached[0] == store.revision:
        return cached[1]
    value = compute()
    st.session_state[f"_rev_{name}"] = (store.revision, value)
    return value

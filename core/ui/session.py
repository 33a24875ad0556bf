"""The Streamlit session glue: the cached store, page set-up and the cockpit's own navigation, the deal
picker, screen-share safe mode, messages, and the few widgets every screen shares."""

from __future__ import annotations

import ctypes
import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import pandas as pd
import streamlit as st

from .. import documents, oplog, privacy
from ..access import Action, Person, may, reads_every_deal
from ..approvals import to_decide
from ..formatting import (
    decimal_comma_in_use,
    distinct_labels,
    fmt_amount,
    md,
    number_convention,
    organisation_decimal_comma,
    plural,
    signed,
    use_number_convention,
)
from ..models import Evidence, InvalidInput, Model, word
from ..privacy import private_fields
from ..settings import PROJECT_ROOT, settings
from ..store import (
    Conflict,
    DatabaseProblem,
    DatabaseUnreachable,
    NotAllowed,
    NotFound,
    Store,
    database_location,
    now,
)
from .team import acting_person, refuse_beyond_this_computer, team_mode, who_badge

ICON = PROJECT_ROOT / "data" / "icon.png"
BIG_FIGURE_STYLE = (
    "<style>[data-testid='stMarkdownContainer'] h1 {white-space: nowrap; font-size: clamp(1.6rem, 3.2vw, 2.75rem);}"
    "[data-testid='stMetricValue'] {font-size: clamp(1.15rem, 2.3vw, 2.1rem);}</style>"  # always below the big one
)


# ---- the store ---------------------------------------------------------------------------------
MEMORY_BACK_EVERY = 10  # seconds; one pass over the heaps takes a few milliseconds
MEMORY_THREAD = "cockpit-memory-back"


def give_free_memory_back() -> bool:
    """Hand the C heaps' free pages back to the system now; False where the C library has no such call
    (only glibc does: macOS and musl return memory by themselves)."""
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return False
    trim(0)
    return True


@st.cache_resource(show_spinner=False)
def free_memory_goes_back() -> str | None:
    """Once per server: a thread that gives free memory back every few seconds. A session that ended
    frees its objects, but glibc keeps the freed memory in heaps shared by the server's threads, so the
    server only grew with each session opened and closed (+19% over 220). Returns the thread's name."""
    if not give_free_memory_back():
        return None

    def keep_giving_back() -> None:
        while True:
            time.sleep(MEMORY_BACK_EVERY)
            give_free_memory_back()

    threading.Thread(target=keep_giving_back, name=MEMORY_THREAD, daemon=True).start()
    return MEMORY_THREAD


@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> Store:
    from ..demo import ensure_demo

    free_memory_goes_back()  # with the server's store, once: not a lookup on every rerun
    store = Store.open(path)
    if settings().demo:
        ensure_demo(store)  # first start on an empty database: the curated pipeline
    return store


def get_store() -> Store:
    """The process's store for COCKPIT_DB. A busy file stops the page with the plain message; a shared
    database that does not answer stops it with a message that goes away by itself when it answers."""
    try:
        store = _open_store(database_location())
        store.revision  # noqa: B018 (on PostgreSQL one tiny query: is the server there?)
        return store
    except DatabaseUnreachable as exc:
        oplog.failure("database_unreachable", str(exc), cause=exc.reason)
        st.error(md(exc.shown()), icon=":material/cloud_off:")
        _retry_until_back()
        st.stop()
    except DatabaseProblem as exc:  # busy, or not a cockpit database: one sentence, the file's name only
        oplog.failure("database_unusable", str(exc))
        st.error(md(exc.shown()), icon=":material/database:")
        st.stop()


RETRY_SECONDS = 2


@st.fragment(run_every=RETRY_SECONDS)
def _retry_until_back() -> None:
    """Ask the database again every few seconds; the whole screen comes back as soon as it answers."""
    try:
        _open_store(database_location()).revision  # noqa: B018
    except DatabaseProblem:
        st.caption(f"Trying again every {RETRY_SECONDS} s.")
        return
    st.rerun()


def live(seconds: float, says_why: bool = True) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """A part of a screen that redraws itself every `seconds` (the live log). While a shared database
    does not answer it says so in place (the screen's first live part in a sentence, the others in a
    word: one message, not three), and it picks up again by itself on a later tick."""

    def decorate(draw: Callable[[], None]) -> Callable[[], None]:
        # A fragment's rerun starts without the page's top: it writes figures in the convention the page
        # was drawn in.
        convention = decimal_comma_in_use()

        @functools.wraps(draw)
        def guarded() -> None:
            try:
                with number_convention(convention):
                    draw()
            except DatabaseUnreachable as exc:
                if says_why:
                    st.warning(md(exc.shown()), icon=":material/cloud_off:")
                else:
                    st.caption(":material/cloud_off: Waiting for the database.")
            except (NotAllowed, NotFound):
                # Removed from the cockpit or the deal since the page was drawn: the whole page runs again
                # and says so, instead of this part drawing what they may no longer read.
                st.rerun(scope="app")

        return st.fragment(run_every=seconds)(guarded)

    return decorate


# ---- the picked deal ---------------------------------------------------------------------------
PICKER_KEY = "deal_picker"
PICKER_LIMIT = 300  # above this many deals the picker searches instead of listing every deal
PICKER_MATCHES = 50
CURRENT_KEY = "current_deal"  # not a widget key: it survives page switches, which clear widget state
OPEN_DEAL_KEY = "open_deal"


def open_deal(deal_id: int) -> None:
    """Ask the sidebar picker to show this deal on the next run (a widget can't change mid-run)."""
    st.session_state[OPEN_DEAL_KEY] = deal_id


def link_deal_id(param: str | None) -> int | None:
    """The deal id a link carries: plain ASCII digits of a sane length, else None (no traceback for
    '²', '٣', '1.5' or a 40-digit number)."""
    if param is None or not (param.isascii() and param.isdigit()) or len(param) > 18:
        return None
    return int(param)


def _picked() -> None:
    st.session_state[CURRENT_KEY] = st.session_state[PICKER_KEY]


def deal_picker(store: Store) -> int | None:
    """Sidebar picker: type to filter by deal or counterparty; the choice is kept in the URL (?deal=ID).

    Which deal: one just created, else the one picked in this session, else the link's, else the first.
    The database answers which deals exist and which match, so a screen for one deal reads the same few
    rows however long the pipeline is.
    """
    listed = store.deals.find_deals(limit=PICKER_LIMIT + 1)
    if listed.empty:
        st.sidebar.info("No deals yet: create one on Prepare.")
        return None
    state = st.session_state

    def readable(deal: int | None) -> bool:
        return deal is not None and (
            deal in set(listed["id"].astype(int)) or not store.deals.find_deals(ids=[deal]).empty
        )

    chosen = state.pop(OPEN_DEAL_KEY, None)
    if not readable(chosen):
        chosen = state.get(CURRENT_KEY)
    if not readable(chosen):
        param = st.query_params.get("deal")
        chosen = link_deal_id(param)
        if param is not None and not readable(chosen):
            # Never echo what the link carried beyond a plain number: a URL is anyone's text.
            named = f" with id {chosen}" if chosen is not None else " for that link"
            st.sidebar.warning(f"There is no deal{named}; showing the first deal instead.")
    if not readable(chosen):
        chosen = int(listed["id"].iloc[0])
    assert chosen is not None
    shown = store.deals.find_deals(ids=[chosen])
    if safe_mode():
        # A shared screen shows the deal on it and nothing of the others: not even their names in a list.
        state[CURRENT_KEY] = chosen
        row = shown.iloc[0]
        st.sidebar.caption("Deal on screen")
        st.sidebar.markdown(f"**{md(row['name'])}** · {md(row['counterparty'])}")
        st.query_params["deal"] = str(chosen)
        return chosen
    deals = listed
    if len(listed) > PICKER_LIMIT:
        # A long pipeline: search first, then offer the matches, so the page never ships every deal.
        query = st.sidebar.text_input(
            "Find a deal", key="deal_search", placeholder="deal or counterparty name"
        )
        hits = store.deals.find_deals(query, limit=PICKER_MATCHES + 1) if query else listed.iloc[0:0]
        deals = pd.concat([shown, hits[hits["id"] != chosen].head(PICKER_MATCHES)])
    ids = deals["id"].astype(int).tolist()
    labels = distinct_labels({int(r.id): f"{r.name} · {r.counterparty}" for r in deals.itertuples()})
    state[CURRENT_KEY] = state[PICKER_KEY] = chosen
    st.sidebar.selectbox(
        "Deal", ids, key=PICKER_KEY, format_func=labels.__getitem__, on_change=_picked,
        help="Type to filter by deal or counterparty name.",
    )  # fmt: skip
    st.query_params["deal"] = str(chosen)
    return chosen


def deal_page(what: str):
    """The start of a deal screen: sidebar, the picked deal and its counterparty, and the header."""
    store, deal_id = page_start(what)
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
        deal = store.deals.get_deal(deal_id)
    except NotFound as exc:
        st.error(str(exc))
        st.stop()
    use_number_convention(deal.decimal_comma)  # every figure and amount box below is the deal's
    counterparty = store.deals.get_counterparty(deal.counterparty_id)
    deal_header(deal, counterparty, what)
    if not store.may_change(deal.id):  # a sponsor or leader off the team: say so before any form
        st.caption(":material/visibility: You can read this deal; its owner and team change it.")
    return store, deal, counterparty


def page_start(screen: str | None = None) -> tuple[Store, int | None]:
    """Every screen begins here: page set-up, who is acting (sign-in in team mode), the store bound to
    them, the sidebar (navigation, screen-share switch, deal picker, who is signed in), the approvals
    waiting for them, and any flash message."""
    # A local icon: a material-symbol icon would have every browser fetch it from a public CDN.
    st.set_page_config(page_title="Deal Cockpit", page_icon=str(ICON), layout="wide")
    # The one big figure of a screen shrinks with the window instead of breaking across lines (a tablet
    # beside the sidebar wrapped "−13,500 EUR" after "−13,50"). A style only: no script, no user text.
    st.html(BIG_FIGURE_STYLE)
    try:
        use_number_convention(organisation_decimal_comma())  # until a deal's own is known
    except ValueError as exc:
        st.error(md(str(exc)))
        st.stop()
    if not team_mode():  # before the database is opened: a shared one is not local mode's to read
        refuse_beyond_this_computer()
    shared = get_store()
    person = acting_person(shared)
    st.session_state["_acting_email"] = person.email  # for the operator's log of a refused save
    store = shared.acting_as(person)
    st.sidebar.title("Deal Cockpit")
    navigation = st.sidebar.container()  # drawn first, filled once the deal is known
    safe_switch()
    deal_id = deal_picker(store)
    who_badge(person)
    with navigation:
        navigate(deal_id, person)
    # One slot for every notice, drawn or not: a confirmation that shows after a save (and not on the run
    # before it) would otherwise move everything below by one place, and tabs moved mid-run can come back
    # on their first tab instead of the one the negotiator was working in.
    with st.container():
        show_flash()
        if not person.local and not safe_mode():
            # Concessions shows its own deal's gives with the approve buttons; the list names the others.
            approvals_waiting(store, deal_id if screen == "Concessions" else None)
    return store, deal_id


def approvals_waiting(store: Store, shown_below: int | None = None) -> None:
    """The sponsor's (or leader's) gives over the mandate to decide, at the top of every screen."""

    # Once per write: the queue reads the lines of every deal over its mandate.
    def queue() -> pd.DataFrame:
        lines, decided = store.approval_queue()
        return to_decide(lines, decided, store.person.email)

    waiting = per_revision(store, "approvals_waiting", queue)
    waiting = waiting[waiting["deal_id"] != shown_below]
    if waiting.empty:
        return
    with st.container(border=True):
        st.markdown(
            f":orange[:material/approval: **{plural(len(waiting), 'give')} over the mandate "
            f"{'waits' if len(waiting) == 1 else 'wait'} for your approval**]"
        )
        for row in waiting.head(5).itertuples():
            screen_link(
                "Concessions", int(row.deal_id), f"{row.deal_name} · '{row.item}' · {row.says}",
                ":material/pending_actions:",
            )  # fmt: skip
        if len(waiting) > 5:
            st.caption(f"and {len(waiting) - 5} more on the Pipeline's deals.")


# ---- navigation ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Screen:
    title: str
    path: str  # relative to app.py, as st.page_link and st.switch_page take it
    icon: str


SCREENS = {
    s.title: s
    for s in (
        Screen("Pipeline", "app.py", ":material/leaderboard:"),
        Screen("Prepare", "pages/prepare.py", ":material/checklist:"),
        Screen("Leverage", "pages/leverage.py", ":material/radar:"),
        Screen("Concessions", "pages/concessions.py", ":material/swap_horiz:"),
        Screen("MESO", "pages/meso.py", ":material/view_column:"),
        Screen("Moves", "pages/moves.py", ":material/route:"),
        Screen("Single text", "pages/agreement.py", ":material/contract:"),
        Screen("Implementation", "pages/implementation.py", ":material/task_alt:"),
        Screen("History", "pages/history.py", ":material/history:"),
        Screen("Review", "pages/review.py", ":material/rate_review:"),
        Screen("Library", "pages/library.py", ":material/local_library:"),
        Screen("Outcomes", "pages/outcomes.py", ":material/insights:"),
        Screen("Admin", "pages/admin.py", ":material/admin_panel_settings:"),
    )
}


def carried_params(deal_id: int | None) -> dict[str, str]:
    """What a link to another screen carries: the deal on screen and the screen-share switch."""
    params = {} if deal_id is None else {"deal": str(deal_id)}
    if safe_mode():
        params[SAFE_PARAM] = "1"
    return params


def navigate(deal_id: int | None, person: Person) -> None:
    """The cockpit's own list of screens (Streamlit's generated one is off in .streamlit/config.toml).
    Admin is listed for those who manage members."""
    params = carried_params(deal_id)
    shared = safe_mode()
    for screen in SCREENS.values():
        if screen.title == "Admin" and not may(person, Action.manage):
            continue
        if shared and screen.title in ACROSS_DEALS:  # a shared screen shows this deal only
            continue
        st.page_link(screen.path, label=screen.title, icon=screen.icon, query_params=params)


def screen_link(title: str, deal_id: int | None, label: str, icon: str) -> None:
    """A link in the page body to another screen, keeping the deal and safe mode. The label may carry user
    text (an issue's name), so it is shown as text."""
    st.page_link(SCREENS[title].path, label=md(label), icon=icon, query_params=carried_params(deal_id))


def go_to(title: str, deal_id: int) -> None:
    """Open a deal on another screen now."""
    open_deal(deal_id)
    st.switch_page(SCREENS[title].path, query_params=carried_params(deal_id))


# ---- screen-share safe mode ------------------------------------------------------------------------
ACROSS_DEALS = {"Pipeline", "Outcomes", "Admin"}  # screens about many deals: not listed while sharing
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
    """Say that a shared screen leaves something out here, so nobody mistakes it for missing data, without
    saying what: even "their walk-away estimates" or "the mandate" tells the other side that we have one.
    `what` names it for the reader of the code only."""
    del what
    st.caption(":material/visibility_off: Part of this screen stays off while screen-sharing.")


def shareable(items: Sequence[Model]) -> list[Model]:
    """The records a screen may show now: all of them, or in safe mode only those that are not private."""
    return privacy.shareable(items) if safe_mode() else list(items)


def evidence_labels(
    evidence: Sequence[Evidence], date_format: str = "%Y-%m-%d", shown: Sequence[Evidence] | None = None
) -> dict[int, str]:
    """Picker labels for the evidence pack. On a shared screen, evidence that may not show (internal, or
    in `shown`'s absence of it: not cited publicly) keeps its place, so saving a form never drops a link to
    it, but not its title."""
    safe = safe_mode()
    visible = None if shown is None else {e.id for e in shown}
    return distinct_labels({
        e.id: f"evidence {privacy.MASK}" if safe and (privacy.is_private(e) or (visible is not None and e.id not in visible))
        else f"{e.title} ({e.source}, {e.date:{date_format}})"
        for e in evidence
    })  # fmt: skip


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
        {**{heading: _cell(getattr(item, name)) for name, heading in fields.items()},
         **{heading: compute(item) for heading, compute in (extra or {}).items()}}
        for item in shareable(items)
    ]  # fmt: skip


def amount_column(label: str, sign: bool = False, help: str | None = None) -> Any:
    """A dataframe column of amounts in the convention in use. Streamlit's number formats group with commas
    only, which a decimal-comma reader takes for decimals (1,700 read as 1.7): there the cells are written
    by `amounts_written` as text (the screen's own sort control orders the rows)."""
    if decimal_comma_in_use():
        return st.column_config.TextColumn(label, help=help)
    return st.column_config.NumberColumn(label, format="%+,.0f" if sign else "%,.0f", help=help)


def amounts_written(frame: pd.DataFrame, columns: dict[str, bool]) -> pd.DataFrame:
    """`frame` with its amount columns ({column: signed}) written as text in a decimal-comma convention;
    unchanged otherwise (numbers, formatted by `amount_column`)."""
    if not decimal_comma_in_use():
        return frame
    return frame.assign(**{
        c: frame[c].map(lambda v, s=s: "" if pd.isna(v) else signed(v) if s else fmt_amount(v)) for c, s in columns.items()
    })  # fmt: skip


def cell_text(value: Any) -> str:
    """What a data editor's cell holds, as text: an empty cell arrives as None or NaN."""
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _cell(value: Any) -> Any:
    """A table cell as a person reads it: enum codes as words, nothing as an empty cell (not 'None'), and a
    number written in the deal's convention (a decimal-comma deal reads 1.650, not 1,650 = 1.65), as text,
    so a column with an empty cell stays one type."""
    if isinstance(value, Enum):
        return word(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return fmt_amount(value)
    return "" if value is None else value


# ---- messages ----------------------------------------------------------------------------------
def flash(message: str) -> None:
    """Show a confirmation on the next run (after st.rerun), where the saved data is already visible."""
    st.session_state["_flash"] = message


def show_flash() -> None:
    """The confirmation of the last save, or why it did not happen, in a slot that is there either way."""
    message = st.session_state.pop("_flash", None)
    conflict = st.session_state.pop("_conflict", None)
    with st.container():
        if message:
            st.success(md(message), icon=":material/check_circle:")
        if conflict:
            st.warning(md(conflict), icon=":material/sync_problem:")


def show_problems(exc: Exception) -> None:
    problems = exc.problems if isinstance(exc, InvalidInput) else [str(exc)]
    st.error("Nothing was saved:\n\n" + "\n".join(f"- {md(p)}" for p in problems))


def recorded(store: Store, what: str, deal_id: int | None, build: Callable[[], bytes]) -> Callable[[], bytes]:
    """A download's file, built when it is clicked, with the click in the access log (who took what)."""

    def built() -> bytes:
        data = build()
        store.record_access("downloaded", what, deal_id)
        return data

    return built


def pdf_download(
    store: Store, label: str, deal_id: int, build: Callable[[], bytes], file_name: str, key: str
) -> None:
    """A PDF built when it is clicked (the click in the access log), or the sentence saying why this
    computer cannot make PDFs."""
    if problem := documents.pdf_problem():
        st.caption(md(problem))
        return
    st.download_button(label, data=recorded(store, label, deal_id, build), file_name=file_name,
                       mime="application/pdf", icon=":material/picture_as_pdf:", key=key, on_click="ignore")  # fmt: skip


def sponsor_brief_button(store: Store, deal_id: int, key: str) -> None:
    """The sponsor's one-page brief of the deal: our limits, mandate and leverage, so never offered while
    the screen is shared."""
    if safe_mode():
        return
    pdf_download(store, "Sponsor brief (PDF)", deal_id, lambda: documents.sponsor_brief_pdf(store, deal_id, now()),
                 f"sponsor-brief-deal-{deal_id}.pdf", key)  # fmt: skip


def record_click(store: Store, what: str, deal_id: int | None) -> Callable[[], None]:
    """The click on a download built with its page, for the access log."""
    return lambda: store.record_access("downloaded", what, deal_id)


def _acting_email() -> str:
    return st.session_state.get("_acting_email", "")


def attempt(action: Callable[[], Any], success: str | Callable[[Any], str]) -> bool:
    """Run a save; on bad input show what is wrong (nothing was written), else flash and rerun.
    `success` is the confirmation, or makes it from what the action returned."""
    try:
        result = action()
    except (InvalidInput, NotFound, NotAllowed) as exc:
        oplog.failure("input_refused", str(exc), person=_acting_email())
        show_problems(exc)
        return False
    except DatabaseProblem as exc:  # the server stopped mid-save: nothing was written, say so and why
        oplog.failure("database_unreachable" if isinstance(exc, DatabaseUnreachable) else "database_unusable",
                      f"Nothing was saved: {exc}", cause=getattr(exc, "reason", ""))  # fmt: skip
        st.error(f"Nothing was saved: {md(exc.shown())}", icon=":material/cloud_off:")
        return False
    except Conflict as exc:  # someone else saved first: show theirs, keep the message for the rerun
        st.session_state["_conflict"] = str(exc)
        st.rerun()
    flash(success(result) if callable(success) else success)
    st.rerun()
    return True


def deal_header(deal, counterparty, what: str) -> None:
    """The deal's name and where it stands, kept smaller than the screen's one big number."""
    st.subheader(f"{what} · {md(deal.name)}", anchor=False)
    st.caption(
        f"{md(counterparty.name)} · {word(deal.context)} · {word(deal.stage)} · owner {md(deal.owner)}"
    )


def big_number(label: str, value: str, caption: str = "", color: str | None = None) -> None:
    """The one figure that matters on a screen, readable from across the table. All three texts may
    carry user text (a BATNA's description, a deadline's reason), so they are shown as text."""
    st.caption(md(label))
    shown = f":{color}[{md(value)}]" if color else md(value)
    st.markdown(f"# {shown}")
    if caption:
        st.caption(md(caption))


# Work every session of this server repeats (the pipeline aggregate): computed once per database, revision
# and reach of access, and shared. Bounded: the newest few are kept.
SHARED_ENTRIES = 32
_shared: OrderedDict[tuple, Any] = OrderedDict()
_shared_lock = threading.Lock()


def shared_per_revision(store: Store, name: str, compute: Callable[[], Any]) -> Any:
    """`compute()` once per store revision for every session on this server that may read the same deals:
    all who read every deal (leaders, admins, local mode) share one result; anyone else has their own,
    since what they may read is their deals. A membership change is a write, so it is a new revision.
    A frame comes back as a copy: one session's changes never reach another's."""
    person = store.person
    reach = "every deal" if reads_every_deal(person) else f"the deals of {person.email}"
    key = (*store.revision_key, reach, name)  # the revision before the read: never older data
    with _shared_lock:
        value = _shared.get(key)
        if value is not None:
            _shared.move_to_end(key)
    if value is None:
        value = compute()
        with _shared_lock:
            _shared[key] = value
            while len(_shared) > SHARED_ENTRIES:
                _shared.popitem(last=False)
    return value.copy() if isinstance(value, pd.DataFrame) else value


def per_revision(store: Store, name: str, compute: Callable[[], Any]) -> Any:
    """`compute()` once per store revision for this session: screens that refresh every few seconds
    redo nothing until something is written."""
    key = f"_rev_{name}"
    version = (store.revision, store.person.email)  # a new revision, or another person signed in
    cached = st.session_state.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    value = compute()
    st.session_state[key] = (version, value)
    return value

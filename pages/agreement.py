"""Single text (step 4): the one document both sides converge on. A clause per issue holding its position,
plus metrics, verification, remedies, escalation and validity; every save a version with a change log;
edits time-boxed, and a change after the window a late scope change. Shared by nature: it never holds a
private value, so it stays open on a shared screen."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from core import ui
from core.documents import single_text_pdf
from core.formatting import amount_example, fmt_amount, plural, typed_amount
from core.library import applies_to
from core.models import (
    CLAUSE_KIND_LABELS,
    POSITION_SOURCE_LABELS,
    Clause,
    ClauseKind,
    ClauseStatus,
    LibraryKind,
    PositionSource,
)
from core.single_text import (
    ClauseRow,
    clauses_from_rows,
    compare,
    edit_is_late,
    late_changes,
    markdown,
    progress,
    starting_clauses,
    unmeasured,
)
from core.store import now

store, deal, counterparty = ui.deal_page("Single text")
deal_id = deal.id
safe = ui.safe_mode()
may_change = store.may_change(deal_id)
issues = store.preparation.list_issues(deal_id)
issue_labels = ui.distinct_labels({i.id: i.name for i in issues})
units = {i.id: i.unit for i in issues}
text = store.single_texts.get_single_text(deal_id)
today = now().date()


def position_shown(clause: Clause) -> str:
    if clause.position is None:
        return ""
    return f"{fmt_amount(clause.position)} {units.get(clause.issue_id) or deal.currency}"


# ---- no text yet: what it would start from, and one action to start it --------------------------------
if text is None:
    ui.big_number("Single text", "Not started", "One document both sides converge on: start it at the close.")
    clauses = starting_clauses(deal, issues, store.concessions.list_concessions(deal_id), store.meso.list_meso_bundles(deal_id),
                               store.meso.list_meso_picks(deal_id))  # fmt: skip
    from_target = [c for c in clauses if c.source is PositionSource.our_target]
    st.markdown("#### It would start with")
    st.dataframe(
        [{"No.": c.number, "Clause": c.title, "Kind": CLAUSE_KIND_LABELS[c.kind],
          "Position": "" if safe and c.source is PositionSource.our_target else position_shown(c),
          "From": POSITION_SOURCE_LABELS[c.source] if c.kind is ClauseKind.issue else c.wording}
         for c in clauses],
        hide_index=True, width="stretch",
    )  # fmt: skip
    if from_target:
        one = len(from_target) == 1
        st.warning(
            f"{plural(len(from_target), 'issue')} ({', '.join(ui.md(c.title) for c in from_target)}) "
            f"{'has' if one else 'have'} no position on the table yet: {'its clause starts' if one else 'their clauses start'} "
            "from our target, and the text is shared with the other side. Change the figure before you share it if "
            "you mean to open elsewhere.",
            icon=":material/visibility:",
        )
    if not may_change:
        st.stop()
    if safe and from_target:  # starting it now would put our targets on the shared screen
        ui.hidden("Our targets, which starting the text would put on screen")
        st.caption("Turn off screen-share safe to start the text: it would show our target on those issues.")
        st.stop()
    with st.form(f"start_text_{deal_id}", border=True):
        window = st.checkbox("Time-box the edits", value=True, key=f"start_window_on_{deal_id}")
        close_on = st.date_input("Edits close on", value=today + timedelta(days=7), key=f"start_window_{deal_id}",
                                 min_value=today, format="DD.MM.YYYY" if deal.decimal_comma else "YYYY/MM/DD")  # fmt: skip
        started = st.form_submit_button(
            "Start the single text", type="primary", icon=":material/description:"
        )
    if started:
        ui.attempt(lambda: store.single_texts.start_single_text(deal_id, clauses, close_on if window else None),
                   f"Started the single text with {plural(len(clauses), 'clause')}.")  # fmt: skip
    st.stop()

# ---- the figure that matters: how far from signature ----------------------------------------------------
latest = text.latest
state = progress(latest.clauses, issues)
late = late_changes(text.versions)
closed = edit_is_late(text.edit_until, today)
ui.big_number(
    "Where the text stands",
    state.headline if state.ready_to_sign else f"Agreed {state.agreed} of {state.clauses} clauses",
    f"version {latest.number} · saved {latest.saved_at:%d %b %Y %H:%M} UTC by {latest.saved_by or 'local user'}",
    color="green" if state.ready_to_sign else "orange",
)
m = st.columns(3)
m[0].metric("Versions", len(text.versions))
m[1].metric("Late scope changes", len(late), help="Saves after the edit window closed.")
m[2].metric("Edits close", "no window" if text.edit_until is None else f"{text.edit_until:%d %b %Y}")
if state.issues_without_clause:
    st.warning(
        "No clause yet for "
        + ", ".join(ui.md(n) for n in state.issues_without_clause)
        + ": the text is not ready to sign until every issue has one.",
        icon=":material/playlist_add:",
    )
if vague := unmeasured(latest.clauses):
    st.caption(
        ":material/straighten: Without a success metric or a verification: "
        + ", ".join(f"{c.number}. {ui.md(c.title)}" for c in vague)
    )
if closed:
    st.warning(
        f"The edit window closed on {text.edit_until:%d %B %Y}: a change now is a late scope change. It needs a "
        "reason, and Moves shows the signal “Scope creep late”.",
        icon=":material/timer_off:",
    )
if late and not safe:  # why we let a late change in is ours; that one came late is on the text itself
    for v in late:
        st.error(f"**Late scope change** · version {v.number}, {v.saved_at:%d %b %Y} — {ui.md(v.reason)}",
                 icon=":material/warning:")  # fmt: skip

# ---- the clauses: edit, agree, save a version ----------------------------------------------------------
st.markdown("#### Clauses")
kind_labels = {k: CLAUSE_KIND_LABELS[k] for k in ClauseKind}
label_kinds = {v: k for k, v in kind_labels.items()}
frame = pd.DataFrame(
    [{"No.": c.number, "Kind": kind_labels[c.kind], "Title": c.title,
      "Issue": issue_labels.get(c.issue_id, "") if c.issue_id is not None else "",
      "Position": typed_amount(c.position), "Wording": c.wording, "Success metric": c.metric,
      "Verification": c.verification, "Agreed": c.status is ClauseStatus.agreed, "Remove": False}
     for c in latest.clauses],
    columns=["No.", "Kind", "Title", "Issue", "Position", "Wording", "Success metric", "Verification", "Agreed",
             "Remove"],
)  # fmt: skip
editor_key = f"text_editor_{deal_id}_{latest.number}"  # a new version starts a new editor
edited = st.data_editor(
    frame,
    key=editor_key,
    hide_index=True,
    width="stretch",
    num_rows="fixed",
    # What is agreed next to what it says; the longer texts to the right.
    column_order=[
        "No.",
        "Title",
        "Position",
        "Agreed",
        "Wording",
        "Success metric",
        "Verification",
        "Kind",
        "Issue",
        "Remove",
    ],
    disabled=["No."] if may_change else True,
    column_config={
        "No.": st.column_config.NumberColumn(width="small"),
        "Kind": st.column_config.SelectboxColumn(options=list(label_kinds), required=True),
        "Title": st.column_config.TextColumn(required=True, max_chars=200),
        "Issue": st.column_config.SelectboxColumn(options=["", *issue_labels.values()]),
        "Position": st.column_config.TextColumn(
            help=f"Typed {amount_example()}; read in this deal's convention. Issue clauses only."
        ),
        "Wording": st.column_config.TextColumn(max_chars=5000, width="large"),
        "Success metric": st.column_config.TextColumn(max_chars=5000),
        "Verification": st.column_config.TextColumn(max_chars=5000),
        "Agreed": st.column_config.CheckboxColumn(help="Both sides agreed this clause as worded."),
        "Remove": st.column_config.CheckboxColumn(help="Leaves the clause out of the next version."),
    },
)
sources = [c for c in latest.clauses if c.kind is ClauseKind.issue]
if sources:
    st.caption(
        "Positions from: "
        + " · ".join(f"{c.number}. {ui.md(c.title)} — {POSITION_SOURCE_LABELS[c.source]}" for c in sources)
    )
label_issues = {v: k for k, v in issue_labels.items()}


def rows_typed(table: pd.DataFrame) -> list[ClauseRow]:
    text = ui.cell_text
    return [
        ClauseRow(number=int(r["No."]), kind=label_kinds.get(text(r["Kind"]), ClauseKind.other),
                  title=text(r["Title"]), issue=label_issues.get(text(r["Issue"])), position=text(r["Position"]),
                  wording=text(r["Wording"]), metric=text(r["Success metric"]), verification=text(r["Verification"]),
                  agreed=bool(r["Agreed"]), remove=bool(r["Remove"]))
        for r in table.to_dict("records")
    ]  # fmt: skip


def save_version(rows: list[ClauseRow], reason: str) -> str:
    clauses = clauses_from_rows(rows, latest.clauses, deal.decimal_comma)
    version = store.single_texts.save_single_text(deal_id, clauses, based_on=latest.number, reason=reason)
    said = f"Saved version {version.number} of the single text."
    return said + (" Recorded as a late scope change." if version.late else "")


if may_change:
    reason_col, save_col = st.columns([4, 1], vertical_alignment="bottom")
    reason = reason_col.text_input(
        "Reason for a late change" if closed else "Reason (needed once the edit window has closed)",
        key=f"text_reason_{deal_id}_{latest.number}", max_chars=2000, disabled=not closed,
        placeholder="Their legal team asked for the audit clause after the close" if closed else "",
    )  # fmt: skip
    if save_col.button("Save a version", type="primary", key=f"save_text_{deal_id}", icon=":material/save:",
                       width="stretch"):  # fmt: skip
        ui.attempt(lambda: save_version(rows_typed(edited), reason), lambda said: said)

    # ---- a clause from a template or the library ------------------------------------------------------
    with st.expander("Add a clause", icon=":material/add:"):
        templates = {
            ClauseKind.metric: ("Success metric", "", "Go-live by 31 March; 99.5 % availability, measured monthly"),
            ClauseKind.verification: ("Verification", "", "Quarterly report to both sponsors; annual audit"),
            ClauseKind.remedy: ("Contingent remedy", "If [risk] occurs, [contingent remedy] applies. This protects "
                                "both sides.", ""),
            ClauseKind.escalation: ("Escalation path", "To escalate constructively, [owner-to-owner], then "
                                    "[sponsor-to-sponsor] within [days], then mediation, before any contractual "
                                    "remedy.", ""),
            ClauseKind.validity: ("Validity", "This offer is valid until [date] because [capacity or budget cadence].", ""),
            ClauseKind.other: ("", "", ""),
        }  # fmt: skip
        kind = st.selectbox(
            "Kind", list(templates), format_func=kind_labels.__getitem__, key=f"add_kind_{deal_id}"
        )
        governance = [i for i in store.reviews.list_library()
                      if i.kind is LibraryKind.governance_clause and applies_to(i, deal.context)]  # fmt: skip
        picked = None
        if kind is ClauseKind.verification and governance:
            options = {i.id: i for i in governance}
            picked_id = st.selectbox(
                "From the library's governance clauses",
                [None, *options],
                key=f"add_library_{deal_id}",
                format_func=lambda i: "—" if i is None else options[i].title,
            )
            picked = options.get(picked_id)
        title_default, wording_default, metric_hint = templates[kind]
        generation = st.session_state.get(f"add_generation_{deal_id}", 0)
        slot = f"{deal_id}_{kind.value}_{picked.id if picked else 0}_{generation}"
        with st.form(f"add_clause_{slot}", border=False):
            title = st.text_input("Title", value=picked.title if picked else title_default, key=f"add_title_{slot}",
                                  max_chars=200)  # fmt: skip
            wording = st.text_area("Wording", value=wording_default, key=f"add_wording_{slot}", max_chars=5000,
                                   height=80)  # fmt: skip
            left, right = st.columns(2)
            metric = left.text_input("Success metric", key=f"add_metric_{slot}", placeholder=metric_hint,
                                     max_chars=5000)  # fmt: skip
            verification = right.text_input(
                "Verification", value=f"{picked.title} ({picked.source})" if picked else "",
                key=f"add_verification_{slot}", max_chars=5000,
            )  # fmt: skip
            added = st.form_submit_button("Add it as a new version", icon=":material/add:")
        if added:
            row = ClauseRow(number=None, kind=kind, title=title, issue=None, position="", wording=wording,
                            metric=metric, verification=verification)  # fmt: skip

            def add() -> str:
                said = save_version([*rows_typed(edited), row], reason)  # with any edit pending above
                st.session_state[f"add_generation_{deal_id}"] = generation + 1
                return said

            ui.attempt(add, lambda said: said)
    if state.issues_without_clause:
        missing = [i for i in issues if i.name in state.issues_without_clause]
        if st.button(f"Add clauses for {plural(len(missing), 'issue')} without one", key=f"add_issues_{deal_id}",
                     icon=":material/playlist_add:"):  # fmt: skip
            rows = [
                *rows_typed(edited),
                *[
                    ClauseRow(number=None, kind=ClauseKind.issue, title=i.name, issue=i.id, position="")
                    for i in missing
                ],
            ]
            ui.attempt(lambda: save_version(rows, reason), lambda said: said)

# ---- versions and the change log ----------------------------------------------------------------------
st.markdown("#### Versions and change log")
numbers = [v.number for v in text.versions]
if len(numbers) > 1:
    a, b = st.columns(2)
    older = a.selectbox("From version", numbers, index=len(numbers) - 2, key=f"compare_from_{deal_id}")
    newer = b.selectbox("To version", numbers, index=len(numbers) - 1, key=f"compare_to_{deal_id}")
    by_number = {v.number: v for v in text.versions}
    changes = compare(by_number[older].clauses, by_number[newer].clauses, {i.id: i.name for i in issues})
    if not changes:
        st.caption("The two versions hold the same clauses.")
    else:
        st.dataframe(
            [{"Clause": f"{ch.number}. {ch.title}", "Change": ch.change, "Field": f, "From": was, "To": now_}
             for ch in changes for f, was, now_ in (ch.fields or (("", "", ""),))],
            hide_index=True, width="stretch", key=f"changes_{deal_id}_{older}_{newer}",
        )  # fmt: skip
st.dataframe(
    [{"Version": v.number, "Saved": v.saved_at, "By": v.saved_by, "Late scope change": "yes" if v.late else "",
      **({} if safe else {"Reason": v.reason})} for v in reversed(text.versions)],
    hide_index=True, width="stretch",
    column_config={"Saved": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm")},
)  # fmt: skip

# ---- the edit window -----------------------------------------------------------------------------------
if may_change:
    with st.expander("Edit window", icon=":material/timer:"):
        with st.form(f"edit_window_{deal_id}", border=False):
            keep = st.checkbox(
                "Time-box the edits", value=text.edit_until is not None, key=f"window_on_{deal_id}"
            )
            until = st.date_input("Edits close on", value=text.edit_until or today + timedelta(days=7),
                                  key=f"window_{deal_id}", format="DD.MM.YYYY" if deal.decimal_comma else "YYYY/MM/DD")  # fmt: skip
            why = st.text_input("Reason (needed to open a closed window again)", key=f"window_reason_{deal_id}",
                                max_chars=2000)  # fmt: skip
            set_it = st.form_submit_button("Set the edit window")
        if set_it:
            chosen: date | None = until if keep else None
            ui.attempt(lambda: store.single_texts.set_edit_window(deal_id, chosen, why),
                       "Edits are no longer time-boxed." if chosen is None else f"Edits close on {chosen:%d %B %Y}.")  # fmt: skip

# ---- the document both sides read ----------------------------------------------------------------------
as_md, as_pdf, _ = st.columns([1, 1, 3])
with as_md:
    st.download_button(
        "Single text (Markdown)",
        data=ui.recorded(store, "Single text (Markdown)", deal_id,
                         lambda: markdown(deal, counterparty.name, store.single_texts.get_single_text(deal_id), issues).encode("utf-8")),
        file_name=f"single-text-deal-{deal_id}.md", mime="text/markdown", icon=":material/download:",
        key=f"download_text_{deal_id}", on_click="ignore",
    )  # fmt: skip
with as_pdf:  # with the commitments and the escalation path: the document both sides sign and carry out
    ui.pdf_download(store, "Single text (PDF)", deal_id, lambda: single_text_pdf(store, deal_id, now().date()),
                    f"single-text-deal-{deal_id}.pdf", key=f"download_text_pdf_{deal_id}")  # fmt: skip

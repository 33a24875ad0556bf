"""History: every change to the deal, with the old and new value, when and by whom. Nothing is ever
deleted by the app, so this is the whole story of what was committed and when."""

import pandas as pd
import streamlit as st

from core import ui
from core.audit import KINDS, listed_when_shared, shareable_subject, values_shareable
from core.csvio import frame_to_csv
from core.formatting import count
from core.privacy import MASK

store, deal, counterparty = ui.deal_page("History")
deal_id = deal.id
safe = ui.safe_mode()
events = store.deals.list_events(deal_id)
if safe:  # only public changes are listed, and searched: nothing hints at what is hidden
    events = events[
        [listed_when_shared(k, bool(p)) for k, p in zip(events["kind"], events["private"], strict=True)]
    ]
if events.empty:
    st.info("Nothing recorded for this deal yet: every change from now on shows here.")
    st.stop()

f1, f2, f3 = st.columns([4, 3, 3], vertical_alignment="bottom")
kinds = f1.multiselect(
    "Kind of change",
    list(KINDS),
    format_func=KINDS.get,
    key=f"history_kinds_{deal_id}",
    placeholder="Every kind",
)
people = f2.multiselect(
    "Changed by",
    sorted(events["changed_by"].unique()),
    key=f"history_people_{deal_id}",
    placeholder="Everyone",
)
text = f3.text_input("Find", key=f"history_find_{deal_id}", placeholder="issue, item, bundle …")
shown = events
if kinds:
    shown = shown[shown["kind"].isin(kinds)]
if people:
    shown = shown[shown["changed_by"].isin(people)]
if text:
    shown = shown[shown["subject"].str.contains(text, case=False, regex=False)]

big, m1, m2 = st.columns([2, 1, 1])
with big:
    ui.big_number(
        "Changes recorded",
        count(len(shown)),
        "" if len(shown) == len(events) else f"of {count(len(events))} in all",
    )
m1.metric("Last change", f"{events['changed_at'].max():%d %b %H:%M}")
m2.metric("People", events["changed_by"].nunique())

HEADINGS = {"changed_at": "When", "kind": "Kind", "subject": "What", "old_value": "Old", "new_value": "New",
            "note": "Note", "changed_by": "By"}  # fmt: skip
table = shown.assign(
    kind=shown["kind"].map(KINDS).fillna(shown["kind"]),
    old_value=shown["old_value"].fillna(""),
    new_value=shown["new_value"].fillna(""),
)
if safe:  # a change shows that it happened; its values only where they are public (core.audit decides)
    private = table["private"].astype(bool)
    open_values = [values_shareable(k, subj, p) for k, subj, p in zip(shown["kind"], shown["subject"], private,
                                                                       strict=True)]  # fmt: skip
    masked = ~pd.Series(open_values, index=table.index)
    table.loc[masked, ["old_value", "new_value", "note"]] = MASK
    table["subject"] = [
        shareable_subject(k, subj, p)
        for k, subj, p in zip(shown["kind"], table["subject"], private, strict=True)
    ]
table = table[list(HEADINGS)].rename(columns=HEADINGS)
st.dataframe(
    table, hide_index=True, width="stretch", height=min(640, 38 + 35 * len(table)), key=f"history_table_{deal_id}",
    column_config={"When": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm"),
                   "What": st.column_config.TextColumn(width="large"), "Old": st.column_config.TextColumn(width="medium"),
                   "New": st.column_config.TextColumn(width="medium")},
)  # fmt: skip
if safe:
    st.caption(
        ":material/visibility_off: While screen-sharing, only changes to what both sides see are listed."
    )
st.download_button(
    # Built with the page, not deferred: a built file keeps its id across reruns, so a click never misses it.
    "Download this history (CSV)", data=b"" if safe else frame_to_csv(table.assign(Private=shown["private"].to_numpy())),
    file_name=f"history-deal-{deal_id}.csv", mime="text/csv", icon=":material/download:", key=f"history_csv_{deal_id}",
    on_click=ui.record_click(store, "This deal's history (CSV)", deal_id), disabled=safe,
    help="Off while screen-sharing: the file carries private values." if safe else None,
)  # fmt: skip

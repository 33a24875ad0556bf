"""Library: the organisation's accepted benchmarks, governance clauses, capacity artefacts and tradeables,
where each was used, how often a review found it persuasive, and which are too old to lean on."""

from datetime import date

import streamlit as st

from core import ui
from core.csvio import check_size, frame_to_csv, library_frame, parse_library
from core.formatting import count, plural
from core.library import KIND_WORDS, applies_to, is_stale
from core.models import Context, LibraryItem, LibraryKind, validate, word

store, deal_id = ui.page_start("Library")
st.subheader("Library · what the next deal starts from", anchor=False)
if ui.safe_mode():
    # Our tradeables are what we are ready to give; our benchmarks and clauses are our case. Not for them.
    ui.hidden("The library")
    st.stop()
items = store.reviews.list_library()
usage = store.reviews.library_usage().set_index("item_id")
today = date.today()
stale = [i for i in items if is_stale(i, today)]
deal = store.deals.get_deal(deal_id) if deal_id is not None else None

big, *counts = st.columns([2, 1, 1, 1, 1])
top = usage.sort_values(["persuasive", "uses"], ascending=False).head(1)
titles = {i.id: i.title for i in items}
most = (
    f" · most often persuasive: {titles[int(top.index[0])]} ({plural(int(top['persuasive'].iloc[0]), 'review')})"
    if len(top) and top["persuasive"].iloc[0] > 0 and int(top.index[0]) in titles else ""
)  # fmt: skip
with big:
    ui.big_number(
        "Items in the library", count(len(items)),
        (f"{len(stale)} stale: too old to lean on as a standard" if stale else "none stale") + most,
    )  # fmt: skip
for column, kind in zip(counts, LibraryKind, strict=True):
    column.metric(KIND_WORDS[kind], sum(i.kind is kind for i in items))

f1, f2, f3 = st.columns([3, 3, 4], vertical_alignment="bottom")
kinds = f1.multiselect(
    "Kind", list(LibraryKind), format_func=KIND_WORDS.get, placeholder="Every kind", key="lib_kinds"
)
context = f2.selectbox(
    "Applies to", [None, *Context], format_func=lambda c: "Every context" if c is None else word(c),
    index=1 + list(Context).index(deal.context) if deal else 0, key="lib_context",
)  # fmt: skip
text = f3.text_input("Find", placeholder="title, source, owner …", key="lib_find")
shown = [
    i for i in items
    if (not kinds or i.kind in kinds) and (context is None or applies_to(i, context))
    and (not text or text.casefold() in f"{i.title} {i.source} {i.owner}".casefold())
]  # fmt: skip


def used(item_id: int, column: str):
    return usage.loc[item_id, column] if item_id in usage.index else (0 if column != "deals" else [])


st.dataframe(
    [{"Kind": KIND_WORDS[i.kind], "Title": i.title, "Stale": "stale" if is_stale(i, today) else "",
      "Persuasive": int(used(i.id, "persuasive")), "Deals used in": int(used(i.id, "uses")), "Source": i.source,
      "Date": i.date, "Contexts": ", ".join(word(c) for c in i.contexts) or "every", "Owner": i.owner,
      "Used in": ", ".join(used(i.id, "deals"))} for i in shown],
    hide_index=True, width="stretch", key="library_table", height=min(600, 38 + 35 * max(1, len(shown))),
    column_config={"Date": st.column_config.DateColumn(format="D MMM YYYY"),
                   "Persuasive": st.column_config.NumberColumn(help="Times a deal's review picked it as persuasive."),
                   "Title": st.column_config.TextColumn(width="large")},
)  # fmt: skip
st.caption(
    f"{len(shown)} of {len(items)} items. Stale: a benchmark over a year old, a capacity artefact over six "
    "months, a governance clause over three years. Persuasive counts come from the deals' reviews."
)

use_tab, save_tab, add_tab, files_tab = st.tabs(
    ["Use on this deal", "Save this deal's evidence", "Add or remove an item", "CSV export and import"],
    key="library_tabs",
)  # fmt: skip
with use_tab:
    if deal is None:
        st.caption("Pick a deal in the sidebar to add library items to its evidence pack.")
    else:
        fitting = [i for i in items if applies_to(i, deal.context) and i.kind is not LibraryKind.tradeable]
        ui.pick_and_do(
            f"use_item_{deal.id}", f"Add to the evidence pack of {ui.md(deal.name)}",
            {i.id: f"{i.title} ({i.source}, {i.date:%b %Y})" for i in fitting}, "Add to the deal", ":material/add:",
            "Library item: pick the item to add.", lambda pick: store.reviews.use_library_item(deal.id, pick),
            "Added to the deal's evidence pack.", placeholder="Pick a benchmark, clause or capacity artefact",
        )  # fmt: skip
with save_tab:
    if deal is None:
        st.caption("Pick a deal in the sidebar to save its evidence to the library.")
    else:
        ui.pick_and_do(
            f"save_evidence_{deal.id}", "Evidence of this deal (internal evidence stays in its deal)",
            {e.id: f"{e.title} ({e.source})" for e in store.preparation.list_evidence(deal.id) if not e.internal},
            "Save to the library", ":material/bookmark_add:", "Evidence: pick the evidence to save.",
            lambda pick: store.reviews.save_evidence_to_library(deal.id, pick), "Saved to the library.",
            placeholder="Pick the evidence to keep for the next deal",
        )  # fmt: skip
with add_tab:
    with st.form("add_library_item", clear_on_submit=True):
        a = st.columns([2, 4, 3, 2])
        kind = a[0].selectbox("Kind", list(LibraryKind), format_func=KIND_WORDS.get)
        title = a[1].text_input("Title")
        source = a[2].text_input("Source", placeholder="where it comes from")
        when = a[3].date_input("Date", value=today, format="YYYY-MM-DD")
        b = st.columns([4, 3, 5])
        contexts = b[0].multiselect("Contexts", list(Context), format_func=word, placeholder="every context")
        owner = b[1].text_input("Owner", value=store.person.email if not store.person.local else "")
        note = b[2].text_input("Note")
        if st.form_submit_button("Add to the library", icon=":material/library_add:"):
            ui.attempt(
                lambda: store.reviews.add_library_items([validate(LibraryItem, {
                    "kind": kind, "title": title, "source": source, "date": when, "contexts": contexts,
                    "owner": owner, "note": note})]),
                f"Added '{title.strip()}' to the library.",
            )  # fmt: skip
    ui.pick_and_do(
        "remove_library_item", "Remove an item (deals that used it keep their evidence)",
        {i.id: f"{KIND_WORDS[i.kind]} · {i.title}" for i in items}, "Remove", ":material/delete:",
        "Library item: pick the item to remove.", store.reviews.remove_library_item, "Removed from the library.",
        placeholder="Pick an item",
    )  # fmt: skip
with files_tab:
    st.download_button(
        "The library (CSV)", data=frame_to_csv(library_frame(items)), file_name="library.csv", mime="text/csv",
        icon=":material/download:", key="library_download", on_click=ui.record_click(store, "The library (CSV)", None),
    )  # fmt: skip
    st.caption("Columns: Kind, Title, Source, Date (YYYY-MM-DD), Contexts (separated by ';'), Owner, Note. "
               "The same formula-safe writer and validating reader as the concession log.")  # fmt: skip
    upload = st.file_uploader("Add the items of a CSV to the library", type=["csv"], key="library_upload")
    if upload is not None and st.button("Import", key="library_import", icon=":material/upload:"):

        def import_file() -> int:
            check_size(upload.size)
            return len(store.reviews.add_library_items(parse_library(upload.getvalue())))

        ui.attempt(import_file, lambda n: f"Imported {n} library items from {upload.name}.")

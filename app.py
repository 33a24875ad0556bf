"""Deal Cockpit's entry, served at `/`: the Pipeline, the leader's start page. Every deal's leverage,
deadline, give/get balance and risks, risk first.

The other screens are files in pages/, which Streamlit discovers and serves at /prepare, /concessions,
... Every screen starts with `ui.page_start()`: page set-up and the cockpit's own sidebar navigation
(Streamlit's generated list is off in .streamlit/config.toml), so a deep link opens the right screen
with the same sidebar whichever screen a new server's first visitor opens.
"""

from datetime import date

import streamlit as st

from core import ui
from core.charts import pipeline_heatmap
from core.csvio import frame_to_csv
from core.formatting import count
from core.leverage import SOURCES
from core.models import Context, Stage, word
from core.pipeline import (
    RISK_DEADLINE_DAYS,
    compact_money,
    export_frame,
    filter_pipeline,
    metrics,
    pipeline_frame,
    source_edges,
)

TABLE_ROWS = 500  # what the browser gets at most; filter, sort or download for the rest
HEATMAP_DEALS = 25
OPEN_IN = ["Leverage", "Concessions", "Prepare"]
SORTS = {"Risk": "risk", "Deal": "name", "Days to deadline": "days_to_deadline", "Value": "value", "Leverage index": "leverage_index",
         "Give/get balance": "balance", "Floor breaches": "floor_breaches"}  # fmt: skip

store, deal_on_screen = ui.page_start()
safe = ui.safe_mode()
st.subheader("Pipeline" if safe else "Pipeline · every deal, risk first", anchor=False)
if safe:
    # A shared screen shows the deal on it only: not the other deals' names, owners or dates.
    ui.hidden("The pipeline (every other deal)")
    if deal_on_screen is not None:
        ui.screen_link("Concessions", deal_on_screen, "Open the deal on screen", ":material/swap_horiz:")
    st.stop()
today = date.today()
frame = ui.shared_per_revision(store, f"pipeline_{today}", lambda: pipeline_frame(store, today))
if frame.empty:
    st.info("No deals yet: create one on Prepare.")
    st.stop()

# ---- filters first: every figure below follows them ----------------------------------------------
f1, f2, f3, f4, f5 = st.columns([3, 3, 3, 2, 2], vertical_alignment="bottom")
owners = f1.multiselect(
    "Owner", sorted(frame["owner"].unique()), key="pipeline_owner", placeholder="All owners"
)
contexts = f2.multiselect(
    "Context",
    [c.value for c in Context],
    key="pipeline_context",
    placeholder="All contexts",
    format_func=word,
)
stages = f3.multiselect(
    "Stage", [s.value for s in Stage], key="pipeline_stage", placeholder="All stages", format_func=word
)
at_risk_only = f4.toggle("At risk only", key="pipeline_at_risk")
closed_too = f5.toggle("Closed too", key="pipeline_closed",
                       help="Closed deals too: those whose review says signed, walked away or lost, which leave the "
                       "live figures.")  # fmt: skip
shown = filter_pipeline(frame, owners, contexts, stages, at_risk_only, closed_too)
m = metrics(shown)

big, m1, m2, m3, m4, m5 = st.columns([2, 2, 1.4, 1.4, 1.4, 1.4])
with big:
    ui.big_number("Deals at risk", f"{m.at_risk} of {m.deals}", color="red" if m.at_risk else "green")
values = [f"{compact_money(v)} {c}" for c, v in m.value_by_currency.items()]
m1.metric("Pipeline value", values[0] if values else "0")
if len(values) > 1:
    m1.caption("plus " + " · ".join(values[1:]))
m2.metric("Their leverage higher", m.their_leverage_higher, help="Deals whose leverage index is below 0.")
m3.metric(
    "Breach or overrun",
    m.breaches_or_overruns,
    help="Deals with a floor breach or gives over the mandate.",
)
m4.metric(f"Deadlines ≤ {RISK_DEADLINE_DAYS} days", m.deadlines_soon)
m5.metric("Late scope changes", m.late_scope,
          help="Deals whose single text took a change after its edit window closed (Single text).")  # fmt: skip

s1, s2, s3 = st.columns([3, 2, 3], vertical_alignment="bottom")
sort_by = s1.selectbox("Sort by", list(SORTS), key="pipeline_sort")
descending = s2.toggle(
    "Highest first", value=sort_by in ("Risk", "Value", "Floor breaches"), key=f"pipeline_desc_{sort_by}"
)
target = s3.selectbox("Open a selected deal in", OPEN_IN, key="pipeline_open_in")
# Ties are broken by name, not by the risk order the frame arrives in: on a shared screen even the order of
# the rows must not say which deals we think are at risk.
ordered = shown.sort_values(
    [SORTS[sort_by], "name", "id"], ascending=[not descending, True, True], na_position="last"
)
page = ordered.head(TABLE_ROWS)

# Why a deal is at risk comes right after its name: the reason is what a leader acts on.
COLUMNS = ["name", "risk_reasons", "counterparty", "owner", "context", "stage", "value", "leverage_index",
           "days_to_deadline", "balance", "one_way", "floor_breaches", "over_open", "over_approved", "warnings", "status",
           "at_risk"]  # fmt: skip
# Codes as words a negotiator reads ('2 First move', 'Partnership'), the table only: filters use the codes.
page = page.assign(context=page["context"].map(word), stage=page["stage"].map(word))
page = ui.amounts_written(
    page,
    {"value": False, "leverage_index": True, "balance": True, "over_open": False, "over_approved": False},
)
selection = st.dataframe(
    page[["id", *COLUMNS]],
    key="pipeline_table", hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
    column_order=COLUMNS,
    column_config={
        "name": st.column_config.TextColumn("Deal", width="medium"), "counterparty": "Counterparty",
        "owner": "Owner", "context": "Context", "stage": "Stage",
        "value": ui.amount_column("Value"),
        "leverage_index": ui.amount_column("Leverage", sign=True, help="−100…+100; below 0 they lead."),
        "days_to_deadline": st.column_config.NumberColumn("Days left", format="%d"),
        "balance": ui.amount_column("Give/get", sign=True),
        "one_way": st.column_config.NumberColumn("One-way"), "floor_breaches": st.column_config.NumberColumn("Breaches"),
        "over_open": ui.amount_column("Over mandate, open",
                                      help="Gives past the mandate still waiting for approval (or rejected)."),
        "over_approved": ui.amount_column("Over mandate, approved"),
        "warnings": st.column_config.TextColumn("Warnings", width="large"),
        "at_risk": st.column_config.CheckboxColumn("At risk"), "status": "Status",
        "risk_reasons": st.column_config.TextColumn("Why at risk", width="medium"),
    },
)  # fmt: skip
rows = selection.selection.rows if selection else []
if rows:
    ui.go_to(target, int(page.iloc[rows[0]]["id"]))
note, download = st.columns([3, 1], vertical_alignment="center")
note.caption(
    f"{count(len(shown))} of {count(len(frame))} deals match"
    + (
        f"; showing the first {TABLE_ROWS} — filter, sort or download for the rest."
        if len(shown) > TABLE_ROWS
        else "."
    )
    + " Select a row to open the deal."
)
download.download_button(
    "Download these deals (CSV)",
    data=ui.recorded(store, f"The pipeline ({len(ordered)} deals, CSV)", None, lambda: frame_to_csv(export_frame(ordered))),
    file_name=f"pipeline-{today}.csv", mime="text/csv", icon=":material/download:", key="pipeline_download",
    on_click="ignore", help="In the table's order, with the same formula-safe writer as the concession log.",
)  # fmt: skip

riskiest = shown.head(HEATMAP_DEALS)  # shown is already riskiest first
heat_ids = [int(i) for i in riskiest["id"]]
# The same riskiest deals for everyone who reads them: read once per revision for every session, not per session.
edges = ui.shared_per_revision(store, f"power_edges_{heat_ids}", lambda: source_edges(store, heat_ids))
if not edges.empty:
    names = dict(zip(riskiest["id"], riskiest["name"], strict=True))
    edges = edges.assign(deal=edges["deal_id"].map(names), source=edges["source"].str.capitalize())
    st.markdown(f"**Power by source** · the riskiest {len(riskiest)} of {count(len(shown))} deals")
    st.altair_chart(
        pipeline_heatmap(edges, list(riskiest["name"]), [s.value.capitalize() for s in SOURCES]),
        width="content",
    )
    st.caption("Our score (perceived-only counted at half) minus theirs, from each deal's latest assessment.")

"""Outcomes: for leaders, what the reviews of closed deals say — range captured against one-way giving and
moves after a final offer, which standards persuade, which deadlines were real, relationship health."""

import altair as alt
import pandas as pd
import streamlit as st

from core import ui
from core.models import word
from core.review import filter_outcomes, outcomes_frame

store, deal_id = ui.page_start("Outcomes")
st.subheader("Outcomes · what the reviewed deals teach", anchor=False)
if ui.safe_mode():
    ui.hidden("Outcomes, range captured and the reviews' answers")
    st.stop()
frame = outcomes_frame(store.reviewed_deals())
if frame.empty:
    st.info("No deal has a review yet: record one on Review once a deal ends.")
    st.stop()

f1, f2 = st.columns(2)
contexts = f1.multiselect(
    "Context", sorted(frame["context"].unique()), format_func=word, placeholder="Every context"
)
owners = f2.multiselect("Owner", sorted(frame["owner"].unique()), placeholder="Every owner")
shown = filter_outcomes(frame, contexts, owners)
if shown.empty:
    st.info("No reviewed deal matches these filters.")
    st.stop()

captured = shown["captured"].dropna()
big, *m = st.columns([2, 1, 1, 1])
with big:
    ui.big_number(
        "Range captured, median of reviewed deals", f"{captured.median():.0%}" if len(captured) else "—",
        f"{len(shown)} reviewed deals · {int((shown['outcome'] == 'signed').sum())} signed",
    )  # fmt: skip
real = shown["deadline_verdict"].dropna()
m[0].metric("Deadlines backed by a real constraint", f"{int((real == 'real').sum())} of {len(real)}")
m[1].metric("Relationship health, mean", f"{shown['relationship_health'].dropna().mean():.1f} of 5"
            if shown["relationship_health"].notna().any() else "—")  # fmt: skip
m[2].metric("Moves after a final offer", int(shown["moved_after_final"].sum()))

chart_data = shown.dropna(subset=["captured"]).assign(
    outcome_word=lambda f: f["outcome"].map(word), one_way=lambda f: f["one_way_share"].fillna(0)
)
st.altair_chart(
    alt.Chart(chart_data, title="Range captured against one-way giving")
    .mark_circle(size=220, opacity=0.85)
    .encode(
        x=alt.X("one_way:Q", title="Share of lines given one-way", axis=alt.Axis(format="%")),
        y=alt.Y("captured:Q", title="Range captured (floor 0 %, target 100 %)", axis=alt.Axis(format="%")),
        color=alt.Color("outcome_word:N", title="Outcome"),
        tooltip=[alt.Tooltip("name:N", title="Deal"), alt.Tooltip("captured:Q", format=".0%", title="Captured"),
                 alt.Tooltip("one_way:Q", format=".0%", title="One-way"),
                 alt.Tooltip("moved_after_final:Q", title="Moves after a final offer")],
    ),
    width="stretch",
)  # fmt: skip

usage = store.library_usage()
library = {i.id: i for i in store.list_library()}
persuasive = usage[usage["persuasive"] > 0].sort_values("persuasive", ascending=False)
left, right = st.columns(2)
with left:
    st.markdown("**Standards most often persuasive**")
    if persuasive.empty:
        st.caption("No review has picked a library standard as persuasive yet.")
    else:
        st.dataframe(
            pd.DataFrame({"Standard": [library[i].title for i in persuasive["item_id"] if i in library],
                          "Persuasive": [int(n) for i, n in zip(persuasive["item_id"], persuasive["persuasive"],
                                                                  strict=True) if i in library]}),
            hide_index=True, width="stretch", key="persuasive_table",
        )  # fmt: skip
with right:
    st.markdown("**Reviewed deals**")
    st.dataframe(
        shown.assign(outcome=shown["outcome"].map(word), context=shown["context"].map(word),
                     deadline_verdict=shown["deadline_verdict"].map(lambda v: word(v) if v else ""))[
            ["name", "context", "owner", "outcome", "captured", "deadline_verdict", "relationship_health", "final"]],
        hide_index=True, width="stretch", key="outcomes_table",
        column_config={"name": "Deal", "context": "Context", "owner": "Owner", "outcome": "Outcome",
                       "captured": st.column_config.NumberColumn("Captured", format="percent"),
                       "deadline_verdict": "Deadline", "relationship_health": "Health", "final": "Final"},
    )  # fmt: skip

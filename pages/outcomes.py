"""Outcomes: for leaders, what the reviews of closed deals say — range captured against one-way giving and
moves after a final offer, which standards persuade, which deadlines were real, relationship health."""

import pandas as pd
import streamlit as st

from core import ui
from core.charts import captured_against_one_way_chart
from core.models import word
from core.review import filter_outcomes, outcome_figures, outcomes_frame

store, deal_id = ui.page_start("Outcomes")
st.subheader("Outcomes · what the reviewed deals teach", anchor=False)
if ui.safe_mode():
    ui.hidden("Outcomes, range captured and the reviews' answers")
    st.stop()
frame = outcomes_frame(store.reviews.reviewed_deals())
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

figures = outcome_figures(shown)
big, *m = st.columns([2, 1, 1, 1])
with big:
    ui.big_number(
        "Range captured, median of reviewed deals",
        "—" if figures.captured_median is None else f"{figures.captured_median:.0%}",
        f"{figures.reviewed} reviewed deals · {figures.signed} signed",
    )
m[0].metric(
    "Deadlines backed by a real constraint", f"{figures.real_deadlines} of {figures.judged_deadlines}"
)
m[1].metric(
    "Relationship health, mean", "—" if figures.health_mean is None else f"{figures.health_mean:.1f} of 5"
)
m[2].metric("Moves after a final offer", figures.moves_after_final)
st.altair_chart(captured_against_one_way_chart(shown), width="stretch")

usage = store.reviews.library_usage()
library = {i.id: i for i in store.reviews.list_library()}
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

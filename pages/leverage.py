"""Leverage: how strong are we, really, against this counterparty, and which of that strength is a bluff?"""

from datetime import date

import pandas as pd
import streamlit as st

from core import ui
from core.charts import index_timeline_chart, radar_chart, source_timeline_chart
from core.leverage import (
    MAX_SCORE,
    SOURCES,
    aggregate,
    index_history,
    legitimacy,
    leverage_index,
    perceived_only,
    radar_frame,
    scores_of,
    warnings,
)
from core.models import POWER_SOURCE_LABELS, PowerAssessment, PowerScore, Side, word
from core.store import now

store, deal, counterparty = ui.deal_page("Leverage")
deal_id = deal.id

if ui.safe_mode():
    # Every figure here is our assessment of power, ours and theirs: nothing of it belongs on a shared screen.
    ui.big_number("Leverage", "hidden while screen-sharing", "The index, the radar, the warnings and the "
                  "timeline are our assessment. Switch screen-share safe off to see them.")  # fmt: skip
    st.stop()

assessments = store.power.list_assessments(deal_id)
evidence = store.preparation.list_evidence(deal_id)
history = index_history(assessments)
latest = assessments[-1] if assessments else None
safe = ui.safe_mode()
shown_evidence = ui.shareable(evidence)  # the radar hover names evidence: not internal ones when shared
evidence_labels = ui.evidence_labels(evidence, "%d %b %Y")

# ---- the number and what it rests on, beside the radar ----------------------------------------------
left, right = st.columns([2, 3], gap="large")
with left:
    if latest:
        point = history[-1]
        since = (
            f"{'▲' if point.change > 0 else '▼' if point.change < 0 else '▶'} {ui.signed(point.change, 1)} since "
            f"{history[-2].assessed_at:%d %b %Y}"
            if point.change is not None
            else "first assessment"
        )
        ui.big_number(
            "Leverage index — us against them (−100…+100)", ui.signed(point.index),
            f"{since} · assessed {point.assessed_at:%d %b %Y}",
            color="green" if point.index > 0 else "red" if point.index < 0 else None,
        )  # fmt: skip
        bluffs = perceived_only(latest)
        st.metric("Our scores that are perceived only", f"{len(bluffs)} of {len(SOURCES)}",
                  help="Scores above 0 for us with no evidence; they count at half in the index.")  # fmt: skip
        if bluffs:
            st.caption("Perceived only: " + ", ".join(POWER_SOURCE_LABELS[s] for s in bluffs))
    else:
        ui.big_number(
            "Leverage index — us against them (−100…+100)", "not scored", "Score the seven sources below."
        )
    legit = legitimacy(evidence, date.today())
    st.metric("Legitimacy: standards backing us", legit.standards)
    st.caption(legit.describe())
    if assessments:
        options = list(range(len(assessments)))[::-1]
        pick = st.selectbox(
            "Radar for the assessment of", options, key=f"radar_pick_{deal_id}",
            format_func=lambda n: f"{assessments[n].assessed_at:%d %b %Y %H:%M} · index {ui.signed(history[n].index)}"
            + (" · latest" if n == len(assessments) - 1 else ""),
        )  # fmt: skip
with right:
    if assessments:
        st.altair_chart(radar_chart(radar_frame(assessments[pick], shown_evidence)), width="content")
        st.caption(
            "Filled points carry evidence; hollow points are perceived only. Hover a point for its evidence."
        )
    else:
        st.info("No assessment yet: score the sources below.")

# In one slot however many there are: a score that adds or clears a warning must not move the tabs below.
with st.container():
    for w in warnings(
        deal,
        counterparty,
        latest,
        store.preparation.list_alternatives(deal_id),
        store.preparation.list_issues(deal_id),
    ):
        reason = (
            "Details quote our private figures: switch screen-share safe off to read them."
            if safe and w.private
            else w.reason
        )
        st.warning(f"**{ui.md(w.title)}.** {ui.md(reason)}", icon=":material/report:")

tab_score, tab_timeline, tab_cp = st.tabs(
    ["Score the sources", "Timeline", f"Counterparty: {ui.md(counterparty.name)}"]
)

with tab_score:
    st.caption("Each save is a new dated assessment; earlier ones stay on the timeline.")
    current = scores_of(latest) if latest else {}
    with st.form(f"score_form_{deal_id}"):
        head = st.columns([2, 2, 3, 2, 3])
        for col, text in zip(
            head, ["Source", "Us (0–5)", "Our evidence", "Them (0–5)", "Their evidence"], strict=True
        ):
            col.markdown(f"**{text}**")
        values = {}
        for src in SOURCES:
            row = st.columns([2, 2, 3, 2, 3], vertical_alignment="center")
            row[0].markdown(POWER_SOURCE_LABELS[src])
            for side, score_col, ev_col in ((Side.us, row[1], row[2]), (Side.them, row[3], row[4])):
                score, ev = current.get((src, side), (0, None))
                values[(src, side)] = (
                    score_col.slider(f"{src.value} {side.value}", 0, MAX_SCORE, int(score), key=f"score_{deal_id}_{src.value}_{side.value}",
                                     label_visibility="collapsed"),
                    ev_col.selectbox(f"{src.value} {side.value} evidence", [None, *evidence_labels],
                                     index=([None, *evidence_labels].index(ev) if ev in evidence_labels else 0),
                                     format_func=lambda i: "perceived only" if i is None else evidence_labels[i],
                                     key=f"evidence_{deal_id}_{src.value}_{side.value}", label_visibility="collapsed"),
                )  # fmt: skip
        saved = st.form_submit_button(
            "Save as a new assessment", type="primary", key=f"save_scores_{deal_id}"
        )
    if saved:
        assessment = PowerAssessment(
            assessed_at=now(),  # by whoever the store acts for
            scores=[PowerScore(source=src, side=side, score=score, evidence_id=ev)
                    for (src, side), (score, ev) in values.items()],
        )  # fmt: skip
        ui.attempt(lambda: store.power.add_assessment(deal_id, assessment),
                   f"Saved a new assessment: index {ui.signed(leverage_index(assessment))}.")  # fmt: skip

with tab_timeline:
    if assessments:
        st.altair_chart(
            index_timeline_chart(
                pd.DataFrame([{"assessed_at": p.assessed_at, "index": p.index} for p in history])
            ),
            width="stretch",
        )
        rows = [
            {"assessed_at": a.assessed_at, "source": POWER_SOURCE_LABELS[src], "side": "Us" if side is Side.us else "Them",
             "score": table[(src, side)][0]}
            for a in assessments for table in [scores_of(a)] for src in SOURCES for side in Side
        ]  # fmt: skip
        st.altair_chart(source_timeline_chart(pd.DataFrame(rows)), width="content")
        st.caption(f"{len(assessments)} assessment{'s' if len(assessments) != 1 else ''}.")
    else:
        st.info("The timeline starts with the first assessment.")

with tab_cp:
    deals = store.queries.counterparty_deals(counterparty.id)
    latest_by_deal = store.power.latest_assessments(counterparty.id)
    scored = [a for a in latest_by_deal.values() if a is not None]
    st.markdown(
        f"**{ui.md(counterparty.name)}** · relationship: {word(counterparty.relationship).lower()} · "
        f"communication: {word(counterparty.communication_style).lower()} · {len(deals)} deal{'s' if len(deals) != 1 else ''}"
    )
    combined = aggregate(scored)
    if combined:
        left, right = st.columns([3, 2])
        left.altair_chart(radar_chart(radar_frame(combined)), width="content")
        left.caption(
            "Mean of each deal's latest assessment; filled where at least half the deals back it with evidence."
        )
        right.dataframe(
            ui.amounts_written(pd.DataFrame(
                [{"Deal": r.name, "Stage": r.stage, "Value": r.value,
                  "Index": None if latest_by_deal[int(r.id)] is None else leverage_index(latest_by_deal[int(r.id)])}
                 for r in deals.itertuples()], columns=["Deal", "Stage", "Value", "Index"]), {"Value": False, "Index": True}),
            hide_index=True, width="stretch",
            column_config={"Index": ui.amount_column("Index", sign=True), "Value": ui.amount_column("Value")},
        )  # fmt: skip
        right.metric("Leverage index across these deals", ui.signed(leverage_index(combined)))

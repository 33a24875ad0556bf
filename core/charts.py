"""Altair chart builders: a DataFrame in, a chart out that tests can inspect with `to_dict()`."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .zopa import BANDS

OURS = "#1f5fa8"
THEIRS = "#d9782d"
ZONE = "#2e9b5f"


def zopa_chart(frame: pd.DataFrame) -> alt.FacetChart:
    """One row per issue: our range, their estimated range and the overlap, each on its own scale."""
    bands = BANDS
    bars = (
        alt.Chart(frame)
        .mark_bar(height=12, cornerRadius=3)
        .encode(
            x=alt.X("start:Q", title=None, scale=alt.Scale(zero=False, nice=True)),
            x2="end:Q",
            y=alt.Y("band:N", title=None, sort=bands, axis=None),
            color=alt.Color(
                "band:N",
                sort=bands,
                scale=alt.Scale(domain=bands, range=[OURS, THEIRS, ZONE]),
                legend=alt.Legend(orient="top", title=None),
            ),
            tooltip=[
                alt.Tooltip("issue:N"),
                alt.Tooltip("band:N"),
                alt.Tooltip("start:Q", format=",.2f"),
                alt.Tooltip("end:Q", format=",.2f"),
            ],
        )
        .properties(width=520, height=48)
    )
    issue_order = list(dict.fromkeys(frame["issue"]))
    return bars.facet(
        row=alt.Row(
            "issue:N", title=None, sort=issue_order, header=alt.Header(labelAngle=0, labelAlign="left")
        ),
        spacing=6,
    ).resolve_scale(x="independent")


GAVE = "#c2410c"
GOT = "#15803d"


def balance_chart(per_round: pd.DataFrame) -> alt.LayerChart:
    """Per round: what we gave (below zero), what we got (above), and the running balance as a line."""
    bars = per_round.melt(id_vars=["round"], value_vars=["gave", "got"], var_name="kind", value_name="value")
    bars["kind"] = bars["kind"].map({"gave": "We gave", "got": "We got"})
    x = alt.X("round:O", title="Round", axis=alt.Axis(labelAngle=0))
    columns = (
        alt.Chart(bars)
        .mark_bar(size=26, opacity=0.85)
        .encode(
            x=x,
            y=alt.Y("value:Q", title="Value to us", axis=alt.Axis(format="~s")),
            color=alt.Color("kind:N", scale=alt.Scale(domain=["We gave", "We got"], range=[GAVE, GOT]),
                            legend=alt.Legend(orient="top", title=None)),
            tooltip=[alt.Tooltip("round:O", title="Round"), alt.Tooltip("kind:N", title=" "),
                     alt.Tooltip("value:Q", format=",.0f")],
        )
    )  # fmt: skip
    balance = (
        alt.Chart(per_round.assign(series="Balance after the round"))
        .mark_line(point=alt.OverlayMarkDef(size=60, filled=True), strokeWidth=3)
        .encode(
            x=x,
            y="balance:Q",
            color=alt.Color(
                "series:N", scale=alt.Scale(range=[OURS]), legend=alt.Legend(orient="top", title=None)
            ),
            tooltip=[
                alt.Tooltip("round:O", title="Round"),
                alt.Tooltip("balance:Q", format=",.0f", title="Balance"),
            ],
        )
    )
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#6b7280").encode(y="y:Q")
    return alt.layer(columns, zero, balance).resolve_scale(color="independent").properties(height=260)

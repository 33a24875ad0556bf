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

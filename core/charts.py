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


def _radar_grid(n_axes: int, labels: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    import math

    rings = []
    for r in range(1, 6):
        for k in range(n_axes + 1):
            a = math.pi / 2 - 2 * math.pi * (k % n_axes) / n_axes
            rings.append({"ring": r, "order": k, "x": r * math.cos(a), "y": r * math.sin(a)})
    axes = []
    for k, label in enumerate(labels):
        a = math.pi / 2 - 2 * math.pi * k / n_axes
        axes.append({"source": label, "x": 5 * math.cos(a), "y": 5 * math.sin(a),
                     "lx": 6.1 * math.cos(a), "ly": 5.9 * math.sin(a)})  # fmt: skip
    return pd.DataFrame(rings), pd.DataFrame(axes)


def radar_chart(frame: pd.DataFrame, title: str = "") -> alt.LayerChart:
    """Our polygon and theirs on the seven axes (0–5). Evidenced scores are filled points; perceived-only
    scores are hollow points, so a bluff is visible at a glance. Hover: score, evidence and its date."""
    labels = list(dict.fromkeys(frame["source"]))
    rings, axes = _radar_grid(len(labels), labels)
    sides = ["Us", "Them"]
    colors = alt.Scale(domain=sides, range=[OURS, THEIRS])
    scale = alt.Scale(domain=[-7.4, 7.4], nice=False)
    x = alt.X("x:Q", scale=scale, axis=None)
    y = alt.Y("y:Q", scale=scale, axis=None)
    ring_layer = (
        alt.Chart(rings)
        .mark_line(color="#d1d5db", strokeWidth=1)
        .encode(x=x, y=y, detail="ring:N", order="order:Q")
    )
    spoke_rows = pd.concat([axes.assign(x=0.0, y=0.0, end=0), axes.assign(end=1)])
    spokes = (
        alt.Chart(spoke_rows).mark_line(color="#e5e7eb").encode(x=x, y=y, detail="source:N", order="end:Q")
    )
    axis_labels = (
        alt.Chart(axes)
        .mark_text(fontSize=12, fontWeight="bold", color="#374151")
        .encode(
            x=alt.X("lx:Q", scale=scale, axis=None), y=alt.Y("ly:Q", scale=scale, axis=None), text="source:N"
        )
    )
    polygons = (
        alt.Chart(frame)
        .mark_line(strokeWidth=3, opacity=0.9)
        .encode(x=x, y=y, color=alt.Color("side:N", scale=colors, sort=sides, legend=alt.Legend(orient="top", title=None)),
                detail="side:N", order="order:Q")
    )  # fmt: skip
    points = (
        alt.Chart(frame[frame["order"] < len(labels)])
        .mark_point(size=140, strokeWidth=2.5, opacity=1)
        .encode(
            x=x, y=y,
            color=alt.Color("side:N", scale=colors, sort=sides, legend=None),
            fill=alt.condition("datum.evidenced", alt.Color("side:N", scale=colors, legend=None), alt.value("white")),
            shape=alt.Shape("evidenced:N", scale=alt.Scale(domain=[True, False], range=["circle", "circle"]), legend=None),
            tooltip=[alt.Tooltip("side:N", title="Side"), alt.Tooltip("source:N", title="Source"),
                     alt.Tooltip("score:Q", title="Score (0–5)"), alt.Tooltip("evidence:N", title="Evidence")],
        )
    )  # fmt: skip
    chart = (
        alt.layer(ring_layer, spokes, axis_labels, polygons, points)
        .properties(width=440, height=440)
        .configure_view(stroke=None)
    )
    return chart.properties(title=title) if title else chart


def index_timeline_chart(history: pd.DataFrame) -> alt.LayerChart:
    """The leverage index across dated assessments; zero is balance."""
    line = (
        alt.Chart(history)
        .mark_line(point=alt.OverlayMarkDef(size=70, filled=True), strokeWidth=3, color=OURS)
        .encode(
            x=alt.X("assessed_at:T", title=None),
            y=alt.Y("index:Q", title="Leverage index", scale=alt.Scale(domain=[-100, 100])),
            tooltip=[alt.Tooltip("assessed_at:T", title="Assessed", format="%d %b %Y"),
                     alt.Tooltip("index:Q", title="Index", format="+.1f")],
        )
    )  # fmt: skip
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#6b7280").encode(y="y:Q")
    return alt.LayerChart(layer=[zero, line], height=220)


def source_timeline_chart(scores: pd.DataFrame) -> alt.FacetChart:
    """Each power source across assessments, ours against theirs, one small panel per source."""
    sides = ["Us", "Them"]
    base = (
        alt.Chart(scores)
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=alt.X("assessed_at:T", title=None, axis=alt.Axis(format="%d %b", labelAngle=0, tickCount=4)),
            y=alt.Y("score:Q", title=None, scale=alt.Scale(domain=[0, 5])),
            color=alt.Color("side:N", scale=alt.Scale(domain=sides, range=[OURS, THEIRS]),
                            legend=alt.Legend(orient="top", title=None)),
            tooltip=["source:N", "side:N", "score:Q", alt.Tooltip("assessed_at:T", format="%d %b %Y")],
        )
        .properties(width=150, height=90)
    )  # fmt: skip
    return base.facet(
        facet=alt.Facet("source:N", title=None, sort=list(dict.fromkeys(scores["source"]))), columns=4
    )


def pipeline_heatmap(edges: pd.DataFrame, deal_order: list[str], source_order: list[str]) -> alt.Chart:
    """Deals × power sources, coloured by our weighted score minus theirs: blue where we lead, red where
    they do. `edges` has columns deal, source, edge."""
    return (
        alt.Chart(edges)
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("source:N", sort=source_order, title=None,
                    axis=alt.Axis(labelAngle=0, orient="top", labelOverlap=False, labelLimit=84)),
            y=alt.Y("deal:N", sort=deal_order, title=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("edge:Q", title="Us − them",
                            scale=alt.Scale(scheme="redblue", domain=[-5, 5], domainMid=0)),
            tooltip=[alt.Tooltip("deal:N"), alt.Tooltip("source:N"), alt.Tooltip("edge:Q", format="+.1f", title="Us − them")],
        )
        .properties(width=alt.Step(84), height=alt.Step(22))
    )  # fmt: skip


def meso_comparison_chart(frame: pd.DataFrame) -> alt.Chart:
    """Issue by issue, each bundle's value for us from floor (0) to target (1), bundles side by side."""
    return (
        alt.Chart(frame)
        .mark_bar(cornerRadiusEnd=3)
        .encode(
            y=alt.Y("issue:N", title=None, sort=list(dict.fromkeys(frame["issue"]))),
            yOffset=alt.YOffset("bundle:N", sort=list(dict.fromkeys(frame["bundle"]))),
            x=alt.X("score:Q", title="For us: floor (0) → target (1)", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("bundle:N", sort=list(dict.fromkeys(frame["bundle"])), legend=alt.Legend(orient="top", title=None)),
            tooltip=["bundle:N", "issue:N", alt.Tooltip("value:Q", format=",.2f"), alt.Tooltip("score:Q", format=".0%")],
        )
        .properties(height=alt.Step(14))
    )  # fmt: skip


def meso_value_chart(values: pd.DataFrame) -> alt.LayerChart:
    """Each bundle's value to us against our estimate of its value to them (both 0–100 %)."""
    base = alt.Chart(values).encode(
        x=alt.X("to_us:Q", title="Value to us", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        y=alt.Y("to_them:Q", title="Value to them (estimate)", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
    )  # fmt: skip
    points = base.mark_circle(size=220).encode(
        color=alt.Color("bundle:N", legend=None),
        tooltip=["bundle:N", alt.Tooltip("to_us:Q", format=".0%"), alt.Tooltip("to_them:Q", format=".0%")],
    )
    labels = base.mark_text(dy=-16, fontWeight="bold").encode(text="bundle:N")
    return alt.LayerChart(layer=[points, labels], height=300)


def captured_against_one_way_chart(outcomes: pd.DataFrame) -> alt.Chart:
    """Each reviewed deal: the share of its lines given one-way against the range it captured, coloured by
    outcome (a frame of `review.outcomes_frame`; deals without a captured range are left out)."""
    from .models import word

    data = outcomes.dropna(subset=["captured"]).assign(
        outcome_word=lambda f: f["outcome"].map(word), one_way=lambda f: f["one_way_share"].fillna(0)
    )
    return (
        alt.Chart(data, title="Range captured against one-way giving")
        .mark_circle(size=220, opacity=0.85)
        .encode(
            x=alt.X("one_way:Q", title="Share of lines given one-way", axis=alt.Axis(format="%")),
            y=alt.Y("captured:Q", title="Range captured (floor 0 %, target 100 %)", axis=alt.Axis(format="%")),
            color=alt.Color("outcome_word:N", title="Outcome"),
            tooltip=[alt.Tooltip("name:N", title="Deal"), alt.Tooltip("captured:Q", format=".0%", title="Captured"),
                     alt.Tooltip("one_way:Q", format=".0%", title="One-way"),
                     alt.Tooltip("moved_after_final:Q", title="Moves after a final offer")],
        )
    )  # fmt: skip

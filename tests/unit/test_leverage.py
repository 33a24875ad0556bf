"""Leverage index, radar data, legitimacy and the warnings, on hand-computed cases."""

import math
from datetime import date, datetime

import pytest

from core.charts import radar_chart
from core.leverage import (
    aggregate,
    index_history,
    legitimacy,
    leverage_index,
    perceived_only,
    radar_frame,
    warnings,
)
from core.models import (
    Alternative,
    Counterparty,
    Deal,
    Evidence,
    Issue,
    PowerAssessment,
    PowerScore,
    PowerSource,
)

SOURCES = list(PowerSource)
T = datetime(2026, 11, 1, 9)


def assess(us, them, us_evidence=None, them_evidence=None, at=T):
    """us/them: seven scores in the seed's order; *_evidence: seven evidence ids or None."""
    us_evidence = us_evidence or [None] * 7
    them_evidence = them_evidence or [None] * 7
    scores = [
        PowerScore(source=s, side="us", score=u, evidence_id=e)
        for s, u, e in zip(SOURCES, us, us_evidence, strict=True)
    ]
    scores += [
        PowerScore(source=s, side="them", score=t, evidence_id=e)
        for s, t, e in zip(SOURCES, them, them_evidence, strict=True)
    ]
    return PowerAssessment(assessed_at=at, scores=scores)


@pytest.mark.parametrize(
    ("us", "us_ev", "them", "expected"),
    [
        ([5] * 7, [1] * 7, [0] * 7, 100.0),  # everything, all shown
        ([5] * 7, None, [0] * 7, 50.0),  # everything, nothing shown: counts at half
        ([0] * 7, None, [5] * 7, -100.0),  # they hold every card
        ([3] * 7, [1] * 7, [3] * 7, 0.0),
        # Northwind today: ours 4 + 3/2 + 4 + 4/2 + 3 + 2/2 + 4 = 19.5, theirs 19 → 0.5 / 35 = +1.4
        ([4, 3, 4, 4, 3, 2, 4], [1, None, 1, None, 1, None, 1], [3, 4, 2, 2, 2, 3, 3], 1.4),
    ],
)
def test_index_by_hand(us, us_ev, them, expected):
    assert leverage_index(assess(us, them, us_ev)) == expected


def test_their_perceived_scores_are_not_discounted():
    shown = assess([0] * 7, [4] * 7, them_evidence=[1] * 7)
    unshown = assess([0] * 7, [4] * 7)
    assert leverage_index(shown) == leverage_index(unshown) == -80.0


def test_history_gives_the_direction_since_the_previous_assessment():
    first = assess([2] * 7, [3] * 7, at=datetime(2026, 10, 1))  # (7 × 2 × ½ − 21) / 35 = −40
    second = assess([3] * 7, [3] * 7, [1] * 7, at=datetime(2026, 11, 1))
    points = index_history([second, first])  # any order in, oldest first out
    assert [(p.index, p.change) for p in points] == [(-40.0, None), (0.0, 40.0)]


def test_perceived_only_lists_our_unshown_scores_above_zero():
    a = assess([4, 0, 3, 2, 0, 0, 5], [1] * 7, us_evidence=[None, None, 1, None, None, None, 2])
    assert perceived_only(a) == [PowerSource.alternatives, PowerSource.reputation]


def test_radar_frame_closes_each_polygon_and_starts_at_the_top():
    ev = Evidence(id=7, title="Peer benchmark", source="Survey", date=date(2026, 10, 2))
    frame = radar_frame(assess([4, 1, 1, 1, 1, 1, 2], [3] * 7, us_evidence=[7] + [None] * 6), [ev])
    assert len(frame) == 2 * 8
    us = frame[frame["side"] == "Us"]
    assert us.iloc[0][["x", "y"]].tolist() == pytest.approx([0, 4])  # alternatives at 12 o'clock
    assert us.iloc[0]["evidence"] == "Peer benchmark (Survey, 02 Oct 2026)"
    assert us.iloc[-1][["source", "score"]].tolist() == us.iloc[0][["source", "score"]].tolist()  # closed
    k = 6  # resources sits one seventh of a turn before the top, to the left
    assert us.iloc[k]["x"] == pytest.approx(2 * math.cos(math.pi / 2 - 2 * math.pi * 6 / 7))
    assert us.iloc[1]["evidence"] == "perceived only" and not us.iloc[1]["evidenced"]


def test_radar_chart_has_both_series_seven_axes_and_marks_perceived_points():
    frame = radar_frame(assess([4, 3, 4, 4, 3, 2, 4], [3] * 7, us_evidence=[1, None, 1, None, 1, None, 1]))
    spec = radar_chart(frame).to_dict()
    datasets = spec["datasets"].values()
    polygons = next(d for d in datasets if d and "side" in d[0])
    assert {row["side"] for row in polygons} == {"Us", "Them"}
    labels = next(d for d in datasets if d and "lx" in d[0] and "end" not in d[0])
    assert len(labels) == 7 and labels[0]["source"] == "Alternatives (BATNA)"
    points = spec["layer"][-1]["encoding"]
    assert points["fill"]["condition"]["test"] == "datum.evidenced"  # evidenced: filled
    assert points["fill"]["value"] == "white"  # perceived only: hollow
    assert sum(not row["evidenced"] for row in polygons if row["side"] == "Us" and row["order"] < 7) == 3


def test_a_counterparty_aggregate_is_the_mean_and_evidenced_by_majority():
    a = assess([4] * 7, [2] * 7, us_evidence=[1] * 7)
    b = assess([2] * 7, [4] * 7)
    combined = aggregate([a, b])
    assert leverage_index(combined) == leverage_index(
        assess([3] * 7, [3] * 7, [1] * 7)
    )  # half the deals evidenced
    assert aggregate([]) is None
    assert perceived_only(aggregate([a, b, assess([2] * 7, [2] * 7)])) == SOURCES  # 1 of 3 evidenced


def test_legitimacy_counts_standards_and_their_freshness():
    today = date(2026, 11, 25)
    pack = [
        Evidence(kind="benchmark", title="a", source="s", date=date(2026, 11, 20)),
        Evidence(kind="legal_standard", title="b", source="s", date=date(2025, 1, 1)),
        Evidence(kind="capacity", title="c", source="s", date=date(2026, 11, 24)),  # a datum, not a standard
    ]
    legit = legitimacy(pack, today)
    assert (legit.standards, legit.newest_days, legit.stale) == (2, 5, 1)
    assert legit.describe() == "2 standards back our position (newest 5 days old, 1 older than a year)."
    assert legitimacy([], today).describe().startswith("No standard backs our position yet")


# ---- warnings: each fires, and does not fire ----------------------------------------------------------
DEAL = Deal(id=1, name="Renewal", context="sales", owner="Ana", value=120000, currency="EUR",
            deadline=date(2026, 12, 1), deadline_reason="Q1 capacity", deadline_evidence_id=3, pressured_issue_id=1)  # fmt: skip
PRICE = Issue(id=1, name="Price", unit="EUR", target=120000, reservation=118000)  # 2,000 at stake: < 5 %
DIRECT = Counterparty(name="Acme", relationship="repeated", communication_style="direct")
BATNA = Alternative(description="Other customer", money=90000, evidence_id=2)
CALM = assess([2] * 7, [2] * 7)  # nothing leaned on without evidence, reputation below 3


def codes(deal=DEAL, cp=DIRECT, a=CALM, alternatives=(BATNA,), issues=(PRICE,)):
    return [w.code for w in warnings(deal, cp, a, list(alternatives), list(issues))]


def test_a_clean_deal_has_no_warnings():
    assert codes() == []


def test_small_gain_in_a_repeated_reputation_sensitive_relationship():
    sensitive = assess([2, 2, 2, 4, 2, 2, 2], [2] * 7, us_evidence=[None, None, None, 1, None, None, None])
    assert codes(a=sensitive) == ["repeated_small_gain"]
    (w,) = warnings(DEAL, DIRECT, sensitive, [BATNA], [PRICE])
    assert "worth at most 2,000 EUR, under 5% of the deal" in w.reason
    assert codes(a=sensitive, cp=DIRECT.model_copy(update={"relationship": "one_off"})) == []
    big = PRICE.model_copy(update={"reservation": 100000})  # 20,000 at stake
    assert codes(a=sensitive, issues=[big]) == []


def test_leaning_on_perceived_power_names_the_sources():
    bluff = assess([4, 3, 2, 1, 1, 1, 1], [2] * 7)
    (w,) = warnings(DEAL, DIRECT, bluff, [BATNA], [PRICE])
    assert w.code == "perceived_power" and w.reason.startswith(
        "Alternatives (BATNA), Authority: scored 3 or more"
    )
    assert (
        codes(a=assess([4, 3, 2, 1, 1, 1, 1], [2] * 7, us_evidence=[1, 1, None, None, None, None, None]))
        == []
    )


def test_indirect_culture_suggests_a_private_preview():
    (w,) = warnings(
        DEAL, DIRECT.model_copy(update={"communication_style": "indirect"}), CALM, [BATNA], [PRICE]
    )
    assert w.code == "face_saving" and "private preview" in w.reason


@pytest.mark.parametrize(
    ("changes", "title"),
    [
        ({"deadline_reason": "", "deadline_evidence_id": None}, "Deadline without a documented constraint: fake-urgency risk"),
        ({"deadline_reason": "  "}, "Deadline without a documented constraint: fake-urgency risk"),
        ({"deadline_evidence_id": None}, "Deadline not backed by evidence: fake-urgency risk"),
    ],
)  # fmt: skip
def test_deadline_credibility(changes, title):
    (w,) = warnings(DEAL.model_copy(update=changes), DIRECT, CALM, [BATNA], [PRICE])
    assert (w.code, w.title) == ("fake_urgency", title)


def test_no_deadline_is_no_fake_urgency():
    assert codes(deal=DEAL.model_copy(update={"deadline": None, "deadline_reason": ""})) == []


@pytest.mark.parametrize(
    ("alternatives", "titles"),
    [
        ([], ["No BATNA"]),
        ([Alternative(description="Walk", money=0, time_days=0, evidence_id=2)], ["BATNA not quantified"]),
        ([Alternative(description="Walk", money=5000)], ["BATNA without evidence"]),
        ([Alternative(description="Walk")], ["BATNA not quantified", "BATNA without evidence"]),
        ([Alternative(description="Walk", time_days=30, evidence_id=2)], []),
    ],
)
def test_bluff_guard(alternatives, titles):
    assert [w.title for w in warnings(DEAL, DIRECT, CALM, alternatives, [PRICE])] == titles


def test_without_an_assessment_only_the_data_rules_apply():
    assert codes(a=None) == []

"""The zone of possible agreement, computed by hand."""

import pytest

from core.charts import zopa_chart
from core.models import Issue
from core.zopa import BANDS, zopa, zopa_frame


def issue(**kw):
    return Issue(**{"name": "Price", "unit": "EUR", "target": 120000, "reservation": 110000, **kw})


@pytest.mark.parametrize(
    ("kw", "low", "high", "overlap"),
    [
        ({"their_target": 100000, "their_walk_away": 116000}, 110000, 116000, True),  # seller: floor up to their max
        ({"their_target": 100000, "their_walk_away": 110000}, 110000, 110000, True),  # touching is a zone of one point
        ({"their_target": 90000, "their_walk_away": 105000}, None, None, False),  # 5,000 short
        ({"direction": "ceiling", "target": 8.4, "reservation": 8.8, "their_target": 9.4, "their_walk_away": 8.7},
         8.7, 8.8, True),  # buyer: their minimum up to our ceiling
        ({"direction": "ceiling", "target": 8.4, "reservation": 8.8, "their_target": 9.4, "their_walk_away": 9.0},
         None, None, False),
        ({}, None, None, None),  # their walk-away unknown
    ],
)  # fmt: skip
def test_zone(kw, low, high, overlap):
    z = zopa(issue(**kw))
    assert (z.low, z.high, z.overlap) == (low, high, overlap)


def test_verdicts_say_what_is_wrong():
    assert zopa(issue(their_target=90000, their_walk_away=105000)).verdict == (
        "no overlap: a gap of 5,000 EUR between our floor and their estimated walk-away"
    )
    assert zopa(issue(their_target=100000, their_walk_away=116000)).verdict == "zone 110,000–116,000 EUR"
    assert zopa(issue()).verdict == "their walk-away is not estimated yet"


def test_chart_shows_each_issue_with_our_range_theirs_and_the_zone():
    issues = [
        issue(their_target=100000, their_walk_away=116000),
        issue(name="Term", unit="years", target=3, reservation=1, their_target=0.5, their_walk_away=1),
    ]
    frame = zopa_frame(issues)
    assert frame.to_dict("records") == [
        {"issue": "Price (EUR)", "band": BANDS[0], "start": 110000, "end": 120000},
        {"issue": "Price (EUR)", "band": BANDS[1], "start": 100000, "end": 116000},
        {"issue": "Price (EUR)", "band": BANDS[2], "start": 110000, "end": 116000},
        {"issue": "Term (years)", "band": BANDS[0], "start": 1, "end": 3},
        {"issue": "Term (years)", "band": BANDS[1], "start": 0.5, "end": 1},
        {"issue": "Term (years)", "band": BANDS[2], "start": 1, "end": 1},
    ]
    spec = zopa_chart(frame).to_dict()
    assert spec["facet"]["row"]["sort"] == ["Price (EUR)", "Term (years)"]
    assert spec["resolve"]["scale"]["x"] == "independent"
    assert spec["spec"]["encoding"]["color"]["scale"]["domain"] == BANDS

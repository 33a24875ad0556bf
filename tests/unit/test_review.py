"""Review & iteration: range captured by hand, the final lock, the history, the leaders' view."""

from datetime import date

import pytest

from core.demo import library_items
from core.library import is_stale, tradeable_suggestions
from core.models import InvalidInput, Issue, LibraryItem, Review
from core.review import (
    captured_colour,
    issue_results,
    outcome_figures,
    outcomes_frame,
    overall_captured,
    range_captured,
)
from core.store import NotAllowed

PRICE = Issue(id=1, name="Unit price", direction="ceiling", target=8.4, reservation=8.8, priority=5)
WARRANTY = Issue(id=2, name="Warranty", target=36, reservation=24, priority=3)
FLAT = Issue(id=3, name="Governance", target=12, reservation=12, priority=4)


@pytest.mark.parametrize(
    ("issue", "final", "captured"),
    [
        (WARRANTY, 24, 0.0), (WARRANTY, 36, 1.0), (WARRANTY, 30, 0.5), (WARRANTY, 42, 1.5), (WARRANTY, 18, -0.5),
        (PRICE, 8.8, 0.0), (PRICE, 8.4, 1.0), (PRICE, 8.55, 0.625), (PRICE, 9.0, -0.5),
        (FLAT, 12, None),
    ],
)  # fmt: skip
def test_range_captured_runs_from_the_floor_to_the_target(issue, final, captured):
    assert (
        range_captured(issue, final) == pytest.approx(captured)
        if captured is not None
        else range_captured(issue, final) is None
    )


def test_overall_is_weighted_by_our_priority_over_issues_with_a_range():
    review = Review(outcome="signed", final_values=[{"issue_id": 1, "value": 8.55}, {"issue_id": 2, "value": 36},
                                                    {"issue_id": 3, "value": 12}])  # fmt: skip
    results = issue_results([PRICE, WARRANTY, FLAT], review)
    assert [r.breached for r in results] == [False, False, False]
    assert overall_captured(results) == pytest.approx((0.625 * 5 + 1.0 * 3) / 8)
    assert overall_captured(issue_results([FLAT], review)) is None


def test_a_review_says_each_issue_once_and_knows_its_improvements():
    with pytest.raises(ValueError, match="one value per issue"):
        Review(outcome="signed", final_values=[{"issue_id": 1, "value": 1}, {"issue_id": 1, "value": 2}])
    with pytest.raises(ValueError, match="'fly' is not one of the improvements"):
        Review(outcome="lost", improvements=["fly"])


def review_of_deal(store, deal_id, **changes):
    issues = store.preparation.list_issues(deal_id)
    data = {"outcome": "signed", "final_values": [{"issue_id": issues[0].id, "value": issues[0].target}]}
    return Review.model_validate({**data, **changes})


def test_a_review_is_editable_until_final_and_every_change_is_in_the_history(demo_store):
    demo_store.reviews.save_review(1, review_of_deal(demo_store, 1, lessons="first"))
    demo_store.reviews.save_review(1, review_of_deal(demo_store, 1, lessons="second", final=True))
    assert demo_store.reviews.get_review(1).lessons == "second"
    with pytest.raises(InvalidInput, match="marked final"):
        demo_store.reviews.save_review(1, review_of_deal(demo_store, 1, lessons="third"))
    events = demo_store.deals.list_events(1, kinds=["review"])
    assert events["subject"].tolist()[:2] == ["Review · Final", "Review · Lessons"]
    assert events[["old_value", "new_value"]].iloc[1].tolist() == ["first", "second"]


def test_a_signed_deal_moves_to_implementation_and_leaves_the_live_pipeline(demo_store):
    from core.models import Stage
    from core.pipeline import filter_pipeline, pipeline_frame

    assert demo_store.deals.get_deal(1).stage == Stage.midgame
    demo_store.reviews.save_review(1, review_of_deal(demo_store, 1, outcome="paused"))
    assert demo_store.deals.get_deal(1).stage == Stage.midgame  # paused: still live, still where it was
    demo_store.reviews.save_review(1, review_of_deal(demo_store, 1))
    assert demo_store.deals.get_deal(1).stage == Stage.implementation
    stage = demo_store.deals.list_events(1, kinds=["stage"])
    assert stage[["old_value", "new_value", "note"]].iloc[0].tolist() == ["midgame", "implementation",
                                                                          "the review says signed"]  # fmt: skip
    frame = pipeline_frame(demo_store, date(2026, 11, 25)).set_index("id")
    assert (bool(frame.loc[1, "closed"]), bool(frame.loc[1, "at_risk"]), frame.loc[1, "risk_reasons"]) == (
        True,
        False,
        "",
    )
    assert 1 not in filter_pipeline(frame.reset_index())["id"].tolist()
    assert 1 in filter_pipeline(frame.reset_index(), closed_too=True)["id"].tolist()


def test_a_review_refuses_standards_and_issues_of_another_deal(demo_store):
    other = demo_store.preparation.list_evidence(2)[0].id
    with pytest.raises(InvalidInput) as exc:
        demo_store.reviews.save_review(1, review_of_deal(demo_store, 1, persuasive_evidence_ids=[other],
                                                 final_values=[{"issue_id": 999, "value": 1}]))  # fmt: skip
    assert exc.value.problems == [
        f"Persuasive standards: evidence {other} is not in this deal's evidence pack",
        "Final values: issue 999 is not an issue of this deal",
    ]
    assert demo_store.reviews.get_review(1) is None


def test_the_leaders_view_reads_the_curated_reviews(demo_store):
    frame = outcomes_frame(demo_store.reviews.reviewed_deals()).set_index("deal_id")
    assert frame.loc[4, ["outcome", "deadline_verdict", "relationship_health", "final"]].tolist() == [
        "signed", "real", 4, True]  # fmt: skip
    # Kessler by hand: price 8.55 (0.625, priority 5), warranty 36 (1.0, 3), volume 60 (1.0, 4), terms 60 (0.0, 2)
    assert frame.loc[4, "captured"] == pytest.approx((0.625 * 5 + 1.0 * 3 + 1.0 * 4 + 0.0 * 2) / 14)
    assert frame.loc[11, "outcome"] == "paused"


@pytest.mark.parametrize(
    ("captured", "colour"),
    [(None, None), (1.2, "green"), (0.5, "green"), (0.49, "orange"), (0.0, "orange"), (-0.01, "red")],
)
def test_the_range_captured_reads_green_from_half_way_orange_above_the_floor_red_below(captured, colour):
    assert captured_colour(captured) == colour


def test_the_outcome_figures_of_the_curated_reviews_by_hand(demo_store):
    frame = outcomes_frame(demo_store.reviews.reviewed_deals())
    figures = outcome_figures(frame)
    assert figures.reviewed == len(frame) and figures.signed == int((frame["outcome"] == "signed").sum())
    assert figures.captured_median == pytest.approx(frame["captured"].dropna().median())
    assert (figures.real_deadlines, figures.judged_deadlines) == (
        int((frame["deadline_verdict"] == "real").sum()), int(frame["deadline_verdict"].notna().sum()))  # fmt: skip
    assert figures.health_mean == pytest.approx(frame["relationship_health"].dropna().mean())
    empty = outcome_figures(frame.iloc[0:0])
    assert (empty.captured_median, empty.health_mean, empty.reviewed) == (None, None, 0)


TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("kind", "age", "stale"),
    [("benchmark", 365, False), ("benchmark", 366, True), ("capacity_artefact", 184, True),
     ("governance_clause", 1000, False), ("governance_clause", 1200, True), ("tradeable", 5000, False)],
)  # fmt: skip
def test_a_standard_goes_stale_with_age(kind, age, stale):
    item = LibraryItem(
        kind=kind, title="x", source="y", date=date.fromordinal(TODAY.toordinal() - age), owner="z"
    )
    assert is_stale(item, TODAY) is stale


def test_a_one_way_line_is_paired_with_tradeables_of_the_deals_context_freshest_first():
    items = library_items(TODAY)
    hiring = tradeable_suggestions(items, "hiring")
    assert [i.title for i in hiring] == [
        "Remote days against start date",
        "Signing bonus against base salary",
        "Training budget instead of a title now",
    ]
    assert all(i.kind == "tradeable" for i in tradeable_suggestions(items, "procurement", limit=10))
    assert "Volume commitment for a unit price" not in [
        i.title for i in tradeable_suggestions(items, "sales", 10)
    ]


def test_the_demo_library_covers_the_four_kinds_and_the_seeds_tradeables():
    items = library_items(TODAY)
    assert len(items) >= 25 and {i.kind.value for i in items} == {
        "benchmark", "governance_clause", "capacity_artefact", "tradeable"}  # fmt: skip
    titles = " ".join(i.title.lower() for i in items)
    for tradeable in ("payment timing", "rollout phases", "success metrics", "service credits", "indexation",
                      "pr rights", "exclusivity window", "audit or governance"):  # fmt: skip
        assert tradeable in titles


def test_library_use_save_and_counts(demo_store):
    item = next(
        i for i in demo_store.reviews.list_library() if i.title == "SaaS enterprise list-price discount bands"
    )
    evidence_id = demo_store.reviews.use_library_item(1, item.id)
    added = next(e for e in demo_store.preparation.list_evidence(1) if e.id == evidence_id)
    assert (added.title, added.kind.value, added.internal) == (item.title, "benchmark", False)
    demo_store.reviews.save_review(1, review_of_deal(demo_store, 1, persuasive_evidence_ids=[evidence_id]))
    usage = demo_store.reviews.library_usage().set_index("item_id")
    assert usage.loc[item.id, ["uses", "persuasive"]].tolist() == [1, 1]
    assert usage.loc[item.id, "deals"] == ["Northwind — enterprise SaaS annual"]

    own = demo_store.preparation.list_evidence(1)[0]
    new_item = demo_store.reviews.save_evidence_to_library(1, own.id)
    saved = next(i for i in demo_store.reviews.list_library() if i.id == new_item)
    assert (saved.title, [c.value for c in saved.contexts]) == (own.title, ["sales"])
    internal = next(e for e in demo_store.preparation.list_evidence(1) if e.internal)
    with pytest.raises(InvalidInput, match="is internal to this deal"):
        demo_store.reviews.save_evidence_to_library(1, internal.id)


def test_library_usage_names_only_the_deals_the_person_may_read(team):
    """The names are of the deals the person reads, found from the uses alone (not by reading every deal's
    name, which cost 0.3 s at 100,000 deals)."""
    from tests.unit.team import ANA, LEA

    ana = team.acting_as(ANA)  # on deal 1 only
    item = next(
        i for i in ana.reviews.list_library() if i.title == "SaaS enterprise list-price discount bands"
    )
    ana.reviews.use_library_item(1, item.id)
    usage = ana.reviews.library_usage().set_index("item_id")
    assert usage.loc[item.id, "deals"] == ["Northwind — enterprise SaaS annual"]
    others = usage.drop(index=item.id)  # the demo's own uses, on deals Ana is not on: never named to her
    assert [d for d in others["deals"] if d] == []
    named = sorted(n for names in team.acting_as(LEA).reviews.library_usage()["deals"] for n in names)
    assert named == [
        "Kessler — die-cast housings should-cost", "Kessler — die-cast housings should-cost",
        "Lena Fischer — staged promotion to principal", "Nordlicht Bank — co-marketing programme",
        "Northwind — enterprise SaaS annual", "PayLoop — fintech co-branding",
    ]  # fmt: skip


def test_sponsors_read_the_library_but_do_not_add_to_it(demo_store):
    from core.access import Person, Role

    sponsor = demo_store.acting_as(Person("sam@example.com", Role.sponsor))
    assert len(sponsor.reviews.list_library()) >= 25
    with pytest.raises(NotAllowed):
        sponsor.reviews.add_library_items(
            [LibraryItem(kind="benchmark", title="x", source="y", date=TODAY, owner="z")]
        )

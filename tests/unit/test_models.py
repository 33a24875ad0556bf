"""Every validation rule of the domain model, and that its message names the field."""

from datetime import date, datetime

import pytest
from pydantic import ValidationError

from core.models import (
    Alternative,
    Concession,
    Counterparty,
    Deal,
    DealFile,
    Evidence,
    InvalidInput,
    Issue,
    MesoBundle,
    PowerAssessment,
    PowerScore,
    Stakeholder,
    describe_errors,
    validate,
)

NOW = datetime(2026, 11, 25, 10, 0)
GOOD = {
    Deal: {"name": "Acme renewal", "context": "sales", "owner": "Ana"},
    Counterparty: {"name": "Acme"},
    Stakeholder: {"name": "Mara Keller"},
    Evidence: {"title": "Benchmark", "source": "Survey", "date": date(2026, 1, 1)},
    Alternative: {"description": "Other customer", "money": 90000},
    Issue: {"name": "Price", "target": 120000, "reservation": 110000},
    Concession: {"item": "Pilot", "logged_at": NOW},
    MesoBundle: {"name": "Full suite"},
    PowerScore: {"source": "time", "side": "us", "score": 3},
}


def problems(model, **changes):
    with pytest.raises(InvalidInput) as exc:
        validate(model, {**GOOD[model], **changes})
    return exc.value.problems


@pytest.mark.parametrize("model", list(GOOD))
def test_good_input_is_accepted(model):
    assert validate(model, GOOD[model]) is not None


@pytest.mark.parametrize(
    ("model", "field", "label"),
    [
        (Deal, "name", "Name"), (Deal, "owner", "Owner"), (Counterparty, "name", "Name"),
        (Stakeholder, "name", "Name"), (Evidence, "title", "Title"), (Evidence, "source", "Source"),
        (Alternative, "description", "Description"), (Issue, "name", "Name"), (Concession, "item", "Item"),
        (MesoBundle, "name", "Name"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_empty_names_are_refused_naming_the_field(model, field, label, blank):
    assert problems(model, **{field: blank}) == [f"{label}: must not be empty"]


@pytest.mark.parametrize("score", [-1, 6, 100])
def test_power_scores_outside_0_to_5_are_refused(score):
    (line,) = problems(PowerScore, score=score)
    assert line.startswith("Score: must be at")


@pytest.mark.parametrize("score", [0, 5])
def test_power_scores_at_the_bounds_are_accepted(score):
    assert validate(PowerScore, {**GOOD[PowerScore], "score": score}).score == score


@pytest.mark.parametrize(
    ("model", "field", "label"),
    [(Deal, "value", "Deal value"), (Deal, "mandate", "Mandate"), (Alternative, "money", "Money"),
     (Issue, "target", "Our target"), (Issue, "reservation", "Our floor/ceiling"),
     (Issue, "their_walk_away", "Their walk-away"), (Concession, "new_position", "New position")],
)  # fmt: skip
def test_negative_money_is_refused_naming_the_field(model, field, label):
    (line,) = problems(model, **{field: -1})
    assert line == f"{label}: must be at least 0 (got -1)"


def test_a_floor_above_the_target_is_refused():
    (line,) = problems(Issue, direction="floor", target=120000, reservation=130000)
    assert line.startswith("Our floor/ceiling: the floor 130,000 is above our target 120,000 on 'Price'")


def test_a_ceiling_below_the_target_is_refused():
    (line,) = problems(Issue, direction="ceiling", target=8.4, reservation=8.0)
    assert line.startswith("Our floor/ceiling: the ceiling 8 is below our target 8.40")


@pytest.mark.parametrize(
    ("direction", "target", "reservation"),
    [("floor", 100, 100), ("ceiling", 100, 100), ("floor", 100, 90), ("ceiling", 100, 110)],
)
def test_a_reservation_on_the_right_side_or_equal_is_accepted(direction, target, reservation):
    assert validate(
        Issue, {**GOOD[Issue], "direction": direction, "target": target, "reservation": reservation}
    )


def test_their_walk_away_on_the_wrong_side_of_their_target_is_refused():
    (line,) = problems(Issue, their_target=115000, their_walk_away=100000)
    assert line.startswith("Their walk-away: 100,000 is below their target 115,000")
    (line,) = problems(
        Issue, direction="ceiling", target=100, reservation=120, their_target=90, their_walk_away=95
    )
    assert line.startswith("Their walk-away: 95 is above their target 90")


@pytest.mark.parametrize(
    ("field", "value", "label"), [("stage", "negotiating", "Stage"), ("context", "legal", "Context")]
)
def test_unknown_stage_or_context_is_refused_with_the_choices(field, value, label):
    (line,) = problems(Deal, **{field: value})
    assert line.startswith(f"{label}: '{value}' is not one of")
    assert "'sales'" in line or "'setup'" in line


@pytest.mark.parametrize("code", ["EURO", "€", "E1R", ""])
def test_currency_must_be_a_three_letter_code(code):
    assert problems(Deal, currency=code) == ["Currency: must be a three-letter code such as EUR or USD"]


def test_currency_is_normalised_to_upper_case():
    assert validate(Deal, {**GOOD[Deal], "currency": " usd "}).currency == "USD"


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_numbers_are_refused(value):
    assert problems(Concession, value_to_you=value) == ["Value to you: must be a finite number"]


def test_a_required_field_is_named_when_missing():
    with pytest.raises(InvalidInput) as exc:
        validate(Deal, {"name": "x", "owner": "y"})
    assert exc.value.problems == ["Context: is required"]


def test_a_source_scored_twice_for_one_side_is_refused():
    score = PowerScore(source="time", side="us", score=3)
    with pytest.raises(ValidationError) as exc:
        PowerAssessment(assessed_at=NOW, scores=[score, score])
    assert "time is scored twice for us" in describe_errors(exc.value)[0]


def test_several_problems_are_all_reported_with_a_row_prefix():
    with pytest.raises(InvalidInput) as exc:
        validate(Deal, {"name": "", "owner": "", "context": "sales", "mandate": -5}, prefix="Row 3, ")
    assert exc.value.problems == [
        "Row 3, Name: must not be empty",
        "Row 3, Owner: must not be empty",
        "Row 3, Mandate: must be at least 0 (got -5)",
    ]


def test_a_deal_file_with_a_dangling_reference_is_refused_naming_the_path():
    data = {
        "deal": {**GOOD[Deal], "pressured_issue_id": 9},
        "counterparty": GOOD[Counterparty],
        "issues": [{**GOOD[Issue], "id": 1}],
    }
    with pytest.raises(ValidationError) as exc:
        DealFile.model_validate(data)
    assert describe_errors(exc.value) == ["deal.pressured_issue_id refers to id 9, which is not in this file"]


def test_a_deal_file_of_another_format_is_refused():
    with pytest.raises(ValidationError) as exc:
        DealFile.model_validate({"format": "other/1", "deal": GOOD[Deal], "counterparty": GOOD[Counterparty]})
    assert describe_errors(exc.value)[0].startswith("Format: must be 'deal-cockpit/deal/1'")


def test_perceived_only_means_no_evidence():
    assert PowerScore(source="time", side="us", score=3).perceived_only
    assert not PowerScore(source="time", side="us", score=3, evidence_id=4).perceived_only


@pytest.mark.parametrize(
    ("direction", "value", "holds"),
    [("floor", 110000, True), ("floor", 125000, True), ("floor", 109999, False),
     ("ceiling", 110000, True), ("ceiling", 90000, True), ("ceiling", 110001, False)],
)  # fmt: skip
def test_a_value_holds_the_reservation_point_on_its_good_side(direction, value, holds):
    issue = Issue(
        name="Price",
        direction=direction,
        target=120000 if direction == "floor" else 100000,
        reservation=110000,
    )
    assert issue.holds(value) is holds


def test_a_new_deal_names_every_problem_of_the_deal_and_the_new_counterparty_at_once():
    from core.models import InvalidInput, validate_new_deal

    with pytest.raises(InvalidInput) as refused:
        validate_new_deal({"name": " ", "context": "sales", "owner": "Ana"}, {"name": ""}, None)
    assert refused.value.problems == ["Name: must not be empty", "Counterparty › Name: must not be empty"]


def test_a_new_deal_with_a_known_counterparty_ignores_the_new_counterparty_fields():
    from core.models import validate_new_deal

    deal, counterparty = validate_new_deal(
        {"name": "Orion", "context": "sales", "owner": "Ana"}, {"name": ""}, 7
    )
    assert deal.counterparty_id == 7 and counterparty is None


@pytest.mark.parametrize(
    ("model", "data", "problem"),
    [
        (Alternative, {"description": "x", "money": 1e308}, "Money: must be at most 1,000,000,000,000 (got 1e+308)"),
        (Alternative, {"description": "x", "time_days": 3_000_000_000},
         "Time (days): must be at most 36,500 (got 3,000,000,000)"),
        (Alternative, {"description": "x", "time_days": 1e30}, "Time (days): must be a whole number in range"),
        (MesoBundle, {"name": "x", "round": 2**31}, "Round: must be at most 1,000 (got 2,147,483,648)"),
        (Deal, {"name": "x", "context": "sales", "owner": "a", "value": "1.500"},
         "Deal value: '1.500' — did you mean 1,500 or 1.5? write 1500 for 1,500"),
        (Concession, {"item": "x", "value_to_you": -1e300, "logged_at": datetime(2026, 11, 20)},
         "Value to you: must be at least -1,000,000,000,000"),
        (Concession, {"item": "x", "round": 2**63, "logged_at": datetime(2026, 11, 20)}, "Round: must be at most 1,000"),
    ],
)  # fmt: skip
def test_numbers_beyond_any_deal_are_refused_naming_the_field(model, data, problem):
    from core.models import validate

    with pytest.raises(InvalidInput) as refused:
        validate(model, data)
    assert refused.value.problems[0].startswith(problem)


def test_the_largest_allowed_log_still_sums_to_a_finite_balance():
    import math

    from core.concessions import review_log
    from core.models import MAX_AMOUNT

    lines = [Concession(id=n, item=f"L{n}", value_to_you=-MAX_AMOUNT, value_to_them=MAX_AMOUNT, logged_at=datetime(2026, 11, 20))
             for n in range(1, 2001)]  # fmt: skip
    summary = review_log(lines, [], mandate=MAX_AMOUNT).summary
    assert math.isfinite(summary.balance) and summary.balance == -2000 * MAX_AMOUNT

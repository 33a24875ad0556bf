"""The MESO value model, its checks and the priority inference, on hand-computed cases."""

from datetime import datetime

import pytest

from core.meso import (
    check_set,
    comparison_frame,
    infer_their_priorities,
    our_score,
    their_score,
    value_bundles,
)
from core.models import Issue, MesoBundle, MesoPick, MesoTerm

T = datetime(2026, 11, 20, 9)
# We sell: price floor 100 (target 120); payment days ceiling 60 (target 30). Priorities 3 and 1.
PRICE = Issue(
    id=1, name="Price", target=120, reservation=100, their_target=90, their_walk_away=115, priority=3
)
DAYS = Issue(id=2, name="Payment days", direction="ceiling", target=30, reservation=60, their_target=90,
             their_walk_away=45, priority=1)  # fmt: skip
ISSUES = [PRICE, DAYS]


def bundle(n, price, days, round_no=1):
    return MesoBundle(
        id=n,
        round=round_no,
        name=f"B{n}",
        terms=[MesoTerm(issue_id=1, value=price), MesoTerm(issue_id=2, value=days)],
    )


@pytest.mark.parametrize(("value", "score"), [(100, 0.0), (110, 0.5), (120, 1.0), (130, 1.0), (90, 0.0)])
def test_our_score_runs_from_floor_to_target(value, score):
    assert our_score(PRICE, value) == score


@pytest.mark.parametrize(("value", "score"), [(60, 0.0), (45, 0.5), (30, 1.0)])
def test_our_score_for_a_ceiling(value, score):
    assert our_score(DAYS, value) == score


def test_their_score_runs_from_their_walk_away_to_their_target():
    assert (
        their_score(PRICE, 115) == 0.0 and their_score(PRICE, 102.5) == 0.5 and their_score(PRICE, 90) == 1.0
    )
    assert their_score(DAYS, 67.5) == 0.5
    assert their_score(Issue(name="x", target=1, reservation=1), 1) is None


def test_bundle_values_are_weighted_by_priority():
    (b,) = value_bundles([bundle(1, 110, 45)], ISSUES)
    assert b.to_us == pytest.approx(0.75 * 0.5 + 0.25 * 0.5)  # 50 %
    assert b.to_them == pytest.approx(0.75 * (115 - 110) / 25 + 0.25 * 0.0)  # 15 %


def test_their_priorities_replace_ours_for_their_side():
    days_first = [PRICE, DAYS.model_copy(update={"their_priority": 5})]
    (b,) = value_bundles([bundle(1, 115, 90)], days_first)
    assert b.to_them == pytest.approx(3 / 8 * 0.0 + 5 / 8 * 1.0)


def codes(bundles, pressured=1, tolerance=0.05):
    return [f.code for f in check_set(bundles, ISSUES, pressured, tolerance)]


def test_an_equivalent_set_that_holds_the_floor_passes():
    # each worth 50 % to us: (110, 45) = ¾·½ + ¼·½; (113.33, 60) = ¾·⅔; (106.67, 30) = ¾·⅓ + ¼
    equivalent = [bundle(1, 110, 45), bundle(2, 113.33, 60), bundle(3, 106.67, 30)]
    assert [round(v.to_us, 2) for v in value_bundles(equivalent, ISSUES)] == [0.5, 0.5, 0.5]
    assert codes(equivalent) == []  # equal for us, so no bundle dominates another


def test_an_outlier_is_named_and_the_tolerance_is_a_setting():
    sets = [bundle(1, 110, 45), bundle(2, 113.33, 60), bundle(3, 118, 45)]  # B3: ¾·0.9 + ¼·½ = 80 %
    (finding,) = [f for f in check_set(sets, ISSUES, 1) if f.code != "alike"]  # B1 and B3 also look alike
    assert finding.code == "equivalence"
    assert finding.message.startswith(
        "B3 is worth 80% to us, 33% above the set's mean of 60% (tolerance ±5%)"
    )
    assert codes(sets, tolerance=0.40) == ["alike"]


def test_a_bundle_under_the_floor_on_the_pressured_issue_is_an_error():
    (finding,) = check_set([bundle(1, 110, 45), bundle(2, 95, 30)], ISSUES, 1, tolerance=1.0)
    assert (finding.code, finding.severity) == ("floor", "error")
    assert finding.message.startswith("B2 breaks the firm floor on Price: 95 against 100.")


def test_a_bundle_worse_for_both_sides_is_dominated():
    # B1 (114, 30): us ¾·0.7 + ¼ = 77.5 %, them ¾·(1/25) = 3 %.
    # B2 (116, 45): us ¾·0.8 + ¼·½ = 72.5 %, them 0 (past their walk-away on price, at it on days).
    (finding,) = check_set([bundle(1, 114, 30), bundle(2, 116, 45)], ISSUES, 1, tolerance=1.0)
    assert finding.code == "dominated" and finding.message.startswith(
        "B2 is dominated by B1: worse for us (72% vs 78%)"
    )


def test_a_trade_off_is_not_dominated():
    # B2 is worse for us (¾·0.4 + ¼·⅓ = 38 %) but better for them (¾·0.28 + ¼·⅑ = 24 %) than B1 (50 %, 15 %).
    assert "dominated" not in codes([bundle(1, 110, 45), bundle(2, 108, 50)], tolerance=1.0)


def test_missing_values_and_set_size_are_reported():
    lonely = [MesoBundle(id=1, name="Only", terms=[MesoTerm(issue_id=1, value=110)])]
    assert codes(lonely) == ["size", "incomplete"]


def test_the_comparison_frame_scores_each_issue():
    frame = comparison_frame([bundle(1, 110, 45)], ISSUES)
    assert frame.to_dict("records") == [
        {"bundle": "B1", "issue": "Price", "value": 110.0, "score": 0.5},
        {"bundle": "B1", "issue": "Payment days", "value": 45.0, "score": 0.5},
    ]


def test_their_pick_over_rounds_reveals_what_they_value():
    # Round 1: they prefer the bundle with the later payment; round 2: they reject the cheaper one.
    bundles = [bundle(1, 110, 45, 1), bundle(2, 112, 60, 1), bundle(3, 110, 45, 2), bundle(4, 106, 30, 2)]
    picks = [MesoPick(bundle_id=2, round=1, reaction="preferred", recorded_at=T),
             MesoPick(bundle_id=4, round=2, reaction="rejected", recorded_at=T)]  # fmt: skip
    # Payment days: round 1 +1·(1.0 − 0.0) = +1; round 2 −1·(0 − 0) = 0 → +1.
    # Price: round 1 +1·(0.12 − 0.2) = −0.08; round 2 −1·(0.36 − 0.2) = −0.16 → −0.24.
    assert infer_their_priorities(bundles, picks, ISSUES) == {1: 1, 2: 5}
    assert infer_their_priorities(bundles, [], ISSUES) == {}


# ---- working on a round -------------------------------------------------------------------------------
def test_a_taken_name_gets_the_next_free_number():
    from core.meso import unique_name

    assert unique_name("Bundle 1", []) == "Bundle 1"
    assert unique_name("B1 (copy)", ["B1", "b1 (COPY)"]) == "B1 (copy) 2"
    assert unique_name("X", ["X", "X 2", "X 3"]) == "X 4"


def test_duplicating_a_bundle_twice_gives_two_different_names():
    from core.meso import duplicate_bundle

    once = duplicate_bundle([bundle(1, 110, 45)], 1)
    twice = duplicate_bundle(once, 1)
    assert [b.name for b in twice] == ["B1", "B1 (copy)", "B1 (copy) 2"]
    assert twice[2].id is None and twice[2].terms == twice[0].terms


def test_a_new_bundle_uses_the_typed_name_and_our_targets():
    from core.meso import add_bundle

    added = add_bundle([bundle(1, 110, 45)], ISSUES, 1, "  Price-led ")
    assert added[-1].name == "Price-led" and [t.value for t in added[-1].terms] == [120, 30]
    assert add_bundle([], ISSUES, 2)[-1].name == "Bundle 1" and add_bundle([], ISSUES, 2)[-1].round == 2


@pytest.mark.parametrize("name", ["", "   ", "B2", " b2 "])
def test_renaming_to_an_empty_or_taken_name_is_refused(name):
    from core.meso import rename_bundle
    from core.models import InvalidInput

    with pytest.raises(InvalidInput, match="New name"):
        rename_bundle([bundle(1, 110, 45), bundle(2, 113, 60)], 1, name)


def test_renaming_and_removing_address_bundles_by_id_not_by_name():
    from core.meso import remove_bundle, rename_bundle

    same = [bundle(1, 110, 45), bundle(2, 113, 60).model_copy(update={"name": "B1"})]  # a legacy clash
    renamed = rename_bundle(same, 2, "Term-led")
    assert [b.name for b in renamed] == ["B1", "Term-led"] and renamed[0].terms == same[0].terms
    assert [b.id for b in remove_bundle(same, 2)] == [1]


def test_the_grid_round_trips_edited_values_by_bundle_id():
    from core.meso import grid_column, read_grid, round_grid

    bundles = [bundle(1, 110, 45), bundle(2, 113, 60)]
    grid = round_grid(bundles, ISSUES)
    assert list(grid.columns) == ["Issue", "Our floor/ceiling", "Our target", "bundle_1", "bundle_2"]
    grid.loc[0, grid_column(bundles[1])] = 118.5
    read = read_grid(bundles, ISSUES, grid)
    assert [t.value for t in read[1].terms] == [118.5, 60] and read[0] == bundles[0]


def test_a_blank_in_the_grid_names_the_bundle_and_the_issue():
    from core.meso import read_grid, round_grid
    from core.models import InvalidInput

    bundles = [bundle(1, 110, 45)]
    grid = round_grid(bundles, ISSUES)
    grid.loc[1, "bundle_1"] = None
    with pytest.raises(InvalidInput, match="B1: set a value for Payment days"):
        read_grid(bundles, ISSUES, grid)


def test_the_next_round_copies_the_bundles_as_new_ones():
    from core.meso import next_round

    copies = next_round([bundle(1, 110, 45), bundle(2, 113, 60)], 3)
    assert [(b.id, b.round, b.name) for b in copies] == [(None, 3, "B1"), (None, 3, "B2")]


def test_two_bundles_of_one_round_with_one_name_are_found_case_insensitively():
    from core.models import duplicate_bundle_names

    other_round = bundle(3, 110, 45, round_no=2)
    assert duplicate_bundle_names([bundle(1, 110, 45), bundle(2, 1, 1).model_copy(update={"name": "b1 "}),
                                   other_round]) == ["B1", "b1 "]  # fmt: skip
    assert duplicate_bundle_names([bundle(1, 110, 45), bundle(2, 113, 60), other_round]) == []


def test_bundles_that_differ_on_fewer_than_two_issues_are_not_a_meso():
    same = check_set([bundle(1, 110, 45), bundle(2, 110, 45), bundle(3, 110, 45)], ISSUES, 1, tolerance=1.0)
    assert [f.code for f in same] == ["alike"] * 3
    assert same[0].message.startswith("B1 and B2 are identical: MESO bundles are different but equal")
    one = check_set([bundle(1, 110, 45), bundle(2, 112, 45)], ISSUES, 1, tolerance=1.0)
    assert [f.message.split(":")[0] for f in one] == ["B1 and B2 differ only on Price"]
    assert check_set([bundle(1, 110, 45), bundle(2, 113.33, 60)], ISSUES, 1, tolerance=1.0) == []


def test_a_new_bundle_starts_where_the_talks_stand():
    from core.meso import add_bundle, where_talks_stand
    from core.models import Concession

    lines = [Concession(id=1, item="a", issue_id=1, new_position=112, logged_at=T),
             Concession(id=2, item="b", issue_id=1, new_position=115, logged_at=T.replace(hour=10)),
             Concession(id=3, item="c", issue_id=2, logged_at=T.replace(hour=11))]  # fmt: skip
    start = where_talks_stand(ISSUES, lines)
    assert start == {1: 115, 2: 30}  # price from the latest offer; payment days at our target (never offered)
    assert [t.value for t in add_bundle([], ISSUES, 1, "", start)[0].terms] == [115, 30]


def test_a_decimal_comma_deals_grid_is_written_and_read_its_way():
    from core.formatting import number_convention
    from core.meso import editable_grid, read_grid
    from core.models import InvalidInput

    bundles = [bundle(1, 1750, 45)]
    with number_convention(True):
        grid = editable_grid(bundles, ISSUES)
        assert grid.loc[0, "bundle_1"] == "1.750" and read_grid(bundles, ISSUES, grid) == bundles
        grid.loc[0, "bundle_1"] = "1.820,5"
        assert read_grid(bundles, ISSUES, grid)[0].terms[0].value == 1820.5
        grid.loc[0, "bundle_1"] = "1,750"  # 1.75, or 1,750 the English way: refused, naming bundle and issue
        with pytest.raises(InvalidInput) as exc:
            read_grid(bundles, ISSUES, grid)
    assert exc.value.problems[0].startswith(f"B1 › {ISSUES[0].name}: '1,750' — did you mean 1.750 or 1,75?")


def test_every_issue_holds_its_own_floor_or_ceiling_in_every_bundle():
    from core.meso import check_set

    fuel = Issue(
        id=9, name="Fuel surcharge", unit="%", direction="ceiling", target=8, reservation=12, priority=2
    )
    issues = [*ISSUES, fuel]
    ok = MesoBundle(id=1, name="A", terms=[MesoTerm(issue_id=i.id, value=i.target) for i in issues])
    over = MesoBundle(id=2, name="From the log", terms=[*(MesoTerm(issue_id=i.id, value=i.target) for i in ISSUES),
                                                        MesoTerm(issue_id=9, value=13)])  # fmt: skip
    breaks = [
        f.message for f in check_set([ok, over], issues, pressured_issue_id=ISSUES[0].id) if f.code == "floor"
    ]
    assert breaks == [
        "From the log breaks our ceiling on Fuel surcharge: 13 % against 12 %. Every bundle must hold it."
    ]


def test_an_issue_no_pick_ever_told_apart_has_no_inferred_priority():
    from core.meso import infer_their_priorities

    a = bundle(1, 110, 45)
    b = bundle(2, 113, 45)  # payment days never differ: a pick says nothing about them
    picks = [MesoPick(bundle_id=1, round=1, reaction="preferred", recorded_at=T)]
    inferred = infer_their_priorities([a, b], picks, ISSUES)
    assert ISSUES[1].id not in inferred


def test_only_rounds_with_a_reaction_were_offered():
    from core.meso import offered_rounds

    picks = [MesoPick(bundle_id=1, round=1, reaction="preferred", recorded_at=T)]
    assert offered_rounds(picks) == {1} and offered_rounds([]) == set()

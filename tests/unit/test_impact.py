"""Money at stake per issue: rate × volume × years, signed for us on either side, and against a BATNA
priced per unit of the issue."""

import pandas as pd
import pytest

from core.impact import against_batna, money_at, move_impact, move_said, previous_position, stakes
from core.models import Alternative, Issue

# A buyer's freight renewal: a ceiling of 1,900 per container, 4,000 containers a year for 3 years.
RATE = Issue(id=7, name="Rate per 40ft container", unit="containers", direction="ceiling", target=1650,
             reservation=1900, their_walk_away=1750, volume=4000, years=3)  # fmt: skip
# A seller's licence price: a floor, 200 seats a year for 2 years.
SEAT = Issue(id=8, name="Price per seat", unit="seats", direction="floor", target=500, reservation=420,
             volume=200, years=2)  # fmt: skip
SECOND_CARRIER = Alternative(id=3, description="Second carrier", money=1820, per_unit_of=7)


def test_a_positions_money_is_rate_times_volume_times_years():
    assert money_at(RATE, 1790) == 1790 * 4000 * 3 == 21_480_000
    assert money_at(RATE.model_copy(update={"volume": None}), 1790) is None


@pytest.mark.parametrize(
    ("issue", "before", "after", "worth"),
    [
        (RATE, 1790, 1820, -360_000),  # a buyer accepting 30 more per container gives 360k
        (RATE, 1820, 1790, 360_000),
        (SEAT, 500, 480, -8_000),  # a seller lowering the seat price by 20 gives 8k
        (SEAT, 480, 500, 8_000),
    ],
)
def test_a_move_is_signed_for_us_whichever_side_we_are_on(issue, before, after, worth):
    assert move_impact(issue, before, after) == worth


def test_against_a_batna_priced_per_unit_a_buyer_sees_the_savings():
    assert against_batna(RATE, 1790, SECOND_CARRIER) == (1820 - 1790) * 12_000 == 360_000
    assert against_batna(RATE, 1900, SECOND_CARRIER) == -960_000  # our ceiling: worse than walking away
    total = SECOND_CARRIER.model_copy(update={"per_unit_of": None, "money": 22_000_000})
    assert against_batna(RATE, 1790, total) is None  # a total compares with the pressured issue only
    assert against_batna(RATE, 1790, total, pressured_issue_id=7) == 22_000_000 - 21_480_000
    assert against_batna(SEAT, 500, SECOND_CARRIER) is None  # priced per container, not per seat


def test_the_previous_position_is_the_last_one_logged_on_the_issue_before_the_line_else_our_target():
    log = pd.DataFrame(
        {"id": [1, 2, 3, 4], "issue_id": [7, 8, 7, 7], "new_position": [1700, 480, None, 1760]}
    )
    assert previous_position(log, RATE, before_line=4) == 1700
    assert previous_position(log, RATE) == 1760
    assert previous_position(log, RATE, before_line=1) == 1650  # nothing before: our planned opening
    assert previous_position(log.iloc[0:0], SEAT) == 500


def test_the_confirmation_says_what_the_move_is_worth_over_the_contract():
    assert move_said(RATE, 1790, 1820, "EUR") == (
        "Rate per 40ft container from 1,790 to 1,820: −360,000 EUR to us over 3 years (4,000 containers a year)"
    )
    assert move_said(RATE, 1790, 1790, "EUR") is None


def test_stakes_cover_the_issues_with_a_volume_in_order():
    (rate,) = stakes([RATE, RATE.model_copy(update={"id": 9, "volume": None})], SECOND_CARRIER)
    assert (rate.at_target, rate.at_reservation, rate.at_their_walk_away, rate.per_unit) == (
        19_800_000,
        22_800_000,
        21_000_000,
        12_000,
    )
    assert (rate.target_against_batna, rate.reservation_against_batna) == (2_040_000, -960_000)


def test_an_alternative_priced_per_unit_ranks_by_its_money_over_the_contract():
    from core.batna import best_alternative, contract_money, why_best
    from core.models import DealSide

    spot = Alternative(id=1, description="Spot market", money=2050, per_unit_of=7)
    tender = Alternative(id=2, description="Re-tender next year", money=23_000_000)  # a total
    assert contract_money(spot, [RATE]) == 2050 * 12_000 == 24_600_000
    assert contract_money(spot) == 2050  # without its issue it is read as it stands
    assert best_alternative([spot, tender], DealSide.buy, [RATE]).description == "Re-tender next year"
    assert (
        best_alternative([spot, tender], DealSide.buy).description == "Spot market"
    )  # 2,050 read as a total
    cheaper = spot.model_copy(update={"money": 1820})  # 21.84 M over the contract
    said = why_best([cheaper, tender], DealSide.buy, "EUR", [RATE])
    assert said.startswith("'Spot market' is the BATNA: it costs us the least if we walk away (1,820 EUR on Rate per "
                           "40ft container, 21,840,000 EUR over the contract)")  # fmt: skip

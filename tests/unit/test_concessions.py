"""The concession log's rules on small logs computed by hand."""

from datetime import datetime, timedelta

import pandas as pd
import pytest

from core.concessions import (
    balance_by_round,
    editor_frame,
    floor_breach,
    issue_limits,
    line_facts,
    read_corrections,
    review_log,
)
from core.formatting import number_convention, typed_amount
from core.models import Concession, InvalidInput, Issue

T0 = datetime(2026, 11, 20, 9, 0)
PRICE = Issue(id=1, name="Annual price", unit="EUR", target=120000, reservation=110000)
LEAD = Issue(id=2, name="Lead time", unit="weeks", direction="ceiling", target=8, reservation=14)


def line(n, item="Pilot", give="30-day pilot", get="Paid pilot", you=0.0, them=0.0, **kw):
    return Concession(id=n, item=item, you_give=give, you_get=get, value_to_you=you, value_to_them=them,
                      logged_at=T0 + timedelta(minutes=n), **kw)  # fmt: skip


@pytest.mark.parametrize(("get", "one_way"), [("", True), ("   ", True), ("Paid pilot", False)])
def test_a_line_without_a_get_is_one_way(get, one_way):
    assert review_log([line(1, get=get)], [], 0).lines["one_way"].tolist() == [one_way]


@pytest.mark.parametrize(
    ("you", "them", "joint"), [(-2000, 6000, True), (-2000, 2000, False), (-3000, 1000, False)]
)
def test_joint_value_means_the_pie_grew(you, them, joint):
    assert review_log([line(1, you=you, them=them)], [], 10**9).lines["joint_value"].tolist() == [joint]


@pytest.mark.parametrize(
    ("issue", "position", "message"),
    [
        (PRICE, 105000, "breaches the floor of 110,000 EUR on Annual price (new position 105,000)"),
        (PRICE, 110000, None),
        (PRICE, 118000, None),
        (LEAD, 16, "breaches the ceiling of 14 weeks on Lead time (new position 16)"),
        (LEAD, 12, None),
        (None, 1, None),
    ],
)
def test_floor_breach(issue, position, message):
    assert floor_breach(position, issue) == message
    linked = line(1, issue_id=issue.id if issue else None, new_position=position)
    assert review_log([linked], [PRICE, LEAD], 10**9).lines["floor_breach"].tolist() == [message]


def test_each_lines_facts_for_many_lines_at_once_are_the_single_lines_verdicts():
    """line_facts is the rule the store keeps per line and the pipeline counts: it must say of every line
    what the screen's own verdicts say (one-way as the model strips text, breaches as floor_breach)."""
    gets = ["", " ", "\u00a0", "\u2003\t", "Term", " x "]
    positions = [None, 105000, 109999.99, 110000, 118000, 12, 14, 14.01, 16]
    combos = [(g, p, i) for g in gets for p in positions for i in (None, PRICE.id, LEAD.id, 99)]
    lines = [line(k, get=g, issue_id=i, new_position=p) for k, (g, p, i) in enumerate(combos)]
    frame = pd.DataFrame(combos, columns=["you_get", "new_position", "issue_id"])  # as typed, not stripped
    facts = line_facts(frame, issue_limits([PRICE, LEAD]))
    by_id = {PRICE.id: PRICE, LEAD.id: LEAD}
    expected_breach = [floor_breach(c.new_position, by_id.get(c.issue_id)) is not None for c in lines]
    assert facts["breaches_floor"].tolist() == expected_breach
    assert facts["one_way"].tolist() == [
        c.you_get == "" for c in lines
    ]  # the model strips what line_facts strips
    # per "You get": six positions under the floor of 110,000 and six over the ceiling of 14 weeks
    assert sum(expected_breach) == 6 * (6 + 6)
    summary = review_log(lines, [PRICE, LEAD], 10**9).summary
    assert (summary.one_way, summary.floor_breaches) == (
        int(facts["one_way"].sum()),
        int(facts["breaches_floor"].sum()),
    )


def test_a_line_on_a_removed_issue_or_without_a_position_breaches_nothing():
    frame = pd.DataFrame(
        {"you_get": ["a", "b"], "new_position": [1.0, None], "issue_id": [PRICE.id, PRICE.id]}
    )
    assert line_facts(frame, issue_limits([]))["breaches_floor"].tolist() == [False, False]
    assert line_facts(frame, issue_limits([PRICE]))["breaches_floor"].tolist() == [True, False]


def test_a_line_without_a_new_position_cannot_breach():
    assert floor_breach(None, PRICE) is None
    assert review_log([line(1, issue_id=1)], [PRICE], 0).summary.floor_breaches == 0


def hand_log():
    return [
        line(1, item="Annual price", give="Hold 120k", get="Q1 rollout date", you=0, them=5000),
        line(2, item="Discount", give="Phase modules", get="List kept at renewal", you=-8000, them=15000, round=2),
        line(3, item="Onboarding", give="Two workshops", get="", you=-3000, them=4000, round=2),
        line(4, item="Price", give="Move to 105k", get="Three-year term", you=-15000, them=15000, round=3,
             issue_id=1, new_position=105000),
        line(5, item="Support", give="", get="Case study", you=2500, them=-500, round=3),
    ]  # fmt: skip


def test_the_whole_log_by_hand():
    review = review_log(hand_log(), [PRICE], mandate=22000)
    s = review.summary
    assert s.lines == 5
    assert s.balance == 0 - 8000 - 3000 - 15000 + 2500 == -23500
    assert (s.gives, s.gets) == (26000, 2500)
    assert s.one_way == 1
    assert s.reciprocated_share == pytest.approx(
        3 / 4
    )  # of our 4 gives, 3 got something; the pure get is no give
    assert s.unvalued_gives == 1  # 'Hold 120k' gives something we did not value
    assert s.joint_value_lines == 4  # the price move nets zero: 15,000 − 15,000
    assert s.floor_breaches == 1
    assert s.over_mandate == 4000 and s.needs_approval and s.mandate_left == 0
    assert review.lines["running_balance"].tolist() == [0, -8000, -11000, -26000, -23500]


def test_each_line_says_what_is_wrong_with_it():
    flags = review_log(hand_log(), [PRICE], mandate=22000).lines["flags"].tolist()
    assert flags[0] == ["unvalued give — it is not counted against the mandate: put a value on it"]
    assert flags[1] == [] and flags[4] == []
    assert flags[2] == [
        "one-way: you gave Two workshops and got nothing — pair it (if we move on Onboarding, we need …)"
    ]
    assert flags[3] == [
        "breaches the floor of 110,000 EUR on Annual price (new position 105,000)",
        "over the mandate by 4,000 — pending approval",
    ]


def test_within_the_mandate_nothing_needs_approval():
    s = review_log(hand_log(), [PRICE], mandate=26000).summary
    assert (s.over_mandate, s.needs_approval, s.mandate_left) == (0, False, 0)
    assert review_log(hand_log()[:2], [PRICE], mandate=26000).summary.mandate_left == 18000


def test_moving_after_a_final_offer_is_flagged():
    log = [line(1, you=-1000, final_offer=True, round=2), line(2, item="Extra", you=-500, round=3),
           line(3, item="Gain", you=800, round=3)]  # fmt: skip
    review = review_log(log, [], mandate=10000)
    assert review.lines["flags"][1] == [
        "moved after the final offer of round 2 — the next 'final' will not be believed"
    ]
    assert review.lines["flags"][2] == [] and review.summary.moved_after_final == 1


def test_removed_lines_do_not_count_and_order_is_by_time():
    log = [line(2, you=-100), line(1, you=-50), line(3, you=-999, deleted_at=T0)]
    review = review_log(log, [], mandate=0)
    assert review.lines["id"].tolist() == [1, 2]
    assert review.summary.balance == -150


def test_an_empty_log():
    s = review_log([], [], mandate=5000).summary
    assert (s.lines, s.balance, s.reciprocated_share, s.mandate_left) == (0, 0, None, 5000)
    assert balance_by_round(review_log([], [], 0)).empty


def test_balance_by_round_in_round_order_even_when_logged_late():
    log = [line(1, you=-1000, round=1), line(2, you=300, round=2), line(3, you=-200, round=1)]
    frame = balance_by_round(review_log(log, [], 0))
    assert frame.to_dict("records") == [
        {"round": 1, "gave": -1200.0, "got": 0.0, "balance": -1200.0},
        {"round": 2, "gave": 0.0, "got": 300.0, "balance": -900.0},
    ]


def test_corrections_become_changed_lines_and_removals():
    log = hand_log()
    edited = editor_frame(log, [PRICE])
    assert list(edited["id"]) == [5, 4, 3, 2, 1]  # newest first, as the live table
    edited.loc[3, "Value to you"] = "-6,000"  # typed as text, read by the one parser
    edited.loc[2, "Remove"] = True
    edited.loc[0, "Linked issue"] = "Annual price"
    changed, removed = read_corrections(log, edited, [PRICE])
    assert removed == [3]
    assert sorted((c.id, c.value_to_you, c.issue_id) for c in changed) == [(2, -6000, None), (5, 2500, 1)]


def test_bad_corrections_name_the_row_and_column_and_nothing_is_returned():
    log = hand_log()
    edited = editor_frame(log, [PRICE])
    edited.loc[4, "Item"] = ""
    edited.loc[1, "New position"] = "-5"
    with pytest.raises(InvalidInput) as exc:
        read_corrections(log, edited, [PRICE])
    assert exc.value.problems == [  # rows as numbered on screen, newest first
        "Row 2 (Price), New position: must be at least 0 (got -5)",
        "Row 5 (Annual price), Item: must not be empty",
    ]


def test_a_decimal_comma_deals_corrections_are_written_and_read_its_way():
    log = hand_log()
    with number_convention(True):
        edited = editor_frame(log, [PRICE])
        assert edited.loc[3, "Value to you"] == typed_amount(log[1].value_to_you)  # as the deal writes it
        assert read_corrections(log, edited, [PRICE]) == ([], [])  # what the table wrote reads back unchanged
        edited.loc[3, "Value to you"] = "-6.000"  # a German six thousand, not six
        edited.loc[4, "Value to them"] = "1.250,5"
        changed, _ = read_corrections(log, edited, [PRICE])
        assert sorted((c.id, c.value_to_you, c.value_to_them) for c in changed) == [
            (1, log[0].value_to_you, 1250.5),
            (2, -6000, log[1].value_to_them),
        ]
        edited.loc[3, "Value to you"] = "-6,000"  # six, or six thousand the English way? refused, not guessed
        with pytest.raises(InvalidInput) as exc:
            read_corrections(log, edited, [PRICE])
    assert exc.value.problems[0].startswith("Row 4 (")
    assert "did you mean -6.000 or -6? write -6000 for -6.000" in exc.value.problems[0]


def test_an_untouched_table_has_no_corrections():
    log = hand_log()
    assert read_corrections(log, editor_frame(log, [PRICE]), [PRICE]) == ([], [])
    assert isinstance(editor_frame(log, [PRICE]), pd.DataFrame)


def test_the_store_frame_gives_the_same_verdicts_as_the_models(demo_store):
    issues = demo_store.preparation.list_issues(1)
    from_models = review_log(demo_store.concessions.list_concessions(1), issues, 12000)
    from_frame = review_log(demo_store.concessions.concession_frame(1), issues, 12000)
    assert from_models.summary == from_frame.summary
    assert from_models.lines["flags"].tolist() == from_frame.lines["flags"].tolist()


@pytest.mark.parametrize(
    ("share", "colour"),
    [(None, None), (1.0, "green"), (0.8, "green"), (0.79, "orange"), (0.5, "orange"), (0.49, "red")],
)
def test_the_reciprocated_share_reads_green_orange_or_red(share, colour):
    from core.concessions import reciprocity_colour

    assert reciprocity_colour(share) == colour


@pytest.mark.parametrize(
    ("breach", "over", "severe"), [(None, 0.0, False), ("below the floor", 0.0, True), (None, 1.0, True)]
)
def test_a_breached_floor_or_a_give_over_the_mandate_is_severe(breach, over, severe):
    from core.concessions import is_severe

    assert is_severe(breach, over) is severe


def test_a_save_of_corrections_says_which_lines_it_corrected_and_removed():
    from core.concessions import corrections_saved

    a = Concession(item="Price", logged_at=T0)
    b = Concession(item="Pilot", logged_at=T0)
    assert corrections_saved([a], [b]) == "Saved: corrected 1 line: 'Price'; removed 1 line: 'Pilot'."
    assert corrections_saved([a, b], []) == "Saved: corrected 2 lines: 'Price', 'Pilot'."


def test_a_correction_to_a_line_removed_meanwhile_is_a_conflict_naming_it(demo_store):
    from core.store import Conflict

    lines = demo_store.concessions.list_concessions(1)
    demo_store.concessions.remove_concession(1, lines[0].id)
    with pytest.raises(Conflict, match=f"Concession '{lines[0].item}' .* was removed by someone else"):
        demo_store.concessions.update_concessions(1, [lines[0].model_copy(update={"item": "x"})], read=lines)


def test_the_totals_the_screen_shows_first_agree_with_the_review_after_every_kind_of_write(demo_store):
    """The live figure and the confirmation read the store's totals and the line itself, before the log is
    reviewed again: after logging, undoing, restoring and correcting they say what the review says."""
    from core.concessions import LogTotals

    deal_id = 1
    deal, issues = demo_store.deals.get_deal(deal_id), demo_store.preparation.list_issues(deal_id)

    def agree():
        summary = review_log(demo_store.concessions.concession_frame(deal_id), issues, deal.mandate).summary
        totals = demo_store.concessions.log_totals(deal_id)
        assert (totals.lines, totals.one_way) == (summary.lines, summary.one_way)
        assert totals.balance == pytest.approx(summary.balance) and totals.gives == pytest.approx(
            summary.gives
        )
        assert totals.gets == pytest.approx(summary.gets)
        return totals

    before = agree()
    new_id = demo_store.concessions.add_concession(
        deal_id, Concession(item="Pilot", you_give="30-day pilot", value_to_you=-2500, logged_at=T0)
    )
    after = agree()
    assert (after.lines, after.one_way) == (before.lines + 1, before.one_way + 1)
    assert after.balance == pytest.approx(before.balance - 2500)
    assert demo_store.concessions.live_concession(deal_id, new_id).item == "Pilot"
    demo_store.concessions.remove_concession(deal_id, new_id)  # the undo
    assert demo_store.concessions.live_concession(deal_id, new_id) is None
    assert agree() == before
    demo_store.concessions.restore_concession(deal_id, new_id)
    line = demo_store.concessions.live_concession(deal_id, new_id)
    demo_store.concessions.update_concessions(
        deal_id, [line.model_copy(update={"you_get": "paid pilot"})], read=[line]
    )
    assert agree().one_way == before.one_way
    assert demo_store.concessions.live_concession(2, new_id) is None  # a line is found only in its own deal
    empty = demo_store.deals.create_deal(deal.model_copy(update={"id": None, "name": "Empty log"}), None)
    assert demo_store.concessions.log_totals(empty) == LogTotals()


def test_a_logged_line_is_said_back_as_stored():
    from core.concessions import read_as

    line = Concession(item="Pilot", value_to_you=-2500, value_to_them=4000, new_position=120000, logged_at=T0)
    assert read_as(line, "EUR") == "Read as: to us −2,500 EUR · to them +4,000 EUR · new position 120,000"
    assert read_as(line.model_copy(update={"new_position": None, "value_to_them": 0}), "") == (
        "Read as: to us −2,500 · to them 0"
    )


def test_the_talks_are_in_the_highest_round_logged_or_the_first():
    assert review_log([], [PRICE], 0).latest_round == 1
    lines = [
        Concession(item="a", round=3, logged_at=T0),
        Concession(item="b", round=2, logged_at=T0 + timedelta(1)),
    ]
    assert review_log(lines, [PRICE], 0).latest_round == 3

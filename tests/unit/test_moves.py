"""Moves, templates, readiness and pitfalls: each rule on hand-built cases and on the demo deals."""

from datetime import date, datetime

import pytest

from core.models import (
    Alternative,
    AnchorWorksheet,
    Concession,
    Context,
    Counterparty,
    Deal,
    DealSide,
    Evidence,
    InvalidInput,
    Issue,
    PowerAssessment,
    PowerScore,
    Stage,
    Stakeholder,
    validate,
)
from core.moves import (
    Blank,
    _risk_and_remedy,
    anchor_gaps,
    fill_templates,
    load_playbook,
    move_status,
    moves_for_stage,
    next_stage,
    pitfalls,
    readiness,
    readiness_score,
)

TODAY = date(2026, 11, 25)
PLAYBOOK = load_playbook()
T = datetime(2026, 11, 20, 9)


def test_the_seeds_move_table_is_data_with_six_moves_and_five_steps():
    assert [m.move for m in PLAYBOOK.moves] == [
        "Publish standards and floors", "Calibrated deadline", "Give-get pairing", "Coalition or policy leverage",
        "Single-text convergence", "Post-close enforcement",
    ]  # fmt: skip
    assert [s.stage for s in PLAYBOOK.steps] == list(Stage)
    assert set(PLAYBOOK.contexts) == {"sales", "partnership", "procurement", "hiring"}
    give_get = next(m for m in PLAYBOOK.moves if m.key == "give_get_pairing")
    assert (give_get.signal, give_get.risk_and_safeguard) == (
        "One-way asks persist",
        "Park issue or escalate sponsors",
    )


@pytest.mark.parametrize(
    ("stage", "first"),
    [(Stage.setup, ["Publish standards and floors"]),
     (Stage.midgame, ["Calibrated deadline", "Give-get pairing", "Coalition or policy leverage"]),
     (Stage.close, ["Single-text convergence"]), (Stage.first_move, [])],
)  # fmt: skip
def test_the_current_stages_moves_come_first(stage, first):
    ordered = moves_for_stage(PLAYBOOK.moves, stage)
    assert [m.move for m in ordered[: len(first)]] == first
    assert len(ordered) == 6


def test_stages_advance_in_order_and_stop_at_implementation():
    assert next_stage(Stage.setup) == Stage.first_move
    assert next_stage(Stage.close) == Stage.implementation
    assert next_stage(Stage.implementation) is None


def test_an_observed_signal_turns_a_move_to_adjust_or_stop():
    move = PLAYBOOK.moves[2]
    assert move_status(move, set()) == "use"
    assert move_status(move, {"give_get_pairing"}) == "adjust/stop"


@pytest.mark.parametrize(
    ("trigger", "expected"),
    [("If the audit fails, the launch pauses", ("the audit fails", "the launch pauses")),
     ("Margin reverts to 20 % if volume < 450k.", ("volume < 450k", "Margin reverts to 20 %")),
     ("Only with a signed order", None)],
)  # fmt: skip
def test_a_contingency_is_read_as_risk_and_remedy(trigger, expected):
    assert _risk_and_remedy([Concession(item="x", trigger=trigger, logged_at=T)]) == expected


def deal_args(store, deal_id):
    deal = store.deals.get_deal(deal_id)
    cp = store.deals.get_counterparty(deal.counterparty_id)
    return (deal, store.preparation.list_issues(deal_id), store.preparation.list_evidence(deal_id), store.preparation.list_alternatives(deal_id),
            store.concessions.list_concessions(deal_id), store.deals.list_stakeholders(cp.id))  # fmt: skip


def test_templates_filled_from_a_demo_deal(demo_store):
    one, two, three, four, five = fill_templates(*deal_args(demo_store, 1), TODAY)
    assert one.text == (
        "“Our floor on Annual price is 110,000 EUR based on Peer SaaS price benchmark: median 124k for this scope "
        "(Gartner peer pricing survey 2026). If we move on Hold 120k through month end, we would need Commitment to "
        "a Q1 rollout date to keep the deal investable.”"
    )
    assert two.text == ("“This offer is valid until 01 December 2026 because Pricing held through month end while we "
                        "secure capacity for their Q1 rollout. After that, we allocate resources elsewhere.”")  # fmt: skip
    assert three.complete and "Case study published within 90 days of go-live" in three.text
    assert not four.complete  # Northwind's triggers are not written as "If X, Y"
    assert five.text == ("“To escalate constructively, let’s schedule a sponsor-to-sponsor call with Mara Keller (CFO) "
                         "by 26 November 2026 before we decide on alternatives.”")  # fmt: skip


def test_a_deal_with_nothing_filled_marks_every_blank_and_where_to_fill_it():
    templates = fill_templates(Deal(name="Empty", context="sales", owner="Ana"), [], [], [], [], [], TODAY)
    assert [t.complete for t in templates] == [False] * 5
    blanks = {b.label: b.screen for t in templates for b in t.blanks}
    assert blanks == {
        "issue": "Prepare", "your ask": "Concessions", "give": "Concessions", "date": "Prepare",
        "capacity or budget cadence": "Prepare", "term": "Concessions", "verification/governance": "Concessions",
        "alternative plan": "Prepare", "risk": "Concessions", "contingent remedy": "Concessions",
        "sponsor-to-sponsor": "Prepare",
    }  # fmt: skip
    assert "[date: set the deal's deadline]" in templates[1].text
    assert isinstance(templates[0].parts[1], Blank)


# ---- readiness ---------------------------------------------------------------------------------------
READY = dict(
    deal=Deal(name="D", context="sales", owner="Ana", deadline=date(2026, 12, 1), deadline_reason="Q1 capacity",
              deadline_evidence_id=1),
    issues=[Issue(id=1, name="Price", target=10, reservation=9, evidence_id=1)],
    alternatives=[Alternative(description="A", money=5), Alternative(description="B", time_days=30)],
    one_way=0,
    stakeholders=[Stakeholder(name="CFO", veto=True)],
)  # fmt: skip


def names_failing(**changes):
    return [c.name for c in readiness(**{**READY, **changes}) if c.met is False]


def test_a_ready_deal_meets_every_check():
    assert names_failing() == [] and readiness_score(readiness(**READY)) == 1.0


@pytest.mark.parametrize(
    ("changes", "failing"),
    [
        ({"alternatives": []}, ["BATNA quantified", "At least two credible alternatives"]),
        ({"alternatives": [Alternative(description="A"), Alternative(description="B")]},
         ["BATNA quantified", "At least two credible alternatives"]),
        ({"issues": [Issue(id=1, name="Price", target=10, reservation=9)]}, ["Floors set with evidence"]),
        ({"issues": []}, ["Floors set with evidence"]),
        ({"one_way": 1}, ["Every concession paired"]),
        ({"deal": READY["deal"].model_copy(update={"deadline_evidence_id": None})}, ["Deadline tied to a real constraint"]),
        ({"stakeholders": [Stakeholder(name="Analyst")]}, ["Escalation path"]),
        ({"floor_breaches": 2}, ["Floors held"]),
        ({"gives": 1.0}, ["Gives within the mandate"]),  # a mandate of 0: any give is past it
    ],
)  # fmt: skip
def test_each_readiness_check_fails_on_its_own(changes, failing):
    assert names_failing(**changes) == failing


def test_a_breach_or_an_overrun_never_reads_as_nearly_ready():
    from core.moves import readiness_colour

    assert readiness_colour(readiness(**READY)) == "green"
    mostly = readiness(**{**READY, "floor_breaches": 1})
    assert readiness_score(mostly) >= 0.8 and readiness_colour(mostly) == "red"
    assert readiness_colour(readiness(**{**READY, "gives": 500.0})) == "red"


def test_no_deadline_is_not_a_readiness_gap_and_the_close_judges_the_single_text():
    from core.models import Clause, SingleText, TextVersion

    assert (
        names_failing(deal=READY["deal"].model_copy(update={"deadline": None, "deadline_evidence_id": None}))
        == []
    )
    closing = READY["deal"].model_copy(update={"stage": "close"})
    checks = readiness(**{**READY, "deal": closing})
    assert checks[-1].name == "Single text at close" and checks[-1].met is False
    assert checks[-1].reason.startswith("no single text yet") and checks[-1].screen == "Single text"
    agreed = Clause(number=1, kind="issue", title="Price", issue_id=1, position=10, status="agreed",
                    verification="invoice audit")  # fmt: skip
    text = SingleText(versions=[TextVersion(number=2, saved_at=T, clauses=[agreed])])
    checks = readiness(**{**READY, "deal": closing, "single_text": text})
    assert checks[-1].met is True and readiness_score(checks) == 1.0
    assert "Single text at close" not in names_failing()  # before the close it is not asked


# ---- pitfalls ----------------------------------------------------------------------------------------
CP = Counterparty(name="Acme")
PAIRED = [Concession(item="x", you_give="a", you_get="b", logged_at=T)]


def detected(**changes):
    args = {"deal": READY["deal"], "counterparty": CP, "issues": READY["issues"],
            "alternatives": [Alternative(description="A", money=5, evidence_id=1)], "concessions": PAIRED}  # fmt: skip
    return {p.name: p.detected for p in pitfalls(**{**args, **changes})}


def test_a_clean_deal_detects_no_pitfall_and_prompts_the_rest():
    found = detected()
    assert [n for n, d in found.items() if d] == []
    assert [n for n, d in found.items() if d is None] == [
        "Hard-line tone that threatens face",
        "Timing errors",
    ]


@pytest.mark.parametrize(
    ("changes", "name"),
    [
        ({"issues": [Issue(id=1, name="Price", target=10, reservation=9)],
          "concessions": [Concession(item="Open", you_get="x", round=1, issue_id=1, new_position=10, logged_at=T)]},
         "Anchoring without credibility"),
        ({"concessions": [Concession(item="x", logged_at=T)]}, "Conceding without reciprocity"),
        ({"deal": READY["deal"].model_copy(update={"deadline_reason": ""})}, "Over-reliance on deadlines"),
        ({"issues": [READY["issues"][0], Issue(id=2, name="Term", target=3, reservation=1)],
          "concessions": [Concession(item=f"p{n}", you_get="x", issue_id=1, new_position=9.5, round=2, logged_at=T)
                          for n in range(2)]},
         "Ignoring non-price issues"),
        ({"concessions": [Concession(item="final", you_get="x", value_to_you=-1, final_offer=True, logged_at=T),
                          Concession(item="again", you_get="y", value_to_you=-1, logged_at=T.replace(hour=10))]},
         "Timing errors"),
        ({"alternatives": [Alternative(description="A", money=5)]}, "Bluffing about BATNA"),
    ],
)  # fmt: skip
def test_each_pitfall_is_detected_from_data(changes, name):
    found = detected(**changes)
    assert found[name] is True
    assert [n for n, d in found.items() if d is True] == [name]


def test_the_store_records_signals_and_stage_changes(demo_store):
    assert demo_store.deals.observed_signals(1) == set()
    demo_store.deals.observe_signal(1, "give_get_pairing", "asked twice for free workshops")
    assert demo_store.deals.observed_signals(1) == {"give_get_pairing"}
    demo_store.deals.clear_signal(1, "give_get_pairing")
    assert demo_store.deals.observed_signals(1) == set()
    demo_store.deals.advance_stage(1, "close")
    assert demo_store.deals.get_deal(1).stage == Stage.close
    events = demo_store.deals.list_events(1, kinds=["stage", "signal"])
    assert events[["kind", "subject", "old_value", "new_value"]].values.tolist()[0] == [
        "stage",
        "Deal · Stage",
        "midgame",
        "close",
    ]
    assert events["note"].tolist()[-1] == "asked twice for free workshops" and events["changed_by"].iloc[0]


def test_evidence_used_by_templates_is_looked_up_by_id():
    ev = Evidence(id=5, title="Should-cost model", source="Cost engineering", date=date(2026, 1, 1))
    issue = Issue(id=1, name="Unit price", unit="EUR/housing", direction="ceiling", target=8.4, reservation=8.8,
                  evidence_id=5)  # fmt: skip
    deal = Deal(name="D", context="procurement", owner="M", pressured_issue_id=1)
    (one, *_rest) = fill_templates(deal, [issue], [ev], [], [], [], TODAY)
    assert one.text.startswith(  # a buyer's price: its ceiling, never called a floor
        "“Our ceiling on Unit price is 8.80 EUR/housing based on Should-cost model (Cost engineering)."
    )
    assert one.name == "Ceiling and its standard"
    assert one.cautions == [
        "Said aloud, this line gives away our private ceiling on Unit price (8.80 EUR/housing). Write the credible "
        "range in its anchor worksheet on Prepare: the line then says the firm line we chose to publish instead."
    ]
    sheet = AnchorWorksheet(
        issue_id=1, range_low=8.1, range_high=8.5, benchmark_ids=[5], rationale="Should-cost"
    )
    (one, *_rest) = fill_templates(deal, [issue], [ev], [], [], [], TODAY, {1: sheet})
    assert (
        one.text.startswith("“Our ceiling on Unit price is 8.50 EUR/housing based on") and one.cautions == []
    )


@pytest.mark.parametrize(
    ("trigger", "said"),
    [
        (
            "If Drewry index rises above 2,000, the rate follows",
            "We can accept Fuel surcharge only if Drewry index rises",
        ),
        (
            "Only with a quarterly audit",
            "We can accept Fuel surcharge only with a quarterly audit, otherwise",
        ),
        (
            "Drewry index published monthly",
            "We can accept Fuel surcharge only with Drewry index published monthly,",
        ),
    ],
)
def test_a_pasted_trigger_reads_as_a_sentence(trigger, said):
    deal = Deal(name="D", context="procurement", owner="M")
    line = Concession(item="Fuel surcharge", you_give="x", trigger=trigger, logged_at=T)
    three = fill_templates(deal, [], [], [], [line], [], TODAY)[2]
    assert said in three.text and "with If" not in three.text and "only only" not in three.text


def test_a_deadline_line_said_while_time_leans_their_way_is_flagged():
    deal = Deal(name="D", context="procurement", owner="M", deadline=date(2026, 12, 16), deadline_reason="x")
    leaning = PowerAssessment(assessed_at=T, scores=[PowerScore(source="time", side="us", score=1),
                                                     PowerScore(source="time", side="them", score=4)])  # fmt: skip
    two = fill_templates(deal, [], [], [], [], [], TODAY, None, leaning)[1]
    assert two.cautions[0].startswith("Time leans their way in the latest assessment (1 for us, 4 for them)")
    even = leaning.model_copy(update={"scores": [PowerScore(source="time", side="us", score=4),
                                                 PowerScore(source="time", side="them", score=4)]})  # fmt: skip
    assert fill_templates(deal, [], [], [], [], [], TODAY, None, even)[1].cautions == []


def test_the_batna_is_the_best_alternative_not_the_first_entered():
    from core.batna import best_alternative, ranked, why_best

    sell = DealSide.sell
    first = Alternative(description="Keep the old supplier", money=40_000)
    better = Alternative(description="Second source", money=55_000, time_days=30)
    quicker = Alternative(description="Spot market", money=55_000, time_days=5)
    assert best_alternative([first, better], sell) is better
    assert ranked([first, better, quicker], sell) == [quicker, better, first]  # equal value: the quicker wins
    assert "worth the most to us" in why_best([first, better], sell, "EUR") and "55,000 EUR" in why_best(
        [first, better], sell, "EUR"
    )
    marked = first.model_copy(
        update={"best": True, "best_reason": "the only one with a signed frame contract"}
    )
    assert best_alternative([marked, better], sell) is marked
    assert why_best([marked, better], sell) == ("'Keep the old supplier' is the BATNA because it is marked as our "
                                                "best alternative: the only one with a signed frame contract.")  # fmt: skip
    assert best_alternative([], sell) is None


def test_a_buyers_batna_is_the_alternative_that_costs_least():
    from core.batna import best_alternative, ranked, why_best

    spot = Alternative(description="Spot market", money=2050, time_days=0, risk=4)
    carrier = Alternative(description="Second carrier", money=1820, time_days=42, risk=2)
    assert best_alternative([spot, carrier], DealSide.buy) is carrier
    assert best_alternative([spot, carrier], DealSide.sell) is spot
    assert ranked([spot, carrier], DealSide.buy) == [carrier, spot]
    said = why_best([spot, carrier], DealSide.buy, "EUR")
    assert said.startswith("'Second carrier' is the BATNA: it costs us the least if we walk away (1,820 EUR)")


def test_a_deal_without_a_side_reads_it_from_its_context():
    sides = {c: Deal(name="D", context=c, owner="Ana").side for c in Context}
    assert sides == {Context.procurement: DealSide.buy, Context.hiring: DealSide.buy, Context.sales: DealSide.sell,
                     Context.partnership: DealSide.sell}  # fmt: skip
    assert Deal(name="D", context="procurement", owner="Ana", side="sell").side is DealSide.sell


def test_the_batna_is_checked_against_the_ceiling_and_the_deadline():
    from core.batna import batna_checks

    rate = Issue(
        id=1, name="Rate per 40ft container", unit="EUR", direction="ceiling", target=1650, reservation=1900
    )
    deal = Deal(name="Freight renewal", context="procurement", owner="Ana", pressured_issue_id=1,
                deadline=date(2026, 12, 16))  # fmt: skip
    spot = Alternative(description="Spot market", money=2050, risk=4)
    carrier = Alternative(description="Second carrier", money=1820, time_days=42, risk=2)
    said = batna_checks(deal, [spot, carrier], [rate], date(2026, 11, 25))
    assert said[0].startswith("Our BATNA 'Second carrier' costs 1,820 EUR, less than our ceiling of 1,900 on "
                              "Rate per 40ft container")  # fmt: skip
    assert "Lower the ceiling to at most 1,820" in said[0]
    assert said[1].startswith("Switching to 'Second carrier' takes 42 days; the deadline is in 21.")
    high = rate.model_copy(update={"reservation": 1800})
    assert (
        batna_checks(deal.model_copy(update={"deadline": None}), [spot, carrier], [high], date(2026, 11, 25))
        == []
    )
    seller = Deal(name="SaaS", context="sales", owner="Ana", pressured_issue_id=1)
    price = Issue(
        id=1, name="Annual price", unit="EUR", direction="floor", target=120_000, reservation=100_000
    )
    walk = Alternative(description="Another customer", money=105_000)
    assert (
        "Raise the floor to at least 105,000" in batna_checks(seller, [walk], [price], date(2026, 11, 25))[0]
    )


def test_the_pipeline_reads_the_same_batna_as_the_rule(demo_store):
    from datetime import date

    from core.batna import best_alternative
    from core.pipeline import pipeline_frame

    alternatives = demo_store.preparation.list_alternatives(1)
    demo_store.preparation.replace_alternatives(
        1, [*alternatives, Alternative(description="Unproven option", money=999_999)]
    )
    facts = demo_store.queries.pipeline(date(2026, 11, 25)).set_index("id").loc[1]
    row = pipeline_frame(demo_store, date(2026, 11, 25)).set_index("id").loc[1]
    best = best_alternative(demo_store.preparation.list_alternatives(1), demo_store.deals.get_deal(1).side)
    assert best.description == "Unproven option" and facts["batna_money"] == 999_999
    assert bool(row["w_bluff_guard"]) == (
        best.evidence_id is None
    )  # judged on the best one, as the rule does


# ---- the anchor worksheet -----------------------------------------------------------------------------
OPENED = {"issues": [Issue(id=1, name="Price", target=10, reservation=9)],
          "concessions": [Concession(item="Open", you_get="x", round=1, issue_id=1, new_position=10, logged_at=T)]}  # fmt: skip
COMPLETE = AnchorWorksheet(
    issue_id=1, range_low=9.5, range_high=11, benchmark_ids=[1], rationale="Peers pay 10.5"
)


@pytest.mark.parametrize(
    ("sheet", "gaps"),
    [
        (None, ["a credible range", "an external benchmark", "a narrative rationale"]),
        (AnchorWorksheet(issue_id=1, range_low=9.5), ["a credible range", "an external benchmark", "a narrative rationale"]),
        (COMPLETE.model_copy(update={"rationale": " "}), ["a narrative rationale"]),
        (COMPLETE.model_copy(update={"benchmark_ids": []}), ["an external benchmark"]),
        (COMPLETE, []),
    ],
)  # fmt: skip
def test_an_anchor_worksheet_says_what_it_lacks(sheet, gaps):
    assert anchor_gaps(sheet) == gaps


def test_a_complete_worksheet_makes_an_opening_position_credible():
    assert detected(**OPENED)["Anchoring without credibility"] is True
    assert detected(**OPENED, anchors={1: COMPLETE.model_copy(update={"benchmark_ids": []})})[
        "Anchoring without credibility"] is True  # fmt: skip
    assert detected(**OPENED, anchors={1: COMPLETE})["Anchoring without credibility"] is False


def test_a_credible_range_runs_low_to_high():
    with pytest.raises(InvalidInput, match="^Credible range: the low end 12 is above the high end 11$"):
        validate(AnchorWorksheet, {"issue_id": 1, "range_low": 12, "range_high": 11})


def test_the_worksheets_benchmark_backs_a_floor_without_evidence_and_history_keeps_it(demo_store):
    price = next(i for i in demo_store.preparation.list_issues(1) if i.name == "Annual price")
    demo_store.preparation.replace_issues(1, [i.model_copy(update={"evidence_id": None}) if i.id == price.id else i
                                  for i in demo_store.preparation.list_issues(1)])  # fmt: skip
    benchmark = demo_store.preparation.list_evidence(1)[0]
    other = demo_store.preparation.list_evidence(2)[0].id
    with pytest.raises(
        InvalidInput, match=f"External benchmarks: evidence {other} is not in this deal's evidence pack"
    ):
        demo_store.preparation.save_anchor(1, AnchorWorksheet(issue_id=price.id, benchmark_ids=[other]))
    demo_store.preparation.save_anchor(1, AnchorWorksheet(issue_id=price.id, range_low=115000, range_high=130000,
                                              benchmark_ids=[benchmark.id], rationale="Peers pay more"))  # fmt: skip
    anchors = demo_store.preparation.list_anchors(1)
    one = fill_templates(*deal_args(demo_store, 1), TODAY, anchors)[0]
    # the firm line we publish (the range's low end for a floor), never our private floor of 110,000
    assert f"is 115,000 EUR based on {benchmark.title} ({benchmark.source})" in one.text
    assert demo_store.deals.list_events(1)["subject"].iloc[0] == "Anchor worksheet 'Annual price' added"

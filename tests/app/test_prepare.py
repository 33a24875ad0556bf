"""The app start and the Prepare screen, through Streamlit's AppTest."""

import pytest

from core.store import Store


@pytest.fixture
def app(app):
    """Every test here starts on the Prepare screen (the app opens on the Pipeline)."""
    return lambda deal=None, page="pages/prepare.py": app(deal=deal, page=page)


def errors(at):
    return [e.value for e in at.error]


def test_the_app_starts_on_the_demo_pipeline_with_the_first_deal(app):
    at = app()
    assert not at.exception
    picker = at.sidebar.selectbox(key="deal_picker")
    assert len(picker.options) == 12
    assert picker.value == 1
    assert at.subheader[0].value == "Prepare · Northwind — enterprise SaaS annual"
    assert "# 95,000 EUR" in [m.value for m in at.markdown]  # the BATNA, biggest on screen
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Mandate"] == "12,000 EUR"
    assert metrics["Issues with a ZOPA"] == "4 of 4"
    assert at.query_params["deal"] == "1"


def test_a_link_with_a_deal_opens_that_deal(app):
    at = app(deal=4)
    assert at.sidebar.selectbox(key="deal_picker").value == 4
    assert at.subheader[0].value == "Prepare · Kessler — die-cast housings should-cost"


def test_a_link_to_a_missing_deal_says_so_and_shows_the_first(app):
    at = app(deal=999, page=None)  # the link opens the start page
    assert not at.exception
    assert at.sidebar.warning[0].value == "There is no deal with id 999; showing the first deal instead."
    at.switch_page("pages/prepare.py").run()
    assert at.subheader[0].value == "Prepare · Northwind — enterprise SaaS annual"


def fill_new_deal(at, **values):
    for key, value in values.items():
        if key == "decimal_comma":
            at.checkbox(key=f"new_deal__{key}").set_value(value)
        else:  # names and amounts alike are typed as text
            at.text_input(key=f"new_deal__{key}").set_value(str(value))
    at.button(key="new_deal__create").click()
    return at.run()


def test_creating_a_deal_puts_it_in_the_picker_and_opens_it(app, db_path):
    at = fill_new_deal(
        app(),
        name="Orion — data platform",
        owner="Lea Moreau",
        cp_name="Orion Foods",
        value=250000,
        mandate=10000,
    )
    assert errors(at) == []
    assert at.success[0].value.startswith("Created deal 'Orion — data platform'")
    picker = at.sidebar.selectbox(key="deal_picker")
    assert len(picker.options) == 13 and picker.value == 13
    assert at.subheader[0].value == "Prepare · Orion — data platform"
    assert at.query_params["deal"] == "13"
    deal = Store.open(db_path).deals.get_deal(13)  # the app's own store: same process, same file
    assert (deal.value, deal.mandate, deal.owner) == (250000, 10000, "Lea Moreau")


def test_bad_new_deal_input_shows_each_problem_and_stores_nothing(app):
    at = fill_new_deal(app(), name="  ", owner="Ana", mandate=-5)
    (message,) = errors(at)
    assert "Nothing was saved" in message
    assert "- Name: must not be empty" in message
    assert "- Mandate: must be at least 0 (got -5)" in message
    assert "- Counterparty › Name: must not be empty" in message
    assert len(at.sidebar.selectbox(key="deal_picker").options) == 12


def edit_price_floor(at, value):
    at.selectbox(key="issue_1_pick").select(1).run()
    at.text_input(key="issue_1_1__reservation").set_value(str(value))
    at.button(key="issue_1_save").click()
    return at.run()


def test_a_floor_above_the_target_is_refused_and_the_stored_floor_is_kept(app, db_path):
    at = edit_price_floor(app(), 130000)
    (message,) = errors(at)
    assert "Our floor/ceiling: the floor 130,000 is above our target 120,000 on 'Annual price'" in message
    assert Store.open(db_path).preparation.list_issues(1)[0].reservation == 110000


def test_changing_a_floor_is_saved_and_the_zopa_follows(app, db_path):
    at = edit_price_floor(app(), 117000)
    assert errors(at) == []
    assert at.success[0].value == "Saved issue 'Annual price'."
    assert Store.open(db_path).preparation.list_issues(1)[0].reservation == 117000
    # their estimated walk-away is 116,000: a floor of 117,000 leaves no zone on price
    assert {m.label: m.value for m in at.metric}["Issues with a ZOPA"] == "3 of 4"
    assert any("Annual price" in w.value and "no overlap" in w.value for w in at.warning)


def test_adding_evidence_and_making_an_alternative_the_batna(app, db_path):
    at = app()
    at.text_input(key="evidence_1_new__title").set_value("Competitor quote 118k")
    at.text_input(key="evidence_1_new__source").set_value("Email from their buyer")
    at.button(key="evidence_1_save").click()
    at = at.run()
    assert errors(at) == []
    assert [e.title for e in Store.open(db_path).preparation.list_evidence(1)][-1] == "Competitor quote 118k"

    picked = at.selectbox(key="alternative_1_pick").options[2]
    at.selectbox(key="alternative_1_pick").select(picked).run()
    at.button(key="alternative_1_first").click()
    at = at.run()  # overriding the figures takes a reason in our words
    (message,) = errors(at)
    assert "Why it is our best: the figures make 'Allocate the rollout team" in message
    assert not [a for a in Store.open(db_path).preparation.list_alternatives(1) if a.best]
    pick = at.selectbox(key="alternative_1_pick").value
    at.text_input(key=f"alternative_1_{pick}__best_reason").set_value("Helios may slip; Northwind is signed")
    at.button(key="alternative_1_first").click()
    at = at.run()
    assert "# 40,000 EUR" in [m.value for m in at.markdown]
    stored = Store.open(db_path).preparation.list_alternatives(1)
    assert [a.description[:14] for a in stored if a.best] == ["Hold Northwind"]  # marked, not reordered
    assert any("is marked as our best alternative: Helios may slip; Northwind is signed" in m.value
               for m in at.markdown)  # fmt: skip


def test_editing_the_deal_and_the_counterparty(app, db_path):
    at = app()
    at.selectbox(key="deal_1__stage").set_value("close")
    at.text_input(key="deal_1__currency").set_value("usd")
    at.button(key="deal_form__save").click()
    at = at.run()
    assert errors(at) == []
    deal = Store.open(db_path).deals.get_deal(1)
    assert (deal.stage.value, deal.currency) == ("close", "USD")

    at.selectbox(key="cp_1__communication_style").set_value("indirect")
    at.button(key="counterparty_form__save").click()
    at = at.run()
    assert Store.open(db_path).deals.get_counterparty(1).communication_style.value == "indirect"


def test_the_picked_deal_stays_when_switching_screens(app):
    at = app()
    at.sidebar.selectbox(key="deal_picker").set_value(4).run()
    at.switch_page("pages/concessions.py").run()
    assert at.subheader[0].value == "Concessions · Kessler — die-cast housings should-cost"
    assert at.query_params["deal"] == "4"


def test_deals_with_the_same_name_are_told_apart_and_each_link_stays_on_its_own(app, db_path):
    store = Store.open(db_path)
    app()  # the demo is loaded by the first start
    copies = [store.deal_files.import_deal(store.deal_files.export_deal(4)).deal_id for _ in range(3)]
    issue = store.preparation.list_issues(copies[-1])[0]
    store.preparation.replace_issues(
        copies[-1], [issue, issue.model_copy(update={"id": None, "target": issue.target - 0.1})]
    )
    store.close()
    at = app(deal=copies[1])
    picker = at.sidebar.selectbox(key="deal_picker")
    assert picker.value == copies[1]
    labels = [o for o in picker.options if o.startswith("Kessler")]
    assert len(labels) == len(set(labels)) == 4 and f"· #{copies[1]}" in picker.format_func(copies[1])
    at.switch_page("pages/concessions.py").run()
    assert at.sidebar.selectbox(key="deal_picker").value == copies[1] and at.query_params["deal"] == str(
        copies[1]
    )
    at.sidebar.selectbox(key="deal_picker").set_value(copies[2]).run()
    at.switch_page("pages/prepare.py").run()
    assert at.sidebar.selectbox(key="deal_picker").value == copies[2]
    issues = at.selectbox(key=f"anchor_issue_{copies[2]}")
    assert len(set(issues.options)) == len(issues.options)  # two issues named alike, two labels


@pytest.mark.parametrize(
    ("key", "fill", "flag"),
    [("evidence_1", {"title": "Index 2026", "source": "Eurostat"}, "internal"),
     ("stakeholder_1", {"name": "Dr. Veto", "role": "CFO"}, "veto")],
)  # fmt: skip
def test_a_new_item_form_is_empty_after_save_and_a_flag_never_carries_over(app, db_path, key, fill, flag):
    at = app(deal=1)
    for name, value in fill.items():
        at.text_input(key=f"{key}_new__{name}").set_value(value)
    at.checkbox(key=f"{key}_new__{flag}").check()
    at.button(key=f"{key}_save").click()
    at = at.run()
    assert not at.exception and any("Saved" in s.value for s in at.success)
    fresh = [w for w in at.text_input if w.key.startswith(f"{key}_new1__")]
    assert fresh and all(w.value == "" for w in fresh)  # the next item starts empty
    assert at.checkbox(key=f"{key}_new1__{flag}").value is False  # and its flag unticked


def test_the_same_item_saved_twice_is_refused(app, db_path):
    at = app(deal=1)
    for _ in range(2):
        at.text_input(key=f"evidence_1_new{'' if _ == 0 else 1}__title").set_value("Index 2026")
        at.text_input(key=f"evidence_1_new{'' if _ == 0 else 1}__source").set_value("Eurostat")
        at.button(key="evidence_1_save").click()
        at = at.run()
    assert any("already in the list as 'Index 2026'" in e.value for e in at.error)
    titles = [e.title for e in Store.open(db_path).preparation.list_evidence(1)]
    assert titles.count("Index 2026") == 1


def test_the_anchor_worksheet_is_filled_per_issue_and_refuses_a_range_upside_down(app, db_path):
    at = app(deal=1)
    assert any(m.value.startswith("**Annual price** · :orange[missing a credible range") for m in at.markdown)
    text = {t.label: t for t in at.text_input}
    text["Credible range, low"].set_value("130k")
    text["Credible range, high"].set_value("115k")
    next(b for b in at.button if b.label == "Save worksheet").click().run()
    assert errors(at) == [
        "Nothing was saved:\n\n- Credible range: the low end 130,000 is above the high end 115,000"
    ]
    assert Store.open(db_path).preparation.list_anchors(1) == {}

    text = {t.label: t for t in at.text_input}
    text["Credible range, low"].set_value("115k")
    text["Credible range, high"].set_value("130k")
    benchmark = Store.open(db_path).preparation.list_evidence(1)[0]
    next(m for m in at.multiselect if m.label == "External benchmarks").set_value([benchmark.id])
    next(t for t in at.text_area if t.label == "Narrative rationale").set_value(
        "Peers at this scope pay 124k"
    )
    next(b for b in at.button if b.label == "Save worksheet").click().run()
    assert at.success[0].value == "Saved the anchor worksheet."
    sheet = next(iter(Store.open(db_path).preparation.list_anchors(1).values()))
    assert (sheet.range_low, sheet.range_high, sheet.benchmark_ids) == (115000, 130000, [benchmark.id])
    assert any(m.value == "**Annual price** · :green[credible]" for m in at.markdown)


def test_an_issue_with_a_volume_shows_its_money_at_stake_and_beside_a_batna_priced_per_unit(app, db_path):
    store = Store.open(db_path)
    app()
    (price, *rest) = store.preparation.list_issues(1)
    seats = price.model_copy(update={"name": "Price per seat", "target": 500, "reservation": 420,
                                     "their_target": None, "their_walk_away": 450, "volume": 200, "years": 2})  # fmt: skip
    issue_ids = store.preparation.replace_issues(1, [seats, *rest])
    alternatives = store.preparation.list_alternatives(1)
    per_seat = alternatives[0].model_copy(update={"money": 440, "per_unit_of": issue_ids[0]})
    store.preparation.replace_alternatives(1, [per_seat, *alternatives[1:]])
    store.close()
    at = app(deal=1)
    at.switch_page("pages/prepare.py").run()
    table = next(d.value for d in at.dataframe if "One unit of the rate" in d.value.columns)
    row = table.iloc[0]
    assert (row["Issue"], row["Volume × years"], row["One unit of the rate"]) == (
        "Price per seat",
        "200 × 2",
        "400",
    )
    assert (row["At our target"], row["At our floor/ceiling"], row["At their walk-away"]) == (
        "200,000",
        "168,000",
        "180,000",
    )
    assert (row["Target vs BATNA"], row["Floor/ceiling vs BATNA"]) == ("+24,000", "−8,000")


def test_the_alternatives_money_box_says_what_the_money_means_for_the_deals_side(app, db_path):
    at = app(deal=1)  # we sell
    at.switch_page("pages/prepare.py").run()
    assert "Money (what it would earn us)" in [t.label for t in at.text_input]
    at = app(deal=9)  # we buy freight
    at.switch_page("pages/prepare.py").run()
    assert "Money (what it would cost us)" in [t.label for t in at.text_input]


def test_the_alternatives_table_writes_money_the_deals_way_and_a_rate_per_unit_with_its_contract_money(
    app, db_path
):
    at = app(deal=9)  # Baltic Freight: a spot market at 1,680 per container, 700 a year for 3 years
    at.switch_page("pages/prepare.py").run()
    table = next(d.value for d in at.dataframe if "Over the contract" in d.value.columns).set_index(
        "Alternative"
    )
    spot = table.loc["Spot market, container by container"]
    assert (spot["Money"], spot["Over the contract"]) == ("1,680 per container", "3,528,000")
    store = Store.open(db_path)
    store.deals.update_deal(store.deals.get_deal(9).model_copy(update={"decimal_comma": True}))
    store.close()
    at = app(deal=9)
    at.switch_page("pages/prepare.py").run()
    table = next(d.value for d in at.dataframe if "Over the contract" in d.value.columns).set_index(
        "Alternative"
    )
    assert table.loc["Split volume with two smaller carriers", "Money"] == "3.450.000"


def test_a_refused_save_is_one_line_in_the_operators_log_naming_the_field(app, capsys):
    import json

    at = app()
    capsys.readouterr()
    edit_price_floor(at, 130000)
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith('{"at"')]
    assert [r["event"] for r in records] == ["input_refused"]
    assert "Our floor/ceiling: the floor 130,000 is above our target" in records[0]["said"]

"""The Leverage screen through AppTest: the index, warnings, a new assessment, the timeline."""

from core.store import Store

PAGE = "pages/leverage.py"


def open_leverage(app, deal):
    at = app(deal=deal)
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def big(at):
    return next(m.value for m in at.markdown if m.value.startswith("# "))


def test_the_index_with_its_direction_and_what_it_rests_on(app):
    at = open_leverage(app, 1)
    assert at.subheader[0].value == "Leverage · Northwind — enterprise SaaS annual"
    assert big(at) == "# :green[+1]"  # +1.4: see the hand computation in the unit tests
    assert any(c.value.startswith("▲ +24.3 since") for c in at.caption)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Our scores that are perceived only"] == "3 of 7"
    assert metrics["Legitimacy: standards backing us"] == "2"
    assert [w.value.split(".**")[0] for w in at.warning] == ["**Do not lean on power you cannot show"]
    assert (
        len(at.get("vega_lite_chart")) >= 3
    )  # radar, index timeline, source timeline (+ counterparty radar)


def test_an_indirect_counterparty_and_a_deadline_without_evidence_are_warned(app):
    at = open_leverage(app, 7)
    titles = [w.value.split(".**")[0].removeprefix("**") for w in at.warning]
    assert "Indirect, face-saving culture: no public firm lines" in titles
    assert "Deadline not backed by evidence: fake-urgency risk" in titles
    assert "BATNA without evidence" in titles


def test_scoring_saves_a_new_assessment_moves_the_index_and_grows_the_timeline(app, db_path):
    at = open_leverage(app, 1)
    before = len(at.selectbox(key="radar_pick_1").options)
    at.slider(key="score_1_coalition_us").set_value(5)
    at.selectbox(key="evidence_1_coalition_us").set_value(1)  # back it with the price benchmark
    at.slider(key="score_1_authority_them").set_value(2)
    at.button(key="save_scores_1").click()
    at = at.run()
    assert not at.exception
    # coalition 2 perceived (1) -> 5 evidenced (5): +4; their authority 4 -> 2: +2; (0.5 + 6) / 35 = +18.6
    assert at.success[0].value == "Saved a new assessment: index +19."
    assert big(at) == "# :green[+19]"
    assert any(c.value.startswith("▲ +17.2 since") for c in at.caption)
    assert len(at.selectbox(key="radar_pick_1").options) == before + 1
    stored = Store.open(db_path).power.list_assessments(1)
    assert len(stored) == 3 and stored[-1].assessed_by


def radar_alternatives_score(at):
    """Streamlit ships a chart's datasets beside the spec, as Arrow."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    frames = [
        convert_arrow_bytes_to_pandas_df(d.data.data) for d in at.get("vega_lite_chart")[0].proto.datasets
    ]
    rows = next(f for f in frames if "side" in f.columns)
    us = rows[(rows["side"] == "Us") & (rows["source"] == "Alternatives (BATNA)")]
    return int(us["score"].iloc[0])


def test_an_earlier_assessment_can_be_shown_on_the_radar(app):
    at = open_leverage(app, 1)
    picker = at.selectbox(key="radar_pick_1")
    assert picker.value == 1 and len(picker.options) == 2  # latest first
    assert radar_alternatives_score(at) == 4
    at = picker.set_value(0).run()
    assert radar_alternatives_score(at) == 3  # three weeks ago, before the Helios team was free


def test_the_counterparty_view_spans_its_deals(app):
    at = open_leverage(app, 12)  # Northwind's second deal
    metrics = {m.label: m.value for m in at.metric}
    assert "Leverage index across these deals" in metrics
    assert any("Northwind Logistics" in m.value and "2 deals" in m.value for m in at.markdown)


def test_a_deal_never_scored_invites_a_first_assessment(app, db_path):
    from core.models import Counterparty, Deal

    app()
    deal_id = Store.open(db_path).deals.create_deal(
        Deal(name="Unscored", context="sales", owner="Ana"), Counterparty(name="X")
    )
    at = open_leverage(app, deal_id)
    assert big(at) == "# not scored"
    assert "No BATNA" in " ".join(w.value for w in at.warning)

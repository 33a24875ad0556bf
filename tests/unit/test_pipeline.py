"""The pipeline: a hand-built pipeline computed by hand, and DuckDB's aggregate checked against core rules."""

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from core.concessions import review_log
from core.deadline import days_left
from core.demo import load_synthetic
from core.implementation import is_missed
from core.leverage import leverage_index, warnings
from core.models import (
    SIDE_BY_CONTEXT,
    Alternative,
    Concession,
    Context,
    Counterparty,
    Deal,
    Evidence,
    Issue,
    PowerAssessment,
    PowerScore,
    PowerSource,
)
from core.pipeline import export_frame, filter_pipeline, metrics, pipeline_frame
from core.store import Store

TODAY = date(2026, 11, 25)
AT = datetime(2026, 11, 20, 9)


def scores(us, us_ev, them):
    return [PowerScore(source=s, side="us", score=us, evidence_id=us_ev) for s in PowerSource] + [
        PowerScore(source=s, side="them", score=them) for s in PowerSource
    ]


@pytest.fixture
def hand_built(store):
    # A: breaches its floor and overruns its mandate, deadline in 10 days, leverage +20
    a = store.deals.create_deal(
        Deal(name="A", context="sales", stage="midgame", owner="Ana", value=100000, mandate=5000,
             deadline=TODAY + timedelta(days=10), deadline_reason="Fiscal close"),
        Counterparty(name="Alpha", relationship="one_off"),
    )  # fmt: skip
    (ev,) = store.preparation.replace_evidence(
        a, [Evidence(title="Benchmark", source="Survey", date=date(2026, 11, 1))]
    )
    store.deals.update_deal(store.deals.get_deal(a).model_copy(update={"deadline_evidence_id": ev}))
    (price,) = store.preparation.replace_issues(
        a, [Issue(name="Price", unit="EUR", target=100000, reservation=90000)]
    )
    store.preparation.replace_alternatives(
        a, [Alternative(description="Other buyer", money=80000, evidence_id=ev)]
    )
    for n, (you, get, issue, position) in enumerate(
        [(-3000, "", None, None), (-4000, "Term", price, 85000), (1000, "Fee", None, None)]
    ):
        store.concessions.add_concession(a, Concession(item=f"line {n}", you_give="x", you_get=get, value_to_you=you,
                                           issue_id=issue, new_position=position, logged_at=AT + timedelta(minutes=n)))  # fmt: skip
    store.power.add_assessment(
        a, PowerAssessment(assessed_at=AT, scores=scores(3, ev, 2))
    )  # (21 − 14) / 35 = +20
    # B: their leverage far ahead, no deadline, indirect culture, no BATNA
    b = store.deals.create_deal(
        Deal(name="B", context="procurement", stage="setup", owner="Ben", value=50000, currency="USD", mandate=10000),
        Counterparty(name="Beta", communication_style="indirect"),
    )  # fmt: skip
    store.power.add_assessment(
        b, PowerAssessment(assessed_at=AT, scores=scores(1, None, 4))
    )  # (3.5 − 28) / 35 = −70
    # C: nothing scored, a deadline in 30 days with no reason
    c = store.deals.create_deal(
        Deal(name="C", context="hiring", stage="close", owner="Ana", value=20000, deadline=TODAY + timedelta(days=30)),
        Counterparty(name="Gamma"),
    )  # fmt: skip
    return store, a, b, c


def test_every_figure_of_a_hand_built_pipeline(hand_built):
    store, a, b, c = hand_built
    frame = pipeline_frame(store, TODAY)
    assert frame["name"].tolist() == ["A", "B", "C"]  # risk first
    row = frame.set_index("name")
    assert row.loc["A", ["balance", "gives", "over_mandate", "one_way", "floor_breaches"]].tolist() == [
        -6000,
        7000,
        2000,
        1,
        1,
    ]
    assert row.loc["A", "leverage_index"] == 20.0 and row.loc["A", "days_to_deadline"] == 10
    assert row.loc["A", "risk"] == 4 + 4 + 2 + 1 and row.loc["A", "at_risk"]
    assert row.loc["A", "warnings"] == ""
    assert row.loc["B", "leverage_index"] == -70.0 and row.loc["B", "at_risk"]
    assert row.loc["B", "warnings"] == "face-saving culture · BATNA weak"
    assert row.loc["B", "risk"] == 3 + 1 + 1
    assert row.loc["C", "warnings"] == "fake-urgency deadline · BATNA weak" and not row.loc["C", "at_risk"]
    m = metrics(frame)
    assert (m.deals, m.at_risk, m.their_leverage_higher, m.breaches_or_overruns, m.deadlines_soon) == (
        3,
        2,
        1,
        1,
        1,
    )
    assert m.value_by_currency == {"EUR": 120000, "USD": 50000}


def test_filters_combine_and_empty_means_all(hand_built):
    frame = pipeline_frame(hand_built[0], TODAY)
    assert filter_pipeline(frame)["name"].tolist() == ["A", "B", "C"]
    assert filter_pipeline(frame, owners=["Ana"])["name"].tolist() == ["A", "C"]
    assert filter_pipeline(frame, owners=["Ana"], at_risk_only=True)["name"].tolist() == ["A"]
    assert filter_pipeline(frame, contexts=["procurement", "hiring"], stages=["close"])["name"].tolist() == [
        "C"
    ]


def test_the_export_names_the_columns_for_people(hand_built):
    exported = export_frame(pipeline_frame(hand_built[0], TODAY))
    assert list(exported.columns[:6]) == ["Deal", "Counterparty", "Owner", "Context", "Stage", "Value"]
    assert exported["Give/get balance"].tolist() == [-6000, 0, 0]


def check_against_core(store, deal_ids, today):
    """The DuckDB aggregate must give, deal by deal, what the core rules give."""
    frame = pipeline_frame(store, today).set_index("id")
    for deal_id in deal_ids:
        deal = store.deals.get_deal(deal_id)
        issues = store.preparation.list_issues(deal_id)
        review = review_log(store.concessions.list_concessions(deal_id), issues, deal.mandate).summary
        row = frame.loc[deal_id]
        assert row["balance"] == pytest.approx(review.balance), deal.name
        assert row["gives"] == pytest.approx(review.gives)
        assert row["over_mandate"] == pytest.approx(review.over_mandate)
        assert (row["one_way"], row["floor_breaches"]) == (review.one_way, review.floor_breaches), deal.name
        assessments = store.power.list_assessments(deal_id)
        latest = assessments[-1] if assessments else None
        if latest is None:
            assert row["leverage_index"] != row["leverage_index"]  # NaN: not scored
        else:
            assert row["leverage_index"] == leverage_index(latest), deal.name
        cp = store.deals.get_counterparty(deal.counterparty_id)
        expected = {
            w.code for w in warnings(deal, cp, latest, store.preparation.list_alternatives(deal_id), issues)
        }
        found = {code for code in ("repeated_small_gain", "perceived_power", "face_saving", "fake_urgency", "bluff_guard")
                 if row[f"w_{code}"]}  # fmt: skip
        assert found == expected, deal.name
        left = days_left(deal.deadline, today)
        assert (row["days_to_deadline"] == left) if left is not None else pd.isna(row["days_to_deadline"])
        missed = sum(is_missed(c, today) for c in store.plans.list_commitments(deal_id))
        assert row["missed_commitments"] == missed, deal.name


def test_the_aggregate_agrees_with_the_core_rules_on_the_curated_pipeline(demo_store):
    check_against_core(demo_store, range(1, 13), TODAY)


def test_the_aggregate_agrees_with_the_core_rules_on_synthetic_deals(store):
    load_synthetic(store, deals=60, concessions_per_deal=12, seed=5)
    check_against_core(store, range(1, 61), date.today())


def test_the_aggregate_agrees_after_edits_removals_and_a_new_assessment(hand_built):
    store, a, b, c = hand_built
    first = store.concessions.list_concessions(a)[0]
    store.concessions.remove_concession(a, first.id)
    store.deals.update_deal(store.deals.get_deal(a).model_copy(update={"deadline_reason": ""}))
    store.power.add_assessment(
        a, PowerAssessment(assessed_at=AT + timedelta(days=1), scores=scores(4, None, 1))
    )
    check_against_core(store, [a, b, c], TODAY)


def test_the_kept_totals_follow_every_way_a_line_or_an_issue_changes(demo_store):
    """The pipeline reads each deal's log totals as kept by the store's writes: every kind of write that
    changes a line or an issue must leave them equal to the core rules (and to a rebuild from scratch)."""
    from core.csvio import frame_to_csv, parse_concessions
    from core.store import now
    from core.store.engine import refresh_totals

    store = demo_store
    price = next(i for i in store.preparation.list_issues(1) if i.direction.value == "floor")
    line = Concession(item="Breach", you_give="Price", value_to_you=-500, issue_id=price.id,
                      new_position=price.reservation - 1, logged_at=AT)  # fmt: skip
    new_id = store.concessions.add_concession(1, line)  # logged: a floor breach, one-way
    lines = store.concessions.list_concessions(1)
    store.concessions.update_concessions(
        1, [lines[0].model_copy(update={"value_to_you": -9999, "you_get": ""})], read=lines
    )
    store.concessions.remove_concession(1, lines[1].id)
    store.concessions.remove_concession(1, new_id)
    store.concessions.restore_concession(1, new_id)
    csv = frame_to_csv(store.concessions.concession_log(2))
    store.concessions.import_concessions(2, parse_concessions(csv, store.preparation.issue_ids(2), now()))
    issues = store.preparation.list_issues(1)  # the floor moves below the breach, then the issue goes
    store.preparation.replace_issues(1, [i.model_copy(update={"reservation": i.reservation - 10}) if i.id == price.id else i
                             for i in issues])  # fmt: skip
    check_against_core(store, [1, 2], TODAY)
    store.preparation.replace_issues(1, [i for i in store.preparation.list_issues(1) if i.id != price.id])
    copied = store.deal_files.import_deal(store.deal_files.export_deal(1)).deal_id
    check_against_core(store, [1, 2, copied], TODAY)
    kept = store.cursor().df("SELECT * FROM concession_totals ORDER BY deal_id")
    with store.transaction() as cur:
        refresh_totals(cur, None)
    assert store.cursor().df("SELECT * FROM concession_totals ORDER BY deal_id").equals(kept)


def test_the_kept_latest_assessment_follows_every_way_an_assessment_is_added(demo_store):
    """The pipeline and the leverage map read each deal's latest assessment as kept by the store's writes: a
    newer one takes over, one dated earlier (an import keeps its dates) does not, a deal file brings its own,
    a bulk load and a copy rebuild them; each time equal to ranking every assessment from scratch."""
    from core.store.copying import copy_cockpit
    from core.store.engine import refresh_latest_assessments

    store = demo_store

    def latest(of=store):
        return {r["deal_id"]: r["assessment_id"] for r in of.cursor().rows("SELECT * FROM latest_assessment")}

    before = latest()
    newer = store.power.add_assessment(
        1, PowerAssessment(assessed_at=datetime(2099, 1, 1), scores=scores(4, None, 1))
    )
    older = store.power.add_assessment(
        2, PowerAssessment(assessed_at=datetime(2000, 1, 1), scores=scores(1, None, 4))
    )
    assert latest()[1] == newer and latest()[2] == before[2] != older
    assert store.power.list_assessments(1)[-1].id == newer  # the same one list_assessments ends with
    copied = store.deal_files.import_deal(store.deal_files.export_deal(1)).deal_id
    assert latest()[copied] == store.power.list_assessments(copied)[-1].id
    load_synthetic(store, deals=3, concessions_per_deal=1)
    kept = latest()
    assert len(kept) == len(
        {int(i) for i in store.cursor().df("SELECT deal_id FROM power_assessment")["deal_id"]}
    )
    with store.transaction() as cur:
        refresh_latest_assessments(cur, None)
    assert latest() == kept
    elsewhere = Store.memory()
    copy_cockpit(store, elsewhere)
    assert latest(elsewhere) == kept


def test_the_pipeline_counts_deals_whose_single_text_took_a_late_scope_change(demo_store):
    frame = pipeline_frame(demo_store, TODAY).set_index("name")
    late = frame["late_scope_changes"]
    assert late[late.gt(0)].to_dict() == {"Nordlicht Bank — co-marketing programme": 1}
    assert metrics(frame).late_scope == 1
    text = demo_store.single_texts.get_single_text(2)  # Helios: inside its window until a closed one is set
    demo_store.single_texts.set_edit_window(2, TODAY - timedelta(days=1))
    demo_store.single_texts.save_single_text(
        2, text.latest.clauses[:-1], based_on=text.latest.number, reason="their legal team"
    )
    assert metrics(pipeline_frame(demo_store, TODAY)).late_scope == 2


def stored_facts_agree(store, deal_ids):
    """Every line's stored facts are what core.concessions.line_facts says of it now."""
    from core.concessions import line_facts

    lines = store.cursor().df(
        "SELECT id, deal_id, you_get, new_position, issue_id, one_way, breaches_floor FROM concession "
        "WHERE deal_id = ANY(?) ORDER BY id",
        [list(deal_ids)],
    )
    issues = store.cursor().df(
        "SELECT id, direction, reservation FROM issue WHERE deleted_at IS NULL AND deal_id = ANY(?)",
        [list(deal_ids)],
    )
    judged = line_facts(lines, issues)
    assert lines["one_way"].astype(bool).tolist() == judged["one_way"].tolist()
    assert lines["breaches_floor"].astype(bool).tolist() == judged["breaches_floor"].tolist()
    return judged


def test_each_lines_kept_facts_follow_random_logs_on_every_write_path(store):
    """Lines logged one by one, imported from a CSV, bulk-loaded with text the models would have stripped
    (a no-break space in "You get"), then limits moved: the pipeline counts what the screen judges."""
    import random

    import pandas as pd

    from core.csvio import frame_to_csv, parse_concessions
    from core.store import now

    rng = random.Random(11)
    deals = []
    for n in range(3):
        d = store.deals.create_deal(Deal(name=f"R{n}", context="sales", stage="midgame", owner="Ana", value=10000,
                                   mandate=500), Counterparty(name=f"Rc{n}"))  # fmt: skip
        floor, ceiling = store.preparation.replace_issues(d, [
            Issue(name="Price", unit="EUR", target=1000, reservation=900),
            Issue(name="Days", unit="days", direction="ceiling", target=30, reservation=60)])  # fmt: skip
        for k in range(30):
            issue = rng.choice([None, floor, ceiling])
            position = None if issue is None else rng.choice([899.99, 900, 901, 59, 60, 60.01, 2000])
            store.concessions.add_concession(d, Concession(item=f"l{k}", you_give="x", you_get=rng.choice(["", "Term"]),
                                               value_to_you=rng.choice([-50, 20]), issue_id=issue,
                                               new_position=position, logged_at=AT + timedelta(minutes=k)))  # fmt: skip
        deals.append(d)
    csv = frame_to_csv(store.concessions.concession_log(deals[0]))
    store.concessions.import_concessions(
        deals[1], parse_concessions(csv, store.preparation.issue_ids(deals[1]), now())
    )
    ids = store.queries.next_ids()
    raw = pd.DataFrame({
        "id": [ids["concession"], ids["concession"] + 1], "deal_id": [deals[2]] * 2, "item": ["nbsp", "tab"],
        "you_give": ["x", "x"], "you_get": ["\u00a0", "\t"], "value_to_you": [-1.0, -1.0], "value_to_them": [0.0, 0.0],
        "trigger": ["", ""], "round": [1, 1], "issue_id": [None, None], "new_position": [None, None],
        "final_offer": [False, False], "logged_at": [AT, AT], "deleted_at": [None, None]})  # fmt: skip
    store.queries.bulk_insert({"concession": raw})
    judged = stored_facts_agree(store, deals)
    assert judged["one_way"].sum() > 0 and judged["breaches_floor"].sum() > 0  # the sample holds both
    check_against_core(store, deals, TODAY)
    assert (
        pipeline_frame(store, TODAY).set_index("id").loc[deals[2], "one_way"]
        == review_log(
            store.concessions.list_concessions(deals[2]), store.preparation.list_issues(deals[2]), 500
        ).summary.one_way
    )
    for d in deals:  # the floor rises above every position and the ceiling falls below: breaches everywhere
        store.preparation.replace_issues(d, [i.model_copy(update={"reservation": 950 if i.name == "Price" else 40, "target": 1000 if i.name == "Price" else 20})
                                 for i in store.preparation.list_issues(d)])  # fmt: skip
    after = stored_facts_agree(store, deals)
    assert after["breaches_floor"].sum() > judged["breaches_floor"].sum()
    check_against_core(store, deals, TODAY)


def test_a_cockpit_from_before_the_kept_facts_has_them_judged_when_it_opens(tmp_path):
    """Steps 027 and 028 judge the lines and the alternatives already stored with the Python rules (and give
    a deal loaded without a side the one its context gives), so an upgraded cockpit's pipeline says what its
    screens say from the first run."""
    from core.demo import synthetic_frames
    from core.store.copying import TABLES
    from core.store.engine import refresh_latest_assessments
    from core.store.migrations import MIGRATIONS

    path = tmp_path / "old.duckdb"
    old = Store.open(path, migrations=[m for m in MIGRATIONS if m[0] < "027"])
    frames = synthetic_frames(old, 4, 20, seed=3)
    lines = frames["concession"]
    lines.loc[lines.index[:3], "you_get"] = "\u00a0"  # written before the models stripped text
    frames["deal"] = frames["deal"].drop(columns=["side"])  # bulk loads once left it empty
    with old.transaction() as cur:
        for table in TABLES:
            if table in frames and not frames[table].empty:
                cur.bulk_insert(table, frames[table])
        refresh_latest_assessments(cur, None)  # (the totals are step 027's to rebuild)
    old.close()
    upgraded = Store.open(path)
    assert {"027_line_facts", "028_deal_batna"} <= set(upgraded.applied_migrations())
    sides = upgraded.cursor().df("SELECT context, side FROM deal")
    assert sides["side"].tolist() == [str(SIDE_BY_CONTEXT[Context(c)]) for c in sides["context"]]
    deals = sorted({int(d) for d in frames["deal"]["id"]})
    judged = stored_facts_agree(upgraded, deals)
    assert judged["one_way"].sum() >= 3
    check_against_core(upgraded, deals, date.today())


def test_the_pipeline_judges_the_stores_facts_and_keeps_none_of_the_private_ones(demo_store):
    """The store gathers per deal what the rules read, our floor on the pressed issue and our BATNA among
    them; the frame every pipeline table, chart and download is drawn from keeps only the verdicts."""
    from core.pipeline import FACTS

    facts = demo_store.queries.pipeline(TODAY)
    assert set(FACTS) <= set(facts.columns) and facts["pressured_reservation"].notna().any()
    frame = pipeline_frame(demo_store, TODAY)
    assert not set(FACTS) & set(frame.columns)
    assert {"leverage_index", "over_mandate", "w_bluff_guard"} <= set(frame.columns)


def test_the_kept_batna_follows_every_way_alternatives_issues_or_the_side_change(store):
    """Each deal's BATNA as the store keeps it is the one core.batna names on Prepare, after a new
    alternative, a mark, a volume that makes a rate per unit worth more, a change of side, a deal file, a
    bulk load and a copy; and a rebuild from scratch changes nothing."""
    from core.batna import best_alternative
    from core.store.copying import copy_cockpit
    from core.store.facts import judge_batnas

    def kept(of=store):
        return {r["deal_id"]: r["alternative_id"] for r in of.cursor().rows("SELECT * FROM deal_batna")}

    def named(deal_id, of=store):
        best = best_alternative(
            of.preparation.list_alternatives(deal_id),
            of.deals.get_deal(deal_id).our_side,
            of.preparation.list_issues(deal_id),
        )
        return None if best is None else best.id

    d = store.deals.create_deal(Deal(name="B", context="sales", stage="midgame", owner="Ana", value=100_000),
                          Counterparty(name="Bc"))  # fmt: skip
    assert d not in kept()
    (rate_issue,) = store.preparation.replace_issues(
        d, [Issue(name="Containers", unit="EUR", target=2000, reservation=1800)]
    )
    spot, carrier, rate = store.preparation.replace_alternatives(d, [
        Alternative(description="Spot", money=50_000), Alternative(description="Carrier", money=60_000),
        Alternative(description="Per container", money=10, per_unit_of=rate_issue)])  # fmt: skip
    assert kept()[d] == named(d) == carrier  # a seller's richest
    store.deals.update_deal(store.deals.get_deal(d).model_copy(update={"side": "buy"}))
    assert kept()[d] == named(d) == rate  # a buyer's cheapest: 10 while no volume makes it a rate
    issue = store.preparation.list_issues(d)[0]
    store.preparation.replace_issues(d, [issue.model_copy(update={"volume": 10_000, "years": 2})])
    assert kept()[d] == named(d) == spot  # 10 × 10,000 × 2 = 200,000 over the contract
    alternatives = store.preparation.list_alternatives(d)
    marked = [a.model_copy(update={"best": a.id == carrier, "best_reason": "Proven"}) for a in alternatives]
    store.preparation.replace_alternatives(d, marked)
    assert kept()[d] == named(d) == carrier  # the negotiator's mark wins
    copied = store.deal_files.import_deal(store.deal_files.export_deal(d)).deal_id
    assert kept()[copied] == named(copied)
    load_synthetic(store, deals=5, concessions_per_deal=1)
    now_kept = kept()
    assert all(now_kept.get(x) == named(x) for x in range(1, max(now_kept) + 1) if x in now_kept)
    with store.transaction() as cur:
        judge_batnas(cur, None)
    assert kept() == now_kept
    elsewhere = Store.memory()
    copy_cockpit(store, elsewhere)
    assert kept(elsewhere) == now_kept
    check_against_core(store, sorted(now_kept), TODAY)

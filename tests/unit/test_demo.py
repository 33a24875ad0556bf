"""The curated demo pipeline covers what the issue asks; the synthetic generator makes valid deals."""

from datetime import date, timedelta

import pandas as pd
import pytest

from core.demo import curated_deals, ensure_demo, load_synthetic
from core.models import Context, Stage
from core.store import Store
from tests.conftest import TODAY

CURATED = curated_deals(TODAY)


def test_at_least_ten_deals_cover_every_context_and_stage():
    assert len(CURATED) >= 10
    assert {f.deal.context for f in CURATED} == set(Context)
    assert {f.deal.stage for f in CURATED} == set(Stage)


@pytest.mark.parametrize("f", CURATED, ids=lambda f: f.deal.name)
def test_each_curated_deal_is_complete(f):
    assert f.stakeholders, "a counterparty map"
    sides = {s.side for a in f.assessments for s in a.scores}
    assert sides == {"us", "them"} and len(f.assessments[-1].scores) == 14
    latest = f.assessments[-1].scores
    assert any(s.perceived_only for s in latest) and any(not s.perceived_only for s in latest)
    assert f.alternatives and f.alternatives[0].money >= 0, "a BATNA"
    assert len(f.issues) >= 3
    assert f.evidence
    assert len(f.concessions) >= 4
    assert any(not c.you_get.strip() for c in f.concessions), "at least one one-way concession"
    assert any(c.trigger.strip() for c in f.concessions), "at least one with a contingency"
    first = [b for b in f.meso_bundles if b.round == 1]
    assert len(first) == 3 and {b.round for b in f.meso_bundles} <= {1, 2}
    assert all(len(b.terms) == len(f.issues) for b in f.meso_bundles)


def test_the_seed_mini_script_is_there():
    (saas,) = [f for f in CURATED if "enterprise SaaS" in f.deal.name]
    price = saas.issues[0]
    assert (saas.deal.value, price.target) == (120000, 120000)
    assert price.their_target == pytest.approx(120000 * 0.85)  # the buyer's 15 % ask
    pilot = [c for c in saas.concessions if c.item == "Pilot"][0]
    assert "paid and credited to year one" in pilot.you_get and "30-day" in pilot.you_give


@pytest.mark.parametrize("words", ["cloud migration", "co-branding", "should-cost", "staged promotion"])
def test_the_seed_real_world_examples_are_there(words):
    assert any(words in f.deal.name.lower() for f in CURATED)


def test_dates_move_with_the_day_the_demo_loads():
    later = curated_deals(TODAY + timedelta(days=10))
    assert later[0].deal.deadline == CURATED[0].deal.deadline + timedelta(days=10)
    assert later[0].concessions[0].logged_at == CURATED[0].concessions[0].logged_at + timedelta(days=10)


def test_an_empty_database_is_filled_once(store):
    assert ensure_demo(store) is True
    assert len(store.deals.list_deals()) == len(CURATED)
    assert ensure_demo(store) is False
    assert len(store.deals.list_deals()) == len(CURATED)


def test_a_synthetic_pipeline_is_valid_and_sits_beside_real_deals(demo_store):
    counts = load_synthetic(demo_store, deals=40, concessions_per_deal=7, seed=3)
    assert counts["deal"] == 40 and counts["concession"] == 280 and counts["power_score"] == 40 * 14
    deals = demo_store.deals.list_deals()
    assert len(deals) == len(CURATED) + 40 and deals["id"].is_unique
    for deal_id in deals["id"].tail(40):
        f = demo_store.deal_files.export_deal(int(deal_id))  # re-validates every row through the models
        assert len(f.issues) == 3 and len(f.concessions) == 7 and len(f.meso_bundles) == 3
        price = f.issues[0]
        assert all(price.holds(b.terms[0].value) for b in f.meso_bundles), (
            "every bundle holds the price floor"
        )


def test_the_same_seed_gives_the_same_pipeline():
    a, b = Store.memory(), Store.memory()
    load_synthetic(a, 20, 3, seed=11)
    load_synthetic(b, 20, 3, seed=11)
    cols = ["name", "counterparty", "context", "stage", "value"]
    assert a.deals.list_deals()[cols].equals(b.deals.list_deals()[cols])
    assert a.deals.list_deals()["deadline"].min().date() >= date.today() - timedelta(days=10)


def test_every_curated_deal_opens_with_a_meso_round_ready_to_offer_and_flagships_show_one_that_is_not():
    from core.meso import check_set

    flagships_with_a_later_round = 0
    for f in curated_deals(TODAY):
        rounds = {r: [b for b in f.meso_bundles if b.round == r] for r in {b.round for b in f.meso_bundles}}
        assert check_set(rounds[1], f.issues, f.deal.pressured_issue_id) == [], f.deal.name
        if 2 in rounds:
            reasons = check_set(rounds[2], f.issues, f.deal.pressured_issue_id)
            assert reasons and all(r.message for r in reasons), f.deal.name
            flagships_with_a_later_round += 1
    assert flagships_with_a_later_round >= 3


def test_a_new_user_sees_single_texts_one_late_and_signed_ones_in_implementation():
    from core.single_text import late_changes, progress

    texts = {f.deal.name: f for f in CURATED if f.single_text is not None}
    assert len(texts) >= 3
    late = [f for f in texts.values() if late_changes(f.single_text.versions)]
    assert len(late) == 1 and "single_text" in late[0].signals  # Moves shows the signal from the first start
    implementing = [f for f in texts.values() if f.deal.stage is Stage.implementation]
    assert len(implementing) >= 2
    assert all(progress(f.single_text.latest.clauses, f.issues).ready_to_sign for f in implementing)
    for f in texts.values():  # each demo clause's figure is where the clause says it came from
        for c in f.single_text.latest.clauses:
            came_from = {
                "concession_log": {x.new_position for x in f.concessions if x.issue_id == c.issue_id},
                "meso_bundle": {t.value for b in f.meso_bundles for t in b.terms if t.issue_id == c.issue_id},
                "our_target": {i.target for i in f.issues if i.id == c.issue_id},
            }.get(c.source.value)
            assert came_from is None or c.position in came_from, (f.deal.name, c.title)


def test_a_single_text_moves_with_the_day_the_demo_loads():
    later = {f.deal.name: f for f in curated_deals(TODAY + timedelta(days=10))}
    for f in CURATED:
        if f.single_text is None:
            continue
        moved = later[f.deal.name].single_text
        assert moved.edit_until == f.single_text.edit_until + timedelta(days=10)
        assert moved.latest.saved_at == f.single_text.latest.saved_at + timedelta(days=10)


def test_a_synthetic_load_in_parts_keeps_the_same_facts_as_judging_everything_afresh(demo_store):
    """The scale load writes a part at a time, each with the facts kept for its deals (a part of more than
    200 deals in one run of ids is refreshed as a range, a smaller one by its list): afterwards the kept
    totals, BATNAs and latest assessments are what rebuilding them over every deal gives."""
    from core.store.engine import refresh_latest_assessments, refresh_totals
    from core.store.facts import judge_batnas

    counts = load_synthetic(demo_store, deals=700, concessions_per_deal=4, seed=9, part=300)
    assert counts["deal"] == 700 and counts["concession"] == 2_800 and counts["counterparty"] == 233
    cur = demo_store.cursor()
    names = cur.rows("SELECT count(*) AS n, count(DISTINCT name) AS distinct_names FROM counterparty")[0]
    assert names["n"] == names["distinct_names"]  # numbered on across parts, never twice
    kept = {
        table: cur.df(f"SELECT * FROM {table} ORDER BY deal_id")
        for table in ("concession_totals", "deal_batna", "latest_assessment")
    }
    assert len(kept["concession_totals"]) > 700 and len(kept["deal_batna"]) > 700
    with demo_store.transaction() as cur:
        refresh_totals(cur, None)
        judge_batnas(cur, None)
        refresh_latest_assessments(cur, None)
    for table, before in kept.items():
        after = demo_store.cursor().df(f"SELECT * FROM {table} ORDER BY deal_id")
        pd.testing.assert_frame_equal(before, after, obj=table)

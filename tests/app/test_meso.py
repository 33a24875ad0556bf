"""The MESO screen through AppTest: build a set, break equivalence, fix it, and learn from their pick."""

import pytest

from core.meso import grid_column
from core.models import Counterparty, Deal, Issue
from core.store import Store

PAGE = "pages/meso.py"


@pytest.fixture
def fresh_deal(app, db_path):
    app()  # first start fills the demo; this deal is built here from nothing
    store = Store.open(db_path)
    deal_id = store.deals.create_deal(Deal(name="Orion renewal", context="sales", owner="Ana", value=120),
                                Counterparty(name="Orion Foods"))  # fmt: skip
    price, days = store.preparation.replace_issues(deal_id, [
        Issue(name="Price", target=120, reservation=100, their_target=90, their_walk_away=115, priority=3),
        Issue(name="Payment days", direction="ceiling", target=30, reservation=60, their_target=90,
              their_walk_away=45, priority=1),
    ])  # fmt: skip
    store.deals.update_deal(store.deals.get_deal(deal_id).model_copy(update={"pressured_issue_id": price}))
    return deal_id


def add_bundles(at, deal_id, n):
    """Press 'Add a bundle' n times."""
    for _ in range(n):
        at.button(key=f"meso_add_{deal_id}").click()
        at = at.run()
    return at


def big(at):
    return next(m.value for m in at.markdown if m.value.startswith("# "))


def set_grid(at, deal_id, prices, days, db_path):
    """Type values into the grid, whose columns address bundles by id (shown with their names)."""
    bundles = Store.open(db_path).meso.list_meso_bundles(deal_id)
    names = [grid_column(b) for b in bundles[: len(prices)]]
    at.session_state[f"meso_grid_{deal_id}_1"] = {
        "edited_rows": {0: dict(zip(names, map(str, prices), strict=True)),
                        1: dict(zip(names, map(str, days), strict=True))},  # text cells, as typed
        "added_rows": [], "deleted_rows": [],
    }  # fmt: skip
    at = at.run()
    at.button(key=f"meso_save_{deal_id}_1").click()
    return at.run()


def test_build_three_bundles_break_equivalence_see_the_warning_and_fix_it(app, fresh_deal, db_path):
    at = app(deal=fresh_deal, page=PAGE)
    at = add_bundles(at, fresh_deal, 3)
    assert [b.name for b in Store.open(db_path).meso.list_meso_bundles(fresh_deal)] == [
        "Bundle 1",
        "Bundle 2",
        "Bundle 3",
    ]

    at = set_grid(at, fresh_deal, [110, 113.33, 106.67], [45, 60, 30], db_path)  # each worth 50 % to us
    assert [e.value for e in at.error] == [] and at.warning == []
    assert big(at) == "# :green[Ready to offer]"

    at = set_grid(at, fresh_deal, [110, 113.33, 118], [45, 60, 45], db_path)  # Bundle 3 now worth 80 %
    assert big(at) == "# :orange[2 to fix]"  # and it differs from Bundle 1 on price only
    warnings = [w.value for w in at.warning]
    assert any(w.startswith("Bundle 3 is worth 80% to us, 33% above the set's mean of 60%") for w in warnings)
    assert any(w.startswith("Bundle 1 and Bundle 3 differ only on Price") for w in warnings)

    at = set_grid(at, fresh_deal, [110, 113.33, 106.67], [45, 60, 30], db_path)
    assert big(at) == "# :green[Ready to offer]"


def test_a_bundle_under_the_floor_is_an_error_naming_bundle_and_issue(app, fresh_deal, db_path):
    at = app(deal=fresh_deal, page=PAGE)
    at = add_bundles(at, fresh_deal, 2)
    at = set_grid(at, fresh_deal, [110, 95], [45, 30], db_path)
    assert at.error[0].value.startswith("Bundle 2 breaks the firm floor on Price: 95 against 100.")


def test_their_reaction_is_learned_and_can_be_adopted(app, fresh_deal, db_path):
    at = app(deal=fresh_deal, page=PAGE)
    at = add_bundles(at, fresh_deal, 3)
    at = set_grid(at, fresh_deal, [110, 113.33, 106.67], [45, 60, 30], db_path)
    bundle_2 = Store.open(db_path).meso.list_meso_bundles(fresh_deal)[1].id
    at.selectbox(key=f"meso_react_bundle_{fresh_deal}").set_value(bundle_2)
    at.selectbox(key=f"meso_react_kind_{fresh_deal}").set_value("preferred")
    at.button(key=f"meso_react_save_{fresh_deal}").click()
    at = at.run()
    assert at.success[0].value == "Recorded their reaction."
    inferred = at.dataframe[-1].value
    # They preferred the late-payment bundle at a higher price: payment days matter to them, price less.
    assert dict(zip(inferred["Issue"], inferred["Their priority (inferred)"], strict=True)) == {
        "Price": 1,
        "Payment days": 5,
    }
    at.button(key=f"meso_adopt_{fresh_deal}").click()
    at = at.run()
    assert [i.their_priority for i in Store.open(db_path).preparation.list_issues(fresh_deal)] == [1, 5]


def test_a_deal_without_issues_says_what_to_do_first(app, db_path):
    app()
    deal_id = Store.open(db_path).deals.create_deal(
        Deal(name="Bare", context="hiring", owner="A"), Counterparty(name="B")
    )
    at = app(deal=deal_id, page=PAGE)
    assert not at.exception and at.info[0].value.startswith("MESO bundles set a value for each issue")


def test_duplicating_one_bundle_twice_keeps_the_screen_working_with_distinct_names(app, fresh_deal, db_path):
    at = app(deal=fresh_deal, page=PAGE)
    at.button(key=f"meso_add_{fresh_deal}").click()
    at = at.run()
    for _ in range(2):
        at.button(key=f"meso_dup_{fresh_deal}").click()
        at = at.run()
        assert not at.exception
    assert [b.name for b in Store.open(db_path).meso.list_meso_bundles(fresh_deal)] == [
        "Bundle 1", "Bundle 1 (copy)", "Bundle 1 (copy) 2"
    ]  # fmt: skip
    at = set_grid(at, fresh_deal, [110, 113.33, 106.67], [45, 60, 30], db_path)
    saved = {
        b.name: [t.value for t in b.terms] for b in Store.open(db_path).meso.list_meso_bundles(fresh_deal)
    }
    assert saved == {
        "Bundle 1": [110, 45],
        "Bundle 1 (copy)": [113.33, 60],
        "Bundle 1 (copy) 2": [106.67, 30],
    }


def test_a_new_bundle_takes_the_typed_name_and_a_rename_to_a_taken_name_is_refused(app, fresh_deal, db_path):
    at = app(deal=fresh_deal, page=PAGE)
    at.text_input(key=f"meso_new_bundle_{fresh_deal}").input("Price-led")
    at.button(key=f"meso_add_{fresh_deal}").click()
    at = at.run()
    at.button(key=f"meso_add_{fresh_deal}").click()
    at = at.run()
    assert [b.name for b in Store.open(db_path).meso.list_meso_bundles(fresh_deal)][0] == "Price-led"
    at.text_input(key=f"meso_new_name_{fresh_deal}").input("price-led")
    at.selectbox(key=f"meso_pick_bundle_{fresh_deal}").set_value(
        Store.open(db_path).meso.list_meso_bundles(fresh_deal)[1].id
    )
    at.button(key=f"meso_rename_{fresh_deal}").click()
    at = at.run()
    assert "already used in this round" in at.error[0].value
    assert len({b.name for b in Store.open(db_path).meso.list_meso_bundles(fresh_deal)}) == 2


def test_saving_the_grid_with_no_edit_changes_no_bundle(app, fresh_deal, db_path):
    at = app(deal=fresh_deal, page=PAGE)
    at = add_bundles(at, fresh_deal, 2)
    at = set_grid(at, fresh_deal, [110, 113.33], [45, 60], db_path)
    before = Store.open(db_path).meso.list_meso_bundles(fresh_deal)
    at.button(key=f"meso_save_{fresh_deal}_1").click()
    at = at.run()
    assert Store.open(db_path).meso.list_meso_bundles(fresh_deal) == before


def test_a_shared_screen_never_shows_a_draft_round(app, db_path):
    from datetime import datetime

    from core.meso import next_round
    from core.models import MesoPick

    at = app(deal=2)
    store = Store.open(db_path)
    offered = store.meso.list_meso_bundles(2)
    last = max(b.round for b in offered)
    first = next(b for b in offered if b.round == last)
    store.meso.add_meso_pick(2, MesoPick(bundle_id=first.id, round=last, reaction="preferred",
                                    recorded_at=datetime(2026, 11, 25, 10)))  # fmt: skip
    store.meso.replace_meso_round(2, last + 1, next_round([b for b in offered if b.round == last], last + 1))
    store.close()
    at.switch_page(PAGE).run()
    assert str(last + 1) in at.selectbox(key="meso_round_2").options  # for us, the draft is there
    at.session_state["safe_mode"] = True
    at.run()
    assert at.selectbox(key="meso_round_2").options == [str(last)]  # shared: only what was put to them

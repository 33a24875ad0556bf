"""Review, Library and Outcomes through AppTest, on the curated demo (deals 4, 5 and 11 are reviewed)."""

import pytest

from core.store import Store


def button(at, label):
    return next(b for b in at.button if b.label == label)


def text_input(at, label):
    return next(t for t in at.text_input if t.label == label)


def test_a_reviewed_deal_shows_the_range_captured_big_and_a_final_review_is_locked(app):
    at = app(deal=4, page="pages/review.py")
    assert not at.exception
    assert at.markdown[0].value == "# :green[72%]"  # (0.625·5 + 1·3 + 1·4 + 0·2) / 14
    table = at.dataframe[0].value
    assert table["Issue"].tolist() == ["Unit price", "Warranty", "Volume share to Kessler", "Payment terms"]
    assert table["Captured"].tolist() == ["62%", "100%", "100%", "0%"]
    assert at.info[0].value.startswith("This review is final")
    assert all(t.disabled for t in at.text_input if t.key and t.key.startswith("final_4_"))


def test_reviewing_a_deal_names_a_bad_figure_then_saves_and_locks(app, db_path):
    at = app(deal=1, page="pages/review.py")
    assert at.markdown[0].value == "# —"
    text_input(at, "Annual price (EUR)").set_value("118.000")  # reads two ways in an English deal
    at.text_area[0].set_value("The pilot evidence carried the price.")
    button(at, "Save review").click().run()
    assert at.error[0].value.startswith("Nothing was saved:")
    assert "Final value of Annual price: '118.000'" in at.error[0].value
    assert Store.open(db_path).reviews.get_review(1) is None

    text_input(at, "Annual price (EUR)").set_value("118000")
    at.checkbox(key="improve_1_red_team_floors").check()
    button(at, "Save review").click().run()
    assert at.success[0].value == "Review saved."
    stored = Store.open(db_path).reviews.get_review(1)
    assert (stored.outcome.value, stored.improvements, stored.power_answer) == (
        "signed", ["red_team_floors"], "The pilot evidence carried the price.")  # fmt: skip
    assert at.markdown[0].value.startswith("# :green[")  # 118k between a floor of 110k and a target of 120k


def test_the_review_hides_its_figures_on_a_shared_screen(app):
    at = app(deal=4)
    at.session_state["safe_mode"] = True
    at.switch_page("pages/review.py").run()
    assert next(m.value for m in at.markdown if m.value.startswith("# ")) == "# Signed"
    assert not at.dataframe and not at.text_area


def test_the_library_lists_its_items_with_uses_and_adds_one_to_the_deal(app, db_path):
    at = app(deal=4, page="pages/library.py")
    assert not at.exception
    assert at.markdown[0].value == "# 28"
    table = at.dataframe[0].value
    assert set(table["Contexts"]) >= {"Procurement", "every"}  # filtered to the deal's context by default
    should_cost = table[table["Title"] == "Die-cast aluminium housing should-cost"].iloc[0]
    assert (should_cost["Deals used in"], should_cost["Persuasive"]) == (1, 1)
    before = len(Store.open(db_path).preparation.list_evidence(4))
    award = next(
        i.id for i in Store.open(db_path).reviews.list_library() if i.title == "Supplier award calendar"
    )
    next(s for s in at.selectbox if s.label.startswith("Add to the evidence pack of")).set_value(award)
    button(at, "Add to the deal").click().run()
    assert at.success[0].value == "Added to the deal's evidence pack."
    assert [e.title for e in Store.open(db_path).preparation.list_evidence(4)][before:] == [
        "Supplier award calendar"
    ]


def test_a_bad_library_file_is_refused_whole(app, db_path):
    at = app(deal=1, page="pages/library.py")
    before = len(Store.open(db_path).reviews.list_library())
    items = at.get("file_uploader")
    assert items  # the import is offered
    from core.csvio import parse_library
    from core.models import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        parse_library(b"Kind,Title,Source,Date,Owner\nTradeable,Pay later,Playbook,2026-02-30,Desk\n")
    assert exc.value.problems == ["Row 2, Date: '2026-02-30' is not a date written as YYYY-MM-DD"]
    assert len(Store.open(db_path).reviews.list_library()) == before


def test_outcomes_give_leaders_the_median_and_filter_by_context(app):
    at = app(page="pages/outcomes.py")
    assert not at.exception
    assert at.markdown[0].value == "# 72%"  # median of 72 %, 72 % and 34 %
    assert len(at.get("vega_lite_chart")) == 1
    at.multiselect[0].set_value(["partnership"]).run()
    assert at.markdown[0].value == "# 34%"


def test_a_one_way_line_is_offered_tradeables_from_the_library(app):
    at = app(deal=1, page="pages/concessions.py")
    hint = next(c.value for c in at.caption if "Tradeables from the library" in c.value)
    # Tradeables for a sales deal, freshest first: three of the playbook's, dated alike, by title.
    assert hint.endswith(
        "**Indexation cap against a longer term** · **Payment timing: net 30 for a longer term** · "
        "**Rollout phases: modules in waves**"
    )


def test_meso_offers_tradeables_to_vary_across_bundles_but_not_on_a_shared_screen(app):
    at = app(deal=4, page="pages/meso.py")  # procurement
    hint = next(c.value for c in at.caption if "to vary across bundles" in c.value)
    assert "**Volume commitment for a unit price**" in hint and "Signing bonus" not in hint
    at.session_state["safe_mode"] = True
    at.run()
    assert not [c for c in at.caption if "to vary across bundles" in c.value]

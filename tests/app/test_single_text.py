"""Single text through AppTest, on the curated demo: Northwind (deal 1) has no text yet, Helios (2) converges
inside its window, Kessler (4) and Lena (5) are signed, Nordlicht (11) took a late scope change."""

from datetime import timedelta

from core.models import ClauseStatus
from core.store import Store, now
from tests.app.test_safe_mode import sent

PAGE = "pages/agreement.py"


def button(at, label):
    return next(b for b in at.button if b.label == label)


def big(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("# "))


def edit(at, db_path, deal_id, rows: dict) -> None:
    """Edits in the clause table of the latest version, as the browser sends them: {row: {column: value}}."""
    version = Store.open(db_path).single_texts.get_single_text(deal_id).latest.number
    at.session_state[f"text_editor_{deal_id}_{version}"] = {
        "edited_rows": rows,
        "added_rows": [],
        "deleted_rows": [],
    }


def test_a_text_starts_from_the_log_in_one_action_and_says_where_each_figure_came_from(app, db_path):
    at = app(deal=1, page=PAGE)
    assert not at.exception
    assert big(at) == "# Not started"
    preview = at.dataframe[0].value
    assert preview["Clause"].tolist() == ["Annual price", "Pilot length", "Payment terms",
                                         "Reference calls per year", "Validity"]  # fmt: skip
    assert preview["From"].tolist()[:4] == ["the latest position in the concession log"] * 3 + [
        "our target (nothing was on the table yet)"]  # fmt: skip
    assert "Reference calls per year" in at.warning[0].value  # starting it tables our target there
    button(at, "Start the single text").click().run()
    assert at.success[0].value == "Started the single text with 5 clauses."
    assert big(at) == "# :orange[Agreed 0 of 5 clauses]"
    text = Store.open(db_path).single_texts.get_single_text(1)
    assert text.edit_until == now().date() + timedelta(days=7) and len(text.versions) == 1


def test_clauses_are_agreed_and_a_figure_typed_the_deals_way_is_read_right_then_ready_to_sign(app, db_path):
    at = app(deal=2, page=PAGE)
    store = Store.open(db_path)
    store.deals.update_deal(store.deals.get_deal(2).model_copy(update={"decimal_comma": True}))
    at.run()
    assert big(at) == "# :orange[Agreed 3 of 6 clauses]"
    edit(
        at,
        db_path,
        2,
        {0: {"Position": "470.400,50"}, 2: {"Agreed": True}, 3: {"Agreed": True, "Verification": "Audit"}},
    )
    button(at, "Save a version").click().run()
    assert not at.exception and at.success[0].value == "Saved version 3 of the single text."
    latest = Store.open(db_path).single_texts.get_single_text(2).latest
    assert latest.clauses[0].position == 470400.5
    assert big(at) == "# :orange[Agreed 5 of 6 clauses]"
    edit(at, db_path, 2, {5: {"Agreed": True}})
    button(at, "Save a version").click().run()
    assert big(at) == "# :green[Ready to sign]"
    assert [c.status for c in Store.open(db_path).single_texts.get_single_text(2).latest.clauses] == [
        ClauseStatus.agreed
    ] * 6


def test_a_figure_that_reads_two_ways_is_refused_with_its_clause_named_and_nothing_saved(app, db_path):
    at = app(deal=2, page=PAGE)  # a decimal-point deal
    edit(at, db_path, 2, {0: {"Position": "470.400"}})
    button(at, "Save a version").click().run()
    assert at.error[0].value.startswith("Nothing was saved:")
    assert "Clause 1 ('Migration price'), Position: '470.400'" in at.error[0].value
    assert len(Store.open(db_path).single_texts.get_single_text(2).versions) == 2


def test_two_versions_compare_clause_by_clause(app):
    at = app(deal=2, page=PAGE)
    changes = next(d.value for d in at.dataframe if "Change" in d.value.columns)
    rows = {(r["Clause"], r["Field"]): (r["Change"], r["From"], r["To"]) for r in changes.to_dict("records")}
    assert rows[("4. Penalty cap", "Position")] == ("changed", "5", "7.50")
    assert rows[("1. Migration price", "Status")] == ("changed", "open", "agreed")
    assert rows[("6. Steering and escalation", "")] == ("added", "", "")


def test_after_the_window_a_change_needs_a_reason_and_moves_shows_the_signal(app, db_path):
    at = app(deal=4, page=PAGE)  # Kessler: the window closed the day before the demo's anchor
    assert any("edit window closed on" in w.value for w in at.warning)
    edit(at, db_path, 4, {0: {"Wording": "Price indexed to aluminium quarterly"}})
    button(at, "Save a version").click().run()
    assert "Reason: the edit window closed on" in at.error[0].value
    assert len(Store.open(db_path).single_texts.get_single_text(4).versions) == 2
    edit(at, db_path, 4, {0: {"Wording": "Price indexed to aluminium quarterly"}})
    next(t for t in at.text_input if t.label == "Reason for a late change").set_value(
        "Their CFO asked at signing"
    )
    button(at, "Save a version").click().run()
    assert at.success[0].value == "Saved version 3 of the single text. Recorded as a late scope change."
    assert any("Late scope change" in e.value and "Their CFO asked at signing" in e.value for e in at.error)
    at.switch_page("pages/moves.py").run()
    single = next(m.value for m in at.markdown if m.value.startswith("**Single-text convergence**"))
    assert ":red-badge[adjust/stop]" in single
    assert any("Use change log and time-box edits" in e.value for e in at.error)


def test_moves_judges_the_single_text_at_the_close_from_the_data(app):
    at = app(deal=5, page="pages/moves.py")  # Lena: signed, every clause agreed and measured
    said = [m.value for m in at.markdown if "**Single text at close**" in m.value]
    assert said and said[0].startswith(":green[:material/check_circle: Met]")
    at = app(deal=2, page="pages/moves.py")  # Helios: still converging
    said = [m.value for m in at.markdown if "**Single text at close**" in m.value]
    assert said[0].startswith(":red[:material/cancel: Missing]") and "still open" in said[0]


def test_a_shared_screen_shows_the_text_but_never_why_we_let_a_late_change_in(app):
    at = app(deal=11)
    at.session_state["safe_mode"] = True
    at.switch_page(PAGE).run()
    assert not at.exception
    shown = sent(at)
    assert "Co-branded launch event" in shown  # the text itself is on the table
    assert "Their brand team asked for a launch event" not in shown
    at.session_state["safe_mode"] = False
    at.run()
    assert "Their brand team asked for a launch event" in sent(at)


def test_a_sponsor_off_the_team_reads_the_text_and_cannot_change_it(app, db_path):
    app()  # the first start fills the database with the demo
    store = Store.open(db_path)
    for email, role in [("ada@example.com", "admin"), ("sam@example.com", "sponsor")]:
        store.add_member(email, role)
    store.share_deal(2, "sam@example.com", "sponsor")
    from tests.app.test_team import AUTH, ISSUER

    user = {"is_logged_in": True, "email": "sam@example.com", "email_verified": True, "iss": ISSUER,
            "sub": "sam@example.com"}  # fmt: skip
    at = app(deal=2, page=PAGE, auth=AUTH, user=user)
    assert not at.exception
    assert big(at) == "# :orange[Agreed 3 of 6 clauses]"
    assert "Save a version" not in [b.label for b in at.button]

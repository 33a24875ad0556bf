"""Implementation through AppTest, on the curated demo: Kessler (deal 4) missed a commitment and took the
escalation path up to mediation, Lena (5) is on track, Nordlicht (11) has an agreed text and no plan yet."""

from core.store import Store
from tests.app.test_safe_mode import sent

PAGE = "pages/implementation.py"


def big(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("# "))


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_a_missed_commitment_is_the_big_figure_and_friction_shows_on_moves(app):
    at = app(deal=4, page=PAGE)
    assert not at.exception
    assert big(at) == "# :red[1 missed]"
    assert at.error[0].value.startswith("**Friction resurfaces** · missed: Warranty field-failure report")
    path = [m.value for m in at.markdown if "Mediation" in m.value and "check_circle" in m.value]
    assert path, "the mediation step is shown as taken"
    at.switch_page("pages/moves.py").run()
    move = next(m.value for m in at.markdown if m.value.startswith("**Post-close enforcement**"))
    assert ":red-badge[adjust/stop]" in move
    assert any("Use mediation step before sanctions" in e.value for e in at.error)


def test_agreed_clauses_become_commitments_in_one_action(app, db_path):
    at = app(deal=11, page=PAGE)
    assert big(at) == "# No commitments yet"
    button(at, "Turn 4 agreed clauses into commitments").click().run()
    assert at.success[0].value == "Added 4 commitments from the single text."
    plan = Store.open(db_path).plans.list_commitments(11)
    assert [c.clause_number for c in plan] == [1, 2, 3, 4]
    assert plan[1].metric == "18 assets approved by both brand teams before launch"
    assert big(at) == "# :green[4 of 4 on track or done]"


def test_marking_a_commitment_missed_in_the_table_observes_friction(app, db_path):
    at = app(deal=5, page=PAGE)
    assert big(at) == "# :green[3 of 3 on track or done]"
    at.session_state["plan_editor_5_0"] = {
        "edited_rows": {0: {"Status": "Missed"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    button(at, "Save the plan").click().run()
    assert not at.exception and at.success[0].value == "Saved the implementation plan."
    assert "post_close_enforcement" in Store.open(db_path).deals.observed_signals(5)
    assert big(at) == "# :red[1 missed]"


def test_a_sanction_before_mediation_is_refused_with_the_safeguard_named(app, db_path):
    at = app(deal=5, page=PAGE)
    at.selectbox(key="escalate_kind_5").set_value("contractual_remedy")
    at.text_input(key="escalate_note_5").set_value("withhold the bonus")
    button(at, "Record the step").click().run()
    assert "Use mediation step before sanctions" in at.error[0].value
    assert Store.open(db_path).plans.list_escalation_steps(5) == []
    at.selectbox(key="escalate_kind_5").set_value("owner_to_owner")
    button(at, "Record the step").click().run()
    assert at.success[0].value.startswith("Recorded: owner to owner on ")


def test_a_shared_screen_shows_the_plan_but_not_our_notes(app):
    at = app(deal=4)
    at.session_state["safe_mode"] = True
    at.switch_page(PAGE).run()
    assert not at.exception
    shown = sent(at)
    assert "Warranty field-failure report" in shown
    assert (
        "their quality lead changed jobs" not in shown
        and "Joint session with both quality teams" not in shown
    )
    assert "Record the step" not in [b.label for b in at.button]


def test_history_names_the_plans_changes_and_a_shared_screen_masks_our_note(app, db_path):
    at = app(deal=5, page=PAGE)
    store = Store.open(db_path)
    plan = store.plans.list_commitments(5)
    store.plans.save_commitments(
        5, [plan[0].model_copy(update={"note": "HR is slow this quarter"}), *plan[1:]]
    )
    store.close()
    at.switch_page("pages/history.py").run()
    table = next(d.value for d in at.dataframe if "Kind" in d.value.columns)
    assert "Implementation plan" in set(table["Kind"]) and "HR is slow this quarter" in sent(at)
    at.session_state["safe_mode"] = True
    at.run()
    assert "HR is slow this quarter" not in sent(at)

"""The Moves screen through AppTest: signals switch a move to adjust/stop, the stage advances."""

from core.store import Store

PAGE = "pages/moves.py"


def open_moves(app, deal=1):
    at = app(deal=deal, page=PAGE)
    assert not at.exception
    return at


def test_the_current_stage_first_with_readiness_as_the_number(app):
    at = open_moves(app)
    assert at.subheader[0].value == "Moves · Northwind — enterprise SaaS annual"
    # 5 of 8 checks, and red: the gives are past the mandate, which is never "nearly ready"
    assert next(m.value for m in at.markdown if m.value.startswith("# ")) == "# :red[62%]"
    headers = [
        m.value for m in at.markdown if m.value.startswith("**") and "· " in m.value and "badge" in m.value
    ]
    assert headers[0].startswith(
        "**Calibrated deadline** · Midgame :green-badge[use] :blue-badge[this stage]"
    )
    assert at.error == []  # nothing to adjust yet


def test_marking_a_signal_turns_the_move_to_adjust_or_stop_and_lists_it(app, db_path):
    at = open_moves(app)
    at.text_input(key="note_1_give_get_pairing").set_value("asked for free workshops twice")
    at.button(key="observe_1_give_get_pairing").click()
    at = at.run()
    assert not at.exception
    assert at.success[0].value == "Recorded: one-way asks persist. Give-get pairing is now adjust/stop."
    assert [e.value for e in at.error] == ["**Safeguard:** Park issue or escalate sponsors"]
    assert any(
        m.value.startswith("**Give-get pairing** · Midgame :red-badge[adjust/stop]") for m in at.markdown
    )
    history = at.dataframe[-1].value
    assert (
        history["What"].iloc[0] == "signal · Give-get pairing"
        and history["Note"].iloc[0] == "asked for free workshops twice"
    )
    assert Store.open(db_path).deals.observed_signals(1) == {"give_get_pairing"}

    at.button(key="clear_1_give_get_pairing").click()
    at = at.run()
    assert at.error == []


def test_advancing_the_stage_is_one_action_and_is_recorded(app, db_path):
    at = open_moves(app)
    at.button(key="advance_1").click()
    at = at.run()
    assert at.success[0].value == "Moved to 4 Close."
    assert any(m.value == ":blue-background[**4 Close**] :blue-badge[now]" for m in at.markdown)
    assert any(m.value.startswith("**Single-text convergence** · Close :green-badge[use] :blue-badge[this stage]")
               for m in at.markdown)  # fmt: skip
    assert Store.open(db_path).deals.get_deal(1).stage.value == "close"
    assert at.dataframe[-1].value[["What", "From", "To"]].values.tolist()[0] == ["stage", "midgame", "close"]


def test_blanks_link_to_where_they_are_filled(app):
    at = open_moves(app)
    code = [c.value for c in at.code]
    assert len(code) == 5 and code[0].startswith("“Our floor on Annual price is 110,000 EUR")
    assert "[risk: write a trigger as 'If X, Y' or 'Y if X']" in code[3]

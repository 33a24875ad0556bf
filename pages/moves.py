"""Moves: what do I do now, what do I say, and what tells me to stop?"""

from datetime import date

import streamlit as st

from core import ui
from core.implementation import observed_from_data
from core.models import STAGE_LABELS, word
from core.moves import (
    fill_templates,
    load_playbook,
    move_status,
    moves_for_stage,
    next_stage,
    pitfalls,
    readiness,
    readiness_colour,
    readiness_score,
)

store, deal, counterparty = ui.deal_page("Moves")
deal_id = deal.id
playbook = load_playbook()
issues = store.preparation.list_issues(deal_id)
alternatives = store.preparation.list_alternatives(deal_id)
stakeholders = store.deals.list_stakeholders(counterparty.id)
# Signals marked by hand, and those the data shows by itself (a missed commitment: friction resurfaces).
observed = store.deals.observed_signals(deal_id) | observed_from_data(
    store.plans.list_commitments(deal_id), date.today()
)

# ---- where we are: the five steps, the current one highlighted, one action to advance ------------------
safe = ui.safe_mode()
big, steps_col = st.columns([1, 3], vertical_alignment="center")
with big:
    if safe:  # the step is what both sides work through; our readiness is not theirs to see
        ui.big_number("Where the talks stand", STAGE_LABELS[deal.stage])
    else:
        # The log's totals (one row), not its lines: the figure comes first, the lines are read below it.
        log = store.concessions.log_totals(deal_id)
        checks = readiness(deal, issues, alternatives, log.one_way, stakeholders, log.floor_breaches, log.gives,
                           store.single_texts.get_single_text(deal_id))  # fmt: skip
        score = readiness_score(checks)
        ui.big_number("Ready for the talks", f"{score:.0%}", f"{sum(c.met is True for c in checks)} of "
                      f"{sum(c.met is not None for c in checks)} checks met", color=readiness_colour(checks))  # fmt: skip
        ui.sponsor_brief_button(store, deal_id, key=f"brief_{deal_id}")  # for the call with the sponsor
with steps_col:
    cols = st.columns(len(playbook.steps))
    for col, step in zip(cols, playbook.steps, strict=True):
        label = STAGE_LABELS[step.stage]
        col.markdown(
            f":blue-background[**{label}**] :blue-badge[now]"
            if step.stage == deal.stage
            else f":gray[{label}]"
        )
    step = next(s for s in playbook.steps if s.stage == deal.stage)
    if not safe:  # coaching is ours: "use calibrated power signals" is not for the other side to read
        st.info(f"**{step.name}.** {step.principle}", icon=":material/flag:")
    upcoming = next_stage(deal.stage)
    if upcoming is not None and st.button(
        f"Advance to {STAGE_LABELS[upcoming]}", key=f"advance_{deal_id}", icon=":material/arrow_forward:"
    ):
        ui.attempt(
            lambda: store.deals.advance_stage(deal_id, upcoming.value), f"Moved to {STAGE_LABELS[upcoming]}."
        )

if safe:
    # The moves we plan, the signals we watch for, the lines we rehearse and the pitfalls we see are our
    # playbook: none of it shows while the other side may be looking.
    ui.hidden("The move table, signals observed, lines to say, readiness and pitfalls")
    st.stop()

# ---- the move table, this stage first ---------------------------------------------------------------
st.markdown(f"#### Moves · {STAGE_LABELS[deal.stage]} first")
for move in moves_for_stage(playbook.moves, deal.stage):
    status = move_status(move, observed)
    now_stage = move.stage == deal.stage
    with st.container(border=True):
        head, action = st.columns([5, 2], vertical_alignment="center")
        badge = ":red-badge[adjust/stop]" if status == "adjust/stop" else ":green-badge[use]"
        head.markdown(
            f"**{move.move}** · {move.when_to_use} {badge}"
            + (" :blue-badge[this stage]" if now_stage else "")
        )
        if status == "adjust/stop":
            st.error(f"**Safeguard:** {move.risk_and_safeguard}", icon=":material/shield:")
        left, right = st.columns(2)
        left.markdown(f"**Say or do:** {move.what_to_say}")
        right.markdown(f"**Signal to adjust or stop:** {move.signal}")
        if status == "use":
            st.caption(f"Risk and safeguard: {move.risk_and_safeguard}")
            with action.popover("Signal observed", icon=":material/visibility:"):
                note = st.text_input("Note (optional)", key=f"note_{deal_id}_{move.key}")
                if st.button("Record it", key=f"observe_{deal_id}_{move.key}", type="primary"):
                    ui.attempt(lambda m=move, n=note: store.deals.observe_signal(deal_id, m.key, n),
                               f"Recorded: {move.signal.lower()}. {move.move} is now adjust/stop.")  # fmt: skip
        elif action.button("Signal resolved", key=f"clear_{deal_id}_{move.key}", icon=":material/check:"):
            ui.attempt(
                lambda m=move: store.deals.clear_signal(deal_id, m.key), f"{move.move} is back to use."
            )

st.markdown(f"#### Playbook · {word(deal.context)}")
for line in playbook.contexts.get(deal.context.value, []):
    st.markdown(f"- {line}")

# ---- lines to say, filled from the deal --------------------------------------------------------------
st.markdown("#### Lines to say")
anchors = store.preparation.list_anchors(deal_id)
concessions = store.concessions.list_concessions(deal_id)
assessments = store.power.list_assessments(deal_id)
for template in fill_templates(deal, issues, store.preparation.list_evidence(deal_id), alternatives, concessions, stakeholders,
                               date.today(), anchors, assessments[-1] if assessments else None):  # fmt: skip
    st.markdown(f"**{template.name}**" + ("" if template.complete else " :orange-badge[blanks to fill]"))
    st.code(template.shown(ui.safe_mode()), language=None, wrap_lines=True)  # the copy button is on the block
    if not safe:  # what the line would give away is our own analysis
        for caution in template.cautions:
            st.warning(ui.md(caution), icon=":material/record_voice_over:")
    for blank in template.blanks:
        ui.screen_link(
            blank.screen, deal_id, f"Fill “{blank.label}”: {blank.fix} ({blank.screen})", ":material/edit:"
        )

# ---- readiness and pitfalls ------------------------------------------------------------------------
ready_col, pit_col = st.columns(2)
with ready_col:
    st.markdown("#### Pre-talk readiness")
    for check in checks:
        # A word with the icon: pass or fail never rests on a colour or a symbol alone.
        verdict = (":green[:material/check_circle: Met]" if check.met else ":gray[:material/help: Ask yourself]"
                   if check.met is None else ":red[:material/cancel: Missing]")  # fmt: skip
        st.markdown(f"{verdict} · **{check.name}** — {ui.md(check.reason)}")
        if check.met is False:
            ui.screen_link(check.screen, deal_id, f"Fix on {check.screen}", ":material/arrow_forward:")
with pit_col:
    st.markdown("#### Pitfalls")
    for pit in pitfalls(deal, counterparty, issues, alternatives, concessions, anchors):
        if pit.detected:
            st.warning(f"**{pit.name}**: {ui.md(pit.reason)}", icon=":material/warning:")
        elif pit.detected is None:
            st.info(f"**{pit.name}** (ask yourself): {ui.md(pit.reason)}", icon=":material/help:")
        else:
            st.markdown(f":green[:material/check_circle: Clear] · **{pit.name}** — {ui.md(pit.reason)}")

st.markdown("#### History")
events = store.deals.list_events(deal_id, kinds=["stage", "signal"])
if events.empty:
    st.caption("No stage changes or signals recorded yet.")
else:
    names = {m.key: m.move for m in playbook.moves}
    st.dataframe(
        [{"When": e.changed_at, "What": "stage" if e.kind == "stage" else f"signal · {names.get(e.subject, e.subject)}",
          "From": e.old_value or "", "To": e.new_value or "", "Note": e.note, "By": e.changed_by}
         for e in events.itertuples()],
        hide_index=True, width="stretch",
        column_config={"When": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm")},
    )  # fmt: skip

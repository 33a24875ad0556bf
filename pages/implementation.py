"""Implementation (step 5): the commitments of the agreed text, each with an owner, a date, a metric and how
it is verified; the escalation path taken step by step, mediation before sanctions. A missed commitment is
friction resurfacing: Moves and the Pipeline show it."""

from datetime import date

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from core import ui
from core.implementation import from_clauses, is_missed, plan_state
from core.models import (
    ESCALATION_LABELS,
    Commitment,
    CommitmentStatus,
    EscalationKind,
    InvalidInput,
    Side,
    describe_errors,
    word,
)
from core.store import now

store, deal, counterparty = ui.deal_page("Implementation")
deal_id = deal.id
safe = ui.safe_mode()
may_change = store.may_change(deal_id)
commitments = store.plans.list_commitments(deal_id)
steps = store.plans.list_escalation_steps(deal_id)
text = store.single_texts.get_single_text(deal_id)
today = now().date()
state = plan_state(commitments, today)

ui.big_number(
    "Implementation plan",
    state.headline,
    f"{state.done} done · {state.at_risk} at risk · {len(state.missed)} missed · {len(steps)} escalation "
    f"step{'s' if len(steps) != 1 else ''} taken",
    color="red" if state.missed else "orange" if state.at_risk else "green" if commitments else None,
)
if state.missed:
    st.error(
        "**Friction resurfaces** · missed: " + ", ".join(ui.md(w) for w in state.missed)
        + ". Use the escalation path below, mediation before any sanction.",
        icon=":material/warning:",
    )  # fmt: skip

# ---- commitments from the agreed text, in one action -----------------------------------------------------
if text is not None and may_change:
    new = from_clauses(text.latest.clauses, commitments, deal.owner)
    if new and st.button(
        f"Turn {len(new)} agreed clause{'s' if len(new) != 1 else ''} into commitments",
        key=f"from_clauses_{deal_id}", icon=":material/checklist:",
    ):  # fmt: skip
        ui.attempt(lambda: store.plans.save_commitments(deal_id, [*commitments, *new]),
                   f"Added {len(new)} commitment{'s' if len(new) != 1 else ''} from the single text.")  # fmt: skip
elif text is None:
    st.caption("No single text yet: commitments usually come from its agreed clauses (Single text).")

# ---- the commitments ---------------------------------------------------------------------------------------
st.markdown("#### Commitments")
status_labels = {s: word(s) for s in CommitmentStatus}
label_status = {v: k for k, v in status_labels.items()}
side_labels = {Side.them: f"Them ({counterparty.name})", Side.us: "Us"}
label_side = {v: k for k, v in side_labels.items()}
frame = pd.DataFrame(
    [{"id": c.id, "Clause": c.clause_number, "What": c.what, "Side": side_labels[c.side], "Owner": c.owner,
      "Due": c.due, "Metric": c.metric, "Target": c.target, "Verification": c.verification,
      "Status": status_labels[CommitmentStatus.missed] if is_missed(c, today) else status_labels[c.status],
      "Note": c.note} for c in commitments],
    columns=["id", "Clause", "What", "Side", "Owner", "Due", "Metric", "Target", "Verification", "Status", "Note"],
)  # fmt: skip
frame["Due"] = pd.to_datetime(frame["Due"]).dt.date
shown_columns = ["Clause", "What", "Side", "Owner", "Due", "Status", "Metric", "Target", "Verification"]
if safe or not may_change:  # our notes stay ours on a shared screen; a reader reads
    st.dataframe(frame[shown_columns if safe else [*shown_columns, "Note"]], hide_index=True, width="stretch",
                 column_config={"Due": st.column_config.DateColumn(format="D MMM YYYY")})  # fmt: skip
    if safe:
        ui.hidden("Our notes on each commitment")
else:
    edited = st.data_editor(
        frame,
        key=f"plan_editor_{deal_id}_{st.session_state.get(f'plan_saves_{deal_id}', 0)}",  # fresh after a save
        hide_index=True,
        width="stretch",
        num_rows="dynamic",
        column_order=[*shown_columns, "Note"],
        disabled=["Clause"],
        column_config={
            "What": st.column_config.TextColumn(required=True, max_chars=200),
            "Side": st.column_config.SelectboxColumn(options=list(label_side), required=True),
            "Owner": st.column_config.TextColumn(required=True, max_chars=200,
                                                 help="A person on that side who answers for it."),
            "Due": st.column_config.DateColumn(format="D MMM YYYY"),
            "Status": st.column_config.SelectboxColumn(options=list(label_status), required=True),
            "Note": st.column_config.TextColumn(help="Internal: never on a shared screen.", max_chars=5000),
        },
    )  # fmt: skip

    def read_plan(table: pd.DataFrame) -> list[Commitment]:
        text_of = ui.cell_text
        read, problems = [], []
        for n, r in enumerate(table.to_dict("records"), start=1):
            due = r.get("Due")
            try:
                read.append(Commitment(
                    id=None if pd.isna(r.get("id")) else int(r["id"]),
                    clause_number=None if pd.isna(r.get("Clause")) else int(r["Clause"]),
                    what=text_of(r.get("What")), side=label_side.get(text_of(r.get("Side")), Side.them),
                    owner=text_of(r.get("Owner")), due=None if due is None or pd.isna(due) else pd.Timestamp(due).date(),
                    metric=text_of(r.get("Metric")), target=text_of(r.get("Target")),
                    verification=text_of(r.get("Verification")),
                    status=label_status.get(text_of(r.get("Status")), CommitmentStatus.on_track), note=text_of(r.get("Note")),
                ))  # fmt: skip
            except ValidationError as exc:
                problems += [f"Row {n}, {p}" for p in describe_errors(exc)]
        if problems:
            raise InvalidInput(problems)
        return read

    def save_plan() -> None:
        store.plans.save_commitments(deal_id, read_plan(edited))
        st.session_state[f"plan_saves_{deal_id}"] = st.session_state.get(f"plan_saves_{deal_id}", 0) + 1

    if st.button("Save the plan", type="primary", key=f"save_plan_{deal_id}", icon=":material/save:"):
        ui.attempt(save_plan, "Saved the implementation plan.")

# ---- the escalation path --------------------------------------------------------------------------------
st.markdown("#### Escalation path")
path = st.columns(len(EscalationKind))
for col, kind in zip(path, EscalationKind, strict=True):
    when = [s.taken_at for s in steps if s.kind is kind]
    col.markdown(
        f":green[:material/check_circle:] **{ESCALATION_LABELS[kind]}** · {when[-1]:%d %b %Y}"
        if when else f":gray[:material/radio_button_unchecked:] {ESCALATION_LABELS[kind]}"
    )  # fmt: skip
st.caption("Problem-solving before power plays: owners, then sponsors, then mediation; a contractual remedy "
           "or sanction only after a mediation step.")  # fmt: skip
if steps:
    st.dataframe(
        [{"Step": ESCALATION_LABELS[s.kind], "Taken": s.taken_at,
          **({} if safe else {"By": s.taken_by, "Note": s.note, "Past mediation because": s.override_reason})}
         for s in reversed(steps)],
        hide_index=True, width="stretch",
        column_config={"Taken": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm")},
    )  # fmt: skip
if may_change and not safe:
    with st.form(f"escalate_{deal_id}", border=True):
        kind = st.selectbox("Step", list(EscalationKind), format_func=ESCALATION_LABELS.__getitem__,
                            key=f"escalate_kind_{deal_id}")  # fmt: skip
        note = st.text_input(
            "What was raised, and what came of it", key=f"escalate_note_{deal_id}", max_chars=2000
        )
        override = st.text_input(
            "Reason for going past mediation (a leader only, when no mediation step was taken)",
            key=f"escalate_override_{deal_id}", max_chars=2000,
        )  # fmt: skip
        record = st.form_submit_button("Record the step", icon=":material/flag:")
    if record:
        ui.attempt(lambda: store.plans.record_escalation_step(deal_id, kind, note, override),
                   f"Recorded: {ESCALATION_LABELS[kind].lower()} on {date.today():%d %B %Y}.")  # fmt: skip

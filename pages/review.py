"""Review: after the deal, the outcome and how much of our range each issue captured, and the method's
three questions answered with the cockpit's own facts beside them, so the answer is not from memory."""

from datetime import date

import streamlit as st

from core import ui
from core.concessions import review_log
from core.formatting import fmt_amount
from core.implementation import execution_facts
from core.leverage import index_history
from core.models import IMPROVEMENTS, DeadlineVerdict, Outcome, Review, read_amounts, validate, word
from core.moves import load_playbook
from core.review import captured_colour, direction_word, issue_results, overall_captured

store, deal, counterparty = ui.deal_page("Review")
deal_id = deal.id
safe = ui.safe_mode()
stored = store.reviews.get_review(deal_id)
issues = store.preparation.list_issues(deal_id)
evidence = store.preparation.list_evidence(deal_id)
log = review_log(store.concessions.concession_frame(deal_id), issues, deal.mandate).summary
cur = deal.currency

if safe:
    # Shared: how it ended, not what we think of it.
    ui.big_number("Outcome", word(stored.outcome) if stored else "Not reviewed yet")
    ui.hidden("Range captured, final values, the answers, relationship health and lessons")
    st.stop()

results = issue_results(issues, stored) if stored else []
captured = overall_captured(results)
big, side = st.columns([2, 3], vertical_alignment="center")
with big:
    ui.big_number(
        "Range captured — floor 0 %, target 100 %",
        "—" if captured is None else f"{captured:.0%}",
        f"gave {ui.money(log.gives, cur)} · got {ui.money(log.gets, cur)} · balance "
        f"{ui.signed_money(log.balance, cur)} from the log",
        color=captured_colour(captured),
    )
with side:
    m = st.columns(3)
    m[0].metric("Outcome", word(stored.outcome) if stored else "Not reviewed")
    m[1].metric("Issues below the floor", sum(r.breached for r in results))
    m[2].metric(
        "Relationship health",
        f"{stored.relationship_health} of 5" if stored and stored.relationship_health else "—",
    )
if results:
    st.dataframe(
        [{"Issue": r.issue.name, "Unit": r.issue.unit,
          "Our floor/ceiling": f"{direction_word(r.issue)} {fmt_amount(r.issue.reservation)}",
          "Target": fmt_amount(r.issue.target), "Final": fmt_amount(r.final),
          "Captured": "no range" if r.captured is None else f"{r.captured:.0%}",
          "Below the floor": "yes" if r.breached else ""} for r in results],
        hide_index=True, width="stretch", key=f"review_issues_{deal_id}",
    )  # fmt: skip

final = bool(stored and stored.final)
if final:
    st.info(
        "This review is final: it can no longer be changed (its history is on History).",
        icon=":material/lock:",
    )

# ---- the facts beside each question ---------------------------------------------------------------
playbook = load_playbook()
move_names = {m.key: m.signal for m in playbook.moves}
timeline = index_history(store.power.list_assessments(deal_id))
signals = store.deals.observed_signals(deal_id)
labels = ui.evidence_labels(evidence, "%d %b %Y")
deadline_evidence = next((e for e in evidence if e.id == deal.deadline_evidence_id), None)


def question(title: str):
    """A question of the method: its facts on the left, the answer on the right."""
    st.markdown(f"**{title}**")
    return st.columns([2, 3])


def answer(column, field: str, label: str, placeholder: str, collapsed: bool = False) -> str:
    return column.text_area(
        label, value=getattr(stored, field) if stored else "", disabled=final, placeholder=placeholder,
        label_visibility="collapsed" if collapsed else "visible",
    )  # fmt: skip


with st.form(f"review_{deal_id}", border=False):
    top = st.columns([2, 3])
    outcome = top[0].selectbox(
        "Outcome", list(Outcome), format_func=word, disabled=final,
        index=list(Outcome).index(stored.outcome) if stored else 0,
    )  # fmt: skip
    top[1].caption("Final value of each issue (as agreed, or where talks stood when they ended):")
    finals_typed = {}
    finals = {f.issue_id: f.value for f in stored.final_values} if stored else {}
    cols = st.columns(max(1, min(4, len(issues))))
    for n, issue in enumerate(issues):
        unit = f" ({ui.md(issue.unit)})" if issue.unit else ""
        finals_typed[issue.id] = ui.amount_input(
            cols[n % len(cols)], f"{ui.md(issue.name)}{unit}", f"final_{deal_id}_{issue.id}", finals.get(issue.id),
            placeholder=f"{direction_word(issue)} {fmt_amount(issue.reservation)} · target {fmt_amount(issue.target)}",
            disabled=final,
        )  # fmt: skip

    facts, said = question("1. Where did power help, and where did it harm trust or execution quality?")
    with facts:
        if timeline:
            steps = " → ".join(f"{p.index:+.0f} ({p.assessed_at:%d %b})" for p in timeline)
            st.caption(f"Leverage index over time: {steps}")
        else:
            st.caption("No power assessments recorded.")
        st.caption(
            "Signals observed: " + ("; ".join(ui.md(move_names.get(s, s)) for s in sorted(signals)) or "none")
        )
        st.caption(f"Moves after a final offer: {log.moved_after_final} · one-way concessions: {log.one_way}")
        # Execution quality from the implementation plan, so the answer rests on facts.
        st.caption(
            "Execution: " + ui.md(execution_facts(store.plans.list_commitments(deal_id), date.today()))
        )
    power = answer(
        said,
        "power_answer",
        "Where power helped or harmed",
        "Where it helped, and what it cost in trust or execution",
        collapsed=True,
    )

    facts, said = question("2. Which standards were persuasive?")
    persuasive = facts.multiselect(
        "Persuasive standards (from the evidence pack)", list(labels), format_func=labels.__getitem__,
        default=[e for e in (stored.persuasive_evidence_ids if stored else []) if e in labels], disabled=final,
    )  # fmt: skip
    standards = answer(
        said, "standards_answer", "Which standards persuaded", "Which ones moved them, and why"
    )

    facts, said = question("3. Did deadlines reflect real constraints?")
    with facts:
        if deal.deadline:
            backed = (
                f"backed by {ui.md(labels[deadline_evidence.id])}" if deadline_evidence else "no evidence"
            )
            st.caption(
                f"Deadline {deal.deadline:%d %b %Y} · reason: {ui.md(deal.deadline_reason) or 'none'} · {backed}"
            )
        else:
            st.caption("No deadline was set.")
        verdicts = list(DeadlineVerdict)
        verdict = st.radio(
            "Deadline was real", verdicts, format_func=word, horizontal=True, disabled=final,
            index=verdicts.index(stored.deadline_verdict) if stored and stored.deadline_verdict else None,
        )  # fmt: skip
    deadline_answer = answer(
        said, "deadline_answer", "About the deadline", "What constraint was behind it, on either side"
    )

    st.markdown("**Afterwards**")
    left, right = st.columns([2, 3])
    health = left.select_slider(
        "Relationship health (1 poor – 5 strong)", options=[1, 2, 3, 4, 5], disabled=final,
        value=stored.relationship_health if stored and stored.relationship_health else 3,
    )  # fmt: skip
    health_note = right.text_input(
        "Relationship note", value=stored.relationship_note if stored else "", disabled=final
    )
    lessons = st.text_area("Lessons", value=stored.lessons if stored else "", disabled=final)
    st.caption("For the next round or deal:")
    checks = st.columns(len(IMPROVEMENTS))
    improvements = [
        key for n, (key, label) in enumerate(IMPROVEMENTS.items())
        if checks[n].checkbox(label, value=bool(stored and key in stored.improvements), disabled=final,
                              key=f"improve_{deal_id}_{key}")
    ]  # fmt: skip
    mark_final = st.checkbox("Mark final: no more changes", value=final, disabled=final)
    if st.form_submit_button("Save review", type="primary", icon=":material/save:", disabled=final):

        def save() -> None:
            labels = {i.id: f"Final value of {i.name}" for i in issues}
            typed = read_amounts(finals_typed, deal.decimal_comma, labels)
            review = validate(
                Review,
                {"outcome": outcome, "final_values": [{"issue_id": i, "value": v} for i, v in typed.items() if v is not None],
                 "power_answer": power, "persuasive_evidence_ids": persuasive, "standards_answer": standards,
                 "deadline_verdict": verdict, "deadline_answer": deadline_answer, "relationship_health": health,
                 "relationship_note": health_note, "lessons": lessons, "improvements": improvements,
                 "final": mark_final},
            )  # fmt: skip
            store.reviews.save_review(deal_id, review)

        ui.attempt(save, "Review saved." if not mark_final else "Review saved and marked final.")

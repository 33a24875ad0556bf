"""Concessions: the live log during talks. Balance first, quick entry, flags, chart; then corrections and CSV."""

import json
from datetime import date, datetime

import pandas as pd
import streamlit as st

from core import ui
from core.access import Part
from core.charts import balance_chart
from core.concessions import (
    EDITOR_COLUMNS,
    RECIPROCATED_HELP,
    LogTotals,
    balance_by_round,
    corrections_saved,
    editor_frame,
    is_severe,
    mandate_stop,
    read_as,
    read_corrections,
    review_log,
    unvalued_give,
)
from core.csvio import check_size, frame_to_csv, parse_concessions
from core.deadline import countdown
from core.formatting import amount_example, count, fmt_amount, plural
from core.impact import move_said, previous_position
from core.library import tradeable_suggestions
from core.models import Concession, InvalidInput, read_amounts, validate
from core.store import Conflict, DatabaseProblem, NotAllowed, NotFound, now

LIVE_SECONDS = 3  # a sponsor watching on a second screen sees a new line within this (plus a rerun)
LIVE_ROWS = 50  # the live table shows the newest lines; the full log is in the correction table and the CSV
SAFE_DOWNLOAD = "Off while screen-sharing: the file carries the values to us and to them."
DECISIONS_SHOWN = 10  # gives over the mandate shown with their approve/reject at once: a page, not a wall
APPROVALS_OPEN = "approvals_open_{deal_id}"  # the folded approvals box, opened (its state is kept per deal)
CHART_ROUNDS = 40  # the chart's recent rounds: enough to read the trend, cheap to redraw after each line

store, deal, counterparty = ui.deal_page("Concessions")
deal_id = deal.id
may_change = store.may_change(deal_id)  # a sponsor or leader reads the log; its team writes it
may_decide = store.may_decide(deal_id)

LAST_LINE = "line"  # ?line=ID: the last line this person logged here, so Undo survives a reload
# Entry widgets are keyed per deal so switching deals starts a clean form.
K = {name: f"entry_{name}_{deal_id}" for name in ("item", "give", "get", "you", "them", "trigger", "issue",
                                                   "position", "round", "final", "problems", "last",
                                                   "refusals", "emptying", "sent", "drawn", "emptied_in")}  # fmt: skip
EMPTIED = {"item": "", "give": "", "get": "", "you": "", "them": "", "trigger": "", "position": "",
           "final": False}  # fmt: skip


def restore_last_line() -> None:
    """After a reload (a new session), the confirmation and Undo of the line this person logged last come
    back from the link; a link to someone else's line, or to a removed one, offers nothing."""
    param = ui.link_deal_id(st.query_params.get(LAST_LINE))  # plain digits or nothing
    if (
        K["last"] not in st.session_state
        and param is not None
        and store.concessions.logged_it(deal_id, param)
    ):
        st.session_state[K["last"]] = param


restore_last_line()


def log_concession() -> None:
    """Form callback: runs before the fragment redraws, so the new line shows in the same rerun."""
    s = st.session_state
    s[K["emptying"]] = False  # the browser sent a line: what its boxes hold is what the person typed
    try:
        # Amounts as typed (15k, 15,000, -8k, 15.000,50 in a decimal-comma deal); an ambiguous one is refused
        # naming the field and what was understood, so a fast typist never saves a misread value.
        amounts = read_amounts({"value_to_you": s.get(K["you"], ""), "value_to_them": s.get(K["them"], ""),
                                "new_position": s[K["position"]]}, deal.decimal_comma)  # fmt: skip
        data = {
            "item": s[K["item"]], "you_give": s[K["give"]], "you_get": s[K["get"]],
            "value_to_you": amounts["value_to_you"] or 0.0, "value_to_them": amounts["value_to_them"] or 0.0,
            "trigger": s[K["trigger"]], "issue_id": s[K["issue"]], "new_position": amounts["new_position"],
            "round": s[K["round"]], "final_offer": s[K["final"]], "logged_at": now(),
        }  # fmt: skip
        line = validate(Concession, data)
        new_id = store.concessions.add_concession(deal_id, line)
    except (InvalidInput, NotFound, NotAllowed, DatabaseProblem) as exc:
        # A database that stopped mid-line: nothing was logged, the typed line stays to log again.
        s[K["problems"]] = (
            exc.problems if isinstance(exc, InvalidInput)
            else [f"Nothing was logged: {exc.shown()}"] if isinstance(exc, DatabaseProblem)
            else [str(exc)]
        )  # fmt: skip
        s[K["last"]] = None  # the previous line's confirmation must not read as this one's
        s[K["refusals"]] = s.get(K["refusals"], 0) + 1
        return
    s[K["problems"]] = []
    # Not a one-shot message: the confirmation is drawn from the stored line on every redraw until the next
    # line, so a redraw that a burst of typing interrupts can never swallow it.
    s[K["last"]] = new_id
    st.query_params[LAST_LINE] = str(new_id)  # a reload keeps the confirmation and its Undo
    # What the browser holds in its boxes until the emptied form reaches it, and sends back if it never does.
    s[K["sent"]] = {name: s.get(K[name], empty) for name, empty in EMPTIED.items()}
    # Empty what changes line to line; keep the round and the linked issue for the next entry.
    empty_the_entry()


def empty_the_entry() -> None:
    """Empties the entry, and again in a later run for as long as the browser sends the logged line back. A
    value set here reaches the browser only with the run that draws the form: when another run (the live
    refresh, a busy server) starts before that drawing was sent, it is dropped, the browser still shows the
    last line's text, and the next line typed in would carry it. Boxes safe mode does not draw are left
    alone."""
    s = st.session_state
    for name, empty in EMPTIED.items():
        if name not in ("you", "them", "position") or K[name] in s:
            s[K[name]] = empty
    s[K["emptying"]] = True
    s[K["emptied_in"]] = s.get(K["drawn"], 0)


def current_deal():
    """The deal and its issues as stored now, read once per write: the balance and the entry form need them
    before the log is reviewed, and the review reuses them."""
    return ui.per_revision(store, f"concessions_deal_{deal_id}", lambda: store.deals.get_deal(deal_id))


def deal_issues():
    return ui.per_revision(
        store, f"concessions_issues_{deal_id}", lambda: store.preparation.list_issues(deal_id)
    )


def reviewed():
    """The deal, its issues and the reviewed log, recomputed only after a write."""

    def compute():
        current, issues = current_deal(), deal_issues()
        approvals = store.list_approvals(deal_id)
        return (
            current,
            issues,
            review_log(store.concessions.concession_frame(deal_id), issues, current.mandate, approvals),
        )

    return ui.per_revision(store, f"concessions_{deal_id}", compute)


def carried(issue_names: dict[int, str]) -> None:
    """What the next line inherits from the last one, in plain sight, with one key to drop the link: four
    lines are never saved against an issue nobody noticed was still selected."""
    s = st.session_state
    linked = s.get(K["issue"])
    said, unlink = st.columns([5, 1], vertical_alignment="center")
    # The round is in its own box in the form (a caption above a form cannot follow what is typed in it
    # before Enter, so it would disagree with the box): this line says only what the box does not show.
    said.caption(
        "Next line: "
        + (f"linked to **{ui.md(issue_names[linked])}**" if linked in issue_names else "no linked issue")
    )
    if linked in issue_names:
        unlink.button("Unlink", icon=":material/close:", key=f"unlink_{deal_id}", shortcut="Alt+U", on_click=clear_link,
                      help="Alt+U: the next line links to no issue.", type="tertiary")  # fmt: skip


def entry_form(issue_names: dict[int, str], cur: str) -> None:
    """Quick entry: Enter logs the line; what carries over to the next line is said above the form."""
    s = st.session_state
    if s.get(K["emptying"]):
        sent = {name: s.get(K[name], empty) for name, empty in EMPTIED.items()}
        if sent == s.get(K["sent"]):
            empty_the_entry()  # the browser sent the last line back: the run that emptied it was dropped
        elif s.get(K["emptied_in"]) != s.get(K["drawn"], 0):
            # A later run, and the browser no longer holds the last line: it has the emptied form, and what
            # its boxes hold from now on is the person's next line, never to be emptied by us.
            s[K["emptying"]] = False
    carried(issue_names)
    with st.form(f"concession_entry_{deal_id}", border=True, enter_to_submit=True):
        a = st.columns([3, 3, 3, 2, 2])
        a[0].text_input("Item", key=K["item"], placeholder="Pilot")
        a[1].text_input("You give", key=K["give"], placeholder="30-day pilot")
        a[2].text_input("You get", key=K["get"], placeholder="Paid, credited to year one")
        # No help icons inside the form: each one is a Tab stop between fields typed at speed.
        # Typed, not spun: 15k, 15,000, -8k (or 15.000,50 where the deal uses a decimal comma).
        if not ui.safe_mode():  # what is typed into them would be on the shared screen: valued later
            ui.amount_input(
                a[3], f"Value to you ({ui.md(cur)})", K["you"], placeholder=amount_example(negative=True)
            )
            ui.amount_input(a[4], f"Value to them ({ui.md(cur)})", K["them"])
        b = st.columns([4, 3, 2, 1.3], vertical_alignment="bottom")
        b[0].text_input(
            "Trigger/contingency", key=K["trigger"], placeholder="Only if the order is signed by the 30th"
        )
        b[1].selectbox(
            "Linked issue",
            [None, *issue_names],
            key=K["issue"],
            format_func=ui.distinct_labels({None: "—", **issue_names}).__getitem__,
        )
        ui.amount_input(b[2], "New position", K["position"])
        b[3].number_input("Round", key=K["round"], min_value=1, step=1)
        # A row of their own, right-aligned: on a tablet beside the sidebar no label or button is cut.
        c = st.columns([4, 2, 1.6], vertical_alignment="center")
        c[1].checkbox("Final offer", key=K["final"])
        c[2].form_submit_button(
            "Log it",
            type="primary",
            on_click=log_concession,
            width="stretch",
            key=f"entry_submit_{deal_id}",
        )
    st.caption(
        "Value to you/them: the net value of the line to each side (negative when that side lost value). "
        "Leave 'You get' empty only if nothing came back: that is a one-way concession. Enter logs the line."
    )
    for n, problem in enumerate(s.get(K["problems"]) or []):
        field = next(
            (slug for slug, label in REFUSED_FIELDS.items() if problem.startswith(label + ":")), "item"
        )
        # The first refusal's box names its field in its key: the focus helper puts the cursor there.
        where = st.container(key=f"{REFUSED}{field}_{s.get(K['refusals'], 0)}") if n == 0 else st
        where.error(ui.md(problem))


def clear_link() -> None:
    st.session_state[K["issue"]] = None


LOGGED = "logged_line_"  # the confirmation's container key, with the line's id: what the focus helper watches
REFUSED = "refused_"  # a refusal's container key, with the field and the refusal's number
REFUSED_FIELDS = {"item": "Item", "you": "Value to you", "them": "Value to them", "position": "New position",
                  "trigger": "Trigger/contingency"}  # fmt: skip
# Finds the id of the line the confirmation shows; when it is one it has not seen, the cursor goes to Item.
FOCUS_ITEM_AFTER_A_NEW_LINE = f"""<script>
const page = window.parent.document;
const confirmed = () => {{
    const box = page.querySelector('[class*="st-key-{LOGGED}"]');
    const found = box && box.className.match(/st-key-{LOGGED}(\\d+)/);
    return found ? found[1] : null;
}};
let seen = confirmed();
const labels = {json.dumps(REFUSED_FIELDS)};
const refused = () => {{
    const box = page.querySelector('[class*="st-key-{REFUSED}"]');
    const found = box && box.className.match(/st-key-{REFUSED}([a-z]+)_(\\d+)/);
    return found ? [found[1], found[2]] : null;
}};
let seenRefusal = refused() && refused()[1];
new MutationObserver(() => {{
    const line = confirmed();
    if (line !== null && line !== seen) {{
        const item = page.querySelector('input[aria-label="Item"]');
        if (item && item.value === '') {{  // only once the form is cleared: never into the last line's text
            seen = line;
            item.focus();
        }}
    }}
    const refusal = refused();
    if (refusal !== null && refusal[1] !== seenRefusal) {{  // a new refusal: the cursor goes to its field
        seenRefusal = refusal[1];
        const box = page.querySelector(`input[aria-label^="${{labels[refusal[0]]}}"]`);
        if (box) {{ box.focus(); box.select(); }}
    }}
}}).observe(page.body, {{childList: true, subtree: true}});
// Enter logs the line from any field of the form, the Final offer box too (a browser's Enter on a
// checkbox submits nothing). Once per tab: a second listener would log the line twice.
if (!window.parent.cockpitEnterOnFinalOffer) {{
    window.parent.cockpitEnterOnFinalOffer = true;
    page.addEventListener('keydown', (event) => {{
        const box = event.target;
        if (event.key !== 'Enter' || !box.matches || !box.matches('input[type="checkbox"][aria-label="Final offer"]')) return;
        const form = box.closest('[data-testid="stForm"]');
        const submit = form && [...form.querySelectorAll('button')].find((b) => b.textContent.includes('Log it'));
        if (submit) {{ event.preventDefault(); submit.click(); }}
    }}, true);
}}
</script>"""


def focus_helper() -> None:
    """After a line is logged the cursor goes back to Item, so the next line is typed without the mouse.
    Streamlit has no focus call: one script of ours (no user text in it), drawn once with the page, moves
    it. Once, not with each line: a new frame per line cost a tenth of the time from Enter to the
    confirmation. st.iframe replaced components.html; a frame of its own keeps the page's main part free
    of any script (the hostile-text journey checks that none is ever there)."""
    st.iframe(FOCUS_ITEM_AFTER_A_NEW_LINE, height=1)


def last_logged(totals: LogTotals, currency: str, safe: bool) -> None:
    """The confirmation of the line this session logged last, once it is stored, with its undo."""
    last = st.session_state.get(K["last"])
    line = None if last is None else store.concessions.live_concession(deal_id, last)
    if line is None:  # none logged yet, or taken out since (undo, or a correction elsewhere)
        return
    balance = "" if safe else f" — balance now {ui.signed_money(totals.balance, currency)}"
    said, undo = st.container(key=f"{LOGGED}{int(last)}").columns([5, 1], vertical_alignment="center")
    stop = None if safe else mandate_stop(line, totals.gives, current_deal().mandate, approver(), currency)
    if stop:  # logged, but not to be offered: the confirmation itself is the stop, in red
        said.error(f"Logged '{ui.md(line.item)}'{balance}. {ui.md(stop)}", icon=":material/front_hand:")
    else:
        said.success(f"Logged '{ui.md(line.item)}'{balance}", icon=":material/check_circle:")
    if not safe:
        if unvalued := unvalued_give(line):
            said.warning(ui.md(unvalued), icon=":material/help:")
        said.caption(ui.md(read_as(line, currency)))
        if worth := move_worth(line, currency):
            said.caption(ui.md(worth))
    undo.button("Undo last line", key=f"undo_last_{deal_id}", icon=":material/undo:", on_click=undo_last,
                args=(int(last), line.item),
                help="Takes the line out of the log (it stays in Removed lines and in the history).")  # fmt: skip


def move_worth(line: Concession, currency: str) -> str | None:
    """What the line's move on its linked issue is worth over the contract, when the issue has a volume."""
    issue = next((i for i in deal_issues() if i.id == line.issue_id), None)
    if issue is None or line.new_position is None:
        return None
    log = ui.per_revision(
        store, f"concession_frame_{deal_id}", lambda: store.concessions.concession_frame(deal_id)
    )
    return move_said(issue, previous_position(log, issue, before_line=line.id), line.new_position, currency)


def approver() -> str:
    """Who approves a give over this deal's mandate: its sponsor, by name where the team names one."""
    people = ui.per_revision(store, f"deal_people_{deal_id}", lambda: store.deal_people(deal_id))
    return next((email for email, part in people.items() if part == Part.sponsor), "the deal's sponsor")


def undo_last(line_id: int, item: str) -> None:
    """Button callback: runs before the redraw, so the balance shown is already without the line."""
    try:
        store.concessions.remove_concession(deal_id, line_id)
    except (NotFound, NotAllowed, Conflict) as exc:
        st.session_state[K["problems"]] = [str(exc)]
        return
    except DatabaseProblem as exc:
        st.session_state[K["problems"]] = [f"Nothing was undone: {exc.shown()}"]
        return
    st.session_state[K["last"]] = None
    st.query_params.pop(LAST_LINE, None)
    ui.flash(f"Took '{item}' out of the log; it is under Removed lines if you want it back.")


NOTES_OPEN = "round_notes_open_{deal_id}"


def round_notes() -> None:
    """A note per round, folded under the entry: what they asked, what we answered, what to try next. The
    round is the entry's Round box; earlier rounds' notes are listed under it. Ours alone: not drawn on a
    shared screen, and drawn only once opened, so a logged line never redraws it."""
    notes = ui.per_revision(store, f"round_notes_{deal_id}", lambda: store.deals.round_notes(deal_id))
    box = st.expander(
        f":material/edit_note: Notes by round ({len(notes)})", key=NOTES_OPEN.format(deal_id=deal_id),
        on_change="rerun",
    )  # fmt: skip
    if not box.open:
        return
    with box:
        round_no = int(st.session_state.get(K["round"]) or 1)
        with st.form(f"round_note_{deal_id}_{round_no}", border=False):
            text = st.text_area(
                f"Round {round_no}", value=notes.get(round_no, ""), key=f"round_note_text_{deal_id}_{round_no}",
                placeholder="They anchored at 2,100; we asked what the index does in Q3. Next: trade term for rate.",
                height=90,
            )  # fmt: skip
            saved = st.form_submit_button("Save the note", key=f"round_note_save_{deal_id}_{round_no}")
        if saved:
            ui.attempt(
                lambda: store.deals.write_round_note(deal_id, round_no, text),
                f"Saved the note on round {round_no}.",
            )
        for n, note in sorted(notes.items(), reverse=True):
            if n != round_no:
                st.markdown(f"**Round {n}** · {ui.md(note)}")


def approvals_panel(review, folded: bool) -> None:
    """Gives over the mandate that are pending or rejected, with the sponsor's approve and reject. Locally
    there is no second person: the negotiator records who said yes (by phone) and when. `folded`: for
    those who log lines, below the form and closed, so it never pushes the entry down mid-meeting; its
    forms are drawn only once it is opened, so a browser redrawing the screen after each logged line does
    not redraw ten hidden forms with it."""
    open_lines = [a for a in review.approvals.values() if a.open]
    if not open_lines:
        return
    lines = review.lines.set_index("id")
    title = f"{plural(len(open_lines), 'give')} over the mandate"
    box = (
        st.expander(
            f":orange[:material/approval: {title}: record the sponsor's decision]",
            key=APPROVALS_OPEN.format(deal_id=deal_id),
            on_change="rerun",
        )  # fmt: skip
        if folded
        else st.container(border=True, key=f"approvals_{deal_id}")
    )
    if folded and not box.open:
        return
    with box:
        if not folded:
            st.markdown(f":orange[:material/approval: **{title}**]")
        # What the sponsor reads before deciding: the deal on one page (limits, mandate, leverage, flags).
        ui.sponsor_brief_button(store, deal_id, key=f"brief_{deal_id}_{'folded' if folded else 'open'}")
        ordered = sorted(open_lines, key=lambda a: a.state != "pending")  # pending first, in logged order
        if len(ordered) > DECISIONS_SHOWN:
            st.caption(
                f"The first {DECISIONS_SHOWN} of {len(ordered)}, oldest first; the rest follow as these are decided."
            )
        for a in ordered[:DECISIONS_SHOWN]:
            row = lines.loc[a.concession_id]
            # the line's own give beside the overrun it brings the log to
            st.markdown(f"Round {row['round']} · **{ui.md(row['item'])}** · gives {ui.money(row['give'], deal.currency)}"
                        f" · {ui.md(a.says())}")  # fmt: skip
            if not may_decide:
                continue
            with st.form(f"decide_{a.concession_id}", border=False, clear_on_submit=True):
                if store.person.local:
                    who, day, time, note = st.columns([3, 2, 2, 4], vertical_alignment="bottom")
                    by = who.text_input("Decided by", placeholder="Maria Lopez, sponsor (by phone)")
                    when_day = day.date_input("On (UTC)", value=now().date(), format="YYYY-MM-DD")
                    when_time = time.time_input(
                        "At (UTC)", value=now().time().replace(second=0, microsecond=0)
                    )
                else:
                    note, by, when_day, when_time = st.columns(1)[0], None, None, None
                said = note.text_input("Note", placeholder="why: needed for a rejection")
                approve, reject, _ = st.columns([1, 1, 4])
                decision = None
                if approve.form_submit_button("Approve", icon=":material/check:", type="primary"):
                    decision = "approved"
                if reject.form_submit_button("Reject", icon=":material/block:"):
                    decision = "rejected"
                if decision:
                    at = datetime.combine(when_day, when_time) if when_day and when_time else None
                    ui.attempt(
                        lambda d=decision, a=a, by=by, at=at, said=said: store.decide_approval(
                            deal_id, a.concession_id, d, said, decided_by=by, decided_at=at),
                        f"'{row['item']}': {decision}.",
                    )  # fmt: skip


def balance_figure(totals: LogTotals, currency: str) -> None:
    current = current_deal()
    deadline = (
        f" · deadline {current.deadline:%d %b}: {countdown(current.deadline, date.today())}"
        if current.deadline
        else ""
    )
    ui.big_number(
        "Give/get balance — value to us",
        ui.signed_money(totals.balance, currency),
        f"gave {ui.money(totals.gives, currency)} · got {ui.money(totals.gets, currency)} · "
        f"{plural(totals.lines, 'line')}{deadline}",
        color="red" if totals.balance < 0 else "green" if totals.balance > 0 else None,
    )


@ui.live(LIVE_SECONDS)
def live_log() -> None:
    safe = ui.safe_mode()
    s = st.session_state
    # What a new line changes goes out first, read from one row each (the log's totals, the line itself):
    # the balance and the confirmation are on screen while the whole log is reviewed again for the counts
    # and flags beside and below them.
    current = current_deal()
    cur = current.currency
    totals = ui.per_revision(
        store, f"concessions_totals_{deal_id}", lambda: store.concessions.log_totals(deal_id)
    )
    big, side = st.columns([1.6, 3.4], vertical_alignment="center")
    if not safe:
        with big:
            balance_figure(totals, cur)
    sponsor_box = st.container() if not may_change else None
    if may_change:
        issues = deal_issues()
        issue_names = {i.id: i.name for i in issues}
        if K["round"] not in s:  # the page's first draw: the next line starts in the latest round
            s[K["round"]] = reviewed()[2].latest_round
        # The form (cleared for the next line) is sent before the confirmation: the cursor goes back to Item
        # when the confirmation arrives, and a fast typist's next keys must never land in the last line's text.
        entry_form(issue_names, cur)
        s[K["drawn"]] = s.get(K["drawn"], 0) + 1  # how many times this session drew the form
        last_logged(totals, cur, safe)
    ui.show_flash()

    current, issues, review = reviewed()
    summary = review.summary
    share = summary.reciprocated_share
    if safe:
        # Shared: what was given and got, as both sides heard it. The balance, the flags and every count
        # built on them (one-way, joint value, moves after a final offer) are our assessment.
        with big:
            ui.big_number("Round", str(review.latest_round), f"{plural(summary.lines, 'line')} logged")
        with side:
            ui.hidden("The balance, the values to each side, the flags and the mandate")
    else:
        with side:
            r1 = st.columns(3)
            r1[0].metric("One-way concessions", summary.one_way, help="Lines with nothing in 'You get'.")
            r1[1].metric("Reciprocated", "—" if share is None else f"{share:.0%}", help=RECIPROCATED_HELP)
            r1[2].metric(
                "Created joint value",
                f"{summary.joint_value_lines} of {summary.lines}",
                help="Lines where value to you + value to them > 0.",
            )
            r2 = st.columns([1, 1.7, 1, 1.1])
            r2[0].metric("Floor breaches", summary.floor_breaches)
            over = summary.over_mandate > 0
            r2[1].metric(  # over: a red arrow down; within: a grey 'left', never the same arrow for both
                f"Gives vs mandate {ui.money(summary.mandate)}", ui.money(summary.gives),
                delta=f"-{ui.money(summary.over_mandate)} over the mandate" if over
                else f"{ui.money(summary.mandate_left)} left", delta_color="normal" if over else "off",
                help="The mandate is the most we may concede in total without approval; unvalued gives are not counted.",
            )  # fmt: skip
            r2[2].metric("Unvalued gives", summary.unvalued_gives,
                         help="Gives with nothing in 'Value to you': not counted against the mandate.")  # fmt: skip
            r2[3].metric("Moved after final", summary.moved_after_final,
                         help="Gives logged after a line marked as a final offer.")  # fmt: skip
    if sponsor_box is not None and not safe:
        with sponsor_box:
            approvals_panel(review, folded=False)  # a sponsor came to decide: first thing under the figures

    flagged = review.flagged(shareable=safe).iloc[::-1] if not safe else review.lines.iloc[0:0]
    if len(flagged):
        with st.container(border=True):
            st.markdown(f"**Flags** · {len(flagged)} line{'s' if len(flagged) != 1 else ''}")
            for row in flagged.head(12).itertuples():
                severe = not safe and is_severe(row.floor_breach, row.approval_open)
                icon = ":material/error:" if severe else ":material/warning:"
                st.markdown(
                    f"{icon} Round {row.round} · **{ui.md(row.item)}** — "
                    + "; ".join(ui.md(f) for f in (row.shareable_flags if safe else row.flags))
                )
            if len(flagged) > 12:
                st.caption(f"… and {len(flagged) - 12} more in the log below.")
            pairs = ui.per_revision(
                store,
                f"tradeables_{deal_id}",
                lambda: tradeable_suggestions(store.reviews.list_library(), current.context),
            )
            if flagged["one_way"].any() and pairs:
                st.caption(
                    ":material/swap_horiz: Tradeables from the library to pair a one-way give with: "
                    + " · ".join(f"**{ui.md(t.title)}**" for t in pairs)
                )

    drawn = s.get(f"log_drawn_{deal_id}")
    if not safe and drawn is not None and drawn != summary.lines:
        # The correction table below is drawn with the page; the live figures follow every line at once.
        if st.button(f"Bring the correction table up to date ({plural(summary.lines, 'line')})",
                     key=f"refresh_corrections_{deal_id}", icon=":material/sync:", type="tertiary"):  # fmt: skip
            st.rerun(scope="app")


@ui.live(LIVE_SECONDS, says_why=False)
def live_table() -> None:
    """The newest lines, in a fragment of their own: logging a line redraws the balance and the flags at
    once, and this table follows on its own tick."""
    _, issues, review = reviewed()
    summary = review.summary
    safe = ui.safe_mode()
    issue_names = {i.id: i.name for i in issues}
    if summary.lines:
        newest = review.lines.iloc[: -LIVE_ROWS - 1 : -1]
        table = pd.DataFrame({
            "Round": newest["round"], "Item": newest["item"], "You give": newest["you_give"],
            "You get": newest["you_get"], "Value to you": newest["value_to_you"],
            "Value to them": newest["value_to_them"], "Trigger/contingency": newest["trigger"],
            "Linked issue": newest["issue_id"].map(issue_names).fillna(""), "New position": newest["new_position"],
            "Final": newest["final_offer"], "Balance": newest["running_balance"],
            "Flags": newest["shareable_flags" if safe else "flags"].map(" · ".join), "Logged at": newest["logged_at"],
        })  # fmt: skip
        if safe:  # only what was said at the table: no values, no running balance, no flags
            table = table.drop(columns=["Value to you", "Value to them", "Balance", "Flags"])
        money_fmt = st.column_config.NumberColumn(format="%+,.0f")
        if current_deal().decimal_comma:  # the grid writes numbers the English way: as text, the deal's way
            for column in ("Value to you", "Value to them", "Balance"):
                if column in table:
                    table[column] = table[column].map(ui.signed_money)
            table["New position"] = table["New position"].map(lambda x: "" if pd.isna(x) else fmt_amount(x))
            money_fmt = st.column_config.TextColumn()
        st.dataframe(
            table, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(table)),
            column_config={"Value to you": money_fmt, "Value to them": money_fmt, "Balance": money_fmt,
                           "Logged at": st.column_config.DatetimeColumn(format="D MMM HH:mm")},
            key=f"log_table_{deal_id}",
        )  # fmt: skip
        if summary.lines > LIVE_ROWS:
            st.caption(
                f"Newest {LIVE_ROWS} of {count(summary.lines)} lines; every line is in the correction table and the CSV."
            )
    else:
        st.info("No concessions yet. Log the first one above: every give should name its get.")


@ui.live(LIVE_SECONDS, says_why=False)
def balance_over_rounds() -> None:
    """A fragment of its own: logging a line redraws the numbers at once; the chart follows on its tick."""
    _, _, review = reviewed()
    if ui.safe_mode():
        if review.summary.lines:
            ui.hidden("The balance chart (it plots value to us in money)")
        return
    if review.summary.lines:
        per_round = balance_by_round(review)
        chart = ui.per_revision(
            store, f"balance_chart_{deal_id}", lambda: balance_chart(per_round.tail(CHART_ROUNDS))
        )
        st.altair_chart(chart, width="stretch")
        if len(per_round) > CHART_ROUNDS:
            st.caption(
                f"Last {CHART_ROUNDS} of {len(per_round)} rounds; the balance line includes every earlier round."
            )


live_log()
if may_change:
    focus_helper()
if not ui.safe_mode() and may_change:
    # Drawn with the page, not with each logged line: the flags above say "pending approval" at once, and
    # ten forms redrawn with every line would slow the entry the negotiator is typing into. In a slot of its
    # own, drawn or not, so the first give over the mandate does not move the tabs below.
    with st.container():
        approvals_panel(reviewed()[2], folded=True)
    round_notes()
live_table()
balance_over_rounds()

# ---- corrections, removed lines, CSV: outside the live fragment so a refresh never eats an edit ----------
st.divider()
issues = store.preparation.list_issues(deal_id)
lines = store.concessions.list_concessions(deal_id)
# Opening a tab redraws the page (keyed tabs with a rerun), so the correction table always holds the lines
# logged in this session too, not only those there when the page was first drawn.
fix, removed_col, files = st.tabs(["Correct the log", "Removed lines", "CSV export and import"],
                                  key=f"log_tabs_{deal_id}")  # fmt: skip
safe = ui.safe_mode()
# What the correction table was drawn with, also when it was empty: the live part offers to bring it up to
# date as soon as a line is logged ("Nothing to correct yet" must not stay after the first line).
st.session_state[f"log_drawn_{deal_id}"] = len(lines)

with fix:
    if safe:
        ui.hidden("Corrections (the table holds the values to us and to them)")
    elif lines:
        st.caption(
            "Newest first, as in the live table. Edit cells, tick Remove to take a line out (it can be "
            "undone), then save."
        )
        issue_names = [i.name for i in issues]
        editor_key, seen_key = f"log_editor_{deal_id}", f"log_seen_{deal_id}"
        pending = st.session_state.get(editor_key)
        if not (isinstance(pending, dict) and pending.get("edited_rows")) or seen_key not in st.session_state:
            # The log as it was when these edits began. The table keeps showing it while edits are pending,
            # because the table's edits are kept by row: a line logged or removed elsewhere in the meantime
            # must not move an edit onto another line. Saving checks nobody changed the edited lines since.
            st.session_state[seen_key] = lines
        base = st.session_state[seen_key]
        if len(base) != len(lines) or any(a.id != b.id for a, b in zip(base, lines, strict=False)):
            st.caption(
                ":material/sync: The log changed since you started editing; your edits stay on their lines."
            )
        amount_help = f"Typed as in the entry form, {amount_example()}; read in this deal's convention."
        edited = st.data_editor(
            editor_frame(base, issues),
            key=editor_key,
            hide_index=True,
            width="stretch",
            num_rows="fixed",
            column_order=[*EDITOR_COLUMNS, "Logged at", "Remove"],
            disabled=["Logged at"],
            column_config={
                "Round": st.column_config.NumberColumn(min_value=1, step=1, required=True),
                "Item": st.column_config.TextColumn(required=True, max_chars=200),
                "Value to you": st.column_config.TextColumn(help=amount_help),
                "Value to them": st.column_config.TextColumn(help=amount_help),
                "Linked issue": st.column_config.SelectboxColumn(options=issue_names),
                "New position": st.column_config.TextColumn(help=amount_help),
                "Logged at": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm"),
                "Remove": st.column_config.CheckboxColumn(help="Soft delete: the line can be restored."),
            },
        )
        if st.button("Save corrections", type="primary", key=f"save_corrections_{deal_id}"):

            def save() -> str:
                changed, removed = read_corrections(base, edited, issues)
                if not changed and not removed:
                    raise InvalidInput(["There are no corrections to save."])
                try:
                    store.concessions.update_concessions(deal_id, changed, removed, read=base)
                finally:  # saved, or refused because someone else saved first: start again from the stored log
                    for key in (editor_key, seen_key):
                        st.session_state.pop(key, None)
                return corrections_saved(changed, [c for c in base if c.id in removed])

            ui.attempt(save, lambda said: said)
    else:
        st.caption("Nothing to correct yet.")

with removed_col:
    removed_lines = store.concessions.list_removed_concessions(deal_id)
    if not removed_lines:
        st.caption("No removed lines.")
    for c in removed_lines:
        left, right = st.columns([5, 1], vertical_alignment="center")
        value = "" if safe else f" · {ui.signed_money(c.value_to_you, deal.currency)}"
        left.markdown(f"Round {c.round} · **{ui.md(c.item)}**{value} · removed {c.deleted_at:%d %b %H:%M}")
        if right.button("Undo", key=f"restore_{c.id}", icon=":material/undo:"):
            ui.attempt(
                lambda c=c: store.concessions.restore_concession(deal_id, c.id), f"Restored '{c.item}'."
            )

with files:
    left, right = st.columns(2)
    # Built when clicked, so the file holds every line stored by then, including lines logged since the page
    # was drawn (those come from the live fragment, not from a page rerun). A deferred file's address changes
    # with every page rerun, so this page's tabs switch without one (on_change="ignore" above).
    left.download_button(
        "This deal's log (CSV)",
        data=ui.recorded(store, "This deal's log (CSV)", deal_id, lambda: frame_to_csv(store.concessions.concession_log(deal_id))),
        file_name=f"concessions-deal-{deal_id}.csv", mime="text/csv", icon=":material/download:",
        key=f"download_deal_{deal_id}", on_click="ignore", disabled=safe, help=SAFE_DOWNLOAD if safe else None,
    )  # fmt: skip
    if deal.decimal_comma:  # the file this deal's spreadsheets open as they are: ';' and 1500,5
        left.download_button(
            "This deal's log (CSV with ; and decimal comma)",
            data=ui.recorded(store, "This deal's log (CSV with ; and decimal comma)", deal_id,
                             lambda: frame_to_csv(store.concessions.concession_log(deal_id), decimal_comma=True)),
            file_name=f"concessions-deal-{deal_id}-decimal-comma.csv", mime="text/csv", icon=":material/download:",
            key=f"download_deal_comma_{deal_id}", on_click="ignore", disabled=safe,
            help=SAFE_DOWNLOAD if safe else None,
        )  # fmt: skip
    right.download_button(
        "Every deal's log (CSV)",
        data=ui.recorded(store, "Every deal's log (CSV)", None, lambda: frame_to_csv(store.concessions.concession_log())),
        file_name="concessions-all-deals.csv", mime="text/csv", icon=":material/download:", key="download_all",
        on_click="ignore", disabled=safe, help=SAFE_DOWNLOAD if safe else None,
    )  # fmt: skip
    st.caption(
        "UTF-8 with a byte-order mark; the first columns are Item, You give, You get, Value to you, Value to "
        "them, Trigger/contingency. Text that a spreadsheet would run as a formula is prefixed with a quote. "
        "Both files import: ',' with 1500.5, or ';' with 1500,5 (as Excel saves CSV in much of Europe)."
    )
    upload = st.file_uploader("Append lines from a CSV to this deal", type=["csv"], key=f"upload_{deal_id}")
    if upload is not None and st.button("Import", key=f"import_{deal_id}", icon=":material/upload:"):

        def import_file() -> None:
            check_size(upload.size)  # before the upload is read
            items = parse_concessions(upload.getvalue(), store.preparation.issue_ids(deal_id), now())
            store.concessions.import_concessions(deal_id, items)

        ui.attempt(import_file, f"Imported the lines of {upload.name}.")

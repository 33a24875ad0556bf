"""Prepare: the deal, its counterparty map, BATNA, issues with floors and the ZOPA, and the evidence pack."""

from datetime import date

import streamlit as st

from core import ui
from core.batna import batna_checks, best_alternative, contract_money, mark_best, money_meaning, why_best
from core.charts import zopa_chart
from core.deadline import countdown
from core.formatting import fmt_amount, organisation_decimal_comma
from core.impact import stakes
from core.models import (
    Alternative,
    AnchorWorksheet,
    Context,
    Counterparty,
    Deal,
    Evidence,
    InvalidInput,
    Issue,
    Stage,
    Stakeholder,
    read_amounts,
    validate,
    validate_new_deal,
)
from core.moves import anchor_gaps
from core.privacy import cited_publicly
from core.zopa import zopa, zopa_frame

store, deal_id = ui.page_start()
SIDE_CHOICES = {"buy": "We buy", "sell": "We sell"}  # none picked: read from the context

DEAL_FIELDS = [
    "name",
    "context",
    "stage",
    "owner",
    "value",
    "currency",
    "decimal_comma",
    "side",
    "deadline",
    "deadline_reason",
    "deadline_evidence_id",
    "pressured_issue_id",
    "notes",
]
ISSUE_FIELDS = [
    "name",
    "unit",
    "direction",
    "priority",
    "target",
    "reservation",
    "their_target",
    "their_walk_away",
    "their_priority",
    "confidence",
    "estimate_source",
    "tradeable",
    "evidence_id",
    "volume",
    "years",
]


def alternative_money(alternative: Alternative) -> str:
    """An alternative's money as typed: a total, or a rate 'per unit of' one of the issues."""
    rate_of = next((i for i in issues if i.id == alternative.per_unit_of), None)
    if rate_of is None:
        return ui.money(alternative.money)
    unit = rate_of.unit.rpartition("/")[2].strip() or rate_of.name  # 'EUR/container' is a rate per container
    return f"{ui.money(alternative.money)} per {unit}"


def money_at_stake() -> None:
    """Each rate's money over the contract (rate × volume × years), and beside the BATNA where it is priced
    per unit of the issue: what a concession on the rate costs, or earns, in the deal's currency."""
    rows = stakes(issues, batna, deal.pressured_issue_id)
    if not rows:
        st.caption("Give an issue a volume per year (and years) to see its money at stake over the contract.")
        return
    cur = deal.currency
    st.markdown(f"**Money at stake over the contract** ({ui.md(cur)})")
    st.dataframe(
        [{"Issue": s.issue.name, "Volume × years": f"{fmt_amount(s.issue.volume)} × {fmt_amount(s.issue.years)}",
          "One unit of the rate": ui.money(s.per_unit), "At our target": ui.money(s.at_target),
          "At our floor/ceiling": ui.money(s.at_reservation),
          "At their walk-away": "—" if s.at_their_walk_away is None else ui.money(s.at_their_walk_away),
          "Target vs BATNA": "—" if s.target_against_batna is None else ui.signed(s.target_against_batna),
          "Floor/ceiling vs BATNA":
              "—" if s.reservation_against_batna is None else ui.signed(s.reservation_against_batna)}
         for s in rows],
        hide_index=True, width="stretch", key=f"stakes_{deal_id}",
    )  # fmt: skip
    st.caption(
        "Signed for us: + is money we keep or earn, − money we give. 'vs BATNA' compares with the best "
        "alternative: priced per unit of the issue (Money is per unit of, on the BATNA tab), or as a total "
        "against the deal's pressured issue."
    )


def mandate_form() -> None:
    """The mandate is the sponsor's limit on the negotiator: moved on its own, by the sponsor or a leader,
    with the reason recorded in the history (the deal form does not carry it)."""
    if not store.may_decide(deal_id):
        st.caption(
            f"Mandate {ui.money(deal.mandate, deal.currency)}: only the deal's sponsor or a leader moves it, "
            "with its reason."
        )
        return
    with st.form(f"mandate_{deal_id}", clear_on_submit=True):
        st.markdown(f"**Move the mandate** · now {ui.money(deal.mandate, deal.currency)}")
        amount, why = st.columns([1, 3])
        ui.amount_input(amount, f"New mandate ({ui.md(deal.currency)})", f"mandate_{deal_id}__amount")
        why.text_input("Why", key=f"mandate_{deal_id}__reason", placeholder="Board agreed the extra 5 %")
        moved = st.form_submit_button("Move the mandate", key=f"mandate_{deal_id}__save")
    if moved:
        s = st.session_state

        def move() -> float:
            typed = read_amounts(
                {"mandate": s.get(f"mandate_{deal_id}__amount", "")},
                deal.decimal_comma,
                {"mandate": "New mandate"},
            )
            if typed["mandate"] is None:
                raise InvalidInput(["New mandate: type the amount the sponsor agreed"])
            store.set_mandate(deal_id, typed["mandate"], s.get(f"mandate_{deal_id}__reason", ""))
            return typed["mandate"]

        ui.attempt(move, lambda new: f"Moved the mandate to {ui.money(new, deal.currency)}.")


def new_deal_form() -> None:
    if ui.safe_mode():  # its counterparty picker would list every other deal's counterparty
        return
    with st.expander("New deal", icon=":material/add:", expanded=store.deals.is_empty()):
        counterparties = store.deals.find_counterparties(limit=ui.PICKER_LIMIT + 1)
        if len(counterparties) > ui.PICKER_LIMIT:  # many: search first, and ship only the matches
            query = st.columns(4)[0].text_input(  # as wide as the Counterparty list it fills, not the page
                "Find a counterparty", key="new_deal__cp_search", placeholder="part of its name",
                help="The Counterparty list below offers the matches.",
            )  # fmt: skip
            counterparties = (
                store.deals.find_counterparties(query, limit=ui.PICKER_MATCHES)
                if query
                else counterparties.iloc[0:0]
            )
        known = {int(r.id): r.name for r in counterparties.itertuples()}
        with st.form("new_deal", border=False):
            values = ui.model_inputs(
                Deal,
                {
                    "context": Context.sales,
                    "stage": Stage.setup,
                    "decimal_comma": organisation_decimal_comma(),
                },
                "new_deal",
                [
                    "name",
                    "context",
                    "stage",
                    "owner",
                    "value",
                    "currency",
                    "mandate",
                    "deadline",
                    "decimal_comma",
                ],
                columns=4,
            )
            c1, c2, c3, c4 = st.columns(4)
            cp_pick = c1.selectbox(
                "Counterparty",
                [None, *known],
                key="new_deal__counterparty",
                format_func=ui.distinct_labels({None: "+ New counterparty", **known}).__getitem__,
            )
            cp_values = {
                "name": c2.text_input("New counterparty name", key="new_deal__cp_name"),
                "relationship": c3.selectbox("Relationship", ["one_off", "repeated"], key="new_deal__cp_rel"),
                "communication_style": c4.selectbox(
                    "Communication style", ["direct", "indirect"], key="new_deal__cp_style"
                ),
            }
            created = st.form_submit_button("Create deal", type="primary", key="new_deal__create")
        if created:

            def create() -> None:
                deal, counterparty = validate_new_deal(values, cp_values, cp_pick)
                ui.open_deal(store.deals.create_deal(deal, counterparty))

            ui.attempt(
                create, f"Created deal '{values.get('name', '')}'. Add its BATNA, issues and evidence below."
            )


# At the top of the screen, but drawn after the deal's figures (below) so that they come first.
new_deal_box = st.container()
if deal_id is None:
    with new_deal_box:
        new_deal_form()

_, deal, counterparty = ui.deal_or_stop(
    store, deal_id, "Prepare", empty="Create the first deal above to start preparing."
)
evidence = store.preparation.list_evidence(deal_id)
alternatives = store.preparation.list_alternatives(deal_id)
issues = store.preparation.list_issues(deal_id)
safe = ui.safe_mode()
# On a shared screen: only the evidence cited by what the other side sees (an issue, the deadline).
evidence_shown = cited_publicly(evidence, deal, issues) if safe else evidence
evidence_choices = ui.evidence_labels(evidence, shown=evidence_shown)

# ---- header: who, where, and the walk-away value ------------------------------------------------
zones = [zopa(i) for i in issues]
batna = best_alternative(alternatives, deal.side, issues)
big, m1, m2, m3 = st.columns([2, 1, 1, 1])
deadline_text = countdown(deal.deadline, date.today())
deadline_help = (
    ui.md(deal.deadline_reason)
    or "No reason recorded: a deadline without a real constraint reads as fake urgency."
)
if safe:
    # Shared: the walk-away value, the mandate and the reasons behind our dates are ours alone; the deadline
    # is what both sides work to.
    with big:
        ui.big_number(f"Deadline {deal.deadline:%d %b %Y}" if deal.deadline else "Deadline", deadline_text)
    m1.metric("Issues on the table", len(issues))
    m2.metric("Standards we cite", len(evidence_shown))
else:
    with big:
        ui.big_number(
            "BATNA — what walking away costs us" if deal.buys else "BATNA — what walking away earns us",
            ui.money(batna.money, deal.currency) if batna else "not set",
            batna.description if batna else "Add the best alternative on the BATNA tab.",
        )
    m1.metric(
        "Mandate", ui.money(deal.mandate, deal.currency), help="Beyond this, concessions need approval."
    )
    m2.metric(
        f"Deadline {deal.deadline:%d %b}" if deal.deadline else "Deadline", deadline_text, help=deadline_help
    )
    m3.metric("Issues with a ZOPA", f"{sum(1 for z in zones if z.overlap)} of {len(issues)}")
with new_deal_box:
    new_deal_form()

# Keyed, so a save (which reruns the page) leaves the negotiator on the tab they were working in; a switch
# itself does not rerun the page, so nothing typed right after it is lost to a redraw.
tab_deal, tab_cp, tab_batna, tab_issues, tab_anchor, tab_evidence = st.tabs(
    [
        "Deal",
        "Counterparty map",
        "BATNA & alternatives",
        "Issues & ZOPA",
        "Anchor worksheet",
        "Evidence pack",
    ],
    key="prepare_tab",
)

with tab_deal:
    with st.form("deal_form"):
        values = ui.model_inputs(
            Deal, deal, f"deal_{deal_id}", DEAL_FIELDS, columns=3,
            choices={"deadline_evidence_id": evidence_choices, "pressured_issue_id": {i.id: i.name for i in issues},
                     "side": SIDE_CHOICES}, labels={"side": "We buy or sell"},
        )  # fmt: skip
        saved = st.form_submit_button("Save deal", type="primary", key="deal_form__save")
    if saved:
        # Amounts typed here are read in the convention ticked in this same form: what the negotiator sees.
        ui.attempt(
            lambda: store.deals.update_deal(validate(Deal, {**deal.model_dump(), **values},
                                               decimal_comma=values.get("decimal_comma", deal.decimal_comma))),
            "Saved the deal.",
        )  # fmt: skip
    if not safe:
        mandate_form()

with tab_cp:
    with st.form("counterparty_form"):
        cp_values = ui.model_inputs(
            Counterparty,
            counterparty,
            f"cp_{counterparty.id}",
            ["name", "relationship", "communication_style", "notes"],
            columns=3,
        )
        saved = st.form_submit_button("Save counterparty", type="primary", key="counterparty_form__save")
    if saved:
        ui.attempt(
            lambda: store.deals.update_counterparty(
                validate(Counterparty, {**counterparty.model_dump(), **cp_values})
            ),
            "Saved the counterparty.",
        )
    if safe:
        ui.hidden("Our map of their people: roles, decision rights, vetoes and status concerns")
    else:
        stakeholders = store.deals.list_stakeholders(counterparty.id)
        st.subheader("Stakeholders")
        if stakeholders:
            st.dataframe(
                ui.table(stakeholders, {"name": "Name", "role": "Role", "decision_rights": "Decision rights",
                                        "veto": "Veto", "status_concerns": "Status concerns"}),
                hide_index=True, width="stretch",
            )  # fmt: skip
        ui.list_editor(
            Stakeholder, stakeholders, f"stakeholder_{counterparty.id}",
            ["name", "role", "decision_rights", "veto", "status_concerns"], lambda s: s.name,
            lambda people: store.deals.replace_stakeholders(counterparty.id, people), noun="stakeholder",
        )  # fmt: skip

with tab_batna:
    if safe:
        ui.hidden("Our BATNA and every alternative")
    else:
        st.markdown(ui.md(why_best(alternatives, deal.side, deal.currency, issues)))
        for check in batna_checks(deal, alternatives, issues, date.today()):
            st.warning(ui.md(check), icon=":material/warning:")
        st.caption(f"Quantify each alternative in money ({money_meaning(deal.side)}), time to switch to it, risk "
                   "(1 low – 5 high) and political cost (1 low – 5 high).")  # fmt: skip
        if alternatives:
            st.dataframe(
                # Money as the deal writes it; a rate per unit says so, beside its money over the contract.
                [{"": "BATNA" if b is batna else "", "Alternative": b.description, "Money": alternative_money(b),
                  "Over the contract": ui.money(contract_money(b, issues)), "Time (days)": b.time_days,
                  "Risk (1–5)": b.risk, "Political cost (1–5)": b.political_cost,
                  "Evidence": evidence_choices.get(b.evidence_id, "none")} for n, b in enumerate(alternatives)],
                hide_index=True, width="stretch",
            )  # fmt: skip
        ui.list_editor(
            Alternative, alternatives, f"alternative_{deal_id}",
            ["description", "money", "per_unit_of", "time_days", "risk", "political_cost", "evidence_id", "best_reason"],
            lambda b: b.description, lambda items: store.preparation.replace_alternatives(deal_id, items), noun="alternative",
            choices={"evidence_id": evidence_choices, "per_unit_of": {i.id: f"{i.name} ({i.unit or 'unit'})" for i in issues}},
            make_first="Make this the BATNA",
            first=lambda chosen, items: mark_best(chosen, items, deal.side, issues),
            labels={"money": "Money (what it would cost us)" if deal.buys else "Money (what it would earn us)"},
        )  # fmt: skip

with tab_issues:
    if issues:
        st.dataframe(
            ui.table(issues, {"name": "Issue", "unit": "Unit", "target": "Target", "reservation": "Floor/ceiling",
                              "their_target": "Their target", "their_walk_away": "Their walk-away",
                              "estimate_source": "Estimate source", "confidence": "Confidence", "priority": "Priority",
                              "tradeable": "Tradeable"},
                     extra={"We want": lambda i: "more" if i.direction.value == "floor" else "less"}
                     | ({} if safe else {"ZOPA": lambda i: zopa(i).verdict})),
            hide_index=True, width="stretch",
        )  # fmt: skip
        if safe:
            ui.hidden("Our floors and ceilings, their walk-away estimates and the ZOPA")
        else:
            for z in zones:
                if z.overlap is False:
                    st.warning(
                        f"**{z.issue}**: {z.verdict}. Something else has to move, or this is no deal.",
                        icon=":material/warning:",
                    )
            st.altair_chart(zopa_chart(zopa_frame(issues)), width="content")
            money_at_stake()
    else:
        st.info("No issues yet: add price, scope, payment timing, term, … with our target and floor.")
    ui.list_editor(
        Issue, issues, f"issue_{deal_id}", ISSUE_FIELDS, lambda i: i.name,
        lambda items: store.preparation.replace_issues(deal_id, items), noun="issue", choices={"evidence_id": evidence_choices},
    )  # fmt: skip

with tab_anchor:
    if safe:
        ui.hidden("The anchor worksheets: our ranges, benchmarks, cost logic and rationale")
    elif not issues:
        st.info("Add the deal's issues first: each gets a worksheet.")
    else:
        sheets = store.preparation.list_anchors(deal_id)
        st.caption(
            "Per issue, what makes an opening position credible: a credible range, external benchmarks, internal "
            "cost logic and the narrative rationale. A complete worksheet backs the floor in Moves' first line."
        )  # fmt: skip
        for i in issues:
            gaps = anchor_gaps(sheets.get(i.id))
            st.markdown(
                f"**{ui.md(i.name)}** · "
                + (":green[credible]" if not gaps else f":orange[missing {', '.join(gaps)}]")
            )
        picked = st.selectbox(
            "Issue", [i.id for i in issues], format_func=ui.distinct_labels({i.id: i.name for i in issues}).__getitem__,
            key=f"anchor_issue_{deal_id}",
        )  # fmt: skip
        sheet = sheets.get(picked) or AnchorWorksheet(issue_id=picked)
        with st.form(f"anchor_{deal_id}_{picked}"):
            low, high, bench = st.columns([1, 1, 3])
            typed_low = ui.amount_input(low, "Credible range, low", f"anchor_low_{picked}", sheet.range_low)
            typed_high = ui.amount_input(
                high, "Credible range, high", f"anchor_high_{picked}", sheet.range_high
            )
            benchmarks = bench.multiselect(
                "External benchmarks", list(evidence_choices), format_func=evidence_choices.__getitem__,
                default=[e for e in sheet.benchmark_ids if e in evidence_choices], key=f"anchor_benchmarks_{picked}",
            )  # fmt: skip
            cost_logic = st.text_area(
                "Internal cost logic", value=sheet.cost_logic, placeholder="what it costs us, and why",
                key=f"anchor_cost_{picked}",
            )  # fmt: skip
            rationale = st.text_area(
                "Narrative rationale",
                key=f"anchor_rationale_{picked}",
                value=sheet.rationale,
                placeholder="the sentence we say across the table",
            )
            if st.form_submit_button("Save worksheet", type="primary"):

                def save_sheet() -> None:
                    amounts = read_amounts(
                        {"range_low": typed_low, "range_high": typed_high}, deal.decimal_comma
                    )
                    store.preparation.save_anchor(deal_id, validate(AnchorWorksheet, {
                        "issue_id": picked, **amounts, "benchmark_ids": benchmarks, "cost_logic": cost_logic,
                        "rationale": rationale}))  # fmt: skip

                ui.attempt(save_sheet, "Saved the anchor worksheet.")

with tab_evidence:
    st.caption(
        "Benchmarks, cost drivers, legal standards, precedents and capacity data: power without evidence is bluffing."
    )
    if evidence_shown:
        st.dataframe(
            ui.table(evidence_shown, {"title": "Title", "kind": "Kind", "source": "Source", "date": "Date",
                                      "internal": "Internal"}),
            hide_index=True, width="stretch",
        )  # fmt: skip
    if safe and len(evidence_shown) < len(evidence):
        ui.hidden("Evidence not cited by what both sides see")
    ui.list_editor(
        Evidence, evidence, f"evidence_{deal_id}", ["title", "kind", "source", "date", "internal", "note"],
        lambda e: e.title, lambda items: store.preparation.replace_evidence(deal_id, items), noun="evidence item",
        visible=evidence_shown,
    )  # fmt: skip

"""MESO: two or three equivalent offers that all hold the floor, and what their pick reveals."""

import pandas as pd
import streamlit as st

from core import ui
from core.charts import meso_comparison_chart, meso_value_chart
from core.formatting import amount_example, fmt_amount
from core.library import tradeable_suggestions
from core.meso import (
    DEFAULT_TOLERANCE,
    add_bundle,
    check_set,
    comparison_frame,
    duplicate_bundle,
    editable_grid,
    grid_column,
    infer_their_priorities,
    next_round,
    offered_rounds,
    read_grid,
    remove_bundle,
    rename_bundle,
    round_grid,
    value_bundles,
    where_talks_stand,
)
from core.models import MesoPick, Reaction
from core.store import now

store, deal, counterparty = ui.deal_page("MESO")
deal_id = deal.id
issues = store.preparation.list_issues(deal_id)
if not issues:
    st.info("MESO bundles set a value for each issue: add the deal's issues on Prepare first.")
    st.stop()
all_bundles = store.meso.list_meso_bundles(deal_id)
rounds = sorted({b.round for b in all_bundles}) or [1]
if ui.safe_mode():  # a shared screen shows only rounds that were put to them, never a draft of our next one
    rounds = sorted(offered_rounds(store.meso.list_meso_picks(deal_id)) & set(rounds))
    if not rounds:
        ui.hidden("MESO drafts not offered yet")
        st.stop()

top = st.columns([2, 2, 3], vertical_alignment="bottom")
round_no = top[0].selectbox("MESO round", rounds, index=len(rounds) - 1, key=f"meso_round_{deal_id}")
tolerance = (
    top[1].slider("Equivalence tolerance (±%)", 1, 20, int(DEFAULT_TOLERANCE * 100), key="meso_tolerance")
    / 100
)
bundles = [b for b in all_bundles if b.round == round_no]
findings = check_set(bundles, issues, deal.pressured_issue_id, tolerance)
values = value_bundles(bundles, issues)

errors = [f for f in findings if f.severity == "error"]
safe = ui.safe_mode()
with top[2]:
    if safe:  # the bundles are on the table; whether they are equal for us, and why, is our assessment
        ui.big_number(f"Round {round_no}", f"{len(bundles)} bundle{'s' if len(bundles) != 1 else ''}",
                      "as offered")  # fmt: skip
    elif not findings:
        ui.big_number(
            "This set",
            "Ready to offer",
            f"{len(bundles)} equivalent bundles holding the floor",
            color="green",
        )
    else:
        ui.big_number("This set", f"{len(findings)} to fix", "before it goes to the other side",
                      color="red" if errors else "orange")  # fmt: skip
for f in [] if safe else findings:
    (st.error if f.severity == "error" else st.warning)(ui.md(f.message), icon=":material/report:")
if not safe:  # what we are ready to trade is ours alone
    tradeables = tradeable_suggestions(store.reviews.list_library(), deal.context, limit=5)
    if tradeables:
        st.caption(
            ":material/local_library: Tradeables from the library to vary across bundles: "
            + " · ".join(f"**{ui.md(t.title)}**" for t in tradeables)
        )

# ---- add, duplicate, rename, remove, new round: above the grid, so nothing below can keep a user from them ----
# Keyed, so the panel stays open after each action (every action reruns the page).
with st.expander(
    "Bundles of this round", icon=":material/tune:", key=f"meso_panel_{deal_id}", on_change="rerun"
):
    by_id = {b.id: b for b in bundles}
    a1, a2 = st.columns([3, 2], vertical_alignment="bottom")
    new_bundle_name = a1.text_input("Name of a new bundle", key=f"meso_new_bundle_{deal_id}",
                                    placeholder=f"Bundle {len(bundles) + 1}")  # fmt: skip
    if a2.button(
        "Add a bundle where the talks stand",
        key=f"meso_add_{deal_id}",
        help="Each issue starts at the latest position in the concession log, else at our target.",
    ):

        def add() -> str:
            start = where_talks_stand(issues, store.concessions.list_concessions(deal_id))
            grown = add_bundle(bundles, issues, round_no, new_bundle_name, start)
            store.meso.replace_meso_round(deal_id, round_no, grown)
            return grown[-1].name

        ui.attempt(add, lambda name: f"Added {name}.")
    if bundles:
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        pick = c1.selectbox("Bundle", list(by_id), format_func=ui.distinct_labels({i: b.name for i, b in by_id.items()}).get,
                            key=f"meso_pick_bundle_{deal_id}")  # fmt: skip
        new_name = c2.text_input("New name", key=f"meso_new_name_{deal_id}")
        b1, b2, b3, b4 = st.columns(4)
        if pick is not None and b1.button("Duplicate", key=f"meso_dup_{deal_id}"):
            ui.attempt(lambda: store.meso.replace_meso_round(deal_id, round_no, duplicate_bundle(bundles, pick)),
                       f"Duplicated {by_id[pick].name}.")  # fmt: skip
        if pick is not None and b2.button("Rename", key=f"meso_rename_{deal_id}"):
            ui.attempt(lambda: store.meso.replace_meso_round(deal_id, round_no, rename_bundle(bundles, pick, new_name)),
                       f"Renamed {by_id[pick].name}.")  # fmt: skip
        if pick is not None and b3.button("Remove", key=f"meso_remove_{deal_id}"):
            ui.attempt(lambda: store.meso.replace_meso_round(deal_id, round_no, remove_bundle(bundles, pick)),
                       f"Removed {by_id[pick].name}.")  # fmt: skip
        if b4.button("Start the next round from this one", key=f"meso_next_{deal_id}"):
            nxt = max(rounds) + 1
            ui.attempt(lambda: store.meso.replace_meso_round(deal_id, nxt, next_round(bundles, nxt)),
                       f"Round {nxt} starts from round {round_no}.")  # fmt: skip

# ---- the grid: issues down, bundles across, editable in place; bundles are addressed by id ---------------
grid = round_grid(bundles, issues)
if safe:  # the bundles are what we offer; the floor beside them is ours alone
    grid = grid.drop(columns=["Our floor/ceiling", "Our target"])
shown_names = {grid_column(b): b.name for b in bundles}
st.markdown(f"**Round {round_no}** · edit the values, then save")
typed_grid = editable_grid(bundles, issues)
if safe:
    typed_grid = typed_grid.drop(columns=["Our floor/ceiling", "Our target"])
edited = st.data_editor(
    typed_grid, key=f"meso_grid_{deal_id}_{round_no}", hide_index=True, width="stretch", num_rows="fixed",
    disabled=[c for c in ("Issue", "Our floor/ceiling", "Our target") if c in grid.columns],
    column_config={column: st.column_config.TextColumn(name, help=f"An amount, {amount_example()}")
                   for column, name in shown_names.items()},
)  # fmt: skip

if bundles and st.button("Save the grid", type="primary", key=f"meso_save_{deal_id}_{round_no}"):
    ui.attempt(
        lambda: store.meso.replace_meso_round(deal_id, round_no, read_grid(bundles, issues, edited)),
        f"Saved round {round_no}.",
    )

if bundles:
    # Read-only comparison: every value that departs from the first bundle is highlighted.
    columns = list(shown_names)
    values_only = grid.set_index("Issue")[columns]
    summary = pd.DataFrame(
        [[f"{v.to_us:.0%}" for v in values], ["—" if v.to_them is None else f"{v.to_them:.0%}" for v in values]],
        index=["Value to us", "Value to them (estimate)"], columns=columns,
    )  # fmt: skip
    if safe:  # both are measured from our floor and their walk-away
        summary = summary.iloc[0:0]
    shown = pd.concat([values_only.map(lambda x: "—" if pd.isna(x) else fmt_amount(x)), summary])
    differs = values_only.ne(values_only[columns[0]], axis=0)

    def highlight(frame: pd.DataFrame) -> pd.DataFrame:
        marks = pd.DataFrame("", index=frame.index, columns=frame.columns)
        marks.loc[differs.index, differs.columns] = differs.map(
            lambda d: "background-color: #fde68a" if d else ""
        )
        marks.loc[summary.index, :] = "font-weight: bold"
        return marks

    st.dataframe(
        shown.style.apply(highlight, axis=None), width="stretch",
        column_config={column: st.column_config.Column(name) for column, name in shown_names.items()},
    )  # fmt: skip
    st.caption("Highlighted: where a bundle differs from the first one.")
    if safe:
        ui.hidden("Our floors, the value of each bundle to us and to them, and the comparison charts")

# ---- comparison charts -----------------------------------------------------------------------------------
if bundles and not safe:
    left, right = st.columns([3, 2])
    left.markdown("**Issue by issue** · for us, from floor to target")
    left.altair_chart(meso_comparison_chart(comparison_frame(bundles, issues)), width="stretch")
    right.markdown("**Value to us against value to them**")
    points = pd.DataFrame(
        [{"bundle": v.bundle.name, "to_us": v.to_us, "to_them": v.to_them or 0.0} for v in values]
    )
    right.altair_chart(meso_value_chart(points), width="stretch")

# ---- their pick, and what it reveals ----------------------------------------------------------------------
if safe:
    ui.hidden("Their reactions, our notes on them and the priorities they reveal")
    st.stop()
st.markdown("#### Their reaction")
picks = store.meso.list_meso_picks(deal_id)
every_bundle = store.meso.list_meso_bundles(
    deal_id, include_removed=True
)  # removed ones too: a recorded reaction may refer to them
if bundles:
    with st.form(f"meso_reaction_{deal_id}_{round_no}"):
        r1, r2, r3 = st.columns([2, 2, 4])
        bundle_id = r1.selectbox("Bundle", [b.id for b in bundles], format_func=ui.distinct_labels({b.id: b.name for b in bundles}).get,
                                 key=f"meso_react_bundle_{deal_id}")  # fmt: skip
        reaction = r2.selectbox("Reaction", [r.value for r in Reaction], key=f"meso_react_kind_{deal_id}")
        note = r3.text_input("Note", key=f"meso_react_note_{deal_id}")
        if st.form_submit_button("Record the reaction", key=f"meso_react_save_{deal_id}"):
            pick_row = MesoPick(
                bundle_id=bundle_id, round=round_no, reaction=reaction, note=note, recorded_at=now()
            )
            ui.attempt(lambda: store.meso.add_meso_pick(deal_id, pick_row), "Recorded their reaction.")
if picks:
    names_by_id = {b.id: f"{b.name} (round {b.round})" for b in every_bundle}
    st.dataframe([{"When": p.recorded_at, "Bundle": names_by_id.get(p.bundle_id, p.bundle_id), "Reaction": p.reaction.value,
                   "Note": p.note} for p in picks], hide_index=True, width="stretch")  # fmt: skip
inferred = infer_their_priorities(every_bundle, picks, issues)
if inferred:
    st.markdown("**What they seem to value**, from their reactions over the rounds")
    st.dataframe([{"Issue": i.name, "Our priority": i.priority, "Their priority (our estimate)": i.their_priority or "—",
                   "Their priority (inferred)": inferred[i.id]} for i in issues if i.id in inferred],
                 hide_index=True, width="stretch")  # fmt: skip
    if st.button("Adopt the inferred priorities", key=f"meso_adopt_{deal_id}", icon=":material/done_all:"):
        ui.attempt(
            lambda: store.preparation.set_their_priorities(deal_id, inferred),
            "Their priorities now follow their picks.",
        )
else:
    st.caption(
        "Record which bundle they accept, prefer or reject; over rounds this shows which issues they value."
    )

"""MESO: two or three equivalent offers that all hold the floor, and what their pick reveals."""

import pandas as pd
import streamlit as st

from core import ui
from core.charts import meso_comparison_chart, meso_value_chart
from core.meso import DEFAULT_TOLERANCE, check_set, comparison_frame, infer_their_priorities, value_bundles
from core.models import InvalidInput, MesoBundle, MesoPick, MesoTerm, Reaction
from core.store import now

store, deal, counterparty = ui.deal_page("MESO")
deal_id = deal.id
issues = store.list_issues(deal_id)
if not issues:
    st.info("MESO bundles set a value for each issue: add the deal's issues on Prepare first.")
    st.stop()
all_bundles = store.list_meso_bundles(deal_id)
rounds = sorted({b.set_no for b in all_bundles}) or [1]

top = st.columns([2, 2, 3], vertical_alignment="bottom")
set_no = top[0].selectbox("MESO round", rounds, index=len(rounds) - 1, key=f"meso_round_{deal_id}")
tolerance = (
    top[1].slider("Equivalence tolerance (±%)", 1, 20, int(DEFAULT_TOLERANCE * 100), key="meso_tolerance")
    / 100
)
bundles = [b for b in all_bundles if b.set_no == set_no]
findings = check_set(bundles, issues, deal.pressured_issue_id, tolerance)
values = value_bundles(bundles, issues)

errors = [f for f in findings if f.severity == "error"]
with top[2]:
    if not findings:
        ui.big_number(
            "This set",
            "Ready to offer",
            f"{len(bundles)} equivalent bundles holding the floor",
            color="green",
        )
    else:
        ui.big_number("This set", f"{len(findings)} to fix", "before it goes to the other side",
                      color="red" if errors else "orange")  # fmt: skip
safe = ui.safe_mode()
for f in findings:
    (st.error if f.severity == "error" else st.warning)(
        f.shareable if safe else f.message, icon=":material/report:"
    )

# ---- the grid: issues down, bundles across, editable in place --------------------------------------------
labels = {i.id: f"{i.name} ({i.unit})" if i.unit else i.name for i in issues}
grid = pd.DataFrame(
    {"Issue": [labels[i.id] for i in issues], "Our floor/ceiling": [i.reservation for i in issues],
     "Our target": [i.target for i in issues],
     **{b.name: [next((t.value for t in b.terms if t.issue_id == i.id), None) for i in issues] for b in bundles}},
)  # fmt: skip
if safe:  # the bundles are what we offer; the floor beside them is ours alone
    grid = grid.drop(columns=["Our floor/ceiling"])
st.markdown(f"**Round {set_no}** · edit the values, then save")
edited = st.data_editor(
    grid, key=f"meso_grid_{deal_id}_{set_no}", hide_index=True, width="stretch", num_rows="fixed",
    disabled=[c for c in ("Issue", "Our floor/ceiling", "Our target") if c in grid],
    column_config={b.name: st.column_config.NumberColumn(format="%.2f", min_value=0.0) for b in bundles},
)  # fmt: skip


def grid_bundles(frame: pd.DataFrame) -> list[MesoBundle]:
    result = []
    for b in bundles:
        column = frame[b.name].tolist()
        missing = [issues[k].name for k, v in enumerate(column) if v is None or pd.isna(v)]
        if missing:
            raise InvalidInput([f"{b.name}: set a value for {', '.join(missing)}"])
        result.append(
            b.model_copy(
                update={
                    "terms": [
                        MesoTerm(issue_id=i.id, value=float(v)) for i, v in zip(issues, column, strict=True)
                    ]
                }
            )
        )
    return result


if bundles and st.button("Save the grid", type="primary", key=f"meso_save_{deal_id}_{set_no}"):
    ui.attempt(
        lambda: store.replace_meso_set(deal_id, set_no, grid_bundles(edited)), f"Saved round {set_no}."
    )

if bundles:
    # Read-only comparison: every value that departs from the first bundle is highlighted.
    names = [b.name for b in bundles]
    values_only = grid.set_index("Issue")[names]
    summary = pd.DataFrame(
        [[f"{v.to_us:.0%}" for v in values], ["—" if v.to_them is None else f"{v.to_them:.0%}" for v in values]],
        index=["Value to us", "Value to them (estimate)"], columns=names,
    )  # fmt: skip
    if safe:  # both are measured from our floor and their walk-away
        summary = summary.iloc[0:0]
    shown = pd.concat(
        [values_only.map(lambda x: "—" if pd.isna(x) else f"{x:,.2f}".rstrip("0").rstrip(".")), summary]
    )
    differs = values_only.ne(values_only[names[0]], axis=0)

    def highlight(frame: pd.DataFrame) -> pd.DataFrame:
        marks = pd.DataFrame("", index=frame.index, columns=frame.columns)
        marks.loc[differs.index, differs.columns] = differs.map(
            lambda d: "background-color: #fde68a" if d else ""
        )
        marks.loc[summary.index, :] = "font-weight: bold"
        return marks

    st.dataframe(shown.style.apply(highlight, axis=None), width="stretch")
    st.caption("Highlighted: where a bundle differs from the first one.")
    if safe:
        ui.hidden("Our floors, the value of each bundle to us and to them, and the comparison charts")

# ---- add, duplicate, rename, remove, new round ----------------------------------------------------------
with st.expander("Bundles of this round", icon=":material/tune:"):
    names = [b.name for b in bundles]
    a1, a2, a3 = st.columns(3, vertical_alignment="bottom")
    if a1.button("Add a bundle at our targets", key=f"meso_add_{deal_id}"):
        fresh = MesoBundle(name=f"Bundle {len(bundles) + 1}", set_no=set_no,
                           terms=[MesoTerm(issue_id=i.id, value=i.target) for i in issues])  # fmt: skip
        ui.attempt(lambda: store.replace_meso_set(deal_id, set_no, [*bundles, fresh]), f"Added {fresh.name}.")
    pick = a2.selectbox("Bundle", names, key=f"meso_pick_bundle_{deal_id}") if names else None
    new_name = a3.text_input("New name", key=f"meso_new_name_{deal_id}")
    b1, b2, b3, b4 = st.columns(4)
    chosen = next((b for b in bundles if b.name == pick), None)
    if chosen and b1.button("Duplicate", key=f"meso_dup_{deal_id}"):
        copy = chosen.model_copy(update={"id": None, "name": f"{chosen.name} (copy)"})
        ui.attempt(
            lambda: store.replace_meso_set(deal_id, set_no, [*bundles, copy]), f"Duplicated {chosen.name}."
        )
    if chosen and b2.button("Rename", key=f"meso_rename_{deal_id}"):

        def rename() -> None:
            if not new_name.strip() or new_name.strip() in names:
                raise InvalidInput(["New name: give a name no other bundle of this round has"])
            store.replace_meso_set(deal_id, set_no, [b.model_copy(update={"name": new_name.strip()}) if b is chosen else b
                                                     for b in bundles])  # fmt: skip

        ui.attempt(rename, f"Renamed {chosen.name}.")
    if chosen and b3.button("Remove", key=f"meso_remove_{deal_id}"):
        ui.attempt(lambda: store.replace_meso_set(deal_id, set_no, [b for b in bundles if b is not chosen]),
                   f"Removed {chosen.name}.")  # fmt: skip
    if bundles and b4.button("Start the next round from this one", key=f"meso_next_{deal_id}"):
        nxt = max(rounds) + 1
        ui.attempt(lambda: store.replace_meso_set(deal_id, nxt, [b.model_copy(update={"id": None, "set_no": nxt})
                                                                 for b in bundles]),
                   f"Round {nxt} starts from round {set_no}.")  # fmt: skip

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
st.markdown("#### Their reaction")
picks = store.list_meso_picks(deal_id)
every_bundle = store.all_meso_bundles(deal_id)  # removed ones too: a recorded reaction may refer to them
if bundles:
    with st.form(f"meso_reaction_{deal_id}_{set_no}"):
        r1, r2, r3 = st.columns([2, 2, 4])
        bundle_id = r1.selectbox("Bundle", [b.id for b in bundles], format_func={b.id: b.name for b in bundles}.get,
                                 key=f"meso_react_bundle_{deal_id}")  # fmt: skip
        reaction = r2.selectbox("Reaction", [r.value for r in Reaction], key=f"meso_react_kind_{deal_id}")
        note = r3.text_input("Note", key=f"meso_react_note_{deal_id}")
        if st.form_submit_button("Record the reaction", key=f"meso_react_save_{deal_id}"):
            pick_row = MesoPick(
                bundle_id=bundle_id, set_no=set_no, reaction=reaction, note=note, recorded_at=now()
            )
            ui.attempt(lambda: store.add_meso_pick(deal_id, pick_row), "Recorded their reaction.")
if picks:
    names_by_id = {b.id: f"{b.name} (round {b.set_no})" for b in every_bundle}
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
            lambda: store.set_their_priorities(deal_id, inferred), "Their priorities now follow their picks."
        )
else:
    st.caption(
        "Record which bundle they accept, prefer or reject; over rounds this shows which issues they value."
    )

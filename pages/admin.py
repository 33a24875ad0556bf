"""Admin: who may sign in and as what, and who is on which deal. Admins only (and the one local user,
who can set a team database up before anyone signs in); the store refuses everyone else."""

import pandas as pd
import streamlit as st

from core import ui
from core.access import ROLE_MEANS, Action, Part, Role, may
from core.audit import access_log_table
from core.csvio import frame_to_csv
from core.formatting import count

ACCESS_ROWS = 500  # the latest, on screen; the command line and the CSV have every one

store, deal_id = ui.page_start()
st.subheader("Admin · members and deal teams", anchor=False)
if not may(store.person, Action.manage):
    st.info("Only an admin manages members and deal teams.")
    st.stop()
if ui.safe_mode():
    ui.hidden("Members, roles and deal teams")
    st.stop()

members = store.list_members()
by_role = pd.Series([m.role.value for m in members], dtype=object).value_counts()
big, *counts = st.columns([2, 1, 1, 1, 1])
with big:
    ui.big_number("Members", count(len(members)), "who may sign in when sign-in is configured")
for column, role in zip(counts, Role, strict=True):
    column.metric(role.value.capitalize(), int(by_role.get(role.value, 0)), help=ROLE_MEANS[role])

if (
    store.engine_kind == "postgresql"
):  # what the database's own wall can and cannot do, said where admins look
    st.caption(
        ":material/shield: PostgreSQL's row-level security keeps each deal's rows to its team even if the "
        "cockpit forgets a filter. It cannot stop whoever holds the app login's password: they can say who "
        "they are. Keep that password as you keep the database's own."
    )
people_tab, teams_tab, history_tab, access_tab = st.tabs(
    ["Members", "Deal teams", "History of the team", "Access log"], key="admin_tabs"
)

with people_tab:
    if members:
        signed_in = store.last_sign_ins()
        st.dataframe(
            [{"E-mail": m.email, "Role": m.role.value, "Added": m.added_at, "Added by": m.added_by,
              "Last sign-in": signed_in.get(m.email)} for m in members],
            hide_index=True, width="stretch", key="members_table",
            column_config={"Added": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm"),
                           "Last sign-in": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm")},
        )  # fmt: skip
        st.caption("Removing a member here ends their next page, button and download at once; disabling them only "
                   "at your identity provider does not end a session they are signed in to, so remove them here "
                   "too.")  # fmt: skip
    else:
        st.caption("No members yet. The first member added is made admin.")
    with st.form("add_member", clear_on_submit=True, border=True):
        st.markdown("**Add a member, or change a member's role**")
        left, right = st.columns([3, 2])
        email = left.text_input(
            "E-mail", placeholder="name@company.com", help="As the identity provider sends it."
        )
        role = right.selectbox("Role", list(Role), format_func=lambda r: r.value, index=0)
        if st.form_submit_button("Save member", icon=":material/person_add:"):
            ui.attempt(
                lambda: store.add_member(email, role), lambda m: f"{m.email} is a member as {m.role.value}."
            )
    if members:
        st.markdown(
            "**Remove a member** — they can no longer sign in; their history stays. The deals they own go to "
            "the member you name."
        )
        emails = [m.email for m in members]
        with st.form("remove_member", border=False):
            who, heir, go = st.columns([3, 3, 1.4], vertical_alignment="bottom")
            leaving = who.selectbox(
                "Member", emails, index=None, placeholder="Pick a member", key="remove_member__who"
            )
            taker = heir.selectbox(
                "Their deals go to",
                emails,
                index=None,
                placeholder="Needed if they own deals",
                key="remove_member__heir",
            )
            removed = go.form_submit_button("Remove member", icon=":material/person_remove:")
        if removed:
            if leaving is None:
                st.error("Member: pick the member to remove.")
            else:
                ui.attempt(
                    lambda: store.remove_member(leaving, taker),
                    f"{leaving} can no longer sign in"
                    + (f"; their deals are now {taker}'s." if taker else "."),
                )

with teams_tab:
    deals = store.deals.find_deals(limit=ui.PICKER_LIMIT + 1)
    if deals.empty:
        st.caption("No deals yet.")
    else:
        if len(deals) > ui.PICKER_LIMIT:  # a long pipeline: the deal on screen, and the matches of a search
            query = st.text_input(
                "Find a deal", key="admin_deal_search", placeholder="deal or counterparty name"
            )
            picked = st.session_state.get("admin_deal", deal_id)  # kept in the list while another is searched
            shown = store.deals.find_deals(ids=[picked]) if picked is not None else deals.iloc[0:0]
            shown = shown if not shown.empty else deals.head(1)
            hits = store.deals.find_deals(query, limit=ui.PICKER_MATCHES + 1) if query else deals.iloc[0:0]
            deals = pd.concat([shown, hits[~hits["id"].isin(shown["id"])].head(ui.PICKER_MATCHES)])
        labels = ui.distinct_labels({int(r.id): f"{r.name} · {r.counterparty}" for r in deals.itertuples()})
        ids = list(labels)
        chosen = st.selectbox(
            "Deal", ids, index=ids.index(deal_id) if deal_id in ids else 0, format_func=labels.__getitem__,
            key="admin_deal",
        )  # fmt: skip
        people = store.deal_people(chosen)
        if people:
            for email, part in people.items():
                left, right = st.columns([5, 1], vertical_alignment="center")
                left.markdown(f"**{ui.md(email)}** · {part.value}")
                if right.button("Take off", key=f"unshare_{chosen}_{email}", icon=":material/close:"):
                    ui.attempt(
                        lambda e=email: store.unshare_deal(chosen, e), f"{email} is no longer on the deal."
                    )
        else:
            st.caption("Nobody is named on this deal: only leaders and admins can open it.")
        with st.form(f"share_{chosen}", clear_on_submit=True, border=True):
            left, mid, right = st.columns([3, 2, 1], vertical_alignment="bottom")
            who = left.selectbox(
                "Member", [m.email for m in members], index=None, placeholder="Pick a member"
            )
            part = mid.selectbox(
                "As", list(Part), format_func=lambda p: p.value,
                help="One owner and one sponsor per deal; a new owner makes the old one a team member.",
            )  # fmt: skip
            if right.form_submit_button("Name on the deal", icon=":material/group_add:"):
                if who is None:
                    st.error("Member: pick who to name on the deal.")
                else:
                    ui.attempt(
                        lambda: store.share_deal(chosen, who, part), f"{who} is on the deal as {part.value}."
                    )

with history_tab:
    history = store.team_history()
    if history.empty:
        st.caption("No changes to the team yet.")
    else:
        st.dataframe(
            history.rename(columns={"changed_at": "When", "subject": "What", "old_value": "Old", "new_value": "New",
                                    "changed_by": "By"}),
            hide_index=True, width="stretch", key="team_history",
            column_config={"When": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm")},
        )  # fmt: skip

with access_tab:
    log = store.access_log(limit=ACCESS_ROWS)
    if log.empty:
        st.caption("Nobody has signed in, downloaded, exported, backed up or restored anything yet.")
    else:
        st.dataframe(
            access_log_table(log).astype({"Deal id": "string"}).fillna({"Deal id": ""}),  # blank, not "None"
            hide_index=True, width="stretch", key="access_log",
            column_config={"When": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm:ss")},
        )  # fmt: skip
        st.caption(f"The latest {count(len(log))} of sign-ins, downloads, exports, backups and restores; "
                   "`cockpit access-log` writes all of them as CSV.")  # fmt: skip
        st.download_button(
            "Download the access log (CSV)", icon=":material/download:", mime="text/csv", key="access_log_csv",
            file_name="access-log.csv", on_click="ignore",
            data=ui.recorded(store, "The access log (CSV)", None,
                             lambda: frame_to_csv(access_log_table(store.access_log()))),
        )  # fmt: skip

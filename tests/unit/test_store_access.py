"""Team use in the store: every read and write is checked for the acting person, role by role.

The curated demo has twelve deals; deals 1 and 12 share the counterparty Northwind Logistics.
"""

import inspect
from datetime import date, datetime

import pandas as pd
import pytest

from core.access import Part, Role
from core.models import Concession, Counterparty, Deal, InvalidInput
from core.store import REPOSITORIES, NotAllowed, NotFound, Store
from core.store.members import GUARD
from tests.unit.team import ADA, ANA, JONAS, LEA, NOBODY, SAM

# Engine plumbing that reads or writes no deal: opening, migrating, cursors for the store's own modules.
PLUMBING = {
    "open",
    "memory",
    "close",
    "migrate",
    "applied_migrations",
    "cursor",
    "transaction",
    "unit_of_work",
    "acting_as",
    "exclusive",
}


def use_cases():
    """Every public method the store offers: its own (members, approvals) and each aggregate's repository's."""
    for owner in (Store, *REPOSITORIES.values()):
        for name, member in inspect.getmembers(owner, callable):
            if not name.startswith("_") and name not in PLUMBING:
                yield name, member


def test_every_public_store_method_checks_the_acting_person():
    unguarded = [name for name, member in use_cases() if not hasattr(member, GUARD)]
    assert unguarded == []
    assert len(dict(use_cases())) == len(list(use_cases())) > 90  # no name on two repositories


# Every use case the store offers and the check it must make, written out: a method that gains, loses or
# changes its check (a write marked as a read, a list marked open) fails here, not only one with none.
# `decide_approval` and `set_mandate` read the deal, then check the role that may decide or move the
# mandate themselves (tests/unit/test_approvals.py and the mandate tests below).
USE_CASES = {
    "record_access": "open", "access_log": "manages", "last_sign_ins": "manages",
    # works deal
    "add_assessment": "works deal", "add_concession": "works deal", "add_meso_pick": "works deal",
    "advance_stage": "works deal", "clear_signal": "works deal", "import_concessions": "works deal",
    "link_library_item": "works deal", "observe_signal": "works deal", "remove_concession": "works deal",
    "replace_alternatives": "works deal", "replace_evidence": "works deal", "replace_issues": "works deal",
    "replace_meso_round": "works deal", "restore_concession": "works deal", "save_anchor": "works deal",
    "save_evidence_to_library": "works deal", "save_review": "works deal",
    "set_their_priorities": "works deal", "update_concessions": "works deal", "update_deal": "works deal",
    "use_library_item": "works deal", "write_round_note": "works deal",
    "start_single_text": "works deal", "save_single_text": "works deal", "set_edit_window": "works deal",
    "save_commitments": "works deal", "record_escalation_step": "works deal",
    # contributes
    "add_library_items": "contributes", "remove_library_item": "contributes",
    # manages
    "add_member": "manages", "bulk_insert": "manages", "grant": "manages", "list_members": "manages",
    "next_ids": "manages", "remove_member": "manages", "share_deal": "manages", "table_counts": "manages",
    "unshare_deal": "manages",
    # filtered
    "approval_queue": "filtered", "concession_log": "filtered", "concession_log_in_parts": "filtered", "library_usage": "filtered",
    "find_counterparties": "filtered", "find_deals": "filtered",
    "list_counterparties": "filtered", "list_deals": "filtered", "overrun_lines": "filtered",
    "pipeline": "filtered", "power_edges": "filtered", "reviewed_deals": "filtered",
    "team_history": "filtered", "visible_deal_ids": "filtered",
    # open
    "claim_first_admin": "open", "has_members": "open", "is_empty": "open", "list_library": "open",
    "member": "open", "sign_in": "open",
    # reads deal
    "concession_frame": "reads deal", "deal_people": "reads deal", "decide_approval": "reads deal",
    "export_deal": "reads deal", "get_deal": "reads deal", "get_review": "reads deal",
    "get_single_text": "reads deal", "list_commitments": "reads deal", "list_escalation_steps": "reads deal",
    "issue_ids": "reads deal", "list_alternatives": "reads deal", "list_anchors": "reads deal",
    "list_approvals": "reads deal", "list_assessments": "reads deal", "list_concessions": "reads deal",
    "list_events": "reads deal", "list_evidence": "reads deal", "list_issues": "reads deal",
    "list_meso_bundles": "reads deal", "list_meso_picks": "reads deal",
    "list_removed_concessions": "reads deal", "live_concession": "reads deal", "log_totals": "reads deal",
    "logged_it": "reads deal", "may_change": "reads deal", "may_decide": "reads deal",
    "observed_signals": "reads deal", "round_notes": "reads deal", "set_mandate": "reads deal",
    # reads counterparty
    "counterparty_deals": "reads counterparty", "get_counterparty": "reads counterparty",
    "latest_assessments": "reads counterparty", "list_stakeholders": "reads counterparty",
    # creates deal
    "create_deal": "creates deal", "import_deal": "creates deal", "import_deals": "creates deal",
    # works counterparty
    "replace_stakeholders": "works counterparty", "update_counterparty": "works counterparty",
}  # fmt: skip


def test_each_use_case_makes_exactly_the_check_written_for_it():
    marked = {name: getattr(member, GUARD) for name, member in use_cases()}
    assert marked == USE_CASES


def test_a_use_case_reads_the_persons_part_in_the_deal_once_and_again_after_it_writes(team, monkeypatch):
    from core.store.backends import Cursor

    asked = []
    rows = Cursor.rows

    def counting(self, sql, params=None):
        if "FROM deal_person WHERE deal_id = ? AND email = ?" in sql:
            asked.append(params[0])
        return rows(self, sql, params)

    monkeypatch.setattr(Cursor, "rows", counting)
    exported = team.acting_as(ANA).deal_files.export_deal(1)  # a dozen reads of one deal, each checked
    assert exported.deal.id == 1 and asked == [1]
    asked.clear()
    team.acting_as(ANA).deal_files.export_deal(1)  # the next call asks again: a part may change between calls
    assert asked == [1]
    asked.clear()
    team.acting_as(ADA).share_deal(2, ANA.email)
    asked.clear()
    assert team.acting_as(ANA).deals.get_deal(2).id == 2 and asked == [2]


@pytest.mark.parametrize(
    ("person", "deals"),
    [
        (ANA, [1]),
        (JONAS, [12]),
        (SAM, [1]),
        (NOBODY, []),
        (LEA, list(range(1, 13))),
        (ADA, list(range(1, 13))),
    ],
)
def test_each_role_sees_only_its_deals_everywhere(team, person, deals):
    store = team.acting_as(person)
    assert store.deals.list_deals()["id"].tolist() == deals
    assert store.deals.find_deals()["id"].tolist() == deals  # the pickers' search, too
    parts = list(store.concessions.concession_log_in_parts(5))  # the export in parts, too
    assert pd.concat(parts, ignore_index=True).equals(store.concessions.concession_log())
    assert len(parts) > 1 or len(deals) <= 1
    assert all(len(p) <= 5 or p["Deal"].nunique() == 1 for p in parts)  # whole deals, a long one alone
    assert store.deals.find_deals(ids=range(1, 13))["id"].tolist() == deals
    assert set(store.deals.find_counterparties()["name"]) == set(
        team.deals.list_deals().set_index("id").loc[deals, "counterparty"]
    )
    assert store.queries.pipeline(date(2026, 11, 25))["id"].tolist() == deals
    assert sorted(store.concessions.concession_log()["Deal"].unique().tolist()) == sorted(
        team.deals.list_deals().set_index("id").loc[deals, "name"].tolist()
    )
    assert sorted(store.queries.power_edges(list(range(1, 13)))["deal_id"].unique().tolist()) == [
        d for d in deals if d in set(team.queries.power_edges(list(range(1, 13)))["deal_id"])
    ]
    for hidden in set(range(1, 13)) - set(deals):
        with pytest.raises(NotFound, match=f"^There is no deal with id {hidden}.$"):
            store.deals.get_deal(hidden)
        with pytest.raises(NotFound):
            store.concessions.concession_log(hidden)
        with pytest.raises(NotFound):
            store.deals.list_events(hidden)
        with pytest.raises(NotFound):
            store.deal_files.export_deal(hidden)


def test_a_deal_you_may_not_see_is_not_found_exactly_like_one_that_does_not_exist(team):
    ana = team.acting_as(ANA)
    with pytest.raises(NotFound) as hidden:
        ana.concessions.list_concessions(2)
    with pytest.raises(NotFound) as missing:
        ana.concessions.list_concessions(999)
    assert (
        str(hidden.value) == "There is no deal with id 2."
        and str(missing.value) == "There is no deal with id 999."
    )
    assert "Helios" not in str(hidden.value)


def test_the_counterparty_view_aggregates_only_permitted_deals(team):
    northwind = team.deals.get_deal(1).counterparty_id
    assert sorted(team.power.latest_assessments(northwind)) == [1, 12]
    ana = team.acting_as(ANA)
    assert sorted(ana.power.latest_assessments(northwind)) == [1]
    assert ana.queries.counterparty_deals(northwind)["id"].tolist() == [1]
    assert ana.deals.list_counterparties()["name"].tolist() == ["Northwind Logistics"]
    assert ana.deals.list_counterparties()["deals"].tolist() == [1]
    helios = team.deals.get_deal(2).counterparty_id
    with pytest.raises(NotFound):
        ana.deals.get_counterparty(helios)
    with pytest.raises(NotFound):
        ana.deals.list_stakeholders(helios)


def test_readers_who_are_not_on_the_team_cannot_change_the_deal(team):
    line = Concession(
        item="Extra seat", you_give="1 seat", you_get="", value_to_you=-100, logged_at=datetime(2026, 11, 25)
    )
    for reader in (SAM, LEA, ADA):
        store = team.acting_as(reader)
        with pytest.raises(NotAllowed, match="You can read this deal but not change it"):
            store.concessions.add_concession(1, line)
        with pytest.raises(NotAllowed):
            store.deals.advance_stage(1, "close")
        with pytest.raises(NotAllowed):
            store.deals.update_counterparty(
                team.deals.get_counterparty(team.deals.get_deal(1).counterparty_id)
            )
    with pytest.raises(NotFound):
        team.acting_as(JONAS).concessions.add_concession(1, line)
    assert len(team.concessions.list_concessions(1)) == 5  # nothing was written


def test_the_owner_works_the_deal_and_the_history_names_them(team):
    ana = team.acting_as(ANA)
    ana.concessions.add_concession(1, Concession(item="Training day", you_give="1 day", you_get="Reference call",
                                     value_to_you=-500, logged_at=datetime(2026, 11, 25, 10)))  # fmt: skip
    assert ana.deals.list_events(1)["changed_by"].iloc[0] == "ana@example.com"


def test_a_new_deal_belongs_to_the_person_who_starts_it_and_sponsors_cannot_start_one(team):
    jonas = team.acting_as(JONAS)
    new_id = jonas.deals.create_deal(
        Deal(name="Side deal", context="sales", owner="Jonas"), Counterparty(name="Zed Ltd")
    )
    assert jonas.deal_people(new_id) == {"jonas@example.com": Part.owner}
    assert team.acting_as(ANA).deals.list_deals()["id"].tolist() == [1]
    with pytest.raises(NotAllowed, match="cannot start deals"):
        team.acting_as(SAM).deals.create_deal(
            Deal(name="Mine", context="sales", owner="Sam"), Counterparty(name="Y")
        )


def test_only_admins_manage_members_and_deal_teams(team):
    for person in (ANA, SAM, LEA):
        with pytest.raises(NotAllowed, match="Only an admin"):
            team.acting_as(person).add_member("eve@example.com", "leader")
        with pytest.raises(NotAllowed):
            team.acting_as(person).share_deal(2, person.email)
        with pytest.raises(NotAllowed):
            team.acting_as(person).queries.table_counts()
    assert team.acting_as(ADA).member("EVE@example.com") is None


def test_sharing_a_deal_opens_it_and_unsharing_closes_it_with_history(team):
    admin = team.acting_as(ADA)
    admin.share_deal(2, ANA.email)
    assert team.acting_as(ANA).deals.list_deals()["id"].tolist() == [1, 2]
    admin.unshare_deal(2, ANA.email)
    assert team.acting_as(ANA).deals.list_deals()["id"].tolist() == [1]
    events = team.deals.list_events(2)
    assert events["subject"].tolist()[:2] == ["ana@example.com on the deal"] * 2
    assert events["old_value"].iloc[0] == "team" and events["new_value"].isna().iloc[0]


def test_a_new_owner_makes_the_old_one_a_team_member_and_a_new_sponsor_replaces_the_old(team):
    admin = team.acting_as(ADA)
    admin.share_deal(1, JONAS.email, "owner")
    admin.share_deal(1, LEA.email, "sponsor")
    assert team.deal_people(1) == {"jonas@example.com": Part.owner, "lea@example.com": Part.sponsor,
                                   "ana@example.com": Part.team}  # fmt: skip


def test_the_first_member_is_made_admin_and_the_last_admin_cannot_be_removed(store):
    assert store.add_member("First@Example.com", "negotiator").role is Role.admin
    assert store.add_member("second@example.com", "negotiator").role is Role.negotiator
    from core.models import InvalidInput

    with pytest.raises(InvalidInput, match="last admin"):
        store.remove_member("first@example.com")
    with pytest.raises(InvalidInput, match="E-mail: 'not an address' is not an e-mail address"):
        store.add_member("not an address", "leader")
    with pytest.raises(InvalidInput, match="Role: 'boss' is not one of negotiator, sponsor, leader, admin"):
        store.add_member("x@example.com", "boss")


def test_sign_in_binds_the_providers_identity_and_an_address_alone_signs_nobody_in_after(team):
    from core.access import Identity

    issuer = "https://id.example.com"
    assert team.sign_in(Identity(ANA.email, issuer, "ana-1")).role == "negotiator"
    assert team.sign_in(Identity(ANA.email, issuer, "ana-1")).email == ANA.email  # again: the same
    with pytest.raises(NotAllowed, match="signs in with another account"):
        team.sign_in(Identity(ANA.email, issuer, "mallory"))
    with pytest.raises(NotAllowed):
        team.sign_in(Identity(ANA.email, "https://evil.example.com", "ana-1"))  # same subject, other issuer
    assert team.sign_in(Identity("eve@example.com", issuer, "eve")) is None  # not a member
    admin = team.acting_as(ADA)
    admin.remove_member(ANA.email, reassign_to=SAM.email)
    assert team.sign_in(Identity(ANA.email, issuer, "ana-1")) is None  # removed: nobody
    admin.add_member(ANA.email, "negotiator")  # added back: bound again at her next sign-in
    assert team.sign_in(Identity(ANA.email, issuer, "ana-new")).email == ANA.email


def test_the_first_person_to_sign_in_to_an_empty_team_is_bound_as_its_admin(store):
    from core.access import Identity

    first = Identity("first@example.com", "https://id.example.com", "f1")
    assert store.sign_in(first).role == "admin"
    assert store.sign_in(Identity("second@example.com", "https://id.example.com", "s2")) is None
    with pytest.raises(NotAllowed):
        store.sign_in(Identity("first@example.com", "https://id.example.com", "other"))


def test_an_owner_who_leaves_hands_their_deals_over_and_no_deal_is_left_without_an_owner(team):
    admin = team.acting_as(ADA)
    with pytest.raises(
        InvalidInput, match="^Reassign to: ana@example.com owns 1 deal; name the member who takes"
    ):
        admin.remove_member(ANA.email)
    with pytest.raises(InvalidInput, match="^Reassign to: eve@example.com is not a member"):
        admin.remove_member(ANA.email, reassign_to="eve@example.com")
    with pytest.raises(InvalidInput, match="^Reassign to: someone other than"):
        admin.remove_member(ANA.email, reassign_to="ANA@example.com")
    assert team.member(ANA.email) is not None  # refused: nothing changed
    admin.remove_member(ANA.email, reassign_to=SAM.email)  # the sponsor takes the deal over
    assert team.deal_people(1) == {SAM.email: Part.owner}
    assert team.deals.list_events(1)["note"].iloc[0] == "took over from ana@example.com, who left"
    admin.remove_member(JONAS.email)  # on a team, owns nothing: nobody needs naming


def test_a_removed_member_sees_nothing_and_their_history_stays(team):
    ana = team.acting_as(ANA)
    ana.deals.observe_signal(1, "anchor", "they anchored high")
    team.acting_as(ADA).remove_member(ANA.email, reassign_to=JONAS.email)
    assert team.member(ANA.email) is None
    # A store bound to her before (an open page's live part, a button, a download built on click)
    with pytest.raises(NotAllowed, match="^You are no longer a member of this cockpit"):
        ana.deals.list_deals()
    with pytest.raises(NotAllowed):
        ana.concessions.concession_log()
    assert "ana@example.com" in team.deals.list_events(1)["changed_by"].tolist()
    history = team.acting_as(ADA).team_history()
    assert history["subject"].iloc[0] == "Member ana@example.com removed"


def test_a_store_bound_before_a_demotion_acts_with_the_role_the_member_has_now(team):
    lea = team.acting_as(LEA)  # a leader's page, open since before the change
    assert len(lea.deals.list_deals()) == 12
    line = over_the_mandate(team)
    team.acting_as(ADA).add_member(LEA.email, "negotiator")
    assert lea.deals.list_deals().empty  # on no deal's team now
    with pytest.raises(NotFound):
        lea.decide_approval(1, line, "approved", "fine")
    assert [a.concession_id for a in team.list_approvals(1)] == []  # nothing decided


def test_a_negotiator_cannot_raise_their_own_mandate(team):
    ana = team.acting_as(ANA)
    deal = ana.deals.get_deal(1)
    with pytest.raises(NotAllowed, match="^Mandate: only the deal's sponsor or a leader can move it"):
        ana.deals.update_deal(deal.model_copy(update={"mandate": deal.mandate * 10}))
    ana.deals.update_deal(
        deal.model_copy(update={"notes": "kept the mandate"})
    )  # other fields are hers to change
    team.acting_as(SAM).set_mandate(1, deal.mandate + 5000, "board agreed")
    assert team.deals.get_deal(1).mandate == deal.mandate + 5000
    event = team.deals.list_events(1).iloc[0]
    assert (event["subject"], event["changed_by"], event["note"]) == (
        "Deal · Mandate",
        "sam@example.com",
        "board agreed",
    )


def over_the_mandate(store, deal_id=1, who=ANA):
    """Log a give that takes the deal over its mandate; returns the line's id."""
    gives = -store.concessions.concession_frame(deal_id)["value_to_you"].clip(upper=0).sum()
    store.set_mandate(
        deal_id, gives + 5000, "room for this test"
    )  # the one local user: nothing over the mandate so far
    big = 6000
    return (store.acting_as(who) if who else store).concessions.add_concession(
        deal_id, Concession(item="Extra discount", you_give="2 %", you_get="Signature", value_to_you=-big,
                            logged_at=datetime(2026, 11, 25, 11))
    )  # fmt: skip


def test_the_sponsor_approves_a_give_over_the_mandate_and_the_line_says_so(team):
    from core.approvals import to_decide
    from core.concessions import review_log

    line = over_the_mandate(team)
    sam = team.acting_as(SAM)
    queue = to_decide(*sam.approval_queue(), SAM.email)
    assert queue[["deal_id", "concession_id", "item"]].values.tolist() == [[1, line, "Extra discount"]]
    assert queue["over_by"].iloc[0] == 1000
    leader = to_decide(*team.acting_as(LEA).approval_queue(), LEA.email)
    assert leader[leader["deal_id"] == 1]["concession_id"].tolist() == [line]
    assert len(leader["deal_id"].unique()) > 1  # a leader's queue spans every deal
    assert to_decide(*team.acting_as(JONAS).approval_queue(), JONAS.email).empty  # not his to approve
    assert to_decide(*team.acting_as(ANA).approval_queue(), ANA.email).empty

    sam.decide_approval(
        1, line, "approved", "CFO agreed", decided_by="someone else", decided_at=datetime(2020, 1, 1)
    )
    decision = team.list_approvals(1)[-1]
    assert (decision.decided_by, decision.decided_at.year) == ("sam@example.com", datetime.now().year)
    review = review_log(
        team.concessions.concession_frame(1),
        team.preparation.list_issues(1),
        team.deals.get_deal(1).mandate,
        team.list_approvals(1),
    )
    assert (
        review.approvals[line]
        .says()
        .startswith("over the mandate by 1,000 — approved by sam@example.com at ")
    )
    assert to_decide(*sam.approval_queue(), SAM.email).empty
    event = team.deals.list_events(1).iloc[0]
    assert (event["subject"], event["changed_by"], event["note"]) == (
        "Give over the mandate 'Extra discount'",
        "sam@example.com",
        "CFO agreed",
    )


def test_nobody_approves_their_own_give_and_only_sponsors_and_leaders_approve(team):
    team.acting_as(ADA).share_deal(1, LEA.email, "team")
    line = over_the_mandate(team, who=LEA)
    with pytest.raises(NotAllowed, match="^You logged this line: another person"):
        team.acting_as(LEA).decide_approval(1, line, "approved")
    with pytest.raises(NotAllowed, match="not approve its gives"):
        team.acting_as(ANA).decide_approval(1, line, "approved")
    with pytest.raises(NotFound):
        team.acting_as(JONAS).decide_approval(1, line, "approved")
    assert team.list_approvals(1) == []


def test_an_assessment_is_recorded_as_the_signed_in_member_whatever_the_caller_says(team):
    from core.models import PowerAssessment, PowerScore

    scores = [PowerScore(source="alternatives", side="us", score=4)]
    team.acting_as(ANA).power.add_assessment(
        1,
        PowerAssessment(
            assessed_at=datetime(2026, 11, 25, 12), assessed_by="the server's user", scores=scores
        ),
    )
    assert team.power.list_assessments(1)[-1].assessed_by == ANA.email


def test_a_leader_who_corrected_a_teammates_line_does_not_approve_it(team):
    from core.approvals import to_decide

    team.acting_as(ADA).share_deal(1, LEA.email, "team")
    line = over_the_mandate(team)  # logged by Ana
    lea = team.acting_as(LEA)
    stored = lea.concessions.live_concession(1, line)
    lea.concessions.update_concessions(1, [stored.model_copy(update={"value_to_you": -90_000.0})])
    assert line not in to_decide(*lea.approval_queue(), LEA.email)["concession_id"].tolist()
    with pytest.raises(NotAllowed, match="^You last changed this line: another person"):
        lea.decide_approval(1, line, "approved")
    team.acting_as(SAM).decide_approval(
        1, line, "approved", "CFO agreed"
    )  # the sponsor is another pair of eyes
    assert [(a.concession_id, a.decided_by) for a in team.list_approvals(1)] == [(line, SAM.email)]


def test_locally_the_negotiator_records_who_approved_and_when(demo_store):
    line = over_the_mandate(demo_store, who=None)
    from core.models import InvalidInput

    with pytest.raises(InvalidInput, match="^Decided by: must not be empty$"):
        demo_store.decide_approval(1, line, "approved")
    with pytest.raises(InvalidInput, match="When: the approval cannot be in the future"):
        demo_store.decide_approval(1, line, "approved", decided_by="Maria", decided_at=datetime(2099, 1, 1))
    with pytest.raises(InvalidInput, match="^Note: say why"):
        demo_store.decide_approval(1, line, "rejected", decided_by="Maria")
    assert demo_store.list_approvals(1) == []
    demo_store.decide_approval(1, line, "approved", "yes by phone", decided_by="Maria (sponsor)",
                               decided_at=datetime(2026, 11, 25, 11, 30))  # fmt: skip
    a = demo_store.list_approvals(1)[0]
    assert (a.decided_by, a.decided_at, a.note) == (
        "Maria (sponsor)",
        datetime(2026, 11, 25, 11, 30),
        "yes by phone",
    )


def test_a_new_deal_cannot_borrow_a_counterparty_the_person_may_not_see(team):
    jonas = team.acting_as(JONAS)  # on deal 12 (Northwind) only
    helios = team.deals.get_deal(2).counterparty_id
    with pytest.raises(NotFound, match=f"There is no counterparty with id {helios}."):
        jonas.deals.create_deal(Deal(name="Mine", context="sales", owner="J", counterparty_id=helios))
    # A deal file naming a counterparty he may not see gets a counterparty of its own, not that map.
    deal_file = team.deal_files.export_deal(2)
    done = jonas.deal_files.import_deal(deal_file)
    assert not done.joined_existing
    assert jonas.deals.get_deal(done.deal_id).counterparty_id != helios
    assert jonas.deals.list_deals()["id"].tolist() == [12, done.deal_id]


def test_a_record_is_named_by_any_integer_id_by_position_or_name_and_anything_else_is_refused(team):
    import numpy as np

    ana = team.acting_as(ANA)
    name = ana.deals.get_deal(1).name
    assert ana.deals.get_deal(np.int64(1)).name == name  # an id taken from a frame
    assert ana.deals.get_deal(deal_id=1).name == name
    with pytest.raises(NotFound):
        ana.deals.get_deal(deal_id=np.int32(2))  # checked the same way by name: not hers
    for bad in ("1", 1.0, None, True):
        with pytest.raises(InvalidInput, match="Deal id: .* is not a record's id"):
            ana.deals.get_deal(bad)


def test_pickers_search_in_the_database_by_name_or_counterparty_any_case_and_stop_at_the_limit(team):
    every = team.deals.list_deals()
    northwind = every[every["counterparty"] == "Northwind Logistics"]["id"].tolist()
    assert northwind == [1, 12]
    assert team.deals.find_deals("NORTHWIND")["id"].tolist() == northwind  # the counterparty's name, any case
    assert team.deals.find_deals(every.loc[every["id"] == 4, "name"].iloc[0][:6].lower())["id"].tolist()[
        :1
    ] == [4]
    assert team.deals.find_deals(limit=3)["id"].tolist() == [1, 2, 3]
    assert team.deals.find_deals("northwind", ids=[12, 4])["id"].tolist() == [12]  # both conditions hold
    assert team.deals.find_deals("%")["id"].tolist() == []  # typed text, never a pattern
    assert team.acting_as(JONAS).deals.find_deals("northwind")["id"].tolist() == [12]  # deal 1 is not Jonas's
    assert team.deals.find_counterparties("northWIND")["name"].tolist() == ["Northwind Logistics"]
    assert team.acting_as(NOBODY).deals.find_counterparties().empty
    assert len(team.deals.find_counterparties(limit=2)) == 2

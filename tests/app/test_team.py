"""Team mode through AppTest: sign-in configured, a person signed in for the session, and every screen,
table, chart, link and download holding only the deals that person may see."""

import pytest
import streamlit.runtime.media_file_manager as media
from streamlit.testing.v1 import AppTest

from core.store import Store
from tests.app.test_safe_mode import SCREENS, sent
from tests.postgres import fill

AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "not-a-secret-in-tests",
    "client_id": "cockpit", "client_secret": "also-not", "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}  # fmt: skip
ISSUER = "https://id.example.com"
OTHER_DEALS = [
    "Helios — Q1 cloud migration slots", "PayLoop — fintech co-branding", "Kessler — die-cast housings should-cost",
    "Tessaro — data-center hardware refresh", "Baltic Freight — 3-year carrier contract",
    "Nordlicht Bank — co-marketing programme", "Northwind — EU expansion licences",
]  # fmt: skip


@pytest.fixture
def team(app, db_path, first_start_file):
    """The demo with a team: Ada admin, Ana owns deal 1, Sam sponsors it, Lea leads, Carol is on nothing."""
    fill(db_path, first_start_file)
    store = Store.open(db_path)
    for email, role in [("ada@example.com", "admin"), ("ana@example.com", "negotiator"),
                        ("sam@example.com", "sponsor"), ("lea@example.com", "leader"), ("carol@example.com", "negotiator")]:  # fmt: skip
        store.add_member(email, role)
    store.share_deal(1, "ana@example.com", "owner")
    store.share_deal(1, "sam@example.com", "sponsor")

    def start(email: str | None, deal: int | None = None, page: str | None = None, **claims) -> AppTest:
        user = {"is_logged_in": False}
        if email:  # what a provider's ID token says, unless a test says otherwise
            user = {"is_logged_in": True, "email": email, "email_verified": True, "iss": ISSUER, "sub": email}
            user.update(claims)
        return app(deal=deal, page=page, auth=AUTH, user=user)

    return start


def test_nobody_sees_anything_before_signing_in(team):
    for screen in SCREENS:
        at = team(None, deal=1, page=screen)
        assert not at.exception
        assert [b.label for b in at.button] == ["Sign in"]
        everything = sent(at)
        assert "Northwind" not in everything and "Deal Cockpit" in everything
        assert not at.sidebar.selectbox  # no deal picker


def test_an_unknown_person_is_told_to_ask_an_admin_and_sees_no_data(team):
    at = team("mallory@example.com", deal=1)
    assert at.warning[0].value.startswith(
        "You are signed in, but not a member of this cockpit yet. Ask an admin"
    )
    assert "Northwind" not in sent(at)
    assert [b.label for b in at.button] == ["Sign out"]


@pytest.mark.parametrize(
    ("email", "claims", "says"),
    [
        ("\u212aim@example.com", {}, "has a character that stands in for a plain letter (kelvin sign)"),
        ("ＬＥＡ@example.com", {}, "has a character that stands in for a plain letter (fullwidth latin"),
        ("lea@example.com", {"email_verified": "true"}, "did not come with a verified e-mail address"),
        ("lea@example.com", {"email_verified": None}, "did not come with a verified e-mail address"),
        ("lea@example.com", {"sub": ""}, "did not say who you are"),
    ],
)
def test_a_look_alike_or_unverified_address_signs_nobody_in(team, email, claims, says):
    at = team(email, deal=1, **claims)
    assert says in at.warning[0].value
    assert "Northwind" not in sent(at) and not at.sidebar.selectbox


def test_once_bound_an_address_alone_no_longer_signs_a_member_in(team):
    assert team("lea@example.com", sub="lea-at-the-provider").sidebar.selectbox  # binds her account
    at = team("LEA@Example.com", sub="someone-else")  # another account given her address
    assert "is a member who signs in with another account" in at.warning[0].value
    assert "Northwind" not in sent(at)


def test_a_negotiator_opening_another_deal_by_link_sees_not_found_and_nothing_of_it_anywhere(team):
    at = team("ana@example.com", deal=2)
    assert at.sidebar.warning[0].value == "There is no deal with id 2; showing the first deal instead."
    assert at.sidebar.selectbox(key="deal_picker").options == [
        "Northwind — enterprise SaaS annual · Northwind Logistics"
    ]
    for screen in SCREENS:
        at.query_params["deal"] = "2"
        at.switch_page(screen).run()
        assert not at.exception
        everything = sent(at)
        for name in OTHER_DEALS:
            assert name not in everything, f"{screen} shows {name}"
        assert "Northwind — enterprise SaaS annual" in everything


def test_the_pipeline_and_the_downloads_hold_only_permitted_deals(team, monkeypatch):
    files = []
    original = media.MediaFileManager.add_deferred

    def keep(self, data_callable, *args, **kwargs):
        files.append(data_callable)
        return original(self, data_callable, *args, **kwargs)

    monkeypatch.setattr(media.MediaFileManager, "add_deferred", keep)
    at = team("ana@example.com")
    assert at.dataframe[0].value["name"].tolist() == ["Northwind — enterprise SaaS annual"]
    at.switch_page("pages/concessions.py").run()
    every_deal = files[-1]().decode("utf-8-sig")  # "Every deal's log (CSV)"
    assert "Northwind — enterprise SaaS annual" in every_deal
    assert not any(name in every_deal for name in OTHER_DEALS)
    pipeline = files[0]().decode("utf-8-sig")  # the pipeline's download
    assert pipeline.count("\n") == 2 and "Northwind" in pipeline


def test_a_leader_sees_every_deal_and_the_pending_approvals(team):
    at = team("lea@example.com")
    assert len(at.dataframe[0].value) == 11  # every live deal (one of the twelve is signed and on track)
    assert any("over the mandate wait for your approval" in m.value for m in at.markdown)
    assert not [p for p in at.sidebar.get("page_link") if p.proto.label == "Admin"]


def test_a_sponsor_approves_a_give_over_the_mandate_and_the_log_says_who(team, db_path):
    at = team("sam@example.com", deal=1)
    assert any(
        "2 gives over the mandate wait for your approval" in m.value for m in at.markdown
    )  # every screen
    at.switch_page("pages/concessions.py").run()
    assert not any("wait for your approval" in m.value for m in at.markdown)  # here: the deal's own list
    assert any("2 gives over the mandate" in m.value for m in at.markdown)
    assert not [t for t in at.text_input if t.label == "Item"]  # a sponsor reads the log; the team writes it
    approve = [b for b in at.button if b.label == "Approve"]
    assert len(approve) == 2  # lines 4 and 5 of the demo take deal 1 over its mandate
    approve[0].click().run()
    assert not at.exception
    decided = Store.open(db_path).list_approvals(1)
    assert [(a.decided_by, a.decision.value) for a in decided] == [("sam@example.com", "approved")]
    assert any("approved by sam@example.com at" in m.value.replace("\u200b", "") for m in at.markdown)
    assert len([b for b in at.button if b.label == "Approve"]) == 1


def test_the_owner_cannot_approve_and_cannot_raise_her_own_mandate(team):
    at = team("ana@example.com", deal=1, page="pages/concessions.py")
    assert not [b for b in at.button if b.label == "Approve"]
    assert any("pending approval" in m.value for m in at.markdown)
    assert [t for t in at.text_input if t.label == "Item"]  # she logs lines
    at.switch_page("pages/prepare.py").run()
    assert "mandate_1__amount" not in [t.key for t in at.text_input]  # neither a box of its own
    assert "deal_1__mandate" not in [t.key for t in at.text_input]  # nor one in the deal form
    assert any("only the deal's sponsor or a leader moves it" in c.value for c in at.caption)


def test_the_sponsor_moves_the_mandate_on_prepare_with_its_reason_in_the_history(team, db_path):
    at = team("sam@example.com", deal=1, page="pages/prepare.py")
    at.text_input(key="mandate_1__amount").set_value("60k")
    at.button(key="mandate_1__save").click().run()
    assert "Why: say why the mandate moves" in at.error[0].value
    assert Store.open(db_path).deals.get_deal(1).mandate != 60_000
    at.text_input(key="mandate_1__amount").set_value("60k")
    at.text_input(key="mandate_1__reason").set_value("CFO agreed the pilot")
    at.button(key="mandate_1__save").click().run()
    store = Store.open(db_path)
    assert store.deals.get_deal(1).mandate == 60_000
    last = store.deals.list_events(1).iloc[0]
    assert (last["subject"], last["note"], last["changed_by"]) == (
        "Deal · Mandate",
        "CFO agreed the pilot",
        "sam@example.com",
    )


def test_the_admin_screen_is_for_admins_only(team, db_path):
    at = team("ana@example.com", page="pages/admin.py")
    assert at.info[0].value == "Only an admin manages members and deal teams."
    assert "carol@example.com" not in sent(at)
    assert not [p for p in at.sidebar.get("page_link") if p.proto.label == "Admin"]
    at = team("ada@example.com", page="pages/admin.py")
    assert [p for p in at.sidebar.get("page_link") if p.proto.label == "Admin"]
    members = at.dataframe[0].value
    assert members["E-mail"].tolist() == ["ada@example.com", "ana@example.com", "carol@example.com",
                                          "lea@example.com", "sam@example.com"]  # fmt: skip
    [t for t in at.text_input if t.label == "E-mail"][0].set_value("Eve@Example.com")
    [b for b in at.button if b.label == "Save member"][0].click().run()
    assert at.success[0].value.replace("\u200b", "") == "eve@example.com is a member as negotiator."
    said = any("cannot stop whoever holds the app login's password" in c.value for c in at.caption)
    assert said == str(db_path).startswith("postgresql")  # the wall's limits, where admins look


def test_history_records_the_signed_in_person(team, db_path):
    at = team("ana@example.com", deal=1, page="pages/concessions.py")
    at.text_input(key="entry_item_1").set_value("Training day")
    at.text_input(key="entry_give_1").set_value("1 day")
    at.text_input(key="entry_get_1").set_value("Reference call")
    at.text_input(key="entry_you_1").set_value("-500")
    at.button(key="entry_submit_1").click().run()
    assert Store.open(db_path).deals.list_events(1)["changed_by"].iloc[0] == "ana@example.com"


def test_locally_the_negotiator_records_who_approved_by_phone_and_when(app, db_path):
    at = app(deal=1)
    at.switch_page("pages/concessions.py").run()
    assert any("Local: only this computer can open it" in m.value for m in at.sidebar.caption)
    assert not [b for b in at.button if b.label == "Approve"]  # folded: its forms are drawn once it is opened
    at.session_state["approvals_open_1"] = True  # what opening the box sets
    at.run()
    [b for b in at.button if b.label == "Approve"][0].click().run()
    assert "Decided by: must not be empty" in at.error[0].value
    assert Store.open(db_path).list_approvals(1) == []
    [t for t in at.text_input if t.label == "Decided by"][0].set_value("Maria Lopez (sponsor, by phone)")
    [b for b in at.button if b.label == "Approve"][0].click().run()
    decided = Store.open(db_path).list_approvals(1)
    assert [(a.decided_by, a.recorded_by != "") for a in decided] == [
        ("Maria Lopez (sponsor, by phone)", True)
    ]


@pytest.mark.parametrize(("address", "says"), [("0.0.0.0", "0.0.0.0"), ("", "every address")])
def test_local_mode_refuses_to_serve_beyond_this_computer(app, address, says):
    from streamlit import config

    config.set_option("server.address", address)
    try:
        at = app(deal=1)
        assert at.error[0].value.startswith(f"This cockpit has no sign-in configured but listens on {says}")
        assert "Northwind" not in sent(at)
    finally:
        config.set_option("server.address", "127.0.0.1")


@pytest.mark.parametrize("engine", ["duckdb"], indirect=True)  # the URL below is the database here
def test_local_mode_refuses_a_teams_shared_database_before_opening_it(app, monkeypatch):
    monkeypatch.setenv("COCKPIT_DB", "postgresql://app:s3cret@db.example.com/cockpit")
    at = app(deal=1)
    assert (
        at.error[0]
        .value.replace("\\_", "_")
        .startswith(
            "This cockpit has no sign-in configured but COCKPIT_DB is a shared database on another computer"
        )
    )
    assert "s3cret" not in sent(at) and "cannot be reached" not in sent(at)


def test_a_reader_is_told_up_front_that_the_deal_is_not_theirs_to_change(team):
    at = team("lea@example.com", deal=1, page="pages/prepare.py")
    assert any(c.value.endswith("You can read this deal; its owner and team change it.") for c in at.caption)
    at = team("ana@example.com", deal=1, page="pages/prepare.py")
    assert not any("You can read this deal" in c.value for c in at.caption)


def test_an_admin_removes_an_owner_naming_who_takes_her_deals_over(team, db_path):
    at = team("ada@example.com", page="pages/admin.py")
    at.selectbox(key="remove_member__who").select("ana@example.com")
    next(b for b in at.button if b.label == "Remove member").click().run()
    said = [e.value.replace("\u200b", "").replace("\\", "") for e in at.error]
    assert any("ana@example.com owns 1 deal; name the member who takes them over" in e for e in said), said
    assert Store.open(db_path).member("ana@example.com") is not None
    at.selectbox(key="remove_member__who").select("ana@example.com")
    at.selectbox(key="remove_member__heir").select("sam@example.com")
    next(b for b in at.button if b.label == "Remove member").click().run()
    store = Store.open(db_path)
    assert store.member("ana@example.com") is None and store.deal_people(1) == {"sam@example.com": "owner"}


def test_someone_signed_in_who_is_not_a_member_is_one_line_in_the_operators_log(team, capsys):
    import json

    capsys.readouterr()
    team("mallory@example.com", deal=1)
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith('{"at"')]
    assert [(r["event"], r["email"]) for r in records] == [("not_a_member", "mallory@example.com")]


def test_sign_ins_are_in_the_access_log_once_per_session_and_admin_shows_them(team, db_path):
    ana = team("ana@example.com", deal=1)
    ana.switch_page("pages/concessions.py").run()  # more runs of the same session: still one sign-in
    at = team("ada@example.com", page="pages/admin.py")
    log = Store.open(db_path).access_log()
    assert sorted(zip(log["person"], log["action"], strict=True)) == [
        ("ada@example.com", "signed_in"), ("ana@example.com", "signed_in")]  # fmt: skip
    frames = {
        tuple(d.value.columns): d.value for d in at.dataframe
    }  # a table without selection has no key here
    members = next(v for c, v in frames.items() if "Last sign-in" in c).set_index("E-mail")
    assert members.loc["ana@example.com", "Last sign-in"] is not None
    assert members["Last sign-in"].isna().sum() == 3  # Sam, Lea and Carol never signed in
    shown = next(v for c, v in frames.items() if "Did" in c)
    assert set(shown["Who"]) == {"ada@example.com", "ana@example.com"} and set(shown["Did"]) == {"Signed in"}


def test_the_pipeline_is_computed_once_for_all_who_read_every_deal_and_never_shared_with_anyone_else(
    team, monkeypatch
):
    import core.pipeline
    from core.ui import session

    computed = []
    real = core.pipeline.pipeline_frame

    def counted(store, today):
        computed.append(store.person.email)
        return real(store, today)

    for email in ("lea@example.com", "ada@example.com", "ana@example.com"):
        team(email)  # a first sign-in binds the provider's account to the member: a write, a new revision
    session._shared.clear()  # this server's shared results start empty
    monkeypatch.setattr(core.pipeline, "pipeline_frame", counted)
    lea = team("lea@example.com")  # a leader: every deal
    ada = team("ada@example.com")  # an admin reads every deal too: Lea's result, shared
    assert computed == ["lea@example.com"]
    assert len(ada.dataframe[0].value) == len(lea.dataframe[0].value) == 11
    ana = team("ana@example.com")  # a negotiator: her deals only, computed for her
    assert computed == ["lea@example.com", "ana@example.com"]
    assert ana.dataframe[0].value["name"].tolist() == ["Northwind — enterprise SaaS annual"]
    lea.run()
    assert len(lea.dataframe[0].value) == 11 and computed[-1] == "ana@example.com"  # nothing recomputed

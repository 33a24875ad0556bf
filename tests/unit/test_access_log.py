"""Who saw or took what: sign-ins, downloads, exports, backups and restores, each in the access log with the
person who did it, readable by admins (on Admin and with `cockpit access-log`) and by nobody else."""

from __future__ import annotations

import csv
import io

import pytest

from core import cli
from core.models import InvalidInput
from core.store import NotAllowed, Store
from tests.unit.team import ADA, ANA


def test_each_access_is_recorded_as_the_person_who_did_it_and_only_admins_read_them(team):
    ana = team.acting_as(ANA)
    ana.record_access("downloaded", "This deal's log (CSV)", 1)
    ana.record_access("signed_in", "Signed in")
    log = team.acting_as(ADA).access_log()
    assert log[["person", "action", "deal_id", "what"]].astype(object).where(
        log.notna(), None
    ).values.tolist() == [
        [ANA.email, "signed_in", None, "Signed in"],  # newest first
        [ANA.email, "downloaded", 1, "This deal's log (CSV)"],
    ]
    assert log["deal"].tolist()[1] == ana.deals.get_deal(1).name
    assert team.acting_as(ADA).access_log(deal_id=1)["action"].tolist() == ["downloaded"]
    assert team.acting_as(ADA).access_log(person=ANA.email.upper())["person"].nunique() == 1
    assert set(team.acting_as(ADA).last_sign_ins()) == {ANA.email}
    with pytest.raises(NotAllowed):
        ana.access_log()
    with pytest.raises(InvalidInput, match="Action: 'peeked' is not one of"):
        ana.record_access("peeked", "x")


def test_a_download_built_on_click_is_recorded_when_it_is_built(demo_store):
    from core.ui.session import recorded

    build = recorded(demo_store, "Every deal's log (CSV)", None, lambda: b"file")
    assert demo_store.access_log().empty  # drawing the button records nothing
    assert build() == b"file"
    assert demo_store.access_log()["what"].tolist() == ["Every deal's log (CSV)"]


def test_the_command_line_records_its_exports_and_backups_and_prints_the_log(db_path, tmp_path, capsys):
    from core.demo import load_curated

    store = Store.open(str(db_path))
    load_curated(store)
    assert cli.main(["export-deal", "1", "-o", str(tmp_path / "d.json")]) == 0
    assert cli.main(["export-concessions", "--deal", "2", "-o", str(tmp_path / "c.csv")]) == 0
    assert cli.main(["backup", str(tmp_path / "b.duckdb")]) == 0
    capsys.readouterr()
    assert cli.main(["access-log"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["Did"], r["Deal id"], r["What"][:12]) for r in rows] == [
        ("Backed up", "", "Backup to /t"),
        ("Exported", "2", "Concession l"),
        ("Exported", "1", "Deal file (J"),
    ]
    assert cli.main(["access-log", "--deal", "1"]) == 0
    assert [r["Did"] for r in csv.DictReader(io.StringIO(capsys.readouterr().out))] == ["Exported"]
    store.close()


def test_recording_an_access_does_not_make_every_open_screen_recompute(team):
    # A sign-in or a download changes no figure: the revision that cached screens follow stays; a change moves it.
    before = team.revision
    team.acting_as(ANA).record_access("signed_in", "Signed in")
    assert team.revision == before
    team.acting_as(ANA).deals.advance_stage(1, "close", "moved on")
    assert team.revision > before


def test_signing_in_again_is_a_read_and_only_the_first_binding_moves_the_revision(team):
    from core.access import Identity

    ana = Identity(ANA.email, "https://idp.example.com", "ana-1")
    before = team.revision
    assert team.sign_in(ana).email == ANA.email  # binds the account to the member: a change
    bound = team.revision
    assert bound > before
    for _ in range(3):  # every page run of every session signs in again
        assert team.sign_in(ana).email == ANA.email
    assert team.revision == bound

"""A person's data for data-protection requests: `cockpit person export` finds every row that names them,
without the organisation's figures; `cockpit person erase` replaces their address everywhere with one
pseudonym, in one transaction, recorded in the team's history, and only for someone who has left."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from core import cli
from core.demo import load_curated
from core.models import Concession, InvalidInput
from core.store import Store
from core.store.people import ERASED_DOMAIN, erase_person, person_record
from tests.unit.team import ADA, ANA, SAM


@pytest.fixture
def ana_left(engine, db_path):
    """Ana logged a line on her deal, downloaded its log, wrote a note naming herself, and left (the demo in
    COCKPIT_DB: a file, or a PostgreSQL database as its owner, who alone may change history)."""
    store = Store.open(str(db_path))
    load_curated(store)
    for person in (ADA, ANA, SAM):
        store.add_member(person.email, person.role)
    store.share_deal(1, ANA.email, "owner")
    store.share_deal(1, SAM.email, "sponsor")
    ana = store.acting_as(ANA)
    ana.concessions.add_concession(1, Concession(item="Extra seat", you_give="1 seat", you_get="Case study", value_to_you=-4321,
                                     trigger=f"ask {ANA.email} first", logged_at=datetime(2026, 11, 25, 9)))  # fmt: skip
    ana.record_access("downloaded", "This deal's log (CSV)", 1)
    store.remove_member(ANA.email, reassign_to=SAM.email)
    yield store
    store.close()


def test_the_export_holds_every_row_that_names_the_person_and_none_of_the_deals_figures(ana_left):
    record = person_record(ana_left, f"  {ANA.email.upper()} ")  # found the way the cockpit keys people
    assert record["person"] == ANA.email
    rows = record["rows"]
    assert {"member", "deal_event", "concession", "access_event"} <= set(rows)
    (line,) = rows["concession"]
    assert line["logged_by"] == ANA.email and line["trigger"] == f"ask {ANA.email} first"
    assert "value_to_you" not in line and "item" not in line  # the organisation's, not the person's
    assert [r["action"] for r in rows["access_event"]] == ["downloaded"]
    assert rows["member"][0]["removed_at"] is not None
    assert any(r.get("subject") == f"Member {ANA.email} removed" for r in rows["deal_event"])
    assert record["deals"] == {"1": ana_left.deals.get_deal(1).name}
    assert SAM.email not in json.dumps(record)  # nobody else's rows (Sam took her deal over: named in a note)


def test_erasure_replaces_the_address_everywhere_with_one_pseudonym_and_records_it(ana_left):
    pseudonym, changed = erase_person(ana_left, ANA.email)
    assert pseudonym.endswith("@" + ERASED_DOMAIN) and ANA.email.split("@")[0] not in pseudonym
    assert {"member", "deal_event", "concession", "access_event"} <= set(changed)
    with pytest.raises(InvalidInput, match=f"holds nothing about {ANA.email}"):
        person_record(ana_left, ANA.email)  # no text column of any table names her any more
    line = next(c for c in ana_left.concessions.list_concessions(1) if c.item == "Extra seat")
    assert line.value_to_you == -4321  # the line stays, as the pseudonym's
    assert person_record(ana_left, pseudonym)["rows"]["concession"][0]["trigger"] == f"ask {pseudonym} first"
    history = ana_left.team_history()
    assert history["subject"].tolist()[0] == f"A former member's e-mail erased (now {pseudonym})"
    assert {m.email for m in ana_left.list_members()} >= {SAM.email, ADA.email}


def test_erasure_is_refused_for_a_member_and_for_an_address_the_cockpit_does_not_hold(ana_left):
    before = person_record(ana_left, SAM.email)
    with pytest.raises(InvalidInput, match=f"{SAM.email} is a member; remove them first"):
        erase_person(ana_left, SAM.email)
    after = person_record(ana_left, SAM.email)  # read once: the clock ticks between two reads
    assert {**after, "exported_at": None} == {**before, "exported_at": None}
    with pytest.raises(InvalidInput, match="holds nothing about nobody@elsewhere.com; nothing was changed"):
        erase_person(ana_left, "nobody@elsewhere.com")
    with pytest.raises(InvalidInput, match="E-mail: 'ana' is not an e-mail address"):
        erase_person(ana_left, "ana")


def test_the_command_exports_to_a_file_and_erases_only_when_told_it_cannot_be_undone(
    ana_left, tmp_path, capsys
):
    assert cli.main(["person", "export", ANA.email, "-o", str(tmp_path / "ana.json")]) == 0
    assert json.loads((tmp_path / "ana.json").read_text())["person"] == ANA.email
    capsys.readouterr()
    assert cli.main(["person", "erase", ANA.email]) == 2  # no terminal to ask, no --yes: nothing changes
    assert "add --yes" in capsys.readouterr().err
    assert cli.main(["person", "erase", ANA.email, "--yes"]) == 0
    said = capsys.readouterr().out
    assert f"{ANA.email} is now erased-" in said and "the erasure is in the team's history" in said
    assert cli.main(["person", "export", ANA.email]) == 2


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_only_the_tables_owner_erases_on_a_shared_database(ana_left, db_path, monkeypatch, capsys):
    from tests.conftest import APP_ROLE

    ana_left.grant(APP_ROLE)
    monkeypatch.setenv("COCKPIT_DB", db_path.as_role(APP_ROLE))  # an app server's login
    assert cli.main(["person", "erase", ANA.email, "--yes"]) == 2
    err = capsys.readouterr().err
    assert "only the tables' owner may change history" in err and "Traceback" not in err
    assert person_record(ana_left, ANA.email)["person"] == ANA.email  # nothing was changed

"""`cockpit export-concessions` and `cockpit import-concessions`."""

import pytest

from core import cli
from core.csvio import frame_to_csv
from core.demo import load_curated
from core.store import DatabaseUnreachable, Store
from core.store.concessions import Concessions


@pytest.fixture
def demo_db(db_path):
    store = Store.open(db_path)
    load_curated(store)
    store.close()
    return db_path


def counts(db_path):
    store = Store.open(db_path)
    try:
        return store.queries.table_counts()
    finally:
        store.close()


def test_export_one_deal_then_every_deal(demo_db, tmp_path):
    one, every = tmp_path / "one.csv", tmp_path / "all.csv"
    assert cli.main(["export-concessions", "--deal", "1", "-o", str(one)]) == 0
    assert cli.main(["export-concessions", "-o", str(every)]) == 0
    assert one.read_bytes().startswith(b'\xef\xbb\xbf"Item","You give","You get","Value to you"')
    assert one.read_bytes().count(b"\r\n") == 1 + 5
    assert every.read_bytes().count(b"\r\n") == 1 + counts(demo_db)["concession"]


def test_import_appends_the_lines(demo_db, tmp_path, capsys):
    log = tmp_path / "log.csv"
    cli.main(["export-concessions", "--deal", "1", "-o", str(log)])
    before = counts(demo_db)["concession"]
    assert cli.main(["import-concessions", str(log), "--deal", "1"]) == 0
    assert "imported 5 concession lines into deal 1" in capsys.readouterr().out
    assert counts(demo_db)["concession"] == before + 5


def test_the_decimal_comma_file_exports_and_imports_back_the_same_amounts(demo_db, tmp_path, capsys):
    log = tmp_path / "log.csv"
    assert cli.main(["export-concessions", "--deal", "1", "--decimal-comma", "-o", str(log)]) == 0
    assert log.read_bytes().startswith(b'\xef\xbb\xbf"Item";"You give";"You get";"Value to you"')
    store = Store.open(demo_db)
    before = [
        (c.value_to_you, c.value_to_them, c.new_position) for c in store.concessions.list_concessions(1)
    ]
    store.close()
    assert cli.main(["import-concessions", str(log), "--deal", "1"]) == 0
    store = Store.open(demo_db)
    after = [(c.value_to_you, c.value_to_them, c.new_position) for c in store.concessions.list_concessions(1)]
    store.close()
    assert sorted(after) == sorted(before * 2)


def test_a_file_with_one_bad_row_changes_nothing_and_exits_non_zero(demo_db, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("Item,You give,You get,Value to you,Value to them,Trigger/contingency\n"
                   "Pilot,30 days,Credit,-2000,6000,\n,x,,1,1,\n", encoding="utf-8")  # fmt: skip
    before = counts(demo_db)
    assert cli.main(["import-concessions", str(bad), "--deal", "1"]) == cli.EXIT_INVALID
    err = capsys.readouterr().err
    assert "nothing was changed" in err and "Row 3, Item: must not be empty" in err
    assert counts(demo_db) == before


def test_unknown_deal_and_missing_file_are_plain_errors(demo_db, tmp_path, capsys):
    assert cli.main(["export-concessions", "--deal", "99"]) == cli.EXIT_INVALID
    assert "There is no deal with id 99" in capsys.readouterr().err
    assert cli.main(["import-concessions", str(tmp_path / "nope.csv"), "--deal", "1"]) == cli.EXIT_INVALID
    assert "cannot read the file" in capsys.readouterr().err


@pytest.mark.parametrize("decimal_comma", [False, True], ids=["standard", "decimal comma"])
def test_every_deals_log_written_in_parts_is_the_same_file_as_written_whole(demo_db, tmp_path, monkeypatch,
                                                                             decimal_comma):  # fmt: skip
    monkeypatch.setattr(cli, "LOG_PART_LINES", 5)  # the demo deals in parts of about five lines
    (tmp_path / "out").mkdir()
    parted = tmp_path / "out" / "parted.csv"
    assert cli.main(["export-concessions", "-o", str(parted)] + ["--decimal-comma"] * decimal_comma) == 0
    store = Store.open(demo_db)
    whole = frame_to_csv(store.concessions.concession_log(), decimal_comma=decimal_comma)
    store.close()
    assert parted.read_bytes() == whole
    assert whole.count(b"\r\n") == 1 + counts(demo_db)["concession"]
    assert list(parted.parent.iterdir()) == [parted]  # nothing left beside it


def test_an_export_that_fails_part_way_leaves_no_file_and_keeps_the_old_one(
    demo_db, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(cli, "LOG_PART_LINES", 5)
    (tmp_path / "out").mkdir()
    log = tmp_path / "out" / "log.csv"
    log.write_bytes(b"yesterday's export")
    frames = Concessions._log_frame

    def stops(self, where, args, calls=[]):  # noqa: B006 - counts the parts read
        calls.append(1)
        if len(calls) == 3:
            raise DatabaseUnreachable("db", "db", "server closed the connection")
        return frames(self, where, args)

    monkeypatch.setattr(Concessions, "_log_frame", stops)
    assert cli.main(["export-concessions", "-o", str(log)]) == cli.EXIT_BUSY
    assert "cannot be reached just now" in capsys.readouterr().err
    assert log.read_bytes() == b"yesterday's export"  # not half a log
    assert list(log.parent.iterdir()) == [log]


def test_an_empty_log_exports_its_header(db_path, tmp_path):
    Store.open(db_path).close()
    log = tmp_path / "log.csv"
    assert cli.main(["export-concessions", "-o", str(log)]) == 0
    assert log.read_bytes().count(b"\r\n") == 1

"""`cockpit export-concessions` and `cockpit import-concessions`."""

import pytest

from core import cli
from core.demo import load_curated
from core.store import Store


@pytest.fixture
def demo_db(db_path):
    store = Store.open(db_path)
    load_curated(store)
    store.close()
    return db_path


def counts(db_path):
    store = Store.open(db_path)
    try:
        return store.table_counts()
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
    before = [(c.value_to_you, c.value_to_them, c.new_position) for c in store.list_concessions(1)]
    store.close()
    assert cli.main(["import-concessions", str(log), "--deal", "1"]) == 0
    store = Store.open(demo_db)
    after = [(c.value_to_you, c.value_to_them, c.new_position) for c in store.list_concessions(1)]
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

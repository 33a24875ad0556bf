"""`cockpit copy`: a whole cockpit between engines, all or nothing, counts printed and equal."""

import pandas as pd
import pytest

from core import cli
from core.store import Store
from core.store.copying import DERIVED, TABLES, copy_cockpit, table_counts
from tests.postgres import free_port


def test_every_table_the_migrations_make_is_copied(store):
    names = {r["table_name"] for r in store.cursor().rows(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}  # fmt: skip
    assert names - {"schema_migration"} == set(TABLES) | set(DERIVED)


def _tables(store: Store) -> dict[str, pd.DataFrame]:
    """Each table's rows in a stable order, as plain values: what "the same cockpit" means."""
    out = {}
    for table in TABLES:
        frame = store.cursor().df(f"SELECT * FROM {table}")
        frame = frame.sort_values(list(frame.columns[:3])).reset_index(drop=True)
        out[table] = frame.astype(object).where(frame.notna(), None)
    return out


def test_a_pilot_file_moves_to_postgresql_and_back_unchanged(curated_file, postgres, tmp_path):
    pilot = Store.open(curated_file)
    shared = Store.open(postgres.fresh())
    counts = copy_cockpit(pilot, shared)
    assert counts["deal"] == 12 and counts["concession"] == 50 and counts["deal_event"] > 0
    assert table_counts(shared) == counts == table_counts(pilot)
    back = Store.open(tmp_path / "back.duckdb")
    copy_cockpit(shared, back)
    before, after = _tables(pilot), _tables(back)
    for table in TABLES:
        pd.testing.assert_frame_equal(before[table], after[table], check_dtype=False, obj=table)
    # And the cockpit works on the copy: the same pipeline figures, and new ids continue after the old.
    assert shared.deal_files.export_deal(1) == pilot.deal_files.export_deal(1)
    new_deal = shared.deals.create_deal(
        pilot.deals.get_deal(1).model_copy(update={"id": None, "name": "Next"})
    )
    assert new_deal == 13


def test_a_copy_reads_each_table_in_parts_and_misses_or_repeats_no_row(demo_store, tmp_path, monkeypatch):
    from core.store import copying

    cur = demo_store.cursor()
    for table in TABLES:
        parts = list(copying.table_in_parts(cur, table, part_rows=7))
        whole = cur.df(f"SELECT * FROM {table}")
        assert sum(len(p) for p in parts) == len(whole), table
        if len(whole) > 7 and table != "member":
            assert len(parts) > 1, table
            key = copying.ROW_KEY.get(table, "id")
            # No key in two parts: the rows of one key value are read together.
            assert sum(p[key].nunique() for p in parts) == whole[key].nunique(), table
    monkeypatch.setattr(copying, "PART_ROWS", 7)
    target = Store.open(tmp_path / "copy.duckdb")
    assert copy_cockpit(demo_store, target) == table_counts(demo_store) == table_counts(target)
    before, after = _tables(demo_store), _tables(target)
    for table in TABLES:
        pd.testing.assert_frame_equal(before[table], after[table], check_dtype=False, obj=table)


def test_copying_into_a_cockpit_that_has_data_is_refused_and_changes_nothing(
    demo_store, postgres, monkeypatch, capsys
):
    target = postgres.fresh()
    monkeypatch.setenv("COCKPIT_DB", demo_store.location)
    assert cli.main(["copy", "--to", target]) == 0
    first = capsys.readouterr().out
    assert "deal                       12" in first and "the counts are equal on both sides" in first
    before = table_counts(Store.open(target))
    assert cli.main(["copy", "--to", target]) == 2
    err = capsys.readouterr().err
    assert "already holds" in err and "nothing was copied" in err and "Traceback" not in err
    assert table_counts(Store.open(target)) == before


def test_a_copy_that_fails_halfway_leaves_the_target_empty(demo_store, postgres, monkeypatch):
    from core.store.backends import PgCursor

    target = Store.open(postgres.fresh())
    real = PgCursor.bulk_insert

    def fails_on_concessions(self, table, frame):
        if table == "concession":
            raise OSError("disk full")
        real(self, table, frame)

    monkeypatch.setattr(PgCursor, "bulk_insert", fails_on_concessions)
    with pytest.raises(OSError):
        copy_cockpit(demo_store, target)
    assert set(table_counts(target).values()) == {0}


def test_copy_from_a_url_into_the_file(demo_store, postgres, tmp_path, monkeypatch, capsys):
    db_path = tmp_path / "pilot.duckdb"
    monkeypatch.setenv("COCKPIT_DB", str(db_path))
    source = postgres.fresh()
    copy_cockpit(demo_store, Store.open(source))
    assert cli.main(["copy", "--from", source]) == 0
    assert table_counts(Store.open(db_path)) == table_counts(demo_store)
    assert "copied" in capsys.readouterr().out


def test_copy_refuses_the_same_database_and_an_unreachable_server(db_path, capsys):
    assert cli.main(["copy", "--to", str(db_path)]) == 2
    assert "the source and the target are the same database" in capsys.readouterr().err
    nobody = f"postgresql://cockpit:secret@127.0.0.1:{free_port()}/cockpit"
    assert cli.main(["copy", "--to", nobody]) == 3
    err = capsys.readouterr().err
    assert "cannot be reached" in err and "secret" not in err and "Traceback" not in err

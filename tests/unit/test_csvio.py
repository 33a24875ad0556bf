"""Concession-log CSV: formula-safe export, exact round trip, and an import that refuses bad files whole."""

from datetime import datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.csvio import (
    FORMULA_TRIGGERS,
    LOG_COLUMNS,
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    frame_to_csv,
    neutralise,
    parse_concessions,
    read_rows,
    restore,
)
from core.models import Concession, InvalidInput

NOW = datetime(2026, 11, 25, 12, 0)
HEADER = "Item,You give,You get,Value to you,Value to them,Trigger/contingency"


LEADING_SPACES = [" ", "\n", "\u00a0", "\u3000", "\x0b", "\u2007"]  # stripped by spreadsheets, then read


@pytest.mark.parametrize("trigger", [*FORMULA_TRIGGERS, *LEADING_SPACES, "'"])
def test_a_cell_starting_with_a_trigger_is_neutralised_and_restored(trigger):
    text = f"{trigger}SUM(A1:A9)"
    assert neutralise(text) == "'" + text
    assert restore(neutralise(text)) == text


@pytest.mark.parametrize("text", ["Price", "15 % off", "a=b", "", "Ñúñez — 🙂", "x =not first"])
def test_harmless_text_is_left_alone(text):
    assert neutralise(text) == text and restore(text) == text


@pytest.mark.parametrize("trigger", [*FORMULA_TRIGGERS, *LEADING_SPACES])
def test_every_trigger_is_inert_in_the_exported_file(demo_store, trigger):
    payload = f"{trigger}cmd|' /C calc'!A0"
    frame = demo_store.concessions.concession_log(1).head(1).assign(Item=payload)
    rows = read_rows(frame_to_csv(frame).decode("utf-8"))
    assert rows[1][0] == "'" + payload  # what a spreadsheet sees: text behind a quote, never a formula


def test_export_header_bom_quoting_and_numbers(demo_store):
    data = frame_to_csv(demo_store.concessions.concession_log(1))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8")
    first_line = text.removeprefix("\ufeff").split("\r\n")[0]
    assert first_line == ",".join(f'"{c}"' for c in LOG_COLUMNS)
    assert first_line.startswith(
        '"Item","You give","You get","Value to you","Value to them","Trigger/contingency"'
    )
    second = text.split("\r\n")[2]  # the discount line: a negative value to us stays a bare number
    assert ',-8000,15000,"If budget is the blocker","Northwind — enterprise SaaS annual"' in second
    frame = pd.read_csv(pd.io.common.BytesIO(data), encoding="utf-8-sig")
    assert frame["Value to you"].dtype.kind in "if" and frame["Round"].dtype.kind == "i"
    assert frame["Value to you"].sum() == -13500


# Text a negotiator could type: any printable text, with the characters that break naive CSV code.
TRICKY = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60
) | st.sampled_from(["=1+1", "+33 6 12", "-5 %", "@SUM(A1)", "'quoted", "a,b", 'say "no"', "line\r\nbreak",
                     "\ttab", "Ñúñez 🙂 — ok", "''double"])  # fmt: skip


@given(item=TRICKY, give=TRICKY, get=TRICKY, trigger=TRICKY)
def test_export_import_export_reproduces_any_text(item, give, get, trigger):
    item = item if item.strip() else "x" + item  # an item is required; everything else may be anything
    frame = pd.DataFrame(
        [[item, give, get, -1234.5, 99.0, trigger, "Deal", "Counterparty", 2, None, None, False, NOW]],
        columns=LOG_COLUMNS,
    )
    first = frame_to_csv(frame)
    (line,) = parse_concessions(first, {}, NOW)
    # What comes back is exactly what the model stores for typed input (it trims surrounding whitespace).
    typed = Concession(item=item, you_give=give, you_get=get, trigger=trigger, logged_at=NOW)
    assert (line.item, line.you_give, line.you_get, line.trigger) == (
        typed.item,
        typed.you_give,
        typed.you_get,
        typed.trigger,
    )
    again = frame.assign(Item=line.item, **{"You give": line.you_give, "You get": line.you_get,
                                            "Trigger/contingency": line.trigger})  # fmt: skip
    second = parse_concessions(frame_to_csv(again), {}, NOW)
    assert second == [line]
    assert frame_to_csv(again) == frame_to_csv(again.assign(Item=second[0].item))


def test_round_trip_through_the_store_is_exact(demo_store):
    tricky = ['=HYPERLINK("http://x")', 'a, "quoted"\nnext line', "Ñúñez — 🙂", "'already quoted", "@@", "-"]
    for n, text in enumerate(tricky):
        demo_store.concessions.add_concession(
            2, Concession(item=f"x{n}", you_give=text, value_to_you=-1, logged_at=NOW + timedelta(minutes=n))
        )
    first = frame_to_csv(demo_store.concessions.concession_log(2))
    twin = demo_store.deal_files.import_deal(
        demo_store.deal_files.export_deal(2).model_copy(update={"concessions": []})
    ).deal_id
    demo_store.concessions.import_concessions(
        twin, parse_concessions(first, demo_store.preparation.issue_ids(twin), NOW)
    )
    assert frame_to_csv(demo_store.concessions.concession_log(twin)) == first
    assert [c.you_give for c in demo_store.concessions.list_concessions(twin)][-len(tricky) :] == tricky


def refused(data: bytes, issues=None) -> list[str]:
    with pytest.raises(InvalidInput) as exc:
        parse_concessions(data, issues or {}, NOW)
    return exc.value.problems


def test_a_file_that_is_not_utf8_is_refused():
    (msg,) = refused((HEADER + "\nCafé,a,b,1,2,\n").encode("latin-1"))
    assert msg.startswith("The file is not UTF-8 text") and "CSV UTF-8" in msg


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\n\n  \n"])
def test_an_empty_file_is_refused(data):
    assert refused(data)[0].startswith("The file is empty")


def test_a_header_without_rows_is_refused():
    assert refused(HEADER.encode()) == ["The file is empty: it has a header but no concessions."]


def test_a_missing_required_column_is_named():
    (msg,) = refused(b"Item,You give,Value to you,Value to them\nx,y,1,2\n")
    assert msg.startswith("Missing required column(s): You get, Trigger/contingency.")


def test_a_column_twice_is_refused():
    assert refused((HEADER + ",Item\nx,,,,,,y\n").encode()) == ["Column(s) appear twice in the header: Item."]


def test_more_than_100000_rows_is_refused():
    data = (HEADER + "\r\n" + "x,,,0,0,\r\n" * (MAX_ROWS + 1)).encode()
    assert refused(data) == ["The file has more than 100,000 rows; the limit is 100,000."]


def test_exactly_100000_rows_is_accepted():
    data = (HEADER + "\r\n" + "x,,,0,0,\r\n" * MAX_ROWS).encode()
    assert len(parse_concessions(data, {}, NOW)) == MAX_ROWS


def test_more_than_20_mb_is_refused_before_reading():
    (msg,) = refused(b"x" * (MAX_BYTES + 1))
    assert msg == "The file is 20.0 MB; the limit is 20 MB."


def test_every_bad_row_is_named_with_its_column_and_nothing_is_returned():
    data = (
        (
            HEADER + ",Round,Linked issue,Final offer,Logged at\r\n"
            "Pilot,30-day pilot,Paid,-2000,6000,,2,Pilot length,no,2026-11-20 10:00:00\r\n"  # row 2: fine
            ",a,b,abc,1,,two,,maybe,yesterday\r\n"  # row 3: five problems
            'Price,a,b,"12,000",1,,1,Unknown issue,,\r\n'  # row 4: thousands are fine, the issue is not
            "Too,few,cells\r\n"  # row 5
        ).encode()
    )
    assert refused(data, {"Pilot length": 7}) == [
        "Row 3, Value to you: 'abc' is not a number written as this file writes them (1500.5 or 1,500.50)",
        "Row 3, Round: 'two' is not a whole number",
        "Row 3, Final offer: 'maybe' must be yes or no",
        "Row 3, Logged at: 'yesterday' is not a date and time (YYYY-MM-DD HH:MM:SS)",
        "Row 3, Item: must not be empty",
        "Row 4, Linked issue: 'Unknown issue' is not an issue of this deal (issues: Pilot length)",
        "Row 5: has 3 cells but the header has 10",
    ]


def test_only_the_first_20_problems_are_listed():
    data = (HEADER + "\r\n" + ",gave something,,,,\r\n" * 30).encode()
    problems = refused(data)
    assert len(problems) == 21
    assert (
        problems[0] == "Row 2, Item: must not be empty" and problems[19] == "Row 21, Item: must not be empty"
    )
    assert problems[20] == "… and 10 more problems. Nothing was imported."


def test_a_good_file_reads_every_column():
    data = (
        "\ufeff" + HEADER + ",Round,Linked issue,New position,Final offer,Logged at\r\n"
        '\'=Pilot,"30-day, paid",Credit,"-1,500.50",6000,If signed,3,pilot length,30,yes,2026-11-20 10:00:00\r\n'
    ).encode()
    (c,) = parse_concessions(data, {"Pilot length": 7}, NOW)
    assert (c.item, c.you_give, c.value_to_you, c.round, c.issue_id, c.new_position, c.final_offer) == (
        "=Pilot", "30-day, paid", -1500.5, 3, 7, 30, True)  # fmt: skip
    assert c.logged_at == datetime(2026, 11, 20, 10, 0)


# ---- what the importer reads, and what it refuses plainly -------------------------------------------------
HEADER = "Item,You give,You get,Value to you,Value to them,Trigger/contingency"


def test_headers_match_whatever_their_case_and_spacing():
    data = (b"item, YOU GIVE ,you  get,Value To You,value to them,TRIGGER/CONTINGENCY,  logged AT\n"
            b"Pilot,30 days,Paid,-500,800,,2026-11-20 10:00:00\n")  # fmt: skip
    (line,) = parse_concessions(data, {}, NOW)
    assert (line.item, line.you_give, line.value_to_you, line.logged_at) == (
        "Pilot",
        "30 days",
        -500,
        datetime(2026, 11, 20, 10),
    )


def test_times_with_a_zone_are_stored_in_utc_beside_plain_times():
    data = (
        HEADER + ",Logged at\nA,x,y,0,0,,2026-11-20T10:00:00+05:00\nB,x,y,0,0,,2026-11-20 06:00:00\n"
    ).encode()
    lines = parse_concessions(data, {}, NOW)
    assert [c.logged_at for c in lines] == [datetime(2026, 11, 20, 5), datetime(2026, 11, 20, 6)]
    assert all(c.logged_at.tzinfo is None for c in lines)


def test_a_semicolon_separated_file_reads_its_decimal_commas():
    data = (
        b"Item;You give;You get;Value to you;Value to them;Trigger/contingency;New position\n"
        b'A;x;y;-1,5;"1.250,50";;1.900\nB;"a; b";y;-6.000;0;;\n'
    )
    lines = parse_concessions(data, {}, NOW)
    assert [(c.item, c.you_give, c.value_to_you, c.value_to_them, c.new_position) for c in lines] == [
        ("A", "x", -1.5, 1250.5, 1900.0),
        ("B", "a; b", -6000.0, 0.0, None),
    ]


@pytest.mark.parametrize(("cell", "decimal_comma"), [("1.5.0", False), ("1,5", False), ("1,5,0", True), ("1.50", True),
                                                     ("12k", False), ("inf", False), ("1.2e3", True)])  # fmt: skip
def test_a_number_not_written_as_the_file_writes_them_is_refused_not_guessed(cell, decimal_comma):
    sep = ";" if decimal_comma else ","
    data = (sep.join(["Item", "You give", "You get", "Value to you", "Value to them", "Trigger/contingency"])
            + f'\nA{sep}x{sep}y{sep}"{cell}"{sep}0{sep}\n').encode()  # fmt: skip
    (problem,) = refused(data)
    assert problem.startswith(
        f"Row 2, Value to you: '{cell}' is not a number written as this file writes them"
    )


def test_a_decimal_comma_deals_file_round_trips_every_amount(demo_store):
    from core.formatting import number_convention

    demo_store.deals.update_deal(demo_store.deals.get_deal(1).model_copy(update={"decimal_comma": True}))
    for n, amount in enumerate((-1234.5, 0.125, 1_000_000.75, -6000.0)):
        demo_store.concessions.add_concession(1, Concession(item=f"Odd {n}", you_give="x", value_to_you=amount,
                                                value_to_them=-amount / 3, logged_at=NOW))  # fmt: skip
    log = demo_store.concessions.concession_log(1)
    with number_convention(True):
        data = frame_to_csv(log, decimal_comma=True)
    header, first = data.decode("utf-8-sig").split("\r\n")[:2]
    assert header.startswith(
        '"Item";"You give";"You get";"Value to you";"Value to them";"Trigger/contingency"'
    )
    back = parse_concessions(data, demo_store.preparation.issue_ids(1), NOW)
    stored = demo_store.concessions.list_concessions(1)
    assert [(c.item, c.value_to_you, c.value_to_them, c.new_position) for c in back] == [
        (c.item, c.value_to_you, c.value_to_them, c.new_position) for c in stored
    ]


def test_a_cell_longer_than_its_field_names_the_row_and_column():
    data = (HEADER + "\nA,x,y,0,0,\nB," + "g" * 200_000 + ",y,0,0,\n").encode()
    with pytest.raises(InvalidInput) as refused:
        parse_concessions(data, {}, NOW)
    assert refused.value.problems == ["Row 3, You give: is too long (at most 5000 characters)"]


def test_the_size_limit_is_checked_before_the_file_is_read(tmp_path, monkeypatch, capsys, db_path):
    from pathlib import Path

    from core import cli, csvio

    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.truncate(csvio.MAX_BYTES + 1)  # sparse: the size is there, the bytes never need reading
    monkeypatch.setattr(
        Path, "read_bytes", lambda self: pytest.fail(f"{self} was read before its size was checked")
    )
    assert cli.main(["import-concessions", str(big), "--deal", "1"]) == cli.EXIT_INVALID
    assert "the limit is 20 MB" in capsys.readouterr().err


@pytest.mark.parametrize("start", ["＝", "＋", "－", "＠", "﹦", "﹢", "﹣"])
def test_full_width_formula_starters_are_neutralised_and_round_trip(start):
    cell = f'{start}HYPERLINK("http://evil.example")'
    assert neutralise(cell) == "'" + cell and restore(neutralise(cell)) == cell


def test_a_row_wider_than_the_column_limit_is_refused_as_it_is_read():
    wide = HEADER + "," + ",".join(f"extra {n}" for n in range(200_000))
    assert refused((wide + "\r\nx,,,0,0,\r\n").encode()) == [
        f"Row 1: has {200_006:,} cells; the limit is {MAX_COLUMNS} columns."
    ]


def test_millions_of_short_rows_or_blank_lines_are_refused_once_past_the_limit():
    data = (HEADER + "\n" + "1\n" * 5_000_000).encode()  # 10 MB of one-cell rows
    assert refused(data) == ["The file has more than 100,000 rows; the limit is 100,000."]
    blank = (HEADER + "\n" + ",\n" * 3_000_000 + "x,,,0,0,\n").encode()
    assert refused(blank) == ["The file has more than 100,000 rows; the limit is 100,000."]


@pytest.mark.parametrize(
    ("logged", "says"),
    [
        ("9999-12-31T23:59:59-05:00", "9999-12-31T23:59:59-05:00 is not a time the cockpit can keep"),
        ("0001-01-01T00:00:00+05:00", "0001-01-01T00:00:00+05:00 is not a time the cockpit can keep"),
        ("9999-12-31 10:00:00", "9999-12-31 is not a date the cockpit keeps (years 1900 to 2199)"),
    ],
)
def test_a_time_nobody_means_is_refused_naming_the_row_and_column(logged, says):
    data = f"{HEADER},Logged at\r\nx,,,0,0,,{logged}\r\n".encode()
    assert refused(data) == [f"Row 2, Logged at: {says}"]

"""The formula-safe CSV writer."""

import pytest

from core.csvio import FORMULA_TRIGGERS, neutralise, read_rows, restore, write_csv


@pytest.mark.parametrize("trigger", [*FORMULA_TRIGGERS, "'"])
def test_a_text_cell_starting_with_a_trigger_is_neutralised_and_restored(trigger):
    text = f"{trigger}SUM(A1:A9)"
    assert neutralise(text) == "'" + text
    assert restore(neutralise(text)) == text


@pytest.mark.parametrize("text", ["Price", "15 % off", "a=b", "", "Ñúñez — 🙂"])
def test_harmless_text_is_left_alone(text):
    assert neutralise(text) == text and restore(text) == text


def test_text_is_quoted_and_numbers_stay_bare():
    text = write_csv(["Item", "Value"], [['=HYPERLINK("x")', -8000], ['a, "b"\nc', 1.5], [None, True]])
    assert text.startswith("\ufeff")
    assert text.removeprefix("\ufeff").split("\r\n") == [
        '"Item","Value"',
        '"\'=HYPERLINK(""x"")",-8000',
        '"a, ""b""\nc",1.5',
        '"","yes"',
        "",
    ]
    assert read_rows(text)[1] == ['\'=HYPERLINK("x")', "-8000"]

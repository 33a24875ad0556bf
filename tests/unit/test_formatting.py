"""How user text is made literal in markdown, and how amounts are written."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.formatting import fmt_amount, md, signed, signed_money


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("**B**", r"\*\*B\*\*"),
        ("![i](http://evil.example/I.png)", "!\\[i\\](http:\u200b//evil.example/I.png)"),
        ("[L](javascript:alert(1))", r"\[L\](javascript\:alert(1))"),
        (":red[alarm]", r"\:red\[alarm\]"),
        (":material/warning: careful", r"\:material/warning: careful"),
        ("<b>bold</b> & &amp;", r"\<b\>bold\</b\> \& \&amp;"),
        ("- a list", r"\- a list"),
        ("1. a numbered list", r"1\. a numbered list"),
        ("# heading", r"\# heading"),
        ("www.evil.example", "www\u200b.evil.example"),
        ("ana@evil.example", "ana@\u200bevil.example"),
        ("line\nbreak", "line break"),
        ("Price: 95 against 100. Face-saving (20 %)", "Price: 95 against 100. Face-saving (20 %)"),
    ],
)
def test_user_text_is_written_so_markdown_shows_it_as_typed(typed, written):
    assert md(typed) == written


@given(st.text(max_size=80))
def test_no_markup_character_survives_unescaped(text):
    out = md(text)
    unescaped = re.sub(r"\\.", "", out)  # drop every escaped pair
    assert not re.search(r"[*_`\[\]<>#|~$&\\]", unescaped)
    assert not re.search(r"(?i)https?://|www\.|@[^\u200b]", out.replace("\\", ""))
    assert "\n" not in out


def test_amounts_read_the_same_everywhere():
    assert fmt_amount(120000) == "120,000" and fmt_amount(0.5) == "0.50" and fmt_amount(None) == "—"
    assert signed_money(-18500, "EUR") == "−18,500 EUR" and signed_money(2500) == "+2,500"
    assert signed(-36) == "−36" and signed(0) == "0"


# ---- amounts as people type them -------------------------------------------------------------------------
from core.formatting import AmountNotUnderstood, amount_text, parse_amount  # noqa: E402


@pytest.mark.parametrize(
    ("typed", "comma", "value"),
    [("15k", False, 15000), ("1.5m", False, 1_500_000), ("15,000", False, 15000), ("15 000", False, 15000),
     ("-8k", False, -8000), ("−2,500.50", False, -2500.5), ("€12k", False, 12000), ("1.1k", False, 1100),
     ("0.125", False, 0.125), ("1,234,567.89", False, 1234567.89), ("15.000,50", True, 15000.5),
     ("15,5", True, 15.5), ("-1.500.000", True, -1_500_000), ("", False, None), ("  ", True, None)],
)  # fmt: skip
def test_amounts_are_read_as_people_type_them(typed, comma, value):
    assert parse_amount(typed, comma) == value


@pytest.mark.parametrize(
    ("typed", "comma", "said"),
    [("-15.000", False, "'-15.000' — did you mean -15,000 or -15? write -15000"),
     ("15.000", False, "did you mean 15,000 or 15?"), ("15,5", False, "did you mean 15.5? write 15.5"),
     ("15,000", True, "did you mean 15.000 or 15?"), ("1.500.000", False, "did you mean 1500000?"),
     ("1.234.567,89", False, "did you mean 1234567.89? write 1234567.89"),
     ("1,234,567.89", True, "did you mean 1234567,89? write 1234567,89"), ("1.2.3", False, "more than once"),
     ("9" * 400, False, "has 400 digits: too large to be an amount"),
     ("abc", False, "is not an amount"), ("1e5", False, "is not an amount"), ("12,34,567", False, "groups of three")],
)  # fmt: skip
def test_an_amount_that_could_be_read_two_ways_is_refused_saying_what_was_understood(typed, comma, said):
    with pytest.raises(AmountNotUnderstood, match=re.escape(said)):
        parse_amount(typed, comma)


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False, allow_infinity=False),
    st.booleans(),
)
def test_every_amount_written_back_in_the_deals_convention_reads_as_itself(value, comma):
    x = float(value)
    assert parse_amount(amount_text(x, comma), comma) == x


@given(st.text(alphabet="0123456789.,-k m€ ", max_size=12), st.booleans())
def test_anything_accepted_round_trips_through_formatting(text, comma):
    try:
        x = parse_amount(text, comma)
    except AmountNotUnderstood:
        return
    if x is not None:
        assert parse_amount(amount_text(x, comma, digits=6), comma) == pytest.approx(x, abs=1e-6)


@given(st.text(alphabet="0123456789.,-k ", max_size=14), st.booleans())
def test_a_refusal_offers_only_what_the_other_convention_reads(text, comma):
    """'write X' in a refusal is typed as offered by someone in a hurry: X must be accepted in this deal and
    mean what the other convention (decimal point against decimal comma) reads in the text."""
    try:
        parse_amount(text, comma)
        return
    except AmountNotUnderstood as refused:
        said = str(refused)
    offered = re.search(r"write (\S+?)(?: for |$)", said)
    if offered is None:
        return
    ours = parse_amount(offered.group(1), comma)
    try:
        theirs = parse_amount(text, not comma)
    except AmountNotUnderstood:
        return
    assert ours == pytest.approx(theirs), said


def test_picker_labels_that_repeat_carry_their_id_and_the_rest_stay_as_they_are():
    from core.formatting import distinct_labels

    labels = {None: "—", 4: "Kessler · Kessler AG", 13: "Kessler · Kessler AG", 7: "Helios · Helios"}
    assert distinct_labels(labels) == {
        None: "—",
        4: "Kessler · Kessler AG · #4",
        13: "Kessler · Kessler AG · #13",
        7: "Helios · Helios",
    }
    assert len(set(distinct_labels(labels).values())) == len(labels)

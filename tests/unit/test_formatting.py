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

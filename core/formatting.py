"""How figures and user text are written on screen and in messages. Streamlit-free, so core rules,
the CLI and the screens all write a number the same way."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from .settings import settings

# The number convention figures are written in: the deal's (decimal point or decimal comma), set once per
# run by the screen that shows the deal, so every figure a core rule writes into a sentence ("balance now
# −25.700 EUR", "Our ceiling on Rate is 1.900 EUR") reads the way the deal's negotiators read numbers.
_DECIMAL_COMMA: ContextVar[bool] = ContextVar("decimal_comma", default=False)
_SWAP = str.maketrans(",.", ".,")


def use_number_convention(decimal_comma: bool) -> None:
    """Figures written from here on (in this run, this thread) follow `decimal_comma`."""
    _DECIMAL_COMMA.set(bool(decimal_comma))


def decimal_comma_in_use() -> bool:
    return _DECIMAL_COMMA.get()


def organisation_decimal_comma(environ: Mapping[str, str] | None = None) -> bool:
    """The organisation's convention for what belongs to no deal (the Library, the Pipeline, a new deal's
    first choice): COCKPIT_DECIMAL_COMMA=1 for 15.000,50, unset or 0 for 15,000.50."""
    return settings(environ).decimal_comma


@contextmanager
def number_convention(decimal_comma: bool) -> Iterator[None]:
    """Within the block, figures are written in `decimal_comma`'s convention."""
    token = _DECIMAL_COMMA.set(bool(decimal_comma))
    try:
        yield
    finally:
        _DECIMAL_COMMA.reset(token)


def _local(text: str) -> str:
    """'1,234.5' as the convention in use writes it ('1.234,5' with a decimal comma)."""
    return text.translate(_SWAP) if _DECIMAL_COMMA.get() else text


def fmt_amount(x: float | None) -> str:
    """120000 -> '120,000' (or '120.000'); 0.5 -> '0.50' (or '0,50'). For messages and labels."""
    if x is None:
        return "—"
    return _local(f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}")


def money(x: float | None, currency: str = "") -> str:
    return f"{fmt_amount(x)} {currency}".strip() if x is not None else "—"


def signed_money(x: float, currency: str = "") -> str:
    """-18500 -> '−18,500 EUR', 2500 -> '+2,500 EUR' (a true minus sign reads better across a table)."""
    sign = "−" if x < 0 else "+" if x > 0 else ""
    return f"{sign}{fmt_amount(abs(x))} {currency}".strip()


def signed(x: float, digits: int = 0) -> str:
    """+14 / −36 / 0, with a true minus sign."""
    text = _local(f"{abs(x):,.{digits}f}")
    return ("−" if x < 0 else "+" if x > 0 else "") + text


# What can start markup anywhere in a line: emphasis, code, links and images ([ ]), raw HTML and
# autolinks (< >), headings, tables, strike-through, maths, character references.
def count(n: int) -> str:
    """1200 -> '1,200' (or '1.200'): a count written in the convention in use."""
    return _local(f"{n:,}")


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """'1 line', '2 lines', '1,200 lines' (or '1.200 lines')."""
    return f"{_local(f'{n:,}')} {noun if n == 1 else nouns or noun + 's'}"


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]<>#|~$&])")
_DIRECTIVE = re.compile(r":(?=[A-Za-z])")  # :red[...], :smile:, :material/icon:
_LIST_MARKER = re.compile(r"^(\s*)([-+]|\d+)([.)]?)(?=\s)")  # a line that would start a list
# Streamlit's renderer turns an address in plain text into a live link even when every markdown
# character is escaped (it links text, not syntax). A zero-width space after "http:", "www" and "@"
# keeps the text as it reads while no longer matching an address.
_ADDRESS = re.compile(r"(?i)(https?:|ftp:|mailto:|www(?=\.)|@)")
_ZERO_WIDTH = "\u200b"


def md(text: str) -> str:
    """User text (or a URL's) made literal inside markdown: no emphasis, no link, no image, no
    auto-linked address, no list, no colour directive or icon. Names and notes are typed by users.
    Punctuation that is only text in the middle of a line (a dot, a colon before a space, a hyphen)
    is left as it is, so messages read normally."""
    unlinked = _ADDRESS.sub(lambda m: m.group(0) + _ZERO_WIDTH, str(text).replace("\n", " "))
    escaped = _DIRECTIVE.sub(r"\\:", _MARKDOWN_SPECIALS.sub(r"\\\1", unlinked))
    return _LIST_MARKER.sub(_escape_marker, escaped)


def _escape_marker(m: re.Match) -> str:
    indent, marker, punct = m.groups()
    if marker.isdigit():  # "1." or "1)" starts a numbered list; a bare number does not
        return indent + marker + ("\\" + punct if punct else "")
    return indent + "\\" + marker + punct


# ---- amounts as people type them ------------------------------------------------------------------------
_SUFFIXES = {"k": 1000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000}
_AMOUNT = re.compile(r"^(?P<sign>[-+−]?)\s*[€$£]?\s*(?P<number>[\d.,' \u00a0\u202f]*\d[\d.,]*)\s*(?P<suffix>k|m|mn|bn)?$",
                     re.IGNORECASE)  # fmt: skip


class AmountNotUnderstood(ValueError):
    """An amount that could be read two ways, or not at all: the message says what was understood."""


def parse_amount(text: str, decimal_comma: bool = False) -> float | None:
    """An amount as a negotiator types it, or AmountNotUnderstood — never a silent misreading.

    Accepts 15000, 15,000, 15 000, 15k, 1.5m, -8k, −2,500.50, €12k; with `decimal_comma` (the deal's
    locale) 15.000,50 and 15,5. Refuses what could mean two things: '15.000' (fifteen thousand or
    fifteen?) in a decimal-point deal, '15,000' in a decimal-comma deal, '15,5' where ',' groups thousands.
    Empty text is None (not typed)."""
    raw = text.strip()
    if not raw:
        return None
    m = _AMOUNT.match(raw)
    if not m:
        raise AmountNotUnderstood(f"'{raw}' is not an amount; write digits, e.g. 15000, 15k or -2500")
    digits = re.sub(r"[ '\u00a0\u202f]", "", m.group("number"))
    group, decimal = (".", ",") if decimal_comma else (",", ".")
    sign = "-" if m.group("sign") in ("-", "−") else ""
    if digits.count(decimal) > 1:  # 1.500.000 in a decimal-point deal: thousands the other way round
        # Read in the other convention ('1.234.567,89' is 1234567.89 there); offered only if it reads cleanly.
        other_whole, _, other_fraction = digits.partition(group)
        groups = other_whole.split(decimal)
        if (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]) and "".join(groups).isdigit()
                and (not other_fraction or other_fraction.isdigit())):  # fmt: skip
            plain = f"{sign}{''.join(groups)}{decimal + other_fraction if other_fraction else ''}{m.group('suffix') or ''}"
            raise AmountNotUnderstood(f"'{raw}' — '{decimal}' marks decimals in this deal; did you mean {plain}? "
                                      f"write {plain}")  # fmt: skip
        raise AmountNotUnderstood(f"'{raw}' is not an amount: '{decimal}' marks decimals in this deal and appears "
                                  "more than once")  # fmt: skip
    whole, _, fraction = digits.partition(decimal)
    if group in fraction:
        raise AmountNotUnderstood(f"'{raw}' is not an amount: '{group}' after the decimal mark")
    if group in whole:
        parts = whole.split(group)
        if not (1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])) or fraction:
            # 15,5 where ',' groups thousands: a decimal the other way
            if len(parts) == 2 and parts[0] and not fraction:
                guess = f"{sign}{parts[0]}{decimal}{parts[1]}{m.group('suffix') or ''}"
                raise AmountNotUnderstood(f"'{raw}' — '{group}' groups thousands in this deal; did you mean "
                                          f"{guess}? write {guess}")  # fmt: skip
            if not fraction:
                raise AmountNotUnderstood(
                    f"'{raw}' is not an amount: '{group}' must sit between groups of three"
                )
        whole = "".join(parts)
    if not whole.isdigit() or (fraction and not fraction.isdigit()):
        raise AmountNotUnderstood(f"'{raw}' is not an amount; write digits, e.g. 15000, 15k or -2500")
    # One decimal mark followed by exactly three digits reads as thousands in the other convention.
    if (
        len(fraction) == 3
        and 1 <= len(whole) <= 3
        and whole != "0"
        and group not in digits
        and not m.group("suffix")
    ):
        thousands, small = int(whole + fraction), float(f"{whole}.{fraction}")
        raise AmountNotUnderstood(
            f"'{raw}' — did you mean {sign}{amount_text(thousands, decimal_comma)} or "
            f"{sign}{amount_text(small, decimal_comma, 3)}? write {sign}{thousands} for "
            f"{sign}{amount_text(thousands, decimal_comma)}"
        )
    # Decimal, so 1.1k is 1100 exactly and 0.125 stays 0.125: nothing typed is rounded away.
    value = Decimal(f"{whole}.{fraction}" if fraction else whole)
    if m.group("suffix"):
        value *= Decimal(_SUFFIXES[m.group("suffix").lower()])
    if not math.isfinite(float(value)):  # hundreds of digits: no amount in any deal, and no float either
        raise AmountNotUnderstood(f"'{raw[:20]}…' has {len(whole)} digits: too large to be an amount")
    return -float(value) if sign and value else float(value)


def amount_text(x: float, decimal_comma: bool | None = None, digits: int = 2) -> str:
    """How an amount is written back in the deal's convention (None: the one in use): -15000.5 ->
    '-15,000.50' or '-15.000,50'. What a screen writes into an input, its parser reads back unchanged."""
    text = (
        f"{x:,.0f}"
        if float(x).is_integer()
        else f"{x:,.{digits}f}".rstrip("0")
        if digits > 2
        else f"{x:,.2f}"
    )
    comma = _DECIMAL_COMMA.get() if decimal_comma is None else decimal_comma
    return text.translate(_SWAP) if comma else text


def typed_amount(x: float | None) -> str:
    """An amount as an input box is prefilled with: in the convention in use, without losing a digit
    (0.125 stays 0.125), so saving the form unchanged stores the same value."""
    if x is None:
        return ""
    exact = f"{x:,.6f}".rstrip("0").rstrip(".")
    whole, _, fraction = exact.partition(".")
    if len(fraction) == 3:  # '1.125' could be read as 1125: '1.1250' cannot
        exact += "0"
    return _local(exact)


def amount_example(decimal_comma: bool | None = None, negative: bool = False) -> str:
    """A placeholder that the parser reads in the convention: 'e.g. -2.5k' or 'e.g. -2,5k'."""
    comma = _DECIMAL_COMMA.get() if decimal_comma is None else decimal_comma
    text = ("-" if negative else "") + ("2,5k" if comma else "2.5k")
    return f"e.g. {text}"


def distinct_labels(labels: Mapping[Any, str]) -> dict[Any, str]:
    """A picker's labels by id, each one different: Streamlit maps a picked label back to its option by
    the text, so two deals imported from one file (or two issues named alike) would both open the first.
    A label that repeats carries its id."""
    seen = Counter(labels.values())
    return {
        key: f"{label} · #{key}" if seen[label] > 1 and key is not None else label
        for key, label in labels.items()
    }

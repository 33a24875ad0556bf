"""How figures and user text are written on screen and in messages. Streamlit-free, so core rules,
the CLI and the screens all write a number the same way."""

from __future__ import annotations

import re


def fmt_amount(x: float | None) -> str:
    """120000 -> '120,000'; 0.5 -> '0.5'. For messages and labels."""
    if x is None:
        return "—"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def money(x: float | None, currency: str = "") -> str:
    return f"{fmt_amount(x)} {currency}".strip() if x is not None else "—"


def signed_money(x: float, currency: str = "") -> str:
    """-18500 -> '−18,500 EUR', 2500 -> '+2,500 EUR' (a true minus sign reads better across a table)."""
    sign = "−" if x < 0 else "+" if x > 0 else ""
    return f"{sign}{fmt_amount(abs(x))} {currency}".strip()


def signed(x: float, digits: int = 0) -> str:
    """+14 / −36 / 0, with a true minus sign."""
    text = f"{abs(x):,.{digits}f}"
    return ("−" if x < 0 else "+" if x > 0 else "") + text


# What can start markup anywhere in a line: emphasis, code, links and images ([ ]), raw HTML and
# autolinks (< >), headings, tables, strike-through, maths, character references.
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

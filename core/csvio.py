"""CSV that opens cleanly in Excel, LibreOffice and pandas, and never runs as a formula.

Per OWASP's CSV-injection guidance, a text cell that starts with a formula trigger (= + - @ tab CR)
is prefixed with a single quote, and every text cell is quoted (RFC 4180). A text cell that itself
starts with a quote is prefixed too, so reading strips exactly one quote and the text round-trips.
Numbers are written unquoted and unprefixed so they stay numbers (a negative value is not a formula).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
BOM = "\ufeff"


def neutralise(text: str) -> str:
    """Make a text cell inert in a spreadsheet."""
    if text.startswith(FORMULA_TRIGGERS) or text.startswith(ESCAPE):
        return ESCAPE + text
    return text


def restore(text: str) -> str:
    """Undo `neutralise` when reading a file we (or a spreadsheet saving it back) wrote."""
    return text[1:] if text.startswith(ESCAPE) else text


class _Number(float):
    """Marks a cell to be written as a bare number."""


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        return _Number(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def _number_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]], bom: bool = True) -> str:
    """The whole file as text: header, then rows; text quoted and neutralised, numbers bare."""
    out = io.StringIO()
    if bom:
        out.write(BOM)
    out.write(",".join(_quote(neutralise(h)) for h in header) + "\r\n")
    for row in rows:
        cells = []
        for value in row:
            c = _cell(value)
            cells.append(_number_text(c) if isinstance(c, _Number) else _quote(c))
        out.write(",".join(cells) + "\r\n")
    return out.getvalue()


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def read_rows(text: str) -> list[list[str]]:
    """Parse RFC 4180 text (BOM tolerated) into rows of raw cells."""
    return list(csv.reader(io.StringIO(text.removeprefix(BOM), newline="")))

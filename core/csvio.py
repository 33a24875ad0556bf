"""CSV that opens cleanly in Excel, LibreOffice and pandas, never runs as a formula, and reads back exactly.

Per OWASP's CSV-injection guidance, a text cell that starts with a formula trigger (= + - @ tab CR)
is prefixed with a single quote, and every text cell is quoted (RFC 4180). A text cell that itself
starts with a quote is prefixed too, so reading strips exactly one quote and any text round-trips.
Numbers are written bare so they stay numbers (a negative number is a number, not a formula).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from pydantic import ValidationError

from .library import KIND_WORDS
from .models import (
    Concession,
    Context,
    InvalidInput,
    LibraryItem,
    describe_errors,
    field_label,
    stored_moment,
    validate,
    word,
)

# OWASP's formula starters, plus their full-width and small forms: a spreadsheet that folds them to
# ASCII (some do, under East Asian input settings) would run them too, and a quote costs nothing.
# Any leading white space too (a space, a line feed, a no-break space): spreadsheets strip it first and
# then read what follows, so " =1+1" would run as well.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠", "﹦", "﹢", "﹣", "﹫")
ESCAPE = "'"
BOM = "\ufeff"
_NEEDS_ESCAPE = re.compile("^[" + re.escape("".join(FORMULA_TRIGGERS) + ESCAPE) + "]|^\\s")

# The concession log's columns: the first six are the contract other tools rely on.
CONTRACT_FIELDS = ["item", "you_give", "you_get", "value_to_you", "value_to_them", "trigger"]
REQUIRED_COLUMNS = [field_label(f) for f in CONTRACT_FIELDS]
EXTRA_COLUMNS = ["Deal", "Counterparty", *(field_label(f) for f in ("round", "issue_id", "new_position", "final_offer",
                                                                      "logged_at"))]  # fmt: skip
LOG_COLUMNS = REQUIRED_COLUMNS + EXTRA_COLUMNS
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 200  # the widest file the cockpit writes has 13; a spreadsheet's stray columns fit too
MAX_REPORTED = 20
_THOUSANDS = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")  # 12,000 or -1,234.50 as a spreadsheet shows them
_PLAIN_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")  # as the standard file writes numbers
_COMMA_NUMBER = re.compile(r"-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?")  # 1500,5 or -1.234,50


def neutralise(text: str) -> str:
    """Make a text cell inert in a spreadsheet."""
    return ESCAPE + text if _NEEDS_ESCAPE.match(text) else text


def restore(text: str) -> str:
    """Undo `neutralise` for a cell read back from a file."""
    return text[1:] if text.startswith(ESCAPE) else text


def frame_to_csv(frame: pd.DataFrame, bom: bool = True, decimal_comma: bool = False) -> bytes:
    """The whole table as UTF-8 CSV (with a byte-order mark so Excel reads accents).

    Numeric columns are written bare; every other column as neutralised, quoted text (booleans as
    yes/no, timestamps to the second). Arrow's writer quotes all text and is fast enough for 500,000 lines.
    With `decimal_comma`, the file is the one a decimal-comma deal's spreadsheets open as they are: ';'
    between cells and ',' before decimals (1500,5), as Excel saves CSV in most of Europe.
    """
    out = {}
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_bool_dtype(s):
            out[col] = s.map({True: "yes", False: "no"}).astype(str)
        elif pd.api.types.is_numeric_dtype(s):
            out[col] = s.map(_comma_number, na_action="ignore") if decimal_comma else s
        else:
            if pd.api.types.is_datetime64_any_dtype(s):
                s = s.dt.strftime("%Y-%m-%d %H:%M:%S")
            text = s.astype(object).where(s.notna(), "").astype(str)
            out[col] = text.where(~text.str.match(_NEEDS_ESCAPE), ESCAPE + text)
    if decimal_comma:
        return (BOM.encode() if bom else b"") + _semicolon_csv(frame, out).encode("utf-8")
    table = pa.Table.from_pandas(pd.DataFrame(out, index=frame.index), preserve_index=False)
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(quoting_style="needed", eol="\r\n"))
    return (BOM.encode() if bom else b"") + sink.getvalue().to_pybytes()


def _semicolon_csv(frame: pd.DataFrame, out: dict[str, pd.Series]) -> str:
    """The ';' file, written as the standard one is (text quoted, numbers bare so they stay numbers), with
    numbers already in their decimal-comma text."""
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
               for c in frame.columns]  # fmt: skip

    def quoted(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    lines = [";".join(quoted(str(c)) for c in frame.columns)]
    columns = [out[c].tolist() for c in frame.columns]
    for row in zip(*columns, strict=True):
        lines.append(";".join(("" if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else str(v))
                              if bare else quoted(str(v)) for v, bare in zip(row, numeric, strict=True)))  # fmt: skip
    return "\r\n".join(lines) + "\r\n"


def _comma_number(value: float) -> str:
    """-1500.5 -> '-1500,5': a number as a decimal-comma spreadsheet reads it (no grouping, no rounding)."""
    return (
        str(int(value)) if float(value).is_integer() else format(Decimal(repr(float(value))), "f")
    ).replace(".", ",")


def read_rows(text: str, delimiter: str = ",", limit: int | None = None) -> list[list[str]]:
    """Parse RFC 4180 text (BOM tolerated) into its non-empty rows of raw cells. A cell may be as long as
    the file (the models' own limits then name the row and column of a cell that is too long). The
    limits are checked while reading, so an oversized file costs what its first rows cost: at most
    MAX_COLUMNS cells in a row, and `limit` non-empty rows (and as many blank ones)."""
    reader = csv.reader(io.StringIO(text.removeprefix(BOM), newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    read = 0
    try:
        for row in reader:
            read += 1
            if len(row) > MAX_COLUMNS:
                raise InvalidInput(
                    [f"Row {reader.line_num}: has {len(row):,} cells; the limit is {MAX_COLUMNS} columns."]
                )
            if any(cell.strip() for cell in row):
                rows.append(row)
            if limit is not None and (len(rows) > limit or read > 2 * limit):
                raise InvalidInput(
                    [f"The file has more than {limit - 1:,} rows; the limit is {limit - 1:,}."]
                )
    except csv.Error as exc:
        raise InvalidInput([f"Row {reader.line_num}: the file is not valid CSV there ({exc})."]) from None
    return rows


csv.field_size_limit(MAX_BYTES)


def header_key(name: str) -> str:
    """Headers match whatever their case and spacing: 'value to YOU ' is 'Value to you'."""
    return " ".join(restore(name).split()).casefold()


def check_size(size: int) -> None:
    """The size limit, checked before a file is read into memory."""
    if size > MAX_BYTES:
        raise InvalidInput([f"The file is {size / 1024 / 1024:.1f} MB; the limit is 20 MB."])


@dataclass(frozen=True)
class Table:
    """A CSV file read: the header in canonical spelling, the non-empty rows, and the file's number
    convention (a ';'-separated file writes decimals with a comma)."""

    header: list[str]
    body: list[list[str]]
    decimal_comma: bool = False


def read_table(data: bytes, columns: list[str], required: list[str], what: str) -> Table:
    """The header (in the canonical spelling of `columns`) and the non-empty rows of a CSV file, or
    InvalidInput with one sentence for a file that is not UTF-8, empty, missing a required column, with a
    column twice, or too long. Both the standard file (',' between cells, '.' before decimals) and the one
    European spreadsheets save (';' between cells, ',' before decimals) are read. `what` names one row's
    content ("concession")."""
    check_size(len(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            [
                f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read). Save it as 'CSV UTF-8' and try again."
            ]
        ) from None
    canonical = {header_key(c): c for c in columns}

    def named(first: list[str]) -> list[str]:
        return [canonical.get(header_key(h), " ".join(restore(h).split())) for h in first]

    decimal_comma = False
    rows = read_rows(text, limit=MAX_ROWS + 1)  # the header and MAX_ROWS rows
    if not rows:
        raise InvalidInput([f"The file is empty: it needs a header row and at least one {what}."])
    header = named(rows[0])
    missing = [c for c in required if c not in header]
    if missing and len(rows[0]) == 1 and rows[0][0].count(";") >= len(required) - 1:
        decimal_comma = True  # as Excel saves CSV in many European settings
        rows = read_rows(text, ";", limit=MAX_ROWS + 1)
        header = named(rows[0])
        missing = [c for c in required if c not in header]
    if missing:
        raise InvalidInput(
            [
                f"Missing required column(s): {', '.join(missing)}. The header must contain: {', '.join(required)}."
            ]
        )
    doubled = sorted(h for h, n in Counter(h for h in header if h).items() if n > 1)  # linear, for any width
    if doubled:
        raise InvalidInput([f"Column(s) appear twice in the header: {', '.join(doubled)}."])
    body = rows[1:]
    if not body:
        raise InvalidInput([f"The file is empty: it has a header but no {what}s."])
    return Table(header, body, decimal_comma)


def by_header(
    header: list[str], body: list[list[str]], problems: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row as {column: cell} with its spreadsheet row number (the header is row 1); a row with the
    wrong number of cells is noted in `problems` and skipped."""
    for n, cells in enumerate(body, start=2):
        if len(cells) != len(header):
            problems.append(f"Row {n}: has {len(cells)} cells but the header has {len(header)}")
            continue
        yield n, dict(zip(header, cells, strict=True))


def refuse_if_any(problems: list[str]) -> None:
    """A file with problems is refused whole, naming the first MAX_REPORTED of them."""
    if problems:
        shown = problems[:MAX_REPORTED]
        if len(problems) > MAX_REPORTED:
            shown.append(f"… and {len(problems) - MAX_REPORTED} more problems. Nothing was imported.")
        raise InvalidInput(shown)


def parse_concessions(data: bytes, issue_ids: Mapping[str, int], now: datetime) -> list[Concession]:
    """Validate a whole concession-log file before anything is written.

    `issue_ids` maps the target deal's issue names (any case) to ids. Row numbers are a spreadsheet's:
    the header is row 1. Any bad row rejects the file; the first 20 problems are named.
    """
    table = read_table(data, LOG_COLUMNS, REQUIRED_COLUMNS, "concession")
    known = {name.casefold(): i for name, i in issue_ids.items()}
    problems: list[str] = []
    result: list[Concession] = []
    for n, cells in by_header(table.header, table.body, problems):
        line, row_problems = _parse_row(n, cells, known, issue_ids, now, table.decimal_comma)
        problems += row_problems
        if line is not None:
            result.append(line)
    refuse_if_any(problems)
    return result


def _number(
    row: dict[str, str], name: str, default: float | None, problems: list[str], n: int, decimal_comma: bool
) -> float | None:
    """A number cell as the file's convention writes it: 1500.5 or 1,500.50 in a standard file, 1500,5 or
    1.500,50 in a ';'-separated one. Anything else is refused, never guessed."""
    raw = restore(row.get(name, "").strip())
    if not raw:
        return default
    if decimal_comma:
        plain = raw.replace(".", "").replace(",", ".") if _COMMA_NUMBER.fullmatch(raw) else None
    else:
        plain = (
            raw.replace(",", "")
            if _THOUSANDS.fullmatch(raw)
            else raw
            if _PLAIN_NUMBER.fullmatch(raw)
            else None
        )
    if plain is None:
        convention = "1500,5 or 1.500,50" if decimal_comma else "1500.5 or 1,500.50"
        problems.append(
            f"Row {n}, {name}: '{raw[:40]}' is not a number written as this file writes them ({convention})"
        )
        return default
    value = float(plain)
    if not math.isfinite(value):
        problems.append(f"Row {n}, {name}: '{raw}' is not a finite number")
    return value


def _parse_row(
    n: int,
    row: dict[str, str],
    known: Mapping[str, int],
    issue_ids: Mapping[str, int],
    now: datetime,
    decimal_comma: bool = False,
) -> tuple[Concession | None, list[str]]:
    """One data row (n = its spreadsheet row number) into a line, or the problems that name its columns."""
    problems: list[str] = []
    data: dict = {
        "item": restore(row["Item"]),
        "you_give": restore(row["You give"]),
        "you_get": restore(row["You get"]),
        "trigger": restore(row["Trigger/contingency"]),
        "value_to_you": _number(row, "Value to you", 0.0, problems, n, decimal_comma),
        "value_to_them": _number(row, "Value to them", 0.0, problems, n, decimal_comma),
        "new_position": _number(row, "New position", None, problems, n, decimal_comma),
    }
    round_raw = row.get("Round", "").strip()
    if round_raw:
        if re.fullmatch(r"\d+(\.0+)?", round_raw):
            data["round"] = int(float(round_raw))
        else:
            problems.append(f"Row {n}, Round: '{round_raw}' is not a whole number")
    issue_name = restore(row.get("Linked issue", "")).strip()
    if issue_name:
        if issue_name.casefold() in known:
            data["issue_id"] = known[issue_name.casefold()]
        else:
            names = ", ".join(issue_ids) or "none"
            problems.append(
                f"Row {n}, Linked issue: '{issue_name}' is not an issue of this deal (issues: {names})"
            )
    final = row.get("Final offer", "").strip().casefold()
    if final in ("yes", "true", "1", "y"):
        data["final_offer"] = True
    elif final in ("", "no", "false", "0", "n"):
        data["final_offer"] = False
    else:
        problems.append(f"Row {n}, Final offer: '{row['Final offer']}' must be yes or no")
    logged = row.get("Logged at", "").strip()
    data["logged_at"] = now
    try:
        when = datetime.fromisoformat(logged) if logged else None
    except ValueError:
        problems.append(f"Row {n}, Logged at: '{logged}' is not a date and time (YYYY-MM-DD HH:MM:SS)")
    else:
        try:
            # naive UTC, as the log writes times: a file mixing '…+05:00' with plain times sorts right
            data["logged_at"] = stored_moment(when) if when else now
        except ValueError as exc:
            problems.append(f"Row {n}, Logged at: {exc}")
    try:  # the model's own rules too, so each row reports everything wrong with it at once
        line = Concession.model_validate(data)
    except ValidationError as exc:
        return None, problems + describe_errors(exc, prefix=f"Row {n}, ")
    return (None, problems) if problems else (line, [])


# ---- the organisation's library ----------------------------------------------------------------
LIBRARY_COLUMNS = ["Kind", "Title", "Source", "Date", "Contexts", "Owner", "Note"]
LIBRARY_REQUIRED = ["Kind", "Title", "Source", "Date", "Owner"]


def library_frame(items: Sequence[LibraryItem]) -> pd.DataFrame:
    """The library as its CSV has it: kinds and contexts in words, contexts separated by '; '."""
    return pd.DataFrame(
        [[KIND_WORDS[i.kind], i.title, i.source, i.date.isoformat(), "; ".join(word(c) for c in i.contexts),
          i.owner, i.note] for i in items],
        columns=LIBRARY_COLUMNS,
    )  # fmt: skip


def parse_library(data: bytes) -> list[LibraryItem]:
    """Validate a whole library file before anything is written: any bad row rejects the file, each
    problem named by row (the header is row 1) and column."""
    table = read_table(data, LIBRARY_COLUMNS, LIBRARY_REQUIRED, "library item")
    kinds = {header_key(w): k for k, w in KIND_WORDS.items()} | {header_key(k.value): k for k in KIND_WORDS}
    contexts = {header_key(word(c)): c for c in Context} | {header_key(c.value): c for c in Context}
    problems: list[str] = []
    items: list[LibraryItem] = []
    for n, cells in by_header(table.header, table.body, problems):
        cell = {h: restore(v).strip() for h, v in cells.items()}
        kind = kinds.get(header_key(cell["Kind"]))
        if kind is None:
            problems.append(
                f"Row {n}, Kind: '{cell['Kind'][:40]}' is not one of {', '.join(KIND_WORDS.values())}"
            )
            continue
        named = [c.strip() for c in re.split(r"[;,]", cell.get("Contexts", "")) if c.strip()]
        unknown = [c for c in named if header_key(c) not in contexts]
        if unknown:
            problems.append(
                f"Row {n}, Contexts: '{unknown[0][:40]}' is not one of sales, partnership, procurement, hiring"
            )
            continue
        try:
            when = date.fromisoformat(cell["Date"])
        except ValueError:
            problems.append(f"Row {n}, Date: '{cell['Date'][:40]}' is not a date written as YYYY-MM-DD")
            continue
        data_row = {"kind": kind, "title": cell["Title"], "source": cell["Source"], "date": when,
                    "contexts": [contexts[header_key(c)] for c in named], "owner": cell["Owner"],
                    "note": cell.get("Note", "")}  # fmt: skip
        try:
            items.append(validate(LibraryItem, data_row, prefix=f"Row {n}, "))
        except InvalidInput as exc:
            problems += exc.problems
    refuse_if_any(problems)
    return items

"""Reading a deal file (the `export-deal` format) before anything touches the database: size first,
then text, then JSON with every key once, then the models' own validation. Every refusal names the
file and the problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .models import DealFile, InvalidInput, describe_errors

MAX_DEAL_FILE_BYTES = 5 * 1024 * 1024  # the largest curated deal is 20 KB; a deal file is not a data dump
MAX_REPORTED = 20
BOM = "\ufeff"


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _check_size(size: int, source: str) -> None:
    if size > MAX_DEAL_FILE_BYTES:
        raise InvalidInput([f"{source}: the file is {size / 1e6:.1f} MB; a deal file may be at most "
                            f"{MAX_DEAL_FILE_BYTES // (1024 * 1024)} MB"])  # fmt: skip


def read_deal_file(path: Path) -> DealFile:
    """The deal file at `path`, or InvalidInput naming the file and what is wrong with it."""
    try:
        size = path.stat().st_size
        _check_size(size, str(path))
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput([f"{path}: cannot read the file ({exc.strerror})"]) from None
    return parse_deal_file(raw, str(path))


def parse_deal_file(raw: bytes, source: str) -> DealFile:
    _check_size(len(raw), source)
    try:
        text = raw.decode("utf-8").removeprefix(BOM)  # Windows editors save a byte-order mark
    except UnicodeDecodeError:
        raise InvalidInput([f"{source}: the file is not UTF-8 text"]) from None
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys)
    except _DuplicateKey as exc:
        raise InvalidInput([f"{source}: the key '{exc}' appears twice in one object; keep one, since the "
                            "second would silently replace the first"]) from None  # fmt: skip
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise InvalidInput([f"{source}: not a deal file: the JSON is malformed{where}"]) from None
    try:
        return DealFile.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput([f"{source}: {line}" for line in describe_errors(exc)][:MAX_REPORTED]) from None

"""A person's data, for data-protection requests: everything the cockpit holds that names one e-mail
address (their membership, the deals they are on, every row whose text names them: history, lines they
logged or changed, approvals, assessments, the access log), and its erasure by pseudonym.

The cockpit names people only by e-mail address, so finding a person is finding their address in the text
columns of every table; the search reads every column, so a note that mentions them is found too."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from ..access import email_address
from ..audit import Change
from ..models import InvalidInput
from .copying import TABLES
from .engine import Cursor, Engine, now

# What a row of the export keeps besides the columns that name the person: where it is, when it was and
# what kind of thing it records (never an amount or a note that does not name them).
_KEYS = ("id", "deal_id", "concession_id", "bundle_id", "issue_id", "evidence_id", "kind", "action", "decision",
         "role", "part", "removed_at")  # fmt: skip
ERASED_DOMAIN = "erased.invalid"  # .invalid can never be a real address (RFC 2606)


def _checked(email: str) -> str:
    try:
        return email_address(email)
    except ValueError as exc:
        raise InvalidInput([f"E-mail: {exc}"]) from None


def _text_columns(cur: Cursor) -> dict[str, list[str]]:
    """Each table's text columns, as the database describes them."""
    rows = cur.rows(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
    )
    found: dict[str, list[str]] = {}
    for r in rows:
        if r["table_name"] in TABLES and r["data_type"].upper() in ("VARCHAR", "TEXT", "CHARACTER VARYING"):
            found.setdefault(r["table_name"], []).append(r["column_name"])
    return found


def _mentions(cur: Cursor, email: str) -> dict[str, list[dict[str, Any]]]:
    """Rows naming `email`, per table: their keys and times, and the columns that name it."""
    found = {}
    for table, columns in _text_columns(cur).items():
        naming = " OR ".join(f'strpos("{c}", ?) > 0' for c in columns)
        rows = cur.rows(f"SELECT * FROM {table} WHERE {naming}", [email] * len(columns))
        if rows:
            found[table] = [
                {k: _plain(v) for k, v in row.items()
                 if k in _KEYS or isinstance(v, datetime) or (isinstance(v, str) and email in v)}
                for row in rows
            ]  # fmt: skip
    return found


def _plain(value: Any) -> Any:
    return value.isoformat(sep=" ") if isinstance(value, datetime) else value


def person_record(store: Engine, email: str) -> dict[str, Any]:
    """Everything the cockpit holds about the person with this address, read as one snapshot. The business
    figures of the rows that name them (amounts, positions, notes that do not name them) are left out: they
    are the organisation's, not the person's."""
    key = _checked(email)
    with store.transaction() as cur:
        cur.snapshot()
        mentions = _mentions(cur, key)
        deal_ids = sorted(
            {r["deal_id"] for rows in mentions.values() for r in rows if r.get("deal_id") is not None}
        )
        names = {r["id"]: r["name"] for r in cur.rows("SELECT id, name FROM deal")} if deal_ids else {}
    if not mentions:
        raise InvalidInput([f"E-mail: the cockpit holds nothing about {key}"])
    return {
        "person": key,
        "exported_at": now().isoformat(sep=" ", timespec="seconds"),
        "deals": {str(i): names.get(i) for i in deal_ids},
        "rows": mentions,
    }


def erase_person(store: Engine, email: str) -> tuple[str, dict[str, int]]:
    """Replace the address everywhere the cockpit holds it with a pseudonym no one can trace back (the same
    one everywhere, so the history still reads as one person's), in one transaction, and record that it
    happened under the pseudonym. Only someone who is no longer a member: remove them first. Returns the
    pseudonym and the rows changed per table."""
    key = _checked(email)
    pseudonym = f"erased-{secrets.token_hex(5)}@{ERASED_DOMAIN}"
    changed: dict[str, int] = {}
    with store.transaction() as cur:
        if cur.scalar("SELECT count(*) FROM member WHERE email = ? AND removed_at IS NULL", [key]):
            raise InvalidInput(
                [f"E-mail: {key} is a member; remove them first (cockpit member remove), then erase"]
            )
        for table, columns in _text_columns(cur).items():
            naming = " OR ".join(f'strpos("{c}", ?) > 0' for c in columns)
            rows = int(cur.scalar(f"SELECT count(*) FROM {table} WHERE {naming}", [key] * len(columns)))
            if not rows:
                continue
            for column in columns:
                cur.execute(f'UPDATE {table} SET "{column}" = replace("{column}", ?, ?) WHERE strpos("{column}", ?) > 0',
                            [key, pseudonym, key])  # fmt: skip
            changed[table] = rows
        if not changed:
            raise InvalidInput([f"E-mail: the cockpit holds nothing about {key}; nothing was changed"])
        # The provider's account key is theirs too; the pseudonym can never sign in.
        cur.execute("UPDATE member SET issuer = NULL, subject = NULL WHERE email = ?", [pseudonym])
        store._audit(
            cur, None, [Change("member", f"A former member's e-mail erased (now {pseudonym})", None, None)]
        )
    return pseudonym, changed

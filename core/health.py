"""`cockpit check`: whether this cockpit can serve now, in one sentence. Streamlit's own /_stcore/health
says "ok" with the database stopped or its schema out of date; this asks the database, compares its
schema with the migrations this version needs, and, in team mode, reads the sign-in configuration."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .access import local_database_refusal
from .store import Store
from .store.backends import checked_location, is_postgres
from .store.errors import masked
from .store.integrity import violations
from .store.migrations import MIGRATIONS, integrity_rules

SIGN_IN_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


@dataclass(frozen=True)
class Health:
    ok: bool
    said: str  # one sentence: what is ready, or the first thing that is not and what to do


def sign_in_problem(secrets: Path) -> str | None:
    """Why the secrets file does not configure sign-in, or None. Streamlit reads `[auth]` with its keys, or
    one provider's section under it (`[auth.microsoft]`) holding the provider's keys."""
    try:
        data = tomllib.loads(secrets.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return f"there is no secrets file at {secrets}"
    except (OSError, UnicodeDecodeError) as exc:
        return f"the secrets file {secrets} cannot be read ({getattr(exc, 'strerror', None) or exc})"
    except tomllib.TOMLDecodeError as exc:
        return f"the secrets file {secrets} is not valid TOML ({exc})"
    auth = data.get("auth")
    if not isinstance(auth, dict):
        return f"the secrets file {secrets} has no [auth] section"
    providers = [v for v in auth.values() if isinstance(v, dict)]
    merged = [{**{k: v for k, v in auth.items() if not isinstance(v, dict)}, **p} for p in providers] or [
        auth
    ]
    missing = min(([k for k in SIGN_IN_KEYS if not str(m.get(k) or "").strip()] for m in merged), key=len)
    if missing:
        return f"[auth] in {secrets} lacks {', '.join(missing)}"
    return None


def check(location: str, secrets: Path | None, integrity: bool = False) -> Health:
    """The database at `location` answers and holds this version's schema; with `secrets` (team mode),
    sign-in is configured; without it (local mode), the database is one local mode may open. With
    `integrity`, every row is read against every integrity rule, those DuckDB leaves to the store too."""
    location = str(checked_location(location))
    shown = masked(location)
    if secrets is None and (refusal := local_database_refusal(location)):
        return Health(False, f"Without sign-in (no --secrets): {refusal}")
    if secrets is not None and (problem := sign_in_problem(secrets)):
        return Health(False, f"Sign-in is not configured: {problem}.")
    if not is_postgres(location) and not Path(location).is_file():  # opening it would make an empty one
        return Health(
            False, f"There is no deal database at {shown}: check COCKPIT_DB, or start the app once."
        )
    store = Store.open(location, migrations=[])  # read what is there; never migrate from a health check
    try:
        applied = set(store.applied_migrations())
        missing = [name for name, _ in MIGRATIONS if name not in applied]
        broken = [] if missing or not integrity else violations(store.cursor(), integrity_rules())
    finally:
        store.close()
    if missing:
        return Health(
            False,
            f"The database {shown} needs {len(missing)} schema step(s) this version brings ({missing[0]} first): "
            "start the app once on it (DuckDB), or run `cockpit grant ROLE` as the tables' owner (PostgreSQL).",
        )
    if broken:
        return Health(
            False, f"The database {shown} holds rows its integrity rules refuse: {'; '.join(broken)}."
        )
    mode = "sign-in configured" if secrets is not None else "local mode"
    rows = ", every row holds its integrity rules" if integrity else ""
    return Health(
        True,
        f"ok: the database {shown} answers, its schema is current ({len(MIGRATIONS)} steps){rows}, {mode}.",
    )

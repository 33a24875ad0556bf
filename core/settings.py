"""Every setting the cockpit takes from its environment, read in this one place. The rest of the code asks
`settings()` and never reads an environment variable itself; a value that cannot be read is refused with
the variable named, when the setting is used.

| variable | what it sets |
|---|---|
| COCKPIT_DB | the deal database: a DuckDB file, or a postgresql:// URL for a team (default: data/cockpit.duckdb in a checkout, $XDG_DATA_HOME/deal-cockpit/cockpit.duckdb installed) |
| COCKPIT_USER | who the command line and local mode record as making a change (else the OS user) |
| COCKPIT_WAIT | seconds a command waits for a DuckDB file the app holds (0 to 3600, default 10) |
| COCKPIT_DEMO | 0: a new, empty database stays empty (else the curated demo fills it at first start) |
| COCKPIT_DECIMAL_COMMA | 1: the organisation writes 15.000,50 (the Library, the Pipeline, a new deal's default) |
| COCKPIT_TRUSTED_ISSUERS | sign-in issuers whose addresses count as verified (Microsoft Entra ID), space- or comma-separated |
| COCKPIT_ADDRESS | where `cockpit serve` listens (default 127.0.0.1; anything else needs a secrets file) |
| COCKPIT_PORT | the port `cockpit serve` listens on (default 8501) |
| COCKPIT_SECRETS | `cockpit serve`'s secrets file with [auth]: team mode |
| COCKPIT_ALLOWED_HOSTS | host names the browser may use to reach `cockpit serve` besides loopback, space-separated |
"""

from __future__ import annotations

import functools
import getpass
import importlib.util
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


def _app_folder() -> Path:
    """The folder that holds app.py, pages/, data/ and .streamlit/: the checkout this module is in, or, when
    the cockpit was installed from its wheel, the installed `deal_cockpit` package beside `core`."""
    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "app.py").is_file():
        return checkout
    spec = importlib.util.find_spec("deal_cockpit")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cockpit's app files (the deal_cockpit package) are not installed beside core")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def _default_database(app_folder: Path) -> Path:
    """data/cockpit.duckdb in a checkout (make run); installed, the user's data folder, never site-packages
    (a service sets COCKPIT_DB anyway)."""
    if (app_folder / "pyproject.toml").is_file():
        return app_folder / "data" / "cockpit.duckdb"
    return (
        Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        / "deal-cockpit"
        / "cockpit.duckdb"
    )


PROJECT_ROOT = _app_folder()
DEFAULT_DB = _default_database(PROJECT_ROOT)
VARIABLES = ("COCKPIT_DB", "COCKPIT_USER", "COCKPIT_WAIT", "COCKPIT_DEMO", "COCKPIT_DECIMAL_COMMA",
             "COCKPIT_TRUSTED_ISSUERS", "COCKPIT_ADDRESS", "COCKPIT_PORT", "COCKPIT_SECRETS", "COCKPIT_ALLOWED_HOSTS")  # fmt: skip
WAIT_DEFAULT = 10.0  # seconds a command waits for a busy database before it gives up
WAIT_MAX = 3600.0  # an hour: longer is a mistake, not a plan
_YES, _NO = ("1", "yes", "true", "on"), ("", "0", "no", "false", "off")


@dataclass(frozen=True)
class Settings:
    database: str
    user: str
    demo: bool
    trusted_issuers: frozenset[str]
    address: str
    secrets: Path | None
    allowed_hosts: tuple[str, ...]
    _wait: str
    _decimal_comma: str
    _port: str

    @property
    def port(self) -> int:
        """COCKPIT_PORT as a whole number, 8501 when unset."""
        try:
            return int(self._port.strip() or "8501")
        except ValueError:
            from .models import InvalidInput  # (models read settings: imported when needed)

            raise InvalidInput([f"COCKPIT_PORT: {self._port!r} is not a port (1 to 65535)"]) from None

    @property
    def wait(self) -> float:
        """COCKPIT_WAIT as a finite number of seconds from 0 to WAIT_MAX; unset means WAIT_DEFAULT."""
        if not self._wait.strip():
            return WAIT_DEFAULT
        try:
            wait = float(self._wait)
        except ValueError:
            wait = math.nan
        if not (0 <= wait <= WAIT_MAX):  # also refuses nan and inf
            from .models import InvalidInput  # (models read settings: imported when needed)

            raise InvalidInput(
                [f"COCKPIT_WAIT: must be a number of seconds from 0 to {WAIT_MAX:g} (got {self._wait!r})"]
            )
        return wait

    @property
    def decimal_comma(self) -> bool:
        """The organisation's convention for what belongs to no deal: 1 for 15.000,50, unset or 0 for 15,000.50."""
        raw = self._decimal_comma.strip().casefold()
        if raw in _NO:
            return False
        if raw in _YES:
            return True
        raise ValueError(f"COCKPIT_DECIMAL_COMMA: '{raw[:20]}' is not 1 (decimal comma) or 0 (decimal point)")


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings of this environment (the process's own unless one is given)."""
    env = os.environ if environ is None else environ
    return _read(tuple(env.get(name) for name in VARIABLES))


@functools.lru_cache(maxsize=8)  # read once per environment: a test that changes one gets its own
def _read(values: tuple[str | None, ...]) -> Settings:
    db, user, wait, demo, decimal_comma, issuers, address, port, secrets, hosts = values
    return Settings(
        address=(address or "").strip() or "127.0.0.1",
        secrets=Path(secrets) if secrets and secrets.strip() else None,
        allowed_hosts=tuple((hosts or "").split()),
        _port=port or "",
        database=db or str(DEFAULT_DB),
        user=user or getpass.getuser(),
        demo=(demo or "1").strip() != "0",
        trusted_issuers=frozenset(i for i in (issuers or "").replace(",", " ").split() if i),
        _wait=wait or "",
        _decimal_comma=decimal_comma or "",
    )

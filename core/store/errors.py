"""What the store raises. Each message is one sentence a user can act on; `shown()` is the same sentence
with only the file's name or the server's host, for a page that people who need not know where the
database lives may see."""

from __future__ import annotations

import os
import re

from ..errors import CockpitError

# user:password@ in a URL of any scheme and letter case, and password=… in a query or a libpq string.
_URL_PASSWORD = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^/\s]*@")
_SETTING_PASSWORD = re.compile(r"(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&;\"']+)")


def masked(text: str) -> str:
    """Text as it may be printed, logged or shown: every password in it masked (a URL's, a `password=`
    setting's, and PGPASSWORD's value wherever it appears). The one helper every error path uses."""
    text = _URL_PASSWORD.sub(r"\1***@", str(text))
    text = _SETTING_PASSWORD.sub(r"\1***", text)
    secret = os.environ.get("PGPASSWORD", "")
    return text.replace(secret, "***") if len(secret) >= 4 else text


class DatabaseProblem(CockpitError):
    """The database cannot be used now. `str()` names the whole path or address (for the command line)."""

    def __init__(self, full: str, short: str, template: str):
        self.where = masked(full)
        self._template = template
        self._short = masked(short)
        super().__init__(masked(template.format(file=self.where)))

    def shown(self) -> str:
        return masked(self._template.format(file=self._short))


class DatabaseBusy(DatabaseProblem):
    """Another process holds the database file's write lock (DuckDB: one process at a time)."""

    def __init__(self, full: str, short: str, holder: str = "", waited: float = 0.0):
        who = f" ({holder})" if holder else ""
        after = f" (waited {waited:g} s for it)" if waited else ""
        super().__init__(
            full,
            short,
            f"The deal database {{file}} is in use by another program{who}{after}. "
            "Stop the other cockpit (the app started with `make run`, or another `cockpit` command) and "
            "try again, set COCKPIT_DB to a different file, or move the team to a shared PostgreSQL "
            "database (`cockpit copy --to`).",
        )


class DatabaseUnusable(DatabaseProblem):
    """COCKPIT_DB names something the cockpit must not or cannot use: it was left as it was."""


class DatabaseUnreachable(DatabaseProblem):
    """The PostgreSQL server does not answer (stopped, restarting, or the network is down). `reason` is the
    driver's own first line (for the operator's log, masked), never shown to a visitor."""

    def __init__(self, full: str, short: str, reason: str = ""):
        self.reason = masked(reason)
        super().__init__(
            full,
            short,
            "The shared deal database {file} cannot be reached just now; nothing was lost. The cockpit "
            "tries again by itself; if this stays, ask whoever runs the database server.",
        )


class NotFound(CockpitError):
    """A deal or other record that the caller named does not exist."""


class NotAllowed(CockpitError):
    """The acting person may read the deal but not do this to it (one sentence that says what to do)."""


class Conflict(CockpitError):
    """Someone else changed the record since the caller read it: nothing was written."""

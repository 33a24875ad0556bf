"""What the store raises. Each message is one sentence a user can act on; `shown()` is the same sentence
with only the file's name or the server's host, for a page that people who need not know where the
database lives may see."""

from __future__ import annotations


class DatabaseProblem(RuntimeError):
    """The database cannot be used now. `str()` names the whole path or address (for the command line)."""

    def __init__(self, full: str, short: str, template: str):
        self.where = full
        self._template = template
        self._short = short
        super().__init__(template.format(file=full))

    def shown(self) -> str:
        return self._template.format(file=self._short)


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
    """The PostgreSQL server does not answer (stopped, restarting, or the network is down)."""

    def __init__(self, full: str, short: str):
        super().__init__(
            full,
            short,
            "The shared deal database {file} cannot be reached just now; nothing was lost. The cockpit "
            "tries again by itself; if this stays, ask whoever runs the database server.",
        )


class NotFound(LookupError):
    """A deal or other record that the caller named does not exist."""


class NotAllowed(PermissionError):
    """The acting person may read the deal but not do this to it (one sentence that says what to do)."""


class Conflict(RuntimeError):
    """Someone else changed the record since the caller read it: nothing was written."""

"""The one owner of the database. `Store` is the façade the rest of the code imports; behind it, one
module per aggregate (deals, preparation, power, concessions, meso, deal files, members and access, reviews and the library, the single text), a read side (queries),
the engine (opening, cursors, transactions, the history write) and the named migrations."""

from ..settings import DEFAULT_DB, PROJECT_ROOT
from .deal_file import DealFiles
from .engine import (
    Conflict,
    DatabaseBusy,
    DatabaseProblem,
    DatabaseUnreachable,
    DatabaseUnusable,
    NotAllowed,
    NotFound,
    current_user,
    database_location,
    now,
)
from .migrations import MIGRATIONS
from .queries import Queries


class Store(DealFiles, Queries):
    """The deal database. Open with `Store.open(path)`; `Store.memory()` for tests. Each aggregate inherits
    the ones it composes (a deal file composes every part of a deal; a review reads the log and the issues),
    so every call it makes to another is one that exists and is type-checked."""


__all__ = [
    "DEFAULT_DB", "MIGRATIONS", "PROJECT_ROOT", "Conflict", "DatabaseBusy", "DatabaseProblem", "DatabaseUnreachable", "DatabaseUnusable", "NotAllowed", "NotFound", "Store", "current_user",
    "database_location", "now",
]  # fmt: skip

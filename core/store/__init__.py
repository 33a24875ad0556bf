"""The one owner of the database. `Store` is the façade the rest of the code imports; behind it, one
module per aggregate (deals, preparation, power, concessions, meso, deal files, members and access, reviews and the library, the single text), a read side (queries),
the engine (opening, cursors, transactions, the history write) and the named migrations."""

from ..settings import DEFAULT_DB, PROJECT_ROOT
from .concessions import Concessions
from .deal_file import DealFiles
from .deals import Deals
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
from .members import Members
from .meso import Meso
from .migrations import MIGRATIONS
from .power import Power
from .preparation import Preparation
from .queries import Queries
from .reviews import Reviews


class Store(Reviews, Queries, DealFiles, Meso, Concessions, Power, Preparation, Deals, Members):
    """The deal database. Open with `Store.open(path)`; `Store.memory()` for tests."""


__all__ = [
    "DEFAULT_DB", "MIGRATIONS", "PROJECT_ROOT", "Conflict", "DatabaseBusy", "DatabaseProblem", "DatabaseUnreachable", "DatabaseUnusable", "NotAllowed", "NotFound", "Store", "current_user",
    "database_location", "now",
]  # fmt: skip

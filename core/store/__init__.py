"""The one owner of the database. `Store` is the unit of work the rest of the code imports: the engine
(opening, cursors, transactions, the history write), who is acting and the access checks, and members.
Each aggregate is a repository reached from it — `store.deals`, `store.preparation`, `store.power`,
`store.concessions`, `store.meso`, `store.single_texts`, `store.plans`, `store.reviews` (and the
library), `store.deal_files` — beside the read side `store.queries`; the named migrations shape it."""

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
from .plans import Plans
from .power import Power
from .preparation import Preparation
from .queries import Queries
from .reviews import Reviews
from .single_texts import SingleTexts


class Store(Members):
    """The deal database. Open with `Store.open(path)`; `Store.memory()` for tests; `acting_as(person)` for
    a copy bound to who is acting. Each aggregate's repository is made on access, so a bound copy's
    repositories act for its person."""

    @property
    def deals(self) -> Deals:
        return Deals(self)

    @property
    def preparation(self) -> Preparation:
        return Preparation(self)

    @property
    def power(self) -> Power:
        return Power(self)

    @property
    def concessions(self) -> Concessions:
        return Concessions(self)

    @property
    def meso(self) -> Meso:
        return Meso(self)

    @property
    def single_texts(self) -> SingleTexts:
        return SingleTexts(self)

    @property
    def plans(self) -> Plans:
        return Plans(self)

    @property
    def reviews(self) -> Reviews:
        return Reviews(self)

    @property
    def deal_files(self) -> DealFiles:
        return DealFiles(self)

    @property
    def queries(self) -> Queries:
        return Queries(self)


REPOSITORIES = {"deals": Deals, "preparation": Preparation, "power": Power, "concessions": Concessions,
                "meso": Meso, "single_texts": SingleTexts, "plans": Plans, "reviews": Reviews,
                "deal_files": DealFiles, "queries": Queries}  # fmt: skip


__all__ = [
    "DEFAULT_DB", "MIGRATIONS", "PROJECT_ROOT", "Conflict", "DatabaseBusy", "DatabaseProblem", "DatabaseUnreachable", "DatabaseUnusable", "NotAllowed", "NotFound", "REPOSITORIES", "Store", "current_user",
    "database_location", "now",
]  # fmt: skip

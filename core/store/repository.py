"""The base of every aggregate's repository: it holds the store it works in — the unit of work that owns
the connection, who is acting and the access checks — instead of inheriting it. An aggregate reaches
another only through `self.store` (`self.store.preparation.list_issues(...)`), never by inheriting it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import Store


class Repository:
    __slots__ = ("store",)

    def __init__(self, store: Store) -> None:
        self.store = store

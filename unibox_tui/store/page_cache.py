"""A small, bounded memory of recently seen list pages, so paging back and forth is instant."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

__all__ = ["CachedPage", "PageCache"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CachedPage(Generic[T]):
    value: T
    fetched_at: float
    monotonic: Callable[[], float] = field(default=time.monotonic, repr=False, compare=False)

    @property
    def age(self) -> float:
        return self.monotonic() - self.fetched_at


class PageCache(Generic[T]):
    """LRU of at most ``capacity`` pages; every cache in the app is bounded (memory stays flat)."""

    def __init__(self, capacity: int = 12, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.capacity = capacity
        #: Ages are measured on this clock (tests pass their own).
        self.monotonic = monotonic
        self._items: OrderedDict[Hashable, CachedPage[T]] = OrderedDict()

    def get(self, key: Hashable) -> CachedPage[T] | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key: Hashable, value: T) -> None:
        self._items[key] = CachedPage(value, self.monotonic(), self.monotonic)
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def values(self) -> list[T]:
        """Every cached page, least recently used first (reading does not refresh their order)."""
        return [item.value for item in self._items.values()]

    def items(self) -> list[tuple[Hashable, T]]:
        """Every cached page with its key, least recently used first (without refreshing the order)."""
        return [(key, item.value) for key, item in self._items.items()]

    def map_values(self, change: Callable[[T], T]) -> None:
        """Rewrite every cached page, keeping its age (a local edit must not make a page look fresh)."""
        for key, item in self._items.items():
            self._items[key] = CachedPage(change(item.value), item.fetched_at, self.monotonic)

    def discard(self, key: Hashable) -> None:
        self._items.pop(key, None)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

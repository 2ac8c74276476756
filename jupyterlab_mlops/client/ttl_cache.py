"""A small LRU whose entries expire: the server views' caches (pure, no I/O)."""
from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable, Generic, Optional, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class TtlLru(Generic[K, V]):
    """A small LRU whose entries expire after ``ttl`` seconds (``clock`` injectable for tests)."""

    def __init__(self, size: int, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.size, self.ttl, self.clock = size, ttl, clock
        self._data: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K, max_age: Optional[float] = None) -> Optional[V]:
        item = self._data.get(key)
        if item is None:
            return None
        age = self.clock() - item[0]
        if age > (self.ttl if max_age is None else min(max_age, self.ttl)):
            if age > self.ttl:
                del self._data[key]
            return None
        self._data.move_to_end(key)
        return item[1]

    def put(self, key: K, value: V) -> V:
        self._data[key] = (self.clock(), value)
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)
        return value

    def pop(self, key: K) -> None:
        self._data.pop(key, None)

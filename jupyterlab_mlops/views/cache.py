"""The one cache of the views: a small LRU whose entries expire (pure, no I/O), and the compare
view's series cache built on it."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, Callable, Generic, Hashable, Optional, TypeVar

K = TypeVar("K")
V = TypeVar("V")

#: Compare series of a RUNNING run expire after seconds, others after an hour; finished runs are kept 30 s.
RUNNING_TTL, FINISHED_TTL, RUN_TTL = 5.0, 3600.0, 30.0
ACTIVE = ("RUNNING", "SCHEDULED")


class TtlLru(Generic[K, V]):
    """A small LRU whose entries expire after ``ttl`` seconds, or their own ``ttl`` given to :meth:`put`
    (``clock`` injectable for tests)."""

    def __init__(self, size: int, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.size, self.ttl, self.clock = size, ttl, clock
        self._data: OrderedDict[K, tuple[float, float, V]] = OrderedDict()

    def get(self, key: K, max_age: Optional[float] = None) -> Optional[V]:
        """The value, unless missing or older than its TTL (or ``max_age``, when that is shorter)."""
        item = self._data.get(key)
        if item is None:
            return None
        stored, ttl, value = item
        age = self.clock() - stored
        if age > (ttl if max_age is None else min(max_age, ttl)):
            if age > ttl:
                del self._data[key]
            return None
        self._data.move_to_end(key)
        return value

    def put(self, key: K, value: V, ttl: Optional[float] = None) -> V:
        self._data[key] = (self.clock(), self.ttl if ttl is None else ttl, value)
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)
        return value

    def pop(self, key: K) -> None:
        self._data.pop(key, None)

    def clear(self) -> None:
        self._data.clear()


class SeriesCache:
    """Compare's downsampled series per (backend, run, key, max_points, x), valid while the run's latest
    point of the key (its ``signature``) is unchanged; and finished runs as ``runs/get`` gave them."""

    def __init__(self, max_entries: int = 4000, clock: Callable[[], float] = time.monotonic) -> None:
        self._series: TtlLru[Hashable, tuple[Any, dict[str, Any]]] = TtlLru(max_entries, FINISHED_TTL, clock)
        self._runs: TtlLru[Hashable, Any] = TtlLru(max_entries, RUN_TTL, clock)
        self.hits = self.misses = 0

    def get(self, key: Hashable, signature: Any) -> Optional[dict[str, Any]]:
        item = self._series.get(key)
        if item is None or item[0] != signature:
            self.misses += 1
            return None
        self.hits += 1
        return {**item[1], "cached": True}

    def put(self, key: Hashable, signature: Any, series: dict[str, Any], running: bool) -> None:
        self._series.put(key, (signature, series), RUNNING_TTL if running else FINISHED_TTL)

    def run(self, ref: Hashable) -> Any:
        """A finished run fetched less than ``RUN_TTL`` seconds ago, or None."""
        return self._runs.get(ref)

    def keep_run(self, ref: Hashable, fetched: Any, status: str) -> None:
        """Only finished runs (a running one changes)."""
        if status not in ACTIVE:
            self._runs.put(ref, fetched)

"""The one cache of the views: a small LRU whose entries expire (pure, no I/O), and the compare
view's series cache built on it (with, optionally, finished runs' series on disk: :mod:`.series_store`)."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, Callable, Generic, Hashable, Optional, Sequence, TypeVar

from .series_store import SeriesStore, encode, row_key
from .series_tail import SeriesBase

K = TypeVar("K")
V = TypeVar("V")

#: Compare series of a RUNNING run expire after seconds, others after an hour; finished runs are kept 30 s.
RUNNING_TTL, FINISHED_TTL, RUN_TTL = 5.0, 3600.0, 30.0
ACTIVE = ("RUNNING", "SCHEDULED")
DONE = ("FINISHED", "FAILED", "KILLED")  # the only runs whose series go to disk
LIVE_TTL = 3600.0  # a RUNNING run's fetched points, kept to fetch only its new steps


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
    point of the key (its ``signature``) is unchanged; finished runs as ``runs/get`` gave them; the fetched
    points of RUNNING runs' series (``live``, for tail fetches); and, with a ``store``, finished runs' fetched
    points on disk."""

    def __init__(
        self,
        max_entries: int = 4000,
        clock: Callable[[], float] = time.monotonic,
        store: Optional[SeriesStore] = None,
        live_entries: int = 256,
    ) -> None:
        self._series: TtlLru[Hashable, tuple[Any, dict[str, Any]]] = TtlLru(max_entries, FINISHED_TTL, clock)
        self._runs: TtlLru[Hashable, Any] = TtlLru(max_entries, RUN_TTL, clock)
        self._live: TtlLru[Hashable, SeriesBase] = TtlLru(live_entries, LIVE_TTL, clock)
        self.store = store
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

    def forget_run(self, ref: Hashable) -> None:
        """A run edited, deleted or restored here: read it afresh."""
        self._runs.pop(ref)

    def live(self, key: Hashable) -> Optional[SeriesBase]:
        """The points fetched for a series while its run was RUNNING, or None."""
        return self._live.get(key)

    def keep_live(self, key: Hashable, base: Optional[SeriesBase]) -> None:
        """Keep (or, with None, forget) a RUNNING run's fetched points."""
        if base is None:
            self._live.pop(key)
        else:
            self._live.put(key, base)

    def stored(self, where: tuple[str, str, str, str], validator: Any) -> Optional[SeriesBase]:
        """A finished run's series from disk: ``where`` is (scope, run_id, key, variant); None on a miss."""
        if self.store is None:
            return None
        got = self.store.get(row_key(*where), validator, where[2])
        if got is None:
            return None
        points, head = got
        return SeriesBase(points, head["source"], head["kind"], head["budget"], head["total"])

    def store_many(self, rows: Sequence[tuple[tuple[str, str, str, str], Any, SeriesBase]]) -> None:
        """Write finished runs' series (``(where, validator, base)``) to disk, points only."""
        if self.store is None or not rows:
            return
        self.store.put_many(
            (
                row_key(*where),
                validator,
                encode(b.points, {"source": b.source, "kind": b.kind, "budget": b.budget, "total": b.total}),
            )
            for where, validator, b in rows
        )

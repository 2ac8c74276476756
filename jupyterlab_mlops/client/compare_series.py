"""The compare view: downsampled metric series, their cache, and :func:`compare`, which drives the
calls through an async ``drive(backend, flow)`` (no tornado here: the server and the benchmark both
pass their driver).

Fetch plan per series, cheapest first: the warm cache (valid while the run's latest point of the
key is unchanged); GitLab: ``metrics/get-history``, paged 1000 a page (its ``runs/get`` carries only the
latest value per key, GITLAB_API.md C1; an instance without get-history (404) gives the one latest point,
``source: "latest"``); MLflow: the full history when it is short (<= ``FULL_HISTORY_LIMIT`` steps) then
LTTB, else MLflow's own SQL sampling (``metrics/get-history-bulk-interval``: ``max_points`` rows per run,
first and last kept, a few runs per request so one request stays well under the backend timeout).
Finished runs are also kept ``RUN_TTL`` seconds, so a warm compare makes no backend call. At most
``CONCURRENCY`` calls are in flight per compare (the connection pool would otherwise time requests out).
"""
from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Optional, Sequence

from . import parse
from .api import Api
from .calls import REST, Call, Flow
from .compare import (DEFAULT_POINTS, Fetched, RunRef, check_options, header, labels_for, metric_rows,
                      param_rows)
from .downsample import downsample, finite
from .errors import MlopsError
from .flows import series_history
from .models import Metric, Run

DEFAULT_SERIES_KEYS = 12
FULL_HISTORY_LIMIT = 20_000
SAMPLE_PER_RUN = 2500  # MLflow's cap for get-history-bulk-interval
SAMPLE_RUNS_PER_CALL = 4  # ~1 s of MLflow/SQLite work per 100k-point series
RUNNING_TTL, FINISHED_TTL, RUN_TTL = 5.0, 3600.0, 30.0
CONCURRENCY = 6

Driver = Callable[[str, Flow[Any]], Awaitable[Any]]


def get_run_call(api: Api, ref: RunRef) -> Call[Fetched]:
    """``runs/get``: the run and its latest metrics (never a series: GitLab sends only the latest, C1)."""
    return Call("GET", REST + "runs/get", params={"run_id": ref.run_id},
                parse=lambda d: Fetched(ref, parse.run(d.get("run", {}))))


def sampled_call(run_ids: Sequence[str], key: str, per_run: int = SAMPLE_PER_RUN) -> Call[dict[str, list[Metric]]]:
    """MLflow's SQL-side sampling of one key for several runs (first and last point always kept)."""

    def _parse(d: dict[str, Any]) -> dict[str, list[Metric]]:
        out: dict[str, list[Metric]] = {rid: [] for rid in run_ids}
        for m in d.get("metrics", []) or []:
            out.setdefault(m.get("run_id", ""), []).append(parse.metric(m))
        return out

    return Call("GET", REST + "metrics/get-history-bulk-interval",
                params={"run_ids": list(run_ids), "metric_key": key, "max_results": per_run}, parse=_parse)


def one(call: Call[Any]) -> Flow[Any]:
    """A flow of a single call."""
    return (yield call)


def points_of(history: Sequence[Metric], x: str) -> list[tuple[float, float]]:
    ordered = sorted(history, key=lambda m: (m.step, m.timestamp))
    if x == "step":
        pts = [(float(m.step), m.value) for m in ordered]
    else:
        t0 = min((m.timestamp for m in ordered), default=0)
        pts = [((m.timestamp - t0) / 1000.0 if x == "relative" else float(m.timestamp), m.value) for m in ordered]
        pts.sort(key=lambda p: p[0])
    return pts


def build_series(ref: RunRef, history: Sequence[Metric], *, x: str, max_points: int, source: str,
                 total: Optional[int] = None) -> dict[str, Any]:
    """Finite points in x order, LTTB-reduced to ``max_points``."""
    pts, skipped = finite(points_of(history, x))
    method = "lttb" if len(pts) > max_points else "none"
    out = downsample(pts, max_points, "lttb") if method == "lttb" else pts
    return {"backend": ref.backend, "run_id": ref.run_id, "points": [[a, b] for a, b in out],
            "total": total if total is not None else len(pts) + skipped, "skipped": skipped,
            "shipped": len(out), "downsampled": method != "none", "method": method, "source": source,
            "cached": False}


class SeriesCache:
    """Downsampled series per (backend, run, key, max_points, x), valid while the run's latest point of
    the key is unchanged; RUNNING runs expire after seconds, others after an hour. LRU-bounded."""

    def __init__(self, max_entries: int = 4000, clock: Callable[[], float] = time.monotonic) -> None:
        self._data: OrderedDict[tuple[Any, ...], tuple[Any, float, dict[str, Any]]] = OrderedDict()
        self._runs: OrderedDict[RunRef, tuple[float, Fetched]] = OrderedDict()
        self.max_entries = max_entries
        self.clock = clock
        self.hits = self.misses = 0

    def get(self, key: tuple[Any, ...], signature: Any) -> Optional[dict[str, Any]]:
        item = self._data.get(key)
        if item is None or item[0] != signature or item[1] < self.clock():
            self.misses += 1
            return None
        self._data.move_to_end(key)
        self.hits += 1
        return {**item[2], "cached": True}

    def put(self, key: tuple[Any, ...], signature: Any, series: dict[str, Any], running: bool) -> None:
        self._data[key] = (signature, self.clock() + (RUNNING_TTL if running else FINISHED_TTL), series)
        self._data.move_to_end(key)
        while len(self._data) > self.max_entries:
            self._data.popitem(last=False)

    def run(self, ref: RunRef) -> Optional[Fetched]:
        item = self._runs.get(ref)
        return item[1] if item and item[0] >= self.clock() else None

    def keep_run(self, f: Fetched) -> None:
        """Only finished runs (a running one changes)."""
        if f.run.status not in ("RUNNING", "SCHEDULED"):
            self._runs[f.ref] = (self.clock() + RUN_TTL, f)
            self._runs.move_to_end(f.ref)
            while len(self._runs) > self.max_entries:
                self._runs.popitem(last=False)


def _signature(run: Run, key: str) -> Any:
    m = run.metrics.get(key)
    return None if m is None else (m.step, m.timestamp, repr(m.value))


def _error(ref: RunRef, exc: MlopsError) -> dict[str, Any]:
    return {"backend": ref.backend, "run_id": ref.run_id, "message": exc.message, "error": exc.error}


def limited(drive: Driver, limit: int = CONCURRENCY) -> Driver:
    """``drive`` with at most ``limit`` calls in flight."""
    sem = asyncio.Semaphore(limit)

    async def run(backend: str, flow: Flow[Any]) -> Any:
        async with sem:
            return await drive(backend, flow)

    return run


async def fetch_runs(refs: Sequence[RunRef], apis: dict[str, Api], drive: Driver,
                     cache: Optional[SeriesCache] = None) -> tuple[list[Fetched], list[dict[str, Any]]]:
    """Every run concurrently (finished MLflow runs from ``cache``); failures become ``errors`` entries
    (unless none succeeds)."""
    cached = {r: cache.run(r) for r in refs} if cache else {}
    todo = [r for r in refs if cached.get(r) is None]
    results = await asyncio.gather(*(drive(r.backend, one(get_run_call(apis[r.backend], r))) for r in todo),
                                   return_exceptions=True)
    got: dict[RunRef, Any] = {**{r: f for r, f in cached.items() if f is not None}, **dict(zip(todo, results))}
    fetched, errors = [], []
    for ref in refs:
        res = got[ref]
        if isinstance(res, MlopsError):
            errors.append(_error(ref, res))
        elif isinstance(res, BaseException):
            raise res
        else:
            fetched.append(res)
            if cache:
                cache.keep_run(res)
    if not fetched and results:
        raise next(r for r in results if isinstance(r, MlopsError))
    return fetched, errors


async def compare(refs: Sequence[RunRef], apis: dict[str, Api], drive: Driver, cache: SeriesCache, *,
                  metrics: Optional[Sequence[str]] = None, max_points: int = DEFAULT_POINTS, x: str = "step",
                  only_differences: bool = False, refresh: bool = False) -> dict[str, Any]:
    """The compare view (see .notes/API_ISSUE4.md); ``refresh`` skips the run cache."""
    check_options(max_points, x)
    started = time.perf_counter()
    drive = limited(drive)
    fetched, errors = await fetch_runs(refs, apis, drive, None if refresh else cache)
    runs = [f.run for f in fetched]
    all_keys = sorted({k for r in runs for k in r.metrics})
    keys = list(dict.fromkeys(metrics)) if metrics else all_keys[:DEFAULT_SERIES_KEYS]
    series: dict[tuple[str, RunRef], dict[str, Any]] = {}
    full: list[tuple[str, Fetched]] = []
    sampled: dict[tuple[str, str], list[Fetched]] = {}
    for key in keys:
        for f in fetched:
            if key not in f.run.metrics:
                continue
            ck = (f.ref.backend, f.ref.run_id, key, max_points, x)
            hit = cache.get(ck, _signature(f.run, key))
            if hit is not None:
                series[(key, f.ref)] = hit
            elif apis[f.ref.backend].dialect.is_gitlab or f.run.metrics[key].step < FULL_HISTORY_LIMIT:
                full.append((key, f))
            else:
                sampled.setdefault((key, f.ref.backend), []).append(f)

    async def _full(key: str, f: Fetched) -> None:
        hist, source = await drive(f.ref.backend, series_history(apis[f.ref.backend], f.run, key))
        series[(key, f.ref)] = build_series(f.ref, hist, x=x, max_points=max_points, source=source)

    async def _sampled(key: str, backend: str, part: list[Fetched]) -> None:
        got = await drive(backend, one(sampled_call([f.run.run_id for f in part], key, max_points)))
        for f in part:
            series[(key, f.ref)] = build_series(f.ref, got.get(f.run.run_id, []), x=x, max_points=max_points,
                                                source="sampled", total=f.run.metrics[key].step + 1)

    jobs = [_full(k, f) for k, f in full] + [
        _sampled(k, b, g[i:i + SAMPLE_RUNS_PER_CALL])
        for (k, b), g in sampled.items() for i in range(0, len(g), SAMPLE_RUNS_PER_CALL)]
    outcomes = await asyncio.gather(*jobs, return_exceptions=True)
    for out in outcomes:
        if isinstance(out, MlopsError):
            errors.append({"backend": None, "run_id": None, "message": out.message, "error": out.error})
        elif isinstance(out, BaseException):
            raise out
    for (key, ref), s in series.items():
        if not s.get("cached"):
            f = next(f for f in fetched if f.ref == ref)
            cache.put((ref.backend, ref.run_id, key, max_points, x), _signature(f.run, key), s,
                      running=f.run.status in ("RUNNING", "SCHEDULED"))
    labels = labels_for(fetched)
    return {
        "runs": [header(f, labels) for f in fetched],
        "params": param_rows(runs, only_differences),
        "metrics": metric_rows(runs),
        "series": [{"key": k, "runs": [series[(k, f.ref)] for f in fetched if (k, f.ref) in series]} for k in keys],
        "series_omitted": [] if metrics else all_keys[DEFAULT_SERIES_KEYS:],
        "x": x, "max_points": max_points, "errors": errors,
        "timing_ms": round((time.perf_counter() - started) * 1000, 1),
    }

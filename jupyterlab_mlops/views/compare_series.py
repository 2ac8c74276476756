"""The compare view as a plan (:mod:`.driver`): runs, tables, downsampled metric series and their cache.
The server drives it with :func:`.driver.run_async`, the notebook widget with :func:`.driver.run_sync`.

Fetch plan per series, cheapest first: the warm cache (valid while the run's latest point of the
key is unchanged); GitLab: ``metrics/get-history``, paged 1000 a page (its ``runs/get`` carries only the
latest value per key, GITLAB_API.md C1; an instance without get-history (404) gives the one latest point,
``source: "latest"``); MLflow: the full history when it is short (<= ``FULL_HISTORY_LIMIT`` steps) then
LTTB, else sampled in SQL: on the embedded backend from its own SQLite file (the lowest and highest value per
step bucket, :mod:`..client.embedded_store`), elsewhere by MLflow (``metrics/get-history-bulk-interval``:
``max_points`` rows per run, first and last kept, a few runs per request so one request stays well under the
backend timeout).
Finished runs are also kept ``RUN_TTL`` seconds, so a warm compare makes no backend call. A RUNNING run's
known series: only the new steps (:mod:`.series_tail`); a finished run's series: from disk when the server
has a store (:mod:`.series_store`), so a restarted server is warm.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

from ..client import parse
from ..client.api import Api
from ..client.calls import REST, Call
from ..client.errors import MlopsError
from ..client.flows import one
from ..client.models import Metric, Run
from .cache import ACTIVE, DONE, SeriesCache
from .charts import chart_points
from .compare import DEFAULT_POINTS, Fetched, RunRef, check_options, header, labels_for, metric_rows, param_rows
from .driver import Fanout, Job, Plan
from .series_tail import SAMPLE_PER_RUN, SeriesBase, sampled, sampled_call, tail, whole

__all__ = ["SAMPLE_PER_RUN", "compare", "series_for", "fetch_runs", "sampled_call"]

if TYPE_CHECKING:
    from .wire.compare import CompareError, CompareResult, CompareSeriesRun

DEFAULT_SERIES_KEYS = 12
FULL_HISTORY_LIMIT = 20_000
SAMPLE_RUNS_PER_CALL = 4  # ~1 s of MLflow/SQLite work per 100k-point series
SeriesMap = dict[tuple[str, RunRef], dict[str, Any]]


def get_run_call(api: Api, ref: RunRef) -> Call[Fetched]:
    """``runs/get``: the run and its latest metrics (never a series: GitLab sends only the latest, C1)."""
    return Call(
        "GET",
        REST + "runs/get",
        params={"run_id": ref.run_id},
        parse=lambda d: Fetched(ref, parse.run(d.get("run", {}))),
    )


def build_series(
    ref: RunRef, history: Sequence[Metric], *, x: str, max_points: int, source: str, total: Optional[int] = None
) -> CompareSeriesRun:
    """Finite points in x order, LTTB-reduced to ``max_points``."""
    out, kept, skipped = chart_points(history, x=x, max_points=max_points)
    return {
        "backend": ref.backend,
        "run_id": ref.run_id,
        "points": [[a, b] for a, b in out],
        "total": total if total is not None else kept + skipped,
        "skipped": skipped,
        "shipped": len(out),
        "downsampled": len(out) < kept,
        "method": "lttb" if len(out) < kept else "none",
        "source": source,
        "cached": False,
    }


def _signature(run: Run, key: str) -> Any:
    m = run.metrics.get(key)
    return None if m is None else (m.step, m.timestamp, repr(m.value))


def _shown(run: Run, key: str) -> Any:
    """What a shipped series is valid for: the latest point, and whether the run is still going (a run that
    finishes gets one final full fetch)."""
    return (_signature(run, key), run.status in ACTIVE)


def _error(ref: Optional[RunRef], exc: MlopsError) -> CompareError:
    return {
        "backend": ref.backend if ref else None,
        "run_id": ref.run_id if ref else None,
        "message": exc.message,
        "error": exc.error,
    }


def fetch_runs(
    refs: Sequence[RunRef], apis: dict[str, Api], cache: Optional[SeriesCache] = None
) -> Plan[tuple[list[Fetched], list[dict[str, Any]]]]:
    """Every run at once (finished runs from ``cache``, the embedded backend's from its file, the others'
    ``runs/get``); failures become ``errors`` entries (unless none succeeds: then the first failure is raised)."""
    cached = {r: cache.run(r) for r in refs} if cache else {}
    got: dict[RunRef, Any] = {r: f for r, f in cached.items() if f is not None}
    todo = [r for r in refs if r not in got]
    got.update((yield from _read_runs(todo)))
    todo = [r for r in todo if r not in got]
    results = yield Fanout([Job(r.backend, one(get_run_call(apis[r.backend], r))) for r in todo])
    got.update(zip(todo, results))
    fetched, errors = [], []
    for ref in refs:
        res = got[ref]
        if isinstance(res, MlopsError):
            errors.append(_error(ref, res))
            continue
        fetched.append(res)
        if cache:
            cache.keep_run(ref, res, res.run.status)
    if not fetched and results:
        raise next(r for r in results if isinstance(r, MlopsError))
    return fetched, errors


def _read_runs(refs: Sequence[RunRef]) -> Plan[dict[RunRef, Fetched]]:
    """The runs the embedded backend's own file has (read there, one read per backend); none elsewhere."""
    by_backend: dict[str, list[RunRef]] = {}
    for r in refs:
        by_backend.setdefault(r.backend, []).append(r)
    if not by_backend:
        return {}
    reads = yield Fanout([Job(b, None, read=_run_reader([r.run_id for r in rs])) for b, rs in by_backend.items()])
    return {
        r: Fetched(r, got[r.run_id])
        for rs, got in zip(by_backend.values(), reads)
        if isinstance(got, dict)
        for r in rs
        if r.run_id in got
    }


def _run_reader(run_ids: list[str]) -> Callable[[Any], dict[str, Run]]:
    return lambda store: store.get_runs(run_ids)


def series_for(
    fetched: Sequence[Fetched],
    keys: Sequence[str],
    apis: dict[str, Api],
    cache: SeriesCache,
    *,
    max_points: int,
    x: str,
) -> Plan[tuple[SeriesMap, list[dict[str, Any]]]]:
    """The series of ``keys`` for every run that has them, from the caches or fetched at once (a RUNNING
    run's known series: only its new steps, :func:`.series_tail.tail`); ``(series by (key, ref), errors)``."""
    series: SeriesMap = {}
    bases: dict[tuple[str, RunRef], SeriesBase] = {}
    from_disk: set[tuple[str, RunRef]] = set()
    full: list[tuple[str, Fetched]] = []
    tails: list[tuple[str, Fetched, SeriesBase]] = []
    sampled_runs: dict[tuple[str, str], list[Fetched]] = {}
    for key in keys:
        for f in fetched:
            if key not in f.run.metrics:
                continue
            hit = cache.get((f.ref.backend, f.ref.run_id, key, max_points, x), _shown(f.run, key))
            if hit is not None:
                series[(key, f.ref)] = hit
                continue
            api = apis[f.ref.backend]
            whole_series = api.dialect.is_gitlab or f.run.metrics[key].step < FULL_HISTORY_LIMIT
            live = cache.live((f.ref, key)) if f.run.status in ACTIVE else None
            stored = (
                cache.stored(_where(api, f, key, whole_series, max_points), _validator(f.run, key))
                if f.run.status in DONE
                else None
            )
            if stored is not None:
                bases[(key, f.ref)] = stored
                from_disk.add((key, f.ref))
            elif live is not None and (live.kind == "full" or (live.kind == "sampled" and live.budget == max_points)):
                tails.append((key, f, live))
            elif whole_series:
                full.append((key, f))
            else:
                sampled_runs.setdefault((key, f.ref.backend), []).append(f)
    if sampled_runs:  # the embedded backend samples in SQL, a series a job; elsewhere (None) MLflow's REST does
        singles = [(k, b, f) for (k, b), g in sampled_runs.items() for f in g]
        direct = yield Fanout([Job(b, None, read=_sampler([f.run.run_id], k, max_points)) for k, b, f in singles])
        sampled_runs = {}
        for (key, b, f), res in zip(singles, direct):
            if isinstance(res, dict):
                bases.update(_sampled_bases(key, [f], res, max_points, "sql"))
            else:
                sampled_runs.setdefault((key, b), []).append(f)
    groups = [
        (k, b, g[i : i + SAMPLE_RUNS_PER_CALL])
        for (k, b), g in sampled_runs.items()
        for i in range(0, len(g), SAMPLE_RUNS_PER_CALL)
    ]
    results = yield Fanout(
        [Job(f.ref.backend, whole(apis[f.ref.backend], f.run, k)) for k, f in full]
        + [
            Job(f.ref.backend, tail(apis[f.ref.backend], f.run, k, b, full_limit=FULL_HISTORY_LIMIT, budget=max_points))
            for k, f, b in tails
        ]
        + [Job(b, one(sampled_call([f.run.run_id for f in part], k, max_points))) for k, b, part in groups]
    )
    errors = [_error(None, r) for r in results if isinstance(r, MlopsError)]
    for (key, f), res in zip([(k, f) for k, f in full] + [(k, f) for k, f, _ in tails], results):
        if not isinstance(res, MlopsError):
            bases[(key, f.ref)] = res
    for (key, _b, part), res in zip(groups, results[len(full) + len(tails) :]):
        if not isinstance(res, MlopsError):
            bases.update(_sampled_bases(key, part, res, max_points, "sampled"))
    _keep(fetched, bases, from_disk, apis, cache, max_points)
    runs = {f.ref: f.run for f in fetched}
    for (key, ref), base in bases.items():
        built = build_series(ref, base.points, x=x, max_points=max_points, source=base.source, total=base.total)
        cache.put(
            (ref.backend, ref.run_id, key, max_points, x),
            _shown(runs[ref], key),
            built,
            running=runs[ref].status in ACTIVE,
        )
        series[(key, ref)] = {**built, "cached": True} if (key, ref) in from_disk else built
    return series, errors


def _where(api: Api, f: Fetched, key: str, whole_series: bool, max_points: int) -> tuple[str, str, str, str]:
    """A finished series' place on disk: the backend (by its URL), run, key and what was fetched."""
    return (api.tracking_uri, f.run.run_id, key, "full" if whole_series else f"sampled:{max_points}")


def _validator(run: Run, key: str) -> Any:
    """What a stored series must match: the run's latest point of ``key``, its status and end time."""
    return [_signature(run, key), run.status, run.end_time]


def _keep(
    fetched: Sequence[Fetched],
    bases: dict[tuple[str, RunRef], SeriesBase],
    from_disk: set[tuple[str, RunRef]],
    apis: dict[str, Api],
    cache: SeriesCache,
    max_points: int,
) -> None:
    """RUNNING runs' fetched points stay in memory (for tail fetches), finished runs' go to disk."""
    runs = {f.ref: f for f in fetched}
    rows = []
    for (key, ref), base in bases.items():
        f = runs[ref]
        if (key, ref) in from_disk:
            continue
        if f.run.status in ACTIVE:
            cache.keep_live((ref, key), base if base.kind in ("full", "sampled") else None)
            continue
        cache.keep_live((ref, key), None)
        if f.run.status in DONE and base.source != "latest":
            whole_series = base.kind == "full"
            rows.append((_where(apis[ref.backend], f, key, whole_series, max_points), _validator(f.run, key), base))
    cache.store_many(rows)


def _sampled_bases(
    key: str, part: Sequence[Fetched], got: dict[str, list[Metric]], budget: int, kind: str
) -> dict[tuple[str, RunRef], SeriesBase]:
    """The sampled series of ``key`` for the runs of one read (SQL or MLflow's), ``total`` from the last step."""
    return {(key, f.ref): sampled(got.get(f.run.run_id, []), budget, f.run.metrics[key].step, kind) for f in part}


def _sampler(run_ids: list[str], key: str, max_points: int) -> Callable[[Any], dict[str, list[Metric]]]:
    """A read of the embedded store: the bucket extremes of ``key`` for ``run_ids`` (see ``sampled_history``)."""
    return lambda store: store.sampled_history(run_ids, key, max_points)


def tables(fetched: Sequence[Fetched], only_differences: bool = False) -> dict[str, Any]:
    """The runs (with their legend labels), the params diff and the latest-metrics table."""
    labels = labels_for(fetched)
    runs = [f.run for f in fetched]
    return {
        "runs": [header(f, labels) for f in fetched],
        "params": param_rows(runs, only_differences),
        "metrics": metric_rows(runs),
    }


def compare(
    refs: Sequence[RunRef],
    apis: dict[str, Api],
    cache: SeriesCache,
    *,
    metrics: Optional[Sequence[str]] = None,
    max_points: int = DEFAULT_POINTS,
    x: str = "step",
    only_differences: bool = False,
    refresh: bool = False,
) -> Plan[CompareResult]:
    """The compare view (``ICompareResultWire`` in ``src/api/compareTypes.ts``); ``refresh`` skips the run cache.

    Series of at most 12 metric keys unless ``metrics`` names them (the rest in ``series_omitted``)."""
    check_options(max_points, x)
    started = time.perf_counter()
    fetched, errors = yield from fetch_runs(refs, apis, None if refresh else cache)
    all_keys = sorted({k for f in fetched for k in f.run.metrics})
    keys = list(dict.fromkeys(metrics)) if metrics else all_keys[:DEFAULT_SERIES_KEYS]
    series, series_errors = yield from series_for(fetched, keys, apis, cache, max_points=max_points, x=x)
    return {
        **tables(fetched, only_differences),
        "series": [{"key": k, "runs": [series[(k, f.ref)] for f in fetched if (k, f.ref) in series]} for k in keys],
        "series_omitted": [] if metrics else all_keys[DEFAULT_SERIES_KEYS:],
        "x": x,
        "max_points": max_points,
        "errors": errors + series_errors,
        "timing_ms": round((time.perf_counter() - started) * 1000, 1),
    }

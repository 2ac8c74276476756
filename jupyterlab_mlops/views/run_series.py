"""One metric of one run for the run page's chart, read the way compare reads its series (:mod:`.compare_series`):
a long MLflow series sampled where it lives (the embedded store's SQL, else ``get-history-bulk-interval``),
never its full history; the series cache shared with compare (memory, and disk for finished runs), and its
memo of finished runs: the run page's twenty charts ask ``runs/get`` once, not twenty times.
(:func:`.run_detail.metric_chart` is the path for GitLab and for a method other than LTTB.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ..client.api import Api
from .cache import SeriesCache
from .compare import Fetched, RunRef
from .compare_series import fetch_runs, series_for
from .driver import AsyncDrive, Plan, SharedReads, run_async
from .run_detail import history_x, metric_chart, not_deleted

if TYPE_CHECKING:
    from .wire.runs import MetricHistory


async def chart_run(
    drive: AsyncDrive, api: Api, backend: str, run_id: str, cache: SeriesCache, reads: SharedReads
) -> Fetched:
    """The run a chart is drawn for, read as compare reads it (:func:`.compare_series.fetch_runs`: a finished
    run from the memo); the charts asked together share that one read, and its error."""
    ref = RunRef(backend, run_id)

    async def read() -> Fetched:
        (fetched,), _ = await run_async(fetch_runs([ref], {backend: api}, cache), drive)  # one run: its error raised
        return fetched

    return await reads.read(ref, read)


def sampled_chart(
    api: Api,
    backend: str,
    run_id: str,
    key: str,
    cache: SeriesCache,
    *,
    x: str = "step",
    max_points: int = 500,
    fetched: Optional[Fetched] = None,
) -> Plan[MetricHistory]:
    """``GET .../runs/{run_id}/metrics/{key}`` (LTTB to ``max_points``) through the compare series path, for the
    run as ``fetched`` (:func:`chart_run`), else as read here."""
    x = history_x(x)
    ref = RunRef(backend, run_id)
    if fetched is None:
        (fetched,), _ = yield from fetch_runs([ref], {backend: api}, cache)  # one run: its failure is raised
    run = not_deleted(fetched.run)
    got = None
    if key in run.metrics:
        series, errors = yield from series_for([fetched], [key], {backend: api}, cache, max_points=max_points, x=x)
        got = series.get((key, ref))
        if got is None and errors:  # the history route raises the backend's error as it is
            return (yield from metric_chart(api, backend, run_id, key, x=x, max_points=max_points))
    if got is None:  # never logged: an empty chart, as the history route answers
        return {
            "run_id": run_id,
            "key": key,
            "x": "time" if x == "time" else "step",
            "points": [],
            "total": 0,
            "skipped": 0,
            "downsampled": False,
            "method": "none",
            "source": "history",
        }
    total = got["total"] - got["skipped"]  # the finite points, as the history route counts
    downsampled = len(got["points"]) < total
    # sampled where it lives (the embedded store's bucket extremes, MLflow's intervals), then LTTB when needed
    method = got["method"] if got["downsampled"] else ("minmax" if got["source"] == "sql" else "lttb")
    return {
        "run_id": run_id,
        "key": key,
        "x": "time" if x == "time" else "step",
        "points": [[int(a) if float(a).is_integer() else a, b] for a, b in got["points"]],
        "total": total,
        "skipped": got["skipped"],
        "downsampled": downsampled,
        "method": method if downsampled else "none",
        "source": "history",
    }

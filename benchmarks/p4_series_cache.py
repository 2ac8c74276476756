"""P4 on a remote MLflow (the REST path forced, never the embedded SQL one): compare 10 runs x 3 metrics x
100k steps cold, warm after a restart (the disk cache of finished runs' series, the memory cache gone), and
the poll of a RUNNING 100k-step run after 1,000 new steps (only the new steps fetched). Each against
MLflow's own way in the same run: ``get-history-bulk-interval`` of every series (what the MLflow UI asks
for, on open and on every poll).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import p4_compare  # noqa: E402
from common import MlflowServer, Row  # noqa: E402

METRICS, STEPS, NEW = p4_compare.METRICS, p4_compare.STEPS, 1000


def running_run(server: MlflowServer) -> str:
    """One RUNNING run with 3 metrics x 100k steps (written straight into the store, as P4's seed does)."""
    api = f"{server.url}/api/2.0/mlflow"
    exp = requests.post(f"{api}/experiments/create", json={"name": f"p4-live-{int(time.time())}"}, timeout=30).json()
    rid = requests.post(
        f"{api}/runs/create", json={"experiment_id": exp["experiment_id"], "run_name": "p4-live"}, timeout=30
    ).json()["run"]["info"]["run_id"]
    log_steps(server, rid, range(STEPS), first=True)
    return rid


def log_steps(server: MlflowServer, rid: str, steps: range, first: bool = False) -> None:
    t0 = int(time.time() * 1000) - STEPS * 10
    last = steps[-1]
    with server.store() as db:
        for key in METRICS:
            db.insert(
                "metrics",
                ("key", "value", "timestamp", "run_uuid", "step", "is_nan"),
                ((key, 1.0 / (1 + s), t0 + s * 10, rid, s, False) for s in steps),
            )
            row = (key, 1.0 / (1 + last), t0 + last * 10, last, False, rid)
            if first:
                db.insert("latest_metrics", ("key", "value", "timestamp", "step", "is_nan", "run_uuid"), [row])
            else:
                ph = db.placeholder
                db.conn.cursor().execute(
                    f"UPDATE latest_metrics SET value={ph}, timestamp={ph}, step={ph}, is_nan={ph} "
                    f"WHERE key={ph} AND run_uuid={ph}",
                    row[1:5] + (key, rid),
                )


def mlflow_way(url: str, run_ids: list[str]) -> float:
    """MLflow's own sampled read: one ``get-history-bulk-interval`` per series, 1,000 points."""
    t = time.perf_counter()
    for r in run_ids:
        for k in METRICS:
            requests.get(
                f"{url}/api/2.0/mlflow/metrics/get-history-bulk-interval",
                params={"run_ids": r, "metric_key": k, "max_results": 1000},
                timeout=300,
            ).raise_for_status()
    return time.perf_counter() - t


async def ours(server: MlflowServer, run_ids: list[str], live: str) -> dict[str, Any]:
    from jupyterlab_mlops.client import Backend
    from jupyterlab_mlops.server.transport import AsyncClient
    from jupyterlab_mlops.views import compare as cmp
    from jupyterlab_mlops.views import compare_series as cs
    from jupyterlab_mlops.views.cache import SeriesCache
    from jupyterlab_mlops.views.driver import run_async
    from jupyterlab_mlops.views.series_store import SeriesStore

    client = AsyncClient(Backend.from_uri(server.url, name="default"), timeout=300)
    folder = Path(tempfile.mkdtemp(prefix="p4-series-"))

    async def once(cache: SeriesCache, ids: list[str]) -> tuple[float, dict[str, Any]]:
        t = time.perf_counter()
        got = await run_async(  # no ``direct``: MLflow's REST API, as for a remote server
            cs.compare([cmp.RunRef("default", r) for r in ids], {"default": client.api}, cache, metrics=list(METRICS)),
            lambda b, f: client.drive(f),
        )
        return time.perf_counter() - t, got

    def cache() -> SeriesCache:  # a new process: only the file is shared
        return SeriesCache(store=SeriesStore(folder / "series.sqlite3"))

    cold, first = await once(cache(), run_ids)
    warm, again = await once(cache(), run_ids)
    assert all(s["cached"] for m in again["series"] for s in m["runs"]), "warm-after-restart must come from disk"
    polling = cache()
    await once(polling, [live])
    log_steps(server, live, range(STEPS, STEPS + NEW))
    poll, polled = await once(polling, [live])
    assert all(s["total"] == STEPS + NEW and s["points"][-1][0] == STEPS + NEW - 1 for s in polled["series"][0]["runs"])
    await client.close()
    size = sum(p.stat().st_size for p in folder.iterdir())
    return {"cold": cold, "warm": warm, "poll": poll, "disk": size}


def measure(server: MlflowServer) -> list[Row]:
    run_ids = p4_compare.seed(server)
    live = running_run(server)
    o = asyncio.run(ours(server, run_ids, live))
    ref = mlflow_way(server.url, run_ids)
    ref_poll = mlflow_way(server.url, [live])
    work = f"compare {len(run_ids)} runs x {len(METRICS)} metrics x {STEPS // 1000}k steps, remote MLflow (REST)"
    way = f"get-history-bulk-interval x {len(run_ids) * len(METRICS)}"
    return [
        Row("P4", f"{work}: cold", f"{o['cold'] * 1000:.0f} ms", f"{ref * 1000:.0f} ms ({way})",
            f"{o['cold'] / ref:.2f}x", "<= 0.5x", o["cold"] <= 0.5 * ref),
        Row("P4", f"{work}: warm after a restart (disk cache, {o['disk'] / 1e6:.1f} MB)", f"{o['warm'] * 1000:.0f} ms",
            f"{ref * 1000:.0f} ms ({way})", f"{o['warm'] / ref:.3f}x", "<= 0.5x", o["warm"] <= 0.5 * ref),
        Row("P4", f"poll of a RUNNING run ({len(METRICS)} metrics x {STEPS // 1000}k steps) after {NEW:,} new steps",
            f"{o['poll'] * 1000:.0f} ms", f"{ref_poll * 1000:.0f} ms (get-history-bulk-interval x {len(METRICS)})",
            f"{o['poll'] / ref_poll:.3f}x", "<= 0.5x", o["poll"] <= 0.5 * ref_poll),
    ]  # fmt: skip


if __name__ == "__main__":
    with MlflowServer() as srv:
        for row in measure(srv):
            print(row.markdown())

"""P4: compare 10 runs x 3 metrics x 100k steps (DESIGN §8): points shipped per series, cold and warm.

Ours: ``views.compare_series.compare`` (what ``GET compare`` runs) through the server's async transport,
JSON-encoded as the route sends it; cold = empty series cache, warm = the same request again.
Reference: the MLflow way, ``MlflowClient.get_metric_history`` for every run and metric (full
histories, as a notebook would chart them). The 3M points are written straight into MLflow's
SQL store, SQLite or PostgreSQL (through REST they would take ~13 minutes); runs and experiment are made through REST.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Optional

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from common import MlflowServer, Row  # noqa: E402

RUNS, METRICS, STEPS = 10, ("loss", "val_loss", "accuracy"), 100_000


_SEEDED: dict[str, list[str]] = {}  # per server URL: P4's rows share one seeded experiment


def seed(server: MlflowServer) -> list[str]:
    if server.url in _SEEDED:
        return _SEEDED[server.url]
    api = f"{server.url}/api/2.0/mlflow"
    exp = requests.post(f"{api}/experiments/create", json={"name": f"p4-{int(time.time())}"}, timeout=30).json()
    t0 = int(time.time() * 1000) - STEPS * 10
    run_ids = []
    for i in range(RUNS):
        run = requests.post(
            f"{api}/runs/create",
            json={"experiment_id": exp["experiment_id"], "start_time": t0, "run_name": f"p4-run-{i}"},
            timeout=30,
        ).json()["run"]
        rid = run["info"]["run_id"]
        requests.post(
            f"{api}/runs/log-batch",
            json={
                "run_id": rid,
                "params": [{"key": "lr", "value": str(10 ** -(i % 4))}, {"key": "depth", "value": str(3 + i % 3)}],
            },
            timeout=30,
        )
        requests.post(
            f"{api}/runs/update", json={"run_id": rid, "status": "FINISHED", "end_time": t0 + STEPS * 10}, timeout=30
        )
        run_ids.append(rid)
    with server.store() as db:  # SQLite or PostgreSQL (benchmarks/run --backend)
        for i, rid in enumerate(run_ids):
            for k, key in enumerate(METRICS):

                def value(s: int) -> float:
                    base = math.exp(-s / (20_000 + 3_000 * i))
                    return (1 - base if key == "accuracy" else base) + 0.02 * math.sin(s / 50 + i + k)

                db.insert_series(rid, key, value, t0, STEPS)
    _SEEDED[server.url] = run_ids
    return run_ids


async def ours(url: str, run_ids: list[str], db: Optional[Path], warm_repeats: int = 5) -> dict[str, Any]:
    """What ``GET compare`` runs: on SQLite as on the embedded backend, the series sampled in its file (MLflow's
    modules imported beforehand, as the server does in the background on first use); elsewhere (``db`` None,
    a remote MLflow) through MLflow's REST API."""
    import logging

    from jupyterlab_mlops.client import Backend
    from jupyterlab_mlops.server.embedded_reads import EmbeddedReads
    from jupyterlab_mlops.server.transport import AsyncClient
    from jupyterlab_mlops.views import compare as cmp
    from jupyterlab_mlops.views import compare_series as cs
    from jupyterlab_mlops.views.cache import SeriesCache
    from jupyterlab_mlops.views.driver import run_async

    client = AsyncClient(Backend.from_uri(url, name="default"), timeout=300)
    cache = SeriesCache()
    refs = [cmp.RunRef("default", r) for r in run_ids]
    reads = EmbeddedReads(db, logging.getLogger("p4")) if db else None
    while reads and await reads.read(lambda store: True) is None:  # the first read starts the import
        await asyncio.sleep(0.1)

    async def once() -> tuple[float, dict[str, Any], int]:
        t = time.perf_counter()
        result = await run_async(
            cs.compare(refs, {"default": client.api}, cache, metrics=list(METRICS), max_points=1000),
            lambda b, f: client.drive(f),
            direct=(lambda b, read: reads.read(read)) if reads else None,
        )
        size = len(json.dumps(result))
        return time.perf_counter() - t, result, size

    cold, result, size = await once()
    warm = [(await once())[0] for _ in range(warm_repeats)]
    shipped = max(s["shipped"] for m in result["series"] for s in m["runs"])
    return {
        "cold": cold,
        "warm": statistics.median(warm),
        "shipped": shipped,
        "bytes": size,
        "sources": sorted({s["source"] for m in result["series"] for s in m["runs"]}),
    }


def floor(url: str, run_ids: list[str], per_run: int = 1000) -> float:
    """The backend's own cheapest downsampled read: one ``get-history-bulk-interval`` per series."""
    t = time.perf_counter()
    for r in run_ids:
        for k in METRICS:
            requests.get(
                f"{url}/api/2.0/mlflow/metrics/get-history-bulk-interval",
                params={"run_ids": r, "metric_key": k, "max_results": per_run},
                timeout=300,
            ).raise_for_status()
    return time.perf_counter() - t


def reference(url: str, run_ids: list[str]) -> dict[str, Any]:
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    from mlflow.tracking import MlflowClient

    client = MlflowClient(url)
    t = time.perf_counter()
    points = [len(client.get_metric_history(r, k)) for r in run_ids for k in METRICS]
    return {"time": time.perf_counter() - t, "points": max(points)}


def measure(server: MlflowServer) -> list[Row]:
    t = time.perf_counter()
    run_ids = seed(server)
    print(f"p4: seeded {RUNS * len(METRICS) * STEPS:,} points in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    o = asyncio.run(ours(server.url, run_ids, server.dir / "mlflow.db" if server.kind == "sqlite" else None))
    low = floor(server.url, run_ids)
    ref = reference(server.url, run_ids)
    work = f"compare {RUNS} runs x {len(METRICS)} metrics x {STEPS // 1000}k steps"
    return [
        Row(
            "P4",
            f"{work}: points per series shipped",
            f"{o['shipped']:,} ({o['bytes'] / 1e6:.2f} MB JSON in all)",
            f"{ref['points']:,}",
            f"{o['shipped'] / ref['points']:.3f}x",
            "<= 2,000",
            o["shipped"] <= 2000,
        ),
        Row(
            "P4",
            f"{work}: cold (empty cache; {'/'.join(o['sources'])}; MLflow's own SQL sampling of the 30 "
            f"series alone takes {low * 1000:.0f} ms)",
            f"{o['cold'] * 1000:.0f} ms",
            f"{ref['time'] * 1000:.0f} ms (MlflowClient.get_metric_history x {RUNS * len(METRICS)})",
            f"{o['cold'] / ref['time']:.3f}x",
            "<= 1.5 s",
            o["cold"] <= 1.5,
        ),
        Row(
            "P4",
            f"{work}: warm (same request again, median of 5)",
            f"{o['warm'] * 1000:.0f} ms",
            f"{ref['time'] * 1000:.0f} ms",
            f"{o['warm'] / ref['time']:.4f}x",
            "<= 100 ms",
            o["warm"] <= 0.1,
        ),
    ]


if __name__ == "__main__":
    with MlflowServer() as srv:
        for row in measure(srv):
            print(row.markdown())

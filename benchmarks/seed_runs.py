"""Seed (once) and cache an MLflow database with a large experiment for the P3 benchmark.

The seeded store lives under ``benchmarks/.cache/<name>/`` (git-ignored) and is reused by later runs:
``seeded_server(...)`` starts an ``mlflow server`` on it and returns it with the experiment id.

    python benchmarks/seed_runs.py            # seed the default 10k x 50 x 20 store (a few minutes)
"""

from __future__ import annotations

import json
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import AnyServer, MlflowServer, server_for  # noqa: E402

CACHE = HERE / ".cache"


def _run_payload(i: int, n_params: int, n_metrics: int, now: int) -> tuple[list[dict], list[dict], list[dict]]:
    rnd = random.Random(i)
    params = [{"key": f"param_{p:02d}", "value": str(round(rnd.uniform(0, 10), 4))} for p in range(n_params)]
    metrics = [{"key": f"metric_{m:02d}", "value": rnd.random(), "timestamp": now, "step": 0} for m in range(n_metrics)]
    tags = [
        {"key": "team", "value": rnd.choice(["vision", "nlp", "tabular"])},
        {"key": "mlflow.user", "value": rnd.choice(["ada", "grace", "linus"])},
        {"key": "mlflow.source.name", "value": f"notebooks/train_{i % 7}.ipynb"},
        {"key": "mlflow.source.type", "value": "NOTEBOOK"},
    ]
    return params, metrics, tags


def _seed(url: str, runs: int, n_params: int, n_metrics: int, threads: int) -> str:
    api = f"{url}/api/2.0/mlflow"
    exp_id = requests.post(f"{api}/experiments/create", json={"name": "p3-large"}, timeout=30).json()["experiment_id"]
    start = int(time.time() * 1000) - runs * 1000
    local = __import__("threading").local()

    def one(i: int) -> None:
        s = getattr(local, "s", None) or requests.Session()
        local.s = s
        t0 = start + i * 1000
        run = s.post(
            f"{api}/runs/create",
            json={"experiment_id": exp_id, "start_time": t0, "run_name": f"run-{i:05d}"},
            timeout=60,
        ).json()["run"]
        rid = run["info"]["run_id"]
        params, metrics, tags = _run_payload(i, n_params, n_metrics, t0)
        r = s.post(
            f"{api}/runs/log-batch",
            json={"run_id": rid, "params": params, "metrics": metrics, "tags": tags},
            timeout=60,
        )
        r.raise_for_status()
        s.post(
            f"{api}/runs/update",
            json={"run_id": rid, "status": "FINISHED" if i % 10 else "FAILED", "end_time": t0 + 500},
            timeout=60,
        ).raise_for_status()

    t = time.time()
    with ThreadPoolExecutor(threads) as pool:
        for n, _ in enumerate(pool.map(one, range(runs)), 1):
            if n % 1000 == 0:
                print(f"  seeded {n}/{runs} runs in {time.time() - t:.0f} s", file=sys.stderr, flush=True)
    return str(exp_id)


def seeded_server(
    runs: int = 10_000, n_params: int = 50, n_metrics: int = 20, threads: int = 8, kind: str = "sqlite"
) -> tuple[AnyServer, str]:
    """A started server on the cached store (seeded on first use) and the experiment id. ``kind="postgres"``:
    a fresh team backend (PostgreSQL + S3), seeded every time (its cluster does not outlive the run)."""
    if kind != "sqlite":
        fresh = server_for(kind).start()
        print(
            f"seeding {runs} runs x {n_params} params x {n_metrics} metrics into {kind} ...",
            file=sys.stderr,
            flush=True,
        )
        return fresh, _seed(fresh.url, runs, n_params, n_metrics, threads)
    d = CACHE / f"mlflow-{runs}x{n_params}x{n_metrics}"
    marker = d / "seeded.json"
    d.mkdir(parents=True, exist_ok=True)
    if not marker.exists():
        for f in d.glob("mlflow.db*"):  # a half-seeded store from an interrupted run
            f.unlink()
    server = MlflowServer(d).start()
    if marker.exists():
        return server, json.loads(marker.read_text())["experiment_id"]
    print(
        f"seeding {runs} runs x {n_params} params x {n_metrics} metrics into {d} (once) ...",
        file=sys.stderr,
        flush=True,
    )
    exp_id = _seed(server.url, runs, n_params, n_metrics, threads)
    marker.write_text(json.dumps({"experiment_id": exp_id, "runs": runs, "seeded_at": time.time()}))
    return server, exp_id


def main(argv: list[str]) -> int:
    runs = int(argv[0]) if argv else 10_000
    t = time.time()
    server, exp_id = seeded_server(runs)
    try:
        info: Any = requests.post(
            f"{server.url}/api/2.0/mlflow/runs/search", json={"experiment_ids": [exp_id], "max_results": 1}, timeout=60
        ).json()
        print(f"experiment {exp_id} ready in {time.time() - t:.0f} s; first run:", info["runs"][0]["info"]["run_name"])
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""P1: deliver 100,000 metric points from a training loop (DESIGN §8), all against the same server.

Each contender runs in a fresh interpreter (so nothing is warm and one cannot slow another):

* ours: ``mlops.log_metric(key, value, step=i)`` 100k times, then ``mlops.flush()``; delivery is
  loop start to flush return, checked by reading the history back (exactly 100k points);
  caller cost is the loop's time per call (the timing the kernel-API unit tests used to assert).
* the backend's own limit: ``MlflowClient.log_batch`` of 1,000 points per call, hand-driven, 100 calls.
* MLflow's synchronous client: ``MlflowClient.log_metric`` per point, measured on 2,000 points
  and extrapolated to 100k (at ~20 ms per point the full run would take half an hour).
* MLflow's async logging (``mlflow.config.enable_async_logging()`` + ``mlflow.log_metric``):
  caller cost per call and delivery time on 2,000 points (``mlflow.flush_async_logging()``),
  delivery extrapolated to 100k.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import MLFLOW_ENV, MlflowServer, Row  # noqa: E402

N = 100_000
SAMPLE = 2_000

OURS = """
import time, json, requests
import jupyterlab_mlops as mlops
assert "mlflow" not in __import__("sys").modules
mlops.experiment("p1-ours-" + str(time.time()))
run = mlops.start_run(name="p1-ours")
N = {n}
t0 = time.perf_counter()
for i in range(N):
    mlops.log_metric("loss", 1.0 / (i + 1), step=i)
t_loop = time.perf_counter() - t0
r = mlops.flush()
t_total = time.perf_counter() - t0
mlops.end_run()
url = "{url}/api/2.0/mlflow/metrics/get-history"
pts, tok = [], None
while True:
    q = {{"run_id": run.run_id, "metric_key": "loss", "max_results": 25000}}
    if tok:
        q["page_token"] = tok
    page = requests.get(url, params=q).json()
    pts += page.get("metrics", [])
    tok = page.get("next_page_token")
    if not tok:
        break
print(json.dumps({{"loop": t_loop, "total": t_total, "stored": len(pts), "steps": len({{p["step"] for p in pts}}),
                  "delivered": r.delivered}}))
"""

LIMIT = """
import time, json
from mlflow import MlflowClient
from mlflow.entities import Metric
c = MlflowClient("{url}")
exp = c.create_experiment("p1-limit-" + str(time.time()))
rid = c.create_run(exp).info.run_id
N = {n}
now = int(time.time() * 1000)
t0 = time.perf_counter()
for b in range(0, N, 1000):
    c.log_batch(rid, metrics=[Metric("loss", 1.0 / (i + 1), now + i, i) for i in range(b, b + 1000)])
print(json.dumps({{"total": time.perf_counter() - t0}}))
"""

SYNC = """
import time, json
from mlflow import MlflowClient
c = MlflowClient("{url}")
exp = c.create_experiment("p1-sync-" + str(time.time()))
rid = c.create_run(exp).info.run_id
t0 = time.perf_counter()
for i in range({sample}):
    c.log_metric(rid, "loss", 1.0 / (i + 1), step=i)
print(json.dumps({{"total": time.perf_counter() - t0}}))
"""

ASYNC = """
import time, json
import mlflow
mlflow.set_tracking_uri("{url}")
mlflow.config.enable_async_logging(True)
mlflow.set_experiment("p1-async-" + str(time.time()))
with mlflow.start_run():
    t0 = time.perf_counter()
    for i in range({sample}):
        mlflow.log_metric("loss", 1.0 / (i + 1), step=i)
    t_loop = time.perf_counter() - t0
    mlflow.flush_async_logging()
    t_total = time.perf_counter() - t0
print(json.dumps({{"loop": t_loop, "total": t_total}}))
"""


def _run(code: str, server: MlflowServer, spool: str) -> dict[str, Any]:
    env = {
        **os.environ,
        **MLFLOW_ENV,
        "MLFLOW_TRACKING_URI": server.url,
        "MLOPS_SPOOL_DIR": spool,
        "PYTHONPATH": str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, timeout=3600
    )
    if out.returncode != 0:
        raise RuntimeError(f"benchmark step failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(server: MlflowServer) -> list[Row]:
    spool = tempfile.mkdtemp(prefix="mlops-p1-spool-")
    fmt = {"url": server.url, "n": N, "sample": SAMPLE}
    limit = _run(LIMIT.format(**fmt), server, spool)
    ours = _run(OURS.format(**fmt), server, spool)
    sync = _run(SYNC.format(**fmt), server, spool)
    asyn = _run(ASYNC.format(**fmt), server, spool)
    exact = ours["stored"] == N and ours["steps"] == N and ours["delivered"]
    ratio = ours["total"] / limit["total"]
    per_call_us = ours["loop"] / N * 1e6
    sync_100k = sync["total"] / SAMPLE * N
    async_100k = asyn["total"] / SAMPLE * N
    async_call_us = asyn["loop"] / SAMPLE * 1e6
    return [
        Row(
            "P1",
            "deliver 100k metric points from a loop (vs the backend's limit)",
            f"{ours['total']:.1f} s ({ours['total'] / N * 1e3:.2f} ms/pt), {ours['stored']} stored once each",
            f"hand-driven MlflowClient.log_batch x1000: {limit['total']:.1f} s",
            f"{ratio:.2f}x",
            "<= 1.25x",
            ratio <= 1.25 and exact,
        ),
        Row(
            "P1",
            "caller cost per log_metric call",
            f"{per_call_us:.2f} us",
            f"mlflow async logging: {async_call_us:.0f} us/call",
            f"{per_call_us / async_call_us:.4f}x",
            "<= 5 us",
            per_call_us <= 5.0,
        ),
        Row(
            "P1",
            "100k points vs MLflow's synchronous client",
            f"{ours['total']:.1f} s",
            f"MlflowClient.log_metric: {sync_100k:.0f} s (extrapolated from {SAMPLE} pts)",
            f"{sync_100k / ours['total']:.0f}x faster",
            ">= 50x faster",
            sync_100k / ours["total"] >= 50,
        ),
        Row(
            "P1",
            "100k points vs MLflow's async logging",
            f"{ours['total']:.1f} s",
            f"mlflow async logging: {async_100k:.0f} s (extrapolated from {SAMPLE} pts)",
            f"{async_100k / ours['total']:.0f}x faster",
            ">= 50x faster",
            async_100k / ours["total"] >= 50,
        ),
    ]


if __name__ == "__main__":
    with MlflowServer() as srv:
        for row in measure(srv):
            print(row.markdown())

"""The P7 store: P3's cached 10k-run experiment plus P4's compare experiment (10 runs x 3 metrics x 100k steps)
and one run with 20 metrics x 100k steps, seeded once into a copy under ``benchmarks/.cache/p7-*`` (SQLite).

    python benchmarks/browser/p7_store.py     # build the store (a copy of P3's, seeded with ~5M points; a few minutes)
"""

from __future__ import annotations

import json
import math
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import requests

BENCH = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from common import MlflowServer  # noqa: E402
from p4_compare import seed as seed_compare  # noqa: E402
from seed_runs import CACHE, seeded_server  # noqa: E402

RUN_METRICS, RUN_STEPS = 20, 100_000
# MLflow 3's UI asks "GenAI or model training?" for an experiment without this tag; the answer, set up front
KIND_TAG = {"key": "mlflow.experimentKind", "value": "custom_model_development"}


def _api(server: MlflowServer, method: str, body: dict[str, Any]) -> dict[str, Any]:
    r = requests.post(f"{server.url}/api/2.0/mlflow/{method}", json=body, timeout=60)
    r.raise_for_status()
    return r.json()


def _seed_long_run(server: MlflowServer) -> tuple[str, str]:
    """One run with ``RUN_METRICS`` series of ``RUN_STEPS`` points (straight into the SQL store)."""
    exp = _api(server, "experiments/create", {"name": "p7-long-run"})["experiment_id"]
    t0 = int(time.time() * 1000) - RUN_STEPS * 10
    rid = _api(server, "runs/create", {"experiment_id": exp, "start_time": t0, "run_name": "p7-20-metrics"})["run"][
        "info"
    ]["run_id"]
    _api(server, "runs/update", {"run_id": rid, "status": "FINISHED", "end_time": t0 + RUN_STEPS * 10})
    with server.store() as db:
        for m in range(RUN_METRICS):
            key = f"series_{m:02d}"

            def value(s: int) -> float:
                return math.exp(-s / (10_000 + 2_000 * m)) + 0.03 * math.sin(s / (40 + m))

            db.insert_series(rid, key, value, t0, RUN_STEPS)
    return exp, rid


def p7_store() -> tuple[Path, dict[str, Any]]:
    """The P7 data dir (its ``mlflow.db``) and what it holds: ``experiment_id`` (10k runs), ``compare_experiment``,
    ``compare_runs`` (10 ids), ``long_experiment``, ``long_run``. No server is left running."""
    d = CACHE / "p7-10000x50x20"
    marker = d / "seeded.json"
    if marker.exists():
        return d, json.loads(marker.read_text())
    source, exp_id = seeded_server()  # P3's cached store (seeded on first use)
    source.stop()
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    shutil.copy(source.dir / "mlflow.db", d / "mlflow.db")
    print(f"p7: seeding the compare and the 20-metric run into {d} (once) ...", file=sys.stderr, flush=True)
    t = time.time()
    with MlflowServer(d) as server:
        compare_runs = seed_compare(server)
        long_exp, long_run = _seed_long_run(server)
        info = requests.get(
            f"{server.url}/api/2.0/mlflow/runs/get", params={"run_id": compare_runs[0]}, timeout=30
        ).json()
        compare_exp = info["run"]["info"]["experiment_id"]
        for e in (exp_id, compare_exp, long_exp):
            _api(server, "experiments/set-experiment-tag", {"experiment_id": e, **KIND_TAG})
    seeded = {
        "experiment_id": exp_id,
        "compare_experiment": compare_exp,
        "compare_runs": compare_runs,
        "long_experiment": long_exp,
        "long_run": long_run,
    }
    marker.write_text(json.dumps(seeded))
    print(f"p7: store ready in {time.time() - t:.0f} s", file=sys.stderr, flush=True)
    return d, seeded


if __name__ == "__main__":
    print(json.dumps(p7_store()[1], indent=1))

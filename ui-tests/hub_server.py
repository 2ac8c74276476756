"""The team deployment for the Galata "hub" project: PostgreSQL + moto S3 + MLflow (``tests/team/services.py``)
and JupyterHub with alice and bob (``tests/team/hub.py``), two experiments seeded through MLflow's REST API.

Prints ``MLOPS hub ready at <url>`` once both users' servers answer and the data is in (``playwright.config.js``
waits for that line and passes the URL to the spec as ``MLOPS_HUB_URL``), then serves until SIGTERM/SIGINT and
tears everything down. Prerequisites: ``tests/team/setup.sh``.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.mlflow_fixture import MlflowRest  # noqa: E402
from tests.team.hub import Hub  # noqa: E402
from tests.team.services import TeamBackend  # noqa: E402

#: What the users logged: (experiment, its creator) -> runs as (run name, user, lr, loss). hub.spec.ts expects
#: the same names.
SEED: dict[tuple[str, str], list[tuple[str, str, float, float]]] = {
    ("churn-model", "alice"): [
        ("alice-baseline", "alice", 0.1, 0.42),
        ("alice-tuned", "alice", 0.03, 0.31),
        ("bob-review", "bob", 0.01, 0.29),
    ],
    ("demand-forecast", "bob"): [("bob-arima", "bob", 0.2, 0.55), ("bob-gbm", "bob", 0.05, 0.37)],
}


def seed(mlflow_url: str) -> None:
    """Create the experiments of :data:`SEED`, each run with its user, a param, a short loss curve, finished."""
    rest = MlflowRest(mlflow_url)
    for (experiment, creator), runs in SEED.items():
        experiment_id = rest.create_experiment(experiment, tags={"mlflow.user": creator})
        for run_name, user, lr, loss in runs:
            run_id = rest.post(
                "runs/create",
                {
                    "experiment_id": experiment_id,
                    "user_id": user,
                    "run_name": run_name,
                    "start_time": int(time.time() * 1000),
                    "tags": [{"key": "mlflow.user", "value": user}, {"key": "mlflow.runName", "value": run_name}],
                },
            )["run"]["info"]["run_id"]
            curve = [{"key": "loss", "value": loss * (1 + (4 - step) / 4), "step": step} for step in range(5)]
            rest.log_batch(run_id, curve, params={"lr": str(lr)})
            rest.finish_run(run_id)


def _stop(signum: int, frame: Optional[FrameType]) -> None:
    raise SystemExit(0)


def main() -> None:
    signal.signal(signal.SIGTERM, _stop)
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")
    started = time.monotonic()
    hub_root = Path(tempfile.mkdtemp(prefix="mlops-uitest-hub-"))
    backend = TeamBackend()
    hub: Optional[Hub] = None
    try:
        backend.start()
        seed(backend.url)
        hub = Hub(hub_root, backend.url)
        hub.start()  # its errors carry the hub's log
        print(f"MLOPS hub ready at {hub.url} (in {time.monotonic() - started:.0f} s)", flush=True)
        while True:
            signal.pause()
    finally:
        if hub is not None:
            hub.stop()
        backend.close()
        shutil.rmtree(hub_root, ignore_errors=True)


if __name__ == "__main__":
    main()

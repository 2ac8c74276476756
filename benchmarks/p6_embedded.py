"""P6 (server half): the embedded MLflow backend must not hold up Jupyter's start or exit (DESIGN §3, §8).

``EmbeddedBackend.start()`` spawns ``mlflow server`` and schedules its supervisor: the call is what Jupyter's
start-up waits for; the reference is how long the server then takes to answer ``/health`` (what a blocking
start would add). ``stop_sync()`` is the atexit path: SIGTERM to the process group, SIGKILL after 10 s.
(tests/test_embedded.py checks the same behaviour without timing it.)
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from common import MLFLOW_ENV, MlflowServer, Row  # noqa: E402

from jupyterlab_mlops.server.embedded import EmbeddedBackend  # noqa: E402

LOG = logging.getLogger("p6_embedded")


def measure(server: MlflowServer) -> list[Row]:
    os.environ.update(MLFLOW_ENV)
    with tempfile.TemporaryDirectory(prefix="mlops-bench-embedded-") as data:
        eb = EmbeddedBackend(Path(data), log=LOG, health_interval=0.5)

        async def start() -> tuple[float, float]:
            t0 = time.perf_counter()
            eb.start()
            call = time.perf_counter() - t0
            while eb.health != "healthy":
                if time.perf_counter() - t0 > 120 or eb.health == "failed":
                    raise RuntimeError(f"embedded MLflow did not start: {eb.message}")
                await asyncio.sleep(0.05)
            return call, time.perf_counter() - t0

        try:
            call, healthy = asyncio.run(start())
        finally:
            t0 = time.perf_counter()
            eb.stop_sync()
            stop = time.perf_counter() - t0
    return [
        Row(
            "P6",
            "embedded MLflow: EmbeddedBackend.start() (what Jupyter's start-up waits for)",
            f"{call * 1000:.1f} ms",
            f"{healthy:.1f} s until /health answers",
            f"{call / healthy:.4f}x",
            "<= 0.5 s",
            call <= 0.5,
        ),
        Row(
            "P6",
            "embedded MLflow: stop_sync() of a healthy server (Jupyter's exit, atexit)",
            f"{stop:.2f} s",
            "10 s (its SIGKILL deadline)",
            f"{stop / 10:.2f}x",
            "<= 5 s",
            stop <= 5.0,
        ),
    ]


if __name__ == "__main__":
    for row in measure(None):  # type: ignore[arg-type]  # starts its own server
        print(row.markdown())

"""P4 (server half): downsampling one 100k-point series to the 2,000 points a chart gets (DESIGN §8).

Ours: ``views.downsample.downsample`` (LTTB), what ``GET compare`` and the metric-history route run on a full
history. Reference: JSON-encoding the 100k points, what shipping the whole series would cost the server before
a single byte is sent. (tests/test_downsample.py checks the result without timing it.)
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from common import MlflowServer, Row  # noqa: E402

from jupyterlab_mlops.views.downsample import downsample  # noqa: E402

POINTS, MAX_POINTS, SAMPLES = 100_000, 2000, 5


def walk(n: int, seed: int = 0) -> list[tuple[float, float]]:
    rnd = random.Random(seed)
    y, out = 0.0, []
    for i in range(n):
        y += rnd.gauss(0, 1)
        out.append((float(i), y))
    return out


def timed(fn: Callable[..., object], *args: object) -> float:
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def measure(server: MlflowServer) -> list[Row]:
    pts = walk(POINTS)
    assert len(downsample(pts, MAX_POINTS)) == MAX_POINTS
    ours = statistics.median(timed(downsample, pts, MAX_POINTS) for _ in range(SAMPLES))
    ref = statistics.median(timed(json.dumps, pts) for _ in range(SAMPLES))
    return [
        Row(
            "P4",
            f"downsample one {POINTS // 1000}k-point series to {MAX_POINTS:,} (LTTB, median of {SAMPLES})",
            f"{ours * 1000:.0f} ms",
            f"{ref * 1000:.0f} ms (json.dumps of the {POINTS // 1000}k points)",
            f"{ours / ref:.2f}x",
            "<= 1 s",
            ours <= 1.0,
        )
    ]


if __name__ == "__main__":
    for row in measure(None):  # type: ignore[arg-type]  # needs no MLflow server
        print(row.markdown())

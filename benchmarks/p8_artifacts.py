"""P8: a 1 GiB artifact up and down through the proxy, against the stock client straight to MLflow.

Both sides run the same script in a fresh interpreter: ``mlflow.log_artifact`` then
``mlflow.artifacts.download_artifacts`` of one 1 GiB file of random bytes, each timed inside the script
(imports and run creation excluded). Ours points ``MLFLOW_TRACKING_URI`` at the proxy with the Jupyter
token; the reference at MLflow itself. Rounds alternate so drift hits both sides; the best round of each
counts. The Jupyter server's RSS is sampled (every 50 ms) while the proxied transfers run.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import MLFLOW_ENV, MlflowServer, Row  # noqa: E402
from jupyter_proc import JupyterServer  # noqa: E402

SIZE = int(os.environ.get("MLOPS_BENCH_P8_BYTES", str(1024**3)))
ROUNDS = 3
SCRIPT = r"""
import os, sys, time, mlflow
src, dst = sys.argv[1:3]
mlflow.set_experiment("p8")
with mlflow.start_run() as run:
    t = time.perf_counter()
    mlflow.log_artifact(src)
    up = time.perf_counter() - t
t = time.perf_counter()
local = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path=os.path.basename(src), dst_path=dst)
down = time.perf_counter() - t
size = os.path.getsize(local)
os.remove(local)
print(up, down, size)
"""


def _random_file(path: Path, size: int) -> None:
    rnd, left = random.Random(8), size
    with open(path, "wb") as f:
        while left:
            chunk = rnd.randbytes(min(left, 8 << 20))
            f.write(chunk)
            left -= len(chunk)


def _rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _transfer(uri: str, token: str, src: Path, dst: Path) -> tuple[float, float]:
    env = {
        **os.environ,
        **MLFLOW_ENV,
        "MLFLOW_TRACKING_URI": uri,
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
        "MLFLOW_HTTP_REQUEST_TIMEOUT": "600",
    }
    env.pop("MLFLOW_TRACKING_TOKEN", None)
    if token:
        env["MLFLOW_TRACKING_TOKEN"] = token
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(src), str(dst)], env=env, capture_output=True, text=True, timeout=1800
    )
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    up, down, size = out.stdout.strip().splitlines()[-1].split()
    if int(size) != SIZE:
        raise RuntimeError(f"downloaded {size} bytes of {SIZE}")
    return float(up), float(down)


def measure(server: MlflowServer) -> list[Row]:
    work = Path(tempfile.mkdtemp(prefix="mlops-p8-"))
    src, dst = work / "weights.bin", work / "down"
    dst.mkdir()
    _random_file(src, SIZE)
    ours: list[tuple[float, float]] = []
    ref: list[tuple[float, float]] = []
    peak_growth = 0
    try:
        with JupyterServer([{"name": "default", "kind": "mlflow", "url": server.url}]) as jup:
            assert jup.proc is not None
            proxy = jup.url("jupyterlab-mlops/backends/default/mlflow")
            _transfer(proxy, jup.token, src, dst)  # warm both paths once (imports, connections, page cache)
            for _ in range(ROUNDS):
                ref.append(_transfer(server.url, "", src, dst))
                base = peak = _rss(jup.proc.pid)
                done = threading.Event()

                def sample(pid: int = jup.proc.pid) -> None:
                    nonlocal peak
                    while not done.wait(0.05):
                        peak = max(peak, _rss(pid))

                sampler = threading.Thread(target=sample, daemon=True)
                sampler.start()
                try:
                    ours.append(_transfer(proxy, jup.token, src, dst))
                finally:
                    done.set()
                    sampler.join()
                peak_growth = max(peak_growth, peak - base)
    finally:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    mib = SIZE / 2**20

    def rate(seconds: float) -> float:
        return mib / seconds

    rows = []
    for i, leg in ((0, "up (log_artifact)"), (1, "down (download_artifacts)")):
        o, r = rate(min(t[i] for t in ours)), rate(min(t[i] for t in ref))
        rows.append(
            Row(
                "P8",
                f"{SIZE / 2**30:g} GiB artifact {leg} through the proxy",
                f"{o:.0f} MiB/s",
                f"{r:.0f} MiB/s direct",
                f"{o / r:.2f}x",
                ">= 0.8x the direct throughput",
                o / r >= 0.8,
            )
        )
    rows.append(
        Row(
            "P8",
            "Jupyter server RSS growth during the proxied transfers",
            f"+{peak_growth / 2**20:.1f} MiB",
            "-",
            "-",
            "<= 64 MiB",
            peak_growth <= 64 * 2**20,
        )
    )
    return rows


if __name__ == "__main__":
    with MlflowServer() as s:
        for row in measure(s):
            print(row.markdown())

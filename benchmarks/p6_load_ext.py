"""P6 (kernel half): ``%load_ext jupyterlab_mlops`` in a fresh IPython (DESIGN §8: <= 300 ms).

Each sample is a new interpreter that creates an ``InteractiveShell`` and times the magic alone
(the package import included, since ``load_ext`` imports it); ``%mlops`` and ``%%mlops`` must be
registered. (tests/test_magics.py checks the same lightness without timing it.) Importing the package and loading the
magics must not import ``mlflow`` (asserted) or ``requests``. The reference is what a notebook pays to
use MLflow itself: ``import mlflow`` in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import MLFLOW_ENV, MlflowServer, Row  # noqa: E402

SAMPLES = 5

LOAD = textwrap.dedent("""
    import json, sys, time
    from IPython.core.interactiveshell import InteractiveShell
    ip = InteractiveShell.instance()
    t0 = time.perf_counter()
    ip.run_line_magic("load_ext", "jupyterlab_mlops")
    dt = time.perf_counter() - t0
    import jupyterlab_mlops
    magics = ip.magics_manager.magics
    print(json.dumps({"s": dt, "mlflow": "mlflow" in sys.modules, "requests": "requests" in sys.modules,
                      "magic": "mlops" in magics["line"] and "mlops" in magics["cell"]}))
""")

IMPORT_MLFLOW = textwrap.dedent("""
    import json, time
    t0 = time.perf_counter()
    import mlflow
    print(json.dumps({"s": time.perf_counter() - t0}))
""")


def _sample(code: str, server: MlflowServer) -> dict:
    env = {
        **os.environ,
        **MLFLOW_ENV,
        "MLFLOW_TRACKING_URI": server.url,
        "PYTHONPATH": str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(server: MlflowServer) -> list[Row]:
    loads = [_sample(LOAD, server) for _ in range(SAMPLES)]
    imports = [_sample(IMPORT_MLFLOW, server) for _ in range(3)]
    assert not any(s["mlflow"] for s in loads), "%load_ext jupyterlab_mlops imported mlflow"
    ok = all(s["magic"] and not s["requests"] for s in loads)
    ours = statistics.median(s["s"] for s in loads) * 1000
    ref = statistics.median(s["s"] for s in imports) * 1000
    return [
        Row(
            "P6",
            "%load_ext jupyterlab_mlops in a fresh kernel (no mlflow, no requests imported)",
            f"{ours:.1f} ms (median of {SAMPLES})",
            f"import mlflow: {ref:.0f} ms",
            f"{ours / ref:.3f}x",
            "<= 300 ms",
            ours <= 300 and ok,
        )
    ]


if __name__ == "__main__":
    with MlflowServer() as srv:
        for row in measure(srv):
            print(row.markdown())

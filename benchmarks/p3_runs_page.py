"""P3: first page of an experiment with 10k runs x 50 params x 20 metrics, 10 columns shown.

Ours: ``GET jupyterlab-mlops/backends/default/experiments/{id}/runs?columns=<10>&max_results=100``
on a real ``jupyter server`` subprocess. Reference: the request MLflow's own UI makes for its runs
table (``ajax-api/2.0/mlflow/runs/search``, 100 runs, the full run payload), straight to MLflow.
Times are medians of warm requests as the client sees them (loopback; an upper bound of the server
time); bytes are the body as sent (``identity``) and, in brackets, gzip'd when the server offers it.
The seeded store is cached under ``benchmarks/.cache`` (seeding takes ~15 min once).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import MlflowServer, Row  # noqa: E402
from jupyter_proc import JupyterServer  # noqa: E402
from seed_runs import seeded_server  # noqa: E402

PAGE = 100
COLUMNS = ",".join([f"params.param_{i:02d}" for i in range(5)] + [f"metrics.metric_{i:02d}" for i in range(5)])
REPEAT = 10
WARM_UP_S = 10


def _timed(fn: Callable[[], requests.Response]) -> tuple[float, requests.Response]:
    t = time.perf_counter()
    resp = fn()
    resp.raise_for_status()
    return (time.perf_counter() - t) * 1000, resp


def _wire(session: requests.Session, method: str, url: str, **kw: Any) -> tuple[int, int]:
    """(identity bytes, bytes on the wire when gzip is accepted)."""
    plain = session.request(method, url, headers={"Accept-Encoding": "identity"}, **kw)
    gz = session.request(method, url, headers={"Accept-Encoding": "gzip"}, stream=True, **kw)
    return len(plain.content), len(gz.raw.read(decode_content=False))


def _our_cpu(body: bytes) -> float:
    """CPU time of what the route does with a backend page: parse, project 10 columns, encode."""
    import json

    from jupyterlab_mlops.views import runs_table as rv
    from jupyterlab_mlops.client.api import Api
    from jupyterlab_mlops.client.dialect import MLFLOW

    call = Api(MLFLOW).search_runs(["1"], max_results=PAGE)
    cols = rv.parse_columns(COLUMNS)
    best = float("inf")
    for _ in range(20):
        t = time.perf_counter()
        page = call.decode(body)
        json.dumps(
            {
                "runs": [rv.project(r, cols) for r in page.items],
                "available_columns": {k: sorted(v) for k, v in rv.keys_seen(page.items).items()},
            }
        )
        best = min(best, (time.perf_counter() - t) * 1000)
    return best


def _kb(n: int) -> str:
    return f"{n / 1024:.1f} KB"


def measure(server: MlflowServer) -> list[Row]:
    # P3 runs against its own 10k-run store (cached on SQLite) of the same kind as ``server``
    kind = getattr(server, "kind", "sqlite")
    mlflow, exp_id = seeded_server(kind=kind)
    # on SQLite: the embedded backend on the seeded store (its direct read path); else the team's MLflow
    jupyter = (
        JupyterServer([], embedded_dir=mlflow.dir)
        if kind == "sqlite"
        else JupyterServer([{"name": "default", "kind": "mlflow", "url": mlflow.url}])
    )
    try:
        with jupyter as jup:
            ours_url = jup.url(f"jupyterlab-mlops/backends/default/experiments/{exp_id}/runs")
            ref = requests.Session()
            ref_body = {
                "experiment_ids": [exp_id],
                "filter": "",
                "run_view_type": "ACTIVE_ONLY",
                "max_results": PAGE,
                "order_by": ["attributes.start_time DESC"],
            }
            calls: dict[str, Callable[[], requests.Response]] = {
                "ours": lambda: jup.session.get(ours_url, params={"columns": COLUMNS, "max_results": PAGE}),
                "ours50": lambda: jup.session.get(ours_url, params={"columns": COLUMNS, "max_results": PAGE // 2}),
                # what MLflow's UI sends for its runs table
                "ui": lambda: ref.post(f"{mlflow.url}/ajax-api/2.0/mlflow/runs/search", json=ref_body),
                # the backend call our route makes (to isolate our own cost)
                "backend": lambda: ref.post(
                    f"{mlflow.url}/api/2.0/mlflow/runs/search", json={"experiment_ids": [exp_id], "max_results": PAGE}
                ),
            }
            cold = {name: _timed(fn)[0] for name, fn in calls.items()}
            for _ in range(WARM_UP_S):  # the server imports MLflow's SQL layer after the first page (REST meanwhile)
                calls["ours"]().raise_for_status()
                time.sleep(1)
            times: dict[str, list[float]] = {name: [] for name in calls}
            for _ in range(REPEAT):  # interleaved, so load changes hit every variant alike
                for name, fn in calls.items():
                    times[name].append(_timed(fn)[0])
            assert len(calls["ours"]().json()["runs"]) == PAGE
            b_ours = _wire(jup.session, "GET", ours_url, params={"columns": COLUMNS, "max_results": PAGE})
            b_ref = _wire(ref, "POST", f"{mlflow.url}/ajax-api/2.0/mlflow/runs/search", json=ref_body)
            cpu = _our_cpu(
                ref.post(
                    f"{mlflow.url}/api/2.0/mlflow/runs/search", json={"experiment_ids": [exp_id], "max_results": PAGE}
                ).content
            )
    finally:
        mlflow.stop()
    med = {name: statistics.median(ts) for name, ts in times.items()}
    low = {name: min(ts) for name, ts in times.items()}

    def fig(name: str) -> str:
        return f"{med[name]:.0f} ms (min {low[name]:.0f}, cold {cold[name]:.0f})"

    work = "first page of 10k runs x 50 params x 20 metrics, 10 columns"
    ui = f"{fig('ui')} MLflow UI's runs/search, {PAGE} runs"
    return [
        Row(
            "P3",
            f"{work}: server time, {PAGE} rows (median)",
            fig("ours"),
            ui,
            f"{med['ours'] / med['ui']:.2f}x",
            "<= 250 ms",
            med["ours"] <= 250,
        ),
        Row(
            "P3",
            f"{work}: server time, {PAGE // 2} rows (median)",
            fig("ours50"),
            ui,
            f"{med['ours50'] / med['ui']:.2f}x",
            "<= 250 ms",
            med["ours50"] <= 250,
        ),
        Row(
            "P3",
            f"{work}: our own cost over the backend's runs/search ({PAGE} rows)",
            f"{med['ours'] - med['backend']:+.0f} ms",
            f"{med['backend']:.0f} ms api/2.0 runs/search",
            f"{med['ours'] / med['backend']:.2f}x",
            "(info)",
            True,
        ),
        Row(
            "P3",
            f"{work}: our processing of one backend page ({PAGE} full runs, min of 20)",
            f"{cpu:.1f} ms",
            "-",
            "-",
            "(info)",
            True,
        ),
        Row(
            "P3",
            f"{work}: bytes on the wire, {PAGE} rows (gzip)",
            f"{_kb(b_ours[0])} ({_kb(b_ours[1])})",
            f"{_kb(b_ref[0])} ({_kb(b_ref[1])})",
            f"{b_ours[0] / b_ref[0]:.3f}x",
            "<= 100 KB",
            b_ours[0] <= 100 * 1024,
        ),
    ]


if __name__ == "__main__":
    for row in measure(None):  # type: ignore[arg-type]
        print(row.markdown())

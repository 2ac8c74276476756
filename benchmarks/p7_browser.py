"""P7: timed where the user waits, in the browser (issue 15): our UI and MLflow's own UI, side by side.

Debian's Chromium (the one Galata uses) driven by Node Playwright (``benchmarks/browser/p7.js``) on a 10k-run
experiment (P3's store: 10k runs x 50 params x 20 metrics) plus P4's compare experiment (10 runs x 3 metrics x
100k steps) and a run with 20 metrics x 100k steps (``browser/p7_store.py``, cached under ``benchmarks/.cache``).
One ``mlflow server`` serves MLflow's UI (its root URL) and our "remote" path (a Jupyter server whose backend is
that server, REST); our "embedded" path is a Jupyter server whose embedded store is the same SQLite file (the
embedded backend's direct SQL read path). Actions: click the experiment (sidebar / experiments list) -> first
rows painted; scroll to row 5,000; sort by a metric; apply a filter; compare the 10 runs -> curves painted; open
the 20-metric run -> charts painted. Cold: every server just started, a fresh browser context, the first time
of each action; warm: the same actions again in the same page (median of the repeats after a first one).
Env: ``P7_REPEATS`` (default 5), ``P7_PATHS`` (``remote,embedded``), ``P7_SCROLL_LIMIT_S`` (default 120: a scroll
still short of row 5,000 then counts as "more than" that), ``P7_VERBOSE`` (each step on stderr),
``P7_IDLE_SETTLE_S``/``P7_IDLE_WINDOW_S`` (the idle row: 100 s to reach the idle pace, then 180 s counted),
``P7_IDLE_ONLY`` (only the idle row).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "browser"))

from common import AnyServer, MlflowServer, Row  # noqa: E402
from jupyter_proc import JupyterServer  # noqa: E402
from p4_compare import METRICS as COMPARE_METRICS  # noqa: E402
from p7_store import RUN_METRICS, p7_store  # noqa: E402

SCRIPT = HERE / "browser" / "p7.js"
SHOTS = HERE / ".cache" / "p7-shots"
SCROLL_TO = 5000
STEP_LIMIT_MS = 120_000  # a step not done by then counts as "more than" that (the scroll: P7_SCROLL_LIMIT_S)
SORT_METRIC, FILTER = "metric_00", "metrics.metric_01 < 0.002"
ACTIONS = {
    "first_rows": "click the experiment -> first rows painted",
    "scroll_5000": f"scroll to row {SCROLL_TO:,}",
    "sort_metric": f"sort by a metric ({SORT_METRIC}, descending) -> rows painted",
    "filter": f"filter `{FILTER}` -> rows painted",
    "compare_curves": "compare 10 runs x 3 metrics x 100k steps -> curves painted",
    "run_charts": f"open a run with {RUN_METRICS} metrics x 100k steps -> charts in view painted",
}
# (action, cold or warm) -> the absolute target (ms); every row also <= 0.25x the MLflow UI
TARGETS = {
    ("first_rows", "warm"): 250,
    ("first_rows", "cold"): 1000,
    ("compare_curves", "cold"): 1500,
    ("run_charts", "cold"): 1000,
}
RATIO = 0.25
# the live updates when nothing changes: backend requests per 10 s per open view (the sidebar's list, a page)
IDLE_TARGET, IDLE_VIEWS = 1.0, 2
EMBEDDED_LOG = "mlflow-server.log"  # the embedded server's log in its data dir (server/embedded.py)
ACCESS_LINE = re.compile(r'^(?P<at>\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) .*"[A-Z]+ (?P<path>\S+) HTTP/')
PATH_NOTE = {
    "remote": "ours via REST to the same mlflow server",
    "embedded": "ours, embedded backend on the same SQLite file (direct SQL reads)",
}


def _expected(db: Path, exp_id: str) -> tuple[dict[str, str], dict[str, str]]:
    """Run names the table must show first: as is, sorted by the metric, then filtered (read from the store
    itself); and the experiments' names by id."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        top = """SELECT r.name FROM runs r JOIN latest_metrics m ON m.run_uuid = r.run_uuid AND m.key = ?
                 WHERE r.experiment_id = ? AND r.lifecycle_stage = 'active' {where} ORDER BY m.value DESC LIMIT 1"""
        sort_top = con.execute(top.format(where=""), (SORT_METRIC, exp_id)).fetchone()[0]
        filtered = "AND r.run_uuid IN (SELECT run_uuid FROM latest_metrics WHERE key = 'metric_01' AND value < 0.002)"
        filter_top = con.execute(top.format(where=filtered), (SORT_METRIC, exp_id)).fetchone()[0]
        first = con.execute(
            "SELECT name FROM runs WHERE experiment_id = ? ORDER BY start_time DESC LIMIT 1", (exp_id,)
        ).fetchone()[0]
        names = {str(i): n for i, n in con.execute("SELECT experiment_id, name FROM experiments")}
    finally:
        con.close()
    assert sort_top != filter_top, "the filter must change the first row"
    return {"first": first, "sortTop": sort_top, "filterTop": filter_top}, names


def _data(seeded: dict[str, Any], db: Path) -> dict[str, Any]:
    ex, names = _expected(db, seeded["experiment_id"])

    def name(i: str) -> str:
        return names[str(i)]

    return {
        **ex,
        "exp": {"id": seeded["experiment_id"], "name": name(seeded["experiment_id"])},
        "scrollTo": SCROLL_TO,
        "scrollLimit": int(float(os.environ.get("P7_SCROLL_LIMIT_S", "120")) * 1000),
        "sortMetric": SORT_METRIC,
        "filter": FILTER,
        # ties in start_time: any first row will do
        "compare": {
            "id": seeded["compare_experiment"],
            "name": name(seeded["compare_experiment"]),
            "first": "",
            "runs": len(seeded["compare_runs"]),
            "metrics": len(COMPARE_METRICS),
        },
        "long": {
            "id": seeded["long_experiment"],
            "name": name(seeded["long_experiment"]),
            "first": "p7-20-metrics",
            "run": seeded["long_run"],
            "metrics": RUN_METRICS,
        },
    }


def _browse(uis: list[dict[str, str]], data: dict[str, Any], repeats: int, **extra: Any) -> dict[str, dict[str, Any]]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    config = {"uis": uis, "data": data, "repeats": repeats, "shots": str(SHOTS), "stepLimit": STEP_LIMIT_MS}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({**config, **extra}, f)
    try:
        done = subprocess.run(
            ["node", str(SCRIPT), f.name], stdout=subprocess.PIPE, text=True, timeout=3600, cwd=HERE.parent
        )
    finally:
        os.unlink(f.name)
    if done.returncode != 0:
        raise RuntimeError(f"p7.js failed (exit {done.returncode}): see its stderr above")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _servers(stack: ExitStack, d: Path, paths: list[str]) -> tuple[MlflowServer, dict[str, JupyterServer]]:
    mlflow = stack.enter_context(MlflowServer(d))
    jups: dict[str, JupyterServer] = {}
    if "remote" in paths:
        jups["remote"] = stack.enter_context(
            JupyterServer([{"name": "default", "kind": "mlflow", "url": mlflow.url}], browser=True)
        )
    if "embedded" in paths:
        jups["embedded"] = stack.enter_context(JupyterServer([], embedded_dir=d, browser=True))
    return mlflow, jups


def _access_log(mlflow: MlflowServer) -> str:
    """The mlflow server's log, one line per answered request: p7.js waits for it to stop growing after a UI."""
    return str(mlflow.dir / "mlflow.log")


def _uis(mlflow: MlflowServer, jups: dict[str, JupyterServer], turn: int) -> list[dict[str, str]]:
    uis = [{"label": "mlflow", "kind": "mlflow", "url": mlflow.url}]
    uis += [{"label": p, "kind": "ours", "url": j.lab_url()} for p, j in jups.items()]
    return uis[turn % len(uis) :] + uis[: turn % len(uis)]  # who goes first on a just started server rotates


def _collect(into: dict[str, dict[str, list[float]]], got: dict[str, dict[str, Any]], skip: int = 0) -> None:
    for label, times in got.items():
        if "error" in times:
            print(f"p7: {label}: {times['error']}", file=sys.stderr, flush=True)
        for action, ms in times.items():
            if action != "error":
                into.setdefault(label, {}).setdefault(action, []).extend(ms[skip:])


def _median(ms: list[float]) -> tuple[float, bool]:
    """The median of the times (a negative time: given up after that long) and whether it is a lower bound."""
    return statistics.median(abs(m) for m in ms), any(m < 0 for m in ms)


def _fmt(ms: list[float]) -> str:
    if not ms:
        return "failed"
    med, bound = _median(ms)
    spread = f" ({min(abs(m) for m in ms):,.0f}-{max(abs(m) for m in ms):,.0f}, n={len(ms)})" if len(ms) > 1 else ""
    return f"{'> ' if bound else ''}{med:,.0f} ms{spread}"


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} on {os.cpu_count()} cores"


def measure(server: AnyServer) -> list[Row]:
    if getattr(server, "kind", "sqlite") != "sqlite":
        return [Row("P7", "browser timings (cached SQLite store only)", "not run", "-", "-", "-", True)]
    if not shutil.which("node"):
        raise RuntimeError("P7 needs node (and ui-tests/node_modules: jlpm install in ui-tests)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a killed run still stops its servers
    repeats = int(os.environ.get("P7_REPEATS", "5"))
    paths = [p for p in os.environ.get("P7_PATHS", "remote,embedded").split(",") if p]
    d, seeded = p7_store()
    data = _data(seeded, d / "mlflow.db")
    if os.environ.get("P7_IDLE_ONLY"):
        return _idle(d, data, paths)
    cold: dict[str, dict[str, list[float]]] = {}
    warm: dict[str, dict[str, list[float]]] = {}
    loads = []
    for turn in range(repeats):
        with ExitStack() as stack:
            mlflow, jups = _servers(stack, d, paths)
            loads.append(_load())
            t = time.time()
            _collect(cold, _browse(_uis(mlflow, jups, turn), data, 1, backendLog=_access_log(mlflow)))
            print(f"p7: cold {turn + 1}/{repeats} in {time.time() - t:.0f} s ({loads[-1]})", file=sys.stderr)
    with ExitStack() as stack:
        mlflow, jups = _servers(stack, d, paths)
        t = time.time()
        _collect(warm, _browse(_uis(mlflow, jups, 0), data, repeats + 1, backendLog=_access_log(mlflow)), skip=1)
        loads.append(_load())
        print(f"p7: warm x{repeats} in {time.time() - t:.0f} s ({loads[-1]})", file=sys.stderr)
    return _rows(cold, warm, paths, loads) + _idle(d, data, paths)


def _requests(log: Path, t0_ms: int, t1_ms: int) -> int:
    """Requests a ``mlflow server`` logged (uvicorn's access lines) in [t0, t1), its supervisor's /health left out."""
    lo, hi = datetime.fromtimestamp(t0_ms / 1000), datetime.fromtimestamp(t1_ms / 1000)
    n = 0
    for line in log.read_text(errors="replace").splitlines():
        m = ACCESS_LINE.match(line)
        if m and not m["path"].startswith("/health") and lo <= datetime.strptime(m["at"], "%Y/%m/%d %H:%M:%S") < hi:
            n += 1
    return n


def _idle(d: Path, data: dict[str, Any], paths: list[str]) -> list[Row]:
    """The live updates' cost when nothing changes: the sidebar's list and an experiment page open in our UI,
    the backend's requests counted over a window once the polls reached their idle pace."""
    settle, window = (float(os.environ.get(f"P7_IDLE_{k}_S", v)) for k, v in (("SETTLE", "100"), ("WINDOW", "180")))
    with ExitStack() as stack:
        mlflow, jups = _servers(stack, d, paths)
        uis = [{"label": p, "kind": "ours", "url": j.lab_url()} for p, j in jups.items()]
        got = _browse(uis, data, 0, idle={"settle": int(settle * 1000), "window": int(window * 1000)})
    logs = {"remote": mlflow.dir / "mlflow.log", "embedded": d / EMBEDDED_LOG}
    rows = []
    for path in paths:
        t0, t1 = got[path]["idle"]
        per = _requests(logs[path], t0, t1) / ((t1 - t0) / 10_000) / IDLE_VIEWS
        rows.append(
            Row(
                "P7",
                f"idle: sidebar list + an experiment page open, nothing changing, {window:.0f} s after {settle:.0f} s "
                f"[{PATH_NOTE[path]}]",
                f"{per:.2f} req / 10 s / view",
                "-",
                "-",
                f"<= {IDLE_TARGET:g} req / 10 s / view",
                per <= IDLE_TARGET,
            )
        )
    return rows


def _rows(
    cold: dict[str, dict[str, list[float]]], warm: dict[str, dict[str, list[float]]], paths: list[str], loads: list[str]
) -> list[Row]:
    rows = []
    for action, work in ACTIONS.items():
        for phase, got in (("cold", cold), ("warm", warm)):
            ref = got.get("mlflow", {}).get(action, [])
            for path in paths:
                ours = got.get(path, {}).get(action, [])
                target = TARGETS.get((action, phase))
                (o, o_bound), (r, _r_bound) = _median(ours or [0]), _median(ref or [0])
                ratio = o / r if ours and ref else float("nan")
                # MLflow's time a lower bound: the true ratio is at most this one; ours a lower bound: a miss
                passed = bool(ours and ref) and not o_bound and ratio <= RATIO
                if target is not None:
                    passed = passed and o <= target
                rows.append(
                    Row(
                        "P7",
                        f"{work}, {phase} [{PATH_NOTE[path]}]",
                        _fmt(ours),
                        f"{_fmt(ref)} MLflow UI",
                        f"{ratio:.2f}x",
                        (f"<= {target:,} ms, " if target else "") + f"<= {RATIO}x",
                        passed,
                    )
                )
    rows.append(Row("P7", "machine load while measuring (1/5 min)", "; ".join(loads), "-", "-", "(info)", True))
    return rows


if __name__ == "__main__":
    for row in measure(None):  # type: ignore[arg-type]  # P7 starts its own servers
        print(row.markdown())

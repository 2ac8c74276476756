"""Compare 2..50 runs (from any experiments and backends): run references, the params diff table,
the latest-metrics table and the CSV export. Pure; series and fetching are in :mod:`.compare_series`.

``num`` is the JSON spelling of a metric value (non-finite ones as the strings MLflow uses).
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Sequence

from ..client.api import json_float as num
from ..client.errors import InvalidInput
from ..client.models import Run

if TYPE_CHECKING:
    from .wire.compare import CompareMetric, CompareParam, CompareRun

MIN_RUNS, MAX_RUNS = 2, 50
DEFAULT_POINTS, MAX_POINTS = 1000, 2000
X_MODES = ("step", "time", "relative")
_LOWER_BETTER = re.compile(r"loss|err|mse|mae|rmse|mape|perplex|latency|duration|cost|wer|cer|fpr|fnr|time", re.I)


@dataclass(frozen=True)
class RunRef:
    backend: str
    run_id: str


@dataclass
class Fetched:
    """A run as ``runs/get`` gave it (latest metric values only; series come from get-history)."""

    ref: RunRef
    run: Run


def parse_refs(values: Sequence[str], default_backend: Optional[str]) -> list[RunRef]:
    """``<backend>:<run_id>`` (split at the last ``:``) or a bare run id; duplicates dropped."""
    refs: list[RunRef] = []
    for raw in values:
        backend, sep, run_id = raw.strip().rpartition(":")
        backend = backend if sep else (default_backend or "")
        if not run_id or not backend:
            raise InvalidInput(f"Invalid run reference {raw!r}: use <backend>:<run_id>.", reason="invalid_run")
        ref = RunRef(backend, run_id)
        if ref not in refs:
            refs.append(ref)
    if not MIN_RUNS <= len(refs) <= MAX_RUNS:
        raise InvalidInput(f"Compare takes {MIN_RUNS} to {MAX_RUNS} runs, got {len(refs)}.", reason="run_count")
    return refs


def check_options(max_points: int, x: str) -> None:
    if not 2 <= max_points <= MAX_POINTS:
        raise InvalidInput(f"max_points must be between 2 and {MAX_POINTS}.", reason="invalid_max_points")
    if x not in X_MODES:
        raise InvalidInput(f"x must be one of {', '.join(X_MODES)}.", reason="invalid_x")


def direction(key: str) -> str:
    """``min`` when smaller is better (loss, error, rmse, latency...), else ``max``."""
    return "min" if _LOWER_BETTER.search(key) else "max"


def header(f: Fetched, labels: dict[RunRef, str]) -> CompareRun:
    r = f.run
    return {
        "backend": f.ref.backend,
        "run_id": r.run_id,
        "run_name": r.run_name,
        "experiment_id": r.experiment_id,
        "status": r.status,
        "start_time": r.start_time,
        "end_time": r.end_time,
        "user_id": r.user_id,
        "label": labels[f.ref],
    }


def labels_for(fetched: Sequence[Fetched]) -> dict[RunRef, str]:
    """Short legend labels: the run name, made unique with the first run-id characters where two runs
    share it (a run without a name: its id's start)."""
    names = [f.run.run_name or f.run.run_id[:8] for f in fetched]
    out: dict[RunRef, str] = {}
    for f, name in zip(fetched, names):
        shared = names.count(name) > 1 and name != f.run.run_id[:8]
        out[f.ref] = f"{name} ({f.run.run_id[:6]})" if shared else name
    return out


def param_rows(runs: Sequence[Run], only_differences: bool = False) -> list[CompareParam]:
    keys = sorted({k for r in runs for k in r.params})
    rows = []
    for k in keys:
        values = [r.params.get(k) for r in runs]
        differs = len(set(values)) > 1
        if differs or not only_differences:
            rows.append({"key": k, "values": values, "differs": differs})
    return rows


def metric_rows(runs: Sequence[Run]) -> list[CompareMetric]:
    rows = []
    for k in sorted({k for r in runs for k in r.metrics}):
        ms = [r.metrics.get(k) for r in runs]
        vals = [m.value if m else None for m in ms]
        finite_vals = [(v, i) for i, v in enumerate(vals) if v is not None and math.isfinite(v)]
        d = direction(k)
        best = (min(finite_vals) if d == "min" else max(finite_vals))[1] if finite_vals else None
        rows.append(
            {
                "key": k,
                "values": [num(v) if v is not None else None for v in vals],
                "steps": [m.step if m else None for m in ms],
                "differs": len({repr(v) for v in vals}) > 1,
                "best": best,
                "direction": d,
            }
        )
    return rows


_FORMULA = re.compile(r"^[=+\-@\t\r]")


def _cell(value: Any) -> str:
    """CSV cell; text a spreadsheet would run as a formula gets a leading quote (numbers stay)."""
    if value is None:
        return ""
    text = str(value)
    if _FORMULA.match(text):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def to_csv(fetched: Sequence[Fetched], only_differences: bool = False) -> str:
    """One row per run: header columns, ``param:<k>`` and ``metric:<k>`` (latest values)."""
    runs = [f.run for f in fetched]
    params = param_rows(runs, only_differences)
    metrics = metric_rows(runs)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(
        ["backend", "run_id", "run_name", "experiment_id", "status", "start_time", "end_time"]
        + [f"param:{p['key']}" for p in params]
        + [f"metric:{m['key']}" for m in metrics]
    )
    for i, f in enumerate(fetched):
        r = f.run
        w.writerow(
            [
                _cell(v)
                for v in (f.ref.backend, r.run_id, r.run_name, r.experiment_id, r.status, r.start_time, r.end_time)
            ]
            + [_cell(p["values"][i]) for p in params]
            + [_cell(m["values"][i]) for m in metrics]
        )
    return buf.getvalue()

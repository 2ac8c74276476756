"""The MLflow REST paths and methods the pass-through proxy forwards; anything else is 404."""
from __future__ import annotations

import re
from typing import Optional

_REST: dict[str, set[str]] = {
    # experiments
    "experiments/get": {"GET"}, "experiments/get-by-name": {"GET"}, "experiments/list": {"GET"},
    "experiments/search": {"POST", "GET"}, "experiments/create": {"POST"},
    "experiments/update": {"POST"}, "experiments/delete": {"POST"}, "experiments/restore": {"POST"},
    "experiments/set-experiment-tag": {"POST"}, "experiments/delete-experiment-tag": {"POST"},
    # runs
    "runs/create": {"POST"}, "runs/get": {"GET"}, "runs/update": {"POST"}, "runs/delete": {"POST"},
    "runs/restore": {"POST"}, "runs/search": {"POST"}, "runs/log-metric": {"POST"},
    "runs/log-parameter": {"POST"}, "runs/set-tag": {"POST"}, "runs/delete-tag": {"POST"},
    "runs/log-batch": {"POST"}, "runs/log-inputs": {"POST"}, "runs/log-outputs": {"POST"},
    "runs/log-model": {"POST"}, "metrics/get-history": {"GET"}, "artifacts/list": {"GET"},
    # registry
    "registered-models/create": {"POST"}, "registered-models/get": {"GET"},
    "registered-models/update": {"PATCH"}, "registered-models/delete": {"DELETE"},
    "registered-models/search": {"GET"}, "registered-models/get-latest-versions": {"POST", "GET"},
    "registered-models/rename": {"POST"}, "registered-models/set-tag": {"POST"},
    "registered-models/delete-tag": {"DELETE"}, "registered-models/alias": {"GET", "POST", "DELETE"},
    "model-versions/create": {"POST"}, "model-versions/get": {"GET"}, "model-versions/update": {"PATCH"},
    "model-versions/delete": {"DELETE"}, "model-versions/search": {"GET"},
    "model-versions/get-download-uri": {"GET"}, "model-versions/set-tag": {"POST"},
    "model-versions/delete-tag": {"DELETE"}, "model-versions/transition-stage": {"POST"},
    # MLflow 3 logged models (log_model in MLflow 3 uses them)
    "logged-models": {"POST"}, "logged-models/search": {"POST"},
}
_LOGGED_MODEL = re.compile(r"^logged-models/[A-Za-z0-9_\-]+(/(tags|params|finalize))?$")
_LOGGED_MODEL_METHODS = {"GET", "POST", "PATCH", "DELETE"}
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9._:+\- %]+$")

REST_PREFIX = "api/2.0/mlflow/"
ARTIFACTS_PREFIX = "api/2.0/mlflow-artifacts/"


def _safe(path: str) -> bool:
    segments = path.split("/")
    return all(s and s not in (".", "..") and _SAFE_SEGMENT.match(s) for s in segments)


def allowed(method: str, path: str) -> Optional[str]:
    """Return the kind of an allowed request (``rest`` or ``artifacts``), else None."""
    if "\\" in path or "\x00" in path or "//" in path or path.startswith("/"):
        return None
    if path.startswith(REST_PREFIX):
        rest = path[len(REST_PREFIX):]
        if method in _REST.get(rest, ()):
            return "rest"
        if _LOGGED_MODEL.match(rest) and method in _LOGGED_MODEL_METHODS:
            return "rest"
        return None
    if path.startswith(ARTIFACTS_PREFIX):
        rest = path[len(ARTIFACTS_PREFIX):]
        if rest == "artifacts" and method == "GET":
            return "artifacts"
        if rest.startswith("artifacts/") and method in ("GET", "PUT") and _safe(rest[len("artifacts/"):]):
            return "artifacts"
    return None

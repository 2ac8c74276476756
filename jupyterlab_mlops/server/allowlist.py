"""What the tracking-URI proxy forwards: MLflow's REST families by prefix and method, with strict path rules.

Forwarded: ``api/2.0/mlflow/*``, ``api/3.0/mlflow/*`` (traces, datasets, logged models, ...),
``api/2.0/mlflow-artifacts/*`` (multipart and DELETE included) and ``version``. Everything else of
an MLflow server (the browser-only ``ajax-api``, ``graphql``, ``get-artifact``, static files) and the
account administration of MLflow's basic-auth app are refused, as are paths that could mean another
place than they say (dot segments, double encoding, backslashes, control characters, absolute forms).
"""
from __future__ import annotations

import re
from typing import Optional

_READ_WRITE = frozenset({"GET", "POST", "PATCH", "DELETE"})
FAMILIES: dict[str, frozenset[str]] = {
    "api/2.0/mlflow/": _READ_WRITE,
    "api/3.0/mlflow/": _READ_WRITE,
    "api/2.0/mlflow-artifacts/": frozenset({"GET", "PUT", "POST", "DELETE"}),
}
EXACT: dict[str, frozenset[str]] = {"version": frozenset({"GET"})}
# Users and permissions of MLflow's basic-auth app: not something to do with the server's credentials.
_ADMIN = re.compile(r"^api/[23]\.0/mlflow/(users/|([A-Za-z-]+/)?permissions/)")
_UNSAFE_CHAR = re.compile(r"[\x00-\x1f\x7f\\]")
_ENCODED_TRICK = re.compile(r"%(2e|2f|5c|00)", re.IGNORECASE)

ARTIFACT_FILES = "api/2.0/mlflow-artifacts/artifacts/"


def unsafe_path(path: str) -> Optional[str]:
    """Why a (decoded) path or path-like argument is refused, or None when it means what it says."""
    if _UNSAFE_CHAR.search(path):
        return "it contains a backslash or a control character"
    if _ENCODED_TRICK.search(path):
        return "it is encoded twice"
    if any(s in (".", "..") for s in path.split("/")):
        return "it has dot segments"
    return None


def refusal(method: str, path: str) -> Optional[str]:
    """Why the proxy does not forward ``method path`` (relative to the tracking URI), or None."""
    if path.startswith("/") or "//" in path or path.endswith("/") or "://" in path:
        return "it is not a relative API path"
    unsafe = unsafe_path(path)
    if unsafe:
        return unsafe
    if path in EXACT:
        return None if method in EXACT[path] else f"{method} is not a method of {path}"
    for prefix, methods in FAMILIES.items():
        if path.startswith(prefix) and len(path) > len(prefix):
            if _ADMIN.match(path):
                return "MLflow's user and permission administration is not forwarded"
            return None if method in methods else f"{method} is not a method of {prefix}*"
    return "it is not one of MLflow's REST API families (api/2.0/mlflow, api/3.0/mlflow, api/2.0/mlflow-artifacts)"

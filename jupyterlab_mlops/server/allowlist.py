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

from ..client.calls import ARTIFACTS, REST
from ..client.paths import path_problem

_READ_WRITE = frozenset({"GET", "POST", "PATCH", "DELETE"})
FAMILIES: dict[str, frozenset[str]] = {
    REST: _READ_WRITE,
    "api/3.0/mlflow/": _READ_WRITE,
    ARTIFACTS: frozenset({"GET", "PUT", "POST", "DELETE"}),
}
EXACT: dict[str, frozenset[str]] = {"version": frozenset({"GET"})}
# Users and permissions of MLflow's basic-auth app: not something to do with the server's credentials.
_ADMIN = re.compile(r"^api/[23]\.0/mlflow/(users/|([A-Za-z-]+/)?permissions/)")

ARTIFACT_FILES = ARTIFACTS + "artifacts/"


def refusal(method: str, path: str) -> Optional[str]:
    """Why the proxy does not forward ``method path`` (relative to the tracking URI), or None."""
    if path.startswith("/") or "//" in path or path.endswith("/") or "://" in path:
        return "it is not a relative API path"
    unsafe = path_problem(path)
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

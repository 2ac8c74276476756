"""Interop with plain ``mlflow`` in the same kernel, best effort and without importing it: with no run
of ours active, ``log_*`` go to ``mlflow.active_run()`` (same tracking server); a run we start is
exported as ``MLFLOW_RUN_ID`` and, when ``mlflow`` is already imported, made its active run too."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Optional

from ..client.backend import Backend

if TYPE_CHECKING:
    from .runs import ActiveRun


def _imported() -> Any:
    """The ``mlflow`` module when the user imported it, else None."""
    return sys.modules.get("mlflow")


def same_backend(mlflow: Any, backend: Optional[Backend]) -> bool:
    """``mlflow``'s tracking URI is ``backend``."""
    try:
        uri = str(mlflow.get_tracking_uri()).rstrip("/")
    except Exception:  # noqa: BLE001
        return False
    return backend is not None and uri == backend.url.rstrip("/")


def active_run_id(backend: Optional[Backend]) -> Optional[str]:
    """The id of ``mlflow.active_run()`` when it logs to ``backend``."""
    mlflow = _imported()
    if mlflow is None or not hasattr(mlflow, "active_run"):
        return None
    try:
        active = mlflow.active_run()
    except Exception:  # noqa: BLE001
        return None
    if active is None or not same_backend(mlflow, backend):
        return None
    return str(active.info.run_id)


def follow(run: "ActiveRun", backend: Optional[Backend]) -> None:
    """Make plain mlflow see our run: ``MLFLOW_RUN_ID`` for a later ``mlflow.start_run()`` /
    ``mlflow.log_*``, and, when mlflow is already imported, its active run."""
    rid = run.run_id
    if not rid:
        return
    if not os.environ.get("MLFLOW_RUN_ID"):
        os.environ["MLFLOW_RUN_ID"] = rid
        run.exported_env = True
    mlflow = _imported()
    if mlflow is None or not hasattr(mlflow, "start_run") or not same_backend(mlflow, backend):
        return
    try:
        if mlflow.active_run() is None:
            mlflow.start_run(run_id=rid)
            run.mlflow_follows = True
    except Exception:  # noqa: BLE001 - interop is best effort
        pass


def unfollow(run: "ActiveRun", status: str, offline: bool) -> None:
    """Undo :func:`follow` when ``run`` ends with ``status``."""
    rid = run.run_id
    if run.exported_env and os.environ.get("MLFLOW_RUN_ID") == rid:
        del os.environ["MLFLOW_RUN_ID"]
    mlflow = _imported()
    if mlflow is None or not run.mlflow_follows or offline:
        return
    try:
        active = mlflow.active_run()
        if active is not None and active.info.run_id == rid:
            mlflow.end_run(status)
    except Exception:  # noqa: BLE001
        pass

"""Which backend a kernel logs to.

Order: ``mlops.configure(uri=..., token=...)``, then ``MLFLOW_TRACKING_URI`` (+
``MLFLOW_TRACKING_TOKEN`` or ``MLFLOW_TRACKING_USERNAME``/``PASSWORD``), which kernels inherit
from the Jupyter server (it points them at the embedded backend when nothing is configured),
then the URI set with ``mlflow.set_tracking_uri`` when ``mlflow`` is already imported. Only
http(s) tracking servers are supported; a GitLab project URL selects the GitLab dialect.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Optional

from ..client.backend import Backend
from ..client.errors import InvalidInput
from . import links

#: Seconds an interactive verb (start, experiment, end) waits on the backend before going on offline.
INTERACTIVE_S = 1.2
HOW_TO = (
    "set MLFLOW_TRACKING_URI to an MLflow server or GitLab project "
    "(https://<gitlab>/api/v4/projects/<id>/ml/mlflow), or call mlops.configure(uri=..., token=...)"
)


@dataclass
class Settings:
    """Explicit configuration from :func:`jupyterlab_mlops.configure` (None = not set)."""

    uri: Optional[str] = None
    token: Optional[str] = None
    insecure: Optional[bool] = None
    spool_dir: Optional[str] = None
    timeout: float = 30.0


def _mlflow_uri() -> Optional[str]:
    mod = sys.modules.get("mlflow")
    if mod is None:
        return None
    try:
        uri = str(mod.get_tracking_uri())
    except Exception:  # noqa: BLE001 - a broken mlflow must not break us
        return None
    return uri if uri.startswith(("http://", "https://")) else None


def resolve_backend(settings: Settings) -> Backend:
    """The :class:`Backend` for this kernel, or :class:`InvalidInput` saying how to configure one."""
    uri = settings.uri or os.environ.get("MLFLOW_TRACKING_URI") or _mlflow_uri()
    if not uri:
        raise InvalidInput(f"no tracking server configured: {HOW_TO}.", reason="not_configured")
    if not uri.startswith(("http://", "https://")):
        raise InvalidInput(f"tracking URI {uri!r} is not an http(s) server: {HOW_TO}.", reason="not_configured")
    token = settings.token if settings.uri else (settings.token or os.environ.get("MLFLOW_TRACKING_TOKEN"))
    backend = Backend.from_uri(uri, name="default", token=token)
    user, password = os.environ.get("MLFLOW_TRACKING_USERNAME"), os.environ.get("MLFLOW_TRACKING_PASSWORD")
    if not backend.token and not backend.basic_auth and user and not settings.uri:
        backend = Backend(name=backend.name, url=backend.url, kind=backend.kind, basic_auth=(user, password or ""))
    return backend


def insecure_tls(settings: Settings) -> bool:
    if settings.insecure is not None:
        return settings.insecure
    return os.environ.get("MLFLOW_TRACKING_INSECURE_TLS", "").lower() in ("1", "true", "yes")


def ui_run_url(backend: Backend, experiment_id: str, run_id: str) -> Optional[str]:
    """A browser link to a run: its detail in this JupyterLab when the kernel was started by a server of the
    extension (a path under its base_url, see :mod:`.links`), else MLflow's UI; None for an offline run, and
    for GitLab outside JupyterLab (its pages need the candidate iid)."""
    if not run_id or run_id.startswith("local-"):
        return None
    lab = links.run_link(backend.url, run_id)
    if lab or backend.kind == "gitlab":
        return lab
    return f"{backend.url}/#/experiments/{experiment_id}/runs/{run_id}"

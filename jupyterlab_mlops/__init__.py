"""jupyterlab_mlops: experiment tracking and model registry inside JupyterLab.

This module stays import-light: a kernel that runs ``%load_ext jupyterlab_mlops`` or
``import jupyterlab_mlops as mlops`` must not pay for the server stack or ``mlflow``.
The kernel-side API is loaded lazily on first attribute access.
"""
from __future__ import annotations

from typing import Any

from ._version import __version__

__all__ = ["__version__"]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyterlab_mlops"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .server.app import MlopsApp

    return [{"module": "jupyterlab_mlops", "app": MlopsApp}]


def load_ipython_extension(ipython: Any) -> None:
    """Register the ``%mlops`` magics (``%load_ext jupyterlab_mlops``)."""
    from .kernel.magics import load_ipython_extension as _load

    _load(ipython)


def __getattr__(name: str) -> Any:
    # The Python API (``mlops.start_run`` ...) lives in kernel/api.py; import it on demand.
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        from .kernel import api

        return getattr(api, name)
    except (AttributeError, ImportError):
        raise AttributeError(f"module 'jupyterlab_mlops' has no attribute {name!r}") from None

"""jupyterlab_mlops: experiment tracking and model registry inside JupyterLab.

This module stays import-light: a kernel that runs ``%load_ext jupyterlab_mlops`` or
``import jupyterlab_mlops as mlops`` must not pay for the server stack or ``mlflow``.
The kernel-side API is loaded lazily on first attribute access.
"""

from __future__ import annotations

from typing import Any

from ._version import __version__
from .kernel.exports import PUBLIC

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


#: The kernel-side Python API (``kernel/api.py``), loaded on first use.
_API = frozenset(PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'jupyterlab_mlops' has no attribute {name!r}")
    from .kernel import api

    value = getattr(api, name)
    globals()[name] = value  # later lookups are plain attribute reads (hot in training loops)
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | _API)

"""URL patterns of the extension (relative to ``{base_url}/jupyterlab-mlops``)."""
from __future__ import annotations

from typing import Any

from .proxy import ProxyHandler
from .status import StatusHandler


def handlers() -> list[tuple[str, Any]]:
    return [
        (r"status", StatusHandler),
        (r"backends/(?P<backend>[^/]+)/mlflow/(?P<path>.*)", ProxyHandler),
    ]

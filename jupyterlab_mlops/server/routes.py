"""URL patterns of the extension (relative to ``{base_url}/jupyterlab-mlops``).

Each area keeps its handlers in ``views/<area>.py`` with a ``ROUTES`` list.
"""

from __future__ import annotations

from typing import Any

from .proxy import ProxyHandler
from .status import StatusHandler
from .views import artifacts, compare, embedded, experiments, promote, registry, runs, snapshots, version_files
from .views import edits

AREAS = (experiments, runs, artifacts, compare, promote, registry, version_files, snapshots, embedded, edits)


def handlers() -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [
        (r"status", StatusHandler),
        (r"backends/(?P<backend>[^/]+)/mlflow/(?P<path>.*)", ProxyHandler),
    ]
    for area in AREAS:
        out.extend(area.ROUTES)
    return out

"""``GET status``: version, backends and their health, spool depth (the frontend's handshake)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from .._version import __version__
from ..spool import aside_summary, total_depth
from .base import MlopsHandler

if TYPE_CHECKING:
    from ..views.wire.status import Status


#: keys the embedded backend's entry of ``status`` adds to every backend's (all additive)
SUPERVISOR_KEYS = ("cause", "log_path", "restarts", "max_restarts", "restart_window_s", "down_for_s")


def supervisor_fields(embedded: Any) -> dict[str, Any]:
    """What the embedded server's supervisor adds to its backend in ``status``: the cause of an outage (the
    server log's last error line), the log's path, the restart budget spent, seconds down, and ``restartable``."""
    snap = embedded.snapshot()
    return {"restartable": True, **{k: snap.get(k) for k in SUPERVISOR_KEYS}}


def with_supervisor(backends: list[dict[str, Any]], embedded: Any) -> list[dict[str, Any]]:
    """``backends`` of ``status`` with the supervisor's fields on the embedded one."""
    if embedded is None:
        return backends
    return [{**b, **supervisor_fields(embedded)} if b.get("embedded") else b for b in backends]


class StatusHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        backends = with_supervisor(await self.registry.status(), self.registry.embedded)
        spool_dir = self.settings.get("mlops_spool_dir", "")
        body: Status = {
            "version": __version__,
            "backends": backends,
            "default_backend": self.registry.default_name,
            "spool": {
                "depth": total_depth(Path(spool_dir)) if spool_dir else 0,
                "path": os.fspath(spool_dir),
                "set_aside": aside_summary(Path(spool_dir) if spool_dir else None),
            },
        }
        self.write_json(body)

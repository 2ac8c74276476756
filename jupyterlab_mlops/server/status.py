"""``GET status``: version, backends and their health, spool depth (the frontend's handshake)."""
from __future__ import annotations

import os
from pathlib import Path

from jupyter_server.auth.decorator import authorized
from tornado import web

from .._version import __version__
from .base import MlopsHandler


def spool_depth(spool_dir: str) -> int:
    """Pending items in the per-user spool (0 when there is none); cheap, no SQLite import."""
    path = Path(spool_dir)
    if not path.is_dir():
        return 0
    total = 0
    for f in path.glob("*.depth"):
        try:
            total += int(f.read_text().strip() or 0)
        except (OSError, ValueError):
            continue
    return total


class StatusHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        backends = await self.registry.status()
        self.write_json({
            "version": __version__,
            "backends": backends,
            "default_backend": self.registry.default_name,
            "spool": {"depth": spool_depth(self.settings.get("mlops_spool_dir", "")),
                      "path": os.fspath(self.settings.get("mlops_spool_dir", ""))},
        })

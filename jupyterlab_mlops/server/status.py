"""``GET status``: version, backends and their health, spool depth (the frontend's handshake)."""
from __future__ import annotations

import os
from pathlib import Path

from jupyter_server.auth.decorator import authorized
from tornado import web

from .._version import __version__
from ..spool import aside_summary, total_depth
from .base import MlopsHandler


class StatusHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        backends = await self.registry.status()
        spool_dir = self.settings.get("mlops_spool_dir", "")
        self.write_json({
            "version": __version__,
            "backends": backends,
            "default_backend": self.registry.default_name,
            "spool": {"depth": total_depth(Path(spool_dir)) if spool_dir else 0,
                      "path": os.fspath(spool_dir),
                      "set_aside": aside_summary(Path(spool_dir) if spool_dir else None)},
        })

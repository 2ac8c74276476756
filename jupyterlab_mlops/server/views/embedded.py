"""``backends/{b}/restart`` (POST) and ``backends/{b}/log`` (GET): recovering the embedded MLflow server.

A restart works whatever the state, also after the automatic restart budget is spent; the log is its last
lines, scrubbed. Both answer 404 for an unknown backend and 400 for one that is not embedded.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...client.errors import InvalidInput
from ..status import supervisor_fields
from ._common import ViewHandler

LOG_LINES_DEFAULT, LOG_LINES_MAX = 200, 5000


class EmbeddedHandler(ViewHandler):
    def embedded(self, backend: str) -> Any:
        """The supervisor of ``backend``; NotFound (404) when unknown, InvalidInput (400) when not embedded."""
        entry = self.registry.get(backend)
        if not entry.backend.embedded or self.registry.embedded is None:
            raise InvalidInput(
                f"Backend {backend!r} is not the embedded MLflow server: Jupyter does not run it, "
                "so it cannot restart it or read its log.",
                reason="not_embedded",
            )
        return self.registry.embedded


class RestartHandler(EmbeddedHandler):
    """POST: stop the embedded server and start it again (a fresh restart budget); answers once it is starting."""

    @web.authenticated
    @authorized
    async def post(self, backend: str) -> None:
        embedded = self.embedded(backend)
        await embedded.restart()
        snap = embedded.snapshot()
        self.write_json(
            {"name": backend, "health": snap["health"], "message": snap["message"], **supervisor_fields(embedded)}
        )


class LogHandler(EmbeddedHandler):
    """GET ``?lines=N``: the last N lines of the embedded server's log (scrubbed), and its path."""

    @web.authenticated
    @authorized
    async def get(self, backend: str) -> None:
        embedded = self.embedded(backend)
        lines = self.int_arg("lines", LOG_LINES_DEFAULT, 1, LOG_LINES_MAX)
        self.write_json(
            {
                "name": backend,
                "path": str(embedded.log_path),
                "lines": lines,
                "text": self.scrub(embedded.log_tail(lines)),
            }
        )


ROUTES = [
    (r"backends/(?P<backend>[^/]+)/restart", RestartHandler),
    (r"backends/(?P<backend>[^/]+)/log", LogHandler),
]

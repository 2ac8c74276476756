"""``backends/{b}/mlflow/{path}``: a tracking URI for the stock MLflow client, allow-listed.

Credentials are added here and never returned; GitLab's dialect is translated where the stock
client would fail (artifact uploads go to GitLab's package API).
"""
from __future__ import annotations

import json
import re
from typing import Optional
from urllib.parse import quote

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..client.calls import error_for
from ..client.dialect import gitlab_api_root
from ..client.errors import NotFound
from .allowlist import allowed
from .base import MlopsHandler

_PASS_REQUEST_HEADERS = ("Content-Type", "Accept")
_PASS_RESPONSE_HEADERS = ("Content-Type", "Content-Disposition", "Last-Modified", "ETag")
_GITLAB_CANDIDATE_PUT = re.compile(r"^api/2\.0/mlflow-artifacts/artifacts/(?P<root>candidate:\d+|\d+)/(?P<name>[^/]+)$")
_MAX_SCRUB = 2_000_000


class ProxyHandler(MlopsHandler):
    """Forwards allow-listed MLflow REST and artifact requests to a configured backend."""

    def _target(self, backend: str, path: str) -> str:
        entry = self.registry.get(backend)
        method = self.request.method or "GET"
        if allowed(method, path) is None:
            raise NotFound(f"{method} {path!r} is not an MLflow API path this proxy forwards.",
                           reason="not_allowed")
        base = entry.backend.url
        if entry.backend.kind == "gitlab" and method == "PUT":
            m = _GITLAB_CANDIDATE_PUT.match(path)
            root = gitlab_api_root(base)
            if m and root:
                return f"{root}/packages/ml_models/{quote(m['root'], safe=':')}/files/{quote(m['name'])}"
        url = f"{base}/{quote(path, safe='/:+-._~ ')}".replace(" ", "%20")
        return f"{url}?{self.request.query}" if self.request.query else url

    async def _forward(self, backend: str, path: str) -> None:
        url = self._target(backend, path)
        client = self.registry.client(backend)
        headers = {k: v for k in _PASS_REQUEST_HEADERS if (v := self.request.headers.get(k))}
        method = self.request.method or "GET"
        body: Optional[bytes] = self.request.body if method in ("POST", "PUT", "PATCH", "DELETE") else None
        streamed = method == "GET" and path.startswith("api/2.0/mlflow-artifacts/artifacts/")
        if streamed:
            await self._stream(client, url, headers)
            return
        response = await client.fetch(method, url, body=body or None, headers=headers)
        self.set_status(response.code)
        for name in _PASS_RESPONSE_HEADERS[:2]:
            if name in response.headers:
                self.set_header(name, response.headers[name])
        payload = response.body or b""
        if response.code in (401, 403):
            # Say what is wrong with the credentials (GitLab: scope or role), in MLflow's error shape.
            err = error_for(response.code, payload, backend=backend, kind=client.backend.kind)
            self.set_header("Content-Type", "application/json")
            payload = json.dumps({"error_code": "PERMISSION_DENIED", "message": err.message}).encode()
        if len(payload) < _MAX_SCRUB and self.registry.secrets():
            payload = self.scrub(payload.decode("utf-8", "replace")).encode()
        self.finish(payload)

    async def _stream(self, client, url: str, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
        """Artifact downloads are streamed, never buffered whole."""
        state = {"status": 0}

        def on_header(line: str) -> None:
            if line.startswith("HTTP/"):
                state["status"] = int(line.split()[1])
                self.set_status(state["status"])
            elif ":" in line:
                name, value = line.split(":", 1)
                if name.strip().title() in _PASS_RESPONSE_HEADERS:
                    self.set_header(name.strip(), value.strip())

        def on_chunk(chunk: bytes) -> None:
            self.write(chunk)
            self.flush()

        await client.fetch("GET", url, headers=headers, streaming_callback=on_chunk, header_callback=on_header,
                           timeout=3600)
        self.finish()

    @web.authenticated
    @authorized
    async def get(self, backend: str, path: str) -> None:
        await self._forward(backend, path)

    @web.authenticated
    @authorized
    async def post(self, backend: str, path: str) -> None:
        await self._forward(backend, path)

    @web.authenticated
    @authorized
    async def put(self, backend: str, path: str) -> None:
        await self._forward(backend, path)

    @web.authenticated
    @authorized
    async def patch(self, backend: str, path: str) -> None:
        await self._forward(backend, path)

    @web.authenticated
    @authorized
    async def delete(self, backend: str, path: str) -> None:
        await self._forward(backend, path)

"""A model version's files: ``PUT .../artifacts/{file}`` (streamed upload) and
``GET .../artifacts/download?path=`` (streamed download).

Uploads never sit in memory: tornado hands the body over in chunks (``@stream_request_body``) and
each chunk goes on to the backend through a bounded queue (back-pressure both ways). The size cap
is checked on ``Content-Length`` in ``prepare()``, before a byte of the body is read (a client that
sends ``Expect: 100-continue`` gets the 413 before it uploads anything), and again while streaming.
"""
from __future__ import annotations

import asyncio
import inspect
from datetime import timedelta
from typing import Any, Optional
from urllib.parse import quote

from jupyter_server.auth.decorator import authorized
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPRequest, HTTPResponse
from tornado.queues import Queue, QueueFull
from tornado.util import TimeoutError as QueueTimeout

from ...client import registry_view as rv
from ...client.calls import error_for
from ...client.compare_series import one
from ...client.errors import BackendTimeout, BackendUnreachable, InvalidInput, MlopsError, NotFound
from ...client.paths import safe_relpath
from ..base import MlopsHandler
from .registry import VERSION, max_upload


class TooLarge(MlopsError):
    """413: the file is over the backend's (or the configured) upload cap."""

    status = 413
    error = "too_large"

    def __init__(self, size: Optional[int], cap: int) -> None:
        got = f"{size:,} bytes" if size is not None else "more"
        super().__init__(f"The file is too large for this backend: {got}, the limit is {cap:,} bytes "
                         f"({cap / 1024 ** 3:.1f} GiB).", reason="too_large")
        self.cap = cap

    def to_json(self) -> dict[str, Any]:  # type: ignore[override]
        return {**super().to_json(), "max_bytes": self.cap}


@web.stream_request_body
class VersionFileHandler(MlopsHandler):
    _fetch: Optional["asyncio.Future[HTTPResponse]"] = None

    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        if self.request.method != "PUT" or self._finished:
            return
        # prepare() runs before the verb's decorators: authenticate and authorize here too.
        if not self.current_user:
            raise web.HTTPError(403)
        allowed = self.authorizer.is_authorized(self, self.current_user, "write", self.auth_resource)
        if not (await allowed if inspect.isawaitable(allowed) else allowed):
            raise web.HTTPError(403)
        kw = self.path_kwargs
        if not safe_relpath(kw["file"]):
            raise InvalidInput("Give the file a name.", reason="invalid_artifact_name")
        client = self.registry.client(kw["backend"])
        self._cap = rv.upload_info(client.backend, max_upload(self))["max_bytes"]
        length = self.request.headers.get("Content-Length")
        size = int(length) if length and length.isascii() and length.isdigit() else None
        if size is not None and size > self._cap:
            raise TooLarge(size, self._cap)
        self.request.connection.set_max_body_size(self._cap)
        mv = await client.drive(rv.resolve_version(client.api, kw["name"], kw["version"]))
        self._uri = await client.drive(rv.version_artifact_uri(client.api, kw["name"], mv))
        url = client.api.upload_artifact(self._uri, kw["file"], b"").url(client.backend.url)  # checks the name
        self._queue: Queue[Optional[bytes]] = Queue(maxsize=8)
        self._received = 0
        headers = {**client.backend.auth_headers(), "Content-Type": "application/octet-stream"}
        if size is not None:
            headers["Content-Length"] = str(size)

        async def producer(write: Any) -> None:
            while (chunk := await self._queue.get()) is not None:
                await write(chunk)

        request = HTTPRequest(url, method="PUT", headers=headers, body_producer=producer,
                              connect_timeout=client.connect_timeout, request_timeout=6 * 3600)
        self._fetch = asyncio.ensure_future(AsyncHTTPClient().fetch(request, raise_error=False))

    async def _send(self, chunk: Optional[bytes]) -> None:
        while self._fetch is not None and not self._fetch.done():
            try:
                await self._queue.put(chunk, timeout=timedelta(seconds=1))
                return
            except QueueTimeout:
                continue

    async def data_received(self, chunk: bytes) -> None:
        if self._fetch is None:
            return
        self._received += len(chunk)
        if self._received > self._cap:
            raise TooLarge(None, self._cap)
        await self._send(chunk)

    def on_connection_close(self) -> None:
        """The browser went away mid-upload: end the backend request too (it sees a short body)."""
        if self._fetch is not None and not self._fetch.done():
            self._fetch.add_done_callback(lambda f: f.cancelled() or f.exception())
            while True:
                try:
                    self._queue.put_nowait(None)
                    break
                except QueueFull:
                    self._queue.get_nowait()
        super().on_connection_close()

    @web.authenticated
    @authorized
    async def put(self, backend: str, name: str, version: str, file: str) -> None:
        assert self._fetch is not None
        await self._send(None)
        response = await self._fetch
        client = self.registry.client(backend)
        if response.code == 599:
            err = response.error
            if err is not None and "timeout" in str(err).lower():
                raise BackendTimeout(f"Backend {backend!r} did not finish the upload in time.")
            raise BackendUnreachable(f"Backend {backend!r} is unreachable ({err.__class__.__name__}).")
        if response.code >= 400:
            raise error_for(response.code, response.body or b"", backend=backend, kind=client.backend.kind)
        files = await client.drive(one(client.api.list_artifacts(self._uri)))
        self.write_json({"path": file, "size": self._received, "artifacts": [f.to_json() for f in files]},
                        status=201)

    @web.authenticated
    @authorized
    async def get(self, backend: str, name: str, version: str, file: str) -> None:
        if file != "download":
            raise NotFound("Use artifacts/download?path=<file> to download.", reason="not_found")
        path = self.get_argument("path", "")
        if not safe_relpath(path):
            raise InvalidInput("path (the file to download) is required.", reason="invalid_path")
        client = self.registry.client(backend)
        mv = await client.drive(rv.resolve_version(client.api, name, version))
        uri = await client.drive(rv.version_artifact_uri(client.api, name, mv))
        url = client.api.download_artifact(uri, path).url(client.backend.url)  # refuses paths that escape
        state: dict[str, Any] = {"status": 0, "error": b"", "started": False}

        def on_header(line: str) -> None:
            if line.startswith("HTTP/"):
                state["status"] = int(line.split()[1])

        def on_chunk(chunk: bytes) -> None:
            if state["status"] >= 400:
                state["error"] += chunk[:10000]
                return
            if not state["started"]:
                state["started"] = True
                self.set_header("Content-Type", "application/octet-stream")
                self.set_header("Content-Disposition",
                                f"attachment; filename*=UTF-8''{quote(path.rsplit('/', 1)[-1])}")
                self.set_header("X-Content-Type-Options", "nosniff")
            self.write(chunk)
            self.flush()

        response = await client.fetch("GET", url, streaming_callback=on_chunk, header_callback=on_header,
                                      timeout=3600)
        code = state["status"] or response.code
        if code >= 400:
            raise error_for(code, state["error"], backend=backend, kind=client.backend.kind)
        if not state["started"]:
            self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(set_content_type="application/octet-stream")


ROUTES = [(VERSION + r"/artifacts/(?P<file>[^/]+)", VersionFileHandler)]

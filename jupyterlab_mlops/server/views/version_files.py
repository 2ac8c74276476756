"""A model version's files: ``PUT .../artifacts/{file}`` (streamed upload) and
``GET .../artifacts/download?path=`` (streamed download), both through :mod:`..relay`.

Uploads never sit in memory: tornado hands the body over in chunks (``@stream_request_body``) and each
chunk goes on to the backend as it arrives (back-pressure both ways). The size cap is checked on
``Content-Length`` in ``prepare()``, before a byte of the body is read (a client that sends
``Expect: 100-continue`` gets the 413 before it uploads anything), and again while streaming.
"""

from __future__ import annotations

import posixpath
from typing import Optional

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...client.calls import error_for
from ...client.errors import InvalidInput, NotFound, TooLarge
from ...client.flows import one
from ...client.paths import safe_relpath
from ...views import registry as rv
from ...views import version_page as vp
from ..base import MlopsHandler
from ..relay import UploadRelay, send_download, widen_reads
from .registry import VERSION


@web.stream_request_body
class VersionFileHandler(MlopsHandler):
    _upload: Optional[UploadRelay] = None

    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        if self.request.method != "PUT" or self._finished:
            return
        await self.authorize_early("write")
        kw = self.path_kwargs
        if not safe_relpath(kw["file"]):
            raise InvalidInput("Give the file a name.", reason="invalid_artifact_name")
        client = self.registry.client(kw["backend"])
        self._cap = vp.upload_info(client.backend, self.max_upload_bytes)["max_bytes"]
        length = self.request.headers.get("Content-Length")
        size = int(length) if length and length.isascii() and length.isdigit() else None
        if size is not None and size > self._cap:
            raise TooLarge(size, self._cap)
        self.request.connection.set_max_body_size(self._cap)  # type: ignore[union-attr]
        mv = await client.drive(rv.resolve_version(client.api, kw["name"], kw["version"]))
        self._uri = await client.drive(vp.version_artifact_uri(client.api, kw["name"], mv))
        url = client.api.upload_artifact(self._uri, kw["file"], b"").url(client.backend.url)  # checks the name
        headers = {"Content-Type": "application/octet-stream"}
        if size is not None:
            headers["Content-Length"] = str(size)
        widen_reads(self)
        self._upload = UploadRelay(client, "PUT", url, headers=headers)

    async def data_received(self, chunk: bytes) -> None:
        if self._upload is None:
            return
        if self._upload.received + len(chunk) > self._cap:
            self._upload.cancel()
            raise TooLarge(None, self._cap)
        await self._upload.feed(chunk)

    def on_connection_close(self) -> None:
        """The browser went away mid-upload: end the backend request too (it sees a cut body)."""
        if self._upload is not None:
            self._upload.cancel()
        super().on_connection_close()

    @web.authenticated
    @authorized
    async def put(self, backend: str, name: str, version: str, file: str) -> None:
        assert self._upload is not None
        response, payload = await self._upload.result()
        client = self.registry.client(backend)
        if response.status_code >= 400:
            raise error_for(response.status_code, payload, backend=backend, kind=client.backend.kind)
        files = await client.drive(one(client.api.list_artifacts(self._uri)))
        self.write_json(
            {"path": file, "size": self._upload.received, "artifacts": [f.to_json() for f in files]}, status=201
        )

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
        uri = await client.drive(vp.version_artifact_uri(client.api, name, mv))
        url = client.api.download_artifact(uri, path).url(client.backend.url)  # refuses paths that escape
        await send_download(self, client, url, name=posixpath.basename(path))


ROUTES = [(VERSION + r"/artifacts/(?P<file>[^/]+)", VersionFileHandler)]

"""Run artifacts: a directory listing and a streamed download (``.notes/API_ISSUE3.md`` §5).

Artifacts of a shared backend are untrusted: downloads always carry ``Content-Disposition:
attachment``, ``nosniff`` and a sandboxing CSP, so nothing renders in the Jupyter origin.
"""
from __future__ import annotations

import mimetypes
import posixpath
from typing import Any, Optional
from urllib.parse import quote, urljoin, urlsplit

from jupyter_server.auth.decorator import authorized
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from ...client.calls import error_for
from ...client.errors import BackendUnreachable, InvalidInput, NotFound
from ...client.paths import safe_relpath
from ..transport import AsyncClient
from ._common import ViewHandler
from .runs import get_live_run

DOWNLOAD_TIMEOUT = 3600.0
MAX_SEGMENT, MAX_PATH = 255, 1024  # bytes: file systems' NAME_MAX, and a sane total


def artifact_path(raw: Optional[str]) -> str:
    """``safe_relpath`` plus length limits (a backend store answers 500 to an over-long name)."""
    rel = safe_relpath(raw or "")
    if len(rel.encode()) > MAX_PATH or any(len(p.encode()) > MAX_SEGMENT for p in rel.split("/")):
        raise InvalidInput(f"Artifact path too long (at most {MAX_SEGMENT} bytes per name, {MAX_PATH} in all).",
                           reason="invalid_path")
    return rel


def content_headers(name: str) -> dict[str, str]:
    """Headers of a download: type from the extension, attachment, no sniffing, sandboxed."""
    ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in name) or "download"
    return {
        "Content-Type": ctype,
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }


class _ArtifactHandler(ViewHandler):
    async def artifact_uri(self, client: AsyncClient, backend: str, run_id: str) -> Optional[str]:
        """The run's artifact URI (cached 10 minutes; an unknown or deleted run is a 404)."""
        key = (backend, run_id)
        uri = self.caches.artifact_uris.get(key)
        if uri is None:
            uri = self.caches.artifact_uris.put(key, (await get_live_run(client, run_id)).artifact_uri)
        return uri


class ArtifactsHandler(_ArtifactHandler):
    """GET: the files of one artifact directory (``path`` = '' for the root)."""

    @web.authenticated
    @authorized
    async def get(self, backend: str, run_id: str) -> None:
        client = self.registry.client(backend)
        rel = artifact_path(self.arg("path"))
        uri = await self.artifact_uri(client, backend, run_id)
        note = None
        try:
            files = [f.to_json() for f in await client.run(client.api.list_artifacts(uri, rel))]
        except NotFound:
            files = []  # GitLab: a candidate without a package has no artifacts yet
        except InvalidInput as exc:
            if exc.reason != "artifacts_not_proxied":
                raise
            files, note = [], exc.message
        if rel and not files and client.api.dialect.is_gitlab:
            note = "GitLab lists artifacts flat: directories have no listing."
        self.write_json({"run_id": run_id, "path": rel, "files": files, "note": note})


class ArtifactDownloadHandler(_ArtifactHandler):
    """GET: one file, streamed from the backend (never buffered whole)."""

    @web.authenticated
    @authorized
    async def get(self, backend: str, run_id: str) -> None:
        client = self.registry.client(backend)
        rel = artifact_path(self.arg("path"))
        if not rel:
            raise InvalidInput("path is required: the artifact file to download.", reason="invalid_path")
        uri = await self.artifact_uri(client, backend, run_id)
        url = client.api.download_artifact(uri, rel).url(client.backend.url)
        headers = content_headers(posixpath.basename(rel))
        state: dict[str, Any] = {"status": 0, "location": None, "started": False, "error": []}

        def on_header(line: str) -> None:
            if line.startswith("HTTP/"):
                state["status"] = int(line.split()[1])
            elif line.lower().startswith("location:"):
                state["location"] = line.split(":", 1)[1].strip()
            elif line.lower().startswith("content-length:") and state["status"] == 200:
                headers["Content-Length"] = line.split(":", 1)[1].strip()

        def on_chunk(chunk: bytes) -> None:
            if state["status"] != 200:
                if sum(map(len, state["error"])) < 100_000:
                    state["error"].append(chunk)
                return
            if not state["started"]:
                state["started"] = True
                for name, value in headers.items():
                    self.set_header(name, value)
            self.write(chunk)
            self.flush()

        response = await client.fetch("GET", url, streaming_callback=on_chunk, header_callback=on_header,
                                      timeout=DOWNLOAD_TIMEOUT)
        if response.code in (301, 302, 303, 307, 308) and state["location"]:
            # Object storage behind GitLab: follow once, without our credentials on another host.
            target = urljoin(url, state["location"])
            same_host = urlsplit(target).netloc == urlsplit(url).netloc
            state.update(status=0, error=[])
            response = await (client.fetch("GET", target, streaming_callback=on_chunk, header_callback=on_header,
                                           timeout=DOWNLOAD_TIMEOUT) if same_host
                              else self._plain_fetch(target, on_chunk, on_header))
        if response.code >= 300:
            raise error_for(response.code if response.code >= 400 else 502, b"".join(state["error"]),
                            backend=backend, kind=client.backend.kind)
        if not state["started"]:
            for name, value in headers.items():
                self.set_header(name, value)
        self.finish()

    async def _plain_fetch(self, url: str, on_chunk: Any, on_header: Any) -> Any:
        request = HTTPRequest(url, method="GET", follow_redirects=False, request_timeout=DOWNLOAD_TIMEOUT,
                              streaming_callback=on_chunk, header_callback=on_header)
        try:
            return await AsyncHTTPClient().fetch(request, raise_error=False)
        except OSError as exc:
            raise BackendUnreachable(f"Artifact storage at {urlsplit(url).netloc} is unreachable "
                                     f"({exc.__class__.__name__}).") from None


ROUTES = [
    (r"backends/(?P<backend>[^/]+)/runs/(?P<run_id>[^/]+)/artifacts", ArtifactsHandler),
    (r"backends/(?P<backend>[^/]+)/runs/(?P<run_id>[^/]+)/artifacts/download", ArtifactDownloadHandler),
]

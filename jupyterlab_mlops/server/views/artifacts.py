"""Run artifacts: a directory listing and a streamed download (``.notes/API_ISSUE3.md`` §5).

Artifacts of a shared backend are untrusted: downloads carry ``nosniff``, a sandboxing CSP and
``Content-Disposition: attachment`` unless the type is a harmless inline one (:mod:`..relay`), so
nothing renders as a page in the Jupyter origin.
"""
from __future__ import annotations

import posixpath
from typing import Optional

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...client.errors import InvalidInput, NotFound
from ...client.paths import safe_relpath
from ..relay import send_download
from ..transport import AsyncClient
from ._common import ViewHandler
from .runs import get_live_run

MAX_SEGMENT, MAX_PATH = 255, 1024  # bytes: file systems' NAME_MAX, and a sane total


def artifact_path(raw: Optional[str]) -> str:
    """``safe_relpath`` plus length limits (a backend store answers 500 to an over-long name)."""
    rel = safe_relpath(raw or "")
    if len(rel.encode()) > MAX_PATH or any(len(p.encode()) > MAX_SEGMENT for p in rel.split("/")):
        raise InvalidInput(f"Artifact path too long (at most {MAX_SEGMENT} bytes per name, {MAX_PATH} in all).",
                           reason="invalid_path")
    return rel


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
    """GET: one file, streamed from the backend (never buffered whole), with the download headers."""

    @web.authenticated
    @authorized
    async def get(self, backend: str, run_id: str) -> None:
        client = self.registry.client(backend)
        rel = artifact_path(self.arg("path"))
        if not rel:
            raise InvalidInput("path is required: the artifact file to download.", reason="invalid_path")
        uri = await self.artifact_uri(client, backend, run_id)
        url = client.api.download_artifact(uri, rel).url(client.backend.url)
        await send_download(self, client, url, name=posixpath.basename(rel))


ROUTES = [
    (r"backends/(?P<backend>[^/]+)/runs/(?P<run_id>[^/]+)/artifacts", ArtifactsHandler),
    (r"backends/(?P<backend>[^/]+)/runs/(?P<run_id>[^/]+)/artifacts/download", ArtifactDownloadHandler),
]

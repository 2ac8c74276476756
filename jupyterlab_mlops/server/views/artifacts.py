"""Run artifacts: a directory listing (``{run_id, path, files: [FileInfo], note}``) and a streamed download.

Artifacts of a shared backend are untrusted: downloads carry ``nosniff``, a sandboxing CSP and
``Content-Disposition: attachment`` unless the type is a harmless inline one (:mod:`..relay`), so
nothing renders as a page in the Jupyter origin.
"""

from __future__ import annotations

import posixpath
from typing import Optional

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...client.errors import InvalidInput
from ...client.paths import safe_relpath
from ...views.run_detail import artifact_files
from ..relay import send_download
from ._common import ViewHandler

MAX_SEGMENT, MAX_PATH = 255, 1024  # bytes: file systems' NAME_MAX, and a sane total


def artifact_path(raw: Optional[str]) -> str:
    """``safe_relpath`` plus length limits (a backend store answers 500 to an over-long name)."""
    rel = safe_relpath(raw or "")
    if len(rel.encode()) > MAX_PATH or any(len(p.encode()) > MAX_SEGMENT for p in rel.split("/")):
        raise InvalidInput(
            f"Artifact path too long (at most {MAX_SEGMENT} bytes per name, {MAX_PATH} in all).", reason="invalid_path"
        )
    return rel


class ArtifactsHandler(ViewHandler):
    """GET: the files of one artifact directory (``path`` = '' for the root)."""

    @web.authenticated
    @authorized
    async def get(self, backend: str, run_id: str) -> None:
        client = self.registry.client(backend)
        rel = artifact_path(self.arg("path"))
        uri = await self.caches.runs.artifact_uri(self.drive, client.api, backend, run_id)
        listing = await self.drive(backend, artifact_files(client.api, uri, rel))
        self.write_json({"run_id": run_id, "path": rel, **listing})


class ArtifactDownloadHandler(ViewHandler):
    """GET: one file, streamed from the backend (never buffered whole), with the download headers."""

    @web.authenticated
    @authorized
    async def get(self, backend: str, run_id: str) -> None:
        client = self.registry.client(backend)
        rel = artifact_path(self.arg("path"))
        if not rel:
            raise InvalidInput("path is required: the artifact file to download.", reason="invalid_path")
        uri = await self.caches.runs.artifact_uri(self.drive, client.api, backend, run_id)
        url = client.api.download_artifact(uri, rel).url(client.backend.url)
        await send_download(self, client, url, name=posixpath.basename(rel))


ROUTES = [
    (r"backends/(?P<backend>[^/]+)/runs/(?P<run_id>[^/]+)/artifacts", ArtifactsHandler),
    (r"backends/(?P<backend>[^/]+)/runs/(?P<run_id>[^/]+)/artifacts/download", ArtifactDownloadHandler),
]

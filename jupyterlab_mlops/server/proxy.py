"""``backends/{b}/mlflow/{path}``: a tracking URI for the stock ``mlflow`` client.

MLflow's REST families pass through by family and method (:mod:`.allowlist`), streamed both ways
(:mod:`.relay`): request bodies go on to the backend as they arrive and file downloads are written as
they are read, so multi-GB artifacts cost no memory. Credentials are added here and never returned;
GitLab's dialect is translated where the stock client would fail (artifact uploads go to GitLab's
package API). Every refusal is MLflow's own ``ENDPOINT_NOT_FOUND`` shape, so MLflow's client behaves
as it does against a server that lacks the endpoint.
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional
from urllib.parse import parse_qsl, quote

import httpx
from jupyter_server.auth.decorator import authorized
from tornado import web

from ..client.calls import REST, error_for
from ..client.dialect import gitlab_api_root, gitlab_download_needs_package_api, gitlab_package_file
from ..client.errors import InvalidInput, MlopsError, NotFound, TooLarge
from ..client.paths import backend_url, path_problem, proxied_artifact_uri
from .allowlist import ARTIFACT_FILES, refusal
from .base import MlopsHandler
from .relay import UploadRelay, read_capped, relay, security_headers, widen_reads

_PASS_REQUEST_HEADERS = ("Content-Type", "Accept", "Content-Length")
_PASS_RESPONSE_HEADERS = ("Content-Type", "Content-Disposition", "Last-Modified", "ETag", "Location")
# a GitLab file: no PUT on mlflow-artifacts (uploads go to the package API, which takes sub-paths, C8), and
# names with a space are found only by the package API's GET (C7)
_GITLAB_FILE = re.compile(r"^api/2\.0/mlflow-artifacts/artifacts/(?P<root>candidate:\d+|\d+)/(?P<name>.+)$")
SMALL_BODY = 1024 * 1024  # request bodies up to this size are sent in one piece (JSON calls stay fast)
BUFFERED_RESPONSE = 64 * 1024 * 1024  # larger or unsized non-file answers are relayed as they come
NO_LIMIT = 1 << 62
# MLflow's error codes for the statuses the proxy itself answers with.
_MLFLOW_CODES = {
    400: "INVALID_PARAMETER_VALUE",
    403: "PERMISSION_DENIED",
    404: "ENDPOINT_NOT_FOUND",
    409: "RESOURCE_ALREADY_EXISTS",
    413: "INVALID_PARAMETER_VALUE",
    502: "BAD_GATEWAY",
    503: "TEMPORARILY_UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


_RUNS = REST + "runs/"


def _proxied_artifact_uris(payload: bytes, base: str) -> bytes:
    """Runs in a GitLab answer with their ``artifact_uri`` in the proxied form (see ``proxied_artifact_uri``)."""
    if b"/packages/ml_models/" not in payload:
        return payload
    try:
        data = json.loads(payload)
    except ValueError:
        return payload
    runs = [data.get("run")] + list(data.get("runs") or []) if isinstance(data, dict) else []
    infos = [r["info"] for r in runs if isinstance(r, dict) and isinstance(r.get("info"), dict)]
    if isinstance(data, dict) and isinstance(data.get("run_info"), dict):
        infos.append(data["run_info"])  # runs/update
    for info in infos:
        if isinstance(info.get("artifact_uri"), str):
            info["artifact_uri"] = proxied_artifact_uri(info["artifact_uri"], base)
    return json.dumps(data).encode()


@web.stream_request_body
class ProxyHandler(MlopsHandler):
    """Forwards MLflow REST and artifact requests to a configured backend, bodies streamed."""

    _upload: Optional[UploadRelay] = None
    _chunks: Optional[list[bytes]] = None
    _refused: Optional[Exception] = None

    def error_body(self, exc: Optional[BaseException]) -> dict[str, Any]:
        body = super().error_body(exc)
        return {"error_code": _MLFLOW_CODES.get(self.get_status(), "INTERNAL_ERROR"), **body}

    def _target(self, backend: str, path: str) -> str:
        entry = self.registry.get(backend)
        method = self.request.method or "GET"
        why = refusal(method, path)
        if why:
            raise NotFound(f"{method} {path!r} is not forwarded by this tracking URI: {why}.", reason="not_forwarded")
        for key, value in parse_qsl(self.request.query, keep_blank_values=True):
            if key in ("path", "artifact_path") and path_problem(value):
                raise InvalidInput(
                    f"Query argument {key}={value!r} is refused: {path_problem(value)}.", reason="path_traversal"
                )
        base = entry.backend.url
        m = _GITLAB_FILE.match(path) if entry.backend.kind == "gitlab" else None
        api_root = gitlab_api_root(base) if m else None
        if (
            m
            and api_root
            and (method == "PUT" or method in ("GET", "HEAD") and gitlab_download_needs_package_api(m["name"]))
        ):
            return backend_url(base, gitlab_package_file(api_root, m["root"], m["name"]), absolute=True)
        url = backend_url(base, quote(path, safe="/:"))
        return f"{url}?{self.request.query}" if self.request.query else url

    async def prepare(self) -> None:  # type: ignore[override]
        """Refuse before reading a byte of a large body; then relay it as it arrives.

        A refusal of a small or empty request is answered once its body is read, so the client's
        keep-alive connection stays usable (tornado closes a connection answered mid-request)."""
        await super().prepare()
        if self._finished:
            return
        method = self.request.method or "GET"
        length = self.request.headers.get("Content-Length", "")
        size = int(length) if length.isascii() and length.isdigit() else None
        chunked = "chunked" in self.request.headers.get("Transfer-Encoding", "").lower()
        streamed = (size is not None and size > SMALL_BODY) or (size is None and chunked)
        self._chunks = None if streamed else []
        try:
            await self.authorize_early("read" if method == "GET" else "write")
            kw = self.path_kwargs
            self._url = self._target(kw["backend"], kw["path"])
            self._client = self.registry.client(kw["backend"])
            cap = self.max_upload_bytes
            if cap and size is not None and size > cap:
                raise TooLarge(size, cap)
        except (MlopsError, web.HTTPError) as exc:
            if streamed:
                raise
            self._refused = exc
            return
        self.request.connection.set_max_body_size(cap or NO_LIMIT)  # type: ignore[union-attr]
        if streamed:
            widen_reads(self)
            self._upload = UploadRelay(self._client, method, self._url, headers=self._request_headers())

    def _request_headers(self) -> dict[str, str]:
        headers = {k: v for k in _PASS_REQUEST_HEADERS if (v := self.request.headers.get(k))}
        return {**headers, "Accept-Encoding": "identity"}

    async def data_received(self, chunk: bytes) -> None:
        if self._chunks is not None:
            self._chunks.append(chunk)
        elif self._upload is not None:
            await self._upload.feed(chunk)

    def on_connection_close(self) -> None:
        if self._upload is not None:
            self._upload.cancel()
        super().on_connection_close()

    async def _forward(self, backend: str, path: str) -> None:
        method = self.request.method or "GET"
        client = self._client
        if self._upload is not None:
            response, payload = await self._upload.result()
            await self._respond(response, payload)
            return
        body = b"".join(self._chunks or ())
        content = body if body or method in ("POST", "PUT", "PATCH") else None
        async with client.open(
            method,
            self._url,
            content=content,
            headers=self._request_headers(),
            follow=method == "GET",
            transfer=path.startswith(ARTIFACT_FILES),
        ) as response:
            if response.status_code == 200 and method == "GET" and path.startswith(ARTIFACT_FILES):
                name = path.rsplit("/", 1)[-1]
                ctype = response.headers.get("content-type", "application/octet-stream")
                await relay(self, client, response, security_headers(name, ctype))
                return
            size = response.headers.get("content-length", "")
            if size.isdigit() and int(size) > BUFFERED_RESPONSE and response.status_code < 400:
                await relay(self, client, response, {"X-Content-Type-Options": "nosniff"})
                return
            limit = BUFFERED_RESPONSE if response.status_code < 400 else 1024 * 1024
            await self._respond(response, await read_capped(client, response, limit))

    async def _respond(self, response: httpx.Response, payload: bytes) -> None:
        """A buffered answer: the backend's status, type and body, secrets scrubbed, 401/403 explained."""
        self.set_status(response.status_code)
        for name in _PASS_RESPONSE_HEADERS:
            if name in response.headers:
                self.set_header(name, response.headers[name])
        self.set_header("X-Content-Type-Options", "nosniff")
        self.relayed = True
        ctype = response.headers.get("content-type") or "application/json"
        if response.status_code in (401, 403):
            # Say what is wrong with the credentials (GitLab: scope or role), in MLflow's error shape.
            err = error_for(
                response.status_code, payload, backend=self.path_kwargs["backend"], kind=self._client.backend.kind
            )
            ctype = "application/json"
            payload = json.dumps({"error_code": "PERMISSION_DENIED", "message": err.message}).encode()
        if (
            self._client.backend.kind == "gitlab"
            and ctype.startswith("application/json")
            and self.path_kwargs["path"].startswith(_RUNS)
        ):
            payload = _proxied_artifact_uris(payload, self._client.backend.url)
        payload = self.redactor.body(payload, ctype)
        self.finish(payload, set_content_type=ctype)

    async def _verb(self, backend: str, path: str) -> None:
        if self._refused is not None:
            raise self._refused
        await self._forward(backend, path)

    @web.authenticated
    @authorized
    async def get(self, backend: str, path: str) -> None:
        await self._verb(backend, path)

    @web.authenticated
    @authorized
    async def post(self, backend: str, path: str) -> None:
        await self._verb(backend, path)

    @web.authenticated
    @authorized
    async def put(self, backend: str, path: str) -> None:
        await self._verb(backend, path)

    @web.authenticated
    @authorized
    async def patch(self, backend: str, path: str) -> None:
        await self._verb(backend, path)

    @web.authenticated
    @authorized
    async def delete(self, backend: str, path: str) -> None:
        await self._verb(backend, path)

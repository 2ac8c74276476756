"""Bodies between a browser (or the stock ``mlflow`` client) and a backend, streamed both ways.

One implementation for every route that moves files: the proxy, run artifacts and model-version files.
- Downloads: :func:`send_download` opens the backend's file through the transport (redirects followed,
  credentials only on the backend's origin), passes its ``Content-Type``, ``Content-Length``, ``ETag`` and
  ``Last-Modified``, sets ``Content-Disposition`` and the security headers once, and writes as it reads
  (a few pieces ahead), awaiting ``flush()`` so a slow client slows the backend read instead of growing
  Jupyter's memory.
  A backend that dies mid-body cuts the response (the client sees fewer bytes than announced), never a
  clean 200.
- Uploads: :class:`UploadRelay` hands the chunks tornado gives ``data_received`` to the upstream request
  through a small queue; a client that goes away cancels the upstream request.
"""

from __future__ import annotations

import asyncio
import copy
import mimetypes
from typing import Any, Optional
from urllib.parse import quote

import httpx
from tornado.iostream import StreamClosedError
from tornado.web import RequestHandler

from ..client.calls import error_for
from ..client.errors import MlopsError
from .base import MlopsHandler
from .transport import AsyncClient

PASS_HEADERS = ("Content-Type", "Content-Length", "Content-Encoding", "ETag", "Last-Modified")
# Types a browser may show in place; everything else is an attachment. Never HTML or SVG (scripts).
INLINE_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "text/plain", "text/csv", "application/json"}
)
SANDBOX_CSP = "default-src 'none'; sandbox"
ERROR_BODY_LIMIT = 64 * 1024
QUEUE_CHUNKS = 8
READ_AHEAD = 4  # pieces read from the backend while the previous ones are written to the client
WRITE_CHUNK = 512 * 1024
BODY_CHUNK = 1024 * 1024  # request body pieces handed to data_received while a large body streams


def content_type(name: str, backend_type: Optional[str]) -> str:
    """The backend's type, or one guessed from the file name when the backend gives none."""
    if backend_type and backend_type.split(";")[0].strip().lower() != "application/octet-stream":
        return backend_type
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def security_headers(name: str, ctype: str) -> dict[str, str]:
    """``nosniff``, a sandboxing CSP, and attachment unless the type is a harmless inline one."""
    inline = ctype.split(";")[0].strip().lower() in INLINE_TYPES
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in name) or "download"
    disposition = (
        f"{'inline' if inline else 'attachment'}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    return {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": SANDBOX_CSP,
        "Content-Disposition": disposition,
    }


async def read_capped(client: AsyncClient, response: httpx.Response, limit: int = ERROR_BODY_LIMIT) -> bytes:
    """At most ``limit`` bytes of a (decoded) body: a hostile backend's error body can be huge."""
    size = response.headers.get("content-length", "")
    if size.isdigit() and int(size) <= limit and "content-encoding" not in response.headers:
        return await client.read(response)  # announced and small: one read (httpx checks the length)
    out = bytearray()
    async for chunk in client.chunks(response, decoded=True):
        out += chunk[: limit - len(out)]
        if len(out) >= limit:
            break
    return bytes(out)


def abort(handler: RequestHandler) -> None:
    """End a response whose body is cut: close the connection, never finish it cleanly."""
    handler._auto_finish = False  # tornado must not add the end of a body we do not have
    handler.request.connection.close()  # type: ignore[union-attr]


async def _read_ahead(client: AsyncClient, response: httpx.Response, queue: "asyncio.Queue[Any]") -> None:
    """Socket reads batched into pieces of about :data:`WRITE_CHUNK` (fewer writes and flushes downstream)."""
    pieces: list[bytes] = []
    size = 0
    try:
        async for chunk in client.chunks(response):
            pieces.append(chunk)
            size += len(chunk)
            if size >= WRITE_CHUNK:
                await queue.put(b"".join(pieces))
                pieces, size = [], 0
        if pieces:
            await queue.put(b"".join(pieces))
        await queue.put(None)
    except MlopsError as exc:
        if pieces:
            await queue.put(b"".join(pieces))
        await queue.put(exc)


async def relay(
    handler: MlopsHandler, client: AsyncClient, response: httpx.Response, headers: Optional[dict[str, str]] = None
) -> None:
    """Write an open upstream response to the handler's client as it arrives, with back-pressure.

    The backend is read a few chunks ahead while the client is written to, so neither side waits on
    the other's round trips; a slow client stops the reading once those chunks are queued."""
    handler.set_status(response.status_code)
    for name in PASS_HEADERS:
        if name in response.headers:
            handler.set_header(name, response.headers[name])
    for name, value in (headers or {}).items():
        handler.set_header(name, value)
    handler.relayed = True  # no invented ETag (see MlopsHandler.compute_etag)
    ctype = str(handler._headers.get("Content-Type") or "application/octet-stream")
    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=READ_AHEAD)
    reader = asyncio.ensure_future(_read_ahead(client, response, queue))
    sent = False
    try:
        while (chunk := await queue.get()) is not None:
            if isinstance(chunk, MlopsError):
                if not sent:
                    raise chunk  # nothing sent yet: a proper JSON error
                handler.log.warning(
                    "%s %s: backend failed mid-body (%s); response cut",
                    handler.request.method,
                    handler.request.path,
                    handler.scrub(chunk.message),
                )
                abort(handler)
                return
            handler.write(chunk)
            await handler.flush()
            sent = True
    except StreamClosedError:  # the client went away: the caller's context closes the upstream response
        handler._auto_finish = False  # nothing left to finish on a closed connection
        return
    finally:
        reader.cancel()
    handler.finish(set_content_type=ctype)  # type: ignore[call-arg]  # APIHandler would say JSON


def widen_reads(handler: RequestHandler) -> None:
    """Read a large request body in 1 MiB pieces (tornado's default is 64 KiB): fewer syscalls and hand-offs.

    Only this connection's stream and parameters change, never the server's shared ones."""
    connection = handler.request.connection
    stream = getattr(connection, "stream", None)
    params = getattr(connection, "params", None)
    if stream is not None and params is not None:
        stream.read_chunk_size = max(stream.read_chunk_size, min(BODY_CHUNK, stream.max_buffer_size // 2))
        connection.params = copy.copy(params)  # type: ignore[attr-defined]
        connection.params.chunk_size = max(params.chunk_size, BODY_CHUNK)  # type: ignore[attr-defined]


async def send_download(handler: MlopsHandler, client: AsyncClient, url: str, *, name: str, params: Any = None) -> None:
    """Stream one backend file to the client with the download headers; errors typed before any byte."""
    async with client.open(
        "GET", url, params=params, follow=True, transfer=True, headers={"Accept-Encoding": "identity"}
    ) as response:
        if response.status_code >= 300:
            body = await read_capped(client, response)
            raise error_for(
                response.status_code if response.status_code >= 400 else 502,
                body,
                backend=client.backend.name,
                kind=client.backend.kind,
                url=str(response.url),
            )
        ctype = content_type(name, response.headers.get("content-type"))
        await relay(handler, client, response, {**security_headers(name, ctype), "Content-Type": ctype})


class UploadRelay:
    """A request body relayed to the backend as tornado reads it (``data_received``), with back-pressure.

    ``task`` resolves to ``(response, body)`` with at most :data:`ERROR_BODY_LIMIT` bytes of the answer.
    If the backend answers before the body is complete (an error), feeding stops and the answer wins."""

    def __init__(self, client: AsyncClient, method: str, url: str, *, headers: dict[str, str]) -> None:
        self.client = client
        self.received = 0
        self._queue: asyncio.Queue[Optional[bytes]] = asyncio.Queue(maxsize=QUEUE_CHUNKS)
        self.task: asyncio.Future[tuple[httpx.Response, bytes]] = asyncio.ensure_future(
            self._send(method, url, headers)
        )

    async def _body(self) -> Any:
        while (chunk := await self._queue.get()) is not None:
            yield chunk

    async def _send(self, method: str, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        async with self.client.open(method, url, content=self._body(), headers=headers, transfer=True) as r:
            return r, await read_capped(self.client, r)

    async def feed(self, chunk: Optional[bytes]) -> None:
        """Queue one chunk (``None``: the end); waits while the backend is slower than the client."""
        if chunk is not None:
            self.received += len(chunk)
        if self.task.done():
            return
        try:
            self._queue.put_nowait(chunk)
            return
        except asyncio.QueueFull:
            pass
        put = asyncio.ensure_future(self._queue.put(chunk))
        await asyncio.wait({put, self.task}, return_when=asyncio.FIRST_COMPLETED)
        if not put.done():
            put.cancel()

    async def result(self) -> tuple[httpx.Response, bytes]:
        """End the body and wait for the backend's answer."""
        await self.feed(None)
        return await self.task

    def cancel(self) -> None:
        """The client went away mid-upload: the backend sees a cut request, so it stores nothing."""
        if not self.task.done():
            self.task.cancel()
        self.task.add_done_callback(lambda f: f.cancelled() or f.exception())

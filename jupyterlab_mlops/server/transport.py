"""The server's one transport to a backend: a pooled keep-alive ``httpx.AsyncClient``, streaming both ways.

Every byte the server exchanges with a registry goes through :class:`AsyncClient`: calls and flows
(``run``/``drive``), the proxy, artifact downloads and uploads, promotion copies and snapshot reads.
Redirects of reads are followed here, once for all callers: credentials go only to the backend's own
origin, and a ``Location`` passes the same dot-segment checks as the user's input (DESIGN §9).
Network failures become :class:`BackendUnreachable` / :class:`BackendTimeout`, in one place.
"""

from __future__ import annotations

import contextlib
from typing import Any, AsyncIterator, Optional, TypeVar, Union
from urllib.parse import urljoin

import httpx

from ..client.api import Api
from ..client.backend import Backend
from ..client.calls import Call, Flow, error_for
from ..client.errors import BackendError, BackendTimeout, BackendUnreachable, MlopsError
from ..client.paths import checked_url, same_origin

T = TypeVar("T")
Body = Union[bytes, AsyncIterator[bytes], None]

MAX_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)
TRANSFER_TIMEOUT = 300.0  # s without a byte moving, for artifact transfers (not the whole transfer)
#: Idle kept-alive connections are dropped before the backend drops them (uvicorn, MLflow 3's server: 5 s).
KEEPALIVE_EXPIRY = 4.0
#: Failures of a request sent on a kept-alive connection the backend closed meanwhile (nothing was answered).
STALE_CONNECTION = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
#: Methods sent again once after such a failure, when they carry no body (nothing can be applied twice).
RETRIED_METHODS = ("GET", "HEAD")


def query(params: Optional[dict[str, Any]]) -> Optional[list[tuple[str, Any]]]:
    """A call's parameters as query pairs: lists repeat the key, ``None`` is left out."""
    if not params:
        return None
    return [
        (k, v) for k, vs in params.items() for v in (vs if isinstance(vs, (list, tuple)) else [vs]) if v is not None
    ]


class AsyncClient:
    """Runs calls, flows and raw (streamed) requests against one backend over one connection pool."""

    def __init__(
        self, backend: Backend, *, timeout: float = 30.0, connect_timeout: float = 5.0, max_connections: int = 64
    ) -> None:
        self.backend = backend
        self.api = Api(backend.dialect, backend.url)
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        # No default headers: credentials are added per request, for the backend's own origin only.
        self.http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=connect_timeout, pool=timeout),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=16, keepalive_expiry=KEEPALIVE_EXPIRY
            ),
            follow_redirects=False,
        )

    async def close(self) -> None:
        await self.http.aclose()

    def own(self, url: str) -> bool:
        """Whether ``url`` is on the backend's origin (the only one that gets our credentials)."""
        return same_origin(url, self.backend.url)

    def _timeout(self, transfer: bool) -> httpx.Timeout:
        if not transfer:
            return self.http.timeout
        slow = max(self.timeout, TRANSFER_TIMEOUT)
        return httpx.Timeout(slow, connect=self.connect_timeout, pool=self.timeout)

    def _network_error(self, exc: Exception) -> MlopsError:
        name = self.backend.name
        if isinstance(exc, httpx.PoolTimeout):
            # every pooled connection waits on an unanswered request: a hung backend, rarely a flood
            return BackendTimeout(
                f"Backend {name!r} is not answering: no connection free within {self.timeout:g} s, "
                "every one waits on an earlier request."
            )
        if isinstance(exc, httpx.ConnectTimeout):
            return BackendUnreachable(
                f"Backend {name!r} at {self.backend.url} did not accept a connection within {self.connect_timeout:g} s."
            )
        if isinstance(exc, httpx.TimeoutException):
            return BackendTimeout(f"Backend {name!r} did not answer within {self.timeout:g} s.")
        return BackendUnreachable(f"Backend {name!r} at {self.backend.url} is unreachable ({exc.__class__.__name__}).")

    @contextlib.asynccontextmanager
    async def open(
        self,
        method: str,
        url: str,
        *,
        content: Body = None,
        headers: Optional[dict[str, str]] = None,
        params: Any = None,
        follow: bool = False,
        transfer: bool = False,
    ) -> AsyncIterator[httpx.Response]:
        """One request whose response body is not read yet (``aread()`` or :meth:`chunks`).

        HTTP error statuses are returned, not raised. ``follow``: redirects are followed (reads only).
        ``transfer``: an artifact transfer, whose read timeout is the time without a byte moving."""
        current, hops = url, 0
        while True:
            send = {**(headers or {}), **(self.backend.auth_headers() if self.own(current) else {})}
            request = self.http.build_request(
                method,
                current,
                content=content,
                headers=send,
                params=params if hops == 0 else None,
                timeout=self._timeout(transfer),
            )
            try:
                try:
                    response = await self.http.send(request, stream=True)
                except STALE_CONNECTION:
                    if method not in RETRIED_METHODS or content is not None:
                        raise
                    response = await self.http.send(request, stream=True)  # once, on a fresh connection
            except (httpx.TransportError, OSError) as exc:
                raise self._network_error(exc) from None
            if follow and response.status_code in REDIRECTS and "location" in response.headers:
                await response.aclose()
                if hops >= MAX_REDIRECTS:
                    raise BackendError(
                        f"Backend {self.backend.name!r}: more than {MAX_REDIRECTS} redirects.",
                        reason="too_many_redirects",
                    )
                target = urljoin(current, response.headers["location"])
                current, hops = checked_url(target, store=not self.own(target)), hops + 1
                continue
            try:
                yield response
            finally:
                await response.aclose()
            return

    async def chunks(self, response: httpx.Response, *, decoded: bool = False) -> AsyncIterator[bytes]:
        """The body as it arrives (as sent, or ``decoded``); a backend that dies mid-body raises a typed error."""
        try:
            async for chunk in response.aiter_bytes() if decoded else response.aiter_raw():
                yield chunk  # as read from the socket: no re-chunking copy (callers batch what they write)
        except (httpx.TransportError, OSError) as exc:
            raise self._network_error(exc) from None
        except httpx.DecodingError:
            raise self._undecodable() from None

    async def read(self, response: httpx.Response) -> bytes:
        """The whole (decoded) body; network failures typed."""
        try:
            return await response.aread()
        except (httpx.TransportError, OSError) as exc:
            raise self._network_error(exc) from None
        except httpx.DecodingError:
            raise self._undecodable() from None

    def _undecodable(self) -> MlopsError:
        return BackendError(
            f"Backend {self.backend.name!r} sent a body that does not match its Content-Encoding.",
            reason="undecodable_body",
        )

    async def run(self, call: Call[T]) -> T:
        """Send one call and parse its answer; a backend error status raises its typed error."""
        body, headers = call.encoded_body()
        content: Body = body
        if call.body_from is not None:
            async with self.open(
                "GET",
                call.body_from.url(self.backend.url),
                params=query(call.body_from.params),
                follow=True,
                transfer=True,
                headers={"Accept-Encoding": "identity"},
            ) as source:
                if source.status_code >= 400:
                    raise error_for(
                        source.status_code,
                        await self.read(source),
                        backend=self.backend.name,
                        kind=self.backend.kind,
                        url=str(source.url),
                        method="GET",
                    )
                if "content-length" in source.headers:
                    headers = {**headers, "Content-Length": source.headers["content-length"]}
                return await self._send(call, self.chunks(source), headers)
        return await self._send(call, content, headers)

    async def _send(self, call: Call[T], content: Body, headers: dict[str, str]) -> T:
        follow = call.method == "GET"
        async with self.open(
            call.method,
            call.url(self.backend.url),
            content=content,
            headers=headers,
            params=query(call.params),
            follow=follow,
            transfer=call.raw,
        ) as response:
            payload = await self.read(response)
        if response.status_code >= 400:
            raise error_for(
                response.status_code,
                payload,
                backend=self.backend.name,
                kind=self.backend.kind,
                url=str(response.url),
                method=call.method,
            )
        if response.status_code in REDIRECTS:
            raise BackendError(
                f"Backend {self.backend.name!r} answered {response.status_code} to {call.method} "
                "(a redirect this server does not follow).",
                reason="unexpected_redirect",
            )
        return call.decode(payload)

    async def drive(self, flow: Flow[T]) -> T:
        """Async twin of :func:`~jupyterlab_mlops.client.calls.drive_sync`."""
        try:
            call = next(flow)
            while True:
                try:
                    result = await self.run(call)
                except MlopsError as exc:
                    call = flow.throw(exc)
                else:
                    call = flow.send(result)
        except StopIteration as stop:
            return stop.value

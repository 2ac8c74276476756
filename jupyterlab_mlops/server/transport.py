"""Asynchronous transport (tornado) for the server: all backend I/O is async with timeouts."""
from __future__ import annotations

from typing import Any, Callable, Optional, TypeVar
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest, HTTPResponse

from ..client.api import Api
from ..client.backend import Backend
from ..client.calls import Call, Flow, error_for
from ..client.errors import BackendTimeout, BackendUnreachable, MlopsError

T = TypeVar("T")


def _query(params: Optional[dict[str, Any]]) -> str:
    if not params:
        return ""
    flat = [(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, (list, tuple)) else [vs])
            if v is not None]
    return urlencode(flat)


class AsyncClient:
    """Runs calls and flows against one backend; maps failures to typed errors once."""

    def __init__(self, backend: Backend, *, timeout: float = 30.0, connect_timeout: float = 5.0) -> None:
        self.backend = backend
        self.api = Api(backend.dialect, backend.url)
        self.timeout = timeout
        self.connect_timeout = connect_timeout

    async def fetch(
        self, method: str, url: str, *, body: Optional[bytes] = None, headers: Optional[dict[str, str]] = None,
        streaming_callback: Optional[Callable[[bytes], None]] = None,
        header_callback: Optional[Callable[[str], None]] = None, timeout: Optional[float] = None,
    ) -> HTTPResponse:
        """One raw request with our credentials; raises :class:`BackendUnreachable`/``Timeout``.

        HTTP error statuses are returned, not raised (the caller decides)."""
        all_headers = {**(headers or {}), **self.backend.auth_headers()}
        needs_body = method in ("POST", "PUT", "PATCH")
        request = HTTPRequest(
            url, method=method, headers=all_headers,
            body=body if body is not None else (b"" if needs_body else None),
            allow_nonstandard_methods=True, follow_redirects=False, decompress_response=True,
            connect_timeout=self.connect_timeout, request_timeout=timeout or self.timeout,
            streaming_callback=streaming_callback, header_callback=header_callback,
        )
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except HTTPClientError as exc:  # a request that timed out in tornado's queue has no response
            if exc.response is None:
                raise BackendTimeout(
                    f"Backend {self.backend.name!r}: request not sent within {timeout or self.timeout:g} s "
                    "(too many requests in flight).") from None
            response = exc.response
        except (OSError, ConnectionError) as exc:
            raise BackendUnreachable(
                f"Backend {self.backend.name!r} at {self.backend.url} is unreachable ({exc.__class__.__name__})."
            ) from None
        return self._check(response)

    def _check(self, response: HTTPResponse) -> HTTPResponse:
        if response.code == 599:
            err = response.error
            if err is not None and "timeout" in str(err).lower():
                raise BackendTimeout(f"Backend {self.backend.name!r} did not answer within {self.timeout:g} s.")
            raise BackendUnreachable(
                f"Backend {self.backend.name!r} at {self.backend.url} is unreachable"
                f" ({err.__class__.__name__ if err else 'no response'})."
            )
        return response

    async def run(self, call: Call[T]) -> T:
        body, headers = call.encoded_body()
        url = call.url(self.backend.url)
        query = _query(call.params)
        if query:
            url = f"{url}?{query}"
        response = await self.fetch(call.method, url, body=body, headers=headers)
        if response.code >= 400:
            raise error_for(response.code, response.body or b"", backend=self.backend.name, kind=self.backend.kind)
        return call.decode(response.body or b"")

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

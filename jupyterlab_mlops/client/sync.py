"""Synchronous transport (``requests``) for kernels, widgets and scripts."""

from __future__ import annotations

from typing import Any, Optional, TypeVar

import requests

from .api import Api
from .backend import Backend
from .calls import Call, Flow, drive_sync, error_for
from .errors import BackendTimeout, BackendUnreachable

T = TypeVar("T")
CHUNK = 256 * 1024


class SyncClient:
    """Runs :class:`Call` objects and flows against one backend over a pooled session."""

    def __init__(
        self,
        backend: Backend,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        session: Optional[requests.Session] = None,
    ) -> None:
        self.backend = backend
        self.api = Api(backend.dialect, backend.url)
        self.timeout = (connect_timeout, timeout)
        self.session = session or requests.Session()
        self.session.headers.update(backend.auth_headers())

    def run(self, call: Call[T]) -> T:
        """Send one call; raise a typed :mod:`errors` exception on failure.

        A ``body_from`` call is streamed from its download into the upload, never held whole."""
        body, headers = call.encoded_body()
        if call.body_from is None:
            return self._send(call, body, headers)
        source = self._request(
            call.body_from.method,
            call.body_from.url(self.backend.url),
            params=call.body_from.params,
            stream=True,
            headers={"Accept-Encoding": "identity"},
        )
        with source:
            self._raise_for(source, "GET")
            if "Content-Length" in source.headers:
                headers = {**headers, "Content-Length": source.headers["Content-Length"]}
            return self._send(call, source.raw.stream(CHUNK, decode_content=False), headers)

    def _send(self, call: Call[T], body: Any, headers: dict[str, str]) -> T:
        resp = self._request(call.method, call.url(self.backend.url), params=call.params, data=body, headers=headers)
        self._raise_for(resp, call.method)
        return call.decode(resp.content)

    def _raise_for(self, resp: requests.Response, method: str) -> None:
        """The typed error of a backend's error status (the one mapping, :func:`.calls.error_for`)."""
        if resp.status_code >= 400:
            raise error_for(
                resp.status_code,
                resp.content,
                backend=self.backend.name,
                kind=self.backend.kind,
                url=resp.url or "",
                method=method,
            )

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout as exc:
            raise BackendTimeout(f"Backend {self.backend.name!r} did not answer in time: {exc}") from None
        except requests.RequestException as exc:
            raise BackendUnreachable(
                f"Backend {self.backend.name!r} at {self.backend.url} is unreachable: {type(exc).__name__}"
            ) from None

    def drive(self, flow: Flow[T]) -> T:
        """Run a multi-step flow (see :mod:`.flows`)."""
        return drive_sync(flow, self.run)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "SyncClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

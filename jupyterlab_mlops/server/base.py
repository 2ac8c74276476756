"""Base handler: authentication + authorization on every route, errors mapped once, the one body parser and
the one scrubbed output path (JSON, errors, headers, log lines)."""

from __future__ import annotations

import inspect
import json
import re
import traceback
from asyncio import Future
from typing import Any, Optional

from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import web

from ..client.errors import InvalidInput, MlopsError
from ..client.redact import Redactor, redactor
from .backends import BackendRegistry

AUTH_RESOURCE = "mlops"
#: The largest JSON body parsed (a snapshot may post a notebook of a few times ``snapshot_max_bytes``).
JSON_MAX_BYTES = 256 * 1024 * 1024
#: Deeper bodies are refused: code that walks a body recursively must not meet Python's recursion limit.
JSON_MAX_DEPTH = 64
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class MlopsHandler(ExtensionHandlerMixin, APIHandler):
    """Every handler of the extension derives from this one.

    Subclasses decorate their verbs with ``@web.authenticated`` and ``@authorized``;
    a test walks every route to prove it.
    """

    auth_resource = AUTH_RESOURCE

    relayed = False  # a backend's response is being passed on (see :mod:`.relay`)

    @property
    def registry(self) -> BackendRegistry:
        return self.settings["mlops_registry"]

    async def authorize_early(self, action: str) -> None:
        """``prepare()`` runs before the verb's decorators: a handler that streams its request body checks
        authentication and authorization there too, before a byte of the body is read."""
        if not self.current_user:
            raise web.HTTPError(403)
        allowed = self.authorizer.is_authorized(self, self.current_user, action, self.auth_resource)
        if not (await allowed if inspect.isawaitable(allowed) else allowed):
            raise web.HTTPError(403)

    @property
    def max_upload_bytes(self) -> Optional[int]:
        """The configured upload cap (``c.MlopsApp.max_upload_bytes``), None when there is none."""
        return int(self.extensionapp.max_upload_bytes) or None

    def compute_etag(self) -> Optional[str]:
        """A relayed response keeps the backend's ETag, or none: tornado must not invent one."""
        return None if self.relayed else super().compute_etag()

    def json_body(self) -> dict[str, Any]:
        """The request's JSON object, or a 400 that says what is wrong (the one body parser)."""
        return parse_json_object(self.request.body)

    def decode_argument(self, value: bytes, name: Optional[str] = None) -> str:
        """Query and form arguments are text without NUL (invalid UTF-8, lone surrogates: tornado's 400).

        Path arguments are decoded first, before ``path_kwargs`` is set; each route checks its own."""
        text = super().decode_argument(value, name)
        if "\x00" in text and getattr(self, "path_kwargs", None) is not None:
            raise InvalidInput(f"Argument {name!r} contains a NUL character.", reason="invalid_argument")
        return text

    @property
    def redactor(self) -> Redactor:
        """The one scrubber of this server's outputs (the configured secrets of every backend)."""
        return redactor(tuple(self.registry.secrets()))

    def scrub(self, text: str) -> str:
        """Remove secrets from a text we are about to send or log."""
        return self.redactor.text(text)

    def write_json(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(self.redactor.dumps(data))

    def flush(self, include_footers: bool = False) -> "Future[None]":
        """Headers leave scrubbed too (a ``Location`` or file name from a backend may carry a secret)."""
        if not self._headers_written:
            redactor_ = self.redactor
            for name in {n for n, v in self._headers.get_all() if redactor_.hit(v)}:
                values = self._headers.get_list(name)
                self.clear_header(name)
                for value in values:
                    self.add_header(name, redactor_.text(value))
        return super().flush(include_footers)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """JSON ``{message, reason, error}`` for every failure; never a traceback."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        self.set_header("Content-Type", "application/json")
        self.finish(self.redactor.dumps(self.error_body(exc)))

    def error_body(self, exc: Optional[BaseException]) -> dict[str, Any]:
        """The body of an error answer (sets the status of typed errors)."""
        body: dict[str, Any]
        if isinstance(exc, MlopsError):
            self.set_status(exc.status)
            body = exc.to_json()
            backend = (getattr(self, "path_kwargs", None) or {}).get("backend")
            if exc.status in (503, 504) and backend:
                self.registry.mark(backend, exc)
        elif isinstance(exc, web.HTTPError):
            body = {
                "message": exc.log_message or self._reason,
                "reason": exc.reason or self._reason,
                "error": f"http_{exc.status_code}",
            }
        else:
            body = {
                "message": "Internal error in the jupyterlab_mlops server extension; see the server log.",
                "reason": self._reason,
                "error": "internal_error",
            }
        body["message"] = str(body["message"])
        return body

    def log_exception(self, typ: Optional[type], value: Optional[BaseException], tb: Any) -> None:
        """Expected errors are one warning line; others keep the full traceback. Every line is scrubbed."""
        where = self.scrub(f"{self.request.method} {self.request.path}")
        if isinstance(value, MlopsError):
            self.log.warning("%s -> %s: %s", where, value.status, self.scrub(value.message))
        elif isinstance(value, web.HTTPError):
            if value.log_message:
                self.log.warning("%s -> %s: %s", where, value.status_code, self.scrub(value.get_message() or ""))
        else:
            trace = "".join(traceback.format_exception(typ, value, tb)) if typ is not None else repr(value)
            self.log.error("Uncaught exception %s\n%s", where, self.scrub(trace))


def parse_json_object(body: bytes) -> dict[str, Any]:
    """A request body as a JSON object: at most :data:`JSON_MAX_BYTES` and :data:`JSON_MAX_DEPTH` levels,
    valid text (no lone surrogates), no NaN/Infinity; anything else is :class:`InvalidInput` (400)."""
    if not body:
        return {}
    if len(body) > JSON_MAX_BYTES:
        raise InvalidInput(
            f"Request body is too large: {len(body):,} bytes, at most {JSON_MAX_BYTES:,}.", reason="body_too_large"
        )
    try:
        data = json.loads(body, parse_constant=_no_constant)
    except RecursionError:
        raise _too_deep() from None
    except ValueError as exc:  # includes UnicodeDecodeError and over-long integers
        raise InvalidInput(f"Request body is not valid JSON: {exc}.", reason="invalid_json") from None
    if not isinstance(data, dict):
        raise InvalidInput("Request body must be a JSON object.", reason="invalid_json")
    if body.count(b"[") + body.count(b"{") > JSON_MAX_DEPTH and _depth_exceeds(data, JSON_MAX_DEPTH):
        raise _too_deep()
    if _SURROGATE_ESCAPE.search(body):
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput(
                "Request body contains a lone surrogate (\\ud800-\\udfff): not valid text.", reason="invalid_text"
            ) from None
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _too_deep() -> InvalidInput:
    return InvalidInput(f"Request body is nested more than {JSON_MAX_DEPTH} levels deep.", reason="too_deep")


def _depth_exceeds(data: Any, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        for child in node.values() if isinstance(node, dict) else node:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return False

"""Base handler: authentication + authorization on every route, and errors mapped once."""
from __future__ import annotations

import inspect
import json
from typing import Any, Optional

from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import web

from ..client.errors import InvalidInput, MlopsError
from .backends import BackendRegistry

AUTH_RESOURCE = "mlops"


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
        """The request's JSON object, or a 400 that says what is wrong."""
        if not self.request.body:
            return {}
        try:
            data = json.loads(self.request.body)
        except ValueError as exc:
            raise InvalidInput(f"Request body is not valid JSON: {exc}.") from None
        if not isinstance(data, dict):
            raise InvalidInput("Request body must be a JSON object.")
        return data

    def scrub(self, text: str) -> str:
        """Remove configured secrets from a text we are about to send or log."""
        for secret in self.registry.secrets():
            text = text.replace(secret, "[redacted]")
        return text

    def write_json(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """JSON ``{message, reason, error}`` for every failure; never a traceback."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(self.error_body(exc)))

    def error_body(self, exc: Optional[BaseException]) -> dict[str, Any]:
        """The body of an error answer (sets the status of typed errors)."""
        body: dict[str, Any]
        if isinstance(exc, MlopsError):
            self.set_status(exc.status)
            body = exc.to_json()
            if exc.status in (503, 504) and self.path_kwargs.get("backend"):
                self.registry.mark(self.path_kwargs["backend"], exc)
        elif isinstance(exc, web.HTTPError):
            body = {"message": exc.log_message or self._reason, "reason": exc.reason or self._reason,
                    "error": f"http_{exc.status_code}"}
        else:
            body = {"message": "Internal error in the jupyterlab_mlops server extension; see the server log.",
                    "reason": self._reason, "error": "internal_error"}
        body["message"] = self.scrub(str(body["message"]))
        return body

    def log_exception(self, typ: Optional[type], value: Optional[BaseException], tb: Any) -> None:
        """Expected errors are one warning line (scrubbed); others keep the full traceback in the log."""
        if isinstance(value, MlopsError):
            self.log.warning("%s %s -> %s: %s", self.request.method, self.request.path, value.status,
                             self.scrub(value.message))
            return
        super().log_exception(typ, value, tb)

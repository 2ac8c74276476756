"""Sans-I/O requests: a :class:`Call` describes one HTTP exchange and how to parse its answer;
a *flow* is a generator that yields calls and receives their results, so multi-step logic is
written once and driven by the sync (requests) or async (httpx) transport.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Generator, Generic, Optional, TypeVar

from .errors import (
    BackendError,
    BackendTimeout,
    BackendUnreachable,
    Conflict,
    FeatureOff,
    InvalidInput,
    MlopsError,
    NotFound,
    Unauthorized,
)
from .paths import backend_url

T = TypeVar("T")
Flow = Generator["Call[Any]", Any, T]

REST = "api/2.0/mlflow/"
ARTIFACTS = "api/2.0/mlflow-artifacts/"


def _identity(x: Any) -> Any:
    return x


@dataclass
class Call(Generic[T]):
    """One request relative to the backend's tracking URI (or an absolute URL built from config)."""

    method: str
    path: str
    params: Optional[dict[str, Any]] = None
    json: Any = None
    body: Optional[bytes] = None
    headers: dict[str, str] = field(default_factory=dict)
    parse: Callable[[Any], T] = _identity
    raw: bool = False  # hand the parser bytes instead of decoded JSON
    absolute: bool = False  # ``path`` is a full URL (GitLab package uploads)
    body_from: Optional["Call[Any]"] = None  # the body is this download, streamed (copies of artifacts)

    def url(self, base: str) -> str:
        """The checked URL under the tracking URI ``base`` (see :func:`.paths.backend_url`)."""
        return backend_url(base, self.path, absolute=self.absolute)

    def encoded_body(self) -> tuple[Optional[bytes], dict[str, str]]:
        """Body bytes and the content-type header MLflow requires for JSON (TOOLCHAIN §2)."""
        if self.body is not None:
            return self.body, {"Content-Type": "application/octet-stream", **self.headers}
        if self.json is not None:
            return json.dumps(self.json).encode(), {"Content-Type": "application/json", **self.headers}
        return None, dict(self.headers)

    def decode(self, content: bytes) -> T:
        if self.raw:
            return self.parse(content)
        data = json.loads(content) if content and content.strip() else {}
        return self.parse(data)


def drive_sync(flow: Flow[T], run: Callable[[Call[Any]], Any]) -> T:
    """Run a flow with a synchronous ``run(call)``; errors are thrown back into the flow."""
    try:
        call = next(flow)
        while True:
            try:
                result = run(call)
            except MlopsError as exc:
                call = flow.throw(exc)
            else:
                call = flow.send(result)
    except StopIteration as stop:
        return stop.value


def _message_of(body: bytes) -> tuple[str, Optional[str]]:
    """The message and code of an error body in any of the shapes MLflow and GitLab use:
    ``{error_code, message}``, ``{message: [..]}``, ``{error_code}`` alone, ``{error}``, ``{message}``."""
    text = body.decode("utf-8", "replace") if body else ""
    try:
        data = json.loads(text)
    except ValueError:
        return (_plain(text)[:300] or "no details"), None
    if not isinstance(data, dict):
        return str(data)[:300], None
    code = data.get("error_code")
    msg = data.get("message") or data.get("error_description") or data.get("error")
    if isinstance(msg, list):
        msg = "; ".join(str(m) for m in msg)
    elif isinstance(msg, dict):
        msg = json.dumps(msg)
    if not msg:
        msg = str(code).replace("_", " ").lower() if code else text
    return str(msg)[:1000], code


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    """An error page as one line of text: an HTML page's title (or its text without tags), whitespace folded."""
    if "<" in text and ">" in text:
        title = _TITLE.search(text)
        text = title.group(1) if title else _TAGS.sub(" ", text)
    return " ".join(text.split())


ARTIFACT_STORE_DOWN = (
    "its artifact store failed ({status}): {message}. The object store behind the tracking "
    "server (S3, GCS, Azure, a file share) may be down or refusing the server's credentials"
)


MODEL_REGISTRY_OFF = (
    "GitLab answered 404 Not Found: the project's Model registry is turned off (or this GitLab predates it). "
    "Turn it on in the project's Settings > General > Visibility, project features, permissions > Model "
    "registry; run and model artifacts are kept there."
)
#: Where a bare 404 means the feature is off. Not the registry's MLflow routes: there a bare 404 is also what
#: an unimplemented endpoint answers (GITLAB_API.md §2.4), which callers feature-detect as NotFound.
_ARTIFACT_ROUTES = ("/api/2.0/mlflow-artifacts/", "/packages/ml_models/")
PACKAGES_OFF = (
    "GitLab refused the package file (403): the project's Package registry is turned off. Turn on Packages in "
    "the project's Settings > General > Visibility, project features, permissions; run and model artifacts are "
    "stored as packages."
)


def gitlab_feature_error(status: int, message: str, code: Optional[str], url: str, method: str) -> Optional[MlopsError]:
    """GitLab's answers when a project feature is off (GITLAB_API.md C9), told apart from a missing file or
    model: a bare ``404 Not Found`` (failed feature/read check, no ``error_code``; a missing package, file or
    model says more) on the artifact or package API, and
    a 403 without a scope complaint on a package-file read (Guest+ may read, so it is the Package registry)."""
    package = "/packages/ml_models/" in url
    artifacts = any(part in url for part in _ARTIFACT_ROUTES)
    if status == 404 and not code and artifacts and message.strip() == "404 Not Found":
        return FeatureOff(MODEL_REGISTRY_OFF, reason="model_registry_off")
    if status == 403 and package and method in ("GET", "HEAD") and "scope" not in message.lower():
        return FeatureOff(PACKAGES_OFF, reason="packages_disabled")
    return None


def error_for(status: int, body: bytes, *, backend: str, kind: str, url: str = "", method: str = "GET") -> MlopsError:
    """Map a backend's HTTP error to our typed error, once, for both transports (``url`` and ``method``
    of the request tell GitLab's feature-off answers apart)."""
    message, code = _message_of(body)
    if kind == "gitlab":
        off = gitlab_feature_error(status, message, code, url, method)
        if off is not None:
            return off
    if status in (401, 403):
        if kind == "gitlab":
            hint = (
                "the token needs the 'api' scope and at least the Developer role on the project"
                if status == 401 or "scope" not in message.lower()
                else "the token lacks the 'api' scope (read_api tokens cannot write or search)"
            )
            return Unauthorized(f"Backend {backend!r} refused the request ({status}): {hint}.")
        return Unauthorized(f"Backend {backend!r} refused the credentials ({status}): {message}")
    if status in (408, 429):  # busy or rate limited: retryable, like an outage
        return BackendUnreachable(f"Backend {backend!r} is busy ({status}): {message}", reason="backend_busy")
    if code == "RESOURCE_ALREADY_EXISTS" or status == 409:
        return Conflict(message)
    if status == 404 or code == "RESOURCE_DOES_NOT_EXIST":
        return NotFound(message if code else f"Backend {backend!r}: not found ({message})")
    if 400 <= status < 500:
        return InvalidInput(message, reason=code or "invalid_input")
    if status == 503 or code == "TEMPORARILY_UNAVAILABLE":  # MLflow's answer while its database is down
        return BackendUnreachable(
            f"Backend {backend!r} is temporarily unavailable ({status}): {message}", reason="backend_unavailable"
        )
    if status == 504:
        return BackendTimeout(f"Backend {backend!r} timed out behind its gateway ({status}): {message}")
    if "/mlflow-artifacts/" in url and kind != "gitlab":  # MLflow serving its artifact store (--serve-artifacts)
        return BackendError(
            f"Backend {backend!r}: " + ARTIFACT_STORE_DOWN.format(status=status, message=message),
            reason="artifact_store_failed",
        )
    return BackendError(f"Backend {backend!r} failed ({status}): {message}", reason=code or "backend_error")

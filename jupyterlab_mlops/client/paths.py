"""Paths and URLs towards a backend: from a run's ``artifact_uri`` to the paths of the mlflow-artifacts API,
the check that no user-supplied path escapes its root, and :func:`backend_url`, the one composer of every
URL a transport sends to (DESIGN §9: parts that come from the backend pass the same checks)."""

from __future__ import annotations

import posixpath
import re
from typing import Optional
from urllib.parse import quote, unquote, urlsplit

from .errors import BackendError, InvalidInput

_PACKAGE_RE = re.compile(r"/packages/ml_models/(?P<id>[^/]+)/files/?$")
_UNSAFE_CHAR = re.compile(r"[\x00-\x1f\x7f\\]")
_ENCODED_TRICK = re.compile(r"%(2e|2f|5c|00)", re.IGNORECASE)


def path_problem(path: str) -> Optional[str]:
    """Why a (decoded) path could mean another place than it says, or None when it is plain."""
    if _UNSAFE_CHAR.search(path):
        return "it contains a backslash or a control character"
    if _ENCODED_TRICK.search(path):
        return "it is percent-encoded twice"
    if any(s in (".", "..") for s in path.split("/")):
        return "it has dot segments"
    return None


def _origin(url: str) -> tuple[str, str, Optional[int]]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(parts.scheme)


def same_origin(url: str, base: str) -> bool:
    return _origin(url) == _origin(base)


def _store_key_problem(path: str) -> Optional[str]:
    """:func:`path_problem` of an object store's key, which may hold a stored name's encoded slash (GitLab keeps
    ``dir/file`` as ``dir%2Ffile``, GITLAB_API.md C8, so its signed URL says ``dir%252Ffile``): that ``%2F`` is
    allowed; every other encoding trick, and dot segments once it is decoded too, are not."""
    problem = path_problem(re.sub(r"%2f", "", path, flags=re.IGNORECASE))
    return problem or path_problem(re.sub(r"%2f", "/", path, flags=re.IGNORECASE))


def checked_url(url: str, *, base: Optional[str] = None, store: bool = False) -> str:
    """``url`` if its path is plain (and, with ``base``, it is on the backend's origin); else a 502 that says
    what was refused: such URLs are built from what a backend returned (``artifact_uri``, ``source``,
    ``Location``), since the user's own input is refused earlier with a 400. ``store``: a redirect to another
    origin, which gets no credentials (an object store's signed URL; see :func:`_store_key_problem`)."""
    parts = urlsplit(url)
    check = _store_key_problem if store else path_problem
    problem = check(unquote(parts.path)) if parts.scheme in ("http", "https") else "it is not http(s)"
    if problem is None and (parts.username or parts.password):
        problem = "it carries credentials"
    if problem is None and base is not None and not same_origin(url, base):
        problem = f"its host {parts.hostname!r} is not the backend's"
    if problem:
        raise BackendError(
            f"Refused to send a request to {parts.scheme}://{parts.hostname or ''}"
            f"{unquote(parts.path)[:200]!r}: {problem}.",
            reason="unsafe_location",
        )
    return url


def backend_url(base: str, path: str, *, absolute: bool = False) -> str:
    """The URL of ``path`` (already percent-encoded) under the tracking URI ``base``, or ``path`` itself when
    ``absolute`` (GitLab's own API on the same host); refused unless it stays on the backend and says
    what it means."""
    return checked_url(path if absolute else f"{base.rstrip('/')}/{path.lstrip('/')}", base=base)


def safe_relpath(path: Optional[str]) -> str:
    """Normalize a relative artifact path; refuse absolute paths, ``..``, NUL and backslashes."""
    if not path:
        return ""
    if "\x00" in path or "\\" in path:
        raise InvalidInput(f"Invalid artifact path {path!r}.", reason="invalid_path")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if path.startswith("/") or any(p == ".." for p in parts):
        raise InvalidInput(f"Artifact path {path!r} must stay inside the run's artifacts.", reason="path_traversal")
    return "/".join(parts)


def artifact_root(artifact_uri: Optional[str]) -> str:
    """The mlflow-artifacts root of a run or version (``1/<run>/artifacts``, ``candidate:7``, ``42``)."""
    uri = artifact_uri or ""
    if uri.startswith("mlflow-artifacts:"):
        root = (urlsplit(uri).path or "").lstrip("/")
        problem = path_problem(root)
        if problem:
            raise BackendError(
                f"The backend gave the artifact location {uri[:200]!r}, which is refused: {problem}.",
                reason="unsafe_location",
            )
        return root
    m = _PACKAGE_RE.search(urlsplit(uri).path or "")
    if m:
        return m.group("id")
    raise InvalidInput(
        f"Artifacts at {uri or '(none)'} are not served by the tracking server (start MLflow with --serve-artifacts).",
        reason="artifacts_not_proxied",
    )


def proxied_artifact_uri(uri: str, base: str) -> str:
    """GitLab's HTTP package URL of a run (``https://<host>/api/v4/projects/<pid>/packages/ml_models/<ref>/files/``,
    GITLAB_API.md C5) as the ``mlflow-artifacts:/<ref>`` form, which the stock client resolves against its
    tracking URI (the proxy) instead of sending our user's token-less request to GitLab itself."""
    m = _PACKAGE_RE.search(urlsplit(uri).path or "")
    if m and uri.startswith(("http://", "https://")) and same_origin(uri, base) and not path_problem(unquote(m["id"])):
        return f"mlflow-artifacts:/{m['id']}"
    return uri


def join(root: str, rel: str) -> str:
    rel = safe_relpath(rel)
    return posixpath.join(root, rel) if rel else root


def quote_path(path: str) -> str:
    """Percent-encode a path for a URL while keeping ``/`` and GitLab's ``candidate:`` colon."""
    return quote(path, safe="/:")

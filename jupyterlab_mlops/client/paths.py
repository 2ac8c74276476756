"""Artifact locations: from a run's ``artifact_uri`` to the paths of the mlflow-artifacts API,
and the check that no user-supplied path escapes its root."""
from __future__ import annotations

import posixpath
import re
from typing import Optional
from urllib.parse import quote, urlsplit

from .errors import InvalidInput

_PACKAGE_RE = re.compile(r"/packages/ml_models/(?P<id>[^/]+)/files/?$")


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
        parts = urlsplit(uri)
        return (parts.path or "").lstrip("/")
    m = _PACKAGE_RE.search(urlsplit(uri).path or "")
    if m:
        return m.group("id")
    raise InvalidInput(
        f"Artifacts at {uri or '(none)'} are not served by the tracking server "
        "(start MLflow with --serve-artifacts).",
        reason="artifacts_not_proxied",
    )


def join(root: str, rel: str) -> str:
    rel = safe_relpath(rel)
    return posixpath.join(root, rel) if rel else root


def quote_path(path: str) -> str:
    """Percent-encode a path for a URL while keeping ``/`` and GitLab's ``candidate:`` colon."""
    return quote(path, safe="/:")

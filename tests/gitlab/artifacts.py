"""Artifacts: ``mlflow-artifacts`` flat listing/download (§2.3) and the ml_models package files API (§3.5).

Files live on disk under ``State.files_dir``: one directory per package (model version or candidate),
with each file stored under its URI-encoded name, as GitLab stores package file names.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .core import FILE_NAME_RE, ApiError, Ctx, bad_request, encode_uri_component, grape_error, resource_not_found


class FileBody:
    """An endpoint result that is a file download rather than JSON."""

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name


def list_artifacts(ctx: Ctx) -> Any:
    """``?path=<model_version_id | candidate:<iid>>[/<sub>]``; any sub-path lists as empty."""
    path = str(ctx.req("path")).strip("/")
    ref, _, sub = path.partition("/")
    try:
        pkg = ctx.state.package_dir(ref)
    except ApiError:
        raise resource_not_found() from None
    if sub:
        return {"files": []}
    files = sorted(pkg.iterdir()) if pkg.is_dir() else []
    return {"files": [{"path": f.name, "is_dir": False, "file_size": f.stat().st_size} for f in files]}


def download_artifact(ctx: Ctx, ref: str, file_path: str) -> FileBody:
    """``GET mlflow-artifacts/artifacts/<ref>/<file>``: the file name may be given raw or encoded."""
    try:
        pkg = ctx.state.package_dir(ref)
    except ApiError:
        raise resource_not_found() from None
    stored = pkg / encode_uri_component(unquote(file_path))
    if not file_path or not stored.is_file():
        raise resource_not_found()
    return FileBody(stored, stored.name)


def _package_file(ctx: Ctx, ref: str, rest: str) -> Path:
    """Resolve ``(*path/)<file_name>`` with GitLab's file-name rules (``..`` is rejected)."""
    rel = unquote(rest)
    *dirs, name = rel.split("/") if rel else [""]
    if ".." in rel.split("/") or any(d in ("", ".") for d in dirs):
        raise bad_request()
    if not FILE_NAME_RE.match(name):
        raise grape_error("file_name is invalid")
    return ctx.state.package_dir(ref) / encode_uri_component(rel)


def put_package_file(ctx: Ctx, ref: str, rest: str, body: bytes) -> dict[str, Any]:
    target = _package_file(ctx, ref, rest)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)
    return {"message": "201 Created"}


def get_package_file(ctx: Ctx, ref: str, rest: str) -> FileBody:
    target = _package_file(ctx, ref, rest)
    if not target.is_file():
        raise ApiError(404, {"message": "404 Package file Not Found"})
    return FileBody(target, target.name)


def require_multipart_or_raw(files: dict[str, Any], body: bytes) -> bytes:
    """Multipart field ``file`` (what Workhorse produces) or a raw PUT body (what MLflow's client sends)."""
    if files:
        if "file" not in files:
            raise grape_error("file is missing")
        return files["file"][0]["body"]
    return body

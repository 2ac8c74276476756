"""Artifacts: ``mlflow-artifacts`` flat listing/download (§2.3) and the ml_models package files API (§3.5).

Files live on disk under ``State.files_dir``: one directory per package (model version or candidate),
one sub-directory per stored (URI-encoded, C8) file name, and in it one file per package-file ROW: a
re-upload of the same name adds a row (C16), the listing shows every row, downloads take the last.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .core import (
    FILE_NAME_RE,
    ApiError,
    Ctx,
    bad_request,
    cgi_escape,
    encode_uri_component,
    grape_error,
    resource_not_found,
)


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
    return {"files": [{"path": name, "is_dir": False, "file_size": f.stat().st_size} for name, f in rows(pkg)]}


def rows(pkg: Path) -> list[tuple[str, Path]]:
    """Every package-file row of a package as (stored file name, file on disk), in upload order."""
    if not pkg.is_dir():
        return []
    out = [
        (d.name, f)
        for d in pkg.iterdir()
        if d.is_dir()
        for f in d.iterdir()
        if f.is_file() and not f.name.endswith(".part")
    ]
    out.sort(key=lambda r: r[1].name)
    return out


def last_row(pkg: Path, stored: str) -> Path | None:
    """``PackageFileFinder``: the most recent row with that file name."""
    d = pkg / stored
    if "/" in stored or stored in ("", ".", "..") or not d.is_dir():
        return None
    files = sorted(f for f in d.iterdir() if f.is_file() and not f.name.endswith(".part"))
    return files[-1] if files else None


def download_artifact(ctx: Ctx, ref: str, file_path: str) -> FileBody:
    """``GET mlflow-artifacts/artifacts/<ref>/<file>``: Grape decodes the path, then GitLab looks up
    ``CGI.escape(file_path)``. ``dir/file`` finds ``dir%2Ffile`` (C8), but ``a b`` looks for ``a+b``
    while the upload stored ``a%20b``: 404 (C7)."""
    try:
        pkg = ctx.state.package_dir(ref)
    except ApiError:
        raise resource_not_found() from None
    stored = cgi_escape(unquote(file_path))
    found = last_row(pkg, stored) if file_path else None
    if found is None:
        raise resource_not_found()
    return FileBody(found, stored)


def _package_file(ctx: Ctx, ref: str, rest: str) -> tuple[Path, str]:
    """Resolve ``(*path/)<file_name>`` with GitLab's file-name rules (``..`` is rejected): the package
    directory and the stored name ``URI.encode_uri_component("<path>/<file_name>")`` (C7, C8)."""
    rel = unquote(rest)
    *dirs, name = rel.split("/") if rel else [""]
    if ".." in rel.split("/") or any(d in ("", ".") for d in dirs):
        raise bad_request()
    if not FILE_NAME_RE.match(name):
        raise grape_error("file_name is invalid")
    return ctx.state.package_dir(ref), encode_uri_component(rel)


def put_package_file(ctx: Ctx, ref: str, rest: str, body: bytes) -> dict[str, Any]:
    """Every upload is a new package-file row, even for a name the package already has (C16)."""
    pkg, stored = _package_file(ctx, ref, rest)
    folder = pkg / stored
    folder.mkdir(parents=True, exist_ok=True)
    seq = ctx.state.next_file_seq()
    part = folder / f"{seq}.part"
    part.write_bytes(body)
    part.rename(folder / seq)
    return {"message": "201 Created"}


def get_package_file(ctx: Ctx, ref: str, rest: str) -> FileBody:
    pkg, stored = _package_file(ctx, ref, rest)
    found = last_row(pkg, stored)
    if found is None:
        raise ApiError(404, {"message": "404 Package file Not Found"})
    return FileBody(found, stored)


def require_multipart_or_raw(files: dict[str, Any], body: bytes) -> bytes:
    """Multipart field ``file`` (what Workhorse produces) or a raw PUT body (what MLflow's client sends)."""
    if files:
        if "file" not in files:
            raise grape_error("file is missing")
        return files["file"][0]["body"]
    return body

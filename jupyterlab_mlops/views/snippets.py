""" "Use in notebook": the one generator of code that loads a model version (version page and widgets).

Everything that comes from the backend (names, versions, URIs, tags, param values) is written as a
Python literal, never as code or comment text (DESIGN §9).
"""

from __future__ import annotations

import ast
import os
from typing import TYPE_CHECKING, Sequence

from ..client.backend import Backend
from ..client.models import FileInfo, ModelVersion

if TYPE_CHECKING:
    from .wire.registry import UseSnippet


def _literal(value: str) -> str:
    """A param value as Python source: numbers, booleans, None and containers as such when they read
    back (not ``inf``), else the string."""
    try:
        parsed = ast.literal_eval(value)
        code = repr(parsed)
        if isinstance(parsed, (int, float, bool, type(None), list, tuple, dict)) and ast.literal_eval(code) == parsed:
            return code
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    return repr(value)


def _comment(text: str) -> str:
    """One comment line of printable characters (callers put backend text in as ``repr``)."""
    return "# " + "".join(c for c in text if c.isprintable())[:240]


def kernel_points_at(backend: Backend) -> bool:
    """Plain ``mlflow`` in this process (and kernels started by it) already points at ``backend``."""
    return os.environ.get("MLFLOW_TRACKING_URI", "").rstrip("/") == backend.url


def _load_code(backend: Backend, name: str, shown: str, uri: str, kind: str, *, kernel_ready: bool) -> str:
    lines = ["import mlflow"]
    if not kernel_ready:
        hint = "  # needs MLFLOW_TRACKING_TOKEN for this backend" if backend.kind == "gitlab" else ""
        lines.append(f"mlflow.set_tracking_uri({backend.url!r}){hint}")
    lines.append(_comment(f"model {name!r}, {shown}, backend {backend.name!r}"))
    if kind == "pyfunc":
        lines.append(f"model = mlflow.pyfunc.load_model({uri!r})")
    else:
        lines += [f"model_dir = mlflow.artifacts.download_artifacts(artifact_uri={uri!r})", "print(model_dir)"]
    return "\n".join(lines) + "\n"


def use_snippet(
    backend: Backend,
    name: str,
    mv: ModelVersion,
    files: list[FileInfo],
    params: dict[str, str],
    *,
    kernel_ready: bool,
    aliases: Sequence[str] = (),
) -> UseSnippet:
    """Code that loads the version: ``pyfunc.load_model`` when it is an MLflow model (``MLmodel`` at its
    root), else ``download_artifacts``. ``models:/<name>/<id>``: the client needs the integer id; each of
    ``aliases`` also as ``models:/<name>@<alias>``. Names, versions, URIs and tags are written as literals
    (``repr``), never as code or comment text."""
    uri = f"models:/{name}/{mv.version_id}"
    kind = "pyfunc" if any(f.path == "MLmodel" for f in files) else "files"
    shown = mv.semver or mv.version
    params_code = "params = {\n" + "".join(f"    {k!r}: {_literal(v)},\n" for k, v in sorted(params.items())) + "}\n"
    by_alias = []
    for alias in aliases:
        alias_uri = f"models:/{name}@{alias}"
        code = _load_code(
            backend, name, f"alias {alias!r} (now version {shown!r})", alias_uri, kind, kernel_ready=kernel_ready
        )
        by_alias.append({"alias": alias, "uri": alias_uri, "code": code})
    return {
        "kind": kind,
        "uri": uri,
        "code": _load_code(backend, name, f"version {shown!r}", uri, kind, kernel_ready=kernel_ready),
        "params_code": params_code,
        "tracking_uri": backend.url,
        "kernel_ready": kernel_ready,
        "by_alias": by_alias,
    }

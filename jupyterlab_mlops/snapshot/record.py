"""``snapshot.json``, the run tags, and the (sans-I/O) flows that upload and fetch a snapshot.

The flows yield :class:`~jupyterlab_mlops.client.calls.Call` objects, so the server (tornado) and
a kernel (requests) drive the same logic. Artifacts are flat (GitLab accepts no directories).
Dedupe: MLflow overwrites tags, so ``mlops.snapshot.sha256`` equal to the new hash means
"unchanged"; GitLab keeps a tag's first value, so there the hash stored in ``snapshot.json``
decides (and the tag records the first snapshot of the run).
"""

from __future__ import annotations

import getpass
import json
import os
import posixpath
import time
from typing import Any, Iterator, Optional

from ..client.api import Api
from ..client.errors import InvalidInput, NotFound
from ..client.models import Run
from .notebook import Prepared, parse_notebook, validate
from .scrub import Scrubber

FORMAT = 1
SHA_TAG = "mlops.snapshot.sha256"
NOTEBOOK_ARTIFACT = "notebook.ipynb"
RECORD_ARTIFACT = "snapshot.json"


def current_user() -> str:
    """``mlflow.user``: the JupyterHub user when there is one, else the OS user."""
    user = os.environ.get("JUPYTERHUB_USER")
    if user:
        return user
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return ""


def build_record(
    prepared: Prepared,
    *,
    path: str,
    run_id: str,
    backend: str,
    kernel: dict[str, Any],
    python: dict[str, Any],
    packages: dict[str, str],
    packages_source: str,
    git: dict[str, Any],
    source: str,
    secrets: tuple[str, ...] = (),
    user: Optional[str] = None,
) -> dict[str, Any]:
    """The ``snapshot.json`` document; git text is scrubbed too (counts merged into ``scrubbed``)."""
    scrubber = Scrubber.with_secrets(secrets)
    git = dict(git)
    for key in ("diff", "remote"):
        if git.get(key):
            git[key] = scrubber.text(str(git[key]))
    git["untracked"] = [scrubber.text(str(u)) for u in git.get("untracked", [])]
    scrubbed = dict(prepared.scrubbed)
    for kind, n in scrubber.counts.items():
        scrubbed[kind] = scrubbed.get(kind, 0) + n
    return {
        "format": FORMAT,
        "path": path,
        "sha256": prepared.sha256,
        "size": prepared.size,
        "created": int(time.time() * 1000),
        "run_id": run_id,
        "backend": backend,
        "source": source,
        "user": current_user() if user is None else user,
        "kernel": {**prepared.kernel, **{k: str(v) for k, v in kernel.items() if v}},
        "python": python,
        "packages": packages,
        "packages_source": packages_source,
        "git": git,
        "scrubbed": scrubbed,
        "excluded_cells": prepared.excluded_cells,
        "outputs_truncated": prepared.outputs_truncated,
        "outputs_dropped": prepared.outputs_dropped,
        "cells": prepared.cells,
    }


def source_tags(record: dict[str, Any]) -> dict[str, str]:
    """MLflow's standard source tags plus ``mlops.snapshot.sha256``."""
    git = record.get("git") or {}
    tags = {
        "mlflow.source.name": record.get("path", ""),
        "mlflow.source.type": "NOTEBOOK",
        "mlflow.source.git.commit": git.get("commit", ""),
        "mlflow.source.git.branch": git.get("branch", ""),
        "mlflow.source.git.repoURL": git.get("remote", ""),
        "mlflow.user": record.get("user", ""),
        SHA_TAG: record.get("sha256", ""),
    }
    return {k: str(v)[:5000] for k, v in tags.items() if v}


def response(record: dict[str, Any], uploaded: bool, reason: Optional[str] = None) -> dict[str, Any]:
    """The JSON answer of ``POST .../snapshot``."""
    out = {
        k: record[k]
        for k in ("sha256", "path", "size", "scrubbed", "outputs_dropped", "outputs_truncated", "excluded_cells")
    }
    out.update(
        uploaded=uploaded,
        artifacts=[NOTEBOOK_ARTIFACT, RECORD_ARTIFACT],
        packages_source=record["packages_source"],
        git_commit=record["git"].get("commit", ""),
    )
    if reason:
        out["reason"] = reason
    return out


def _previous_sha(api: Api, run: Run) -> Iterator[Any]:
    try:
        raw = yield api.download_artifact(run.artifact_uri, RECORD_ARTIFACT)
        return json.loads(raw).get("sha256")
    except (NotFound, ValueError, AttributeError):
        return None


def upload_flow(api: Api, run_id: str, prepared: Prepared, record: dict[str, Any]) -> Iterator[Any]:
    """Upload ``notebook.ipynb`` + ``snapshot.json`` and set the tags, unless unchanged.

    Returns ``(uploaded, reason)``."""
    run = yield api.get_run(run_id)
    tag = run.tags.get(SHA_TAG)
    if tag:
        overwrite = api.dialect.capabilities()["overwrite_tags"]
        if overwrite and tag == prepared.sha256:
            return False, "unchanged"
        if not overwrite and (yield from _previous_sha(api, run)) == prepared.sha256:
            return False, "unchanged"
    yield api.upload_artifact(run.artifact_uri, NOTEBOOK_ARTIFACT, prepared.data)
    yield api.upload_artifact(run.artifact_uri, RECORD_ARTIFACT, json.dumps(record, indent=1).encode())
    wanted = source_tags(record)
    if api.dialect.is_gitlab:  # write-once tags: only the missing ones (log-batch skips the rest anyway)
        wanted = {k: v for k, v in wanted.items() if k not in run.tags}
    else:
        wanted = {k: v for k, v in wanted.items() if run.tags.get(k) != v}
    if wanted:
        yield api.log_batch(run_id, tags=wanted)
    return True, None


def fetch_flow(api: Api, run_id: str) -> Iterator[Any]:
    """``(record, notebook, run)`` of a run's snapshot; :class:`NotFound` when it has none,
    :class:`InvalidInput` when the artifact is not a valid notebook."""
    run = yield api.get_run(run_id)
    try:
        raw = yield api.download_artifact(run.artifact_uri, RECORD_ARTIFACT)
        nb_raw = yield api.download_artifact(run.artifact_uri, NOTEBOOK_ARTIFACT)
    except NotFound:
        raise NotFound(f"Run {run_id} has no notebook snapshot.", reason="no_snapshot") from None
    try:
        record = json.loads(raw)
        if not isinstance(record, dict):
            raise ValueError("not an object")
    except ValueError:
        raise InvalidInput(
            f"The {RECORD_ARTIFACT} of run {run_id} is not valid JSON.", reason="invalid_snapshot"
        ) from None
    what = f"The snapshot of run {run_id}"
    notebook = untrusted(validate(parse_notebook(nb_raw, what), what))
    return record, notebook, run


def untrusted(notebook: dict[str, Any]) -> dict[str, Any]:
    """A backend's notebook with every cell's ``metadata.trusted`` dropped: nbformat would otherwise sign a
    restored copy whose cells all claim trust, and its outputs (HTML, JavaScript) would run when opened."""
    for cell in notebook.get("cells", []):
        if isinstance(cell, dict) and isinstance(cell.get("metadata"), dict):
            cell["metadata"].pop("trusted", None)
    return notebook


def restore_candidates(original: str, run_id: str, directory: Optional[str] = None) -> Iterator[str]:
    """``<dir>/<name>-<run8>.ipynb``, then ``-1``, ``-2``...: paths to try for a restored notebook."""
    folder = posixpath.dirname(original) if directory is None else directory.strip("/")
    stem = posixpath.splitext(posixpath.basename(original) or "notebook.ipynb")[0] or "notebook"
    base = f"{stem}-{(run_id or 'run')[:8]}"
    yield posixpath.join(folder, f"{base}.ipynb") if folder else f"{base}.ipynb"
    n = 1
    while True:
        name = f"{base}-{n}.ipynb"
        yield posixpath.join(folder, name) if folder else name
        n += 1

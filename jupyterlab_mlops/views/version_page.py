"""A model version's page (params, metrics, artifacts, linked items, repository, "use in notebook" code), its
files' location and the upload limits, as flows over :mod:`.registry`'s lookups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import re

from ..client.api import Api
from ..client.backend import Backend
from ..client.dialect import ARTIFACT_NAME_RE
from ..client.errors import MlopsError
from ..client.models import ModelVersion, Run
from ..client.paths import artifact_root
from . import links, users
from .aliases import NO_ALIASES
from .compare import num
from .registry import GITLAB_MAX_UPLOAD, HIDDEN_TAG, lineage_tag, resolve_version, version_summary
from .snippets import use_snippet

if TYPE_CHECKING:
    from ..client.calls import Flow
    from .wire.registry import Repository, UploadInfo, VersionPage


# -- version page --------------------------------------------------------------------------------
def version_artifact_uri(api: Api, name: str, mv: ModelVersion) -> Any:
    """Where the version's files live (``get-download-uri``; MLflow returns ``runs:/`` unresolved)."""
    uri: str = yield api.get_download_uri(name, mv.version_id)
    if uri.startswith("runs:/"):
        run_id, _, sub = uri[len("runs:/") :].partition("/")
        run: Run = yield api.get_run(run_id)
        uri = (run.artifact_uri or "").rstrip("/") + (f"/{sub.strip('/')}" if sub.strip("/") else "")
    return uri


def version_files(api: Api, name: str, mv: ModelVersion) -> Any:
    """``(files, error)``: the version's top-level files, or why they cannot be listed."""
    try:
        uri = yield from version_artifact_uri(api, name, mv)
        artifact_root(uri)  # raises when the backend does not serve these artifacts
        return (yield api.list_artifacts(uri)), None
    except MlopsError as exc:
        return [], exc.message


def _https(url: Optional[str]) -> Optional[str]:
    if not url:
        return None
    m = re.match(r"^(?:ssh://)?git@([^:/]+)[:/](.+)$", url)
    if m:
        url = f"https://{m[1]}/{m[2]}"
    url = re.sub(r"\.git$", "", url.rstrip("/"))
    return url if url.startswith(("https://", "http://")) else None


def repository(backend: Backend, tags: dict[str, str], project: Optional[str] = None) -> Optional[Repository]:
    """Repository (and commit) link from the run's git tags, else the GitLab project (its web URL)."""
    url = _https(tags.get("mlflow.source.git.repoURL") or tags.get("mlops.git.remote"))
    if url is None and backend.kind == "gitlab":
        url = project
    commit = tags.get("mlflow.source.git.commit") or tags.get("mlops.git_commit")
    if not url and not commit:
        return None
    gitlabish = backend.kind == "gitlab" or "gitlab" in (url or "")
    commit_url = f"{url}/{'-/' if gitlabish else ''}commit/{commit}" if url and commit else None
    return {"url": url, "commit": commit, "commit_url": commit_url}


def version_page(
    api: Api, backend: Backend, name: str, version: str, *, kernel_ready: bool, max_upload: Optional[int]
) -> Flow[VersionPage]:
    """Everything the version page shows (``IVersionPage`` in ``src/api/registryTypes.ts``): the version's
    summary, tags, lineage, params, latest metrics, files, linked items, repository, CI links, the "use in
    notebook" code and the upload rules."""
    from .version_links import links_of

    mv: ModelVersion = yield from resolve_version(api, name, version)
    runs: dict[str, Optional[Run]] = {}
    src_id = lineage_tag(mv, "mlops.source_run")
    for rid in dict.fromkeys(r for r in (mv.run_id, src_id) if r):
        try:
            runs[rid] = yield api.get_run(rid)
        except MlopsError:
            runs[rid] = None
    run, src = runs.get(mv.run_id or ""), runs.get(src_id or "")
    params = (run.params if run else {}) or (src.params if src else {})
    metrics = (run.metrics if run else {}) or (src.metrics if src else {})
    files, artifacts_error = yield from version_files(api, name, mv)
    run_tags = {**(src.tags if src else {}), **(run.tags if run else {})}
    path = "registered" if not api.dialect.is_gitlab else "run" if not src_id or src_id == mv.run_id else "copy"
    project = yield from links.project_web(api)
    creator = (run.user_id if run else None) if api.dialect.is_gitlab else None
    names = yield from users.user_names(api, [mv.user_id or creator])
    job_tag = {links.JOB_TAG: mv.tags[links.JOB_TAG]} if mv.tags.get(links.JOB_TAG) else {}
    ci = yield from links.ci_links(api, {**run_tags, **job_tag}, project)
    summary = version_summary(
        backend, mv, creator=creator, names=names, run_names={rid: r.run_name or None for rid, r in runs.items() if r}
    )
    return {
        "backend": backend.name,
        "backend_kind": backend.kind,
        "model": name,
        **summary,
        "tags": {k: v for k, v in mv.tags.items() if not HIDDEN_TAG.match(k)},
        "lineage": {
            "source_run": src_id or mv.run_id,
            "source_backend": mv.tags.get("mlops.source_backend"),
            "source_experiment": lineage_tag(mv, "mlops.source_experiment"),
            "snapshot_sha256": lineage_tag(mv, "mlops.snapshot_sha256"),
            "git_commit": lineage_tag(mv, "mlops.git_commit"),
            "ci_job_id": lineage_tag(mv, "gitlab.CI_JOB_ID"),
            "path": path,
        },
        "params": params,
        "metrics": {
            k: {"value": num(m.value), "step": m.step, "timestamp": m.timestamp} for k, m in sorted(metrics.items())
        },
        "artifacts": [f.to_json() for f in files],
        "artifacts_error": artifacts_error,
        "links": links_of(run.tags if api.dialect.is_gitlab and run else mv.tags),
        "repository": repository(backend, run_tags, project),
        "ci": ci,
        "use_snippet": use_snippet(
            backend, name, mv, files, params, kernel_ready=kernel_ready, aliases=summary["aliases"]
        ),
        "upload": upload_info(backend, max_upload),
        "aliases_note": NO_ALIASES if api.dialect.is_gitlab else None,
    }


def version_snippet(api: Api, backend: Backend, mv: ModelVersion, *, kernel_ready: bool) -> Any:
    """:func:`use_snippet` without the version page (widgets): lists the version's files first."""
    files, _error = yield from version_files(api, mv.name, mv)
    aliases = version_summary(backend, mv)["aliases"]
    return use_snippet(backend, mv.name, mv, files, {}, kernel_ready=kernel_ready, aliases=aliases)


def upload_info(backend: Backend, max_bytes: Optional[int]) -> UploadInfo:
    gl = backend.kind == "gitlab"
    cap = max_bytes or GITLAB_MAX_UPLOAD
    return {
        "max_bytes": min(cap, GITLAB_MAX_UPLOAD) if gl else cap,
        "flat_names": gl,
        "name_rule": "letters, digits, '.', '_', '+', '-' and spaces, no directories"
        if gl
        else "any relative path without '..'",
        "name_pattern": ARTIFACT_NAME_RE.pattern if gl else None,
    }

"""Links of a run: CI job, pipeline and merge request (GitLab), source notebook, backend pages.

Pure: built from the run's tags and the backend's tracking URI. Two optional GitLab lookups make
them better and are described as :class:`Call` builders here (the server runs them best-effort):
the project's ``web_url`` when the tracking URI names the project by numeric id, and the CI job
(its pipeline and ref, hence the merge request).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Optional
from urllib.parse import unquote, urlsplit

from ..client.calls import Call
from ..client.dialect import GITLAB_PATH_RE, gitlab_api_root, gitlab_web_root
from ..client.errors import MlopsError
from ..client.paths import path_problem, same_origin
from .cache import TtlLru

if TYPE_CHECKING:
    from ..client.calls import Flow
    from .wire.runs import CiLinks, RunLinks

JOB_TAG = "gitlab.CI_JOB_ID"
PIPELINE_TAGS = ("gitlab.CI_PIPELINE_ID", "CI_PIPELINE_ID")
MR_TAGS = ("gitlab.CI_MERGE_REQUEST_IID", "CI_MERGE_REQUEST_IID")
_CANDIDATE_RE = re.compile(r"candidate:(\d+)")
_LEGACY_RE = re.compile(r"/packages/generic/ml_experiment_\d+/(\d+)/?$")
_MR_REF_RE = re.compile(r"^refs/merge-requests/(\d+)/")
_DIGITS = re.compile(r"^\d+$")
_MODEL_SOURCE_RE = re.compile(r"^(?P<project>.+?)/-/ml/models/(?P<model>\d+)(?:/versions/\d+)?/?$")
#: tracking URI -> the project's web URL (None: GitLab did not say); per backend, bounded, expiring
_PROJECT_WEB: TtlLru[str, Optional[str]] = TtlLru(64, 3600.0)
_PROJECT_WEB_FAILED: TtlLru[str, bool] = TtlLru(64, 120.0)


def project_web_root(tracking_uri: str) -> Optional[str]:
    """``https://host/group/project`` when the tracking URI names the project by path, else None."""
    m = GITLAB_PATH_RE.match(urlsplit(tracking_uri).path or "")
    web = gitlab_web_root(tracking_uri)
    if not m or web is None:
        return None
    project = unquote(m.group("project"))
    return None if _DIGITS.match(project) else f"{web}/{project.strip('/')}"


def web_link(url: Optional[str], tracking_uri: str) -> Optional[str]:
    """``url`` when it is an http(s) page on the backend's own host with a plain path, else None: web
    links a backend returns (``web_url``, a version's ``source``) are untrusted text (DESIGN §9)."""
    if not url or not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    parts = urlsplit(url)
    if parts.username or parts.password or not same_origin(url, tracking_uri) or path_problem(unquote(parts.path)):
        return None
    return url


def model_page_from_source(source: Optional[str], tracking_uri: str) -> Optional[str]:
    """``<project web>/-/ml/models/<model_id>`` from a version's ``source``
    (``<project web>/-/ml/models/<model_id>/versions/<version_id>``, C12), or None."""
    url = web_link(source, tracking_uri)
    m = _MODEL_SOURCE_RE.match(urlsplit(url).path) if url else None
    if not url or not m:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{m['project']}/-/ml/models/{m['model']}"


def project_web(api: Any) -> Any:
    """Flow: the GitLab project's web URL (``https://host/group/project``), or None.

    A path-style tracking URI names it; a numeric one is asked once (``GET /api/v4/projects/:id``,
    its ``web_url``) and cached per backend: ``/projects/:id`` is no web page (C12). A failed
    lookup gives None, quietly, and is not repeated for two minutes."""
    uri = api.tracking_uri
    if not api.dialect.is_gitlab:
        return None
    derived = project_web_root(uri)
    if derived:
        return derived
    known = _PROJECT_WEB.get(uri)
    if known is not None or _PROJECT_WEB_FAILED.get(uri):
        return known
    call = project_call(uri)
    if call is None:
        return None
    try:
        web = web_link((yield call), uri)
    except MlopsError:
        web = None
    if web:
        _PROJECT_WEB.put(uri, web.rstrip("/"))
    else:
        _PROJECT_WEB_FAILED.put(uri, True)
    return web.rstrip("/") if web else None


def project_call(tracking_uri: str) -> Optional[Call[Optional[str]]]:
    """``GET /api/v4/projects/<id>`` for the project's ``web_url`` (GitLab only)."""
    root = gitlab_api_root(tracking_uri)
    if root is None:
        return None
    return Call("GET", root, absolute=True, parse=lambda d: (d or {}).get("web_url") or None)


def job_call(tracking_uri: str, job_id: str) -> Optional[Call[dict[str, Any]]]:
    """``GET /api/v4/projects/<id>/jobs/<job>``: the job's ``web_url``, ``ref`` and ``pipeline``."""
    root = gitlab_api_root(tracking_uri)
    if root is None or not _DIGITS.match(job_id or ""):
        return None
    return Call("GET", f"{root}/jobs/{job_id}", absolute=True, parse=lambda d: d if isinstance(d, dict) else {})


#: (tracking URI, job id) -> GitLab's job JSON ({} when the lookup failed)
_JOBS: TtlLru[tuple[str, str], dict[str, Any]] = TtlLru(1024, 600.0)


def job_info(api: Any, job_id: Optional[str]) -> Any:
    """Flow: GitLab's job JSON for ``job_id`` (its ``web_url``, ``pipeline.web_url``, ``ref``), cached
    per backend for ten minutes; ``{}`` when it cannot be had (not GitLab, not found, no permission)."""
    if not api.dialect.is_gitlab or not job_id:
        return {}
    key = (api.tracking_uri, str(job_id))
    known = _JOBS.get(key)
    if known is not None:
        return known
    call = job_call(api.tracking_uri, str(job_id))
    if call is None:
        return {}
    try:
        job = yield call
    except MlopsError as exc:
        if exc.status >= 500:  # GitLab down or failing: ask again next time
            return {}
        job = {}  # not found here, no permission: remembered like an answer
    return _JOBS.put(key, _checked_job(job, api.tracking_uri))


def _checked_job(job: dict[str, Any], tracking_uri: str) -> dict[str, Any]:
    """The parts of a job JSON the links use, with web URLs kept only when they are the backend's pages."""
    if not isinstance(job, dict) or not job:
        return {}
    pipe = job.get("pipeline") if isinstance(job.get("pipeline"), dict) else {}
    return {
        "web_url": web_link(job.get("web_url"), tracking_uri),
        "ref": job.get("ref"),
        "pipeline": {
            "id": pipe.get("id"),
            "ref": pipe.get("ref"),
            "web_url": web_link(pipe.get("web_url"), tracking_uri),
        }
        if pipe
        else None,
    }


def ci_links(api: Any, tags: dict[str, str], project: Optional[str]) -> Flow[CiLinks]:
    """Flow: the ``ci_job``, ``pipeline`` and ``merge_request`` links of :func:`run_links` for a run's
    (or version's) tags, with GitLab's job looked up (best effort)."""
    job = yield from job_info(api, tags.get(JOB_TAG))
    out = run_links(
        kind=api.dialect.kind,
        tracking_uri=api.tracking_uri,
        run_id="",
        experiment_id="",
        artifact_uri=None,
        tags=tags,
        project_web=project,
        job=job,
    )
    return {k: out[k] for k in ("ci_job", "pipeline", "merge_request")}


def candidate_iid(artifact_uri: Optional[str]) -> Optional[str]:
    """GitLab candidate iid from a run's artifact URI (``candidate:<iid>`` or a legacy package)."""
    uri = artifact_uri or ""
    m = _CANDIDATE_RE.search(uri) or _LEGACY_RE.search(urlsplit(uri).path or "")
    return m.group(1) if m else None


def source_path(name: Optional[str], root_dir: Optional[str]) -> Optional[str]:
    """``mlflow.source.name`` as a path relative to the Jupyter root (None when outside it)."""
    if not name or "\x00" in name or "://" in name:
        return None
    if posixpath.isabs(name):
        if not root_dir:
            return None
        try:
            rel = PurePosixPath(posixpath.normpath(name)).relative_to(posixpath.normpath(root_dir))
        except ValueError:
            return None
        return str(rel) if str(rel) != "." else None
    norm = posixpath.normpath(name)
    return None if norm.startswith("..") else norm


def _first(tags: dict[str, str], keys: tuple[str, ...]) -> Optional[str]:
    return next((tags[k] for k in keys if tags.get(k)), None)


def run_links(
    *,
    kind: str,
    tracking_uri: str,
    run_id: str,
    experiment_id: str,
    artifact_uri: Optional[str],
    tags: dict[str, str],
    project_web: Optional[str] = None,
    job: Optional[dict[str, Any]] = None,
    root_dir: Optional[str] = None,
    embedded: bool = False,
) -> RunLinks:
    """The ``links`` object of a run detail (``IRunLinks`` in ``src/api/types.ts``): ``ci_job`` {id, url},
    ``pipeline`` {id, url}, ``merge_request`` {iid, url}, ``source`` {name, type, path, git_commit},
    ``candidate`` {iid, url}, ``experiment_url`` and ``backend_ui_url``, each None when unknown.

    ``project_web`` is the GitLab project's web URL when known (else derived from a path-style
    tracking URI); ``job`` is GitLab's job JSON when it could be fetched."""
    job = job or {}
    gitlab = kind == "gitlab"
    web = (project_web or project_web_root(tracking_uri)) if gitlab else None
    out: dict[str, Any] = {
        "ci_job": None,
        "pipeline": None,
        "merge_request": None,
        "source": None,
        "candidate": None,
        "experiment_url": None,
        "backend_ui_url": None,
    }
    job_id = tags.get(JOB_TAG)
    if job_id:
        url = job.get("web_url") or (f"{web}/-/jobs/{job_id}" if web else None)
        out["ci_job"] = {"id": str(job_id), "url": url}
        pipe = job.get("pipeline") if isinstance(job.get("pipeline"), dict) else {}
        pipe_id = str(pipe.get("id")) if pipe.get("id") is not None else _first(tags, PIPELINE_TAGS)
        if pipe_id or pipe.get("web_url"):
            out["pipeline"] = {
                "id": pipe_id,
                "url": pipe.get("web_url") or (f"{web}/-/pipelines/{pipe_id}" if web and pipe_id else None),
            }
        ref_m = _MR_REF_RE.match(str(job.get("ref") or pipe.get("ref") or ""))
        mr = ref_m.group(1) if ref_m else _first(tags, MR_TAGS)
        if mr:
            out["merge_request"] = {"iid": str(mr), "url": f"{web}/-/merge_requests/{mr}" if web else None}
    src = tags.get("mlflow.source.name")
    if src:
        out["source"] = {
            "name": src,
            "type": tags.get("mlflow.source.type"),
            "path": source_path(src, root_dir),
            "git_commit": tags.get("mlflow.source.git.commit"),
        }
    if gitlab:
        iid = candidate_iid(artifact_uri)
        if iid:
            out["candidate"] = {"iid": iid, "url": f"{web}/-/ml/candidates/{iid}" if web else None}
            out["backend_ui_url"] = out["candidate"]["url"]
        out["experiment_url"] = f"{web}/-/ml/experiments/{experiment_id}" if web else None
    elif not embedded:
        base = tracking_uri.rstrip("/")
        out["experiment_url"] = f"{base}/#/experiments/{experiment_id}"
        out["backend_ui_url"] = f"{base}/#/experiments/{experiment_id}/runs/{run_id}"
    return out


def forget() -> None:
    """Drop the cached GitLab lookups (project web URLs, jobs): tests, or a server that wants them fresh."""
    for cache in (_PROJECT_WEB, _PROJECT_WEB_FAILED, _JOBS):
        cache.clear()

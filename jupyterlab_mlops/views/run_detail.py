"""One run in full (the run page: info, params, latest metrics, tags, links, top-level artifacts, logged
models), one artifact directory, and one metric's chart from its whole history (the long-series paths are
:mod:`.run_series`'s)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..client.api import Api
from ..client.backend import Backend
from ..client.errors import InvalidInput, MlopsError, NotFound
from ..client.flows import metric_history, series_history
from ..client.models import Run
from . import links, logged_models, users
from . import runs_table as rt
from .charts import chart_points
from .downsample import METHODS
from .driver import Fanout, Job, Plan, single
from .experiments import system_tags, user_tags

if TYPE_CHECKING:
    from ..client.calls import Flow
    from .wire.runs import ArtifactFiles, MetricHistory, RunDetail

#: seconds a run page waits for GitLab's project and CI-job lookups (they finish in the background)
GITLAB_LOOKUP_TIMEOUT = 3.0
HISTORY_X = ("step", "time")
INFO_FIELDS = (
    "run_id",
    "run_name",
    "experiment_id",
    "status",
    "start_time",
    "end_time",
    "user_id",
    "artifact_uri",
    "lifecycle_stage",
)


def live_run(api: Api, run_id: str) -> Any:
    """Flow: ``runs/get``, with a run deleted meanwhile (MLflow keeps it as ``deleted``) as a 404."""
    run: Run = yield api.get_run(run_id)
    return not_deleted(run)


def history_x(x: str) -> str:
    """The x axis a chart asked for: ``step`` or ``time`` (a 400 otherwise)."""
    if x not in HISTORY_X:
        raise InvalidInput(f"x must be 'step' or 'time', got {x!r}.", reason="invalid_x")
    return x


def not_deleted(run: Run) -> Run:
    """The run, or a 404 when MLflow keeps it as ``deleted``."""
    if run.lifecycle_stage == "deleted":
        raise NotFound(f"Run {run.run_id} was deleted.", reason="deleted")
    return run


def artifact_files(api: Api, uri: Optional[str], path: str = "") -> Flow[ArtifactFiles]:
    """Flow: ``{files, note}`` of one artifact directory. A GitLab candidate without a package has no files
    yet (404: empty); artifacts the tracking server does not serve say so in ``note``; GitLab lists flat."""
    note = None
    try:
        files = [f.to_json() for f in (yield api.list_artifacts(uri, path))]
    except NotFound:
        files = []
    except InvalidInput as exc:
        if exc.reason != "artifacts_not_proxied":
            raise
        files, note = [], exc.message
    if path and not files and api.dialect.is_gitlab:
        note = "GitLab lists artifacts flat: directories have no listing."
    return {"files": files, "note": note}


def artifacts_of(api: Api, run: Run) -> Flow[ArtifactFiles]:
    """Flow: the run's top-level files, or why there are none (``note``: a backend failure included)."""
    try:
        return (yield from artifact_files(api, run.artifact_uri))
    except MlopsError as exc:
        return {"files": [], "note": exc.message}


def run_detail(api: Api, backend: Backend, run_id: str, *, root_dir: Optional[str]) -> Plan[RunDetail]:
    """One run in full: info, params, latest metrics, tags, links, top-level artifacts. GitLab's project and
    CI-job lookups (best effort, cached by :mod:`.links`) are waited for at most ``GITLAB_LOOKUP_TIMEOUT``."""
    b = backend.name
    run: Run = yield from single(b, live_run(api, run_id))
    artifacts, project, job, models = yield Fanout(
        [
            Job(b, artifacts_of(api, run)),
            Job(b, links.project_web(api), GITLAB_LOOKUP_TIMEOUT),
            Job(b, links.job_info(api, run.tags.get(links.JOB_TAG)), GITLAB_LOOKUP_TIMEOUT),
            Job(b, logged_models.run_logged_models(api, run)),
        ]
    )
    for res in (artifacts, models):
        if isinstance(res, MlopsError):
            raise res
    run_links = links.run_links(
        kind=backend.kind,
        tracking_uri=backend.url,
        run_id=run.run_id,
        experiment_id=run.experiment_id,
        artifact_uri=run.artifact_uri,
        tags=run.tags,
        project_web=None if isinstance(project, MlopsError) else project,
        job=None if isinstance(job, MlopsError) else job,
        root_dir=root_dir,
        embedded=backend.embedded,
    )
    info = {f: getattr(run, f) for f in INFO_FIELDS}
    users.annotate([info], (yield from single(b, users.user_names(api, [run.user_id]))))  # C11
    return {
        "info": info,
        "params": run.params,
        "metrics": {
            k: {"value": rt.num(m.value), "step": m.step, "timestamp": m.timestamp} for k, m in run.metrics.items()
        },
        "tags": user_tags(run.tags),
        "system_tags": system_tags(run.tags),
        "links": run_links,
        "artifacts": artifacts,
        "logged_models": models,
    }


def metric_chart(
    api: Api, backend: str, run_id: str, key: str, *, x: str = "step", max_points: int = 500, method: str = "lttb"
) -> Plan[MetricHistory]:
    """One metric's history as ``[[x, y], ...]`` downsampled to at most ``max_points`` (``x``: step or time)."""
    x = history_x(x)
    if method not in METHODS:
        raise InvalidInput(f"method must be one of {', '.join(METHODS)}, got {method!r}.", reason="invalid_method")
    if api.dialect.is_gitlab:  # get-history (paged); without it (older GitLab: 404) the latest value
        run = yield from single(backend, live_run(api, run_id))
        history, source = yield from single(backend, series_history(api, run, key))
    else:  # MLflow keeps deleted runs' histories: check the run too
        history, run = yield Fanout(
            [Job(backend, metric_history(api, run_id, key)), Job(backend, live_run(api, run_id))]
        )
        for res in (run, history):
            if isinstance(res, MlopsError):
                raise res
        source = "history"
    out, kept, skipped = chart_points(history, x=x, max_points=max_points, method=method)
    return {
        "run_id": run_id,
        "key": key,
        "x": x,
        "points": [[int(a) if a.is_integer() else a, b] for a, b in out],
        "total": kept,
        "skipped": skipped,
        "downsampled": len(out) < kept,
        "method": method if len(out) < kept else "none",
        "source": source,
    }

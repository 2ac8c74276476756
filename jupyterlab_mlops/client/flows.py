"""Multi-step operations written once as generators of calls (driven sync or async)."""

from __future__ import annotations

from typing import Any, Optional

from . import filters
from .api import Api
from .calls import Call
from .errors import Conflict, NotFound
from .models import Experiment, Metric, ModelVersion, Page, Run
from .parse import latest_version


def one(call: Call[Any]) -> Any:
    """Flow: a single call (to hand one request to something that drives flows)."""
    return (yield call)


def get_or_create_experiment(api: Api, name: str) -> Any:
    """The experiment called ``name``, created when missing (races resolved by re-reading)."""
    try:
        return (yield api.get_experiment_by_name(name))
    except NotFound:
        pass
    try:
        exp_id = yield api.create_experiment(name)
    except Conflict:
        return (yield api.get_experiment_by_name(name))
    return Experiment(experiment_id=exp_id, name=name)


def all_pages(make_call: Any, limit: Optional[int] = None) -> Any:
    """Concatenate pages from ``make_call(page_token)`` until exhausted or ``limit`` items."""
    items: list[Any] = []
    token: Optional[str] = None
    while True:
        page: Page[Any] = yield make_call(token)
        items.extend(page.items)
        done = not page.next_page_token or page.next_page_token == token  # an empty page may not be the last
        if done or (limit is not None and len(items) >= limit):
            return items[:limit] if limit is not None else items
        token = page.next_page_token


def metric_history(api: Api, run_id: str, key: str) -> Any:
    """Every point of one metric, in step order."""
    points: list[Metric] = yield from all_pages(lambda tok: api.get_metric_history(run_id, key, page_token=tok))
    points.sort(key=lambda m: (m.step, m.timestamp))
    return points


def series_history(api: Api, run: Run, key: str) -> Any:
    """``(points, source)`` of one metric of ``run``: every point from ``metrics/get-history`` (paged), or on a
    GitLab without that endpoint (404, older instances) the one latest value ``runs/get`` gave, ``"latest"``.
    GitLab's ``runs/get`` never carries a series (GITLAB_API.md C1). The one history path of compare, run
    charts and the widgets."""
    try:
        return (yield from metric_history(api, run.run_id, key)), "history"
    except NotFound:
        if not api.dialect.is_gitlab:
            raise
        latest = run.metrics.get(key)
        return ([latest] if latest is not None else []), "latest"


def model_versions(api: Api, name: str) -> Any:
    """All versions of a model: ``model-versions/search`` on MLflow, the model's list on GitLab."""
    if api.dialect.is_gitlab:
        model = yield api.get_registered_model(name)
        return model.latest_versions  # GitLab: all versions (GITLAB_API.md §2.2)
    versions: list[ModelVersion] = yield from all_pages(lambda tok: api.search_model_versions(name, page_token=tok))
    return versions


def latest_model_version(api: Api, name: str) -> Any:
    """The highest (semver) version of ``name`` or None."""
    versions = yield from model_versions(api, name)
    return latest_version(versions)


# -- kernel-side flows (issue 5: offline runs created on replay) ------------------------------------
def find_run_by_tag(api: Api, experiment_id: str, key: str, value: str, scan: int = 1000) -> Any:
    """The newest run of an experiment whose tag ``key`` equals ``value``, or None.

    MLflow filters on the server; GitLab has no run filter, so its newest ``scan`` runs are checked."""
    if api.dialect.is_gitlab:
        page = yield api.search_runs([experiment_id], order_by=["created_at DESC"], max_results=scan)
    else:
        page = yield api.search_runs(
            [experiment_id], filter=filters.equals(filters.tag_key(key), value), max_results=10
        )
    return next((r for r in page.items if r.tags.get(key) == value), None)

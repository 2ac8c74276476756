"""Editing runs: rename, description (``mlflow.note.content``), user tags; delete and restore a selection of an
experiment's runs, and list its deleted ones. The rules per backend are :mod:`.edit_rules`'s: every check runs
before the first write, so a refused edit changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..client.api import Api
from ..client.errors import InvalidInput, MlopsError, NotFound
from ..client.models import Run
from . import edit_rules as er
from .experiments import system_tags, user_tags
from .run_detail import live_run

if TYPE_CHECKING:
    from ..client.calls import Flow
    from .wire.edits import DeletedRuns, RunEdit, RunsChanged

#: deleted runs listed at most (newest first)
MAX_DELETED = 1000


def run_edit(run: Run) -> RunEdit:
    """The edited run as the run page shows it."""
    return {
        "run_id": run.run_id,
        "experiment_id": run.experiment_id,
        "run_name": run.run_name,
        "lifecycle_stage": run.lifecycle_stage,
        "description": run.tags.get(er.DESCRIPTION_TAG) or None,
        "tags": user_tags(run.tags),
        "system_tags": system_tags(run.tags),
    }


def edit_run(api: Api, run_id: str, body: dict[str, Any]) -> Flow[RunEdit]:
    """``{run_name?, description?, tags?: {set, remove}}``: checked whole, then written; answers the run."""
    name, text = er.edit_request(api, body, "run_name", "run")
    run: Run = yield from live_run(api, run_id)
    to_set, to_remove = er.tag_changes(body.get("tags"), api, user_tags(run.tags))
    desc_set, desc_remove = er.description_change(api, text, run.tags.get(er.DESCRIPTION_TAG))
    if name is not None and name != run.run_name:
        yield api.update_run(run.run_id, run_name=name)
    for key, value in {**to_set, **desc_set}.items():
        yield api.set_tag(run.run_id, key, value)
    for key in [*to_remove, *desc_remove]:
        yield api.delete_tag(run.run_id, key)
    return run_edit((yield api.get_run(run.run_id)))


def _runs_of(api: Api, experiment_id: str, ids: list[str], *, deleted: bool) -> Flow[list[Run]]:
    """The runs, each checked to be of the experiment and active (``deleted``: deleted), else a 404."""
    runs: list[Run] = []
    for run_id in ids:
        run: Run = yield api.get_run(run_id)
        if run.experiment_id != experiment_id or (run.lifecycle_stage == "deleted") != deleted:
            state = "deleted " if deleted else ""
            raise NotFound(f"No {state}run {run_id[:64]!r} in experiment {experiment_id}.", reason="unknown_run")
        runs.append(run)
    return runs


def _each(runs: list[Run], act: Any, experiment_id: str, permanent: bool) -> Flow[RunsChanged]:
    """Apply ``act(run_id)`` to each run; a refused one is reported (all refused: its error is raised)."""
    done: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    first: Optional[MlopsError] = None
    for run in runs:
        try:
            yield act(run.run_id)
        except InvalidInput as exc:  # e.g. GitLab: "Cannot delete a candidate associated to a model version"
            first = first or exc
            failed.append({"run_id": run.run_id, "run_name": run.run_name, "message": exc.message})
        else:
            done.append({"run_id": run.run_id, "run_name": run.run_name})
    if first is not None and not done:
        raise first
    return {"experiment_id": experiment_id, "runs": done, "failed": failed, "permanent": permanent}


def delete_runs(api: Api, experiment_id: str, run_ids: Any) -> Flow[RunsChanged]:
    """Delete runs of an experiment: soft on MLflow (restorable), for good on GitLab (``permanent``)."""
    ids = er.check_ids(run_ids, "run_ids")
    runs = yield from _runs_of(api, experiment_id, ids, deleted=False)
    return (yield from _each(runs, api.delete_run, experiment_id, er.gitlab(api)))


def restore_runs(api: Api, experiment_id: str, run_ids: Any) -> Flow[RunsChanged]:
    """Bring deleted runs back with everything they had (MLflow only)."""
    er.refuse_on_gitlab(api, er.NO_RESTORE, "restore_unsupported")
    ids = er.check_ids(run_ids, "run_ids")
    runs = yield from _runs_of(api, experiment_id, ids, deleted=True)
    return (yield from _each(runs, api.restore_run, experiment_id, False))


def deleted_runs(api: Api, experiment_id: str) -> Flow[DeletedRuns]:
    """The experiment's deleted runs, newest first (none on GitLab, which deletes for good)."""
    if er.gitlab(api):
        return {
            "experiment_id": experiment_id,
            "supported": False,
            "runs": [],
            "truncated": False,
            "note": er.NO_RESTORE,
        }
    page = yield api.search_runs(
        [experiment_id], run_view_type="DELETED_ONLY", max_results=MAX_DELETED, order_by=["attributes.start_time DESC"]
    )
    rows = [
        {
            "run_id": r.run_id,
            "run_name": r.run_name,
            "status": r.status,
            "start_time": r.start_time,
            "end_time": r.end_time,
        }
        for r in page.items
    ]
    return {
        "experiment_id": experiment_id,
        "supported": True,
        "runs": rows,
        "truncated": bool(page.next_page_token),
        "note": None,
    }

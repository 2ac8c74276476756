"""Editing experiments: rename, description and user tags; delete (soft on MLflow, for good on GitLab) and
restore; the deleted ones (MLflow's ``view_type=DELETED_ONLY``). Rules per backend: :mod:`.edit_rules`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..client.api import Api
from ..client.errors import Conflict, NotFound
from ..client.models import Experiment
from . import edit_rules as er
from .experiments import experiment_row, user_tags

if TYPE_CHECKING:
    from ..client.calls import Flow
    from .wire.edits import DeletedExperiments, ExperimentChanged
    from .wire.runs import ExperimentRow

#: deleted experiments listed at most (most recently changed first)
MAX_DELETED = 1000


def _experiment(api: Api, experiment_id: str, *, deleted: bool = False) -> Flow[Experiment]:
    """The experiment, active (``deleted``: deleted), else a 404."""
    exp: Experiment = yield api.get_experiment(experiment_id)
    if (exp.lifecycle_stage == "deleted") != deleted:
        state = "deleted " if deleted else ""
        raise NotFound(f"No {state}experiment with id {experiment_id!r}.", reason="unknown_experiment")
    return exp


def _name_free(api: Api, name: str) -> Flow[None]:
    """A 409 when another experiment holds ``name`` (MLflow answers a rename onto it with a raw SQL error); a
    deleted one holds its name too."""
    try:
        other: Experiment = yield api.get_experiment_by_name(name)
    except NotFound:
        return
    bin_ = " (deleted: restore it and rename it first)" if other.lifecycle_stage == "deleted" else ""
    raise Conflict(f"An experiment named {name[:120]!r} exists already{bin_}.", reason="name_taken")


def edit_experiment(api: Api, experiment_id: str, body: dict[str, Any]) -> Flow[ExperimentRow]:
    """``{name?, description?, tags?: {set, remove}}``: checked whole, then written; answers the row."""
    name, text = er.edit_request(api, body, "name", "experiment")
    exp: Experiment = yield from _experiment(api, experiment_id)
    to_set, to_remove = er.tag_changes(body.get("tags"), api, user_tags(exp.tags))
    desc_set, desc_remove = er.description_change(api, text, exp.tags.get(er.DESCRIPTION_TAG))
    to_set, to_remove = {**to_set, **desc_set}, [*to_remove, *desc_remove]
    if name is not None and name != exp.name:
        yield from _name_free(api, name)
        yield api.update_experiment(exp.experiment_id, name)
    for key, value in to_set.items():
        yield api.set_experiment_tag(exp.experiment_id, key, value)
    for key in to_remove:
        yield api.delete_experiment_tag(exp.experiment_id, key)
    return experiment_row((yield api.get_experiment(exp.experiment_id)))


def delete_experiment(api: Api, experiment_id: str) -> Flow[ExperimentChanged]:
    """Soft on MLflow (restorable with its runs); for good on GitLab, which refuses a model's experiment."""
    exp: Experiment = yield from _experiment(api, experiment_id)
    yield api.delete_experiment(exp.experiment_id)
    return {"experiment_id": exp.experiment_id, "name": exp.name, "permanent": er.gitlab(api)}


def restore_experiment(api: Api, experiment_id: str) -> Flow[ExperimentChanged]:
    er.refuse_on_gitlab(api, er.NO_RESTORE, "restore_unsupported")
    exp: Experiment = yield from _experiment(api, experiment_id, deleted=True)
    yield api.restore_experiment(exp.experiment_id)
    return {"experiment_id": exp.experiment_id, "name": exp.name, "permanent": False}


def deleted_experiments(api: Api) -> Flow[DeletedExperiments]:
    """The deleted experiments, most recently changed first (none on GitLab)."""
    if er.gitlab(api):
        return {"supported": False, "experiments": [], "truncated": False, "note": er.NO_RESTORE}
    page = yield api.search_experiments(
        max_results=MAX_DELETED, view_type="DELETED_ONLY", order_by=["last_update_time DESC"]
    )
    return {
        "supported": True,
        "experiments": [experiment_row(e) for e in page.items],
        "truncated": bool(page.next_page_token),
        "note": None,
    }

"""Editing runs and experiments: the answers of the edit routes (``src/api/types.ts``)."""

from __future__ import annotations

from typing import Optional

from ._typed import TypedDict
from .runs import ExperimentRow, RunStatus


class RunEdit(TypedDict):
    """``PATCH backends/{b}/runs/{run_id}/edit``: the run as edited."""

    run_id: str
    experiment_id: str
    run_name: Optional[str]
    lifecycle_stage: str
    description: Optional[str]
    tags: dict[str, str]
    system_tags: dict[str, str]


class RunRef(TypedDict):
    run_id: str
    run_name: Optional[str]


class RunRefused(TypedDict):
    run_id: str
    run_name: Optional[str]
    message: str


class RunsChanged(TypedDict):
    """``POST .../experiments/{id}/runs/delete|restore``: done, refused, and whether it was for good (GitLab)."""

    experiment_id: str
    runs: list[RunRef]
    failed: list[RunRefused]
    permanent: bool


class DeletedRun(TypedDict):
    run_id: str
    run_name: Optional[str]
    status: RunStatus
    start_time: Optional[int]
    end_time: Optional[int]


class DeletedRuns(TypedDict):
    """``GET .../experiments/{id}/runs/deleted`` (``supported`` false on GitLab, which deletes for good)."""

    experiment_id: str
    supported: bool
    runs: list[DeletedRun]
    truncated: bool
    note: Optional[str]


class ExperimentChanged(TypedDict):
    """``POST .../experiments/{id}/delete|restore``."""

    experiment_id: str
    name: str
    permanent: bool


class DeletedExperiments(TypedDict):
    """``GET backends/{b}/experiments/deleted``."""

    supported: bool
    experiments: list[ExperimentRow]
    truncated: bool
    note: Optional[str]

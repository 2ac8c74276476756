"""Experiments, runs, one run in full, a metric's chart, artifact listings (``src/api/types.ts``)."""

from __future__ import annotations

from typing import Literal, Optional, Union

from typing_extensions import NotRequired

from ._typed import TypedDict

#: a metric value: non-finite ones travel as the strings MLflow uses
MetricValue = Union[float, Literal["NaN", "Infinity", "-Infinity"]]
RunStatus = Literal["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"]


# -- experiments -----------------------------------------------------------------------------------
class ExperimentSummary(TypedDict):
    """Counts of an experiment, computed on demand; ``run_count`` is a lower bound until exact."""

    run_count: int
    run_count_exact: bool
    last_activity: Optional[int]
    last_run_id: Optional[str]
    creator: Optional[str]
    computed_at: int


class ExperimentRow(TypedDict):
    """One experiment; also the answer of ``GET .../experiments/{id}/summary``."""

    experiment_id: str
    name: str
    lifecycle_stage: str
    creation_time: Optional[int]
    last_update_time: Optional[int]
    creator: Optional[str]
    description: Optional[str]
    #: GitLab: the model a ``[model]<name>`` experiment backs
    model_name: Optional[str]
    tags: dict[str, str]
    summary: Optional[ExperimentSummary]


class ExperimentsEmulation(TypedDict):
    search: bool
    read_only: bool
    reason: Optional[str]


class ExperimentsPage(TypedDict):
    """``GET backends/{b}/experiments``."""

    backend: str
    experiments: list[ExperimentRow]
    next_page_token: Optional[str]
    emulated: ExperimentsEmulation
    #: only in an incremental poll (``since``): experiments of ``ids`` whose runs changed (ask their summary again)
    recount: NotRequired[list[str]]


# -- the candidates table --------------------------------------------------------------------------
class RunRow(TypedDict):
    """One run with only the requested params, metrics and tags it has."""

    run_id: str
    run_name: Optional[str]
    status: RunStatus
    start_time: Optional[int]
    end_time: Optional[int]
    user_id: Optional[str]
    user_name: Optional[str]
    experiment_id: str
    params: dict[str, str]
    metrics: dict[str, MetricValue]
    tags: dict[str, str]


class AvailableColumns(TypedDict):
    params: list[str]
    metrics: list[str]
    tags: list[str]


class RunsEmulation(TypedDict):
    filter: bool
    order: bool
    reason: Optional[str]


class RunsPage(TypedDict):
    """``GET backends/{b}/experiments/{id}/runs``."""

    experiment_id: str
    runs: list[RunRow]
    columns: list[str]
    available_columns: AvailableColumns
    next_page_token: Optional[str]
    #: known only when emulated
    total: Optional[int]
    emulated: RunsEmulation
    #: GitLab: "newest first" is its upload order
    order_note: Optional[str]


# -- one run ---------------------------------------------------------------------------------------
class FileInfo(TypedDict):
    path: str
    is_dir: bool
    file_size: Optional[int]


class ArtifactFiles(TypedDict):
    """One artifact directory; ``note`` says why it is empty."""

    files: list[FileInfo]
    note: Optional[str]


class ArtifactList(ArtifactFiles):
    """``GET backends/{b}/runs/{run_id}/artifacts?path=``."""

    run_id: str
    path: str


class RunAttributes(TypedDict):
    """The attributes every view of a run carries (one run in full, a compare column)."""

    run_id: str
    run_name: Optional[str]
    experiment_id: str
    status: RunStatus
    start_time: Optional[int]
    end_time: Optional[int]
    user_id: Optional[str]


class RunInfo(RunAttributes):
    user_name: Optional[str]
    artifact_uri: Optional[str]
    lifecycle_stage: str


class LatestMetric(TypedDict):
    value: MetricValue
    step: int
    timestamp: int


class IdLink(TypedDict):
    id: str
    url: Optional[str]


class PipelineLink(TypedDict):
    id: Optional[str]
    url: Optional[str]


class IidLink(TypedDict):
    iid: str
    url: Optional[str]


class SourceLink(TypedDict):
    #: ``mlflow.source.name`` as logged
    name: str
    type: Optional[str]
    #: relative to the Jupyter root when inside it
    path: Optional[str]
    git_commit: Optional[str]


class CiLinks(TypedDict):
    """GitLab CI job, pipeline and merge request of a run (or a version's run)."""

    ci_job: Optional[IdLink]
    pipeline: Optional[PipelineLink]
    merge_request: Optional[IidLink]


class RunLinks(CiLinks):
    source: Optional[SourceLink]
    candidate: Optional[IidLink]
    experiment_url: Optional[str]
    backend_ui_url: Optional[str]


class LoggedModel(TypedDict):
    """One MLflow 3 logged model of a run; its files are read as run ``model_id``'s artifacts."""

    model_id: str
    name: str
    experiment_id: str
    source_run_id: Optional[str]
    status: Optional[str]
    model_type: Optional[str]
    creation_timestamp: Optional[int]
    tags: dict[str, str]
    params: dict[str, str]
    metrics: dict[str, LatestMetric]
    flavors: list[str]
    #: what promote registers: ``models:/m-<id>``
    source: str
    artifacts: ArtifactFiles


class LoggedModelList(TypedDict):
    """The run's logged models; ``supported`` is false where the backend has none (GitLab, MLflow 2)."""

    supported: bool
    models: list[LoggedModel]
    truncated: bool
    note: Optional[str]


class RunDetail(TypedDict):
    """``GET backends/{b}/runs/{run_id}``."""

    info: RunInfo
    params: dict[str, str]
    metrics: dict[str, LatestMetric]
    tags: dict[str, str]
    system_tags: dict[str, str]
    links: RunLinks
    artifacts: ArtifactFiles
    logged_models: LoggedModelList


class MetricHistory(TypedDict):
    """``GET backends/{b}/runs/{run_id}/metrics/{key}``: ``[x, y]`` points, downsampled."""

    run_id: str
    key: str
    x: Literal["step", "time"]
    points: list[tuple[float, float]]
    total: int
    skipped: int
    downsampled: bool
    method: Literal["lttb", "minmax", "none"]
    #: ``latest``: a GitLab without metrics/get-history gave only the latest value
    source: Literal["history", "latest"]

"""Models across backends, a model, a version page, linked items, version files, promotion
(``src/api/registryTypes.ts``)."""

from __future__ import annotations

from typing import Literal, Optional

from ._typed import TypedDict
from .runs import CiLinks, FileInfo, LatestMetric, MetricValue
from .status import BackendKind

#: how a version came to be: GitLab linked the run | GitLab fallback (copied) | MLflow registered
PromotionPath = Literal["run", "copy", "registered"]


class VersionRef(TypedDict):
    version: str
    semver: Optional[str]
    version_id: str


class ModelRow(TypedDict):
    """One row of the registry table."""

    backend: str
    backend_kind: BackendKind
    name: str
    description: Optional[str]
    latest_version: Optional[VersionRef]
    version_count: int
    creation_timestamp: Optional[int]
    last_updated_timestamp: Optional[int]
    updated_by: Optional[str]
    updated_by_name: Optional[str]
    web_url: Optional[str]


class BackendError(TypedDict):
    """A backend that failed while listing models."""

    backend: str
    message: str
    error: str


class ModelsList(TypedDict):
    """``GET models?search=``."""

    models: list[ModelRow]
    errors: list[BackendError]


class CandidateRef(TypedDict):
    backend: str
    run_id: str
    #: the run's name (None: it has none, or it could not be read)
    run_name: Optional[str]


class VersionSummary(TypedDict):
    """One row of a model's version list."""

    version: str
    version_id: str
    semver: Optional[str]
    created: Optional[int]
    last_updated: Optional[int]
    user_id: Optional[str]
    user_name: Optional[str]
    description: Optional[str]
    status: Optional[str]
    run_id: Optional[str]
    #: the source run (candidate) of the version
    candidate: Optional[CandidateRef]
    route: str
    web_url: Optional[str]
    #: MLflow aliases pointing at this version (always empty on GitLab)
    aliases: list[str]


class AliasRef(TypedDict):
    alias: str
    #: the version as shown (``VersionSummary.version``)
    version: str


class ModelAliases(TypedDict):
    """``POST .../models/{name}/aliases`` and ``DELETE .../aliases/{alias}``: the model's aliases after."""

    aliases: list[AliasRef]


class ModelPage(TypedDict):
    """``GET backends/{b}/models/{name}``: versions highest semver first."""

    backend: str
    backend_kind: BackendKind
    name: str
    description: Optional[str]
    user_id: Optional[str]
    user_name: Optional[str]
    creation_timestamp: Optional[int]
    last_updated_timestamp: Optional[int]
    web_url: Optional[str]
    latest_version: Optional[VersionRef]
    versions: list[VersionSummary]
    aliases: list[AliasRef]
    #: why there are none (GitLab has no aliases), else None
    aliases_note: Optional[str]
    #: the model's tags, without those MLflow, GitLab and this extension manage
    tags: dict[str, str]


class DeletedModel(TypedDict):
    """``DELETE backends/{b}/models/{name}``: what went."""

    name: str
    versions_deleted: int


class DeletedVersion(TypedDict):
    """``DELETE .../versions/{version}``: what went (the run it came from stays)."""

    name: str
    version: str
    aliases_removed: list[str]
    run_id: Optional[str]


class VersionEdit(TypedDict):
    """``PATCH .../versions/{version}``: the version's description and visible tags after the edit."""

    version: str
    description: Optional[str]
    tags: dict[str, str]


class VersionLink(TypedDict):
    n: int
    url: str
    kind: Literal["issue", "merge_request", "link"]
    title: str


class VersionLinks(TypedDict):
    """``POST .../versions/{v}/links`` and ``DELETE .../links/{n}``: the links left."""

    links: list[VersionLink]


class AliasSnippet(TypedDict):
    alias: str
    uri: str
    code: str


class UseSnippet(TypedDict):
    """Code that loads the version in a kernel."""

    kind: Literal["pyfunc", "files"]
    uri: str
    code: str
    params_code: str
    tracking_uri: str
    #: False: the kernel needs MLFLOW_TRACKING_URI (and a token) for this backend
    kernel_ready: bool
    #: the same code loading ``models:/<name>@<alias>``, one per alias of the version (none on GitLab)
    by_alias: list[AliasSnippet]


class UploadInfo(TypedDict):
    max_bytes: int
    flat_names: bool
    name_rule: str
    name_pattern: Optional[str]


class Lineage(TypedDict):
    source_run: Optional[str]
    source_backend: Optional[str]
    source_experiment: Optional[str]
    snapshot_sha256: Optional[str]
    git_commit: Optional[str]
    ci_job_id: Optional[str]
    path: PromotionPath


class Repository(TypedDict):
    url: Optional[str]
    commit: Optional[str]
    commit_url: Optional[str]


class VersionPage(VersionSummary):
    """``GET backends/{b}/models/{name}/versions/{version}``."""

    backend: str
    backend_kind: BackendKind
    model: str
    tags: dict[str, str]
    lineage: Lineage
    params: dict[str, str]
    metrics: dict[str, LatestMetric]
    artifacts: list[FileInfo]
    artifacts_error: Optional[str]
    links: list[VersionLink]
    repository: Optional[Repository]
    ci: CiLinks
    use_snippet: UseSnippet
    upload: UploadInfo
    #: why the version has no aliases (GitLab has none), else None
    aliases_note: Optional[str]


class UploadResult(TypedDict):
    """``PUT .../versions/{v}/artifacts/{file}`` (201): the version's files after the upload."""

    path: str
    size: int
    artifacts: list[FileInfo]


# -- promotion -------------------------------------------------------------------------------------
class LatestVersion(VersionRef):
    run_id: Optional[str]


class Bumps(TypedDict):
    patch: str
    minor: str
    major: str


class NextVersion(TypedDict):
    """``GET .../models/{name}/next-version?bump=``."""

    model: str
    exists: bool
    latest: Optional[LatestVersion]
    suggested: str
    bumps: Bumps
    #: the semver rule, in words
    rule: str
    #: GitLab's model-name rule, in words
    name_rule: str


class PromoteResult(TypedDict):
    """``POST .../models/{name}/versions`` (201)."""

    version: VersionSummary
    model: str
    backend: str
    path: PromotionPath
    notes: list[str]
    lineage: dict[str, str]


class ChampionRow(TypedDict):
    key: str
    candidate: Optional[MetricValue]
    champion: Optional[MetricValue]
    delta: Optional[MetricValue]
    direction: Literal["min", "max"]
    better: Optional[Literal["candidate", "champion", "equal"]]


class ChampionCandidate(TypedDict):
    run_id: str
    run_name: Optional[str]
    metrics: dict[str, MetricValue]


class ChampionVersion(TypedDict):
    version: str
    semver: Optional[str]
    #: "alias": the version the ``champion`` alias points at; "latest": no such alias (or GitLab)
    by: Literal["alias", "latest"]
    run_id: Optional[str]
    metrics: dict[str, MetricValue]


class ChampionCheck(TypedDict):
    """``GET .../models/{name}/champion?run_id=``: the candidate's metrics beside the champion's (the version
    the ``champion`` alias points at, else the latest)."""

    candidate: ChampionCandidate
    champion: Optional[ChampionVersion]
    rows: list[ChampionRow]

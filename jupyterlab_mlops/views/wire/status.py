"""``GET status``, the version and health handshake (``IStatus`` in ``src/api/types.ts``), and the embedded
backend's recovery routes ``POST backends/{b}/restart`` and ``GET backends/{b}/log`` (``src/api/embedded.ts``)."""

from __future__ import annotations

from typing import Literal, Optional

from ._typed import TypedDict

BackendKind = Literal["mlflow", "gitlab"]
BackendHealth = Literal["starting", "healthy", "unreachable", "failed"]


class _Capabilities(TypedDict):
    run_filter: bool
    multi_experiment_search: bool
    order_by_params: bool
    overwrite_tags: bool
    artifact_directories: bool
    semver_versions: bool
    model_version_search: bool
    #: the credentials may write (and, on GitLab, search)
    write: bool


class BackendCapabilities(_Capabilities, total=False):
    """The dialect's feature flags and the credentials' write access."""

    #: why ``write`` is false
    reason: str


class EmbeddedSupervisor(TypedDict, total=False):
    """What the supervisor of the embedded server adds to its backend (a remote backend has none of it)."""

    restartable: bool
    #: the server log's last error line while it is down
    cause: Optional[str]
    log_path: str
    restarts: int
    max_restarts: int
    restart_window_s: float
    #: seconds since it went down (None while up)
    down_for_s: Optional[float]


class _BackendStatus(TypedDict):
    name: str
    kind: BackendKind
    url: str
    embedded: bool
    health: BackendHealth
    message: str
    capabilities: BackendCapabilities


class BackendStatus(_BackendStatus, EmbeddedSupervisor):
    """One configured backend (its URL without credentials)."""


class SpoolAside(TypedDict):
    """Batches the kernels set aside after the backend kept failing on them."""

    batches: int
    items: int
    reasons: list[str]


class SpoolStatus(TypedDict):
    depth: int
    path: str
    set_aside: SpoolAside


class Status(TypedDict):
    version: str
    backends: list[BackendStatus]
    #: None only when no backend is configured and the embedded one is off
    default_backend: Optional[str]
    spool: SpoolStatus


class RestartAnswer(EmbeddedSupervisor):
    """``POST backends/{b}/restart``: the embedded server is starting again."""

    name: str
    health: BackendHealth
    message: str


class BackendLog(TypedDict):
    """``GET backends/{b}/log?lines=``: the embedded server log's last lines, scrubbed."""

    name: str
    path: str
    lines: int
    text: str

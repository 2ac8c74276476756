"""Notebook snapshots: take, fetch, restore, diff (``src/api/snapshotTypes.ts``)."""

from __future__ import annotations

from typing import Any, Literal, Optional

from ._typed import TypedDict

PackagesSource = Literal["kernel", "server", "unavailable"]
CellDiffStatus = Literal["unchanged", "modified", "added", "removed"]


class _SnapshotResult(TypedDict):
    sha256: str
    path: str
    size: int
    scrubbed: dict[str, int]
    outputs_dropped: int
    outputs_truncated: int
    excluded_cells: int
    uploaded: bool
    artifacts: list[str]
    packages_source: PackagesSource
    #: '' when the notebook is not in a git repository
    git_commit: str


class SnapshotResult(_SnapshotResult, total=False):
    """``POST backends/{b}/runs/{run_id}/snapshot``."""

    #: set when not uploaded: the run already has this exact snapshot
    reason: Literal["unchanged"]


class SnapshotGit(TypedDict):
    """Git facts of the notebook's repository (all '' when not in one)."""

    commit: str
    branch: str
    remote: str
    dirty: bool
    diff: str
    diff_truncated: bool
    untracked: list[str]
    path_in_repo: str
    error: str


class SnapshotKernel(TypedDict, total=False):
    id: str
    name: str
    display_name: str
    language: str
    language_version: str


class SnapshotRecord(TypedDict):
    """``snapshot.json`` of a run."""

    format: int
    path: str
    sha256: str
    size: int
    created: int
    run_id: str
    backend: str
    source: Literal["frontend", "disk"]
    user: str
    kernel: SnapshotKernel
    python: dict[str, str]
    packages: dict[str, str]
    packages_source: PackagesSource
    git: SnapshotGit
    scrubbed: dict[str, int]
    excluded_cells: int
    outputs_truncated: int
    outputs_dropped: int
    cells: int


class SnapshotView(TypedDict):
    """``GET backends/{b}/runs/{run_id}/snapshot``: the record and the (validated) notebook."""

    backend: str
    run_id: str
    run_name: Optional[str]
    snapshot: SnapshotRecord
    notebook: dict[str, Any]


class RestoreResult(TypedDict):
    """``POST .../snapshot/restore``: the new notebook (``original``: where the snapshot was taken)."""

    path: str
    name: str
    backend: str
    run_id: str
    sha256: Optional[str]
    original: str


class DiffSide(TypedDict):
    backend: str
    run_id: str
    run_name: Optional[str]
    path: Optional[str]
    sha256: Optional[str]


class CellDiff(TypedDict):
    status: CellDiffStatus
    a_index: Optional[int]
    b_index: Optional[int]
    cell_type: Literal["code", "markdown", "raw"]
    id: Optional[str]
    source: str
    source_diff: str
    outputs_changed: bool
    outputs_diff: str


class DiffSummary(TypedDict):
    unchanged: int
    modified: int
    added: int
    removed: int


class SnapshotDiff(TypedDict):
    """``GET snapshots/diff?a=&b=``."""

    a: DiffSide
    b: DiffSide
    engine: str
    cells: list[CellDiff]
    summary: DiffSummary

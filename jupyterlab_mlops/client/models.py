"""Typed records parsed from MLflow/GitLab responses, normalized across the two dialects.

Times are always milliseconds since the epoch here (GitLab's registry sends seconds; the
parsers convert). ``to_json`` gives the shape the server sends to the frontend
(mirrored in ``src/api/types.ts``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Generic, Optional, TypeVar

T = TypeVar("T")


class Record:
    """Mixin: JSON-ready dict of a dataclass."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]


@dataclass
class Page(Generic[T]):
    """One page of a paginated listing."""

    items: list[T]
    next_page_token: Optional[str] = None

    def to_json(self) -> dict[str, Any]:
        return {
            "items": [i.to_json() if hasattr(i, "to_json") else i for i in self.items],
            "next_page_token": self.next_page_token,
        }


@dataclass
class Experiment(Record):
    experiment_id: str
    name: str
    lifecycle_stage: str = "active"
    artifact_location: Optional[str] = None
    creation_time: Optional[int] = None
    last_update_time: Optional[int] = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class Metric(Record):
    key: str
    value: float
    timestamp: int = 0
    step: int = 0


@dataclass
class Run(Record):
    run_id: str
    experiment_id: str
    run_name: Optional[str] = None
    status: str = "RUNNING"
    start_time: Optional[int] = None
    end_time: Optional[int] = None
    user_id: Optional[str] = None
    artifact_uri: Optional[str] = None
    lifecycle_stage: str = "active"
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)  # latest value per key
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class ModelVersion(Record):
    name: str
    version: str  # what users and get/update use: semver on GitLab, the integer on MLflow
    version_id: str  # the backend's id: for get-download-uri and artifacts
    semver: Optional[str] = None
    creation_timestamp: Optional[int] = None
    last_updated_timestamp: Optional[int] = None
    user_id: Optional[str] = None
    description: str = ""
    source: Optional[str] = None
    run_id: Optional[str] = None
    status: str = "READY"
    current_stage: Optional[str] = None
    tags: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)


@dataclass
class RegisteredModel(Record):
    name: str
    description: str = ""
    creation_timestamp: Optional[int] = None
    last_updated_timestamp: Optional[int] = None
    user_id: Optional[str] = None
    tags: dict[str, str] = field(default_factory=dict)
    latest_versions: list[ModelVersion] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # alias -> version id (MLflow only)


@dataclass
class FileInfo(Record):
    path: str
    is_dir: bool = False
    file_size: Optional[int] = None

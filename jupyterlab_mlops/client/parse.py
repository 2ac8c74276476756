"""Pure parsers from MLflow/GitLab JSON to :mod:`models` records (dialect-aware)."""

from __future__ import annotations

import math
from typing import Any, Optional
from urllib.parse import unquote

from .dialect import Dialect, semver_key
from .models import Experiment, FileInfo, Metric, ModelVersion, Page, RegisteredModel, Run


def _kv(items: Optional[list[dict[str, Any]]]) -> dict[str, str]:
    return {i["key"]: i.get("value", "") for i in items or [] if "key" in i}


def _int(x: Any) -> Optional[int]:
    try:
        return int(x) if x is not None and x != "" else None
    except (TypeError, ValueError):
        return None


def _float(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def _ms(x: Any, seconds: bool) -> Optional[int]:
    v = _int(x)
    return None if v is None else (v * 1000 if seconds else v)


def metric(d: dict[str, Any]) -> Metric:
    return Metric(
        key=d.get("key", ""),
        value=_float(d.get("value")),
        timestamp=_int(d.get("timestamp")) or 0,
        step=_int(d.get("step")) or 0,
    )


def latest_metrics(items: Optional[list[dict[str, Any]]]) -> dict[str, Metric]:
    """Latest value per key (GitLab sends every logged value: de-duplicate by key)."""
    out: dict[str, Metric] = {}
    for raw in items or []:
        m = metric(raw)
        cur = out.get(m.key)
        if cur is None or (m.step, m.timestamp) >= (cur.step, cur.timestamp):
            out[m.key] = m
    return out


def experiment(d: dict[str, Any]) -> Experiment:
    return Experiment(
        experiment_id=str(d.get("experiment_id", "")),
        name=d.get("name", ""),
        lifecycle_stage=d.get("lifecycle_stage", "active"),
        artifact_location=d.get("artifact_location"),
        creation_time=_int(d.get("creation_time")),
        last_update_time=_int(d.get("last_update_time")),
        tags=_kv(d.get("tags")),
    )


def run(d: dict[str, Any]) -> Run:
    info, data = d.get("info", {}), d.get("data", {})
    tags = _kv(data.get("tags"))
    return Run(
        run_id=info.get("run_id") or info.get("run_uuid", ""),
        experiment_id=str(info.get("experiment_id", "")),
        run_name=info.get("run_name") or tags.get("mlflow.runName"),
        status=(info.get("status") or "RUNNING").upper(),
        start_time=_int(info.get("start_time")) or None,
        end_time=_int(info.get("end_time")),
        user_id=info.get("user_id") or tags.get("mlflow.user"),
        artifact_uri=info.get("artifact_uri"),
        lifecycle_stage=info.get("lifecycle_stage", "active"),
        params=_kv(data.get("params")),
        metrics=latest_metrics(data.get("metrics")),
        tags=tags,
    )


def model_version(d: dict[str, Any], dialect: Dialect) -> ModelVersion:
    tags = _kv(d.get("tags")) if isinstance(d.get("tags"), list) else dict(d.get("tags") or {})
    aliases = list(d.get("aliases") or [])
    raw_version = str(d.get("version", ""))
    if dialect.is_gitlab:
        semver = aliases[0] if aliases else tags.get("gitlab.version") or tags.get("version")
        shown = semver or raw_version
    else:
        semver = tags.get("gitlab.version")
        shown = raw_version
    secs = dialect.registry_seconds
    return ModelVersion(
        name=d.get("name", ""),
        version=shown,
        version_id=raw_version,
        semver=semver,
        creation_timestamp=_ms(d.get("creation_timestamp"), secs),
        last_updated_timestamp=_ms(d.get("last_updated_timestamp"), secs),
        user_id=d.get("user_id"),
        description=d.get("description") or "",
        source=d.get("source"),
        run_id=d.get("run_id") or None,
        status=d.get("status", "READY"),
        current_stage=d.get("current_stage"),
        tags=tags,
        aliases=aliases,
    )


def registered_model(d: dict[str, Any], dialect: Dialect) -> RegisteredModel:
    secs = dialect.registry_seconds
    tags = _kv(d.get("tags")) if isinstance(d.get("tags"), list) else dict(d.get("tags") or {})
    versions = [model_version(v, dialect) for v in d.get("latest_versions") or [] if isinstance(v, dict)]
    return RegisteredModel(
        name=d.get("name", ""),
        description=d.get("description") or "",
        creation_timestamp=_ms(d.get("creation_timestamp"), secs),
        last_updated_timestamp=_ms(d.get("last_updated_timestamp"), secs),
        user_id=d.get("user_id"),
        tags=tags,
        latest_versions=versions,
        aliases={
            str(a.get("alias")): str(a.get("version"))
            for a in d.get("aliases") or []
            if isinstance(a, dict) and a.get("alias")
        },
    )


def latest_version(versions: list[ModelVersion]) -> Optional[ModelVersion]:
    """Highest semver when versions have one, else the highest integer version."""
    if not versions:
        return None
    if any(v.semver for v in versions):
        return max(versions, key=lambda v: semver_key(v.semver or ""))
    return max(versions, key=lambda v: _int(v.version) or 0)


def file_info(d: dict[str, Any]) -> FileInfo:
    return FileInfo(path=unquote(d.get("path", "")), is_dir=bool(d.get("is_dir")), file_size=_int(d.get("file_size")))


def page(items: list[Any], token: Any) -> Page[Any]:
    return Page(items=items, next_page_token=token or None)

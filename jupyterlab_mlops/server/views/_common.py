"""Shared by the issue-3 views: query-argument parsing and the small per-server caches."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Optional

from ...client.errors import InvalidInput, NotFound
from ...client.ttl_cache import TtlLru
from ..base import MlopsHandler

SETTINGS_KEY = "mlops_view_caches"


@dataclass
class ViewCaches:
    """Caches shared by the views of one server (all bounded, all expiring)."""

    #: (backend, experiment) -> (Progress, Task) of the run-count flow
    summaries: TtlLru[tuple[str, str], Any] = field(default_factory=lambda: TtlLru(512, 300.0))
    #: (backend, query fingerprint) -> Task giving the materialized, filtered, ordered run list
    run_lists: TtlLru[tuple[str, str], Any] = field(default_factory=lambda: TtlLru(4, 300.0))
    #: (backend, "experiments") -> Task giving every experiment (GitLab name search)
    experiment_lists: TtlLru[tuple[str, str], Any] = field(default_factory=lambda: TtlLru(8, 60.0))
    #: (backend, experiment) -> {"params": set, "metrics": set, "tags": set}
    columns: TtlLru[tuple[str, str], dict[str, set[str]]] = field(default_factory=lambda: TtlLru(256, 300.0))
    #: (backend, run) -> artifact_uri
    artifact_uris: TtlLru[tuple[str, str], Optional[str]] = field(default_factory=lambda: TtlLru(4096, 600.0))
    #: (backend, "project" | "job:<id>") -> GitLab lookups (None when they failed)
    gitlab: TtlLru[tuple[str, str], Any] = field(default_factory=lambda: TtlLru(1024, 600.0))
    #: backend -> semaphore limiting concurrent counting flows
    counting: dict[str, asyncio.Semaphore] = field(default_factory=dict)


class ViewHandler(MlopsHandler):
    """Base of the issue-3 handlers: typed access to query arguments and caches."""

    @property
    def caches(self) -> ViewCaches:
        caches = self.settings.get(SETTINGS_KEY)
        if caches is None:
            caches = self.settings[SETTINGS_KEY] = ViewCaches()
        return caches

    def arg(self, name: str, default: Optional[str] = None) -> Optional[str]:
        value = self.get_query_argument(name, default)
        return value if value is None else value.strip()

    def int_arg(self, name: str, default: int, lo: int, hi: int) -> int:
        raw = self.arg(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except ValueError:
            raise InvalidInput(f"{name} must be an integer between {lo} and {hi}, got {raw!r}.",
                               reason=f"invalid_{name}") from None
        if not lo <= value <= hi:
            raise InvalidInput(f"{name} must be between {lo} and {hi}, got {value}.", reason=f"invalid_{name}")
        return value

    def bool_arg(self, name: str) -> bool:
        return (self.arg(name) or "").lower() in ("1", "true", "yes")


def background(coro: Any) -> "asyncio.Task[Any]":
    """A task whose failure is kept for the next reader, never logged as "never retrieved"."""
    task = asyncio.ensure_future(coro)
    task.add_done_callback(lambda t: t.cancelled() or t.exception())
    return task


def failed(task: Optional["asyncio.Future[Any]"]) -> bool:
    return task is not None and task.done() and (task.cancelled() or task.exception() is not None)


def experiment_id_arg(experiment_id: str) -> str:
    """Experiment ids are (64-bit) integers on MLflow's stores and GitLab (iid): anything else is unknown."""
    if not (experiment_id.isascii() and experiment_id.isdigit() and int(experiment_id) < 2 ** 63):
        raise NotFound(f"No experiment with id {experiment_id!r}.", reason="unknown_experiment")
    return experiment_id

"""Shared by the view handlers: query-argument parsing, the driver, and the per-server view state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ...client.calls import Flow
from ...client.errors import InvalidInput, NotFound
from ...views.cache import SeriesCache
from ...views.driver import SharedReads
from ...views.experiment_pages import ExperimentViews
from ...views.runs import RunViews
from ...views.series_store import DEFAULT_MAX_BYTES, SeriesStore, default_path
from ...views.snapshots import Snapshots
from ..base import MlopsHandler

SETTINGS_KEY = "mlops_view_caches"


@dataclass
class ViewCaches:
    """State shared by the views of one server (caches all bounded, all expiring)."""

    #: the experiment routes (run-count summaries, GitLab listings)
    experiments: ExperimentViews = field(default_factory=ExperimentViews)
    #: the run routes (run lists, columns seen, artifact URIs)
    runs: RunViews = field(default_factory=RunViews)
    #: snapshot uploads (one per run at a time) and restores (one at a time)
    snapshots: Snapshots = field(default_factory=Snapshots)
    #: the series of compare and of the run page's charts (finished runs' also on disk), and the memo of
    #: finished runs they were read for
    series: SeriesCache = field(default_factory=SeriesCache)
    #: the run page's charts, asked together, read their run once
    chart_runs: SharedReads = field(default_factory=SharedReads)

    def __post_init__(self) -> None:
        self.runs.run_count = self.experiments.known_count  # a metric sort's pruning estimates with it


class ViewHandler(MlopsHandler):
    """Base of the view handlers: typed access to query arguments, the views' state, the driver."""

    @property
    def caches(self) -> ViewCaches:
        caches = self.settings.get(SETTINGS_KEY)
        if caches is None:
            max_bytes = self.settings.get("mlops_series_cache_max_bytes", DEFAULT_MAX_BYTES)
            store = SeriesStore(default_path(), max_bytes, self.log) if max_bytes > 0 else None
            caches = self.settings[SETTINGS_KEY] = ViewCaches(series=SeriesCache(store=store))
        return caches

    async def drive(self, backend: str, flow: Flow[Any]) -> Any:
        """Run a flow against a configured backend (the async driver of :mod:`...views.driver` plans); an answer
        ends an outage the status showed (its errors are recorded by the base handler)."""
        result = await self.registry.client(backend).drive(flow)
        self.registry.mark(backend, None)
        return result

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
            raise InvalidInput(
                f"{name} must be an integer between {lo} and {hi}, got {raw!r}.", reason=f"invalid_{name}"
            ) from None
        if not lo <= value <= hi:
            raise InvalidInput(f"{name} must be between {lo} and {hi}, got {value}.", reason=f"invalid_{name}")
        return value

    def since_arg(self, name: str = "since") -> Optional[int]:
        """``since`` (ms since the epoch) of an incremental poll, or None."""
        return None if self.arg(name) in (None, "") else self.int_arg(name, 0, 0, 2**53)

    def bool_arg(self, name: str) -> bool:
        return (self.arg(name) or "").lower() in ("1", "true", "yes")


def experiment_id_arg(experiment_id: str) -> str:
    """Experiment ids are (64-bit) integers on MLflow's stores and GitLab (iid): anything else is unknown."""
    if not (experiment_id.isascii() and experiment_id.isdigit() and int(experiment_id) < 2**63):
        raise NotFound(f"No experiment with id {experiment_id!r}.", reason="unknown_experiment")
    return experiment_id

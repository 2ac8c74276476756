"""``mlops.compare(runs_or_experiment, metrics=...)``: params side by side with differences
highlighted, and metric curves overlaid (an inline SVG, no plotting library needed).

The tables, labels and series are the compare view's (:mod:`...views.compare_series`), driven
synchronously: the same runs, diff and downsampled histories as the Compare tab."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import ipywidgets as w

from ..client.errors import InvalidInput, MlopsError, NotFound
from ..client.models import Run
from ..views import compare_series as cs
from ..views.cache import SeriesCache
from ..views.compare import MAX_RUNS, Fetched, RunRef
from ..views.driver import Plan, run_sync
from ._common import Panel, fmt_value, line_chart, table

CHART_POINTS = 500


class CompareView(Panel):
    """``rows`` holds ``(param, [value per run], differs)``; ``diff_only`` filters the table;
    ``metric`` picks the plotted metric; ``series`` holds the plotted points per run label."""

    def __init__(
        self,
        runs_or_experiment: Union[str, Sequence[Any], None] = None,
        metrics: Optional[Sequence[str]] = None,
        session: Any = None,
    ) -> None:
        super().__init__(session)
        self.runs: list[Run] = []
        self.rows: list[tuple[str, list[str], bool]] = []
        self.series: dict[str, list[tuple[float, float]]] = {}
        self.diff_only = w.Checkbox(value=False, description="differences only", indent=False)
        self.metric = w.Dropdown(description="Metric", options=[])
        self.params_table = w.HTML("")
        self.metrics_table = w.HTML("")
        self.chart = w.HTML("")
        self.labels: dict[str, str] = {}
        self.metric_keys: list[str] = []
        self._fetched: list[Fetched] = []
        self._cache = SeriesCache()
        self.diff_only.observe(lambda _: self._render_params(), names="value")
        self.metric.observe(lambda _: self._render_chart(), names="value")
        self.children = [
            self.message,
            w.HBox([self.diff_only]),
            self.params_table,
            self.metrics_table,
            self.metric,
            self.chart,
        ]
        self.guard(self._load, runs_or_experiment, list(metrics) if metrics else None)

    def _run_ids(self, target: Union[str, Sequence[Any], None]) -> list[str]:
        if target is None:
            active = self.session.stack[-1].run_id if self.session.stack else None
            if not active:
                raise InvalidInput("compare needs runs (ids) or an experiment name")
            return [active]
        if isinstance(target, str):
            api = self.client.api
            try:
                exp = self.client.run(api.get_experiment_by_name(target))
            except NotFound:
                return [target]  # a single run id
            page = self.client.run(
                api.search_runs([exp.experiment_id], order_by=self.run_order(), max_results=MAX_RUNS)
            )
            return [r.run_id for r in page.items]
        ids = []
        for item in target:
            rid = getattr(item, "run_id", item)
            if rid is None:
                raise InvalidInput("a run in the list is not created yet (the backend was unreachable)")
            ids.append(str(rid))
        return ids

    def _drive(self, plan: Plan[Any]) -> Any:
        return run_sync(plan, lambda _backend, flow: self.client.drive(flow))

    def _load(self, target: Union[str, Sequence[Any], None], metrics: Optional[list[str]]) -> None:
        ids = list(dict.fromkeys(self._run_ids(target)))
        if not ids:
            self.say("no runs to compare")
            return
        if len(ids) > MAX_RUNS:
            self.say(f"comparing the first {MAX_RUNS} of {len(ids)} runs")
            ids = ids[:MAX_RUNS]
        name = self.client.backend.name
        self._fetched, errors = self._drive(cs.fetch_runs([RunRef(name, rid) for rid in ids], {name: self.client.api}))
        if errors:
            self.say("; ".join(f"run {e['run_id']}: {e['message']}" for e in errors), "error")
        self.runs = [f.run for f in self._fetched]
        view = cs.tables(self._fetched)
        self.labels = {h["run_id"]: h["label"] for h in view["runs"]}
        self.rows = [(p["key"], ["" if v is None else v for v in p["values"]], p["differs"]) for p in view["params"]]
        latest = {m["key"]: m["values"] for m in view["metrics"]}
        self.metric_keys = metrics or sorted(latest)
        self._render_params()
        self.metrics_table.value = table(
            ["metric (latest)"] + [self._name(r) for r in self.runs],
            [
                [k] + ["" if v is None else fmt_value(v) for v in latest.get(k, [None] * len(self.runs))]
                for k in self.metric_keys
            ],
        )
        self.metric.options = self.metric_keys
        if self.metric_keys:
            self.metric.value = self.metric_keys[0]
        self._render_chart()

    def _name(self, run: Run) -> str:
        return self.labels.get(run.run_id) or run.run_name or run.run_id[:8]

    def _render_params(self) -> None:
        rows = [r for r in self.rows if r[2] or not self.diff_only.value]
        self.params_table.value = table(
            ["param"] + [self._name(r) for r in self.runs],
            [[k] + values for k, values, _ in rows],
            [d for _, _, d in rows],
        )

    def _render_chart(self) -> None:
        key = self.metric.value
        if not key:
            self.chart.value = ""
            self.series = {}
            return
        name = self.client.backend.name
        try:
            series, errors = self._drive(
                cs.series_for(
                    self._fetched, [key], {name: self.client.api}, self._cache, max_points=CHART_POINTS, x="step"
                )
            )
        except MlopsError as exc:
            self.say(exc.message, "error")
            return
        if errors:
            self.say(errors[0]["message"], "error")
        self.series = {
            self._name(f.run): [(float(x), float(y)) for x, y in series[(key, f.ref)]["points"]]
            for f in self._fetched
            if (key, f.ref) in series
        }
        self.chart.value = line_chart(list(self.series.items()), title=f"{key} by step")

"""``mlops.compare(runs_or_experiment, metrics=...)``: params side by side with differences
highlighted, and metric curves overlaid (an inline SVG, no plotting library needed)."""
from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import ipywidgets as w

from ..client import flows
from ..client.errors import InvalidInput, MlopsError, NotFound
from ..client.models import Metric, Run
from ._common import Panel, fmt_value, line_chart, table

MAX_RUNS = 50


class CompareView(Panel):
    """``rows`` holds ``(param, [value per run], differs)``; ``diff_only`` filters the table;
    ``metric`` picks the plotted metric; ``series`` holds the plotted points per run."""

    def __init__(self, runs_or_experiment: Union[str, Sequence[Any], None] = None,
                 metrics: Optional[Sequence[str]] = None, session: Any = None) -> None:
        super().__init__(session)
        self.runs: list[Run] = []
        self.rows: list[tuple[str, list[str], bool]] = []
        self.series: dict[str, list[tuple[float, float]]] = {}
        self.diff_only = w.Checkbox(value=False, description="differences only", indent=False)
        self.metric = w.Dropdown(description="Metric", options=[])
        self.params_table = w.HTML("")
        self.metrics_table = w.HTML("")
        self.chart = w.HTML("")
        self._history: dict[tuple[str, str], list[Metric]] = {}
        self.labels: dict[str, str] = {}
        self.metric_keys: list[str] = []
        self.diff_only.observe(lambda _: self._render_params(), names="value")
        self.metric.observe(lambda _: self._render_chart(), names="value")
        self.children = [self.message, w.HBox([self.diff_only]), self.params_table, self.metrics_table,
                         self.metric, self.chart]
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
            page = self.client.run(api.search_runs([exp.experiment_id], order_by=self.run_order(),
                                                   max_results=MAX_RUNS))
            return [r.run_id for r in page.items]
        ids = []
        for item in target:
            rid = getattr(item, "run_id", item)
            if rid is None:
                raise InvalidInput("a run in the list is not created yet (the backend was unreachable)")
            ids.append(str(rid))
        return ids

    def _load(self, target: Union[str, Sequence[Any], None], metrics: Optional[list[str]]) -> None:
        ids = self._run_ids(target)
        if not ids:
            self.say("no runs to compare")
            return
        if len(ids) > MAX_RUNS:
            self.say(f"comparing the first {MAX_RUNS} of {len(ids)} runs")
            ids = ids[:MAX_RUNS]
        api = self.client.api
        self.runs = [self.client.run(api.get_run(rid)) for rid in ids]
        names = [r.run_name or r.run_id[:8] for r in self.runs]
        self.labels = {r.run_id: (n if names.count(n) == 1 else f"{n} ({r.run_id[:6]})")
                       for r, n in zip(self.runs, names)}
        keys = sorted({k for r in self.runs for k in r.params})
        self.rows = []
        for k in keys:
            values = [r.params.get(k, "") for r in self.runs]
            self.rows.append((k, values, len(set(values)) > 1))
        metric_keys = metrics or sorted({k for r in self.runs for k in r.metrics})
        self.metric_keys = metric_keys
        self._render_params()
        self.metrics_table.value = table(
            ["metric (latest)"] + [self._name(r) for r in self.runs],
            [[k] + [fmt_value(r.metrics[k].value) if k in r.metrics else "" for r in self.runs] for k in metric_keys])
        self.metric.options = metric_keys
        if metric_keys:
            self.metric.value = metric_keys[0]
        self._render_chart()

    def _name(self, run: Run) -> str:
        return self.labels.get(run.run_id) or run.run_name or run.run_id[:8]

    def _render_params(self) -> None:
        rows = [r for r in self.rows if r[2] or not self.diff_only.value]
        self.params_table.value = table(["param"] + [self._name(r) for r in self.runs],
                                        [[k] + values for k, values, _ in rows], [d for _, _, d in rows])

    def _points(self, run: Run, key: str) -> list[Metric]:
        cache_key = (run.run_id, key)
        if cache_key not in self._history:
            points, _source = self.client.drive(flows.series_history(self.client.api, run, key))
            self._history[cache_key] = points
        return self._history[cache_key]

    def _render_chart(self) -> None:
        key = self.metric.value
        if not key:
            self.chart.value = ""
            self.series = {}
            return
        try:
            self.series = {self._name(r): [(float(m.step), float(m.value)) for m in self._points(r, key)]
                           for r in self.runs}
        except MlopsError as exc:
            self.say(exc.message, "error")
            return
        self.chart.value = line_chart(list(self.series.items()), title=f"{key} by step")

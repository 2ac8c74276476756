"""``mlops.experiments()``: browse experiments and their runs, select runs, compare or promote them."""

from __future__ import annotations

from typing import Any, Optional

import ipywidgets as w

from ..client import flows
from ..client.models import Experiment, Run
from ._common import Panel, esc, fmt_time, fmt_value, table

RUNS_SHOWN = 200


class ExperimentsBrowser(Panel):
    """Experiments dropdown, runs list (multi-select), details of the selected run, and
    "Compare" / "Promote" actions that open below. ``selected`` is the list of selected run ids."""

    def __init__(self, session: Any = None) -> None:
        super().__init__(session)
        self.filter = w.Text(placeholder="filter experiments by name", layout=w.Layout(width="240px"))
        self.experiment = w.Dropdown(description="Experiment", options=[], layout=w.Layout(width="360px"))
        self.refresh = w.Button(description="Refresh", icon="refresh", tooltip="Reload experiments and runs")
        self.runs = w.SelectMultiple(options=[], rows=10, description="Runs", layout=w.Layout(width="95%"))
        self.details = w.HTML("")
        self.compare_button = w.Button(description="Compare selected", icon="columns", disabled=True)
        self.promote_button = w.Button(
            description="Promote…",
            icon="tag",
            disabled=True,
            tooltip="Promote the first selected run to a model version",
        )
        self.output = w.VBox([])
        self.experiments_list: list[Experiment] = []
        self.runs_list: list[Run] = []
        self.filter.observe(lambda _: self._show_experiments(), names="value")
        self.experiment.observe(lambda _: self.load_runs(), names="value")
        self.runs.observe(lambda _: self._on_select(), names="value")
        self.refresh.on_click(lambda _: self.load())
        self.compare_button.on_click(lambda _: self._open_compare())
        self.promote_button.on_click(lambda _: self._open_promote())
        self.children = [
            w.HBox([self.experiment, self.filter, self.refresh]),
            self.runs,
            w.HBox([self.compare_button, self.promote_button]),
            self.message,
            self.details,
            self.output,
        ]
        self.load()

    @property
    def selected(self) -> list[str]:
        return list(self.runs.value)

    def load(self) -> None:
        api = self.client.api if self.guard(lambda: self.client) is not None else None
        if api is None:
            return
        exps = self.guard(self.client.drive, flows.all_pages(lambda tok: api.search_experiments(page_token=tok)))
        if exps is None:
            return
        self.experiments_list = sorted(exps, key=lambda e: e.name.lower())
        self.say(f"{len(exps)} experiment(s)" if exps else "no experiments yet: start a run with mlops.start_run()")
        self._show_experiments()

    def _show_experiments(self) -> None:
        needle = self.filter.value.strip().lower()
        current = self.experiment.value
        options = [(e.name, e.experiment_id) for e in self.experiments_list if needle in e.name.lower()]
        self.experiment.options = options
        ids = [o[1] for o in options]
        if current in ids:
            self.experiment.value = current
        elif ids:
            preferred = self.session.experiment_id
            self.experiment.value = preferred if preferred in ids else ids[0]
        else:
            self.runs.options = []

    def load_runs(self) -> None:
        exp_id = self.experiment.value
        if not exp_id:
            self.runs.options = []
            return
        api = self.client.api
        page = self.guard(self.client.run, api.search_runs([exp_id], order_by=self.run_order(), max_results=RUNS_SHOWN))
        if page is None:
            return
        self.runs_list = page.items
        self.runs.options = [(self._label(r), r.run_id) for r in page.items]
        self.say(f"{len(page.items)} run(s)" + (" (newest shown)" if page.next_page_token else ""))
        self._on_select()

    @staticmethod
    def _label(r: Run) -> str:
        metrics = ", ".join(f"{k}={fmt_value(m.value)}" for k, m in list(r.metrics.items())[:3])
        return f"{r.run_name or r.run_id[:8]}  [{r.status}]  {fmt_time(r.start_time)}  {metrics}"

    def _on_select(self) -> None:
        sel = self.selected
        self.compare_button.disabled = len(sel) < 1
        self.promote_button.disabled = len(sel) < 1
        if len(sel) != 1:
            self.details.value = ""
            return
        run = next((r for r in self.runs_list if r.run_id == sel[0]), None)
        if run is None:
            return
        rows = [("run id", run.run_id), ("status", run.status), ("started", fmt_time(run.start_time))]
        rows += [(f"param {k}", v) for k, v in sorted(run.params.items())]
        rows += [(f"metric {k}", fmt_value(m.value)) for k, m in sorted(run.metrics.items())]
        rows += [(f"tag {k}", v) for k, v in sorted(run.tags.items()) if not k.startswith("mlflow.log-model")]
        self.details.value = f"<b>{esc(run.run_name or run.run_id)}</b>" + table(["", "value"], rows)

    def _open_compare(self) -> Optional[Any]:
        from .compare import CompareView

        view = CompareView(self.selected, session=self.session)
        self.output.children = [view]
        return view

    def _open_promote(self) -> Optional[Any]:
        from .promote import PromoteForm

        if not self.selected:
            return None
        form = PromoteForm(self.selected[0], session=self.session)
        self.output.children = [form]
        return form

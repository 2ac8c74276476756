"""Runs: the candidates table of an experiment, one run in full, one metric's history for charts.

Handlers parse the query, call :mod:`...views.runs` (and :mod:`...views.run_detail`) and write its answer.
"""

from __future__ import annotations

import functools
from typing import Optional

from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import ensure_async
from tornado import web

from ...views import runs_table as rt
from ...views.driver import run_async
from ...views.run_series import chart_run, sampled_chart
from ...views.run_detail import history_x, metric_chart
from ...views.runs import RunsQuery
from ._common import ViewHandler, experiment_id_arg


class RunsHandler(ViewHandler):
    """GET: one page of runs with only the requested columns; filter/order emulated on GitLab. With ``since``
    (ms): only the runs started or ended since then, or still live (the lists' incremental poll)."""

    @web.authenticated
    @authorized
    async def get(self, backend: str, experiment_id: str) -> None:
        query = RunsQuery(
            experiment_id=experiment_id_arg(experiment_id),
            columns=rt.parse_columns(self.arg("columns")),
            filter=self.arg("filter") or "",
            orders=rt.parse_order_by([o for o in self.get_query_arguments("order_by") if o.strip()]),
            max_results=self.int_arg("max_results", rt.DEFAULT_PAGE_SIZE, 1, rt.MAX_PAGE_SIZE),
            page_token=self.arg("page_token") or None,
            since=self.since_arg(),
            auto_columns=self.arg("auto_columns") in ("1", "true"),
        )
        api = self.registry.client(backend).api
        direct = functools.partial(self.registry.embedded_read, backend)
        self.write_json(await self.caches.runs.page(self.drive, api, backend, query, direct))


class RunHandler(ViewHandler):
    """GET: one run in full: info, params, latest metrics, tags, links, top-level artifacts."""

    @web.authenticated
    @authorized
    async def get(self, backend: str, run_id: str) -> None:
        client = self.registry.client(backend)
        body = await run_async(
            self.caches.runs.detail(client.api, client.backend, run_id, root_dir=self._root_dir()), self.drive
        )
        source = body["links"]["source"]
        if source and source["path"] and not await self._file_exists(source["path"]):
            source["path"] = None
        self.write_json(body)

    def _root_dir(self) -> Optional[str]:
        cm = getattr(self, "contents_manager", None)
        return getattr(cm, "root_dir", None) or self.settings.get("server_root_dir")

    async def _file_exists(self, path: str) -> bool:
        try:
            return bool(await ensure_async(self.contents_manager.file_exists(path)))
        except Exception:  # noqa: BLE001 - a contents manager that cannot tell: do not link
            return False


class MetricHistoryHandler(ViewHandler):
    """GET: one metric's history as ``[[x, y], ...]``, downsampled to at most ``max_points``. MLflow, LTTB: read
    as compare reads a series (sampled where it lives, compare's series cache); else the full history."""

    @web.authenticated
    @authorized
    async def get(self, backend: str, run_id: str, key: str) -> None:
        api = self.registry.client(backend).api
        x, method = self.arg("x") or "step", self.arg("method") or "lttb"
        max_points = self.int_arg("max_points", 500, 2, 10000)
        if method == "lttb" and not api.dialect.is_gitlab:
            x, series = history_x(x), self.caches.series  # a bad x is a 400 before any read
            run = await chart_run(self.drive, api, backend, run_id, series, self.caches.chart_runs)
            plan = sampled_chart(api, backend, run_id, key, series, x=x, max_points=max_points, fetched=run)
        else:
            plan = metric_chart(api, backend, run_id, key, x=x, max_points=max_points, method=method)
        self.write_json(await run_async(plan, self.drive, direct=self.registry.embedded_read))


ROUTES = [
    (r"backends/(?P<backend>[^/]+)/experiments/(?P<experiment_id>[^/]+)/runs", RunsHandler),
    (r"backends/(?P<backend>[^/]+)/runs/(?P<run_id>[^/]+)", RunHandler),
    (r"backends/(?P<backend>[^/]+)/runs/(?P<run_id>[^/]+)/metrics/(?P<key>.+)", MetricHistoryHandler),
]

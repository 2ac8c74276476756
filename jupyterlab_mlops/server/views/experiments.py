"""``backends/{b}/experiments`` (list, name search) and ``.../experiments/{id}/summary`` (counts).

Handlers parse the query, call :mod:`...views.experiment_pages` and write its answer.
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...views.experiment_pages import MAX_SINCE_IDS
from ...views.runs_table import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from ._common import ViewHandler, experiment_id_arg

SUMMARY_BUDGET = 1.5  # seconds a summary request waits for the count


class ExperimentsHandler(ViewHandler):
    """GET: experiments of a backend, with name search and page tokens. With ``since`` (ms) and ``ids``: only the
    experiments changed since then, and which of ``ids`` to recount (the list's incremental poll)."""

    @web.authenticated
    @authorized
    async def get(self, backend: str) -> None:
        api = self.registry.client(backend).api
        max_results = self.int_arg("max_results", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        since = self.since_arg()
        if since is not None:
            ids = [experiment_id_arg(i) for i in (self.arg("ids") or "").split(",") if i.strip()]
            self.write_json(
                await self.caches.experiments.changed(
                    self.drive,
                    api,
                    backend,
                    since=since,
                    search=self.arg("search") or "",
                    ids=ids[:MAX_SINCE_IDS],
                    max_results=max_results,
                    runs_since=self.since_arg("runs_since"),
                )
            )
            return
        self.write_json(
            await self.caches.experiments.page(
                self.drive,
                api,
                backend,
                search=self.arg("search") or "",
                order_by=self.arg("order_by"),
                max_results=max_results,
                page_token=self.arg("page_token") or None,
            )
        )


class ExperimentSummaryHandler(ViewHandler):
    """GET: one experiment with its summary (run count, last activity, creator)."""

    @web.authenticated
    @authorized
    async def get(self, backend: str, experiment_id: str) -> None:
        api = self.registry.client(backend).api
        self.write_json(
            await self.caches.experiments.summary(
                self.drive,
                api,
                backend,
                experiment_id_arg(experiment_id),
                refresh=self.bool_arg("refresh"),
                budget=SUMMARY_BUDGET,
            )
        )


ROUTES = [
    (r"backends/(?P<backend>[^/]+)/experiments", ExperimentsHandler),
    (r"backends/(?P<backend>[^/]+)/experiments/(?P<experiment_id>[^/]+)/summary", ExperimentSummaryHandler),
]

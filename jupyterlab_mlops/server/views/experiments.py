"""``backends/{b}/experiments`` (list, name search) and ``.../experiments/{id}/summary`` (counts).

Counting runs is lazy (MLflow has no count API; see ``client/experiments_view.py``): the first
summary request waits at most ``SUMMARY_BUDGET`` seconds for the counting flow, then answers a
lower bound while the flow finishes in the background; later requests answer at once with the
progress so far. Results are cached per backend/experiment for 5 minutes.
"""
from __future__ import annotations

import asyncio
import time
from typing import Any, Optional

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...client import experiments_view as ev
from ...client import filters
from ...client.errors import NotFound, Unauthorized
from ...client.models import Experiment
from ...client.runs_view import TOKEN_PREFIX, backend_token, decode_token, encode_token, fingerprint
from ..transport import AsyncClient
from ._common import ViewHandler, background, experiment_id_arg, failed

SUMMARY_BUDGET = 1.5  # seconds a summary request waits for the count
COUNTING_PER_BACKEND = 2  # concurrent counting flows per backend


def _cached_summary(caches: Any, backend: str, experiment_id: str) -> Optional[dict[str, Any]]:
    entry = caches.summaries.get((backend, experiment_id))
    if entry is None:
        return None
    progress, task = entry
    return None if failed(task) else progress.to_json()


class ExperimentsHandler(ViewHandler):
    """GET: experiments of a backend, with name search and page tokens."""

    @web.authenticated
    @authorized
    async def get(self, backend: str) -> None:
        client = self.registry.client(backend)
        api = client.api
        search = self.arg("search") or ""
        max_results = self.int_arg("max_results", 100, 1, 1000)
        token = self.arg("page_token") or None
        order = ev.parse_order(self.arg("order_by"), api.dialect)
        gitlab = api.dialect.is_gitlab
        emulated = bool(search) and gitlab
        read_only = False
        if not emulated and gitlab and token and token.startswith(TOKEN_PREFIX):
            emulated = True  # a later page of a read-only listing (our token, not GitLab's)
        if not emulated:
            try:
                page = await client.run(api.search_experiments(
                    max_results=max_results, page_token=backend_token(token), order_by=order,
                    name_contains=search or None))
                exps, nxt = page.items, page.next_page_token
            except Unauthorized:
                if not gitlab:
                    raise
                emulated = True  # read-only token: GET experiments/list (C17)
        if emulated:
            exps, nxt, read_only = await self._gitlab_search(client, backend, search, order, max_results, token)
        rows = [ev.experiment_row(e, _cached_summary(self.caches, backend, e.experiment_id)) for e in exps]
        reason = None
        if read_only:
            reason = ev.READ_ONLY_LISTING
        elif emulated:
            reason = "GitLab's experiments/search ignores filters; all experiments were read and matched by name here"
        self.write_json({
            "backend": backend, "experiments": rows, "next_page_token": nxt,
            "emulated": {"search": emulated, "read_only": read_only, "reason": reason},
        })

    async def _gitlab_search(self, client: AsyncClient, backend: str, search: str, order: list[str],
                             max_results: int, token: Optional[str]
                             ) -> tuple[list[Experiment], Optional[str], bool]:
        """Every experiment read once (cached briefly), matched by name, paged with our tokens."""
        query = fingerprint(backend, "experiments", search.lower(), order)
        offset = decode_token(token, query)
        key = (backend, "experiments:" + order[0])
        task = self.caches.experiment_lists.get(key, max_age=None if token else 5.0)
        if task is None or failed(task):
            task = self.caches.experiment_lists.put(
                key, background(client.drive(ev.all_experiments(client.api, order))))
        everything, read_only = await asyncio.shield(task)
        found = [e for e in everything if not search or filters.matches(e.name, search)]
        end = offset + max_results
        return found[offset:end], (encode_token(end, query) if end < len(found) else None), read_only


class ExperimentSummaryHandler(ViewHandler):
    """GET: one experiment with its summary (run count, last activity, creator)."""

    @web.authenticated
    @authorized
    async def get(self, backend: str, experiment_id: str) -> None:
        client = self.registry.client(backend)
        exp: Experiment = await client.run(client.api.get_experiment(experiment_id_arg(experiment_id)))
        if exp.lifecycle_stage == "deleted":
            raise NotFound(f"Experiment {experiment_id} was deleted.", reason="deleted")
        key = (backend, experiment_id)
        entry = None if self.bool_arg("refresh") else self.caches.summaries.get(key)
        if entry is not None and failed(entry[1]):
            entry = None
        if entry is None:
            progress = ev.Progress()
            task = background(self._count(client, backend, exp, progress))
            entry = self.caches.summaries.put(key, (progress, task))
        progress, task = entry
        waited = time.time() - progress.started  # later calls answer at once with the progress so far
        done, _ = await asyncio.wait([task], timeout=max(SUMMARY_BUDGET - waited, 0.0))
        if done:
            task.result()  # raises the backend's error (mapped by the base handler)
        self.write_json(ev.experiment_row(exp, progress.to_json()))

    async def _count(self, client: AsyncClient, backend: str, exp: Experiment, progress: ev.Progress) -> Any:
        sem = self.caches.counting.setdefault(backend, asyncio.Semaphore(COUNTING_PER_BACKEND))
        async with sem:
            try:
                return await client.drive(ev.summary(client.api, exp, progress))
            except Unauthorized as exc:
                raise ev.runs_refused(exc, client.api.dialect) from None


ROUTES = [
    (r"backends/(?P<backend>[^/]+)/experiments", ExperimentsHandler),
    (r"backends/(?P<backend>[^/]+)/experiments/(?P<experiment_id>[^/]+)/summary", ExperimentSummaryHandler),
]

"""The candidates table of an experiment, a page at a time (one run in full and one metric's chart are
:mod:`.run_detail`'s). Columns, order, filter and page tokens are :mod:`.runs_table`'s.

MLflow filters, orders and pages on its server: a page is one ``runs/search``. GitLab does none of
that beyond creation/name order, so a filtered or otherwise ordered page reads every run of the
experiment once (a background task shared by concurrent readers, kept a few minutes), filters and
sorts them here and pages the list with our own tokens (``total`` is then known). The incremental poll
(``since``: only the runs that changed) is :mod:`.run_changes`'s.
"""

from __future__ import annotations


import asyncio
import functools
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Optional

from ..client.api import Api
from ..client.backend import Backend
from ..client.errors import Unauthorized
from ..client.flows import one
from ..client.models import Page, Run
from . import logged_models, run_changes, users
from . import runs_table as rt
from .cache import TtlLru
from .driver import AsyncDrive, Plan, background, failed
from .experiments import runs_refused, token_offset
from .metric_sort import MetricSamples
from .run_detail import live_run, run_detail

if TYPE_CHECKING:
    from .wire.runs import RunDetail, RunsPage

#: a first page re-reads a GitLab run list older than this (later pages keep the list they started on)
FIRST_PAGE_MAX_AGE = 5.0
Seen = dict[str, set[str]]
#: ``await direct(fn)``: ``fn(store)`` on the embedded backend's SQLite file, or None (take the REST path)
DirectRead = Callable[[Callable[[Any], Any]], Awaitable[Any]]


@dataclass
class RunsQuery:
    """One page of the candidates table as asked (see :func:`.runs_table.parse_columns` and ``parse_order_by``)."""

    experiment_id: str
    columns: list[tuple[str, str]] = field(default_factory=list)
    filter: str = ""
    orders: list[rt.Order] = field(default_factory=list)
    max_results: int = rt.DEFAULT_PAGE_SIZE
    page_token: Optional[str] = None
    #: the incremental poll: only runs started or ended at or after this time (ms), or still live
    since: Optional[int] = None
    #: choose the columns when the experiment has none of the asked ones (:func:`.runs_table.settle_columns`);
    #: the answer's ``columns`` says which, so a table opened without columns needs one request, not two
    auto_columns: bool = False

    def native_order(self, api: Api) -> Optional[list[str]]:
        """The backend's own ``order_by`` when it can serve this query, else None (emulated here)."""
        if not api.dialect.is_gitlab:
            return [o.mlflow() for o in self.orders]
        order = None if self.filter else rt.gitlab_order(self.orders)
        return None if order is None else [order]


class RunViews:
    """The run routes of one server, with their bounded, expiring caches."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        #: (backend, query fingerprint) -> Task giving the materialized, filtered, ordered run list
        self.run_lists: TtlLru[tuple[str, str], Any] = TtlLru(4, 300.0, clock)
        #: (backend, experiment) -> {"params": set, "metrics": set, "tags": set}
        self.columns: TtlLru[tuple[str, str], Seen] = TtlLru(256, 300.0, clock)
        #: (backend, run) -> artifact_uri
        self.artifact_uris: TtlLru[tuple[str, str], Optional[str]] = TtlLru(4096, 600.0, clock)
        #: metric values of runs seen in unfiltered pages (a metric sort's pruning, :mod:`.metric_sort`)
        self.samples = MetricSamples(clock)
        #: (backend, experiment) -> its run count when known (:class:`.experiment_pages.ExperimentViews`)
        self.run_count: Callable[[str, str], Optional[int]] = lambda backend, experiment_id: None

    # -- the candidates table -------------------------------------------------------------------
    async def page(
        self, drive: AsyncDrive, api: Api, backend: str, q: RunsQuery, direct: Optional[DirectRead] = None
    ) -> RunsPage:
        """One page: the standard attributes plus only the requested columns, and every column seen.

        ``direct``: the embedded store's read path (the page from its SQLite file), when there is one."""
        native = q.native_order(api)
        try:
            runs, nxt, total, page_keys = await self._select(drive, api, backend, q, native, direct)
        except Unauthorized as exc:
            raise runs_refused(exc, api.dialect) from None
        seen = self.columns.get((backend, q.experiment_id)) or {"params": set(), "metrics": set(), "tags": set()}
        for kind, keys in (page_keys or rt.keys_seen(runs)).items():
            seen[kind] |= keys
        self.columns.put((backend, q.experiment_id), seen)
        if q.auto_columns and (chosen := rt.settle_columns(q.columns, seen)) != q.columns:
            q = replace(q, columns=chosen)
            if page_keys is not None:  # the embedded store read only the asked columns: read the chosen ones
                runs, nxt, total, _ = await self._select(drive, api, backend, q, native, direct)
        emulated = native is None
        rows = [rt.project(r, q.columns) for r in runs]  # + user_name: GitLab's user ids by name (C11)
        users.annotate(rows, await drive(backend, users.user_names(api, (r.user_id for r in runs))))
        return {
            "experiment_id": q.experiment_id,
            "runs": rows,
            "columns": [f"{kind}.{key}" for kind, key in q.columns],
            "available_columns": {k: sorted(v) for k, v in seen.items()},
            "next_page_token": nxt,
            "total": total,
            "emulated": {
                "filter": emulated and bool(q.filter),
                "order": emulated and bool(q.orders),
                "reason": rt.emulation_reason(bool(q.filter), bool(q.orders)) if emulated else None,
            },
            "order_note": rt.GITLAB_UPLOAD_ORDER if native and native[0].startswith("created_at") else None,
        }

    async def _select(
        self,
        drive: AsyncDrive,
        api: Api,
        backend: str,
        q: RunsQuery,
        native: Optional[list[str]],
        direct: Optional[DirectRead],
    ) -> tuple[list[Run], Optional[str], Optional[int], Optional[Seen]]:
        """The runs of ``q``: changed ones (``since``), a page of the backend's own search, or an emulated page;
        with the next token, the total when known, and the page's keys when only ``q``'s columns were read."""
        if q.since is not None:
            listed = functools.partial(self.run_list, drive, api, backend, q, max_age=FIRST_PAGE_MAX_AGE)

            async def newest(text: str) -> tuple[list[Run], Optional[str], Optional[Seen]]:
                order = ["attributes.start_time DESC"]
                return await self._search(drive, api, backend, q, text, order, q.max_results, None, direct)

            runs, keys = await run_changes.changed_runs(api, q, q.since, listed, newest)
            return runs, None, None, keys
        if native is not None:
            return await self._native(drive, api, backend, q, native, direct)
        runs, nxt, total = await self._emulated(drive, api, backend, q)
        return runs, nxt, total, None

    async def _native(
        self, drive: AsyncDrive, api: Api, backend: str, q: RunsQuery, order: list[str], direct: Optional[DirectRead]
    ) -> tuple[list[Run], Optional[str], Optional[int], Optional[Seen]]:
        items, nxt, keys = await self._search(
            drive, api, backend, q, q.filter, order, q.max_results, rt.backend_token(q.page_token), direct
        )
        if not items and not q.page_token:
            await drive(backend, one(api.get_experiment(q.experiment_id)))  # MLflow answers {} for an unknown id
        return items, nxt, None, keys

    async def _search(
        self,
        drive: AsyncDrive,
        api: Api,
        backend: str,
        q: RunsQuery,
        filter_string: str,
        order: list[str],
        max_results: int,
        token: Optional[str],
        direct: Optional[DirectRead],
    ) -> tuple[list[Run], Optional[str], Optional[Seen]]:
        """One page of MLflow's ``runs/search`` of ``q``'s experiment: from the embedded store's file when it can
        answer (only ``q``'s columns read; the page's keys with it), else REST (keys: None, the runs have all);
        there a metric sort's page is first asked pruned (:mod:`.metric_sort`), and unfiltered pages in
        attribute order are kept as the experiment's sample for that."""
        got = direct and await direct(
            lambda store: store.search_runs(
                q.experiment_id,
                filter_string=filter_string,
                order_by=order,
                max_results=max_results,
                page_token=token,
                columns=q.columns,
            )
        )
        if got:  # the same runs, order and tokens as runs/search, with only the shown columns read
            return got.items, got.next_page_token, got.keys

        def search(text: Optional[str]) -> Awaitable[Page[Run]]:
            flow = api.search_runs(
                [q.experiment_id], filter=text, order_by=order or None, max_results=max_results, page_token=token
            )
            return drive(backend, one(flow))

        offset = 0 if token is None else token_offset(token)
        if q.orders and not filter_string and offset is not None and not api.dialect.is_gitlab:
            count = self.run_count(backend, q.experiment_id)
            pruned = self.samples.prune(backend, q.experiment_id, q.orders[0], offset, max_results, count)
            if pruned is not None:
                page = await search(pruned.filter)
                if pruned.proves(page, offset, max_results):
                    return page.items, page.next_page_token, None
        page = await search(filter_string or None)
        if not filter_string and all(o.kind == "attributes" for o in q.orders) and not api.dialect.is_gitlab:
            self.samples.observe(backend, q.experiment_id, page.items)
        return page.items, page.next_page_token, None

    async def _emulated(
        self, drive: AsyncDrive, api: Api, backend: str, q: RunsQuery
    ) -> tuple[list[Run], Optional[str], Optional[int]]:
        query = rt.fingerprint(backend, q.experiment_id, q.filter, [o.mlflow() for o in q.orders])
        offset = rt.decode_token(q.page_token, query)
        matching = await self.run_list(drive, api, backend, q, max_age=None if q.page_token else FIRST_PAGE_MAX_AGE)
        end = offset + q.max_results
        return matching[offset:end], (rt.encode_token(end, query) if end < len(matching) else None), len(matching)

    async def run_list(
        self, drive: AsyncDrive, api: Api, backend: str, q: RunsQuery, *, max_age: Optional[float]
    ) -> list[Run]:
        """Every run of the query, filtered and sorted here (a task shared by concurrent readers, kept a few
        minutes; read again when older than ``max_age``)."""
        query = rt.fingerprint(backend, q.experiment_id, q.filter, [o.mlflow() for o in q.orders])
        if q.filter:  # a bad filter is a 400 before any backend page is read (first use imports mlflow)
            await asyncio.get_running_loop().run_in_executor(None, rt.check_filter, q.filter)
        key = (backend, query)
        task = self.run_lists.get(key, max_age=max_age)
        if task is None or failed(task):
            task = self.run_lists.put(key, background(self.materialize(drive, api, backend, q)))
        return await asyncio.shield(task)

    async def materialize(self, drive: AsyncDrive, api: Api, backend: str, q: RunsQuery) -> list[Run]:
        """Every run of the experiment, filtered (MLflow's parser, in the executor) and sorted here."""
        runs: list[Run] = await drive(backend, rt.all_runs(api, q.experiment_id))
        self.columns.put((backend, q.experiment_id), rt.keys_seen(runs))
        if q.filter:
            runs = await asyncio.get_running_loop().run_in_executor(None, rt.filter_runs, runs, q.filter)
        return rt.sort_runs(runs, q.orders)

    # -- one run ------------------------------------------------------------------------------------
    async def artifact_uri(self, drive: AsyncDrive, api: Api, backend: str, run_id: str) -> Optional[str]:
        """The run's artifact URI (cached 10 minutes; an unknown or deleted run is a 404). ``m-<id>``: a logged
        model's (:mod:`.logged_models`)."""
        key = (backend, run_id)
        uri = self.artifact_uris.get(key)
        if uri is None and logged_models.is_model_id(run_id):
            uri = self.artifact_uris.put(key, await drive(backend, logged_models.model_artifact_uri(api, run_id)))
        elif uri is None:
            uri = self.artifact_uris.put(key, (await drive(backend, live_run(api, run_id))).artifact_uri)
        return uri

    def detail(self, api: Api, backend: Backend, run_id: str, *, root_dir: Optional[str]) -> Plan[RunDetail]:
        """:func:`run_detail`, remembering the run's artifact URI for the artifact routes."""
        body = yield from run_detail(api, backend, run_id, root_dir=root_dir)
        self.artifact_uris.put((backend.name, run_id), body["info"]["artifact_uri"])
        return body

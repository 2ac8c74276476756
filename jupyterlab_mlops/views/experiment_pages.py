"""The experiment routes' views: a page of the experiments list (name search) and one experiment's summary.

Rows, order and the counting flow are :mod:`.experiments`'s. GitLab ignores filters on
``experiments/search`` (and a read-only token may not POST it at all): then every experiment is read
once (a background task, kept a minute), matched by name and paged here with our own tokens.
Counting runs is lazy (MLflow has no count API): the first summary request waits at most ``budget``
seconds for the counting flow, then answers a lower bound while the flow finishes in the background;
later requests answer at once with the progress so far. On GitLab the count comes from its GraphQL API in one
request and the runs seen are kept and brought up to date (:mod:`.gitlab_counts`); where GraphQL fails (404,
401/403, an error body), the experiment is counted by paging, with one log line, and GraphQL is tried again
after ``GRAPHQL_RETRY`` seconds. A finished count is used for at most
``COUNT_MAX_AGE`` seconds (the sidebar's default refresh interval), and dropped at once when a kernel's
event or a poll (:meth:`ExperimentViews.changed`) says the experiment's runs changed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any, Optional

from ..client import filters
from ..client.api import Api
from ..client.errors import NotFound, Unauthorized
from ..client.flows import one
from ..client.gitlab_graphql import GraphqlError
from ..client.redact import redactor
from ..client.models import Experiment, Run
from . import experiments as ev
from . import gitlab_counts as gc
from .cache import TtlLru
from .driver import AsyncDrive, background, failed
from .runs_table import TOKEN_PREFIX, backend_token, decode_token, encode_token, fingerprint

if TYPE_CHECKING:
    from .wire.runs import ExperimentRow, ExperimentsPage, ExperimentSummary

COUNTING_PER_BACKEND = 2  # concurrent counting flows per backend
COUNT_MAX_AGE = 10.0  # seconds a finished run count is used (a count in progress is shared until done)
MAX_SINCE_IDS = 100  # experiments whose run activity one poll checks
CLOCK_SKEW_MS = 60_000  # how far behind the server's clock a writer's may be (run activity vs. a count's time)
GRAPHQL_RETRY = 600.0  # seconds a GitLab whose GraphQL failed is counted by paging before GraphQL is tried again
LOG = logging.getLogger(__name__)
SEARCH_EMULATED = "GitLab's experiments/search ignores filters; all experiments were read and matched by name here"


class ExperimentViews:
    """The experiment routes of one server, with their bounded, expiring caches."""

    def __init__(self) -> None:
        #: (backend, experiment) -> (Progress, Task) of the run-count flow
        self.summaries: TtlLru[tuple[str, str], Any] = TtlLru(512, 300.0)
        #: (backend, "experiments:<order>") -> Task giving every experiment (GitLab name search)
        self.lists: TtlLru[tuple[str, str], Any] = TtlLru(8, 60.0)
        #: backend -> semaphore limiting concurrent counting flows
        self.counting: dict[str, asyncio.Semaphore] = {}
        #: (backend, experiment) -> its runs as last read (GitLab: brought up to date instead of read again)
        self.seen_runs: TtlLru[tuple[str, str], gc.SeenRuns] = TtlLru(128, 3600.0)
        #: GitLab backends whose GraphQL API failed: counted by paging for a while
        self.graphql_off: TtlLru[str, str] = TtlLru(64, GRAPHQL_RETRY)

    def cached_summary(self, backend: str, experiment_id: str) -> Optional[ExperimentSummary]:
        entry = self.summaries.get((backend, experiment_id))
        if entry is None:
            return None
        progress, task = entry
        return None if failed(task) or _stale(entry) else progress.to_json()

    def known_count(self, backend: str, experiment_id: str) -> Optional[int]:
        """The experiment's run count as last counted to the end, of any age, if any (not a lower bound)."""
        entry = self.summaries.get((backend, experiment_id))
        return entry[0].run_count if entry is not None and entry[0].exact else None

    def forget(self, backend: str, experiment_id: str) -> None:
        """Drop a cached count (the experiment's runs changed): the next summary counts again."""
        self.summaries.pop((backend, experiment_id))

    async def changed(
        self,
        drive: AsyncDrive,
        api: Api,
        backend: str,
        *,
        since: int,
        search: str,
        ids: list[str],
        max_results: int,
        runs_since: Optional[int] = None,
    ) -> ExperimentsPage:
        """The incremental poll: experiments created or updated at or after ``since`` (ms, the newest time
        the caller saw: ``>=``, so one of the same millisecond is never lost; the caller merges by id), and
        ``recount``: those of ``ids`` whose runs started or ended at or after ``runs_since`` (default ``since``;
        run times come from the writers' clocks, experiment times from the backend's), their counts dropped."""
        if api.dialect.is_gitlab:  # no filters, no times on GitLab's entity: every experiment, matched here
            exps, _, read_only = await self._matched(drive, api, backend, search, ["created_at DESC"], 10**6, None)
            known = set(ids)
            found = [e for e in exps if _time(e) >= since or (not _time(e) and e.experiment_id not in known)]
            recount: list[str] = []
        else:
            read_only = False
            page = await drive(
                backend,
                one(
                    api.search_experiments(
                        max_results=max_results,
                        filter=f"last_update_time >= {int(since)}",
                        order_by=["last_update_time DESC"],
                        name_contains=search or None,
                    )
                ),
            )
            found = page.items
            runs_from = since if runs_since is None else runs_since
            recount = await self._run_activity(drive, api, backend, ids[:MAX_SINCE_IDS], runs_from)
        for experiment_id in recount:
            self.forget(backend, experiment_id)
        rows = [ev.experiment_row(e, self.cached_summary(backend, e.experiment_id)) for e in found[:max_results]]
        return {
            "backend": backend,
            "experiments": rows,
            "next_page_token": None,
            "emulated": {"search": api.dialect.is_gitlab and bool(search), "read_only": read_only, "reason": None},
            "recount": recount,
        }

    async def _run_activity(self, drive: AsyncDrive, api: Api, backend: str, ids: list[str], since: int) -> list[str]:
        """Which of ``ids`` have a run that started or ended at or after ``since`` (two small searches) that their
        cached summary has not counted yet: the ``>=`` finds the newest counted run again on every poll, and
        recounting for it would cost a count per poll of an idle list."""
        if not ids:
            return []
        changed: set[str] = set()
        for column in ("start_time", "end_time"):
            page = await drive(
                backend,
                one(api.search_runs(ids, filter=f"attributes.{column} >= {int(since)}", max_results=1000)),
            )
            changed.update(r.experiment_id for r in page.items if r.experiment_id and self._news(backend, r))
        return [i for i in ids if i in changed]

    def _news(self, backend: str, run: Run) -> bool:
        """Whether ``run`` is activity its experiment's cached summary has not seen (no summary: it is): newer
        than the summary's last activity (or as new, another run), and not before the summary was computed (an
        older run that ended late stays older than the newest run's activity; ``CLOCK_SKEW_MS`` for writers'
        clocks behind the server's). A count still under way is news only for what came after it began: a list
        polled while its counts wait their turn would otherwise restart them."""
        entry = self.summaries.get((backend, run.experiment_id or ""))  # a count older than COUNT_MAX_AGE too
        if entry is None or failed(entry[1]):
            return True
        known = entry[0].to_json()
        activity = max(t for t in (run.start_time, run.end_time, 0) if t is not None)
        after_start = activity > known["computed_at"] - CLOCK_SKEW_MS
        if not entry[1].done():  # a count under way (or waiting its turn) sees what happened before it began
            return after_start
        last = known["last_activity"]
        if last is None:
            return True
        newer = activity > last or (activity == last and run.run_id != known["last_run_id"])
        return newer and after_start

    async def page(
        self,
        drive: AsyncDrive,
        api: Api,
        backend: str,
        *,
        search: str,
        order_by: Optional[str],
        max_results: int,
        page_token: Optional[str],
    ) -> ExperimentsPage:
        """Experiments of a backend, with name search and page tokens."""
        order = ev.parse_order(order_by, api.dialect)
        gitlab = api.dialect.is_gitlab
        emulated = bool(search) and gitlab
        read_only = False
        if not emulated and gitlab and page_token and page_token.startswith(TOKEN_PREFIX):
            emulated = True  # a later page of a read-only listing (our token, not GitLab's)
        if not emulated:
            try:
                page = await drive(
                    backend,
                    one(
                        api.search_experiments(
                            max_results=max_results,
                            page_token=backend_token(page_token),
                            order_by=order,
                            name_contains=search or None,
                        )
                    ),
                )
                exps, nxt = page.items, page.next_page_token
            except Unauthorized:
                if not gitlab:
                    raise
                emulated = True  # read-only token: GET experiments/list (C17)
        if emulated:
            exps, nxt, read_only = await self._matched(drive, api, backend, search, order, max_results, page_token)
        rows = [ev.experiment_row(e, self.cached_summary(backend, e.experiment_id)) for e in exps]
        reason = ev.READ_ONLY_LISTING if read_only else SEARCH_EMULATED if emulated else None
        return {
            "backend": backend,
            "experiments": rows,
            "next_page_token": nxt,
            "emulated": {"search": emulated, "read_only": read_only, "reason": reason},
        }

    async def _matched(
        self,
        drive: AsyncDrive,
        api: Api,
        backend: str,
        search: str,
        order: list[str],
        max_results: int,
        token: Optional[str],
    ) -> tuple[list[Experiment], Optional[str], bool]:
        """Every experiment read once (cached briefly), matched by name, paged with our tokens."""
        query = fingerprint(backend, "experiments", search.lower(), order)
        offset = decode_token(token, query)
        key = (backend, "experiments:" + order[0])
        task = self.lists.get(key, max_age=None if token else 5.0)
        if task is None or failed(task):
            task = self.lists.put(key, background(drive(backend, ev.all_experiments(api, order))))
        everything, read_only = await asyncio.shield(task)
        found = [e for e in everything if not search or filters.matches(e.name, search)]
        end = offset + max_results
        return found[offset:end], (encode_token(end, query) if end < len(found) else None), read_only

    async def summary(
        self, drive: AsyncDrive, api: Api, backend: str, experiment_id: str, *, refresh: bool, budget: float
    ) -> ExperimentRow:
        """One experiment's row with its summary (run count, last activity, creator), waiting at most
        ``budget`` seconds for a count that is not known yet."""
        exp: Experiment = await drive(backend, one(api.get_experiment(experiment_id)))
        if exp.lifecycle_stage == "deleted":
            raise NotFound(f"Experiment {experiment_id} was deleted.", reason="deleted")
        key = (backend, experiment_id)
        entry = None if refresh else self.summaries.get(key)
        if entry is not None and (failed(entry[1]) or _stale(entry)):
            entry = None
        if entry is None:
            progress = ev.Progress()
            entry = self.summaries.put(key, (progress, background(self._count(drive, api, backend, exp, progress))))
        progress, task = entry
        waited = time.time() - progress.started  # later calls answer at once with the progress so far
        done, _ = await asyncio.wait([task], timeout=max(budget - waited, 0.0))
        if done:
            task.result()  # raises the backend's error
        return ev.experiment_row(exp, progress.to_json())

    async def _count(self, drive: AsyncDrive, api: Api, backend: str, exp: Experiment, progress: ev.Progress) -> Any:
        sem = self.counting.setdefault(backend, asyncio.Semaphore(COUNTING_PER_BACKEND))
        async with sem:
            if api.dialect.is_gitlab and not self.graphql_off.get(backend):
                seen = self.seen_runs.get((backend, exp.experiment_id)) or gc.SeenRuns()
                try:
                    result = await drive(backend, gc.graphql_summary(api, exp, progress, seen))
                    self.seen_runs.put((backend, exp.experiment_id), seen)
                    return result
                except GraphqlError as exc:
                    if exc.reason != "not_listed":
                        self.graphql_off.put(backend, exc.reason or "graphql_error")
                    why = redactor(()).text(str(exc))  # GitLab's words, token shapes scrubbed (never the token)
                    LOG.warning(
                        "Backend %r: run counts of experiment %s by paging runs (%s)", backend, exp.experiment_id, why
                    )
                    progress.restart()
            try:
                return await drive(backend, ev.summary(api, exp, progress))
            except Unauthorized as exc:
                raise ev.runs_refused(exc, api.dialect) from None


def _stale(entry: Any) -> bool:
    """A finished count older than ``COUNT_MAX_AGE`` (one still counting is shared until it is done)."""
    progress, task = entry
    return task.done() and time.time() - progress.started > COUNT_MAX_AGE


def _time(exp: Experiment) -> int:
    return max(exp.creation_time or 0, exp.last_update_time or 0)

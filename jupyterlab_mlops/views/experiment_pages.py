"""The experiment routes' views: a page of the experiments list (name search) and one experiment's summary.

Rows, order and the counting flow are :mod:`.experiments`'s. GitLab ignores filters on
``experiments/search`` (and a read-only token may not POST it at all): then every experiment is read
once (a background task, kept a minute), matched by name and paged here with our own tokens.
Counting runs is lazy (MLflow has no count API): the first summary request waits at most ``budget``
seconds for the counting flow, then answers a lower bound while the flow finishes in the background;
later requests answer at once with the progress so far. Summaries are kept 5 minutes.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any, Optional

from ..client import filters
from ..client.api import Api
from ..client.errors import NotFound, Unauthorized
from ..client.flows import one
from ..client.models import Experiment
from . import experiments as ev
from .cache import TtlLru
from .driver import AsyncDrive, background, failed
from .runs_table import TOKEN_PREFIX, backend_token, decode_token, encode_token, fingerprint

if TYPE_CHECKING:
    from .wire.runs import ExperimentRow, ExperimentsPage, ExperimentSummary

COUNTING_PER_BACKEND = 2  # concurrent counting flows per backend
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

    def cached_summary(self, backend: str, experiment_id: str) -> Optional[ExperimentSummary]:
        entry = self.summaries.get((backend, experiment_id))
        if entry is None:
            return None
        progress, task = entry
        return None if failed(task) else progress.to_json()

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
        if entry is not None and failed(entry[1]):
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
            try:
                return await drive(backend, ev.summary(api, exp, progress))
            except Unauthorized as exc:
                raise ev.runs_refused(exc, api.dialect) from None

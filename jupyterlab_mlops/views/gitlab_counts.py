"""An experiment's summary on GitLab without paging through every run each time.

GitLab's GraphQL gives the run count in one request (``mlExperiments { candidateCount }``; runs are hard-deleted,
so deleted ones are not counted). The newest run and last activity still need the runs: GitLab orders runs only
by upload time (C10), and neither ``updatedAt`` of the experiment (a new candidate does not touch it: the model
has no ``touch``) nor GraphQL's candidates (no start or end times) tell the run that started last. So the runs
of an experiment are kept between summaries (:class:`SeenRuns`, a few facts per run) and brought up to date
cheaply: the runs uploaded since (``runs/search`` by ``created_at DESC``, pages sized by the count, stopping at
the first run already seen), the runs that were still running re-read (``runs/get``), and a full re-read only
when the count says runs were deleted. The answer is the one of :func:`fold` over every run, which the paging
path of :mod:`.experiments` computes too, so both paths answer the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from ..client.api import Api
from ..client.errors import BackendError, InvalidInput, NotFound, Unauthorized
from ..client.flows import all_pages
from ..client.gitlab_graphql import GraphqlError, experiment_stats
from ..client.models import Experiment, Page, Run

if TYPE_CHECKING:
    from .experiments import Progress

MAX_REREAD = 10  # running runs re-read one by one; with more, every run is read again
NEWEST_FIRST = ["created_at DESC"]


@dataclass(frozen=True)
class RunFacts:
    """What a summary needs of one run."""

    run_id: str
    start_time: Optional[int]
    end_time: Optional[int]
    user: Optional[str]
    settled: bool  # finished, failed or killed: its times no longer change

    @classmethod
    def of(cls, run: Run) -> "RunFacts":
        return cls(
            run.run_id,
            run.start_time,
            run.end_time,
            run.user_id or run.tags.get("mlflow.user") or None,
            run.status not in ("RUNNING", "SCHEDULED"),
        )


@dataclass
class SeenRuns:
    """An experiment's runs as last read, newest upload first."""

    runs: list[RunFacts] = field(default_factory=list)


def fold(progress: Progress, runs: list[RunFacts], oldest: list[Optional[int]]) -> None:
    """Newest run (latest start; the first seen wins a tie), last activity (latest start or end) and creator
    (the user of the earliest start) over ``runs`` in upload order, newest first, page by page."""
    for r in runs:
        start = r.start_time or 0
        if progress.last_run_id is None or start > (progress.last_start or 0):
            progress.last_run_id, progress.last_start = r.run_id, start
        times = [t for t in (r.start_time, r.end_time, progress.last_activity) if t]
        progress.last_activity = max(times) if times else progress.last_activity
        if r.start_time and (oldest[0] is None or r.start_time < oldest[0]):
            oldest[0] = r.start_time
            progress.creator = r.user or progress.creator


def summarize(progress: Progress, exp: Experiment, runs: list[RunFacts]) -> None:
    """The summary of every run of ``exp`` (newest upload first), as the paging path computes it."""
    progress.run_count, progress.exact = len(runs), True
    progress.last_activity, progress.last_run_id, progress.last_start = exp.last_update_time, None, None
    if not runs:
        return
    newest = runs[0]
    progress.last_run_id, progress.last_start = newest.run_id, newest.start_time
    progress.creator = runs[-1].user
    fold(progress, runs, [None])


def _search(api: Api, experiment_id: str, size: int, token: Optional[str]) -> Any:
    return api.search_runs([experiment_id], max_results=size, page_token=token, order_by=NEWEST_FIRST)


def current_runs(api: Api, experiment_id: str, count: int, known: list[RunFacts]) -> Any:
    """Flow: every run now (newest upload first), from ``known`` and what changed since, given the ``count``."""
    known_ids = {r.run_id for r in known}
    fresh: list[RunFacts] = []
    token: Optional[str] = None
    while known:
        size = min(api.dialect.max_page, max(count - len(known) - len(fresh), 0) + 1)
        page: Page[Run] = yield _search(api, experiment_id, size, token)
        hit = next((i for i, r in enumerate(page.items) if r.run_id in known_ids), None)
        fresh.extend(RunFacts.of(r) for r in page.items[:hit])
        if hit is None and (not page.next_page_token or not page.items):
            return fresh  # read to the end: complete
        if hit is not None:
            unsettled = [r.run_id for r in known if not r.settled]
            if len(unsettled) > MAX_REREAD:
                break  # too many running runs: read them all
            now: dict[str, Optional[RunFacts]] = {}
            for run_id in unsettled:
                try:
                    now[run_id] = RunFacts.of((yield api.get_run(run_id)))
                except NotFound:
                    now[run_id] = None
            runs = [now[r.run_id] if r.run_id in now else r for r in fresh + known]
            current = [r for r in runs if r is not None]
            if len(current) == count:
                return current
            break  # runs were deleted: read them all
        token = page.next_page_token
    everything: list[Run] = yield from all_pages(lambda tok: _search(api, experiment_id, api.dialect.max_page, tok))
    return [RunFacts.of(r) for r in everything]


def graphql_summary(api: Api, exp: Experiment, progress: Progress, seen: SeenRuns) -> Any:
    """Flow: the summary with the count from GitLab's GraphQL (:class:`GraphqlError` when it cannot give it:
    the caller falls back to paging). A token that may not search runs (read_api) still gets the count."""
    try:
        stats = yield from experiment_stats(api.tracking_uri, exp.name)
    except GraphqlError:
        raise
    except (BackendError, NotFound, InvalidInput) as exc:  # 401/403 (Unauthorized), 404, 422, 5xx
        raise GraphqlError(f"GitLab's GraphQL API failed: {exc}", reason="graphql_unavailable") from None
    if stats is None:
        raise GraphqlError(f"GitLab's GraphQL API does not list experiment {exp.experiment_id}.", reason="not_listed")
    progress.run_count = count = stats.candidate_count
    try:
        runs = (yield from current_runs(api, exp.experiment_id, count, seen.runs)) if count else []
    except Unauthorized:  # runs/search is a POST: read_api tokens get the count and the experiment's creator
        seen.runs = []
        progress.exact, progress.last_activity, progress.creator = True, exp.last_update_time, stats.creator_id
        return progress
    seen.runs = runs
    summarize(progress, exp, runs)
    return progress

"""The candidates table's incremental poll: only the runs that changed since the caller's newest time.

MLflow's filters have no OR: three small searches (started since, ended since, still running), merged
by id. GitLab filters nothing: its run list (read again when older than ``FIRST_PAGE_MAX_AGE``) is
matched here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Awaitable, Callable

from ..client.api import Api
from ..client.flows import one
from ..client.models import Run
from .cache import ACTIVE
from .driver import AsyncDrive

if TYPE_CHECKING:
    from .runs import RunsQuery


def changed_since(run: Run, since: int) -> bool:
    """Whether ``run`` started or ended at or after ``since`` (ms), or can still change."""
    return run.status in ACTIVE or max(run.start_time or 0, run.end_time or 0) >= since


async def changed_runs(
    drive: AsyncDrive,
    api: Api,
    backend: str,
    q: RunsQuery,
    since: int,
    run_list: Callable[[], Awaitable[list[Run]]],
) -> list[Run]:
    """Runs of ``q`` (its filter kept) that started or ended at or after ``since``, or are live: ``>=``, so a
    run of the same millisecond as the caller's newest is never lost (the caller merges by id). Newest first,
    at most ``q.max_results``. ``run_list``: every run of ``q``, filtered here (GitLab)."""
    if api.dialect.is_gitlab:
        everything = await run_list()
        found = [r for r in everything if changed_since(r, since)]
    else:
        found, seen = [], set()
        for clause in (
            f"attributes.start_time >= {int(since)}",
            f"attributes.end_time >= {int(since)}",
            "attributes.status = 'RUNNING'",
        ):
            text = f"{q.filter} and {clause}" if q.filter else clause
            search = api.search_runs(
                [q.experiment_id], filter=text, order_by=["attributes.start_time DESC"], max_results=q.max_results
            )
            page = await drive(backend, one(search))
            found += [r for r in page.items if r.run_id not in seen]
            seen.update(r.run_id for r in page.items)
    found.sort(key=lambda r: r.start_time or 0, reverse=True)
    return found[: q.max_results]

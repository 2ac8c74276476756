"""The candidates table's incremental poll: only the runs that changed since the caller's newest time.

MLflow's filters have no OR: three small searches (started since, ended since, still running), merged
by id. GitLab filters nothing: its run list (read again when older than ``FIRST_PAGE_MAX_AGE``) is
matched here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Awaitable, Callable, Optional

from ..client.api import Api
from ..client.models import Run
from .cache import ACTIVE

if TYPE_CHECKING:
    from .runs import RunsQuery, Seen


def changed_since(run: Run, since: int) -> bool:
    """Whether ``run`` started or ended at or after ``since`` (ms), or can still change."""
    return run.status in ACTIVE or max(run.start_time or 0, run.end_time or 0) >= since


async def changed_runs(
    api: Api,
    q: RunsQuery,
    since: int,
    run_list: Callable[[], Awaitable[list[Run]]],
    search: Callable[[str], Awaitable[tuple[list[Run], Optional[str], Optional[Seen]]]],
) -> tuple[list[Run], Optional[Seen]]:
    """Runs of ``q`` (its filter kept) that started or ended at or after ``since``, or are live: ``>=``, so a
    run of the same millisecond as the caller's newest is never lost (the caller merges by id). Newest first,
    at most ``q.max_results``; with the keys those runs have when the searches read only ``q``'s columns.
    ``run_list``: every run of ``q``, filtered here (GitLab); ``search(filter)``: MLflow's newest runs matching a
    filter (the embedded store's file or REST)."""
    keys: Optional[Seen] = None
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
            items, _, page_keys = await search(f"{q.filter} and {clause}" if q.filter else clause)
            found += [r for r in items if r.run_id not in seen]
            seen.update(r.run_id for r in items)
            if page_keys is not None:
                keys = keys or {"params": set(), "metrics": set(), "tags": set()}
                for kind, names in page_keys.items():
                    keys[kind] |= names
    found.sort(key=lambda r: r.start_time or 0, reverse=True)
    return found[: q.max_results], keys

"""A compare series as fetched (:class:`SeriesBase`) and the flows that fetch it: whole, or only its tail.

While a run is RUNNING its series is fetched once, then only the steps from the last one kept:
MLflow: ``metrics/get-history-bulk-interval`` with ``start_step``/``end_step`` (inclusive, both required,
at most 2,500 rows a run: an exact tail when fewer come back, else the whole history again); the points at the
last kept step are replaced, so a value logged again at that step is neither lost nor doubled. A sampled
series asks for a tail sampled as densely as the rest, then keeps its budget (first, last and the min/max
of each bucket, :func:`.downsample.minmax`). GitLab: ``metrics/get-history`` has no step filter but its
``page_token`` is a keyset cursor (GITLAB_API.md §3.7), so paging resumes after the last full page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Optional, Sequence

from ..client import parse
from ..client.api import Api
from ..client.calls import REST, Call
from ..client.errors import InvalidInput, NotFound
from ..client.flows import series_history
from ..client.models import Metric, Run
from .downsample import minmax

SAMPLE_PER_RUN = 2500  # MLflow's cap for get-history-bulk-interval (handlers.MAX_RESULTS_PER_RUN)
GITLAB_PAGE = 1000  # GitLab's cap for metrics/get-history


@dataclass
class SeriesBase:
    """The fetched points of one (run, key): ``kind`` is ``full`` (every point), ``sampled`` (MLflow's
    sampling, ``budget`` points) or ``sql`` (the embedded store's bucket extremes); ``total`` is the step
    count of a sampled series; ``resume`` GitLab's cursor after the last full page and the points before it."""

    points: list[Metric]
    source: str
    kind: str = "full"
    budget: int = 0
    total: Optional[int] = None
    resume: Optional[tuple[str, int]] = None

    @property
    def last_step(self) -> Optional[int]:
        return max((p.step for p in self.points), default=None)


def sampled_call(
    run_ids: Sequence[str], key: str, per_run: int = SAMPLE_PER_RUN, steps: Optional[tuple[int, int]] = None
) -> Call[dict[str, list[Metric]]]:
    """MLflow's SQL-side sampling of one key for several runs (first and last point always kept),
    within ``steps`` (inclusive) when given."""

    def _parse(d: dict[str, Any]) -> dict[str, list[Metric]]:
        out: dict[str, list[Metric]] = {rid: [] for rid in run_ids}
        for m in d.get("metrics", []) or []:
            out.setdefault(m.get("run_id", ""), []).append(parse.metric(m))
        return out

    params: dict[str, Any] = {"run_ids": list(run_ids), "metric_key": key, "max_results": per_run}
    if steps is not None:
        params.update(start_step=steps[0], end_step=steps[1])
    return Call("GET", REST + "metrics/get-history-bulk-interval", params=params, parse=_parse)


def gitlab_pages(api: Api, run_id: str, key: str, start: Optional[tuple[str, int]] = None, kept: Sequence[Metric] = ()):
    """Flow: ``(points, resume)``: ``kept`` then every page from ``start``'s cursor (from the first page
    without one), in GitLab's step order; ``resume`` is the cursor after the last full page."""
    token, resume, items = (start[0] if start else None), start, list(kept)
    while True:
        page = yield api.get_metric_history(run_id, key, max_results=GITLAB_PAGE, page_token=token)
        items.extend(page.items)
        nxt = page.next_page_token
        if not nxt or nxt == token:
            return items, resume
        token, resume = nxt, (nxt, len(items))


def whole(api: Api, run: Run, key: str) -> Any:
    """Flow: the :class:`SeriesBase` of every point (GitLab: paged, with its resume cursor; a GitLab without
    get-history: the one latest point, ``source: "latest"``)."""
    if api.dialect.is_gitlab:
        try:
            points, resume = yield from gitlab_pages(api, run.run_id, key)
        except NotFound:
            hist, source = yield from series_history(api, run, key)  # the 404 path: the latest value only
            return SeriesBase(hist, source)
        return SeriesBase(points, "history", resume=resume)
    hist, source = yield from series_history(api, run, key)
    return SeriesBase(hist, source)


def sampled(got: Sequence[Metric], budget: int, last_step: int, kind: str = "sampled") -> SeriesBase:
    """A sampled series of ``budget`` points whose last step is ``last_step``."""
    return SeriesBase(list(got), "sampled", kind, budget, total=last_step + 1)


def tail(api: Api, run: Run, key: str, base: SeriesBase, *, full_limit: int, budget: int) -> Any:
    """Flow: ``base`` brought up to date with only the points from its last step on (see the module)."""
    last = base.last_step
    latest = run.metrics[key].step if key in run.metrics else last
    if last is None or latest is None:
        return (yield from whole(api, run, key))
    if api.dialect.is_gitlab:
        if base.source != "history":
            return (yield from whole(api, run, key))
        count = base.resume[1] if base.resume else 0
        try:
            points, resume = yield from gitlab_pages(api, run.run_id, key, base.resume, base.points[:count])
        except InvalidInput:  # a cursor GitLab no longer takes: page from the start
            return (yield from whole(api, run, key))
        return SeriesBase(points, "history", resume=resume)
    end = max(latest, last)
    if base.kind == "full":
        got = (yield sampled_call([run.run_id], key, SAMPLE_PER_RUN, (last, end)))[run.run_id]
        if len(got) >= SAMPLE_PER_RUN:  # more than one exact tail holds: the whole history again
            return (yield from whole(api, run, key))
        merged = splice(base.points, got, last)
        if len(merged) <= full_limit:
            return SeriesBase(merged, base.source)
        return sampled(reduce(merged, budget), budget, end)  # grown past the full-history limit
    # sampled: a tail as dense as the rest, then the budget again
    share = math.ceil(base.budget * (end - last + 1) / (end + 1)) + 2
    got = (yield sampled_call([run.run_id], key, min(max(share, 2), SAMPLE_PER_RUN), (last, end)))[run.run_id]
    merged = reduce(splice(base.points, got, last), base.budget)
    return replace(base, points=merged, total=end + 1)


def splice(points: Sequence[Metric], tail_points: Sequence[Metric], start: int) -> list[Metric]:
    """``points`` before step ``start``, then ``tail_points`` (which cover ``start`` on), in step order."""
    head = [p for p in points if p.step < start]
    return head + sorted(tail_points, key=lambda m: (m.step, m.timestamp))


def reduce(points: Sequence[Metric], budget: int) -> list[Metric]:
    """At most ``budget`` finite points: the first and last, and the min and max of equal-count buckets
    between (:func:`.downsample.minmax`), in step order."""
    kept = [p for p in points if math.isfinite(p.value)]
    if len(kept) <= budget:
        return kept
    if budget < 3:
        return [kept[0], kept[-1]][: max(budget, 0)]
    inner = kept[1:-1]
    picked = minmax([(float(i), p.value) for i, p in enumerate(inner)], budget - 2)
    return [kept[0], *(inner[int(i)] for i, _ in picked), kept[-1]]

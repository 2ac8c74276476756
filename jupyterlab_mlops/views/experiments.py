"""The experiments list: rows, name search (emulated on GitLab) and the lazily computed summary.

MLflow has no run-count API, so counts are not part of the listing: :func:`summary` counts with
1-run probes at crafted offsets where the server uses MLflow's offset page tokens (detected),
else by paging through runs/search (1000 per page), reporting progress as it goes; the server
bounds the time it waits for it (:mod:`.experiment_pages`).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from ..client.api import Api
from ..client.dialect import Dialect
from ..client.errors import InvalidInput, Unauthorized
from ..client.flows import all_pages
from ..client.models import Experiment, Page, Run
from . import gitlab_counts

if TYPE_CHECKING:
    from .wire.runs import ExperimentRow, ExperimentSummary

CREATOR_TAGS = ("mlflow.user", "mlflow.ownerEmail", "mlflow.ownerId", "owner", "creator")
SYSTEM_PREFIXES = ("mlflow.", "gitlab.")
MODEL_PREFIX = "[model]"
ORDER_KEYS = {"name": "name", "creation_time": "created_at", "last_update_time": "updated_at"}


def user_tags(tags: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in tags.items() if not k.startswith(SYSTEM_PREFIXES)}


def system_tags(tags: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in tags.items() if k.startswith(SYSTEM_PREFIXES)}


def experiment_row(exp: Experiment, summary: Optional[ExperimentSummary] = None) -> ExperimentRow:
    """One row of the experiments list (``IExperimentRow`` in ``src/api/types.ts``): ids, times, creator,
    description, the model of a ``[model]`` experiment, user tags and the run summary when known."""
    creator = next((exp.tags[k] for k in CREATOR_TAGS if exp.tags.get(k)), None)
    return {
        "experiment_id": exp.experiment_id,
        "name": exp.name,
        "lifecycle_stage": exp.lifecycle_stage,
        "creation_time": exp.creation_time,
        "last_update_time": exp.last_update_time,
        "creator": creator or (summary or {}).get("creator"),
        "description": exp.tags.get("mlflow.note.content") or None,
        "model_name": exp.name[len(MODEL_PREFIX) :] if exp.name.startswith(MODEL_PREFIX) else None,
        "tags": user_tags(exp.tags),
        "summary": summary,
    }


def parse_order(order_by: Optional[str], dialect: Dialect) -> list[str]:
    """``name|creation_time|last_update_time [ASC|DESC]`` in the backend's spelling."""
    text = (order_by or "creation_time DESC").strip()
    m = re.match(r"^(\w+)(?:\s+(ASC|DESC))?$", text, re.IGNORECASE)
    if not m or m.group(1) not in ORDER_KEYS:
        raise InvalidInput(
            f"Invalid order_by {order_by!r}: use name, creation_time or last_update_time, "
            "optionally followed by ASC or DESC.",
            reason="invalid_order_by",
        )
    key, direction = m.group(1), (m.group(2) or "ASC").upper()
    return [f"{ORDER_KEYS[key] if dialect.is_gitlab else key} {direction}"]


READ_ONLY_LISTING = (
    "This GitLab token can only read (no 'api' scope, or a role below Developer): experiments were "
    "read with GET experiments/list and matched, ordered and paged here; listing runs needs the "
    "'api' scope (GitLab's runs/search is a POST)."
)
RUNS_NEED_API = (
    "Listing runs on GitLab needs a token with the 'api' scope and the Developer role: GitLab lists runs "
    "only through runs/search, a POST, which read-only tokens (read_api, Reporter) may not use. "
    "Experiments are still listed, and a run opened by its id shows in full."
)


def runs_refused(exc: Unauthorized, dialect: Dialect) -> Unauthorized:
    """The error of a refused run search: on GitLab it says that runs need the ``api`` scope."""
    return Unauthorized(RUNS_NEED_API, reason="runs_need_api_scope") if dialect.is_gitlab else exc


def sort_experiments(exps: list[Experiment], order: list[str]) -> list[Experiment]:
    """``order`` (GitLab's spelling, see :func:`parse_order`) applied here. GitLab's experiment entity has no
    times: creation order is the iid order, and the last update falls back to it."""
    column, _, direction = order[0].partition(" ")
    desc = direction.upper() == "DESC"
    if column == "name":
        return sorted(exps, key=lambda e: (e.name.lower(), e.name), reverse=desc)
    field = "last_update_time" if column == "updated_at" else "creation_time"

    def key(e: Experiment) -> tuple[int, int]:
        iid = int(e.experiment_id) if e.experiment_id.isdigit() else 0
        return (getattr(e, field) or 0, iid)

    return sorted(exps, key=key, reverse=desc)


def all_experiments(api: Api, order: list[str]) -> Any:
    """Flow: ``(experiments, read_only)``: every experiment in ``order``: GitLab's ``experiments/search``
    pages, or, when the token may not POST (read_api, or below Developer: C17), ``GET experiments/list``
    ordered here."""
    try:
        found = yield from all_pages(
            lambda tok: api.search_experiments(max_results=1000, page_token=tok, order_by=order)
        )
        return found, False
    except Unauthorized:
        if not api.dialect.is_gitlab:
            raise
    listed: list[Experiment] = yield api.list_experiments()
    return sort_experiments([e for e in listed if e.lifecycle_stage != "deleted"], order), True


@dataclass
class Progress:
    """What :func:`summary` knows so far (read by the server while the flow is still running)."""

    run_count: int = 0
    exact: bool = False
    last_activity: Optional[int] = None
    last_run_id: Optional[str] = None
    creator: Optional[str] = None
    started: float = field(default_factory=time.time)
    last_start: Optional[int] = None  # start time of ``last_run_id`` (GitLab: folded over every page)

    def restart(self) -> None:
        """Back to nothing known (another way of counting starts), keeping when counting began."""
        self.run_count, self.exact, self.last_activity, self.last_run_id = 0, False, None, None
        self.creator, self.last_start = None, None

    def to_json(self) -> ExperimentSummary:
        return {
            "run_count": self.run_count,
            "run_count_exact": self.exact,
            "last_activity": self.last_activity,
            "last_run_id": self.last_run_id,
            "creator": self.creator,
            "computed_at": int(self.started * 1000),
        }


def _newest(api: Api, experiment_id: str, ascending: bool) -> Any:
    if api.dialect.is_gitlab:
        order = ["created_at ASC" if ascending else "created_at DESC"]
    else:
        order = ["attributes.start_time ASC" if ascending else "attributes.start_time DESC"]
    page: Page[Run] = yield api.search_runs([experiment_id], order_by=order, max_results=1)
    return page


def offset_token(offset: int) -> str:
    """MLflow's own page-token format (``SearchUtils.create_page_token``: base64 of ``{"offset": n}``)."""
    return base64.b64encode(json.dumps({"offset": offset}).encode()).decode()


def token_offset(token: Optional[str]) -> Optional[int]:
    """The offset in MLflow's own page-token format, or None for any other token (or none)."""
    if not token:
        return None
    try:
        data = json.loads(base64.b64decode(token, validate=True))
    except (ValueError, TypeError, binascii.Error):
        return None
    offset = data.get("offset") if isinstance(data, dict) and len(data) == 1 else None
    return offset if isinstance(offset, int) and not isinstance(offset, bool) and offset >= 0 else None


def uses_offset_tokens(token: Optional[str]) -> bool:
    """True when the backend's token after a 1-run page is MLflow's offset token (feature detection)."""
    return token_offset(token) == 1


def count_by_offsets(api: Api, experiment_id: str, progress: Progress) -> Any:
    """Flow: count runs with 1-run probes at crafted offsets (galloping x4, then bisection):
    ~20 tiny requests for 10k runs instead of 10 pages of 1000 full runs."""

    def probe(offset: int) -> Any:
        page: Page[Run] = yield api.search_runs([experiment_id], max_results=1, page_token=offset_token(offset))
        return bool(page.items)

    lo, hi = 0, 1  # a run exists at offset lo (0: the newest one, already seen)
    while (yield from probe(hi)):
        lo, hi = hi, hi * 4
        progress.run_count = lo + 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if (yield from probe(mid)):
            lo = mid
            progress.run_count = lo + 1
        else:
            hi = mid
    return lo + 1


def summary(api: Api, exp: Experiment, progress: Progress) -> Any:
    """Flow: last activity and creator (two one-run searches), then the run count: offset probes on
    MLflow servers that use offset page tokens, else page by page (1000 runs per page).

    GitLab orders runs by upload time, not start time (C10: a run replayed from a spool is uploaded late): the
    newest run, last activity and creator are folded over every run as the pages come (exact once the count
    is), by :func:`.gitlab_counts.fold`, which the GraphQL path (:mod:`.gitlab_counts`, tried first) uses too."""
    first: Page[Run] = yield from _newest(api, exp.experiment_id, ascending=False)
    newest = first.items[0] if first.items else None
    if newest is None:
        progress.last_activity, progress.exact = exp.last_update_time, True
        return progress
    times = [t for t in (newest.start_time, newest.end_time, exp.last_update_time) if t]
    progress.last_activity = max(times) if times else None
    progress.last_run_id = newest.run_id
    progress.run_count = 1
    oldest: Page[Run] = yield from _newest(api, exp.experiment_id, ascending=True)
    if oldest.items:
        progress.creator = oldest.items[0].user_id or oldest.items[0].tags.get("mlflow.user") or None
    if not first.next_page_token:
        progress.exact = True
        return progress
    if api.dialect.is_gitlab:
        progress.last_start = newest.start_time
    if not api.dialect.is_gitlab and uses_offset_tokens(first.next_page_token):
        try:
            progress.run_count = yield from count_by_offsets(api, exp.experiment_id, progress)
            progress.exact = True
            return progress
        except InvalidInput:  # the server refused a crafted token after all: count page by page
            pass
    count, token = 0, None
    first_start: list[Optional[int]] = [None]
    while True:
        page: Page[Run] = yield api.search_runs(
            [exp.experiment_id],
            max_results=1000,
            page_token=token,
            order_by=["created_at DESC"] if api.dialect.is_gitlab else None,
        )
        if api.dialect.is_gitlab:
            gitlab_counts.fold(progress, [gitlab_counts.RunFacts.of(r) for r in page.items], first_start)
        count += len(page.items)
        progress.run_count = max(progress.run_count, count)
        token = page.next_page_token
        if not token or not page.items:
            progress.run_count, progress.exact = count, True
            return progress

"""GitLab's GraphQL API (``POST <host>/api/graphql``), for reads its MLflow API makes expensive: an experiment's
run count is ``Project.mlExperiments { candidateCount }`` (one request instead of paging through every run).

Calls are built like every other (:class:`.calls.Call`, absolute URL on the backend's host, the backend's
``Authorization: Bearer`` header added by the transport; GitLab's ``GraphqlController`` takes a token with
scope ``api`` or ``read_api``). Values travel as GraphQL variables, never inside the query text. GitLab answers
query errors with HTTP 200 and ``{"errors": [...]}``: those raise :class:`GraphqlError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import unquote, urlsplit

from .calls import Call
from .dialect import GITLAB_PATH_RE, gitlab_web_root
from .errors import BackendError

PAGE = 100  # GitLab's max_page_size: a connection gives at most 100 nodes
MAX_PAGES = 3  # pages of experiments read to find one name (beyond: the caller counts another way)
_EXPERIMENTS = (
    f"mlExperiments(name: $name, first: {PAGE}, after: $after) {{ "
    "nodes { name candidateCount updatedAt creator { id username } } pageInfo { hasNextPage endCursor } }"
)
BY_ID = (
    "query mlopsExperimentCounts($ids: [ID!], $name: String, $after: String) "
    f"{{ projects(ids: $ids) {{ nodes {{ {_EXPERIMENTS} }} }} }}"
)
BY_PATH = (
    "query mlopsExperimentCounts($path: ID!, $name: String, $after: String) "
    f"{{ project(fullPath: $path) {{ {_EXPERIMENTS} }} }}"
)


class GraphqlError(BackendError):
    """GitLab's GraphQL answered without the data asked for (``errors``, or a field or project it did not give)."""


@dataclass(frozen=True)
class ExperimentStats:
    """One ``MlExperiment`` node: its name, run count, last update (ms) and creator (numeric user id, as C11)."""

    name: str
    candidate_count: int
    updated_at: Optional[int]
    creator_id: Optional[str]


@dataclass(frozen=True)
class StatsPage:
    """One page of a project's experiments."""

    experiments: list[ExperimentStats]
    end_cursor: Optional[str]  # None on the last page


def graphql_url(tracking_uri: str) -> Optional[str]:
    """``https://<host>/api/graphql`` of a GitLab tracking URI (None when it is not one)."""
    web = gitlab_web_root(tracking_uri)
    return f"{web}/api/graphql" if web else None


def _project(tracking_uri: str) -> str:
    m = GITLAB_PATH_RE.match(urlsplit(tracking_uri).path or "")
    return unquote(m.group("project")) if m else ""


def _millis(text: Any) -> Optional[int]:
    if not isinstance(text, str) or not text:
        return None
    try:
        return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def _user_id(creator: Any) -> Optional[str]:
    gid = creator.get("id") if isinstance(creator, dict) else None
    tail = gid.rsplit("/", 1)[-1] if isinstance(gid, str) else ""
    return tail if tail.isdigit() else None


def _parse(data: Any) -> StatsPage:
    if not isinstance(data, dict):
        raise GraphqlError("GitLab's GraphQL API gave no JSON object.", reason="graphql_unavailable")
    errors = data.get("errors")
    if errors:
        msgs = "; ".join(str(e.get("message") if isinstance(e, dict) else e)[:200] for e in errors[:3])
        raise GraphqlError(f"GitLab's GraphQL API refused the query: {msgs}", reason="graphql_error")
    body = data.get("data") or {}
    project = body.get("project") if "project" in body else ((body.get("projects") or {}).get("nodes") or [None])[0]
    conn = (project or {}).get("mlExperiments") if isinstance(project, dict) else None
    if not isinstance(conn, dict):  # no such project for this token, or no read_model_experiments
        raise GraphqlError("GitLab's GraphQL API gave no experiments for this project.", reason="graphql_no_data")
    stats = [
        ExperimentStats(
            name=str(n.get("name", "")),
            candidate_count=int(n.get("candidateCount") or 0),
            updated_at=_millis(n.get("updatedAt")),
            creator_id=_user_id(n.get("creator")),
        )
        for n in conn.get("nodes") or []
        if isinstance(n, dict)
    ]
    info = conn.get("pageInfo") or {}
    return StatsPage(stats, info.get("endCursor") if info.get("hasNextPage") else None)


def experiment_stats_call(tracking_uri: str, name: Optional[str], after: Optional[str] = None) -> Call[StatsPage]:
    """One page of the project's ``mlExperiments`` (``name``: GitLab's "name includes" search, which older
    GitLab ignores: callers match the exact name themselves)."""
    url = graphql_url(tracking_uri)
    if not url:
        raise GraphqlError("Not a GitLab tracking URI.", reason="graphql_unavailable")
    project = _project(tracking_uri)
    variables: dict[str, Any] = {"name": name, "after": after}
    if project.isdigit():
        query, variables["ids"] = BY_ID, [f"gid://gitlab/Project/{project}"]
    else:
        query, variables["path"] = BY_PATH, project
    return Call("POST", url, json={"query": query, "variables": variables}, absolute=True, parse=_parse)


def experiment_stats(tracking_uri: str, name: str, max_pages: int = MAX_PAGES) -> Any:
    """Flow: the :class:`ExperimentStats` of the experiment called exactly ``name``, or None when GitLab lists
    no such experiment in ``max_pages`` pages (followed when the name search matched others too, or an older
    GitLab ignored it)."""
    after: Optional[str] = None
    for _ in range(max_pages):
        page: StatsPage = yield experiment_stats_call(tracking_uri, name, after)
        found = next((s for s in page.experiments if s.name == name), None)
        if found is not None or page.end_cursor is None or page.end_cursor == after:
            return found
        after = page.end_cursor
    return None

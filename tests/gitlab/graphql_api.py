"""``POST /api/graphql``: the subset of GitLab's schema the extension reads, ``Project.mlExperiments``, built with
graphql-core so that queries are parsed, validated and executed as a GraphQL server does.

As GitLab (gitlabhq): ``GraphqlController`` authenticates a sessionless token with scope ``api`` or
``read_api`` (``authenticate_sessionless_user!(:graphql_api)``); a token that matches no user is a **401**
``{"errors":[{"message":"Invalid token"}]}``; no token is an anonymous (public-data) request. Query errors
(syntax, unknown field, bad variable) are HTTP **200** with ``{"errors": [...]}``. A project the user may not
read resolves to ``null``; ``mlExperiments`` resolves to ``null`` without ``read_model_experiments``
(``FindExperimentsResolver``). ``name``: "names that include the string" (the resolver's contract; the
stored ``ExperimentFinder`` predates the filter, so clients match the exact name themselves); order ``id DESC``;
``candidateCount`` counts the experiment's candidates (GitLab hard-deletes runs: deleted ones are not counted);
``creator`` is the experiment's user; connections give at most 100 nodes a page.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    graphql,
)

from .core import GUEST, User

MAX_PAGE = 100  # GitLab's default max_page_size


def _time(ms: Any) -> str | None:
    """``Types::TimeType``: ISO 8601."""
    return dt.datetime.fromtimestamp(int(ms) / 1000, dt.timezone.utc).isoformat() if ms else None


def _cursor(n: int) -> str:
    return base64.b64encode(str(n).encode()).decode()


def _offset(after: str | None) -> int:
    try:
        return int(base64.b64decode(after or "").decode() or 0)
    except ValueError:
        return 0


USER = GraphQLObjectType(
    "UserCore",
    {
        "id": GraphQLField(GraphQLNonNull(GraphQLID), resolve=lambda u, _: f"gid://gitlab/User/{u.id}"),
        "username": GraphQLField(GraphQLNonNull(GraphQLString), resolve=lambda u, _: u.username),
        "name": GraphQLField(GraphQLNonNull(GraphQLString), resolve=lambda u, _: u.display_name),
    },
)
PAGE_INFO = GraphQLObjectType(
    "PageInfo",
    {
        "hasNextPage": GraphQLField(GraphQLNonNull(GraphQLBoolean)),
        "endCursor": GraphQLField(GraphQLString),
    },
)


def _experiment_type(state: Any) -> GraphQLObjectType:
    def creator(e: dict[str, Any], _: Any) -> User | None:
        uid = state.experiment_user.get(e["experiment_id"])
        return state.users.get(uid) if uid else None

    return GraphQLObjectType(
        "MlExperiment",
        {
            "id": GraphQLField(
                GraphQLNonNull(GraphQLID), resolve=lambda e, _: f"gid://gitlab/Ml::Experiment/{e['experiment_id']}"
            ),
            "name": GraphQLField(GraphQLNonNull(GraphQLString), resolve=lambda e, _: e["gitlab_name"]),
            "createdAt": GraphQLField(GraphQLNonNull(GraphQLString), resolve=lambda e, _: _time(e["creation_time"])),
            "updatedAt": GraphQLField(GraphQLNonNull(GraphQLString), resolve=lambda e, _: _time(e["last_update_time"])),
            "candidateCount": GraphQLField(GraphQLNonNull(GraphQLInt), resolve=lambda e, _: e["candidate_count"]),
            "path": GraphQLField(GraphQLNonNull(GraphQLString), resolve=lambda e, _: e["path"]),
            "creator": GraphQLField(USER, resolve=creator),
        },
    )


def build_schema(service: Any) -> GraphQLSchema:
    """The schema subset, resolving against the stand-in's upstream MLflow and state."""
    from .tracking import from_mlflow_name, visible  # experiments as the MLflow routes see them

    experiment = _experiment_type(service.state)
    connection = GraphQLObjectType(
        "MlExperimentConnection",
        {
            "count": GraphQLField(GraphQLNonNull(GraphQLInt)),
            "nodes": GraphQLField(GraphQLList(experiment)),
            "pageInfo": GraphQLField(GraphQLNonNull(PAGE_INFO)),
        },
    )

    async def ml_experiments(project: dict[str, Any], info: Any, **args: Any) -> Any:
        user: User | None = info.context["user"]
        if user is None or user.role < GUEST:  # read_model_experiments: Guest+ (private project)
            return None
        name = args.get("name")
        exps = [
            e
            for e in await service.upstream.all_experiments()
            if visible(e) and (not name or name in from_mlflow_name(e["name"]))  # LIKE '%name%'
        ]
        exps.sort(key=lambda e: int(e["experiment_id"]), reverse=True)  # ExperimentFinder: id DESC
        start = _offset(args.get("after"))
        size = min(args.get("first") or MAX_PAGE, MAX_PAGE)
        page = exps[start : start + size]
        for e in page:
            runs = await service.upstream.all_runs(e["experiment_id"])  # ACTIVE_ONLY: hard-deleted on GitLab
            e["candidate_count"] = len(runs)
            e["gitlab_name"] = from_mlflow_name(e["name"])
            e["path"] = f"/{service.project_path}/-/ml/experiments/{e['experiment_id']}"
        end = start + len(page)
        return {
            "count": len(exps),
            "nodes": page,
            "pageInfo": {"hasNextPage": end < len(exps), "endCursor": _cursor(end)},
        }

    project_type = GraphQLObjectType(
        "Project",
        {
            "id": GraphQLField(GraphQLNonNull(GraphQLID), resolve=lambda p, _: f"gid://gitlab/Project/{p['id']}"),
            "fullPath": GraphQLField(GraphQLNonNull(GraphQLID), resolve=lambda p, _: p["full_path"]),
            "mlExperiments": GraphQLField(
                connection,
                args={
                    "name": GraphQLArgument(GraphQLString),
                    "first": GraphQLArgument(GraphQLInt),
                    "after": GraphQLArgument(GraphQLString),
                },
                resolve=ml_experiments,
            ),
        },
    )
    project_connection = GraphQLObjectType("ProjectConnection", {"nodes": GraphQLField(GraphQLList(project_type))})
    this = {"id": service.project_id, "full_path": service.project_path}

    def project(_: Any, info: Any, fullPath: str) -> Any:  # noqa: N803 - GraphQL's spelling
        return this if info.context["user"] and fullPath == service.project_path else None

    def projects(_: Any, info: Any, ids: list[str] | None = None) -> Any:
        gid = f"gid://gitlab/Project/{service.project_id}"
        return {"nodes": [this] if info.context["user"] and ids and gid in ids else []}

    query = GraphQLObjectType(
        "Query",
        {
            "project": GraphQLField(
                project_type, args={"fullPath": GraphQLArgument(GraphQLNonNull(GraphQLID))}, resolve=project
            ),
            "projects": GraphQLField(
                project_connection,
                args={"ids": GraphQLArgument(GraphQLList(GraphQLNonNull(GraphQLID)))},
                resolve=projects,
            ),
        },
    )
    return GraphQLSchema(query)


async def execute(service: Any, user: User | None, body: dict[str, Any]) -> dict[str, Any]:
    """One query (``{query, variables, operationName}``) as GitLab answers it: data and/or errors."""
    schema = getattr(service, "graphql_schema", None)
    if schema is None:
        schema = service.graphql_schema = build_schema(service)
    if not isinstance(body.get("query"), str):
        return {"errors": [{"message": "No query string was present"}]}
    variables = body.get("variables") if isinstance(body.get("variables"), dict) else None
    result = await graphql(
        schema,
        body["query"],
        variable_values=variables,
        operation_name=body.get("operationName"),
        context_value={"user": user},
    )
    return result.formatted

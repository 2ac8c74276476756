"""Experiment, run and metric endpoints (GITLAB_API.md §2.1), stored in the real MLflow server."""

from __future__ import annotations

import asyncio
import math
import uuid
from typing import Any, Awaitable, Callable

from .core import (
    ApiError,
    Ctx,
    bad_request,
    grape_error,
    invalid_parameter,
    keyset_page,
    kv,
    not_found,
    parse_order_by,
    resource_not_found,
)

Endpoint = Callable[[Ctx], Awaitable[Any]]
RUN_STATUSES = ("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED")
TAKEN = "Validation failed: Name has already been taken"
RUN_NAME_TAG = "mlflow.runName"
CI_JOB_TAG = "gitlab.CI_JOB_ID"
INTERNAL_ERROR = {"message": "500 Internal Server Error"}

# --- experiments -------------------------------------------------------------------------------


MLFLOW_DEFAULT = "Default"
DEFAULT_ALIAS = "Default [gitlab stand-in]"  # MLflow's experiment 0 holds "Default"; GitLab has no such experiment


def to_mlflow_name(name: Any) -> Any:
    """GitLab's experiment name as stored in MLflow: "Default" is an ordinary name on GitLab."""
    return DEFAULT_ALIAS if name == MLFLOW_DEFAULT else name


def from_mlflow_name(name: str) -> str:
    return MLFLOW_DEFAULT if name == DEFAULT_ALIAS else name


def visible(exp: dict[str, Any]) -> bool:
    """GitLab has no "Default" experiment 0 and hard-deletes, so deleted ones do not exist."""
    return exp.get("experiment_id") != "0" and exp.get("lifecycle_stage", "active") == "active"


def experiment_entity(exp: dict[str, Any]) -> dict[str, Any]:
    """GitLab's Experiment entity: no creation/update times, artifact_location "not_implemented"."""
    return {
        "experiment_id": exp["experiment_id"],
        "name": from_mlflow_name(exp["name"]),
        "lifecycle_stage": "active",
        "artifact_location": "not_implemented",
        "tags": kv(exp.get("tags")),
    }


async def find_experiment(ctx: Ctx, iid: Any = None, name: Any = None) -> dict[str, Any]:
    """``find_experiment!``: by iid, else by name, else RESOURCE_DOES_NOT_EXIST."""
    if iid not in (None, ""):
        exp = (await ctx.upstream.get("experiments/get", experiment_id=str(iid)))["experiment"]
    elif name not in (None, ""):
        exp = (await ctx.upstream.get("experiments/get-by-name", experiment_name=to_mlflow_name(name)))["experiment"]
    else:
        raise resource_not_found()
    if not visible(exp):
        raise resource_not_found()
    return exp


async def experiments_get(ctx: Ctx) -> Any:
    return {"experiment": experiment_entity(await find_experiment(ctx, iid=ctx.opt("experiment_id", "")))}


async def experiments_get_by_name(ctx: Ctx) -> Any:
    exp = await find_experiment(ctx, name=ctx.opt("experiment_name", ""))
    return {"experiment": experiment_entity(exp)}


async def experiments_list(ctx: Ctx) -> Any:
    exps = [e for e in await ctx.upstream.all_experiments() if visible(e)]
    exps.sort(key=lambda e: int(e["experiment_id"]))
    return {"experiments": [experiment_entity(e) for e in exps]}


EXPERIMENT_COLUMNS = {
    "created_at": "creation_time",
    "name": "name",
    "updated_at": "last_update_time",
    "last_updated_timestamp": "last_update_time",
    "id": None,
}


async def experiments_search(ctx: Ctx) -> Any:
    """``filter`` is ignored; max_results capped at 1000; keyset page tokens."""
    per_page = min(ctx.integer("max_results", 200), 1000)
    column, desc = parse_order_by(ctx.opt("order_by"), "created_at DESC")
    if column not in EXPERIMENT_COLUMNS:
        column, desc = "created_at", True
    field = EXPERIMENT_COLUMNS[column]
    exps = [e for e in await ctx.upstream.all_experiments() if visible(e)]
    page, nxt = keyset_page(
        exps, lambda e: (e.get(field) if field else 0, int(e["experiment_id"])), desc, ctx.opt("page_token"), per_page
    )
    return {"experiments": [experiment_entity(e) for e in page], "next_page_token": nxt}


async def experiments_create(ctx: Ctx) -> Any:
    name = ctx.req("name")  # a duplicate: MLflow's RESOURCE_ALREADY_EXISTS, passed on without message
    body: dict[str, Any] = {"name": to_mlflow_name(name)}
    if ctx.opt("tags"):
        body["tags"] = kv(ctx.opt("tags"))
    experiment_id = (await ctx.upstream.post("experiments/create", body))["experiment_id"]
    ctx.state.experiment_user[experiment_id] = ctx.user.id
    return {"experiment_id": experiment_id}


async def experiments_set_tag(ctx: Ctx) -> Any:
    exp = await find_experiment(ctx, iid=ctx.req("experiment_id"))
    key, value = ctx.req("key"), ctx.req("value")
    if value == "" or any(t["key"] == key for t in exp.get("tags", [])):
        raise invalid_parameter(TAKEN if value else "Validation failed: Value can't be blank")
    await ctx.upstream.post(
        "experiments/set-experiment-tag", {"experiment_id": exp["experiment_id"], "key": key, "value": value}
    )
    return {}


async def experiments_delete(ctx: Ctx) -> Any:
    exp = await find_experiment(ctx, iid=ctx.req("experiment_id"))
    if ctx.state.model_for_experiment(exp["experiment_id"]):
        raise bad_request("Cannot delete an experiment associated to a model")
    await hard_delete_experiment(ctx, exp)
    return {}


async def hard_delete_experiment(ctx: Ctx, exp: dict[str, Any]) -> None:
    """Rename, then delete: MLflow only soft-deletes, and would keep the name taken."""
    await ctx.upstream.post(
        "experiments/update",
        {"experiment_id": exp["experiment_id"], "new_name": f"{exp['name']} (deleted {uuid.uuid4().hex[:8]})"},
    )
    await ctx.upstream.post("experiments/delete", {"experiment_id": exp["experiment_id"]})


# --- runs --------------------------------------------------------------------------------------


async def find_run(ctx: Ctx, run_id: str) -> dict[str, Any]:
    """``find_candidate!``: an active run in a visible experiment, else RESOURCE_DOES_NOT_EXIST."""
    run = (await ctx.upstream.get("runs/get", run_id=run_id))["run"]
    if run["info"].get("lifecycle_stage", "active") != "active":
        raise resource_not_found()
    await find_experiment(ctx, iid=run["info"]["experiment_id"])
    return run


def run_info(ctx: Ctx, info: dict[str, Any]) -> dict[str, Any]:
    """RunInfo entity (§2.1): run_uuid = eid, lifecycle "active", GitLab artifact_uri, string user_id."""
    rid = info["run_id"]
    version = ctx.state.version_by_run.get(rid)
    iid = ctx.state.iid_for(rid)
    if version:  # a run backing a model version (§3.5 case 2)
        artifact_uri = f"{ctx.api_project}/packages/ml_models/{version.id}/files/"
    elif ctx.state.package_dir(f"candidate:{iid}").is_dir():  # its package exists (case 3)
        artifact_uri = f"mlflow-artifacts:/candidate:{iid}"
    else:  # C5: the HTTP package URL until the first upload creates the package (case 4)
        artifact_uri = f"{ctx.api_project}/packages/ml_models/candidate:{iid}/files/"
    out: dict[str, Any] = {
        "run_id": rid,
        "run_uuid": rid,
        "experiment_id": info["experiment_id"],
        "start_time": info.get("start_time") or 0,
    }
    if info.get("end_time") is not None:
        out["end_time"] = info["end_time"]
    if info.get("run_name"):
        out["run_name"] = info["run_name"]
    out.update(
        status=info.get("status", "RUNNING"),
        artifact_uri=artifact_uri,
        lifecycle_stage="active",
        user_id=user_id_of(info),
    )
    return out


def user_id_of(info: dict[str, Any]) -> str:
    """C11: ``candidate.user_id.to_s``, a numeric id. Runs seeded straight into MLflow carry MLflow's
    user name instead; they are credited to the project's developer (user 1)."""
    uid = str(info.get("user_id") or "")
    return uid if uid.isdigit() else "1"


def latest_metrics(ctx: Ctx, run: dict[str, Any]) -> list[dict[str, Any]]:
    """C1: ``latest_metrics``, one value per key (the last logged row); history only via get-history."""
    return ctx.state.latest_metrics(run["info"]["run_id"], run.get("data", {}).get("metrics", []))


async def run_entity(ctx: Ctx, run: dict[str, Any]) -> dict[str, Any]:
    """Run entity; ``data.metrics`` holds only the LATEST value per key (C1)."""
    data = run.get("data", {})
    return {
        "info": run_info(ctx, run["info"]),
        "data": {"metrics": latest_metrics(ctx, run), "params": kv(data.get("params")), "tags": run_tags(ctx, run)},
    }


def handle_gitlab_tags(ctx: Ctx, run_id: str, tags: list[dict[str, Any]]) -> None:
    """``HandleCandidateGitlabMetadataService`` (C4): ``gitlab.CI_JOB_ID`` must name an existing job
    (looked up instance-wide). An unknown id raises ArgumentError, which nothing rescues: a 500, after
    whatever was already written, and before the tags themselves are stored."""
    tag = next((t for t in reversed(tags) if t.get("key") == CI_JOB_TAG), None)
    if tag is None:
        return
    try:
        job_id = int(str(tag.get("value")).strip())
    except ValueError:
        job_id = None
    if job_id is None or job_id not in ctx.state.jobs:
        raise ApiError(500, dict(INTERNAL_ERROR))
    if run_id:
        ctx.state.job_by_run[run_id] = job_id  # ``candidate.ci_build = build``


def run_tags(ctx: Ctx, run: dict[str, Any]) -> list[dict[str, str]]:
    """The run's tags as GitLab has them: without the ``mlflow.runName`` tag MLflow adds on its own."""
    tags = kv(run.get("data", {}).get("tags"))
    if run["info"]["run_id"] in ctx.state.synthetic_run_name:
        tags = [t for t in tags if t["key"] != RUN_NAME_TAG]
    return tags


async def runs_create(ctx: Ctx) -> Any:
    exp = await find_experiment(ctx, iid=ctx.integer("experiment_id", required=True))
    tags = kv(ctx.opt("tags"))
    body: dict[str, Any] = {
        "experiment_id": exp["experiment_id"],
        "start_time": ctx.integer("start_time", 0),
        "user_id": str(ctx.user.id),
        "tags": tags,
    }
    if ctx.opt("run_name"):
        body["run_name"] = ctx.opt("run_name")
    job_failure = None
    try:
        handle_gitlab_tags(ctx, "", tags)
    except ApiError as e:  # C4: the candidate is created first, its tags are never stored
        job_failure = e
        name = body.get("run_name") or next((t["value"] for t in tags if t["key"] == RUN_NAME_TAG), None)
        body["tags"] = []
        if name:
            body["run_name"] = name
    run = (await ctx.upstream.post("runs/create", body))["run"]
    rid = run["info"]["run_id"]
    ctx.state.iid_for(rid)
    if not any(t["key"] == RUN_NAME_TAG for t in body["tags"]):
        ctx.state.synthetic_run_name.add(rid)
    if job_failure:
        raise job_failure
    handle_gitlab_tags(ctx, rid, tags)
    return {"run": await run_entity(ctx, run)}


async def runs_get(ctx: Ctx) -> Any:
    return {"run": await run_entity(ctx, await find_run(ctx, ctx.req("run_id")))}


def candidates_order(value: Any) -> tuple[str, str, bool]:
    """``candidates_order_params`` + ``CandidateFinder``: (column or metric key, kind, desc).

    Unknown columns and ``params.``/``tags.`` fall back to ``created_at``; the sort defaults to DESC.
    """
    if value is not None and not isinstance(value, str):
        raise grape_error("order_by is invalid")  # Grape String param: MLflow's list form is rejected
    parts = (value or "created_at DESC").split(" ")
    col = parts[0].split(".")
    kind, column = "column", "created_at"
    if len(col) == 1 and col[0] in ("name", "created_at", "id"):
        column = col[0]
    elif len(col) > 1 and col[0] == "metrics":
        kind, column = "metric", col[1]
    sort = parts[1].lower() if len(parts) > 1 else "desc"
    return column, kind, sort != "asc"


async def runs_search(ctx: Ctx) -> Any:
    """Only the FIRST experiment id; no filter; order_by is ONE string; keyset page tokens."""
    ids = ctx.req("experiment_ids")
    if not isinstance(ids, list):
        raise grape_error("experiment_ids is invalid")
    exp = await find_experiment(ctx, iid=ids[0] if ids else None)
    per_page = min(ctx.integer("max_results", 200), 1000)
    column, kind, desc = candidates_order(ctx.opt("order_by"))
    runs = await ctx.upstream.all_runs(exp["experiment_id"])
    for r in sorted(runs, key=lambda r: (r["info"].get("start_time") or 0, r["info"]["run_id"])):
        ctx.state.iid_for(r["info"]["run_id"])  # stable iids (and created_at) for runs seeded behind our back

    def tiebreak(r: dict[str, Any]) -> int:  # CandidateFinder adds ``with_order_id_desc``
        iid = ctx.state.iid_for(r["info"]["run_id"])
        return iid if desc else -iid

    if kind == "metric":

        def metric(r: dict[str, Any]) -> Any:  # joined on the LATEST row of the key (order_by_metric)
            return next((m["value"] for m in latest_metrics(ctx, r) if m["key"] == column), None)

        runs = [r for r in runs if metric(r) is not None]  # a join: runs without it drop out
        value: Callable[[dict[str, Any]], Any] = metric
    elif column == "name":

        def value(r: dict[str, Any]) -> Any:
            return r["info"].get("run_name") or ""
    elif column == "id":

        def value(r: dict[str, Any]) -> Any:
            return ctx.state.iid_for(r["info"]["run_id"])
    else:

        def value(r: dict[str, Any]) -> Any:  # C10: the row's created_at (upload time), not start_time
            return ctx.state.created_at[r["info"]["run_id"]]

    page, nxt = keyset_page(runs, lambda r: (value(r), tiebreak(r)), desc, ctx.opt("page_token"), per_page)
    return {"runs": list(await asyncio.gather(*(run_entity(ctx, r) for r in page))), "next_page_token": nxt}


async def runs_update(ctx: Ctx) -> Any:
    run = await find_run(ctx, ctx.req("run_id"))
    status = ctx.opt("status")
    if status is not None and status not in RUN_STATUSES:
        raise grape_error("status does not have a valid value")
    body: dict[str, Any] = {"run_id": run["info"]["run_id"]}  # run_name is not read: no renaming
    if status:
        body["status"] = status
    if ctx.integer("end_time") is not None:
        body["end_time"] = ctx.integer("end_time")
    info = (await ctx.upstream.post("runs/update", body))["run_info"]
    return {"run_info": run_info(ctx, {**run["info"], **info})}


def _float(v: Any) -> float:
    """Grape's Float coercion (Ruby ``Float()``): no NaN/Infinity, in any spelling or as a JSON token (C3)."""
    if isinstance(v, bool):
        raise ValueError(v)
    f = float(v)
    if not math.isfinite(f):
        raise ValueError(v)
    return f


def _metric(ctx: Ctx, m: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    if not isinstance(m, dict):
        raise grape_error(f"{prefix[:-1] or 'metrics'} is invalid")
    close = "]" if prefix else ""
    for f in ("key", "value", "timestamp"):
        if m.get(f) is None:
            raise grape_error(f"{prefix}{f}{close} is missing")
    try:
        value = _float(m["value"])
    except (TypeError, ValueError, OverflowError):
        raise grape_error(f"{prefix}value{close} is invalid") from None
    try:
        return {"key": str(m["key"]), "value": value, "timestamp": int(m["timestamp"]), "step": int(m.get("step") or 0)}
    except (TypeError, ValueError, OverflowError):
        bad = "step" if m.get("step") not in (None, "") and _not_int(m.get("step")) else "timestamp"
        raise grape_error(f"{prefix}{bad}{close} is invalid") from None


def _not_int(v: Any) -> bool:
    try:
        int(v)
        return False
    except (TypeError, ValueError, OverflowError):
        return True


async def runs_log_metric(ctx: Ctx) -> Any:
    run = await find_run(ctx, ctx.req("run_id"))
    m = _metric(ctx, ctx.args)
    await ctx.upstream.post("runs/log-metric", {"run_id": run["info"]["run_id"], **m})
    ctx.state.add_metric_rows(run["info"]["run_id"], [m])  # every call is a row (history kept)
    return {}


def _check_value(key: str, value: str, max_key: int, max_value: int) -> None:
    if value == "":
        raise invalid_parameter("Validation failed: Value can't be blank")
    if len(key) > max_key:
        raise invalid_parameter(f"Validation failed: Name is too long (maximum is {max_key} characters)")
    if len(value) > max_value:
        raise invalid_parameter(f"Validation failed: Value is too long (maximum is {max_value} characters)")


async def runs_log_parameter(ctx: Ctx) -> Any:
    """A duplicate key is a 400 even with the same value (MLflow accepts an identical re-log)."""
    run = await find_run(ctx, ctx.req("run_id"))
    key, value = str(ctx.req("key")), str(ctx.req("value"))
    if any(p["key"] == key for p in run["data"].get("params", [])):
        raise invalid_parameter(TAKEN)
    _check_value(key, value, 250, 250)
    await ctx.upstream.post("runs/log-parameter", {"run_id": run["info"]["run_id"], "key": key, "value": value})
    return {}


async def runs_set_tag(ctx: Ctx) -> Any:
    """An existing key is a 400 (MLflow would overwrite). ``gitlab.*`` keys are handled first (C4)."""
    run = await find_run(ctx, ctx.req("run_id"))
    key, value = str(ctx.req("key")), str(ctx.req("value"))
    handle_gitlab_tags(ctx, run["info"]["run_id"], [{"key": key, "value": value}])
    if any(t["key"] == key for t in run_tags(ctx, run)):
        raise invalid_parameter(TAKEN)
    _check_value(key, value, 250, 5000)
    await ctx.upstream.post("runs/set-tag", {"run_id": run["info"]["run_id"], "key": key, "value": value})
    if key == RUN_NAME_TAG:
        ctx.state.synthetic_run_name.discard(run["info"]["run_id"])
    return {}


async def runs_log_batch(ctx: Ctx) -> Any:
    """Bulk insert, in GitLab's order: metrics (always appended, C6), params, then tags (both skip
    duplicates, existing or within the batch). Validation fails the WHOLE batch first (C3); an unknown
    ``gitlab.CI_JOB_ID`` fails AFTER metrics and params were written (C4)."""
    run = await find_run(ctx, ctx.req("run_id"))
    rid = run["info"]["run_id"]
    raw_metrics = ctx.opt("metrics", []) or []
    if not isinstance(raw_metrics, list):
        raise grape_error("metrics is invalid")
    metrics = [_metric(ctx, m, "metrics[") for m in raw_metrics]
    batches: dict[str, list[dict[str, str]]] = {}
    for kind in ("params", "tags"):
        seen = {x["key"] for x in (run["data"].get(kind, []) if kind == "params" else run_tags(ctx, run))}
        items = []
        for x in ctx.opt(kind, []) or []:
            if x.get("key") is None:
                raise grape_error(f"{kind}[key] is missing")
            if x["key"] in seen:
                continue
            seen.add(x["key"])
            items.append({"key": str(x["key"]), "value": str(x.get("value", ""))})
        batches[kind] = items
    for i in range(0, len(metrics), 1000):  # MLflow's own per-request limits
        await ctx.upstream.post("runs/log-batch", {"run_id": rid, "metrics": metrics[i : i + 1000]})
    ctx.state.add_metric_rows(rid, metrics)  # MLflow drops identical points; GitLab keeps every row
    for i in range(0, len(batches["params"]), 100):
        await ctx.upstream.post("runs/log-batch", {"run_id": rid, "params": batches["params"][i : i + 100]})
    handle_gitlab_tags(ctx, rid, [dict(t) for t in ctx.opt("tags", []) or [] if isinstance(t, dict)])
    if any(t["key"] == RUN_NAME_TAG for t in batches["tags"]):
        ctx.state.synthetic_run_name.discard(rid)
    for i in range(0, len(batches["tags"]), 100):
        await ctx.upstream.post("runs/log-batch", {"run_id": rid, "tags": batches["tags"][i : i + 100]})
    return {}


async def runs_delete(ctx: Ctx) -> Any:
    run = await find_run(ctx, ctx.req("run_id"))
    if run["info"]["run_id"] in ctx.state.version_by_run:
        raise bad_request("Cannot delete a candidate associated to a model version")
    await ctx.upstream.post("runs/delete", {"run_id": run["info"]["run_id"]})
    return {}


async def metrics_get_history(ctx: Ctx) -> Any:
    """Newer GitLab only: 404 (no route) when ``knobs.metrics_history_supported`` is False."""
    if not ctx.knobs.metrics_history_supported:
        raise not_found()
    run = await find_run(ctx, ctx.req("run_id"))
    key = ctx.req("metric_key")
    per_page = min(ctx.integer("max_results", 1000), 1000)
    rid = run["info"]["run_id"]
    history = ctx.state.metric_history(rid, key, await ctx.upstream.metric_history(rid, key))
    indexed = list(enumerate(history))
    page, nxt = keyset_page(indexed, lambda p: (p[1].get("step", 0), p[0]), False, ctx.opt("page_token"), per_page)
    metrics = [
        {"key": m["key"], "value": m["value"], "timestamp": m.get("timestamp", 0), "step": m.get("step", 0)}
        for _, m in page
    ]
    return {"metrics": metrics, "next_page_token": nxt}


ROUTES: dict[tuple[str, str], Endpoint] = {
    ("GET", "experiments/get"): experiments_get,
    ("GET", "experiments/get-by-name"): experiments_get_by_name,
    ("GET", "experiments/list"): experiments_list,
    ("POST", "experiments/search"): experiments_search,
    ("POST", "experiments/create"): experiments_create,
    ("POST", "experiments/set-experiment-tag"): experiments_set_tag,
    ("POST", "experiments/delete"): experiments_delete,
    ("POST", "runs/create"): runs_create,
    ("GET", "runs/get"): runs_get,
    ("POST", "runs/search"): runs_search,
    ("POST", "runs/update"): runs_update,
    ("POST", "runs/log-metric"): runs_log_metric,
    ("POST", "runs/log-parameter"): runs_log_parameter,
    ("POST", "runs/set-tag"): runs_set_tag,
    ("POST", "runs/log-batch"): runs_log_batch,
    ("POST", "runs/delete"): runs_delete,
    ("GET", "metrics/get-history"): metrics_get_history,
}

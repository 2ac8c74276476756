"""Model registry endpoints (GITLAB_API.md §2.2, §3.4, §3.6). Models and versions live in memory;
each version's backing run (candidate) lives in MLflow, in the model's ``[model]<name>`` experiment."""

from __future__ import annotations

import re
from typing import Any

from .core import (
    ApiError,
    Ctx,
    MODEL_NAME_RE,
    SEMVER_RE,
    Model,
    Version,
    bump_patch,
    invalid_parameter,
    keyset_page,
    kv,
    now_s,
    parse_order_by,
    resource_already_exists,
    resource_not_found,
)
from .tracking import Endpoint, find_experiment, hard_delete_experiment

EXPERIMENT_PREFIX = "[model]"


def version_entity(ctx: Ctx, v: Version) -> dict[str, Any]:
    """ModelVersion entity: ``version`` is the global DB id, the semver is ``aliases[0]``, times in SECONDS."""
    return {
        "name": v.model.name,
        "version": str(v.id),
        "creation_timestamp": v.created_at,
        "last_updated_timestamp": v.updated_at,
        "user_id": None,
        "current_stage": "development",
        "description": v.description,
        "source": f"{ctx.web_project}/-/ml/models/{v.model.id}/versions/{v.id}",
        "run_id": v.run_id,
        "status": "READY",
        "status_message": "",
        "tags": list(v.tags),
        "run_link": "",
        "aliases": [v.semver],
    }


def model_entity(ctx: Ctx, m: Model) -> dict[str, Any]:
    """RegisteredModel entity: ``latest_versions`` is ALL versions; times in seconds."""
    return {
        "name": m.name,
        "creation_timestamp": m.created_at,
        "last_updated_timestamp": m.updated_at,
        "description": m.description,
        "user_id": str(m.user_id),
        "tags": list(m.tags),
        "latest_versions": [version_entity(ctx, v) for v in m.versions],
    }


def find_model(ctx: Ctx, name: Any) -> Model:
    model = ctx.state.models.get(name) if name else None
    if model is None:
        raise resource_not_found()
    return model


def find_version(ctx: Ctx, name: Any, semver: Any) -> Version:
    model = find_model(ctx, name)
    v = next((v for v in model.versions if v.semver == semver), None)
    if v is None:
        raise resource_not_found()
    return v


async def models_create(ctx: Ctx) -> Any:
    """Also creates the experiment ``[model]<name>``; every failure is RESOURCE_ALREADY_EXISTS."""
    name = ctx.req("name")
    description = ctx.opt("description")
    if (
        not isinstance(name, str)
        or not MODEL_NAME_RE.match(name)
        or len(name) > 255
        or name in ctx.state.models
        or (description and len(description) > 10000)
    ):
        raise resource_already_exists()
    exp_id = (await ctx.upstream.post("experiments/create", {"name": EXPERIMENT_PREFIX + name}))["experiment_id"]
    model = ctx.state.add_model(name, description, kv(ctx.opt("tags")), exp_id, ctx.user.id)
    return {"registered_model": model_entity(ctx, model)}


async def models_get(ctx: Ctx) -> Any:
    return {"registered_model": model_entity(ctx, find_model(ctx, ctx.opt("name", "")))}


async def models_update(ctx: Ctx) -> Any:
    model = find_model(ctx, ctx.opt("name"))
    model.description = ctx.opt("description")
    model.updated_at = now_s()
    return {"registered_model": model_entity(ctx, model)}


async def models_delete(ctx: Ctx) -> Any:
    model = find_model(ctx, ctx.opt("name"))
    try:
        exp = await find_experiment(ctx, iid=model.experiment_id)
        await hard_delete_experiment(ctx, exp)
    except ApiError as e:
        if e.status != 404:
            raise
    ctx.state.drop_model(model)
    return {}


async def models_latest_versions(ctx: Ctx) -> Any:
    """The highest semver (major.minor.patch, C14); ``stages`` is ignored. ``present [model.latest_version]``:
    a model without versions gives ``[null]`` (C15). A read: a Guest with the ``api`` scope may call it."""
    latest = find_model(ctx, ctx.opt("name")).latest()
    return {"model_versions": [version_entity(ctx, latest) if latest else None]}


MODEL_COLUMNS = {
    "name": "name",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "last_updated_timestamp": "updated_at",
    "id": "id",
}


async def models_search(ctx: Ctx) -> Any:
    """Only ``name='x'`` (split on ``=``, substring match); any other filter is a 400."""
    flt = ctx.opt("filter")
    needle = ""
    if flt is not None:  # model_filter_params: Ruby's split('=') and an outer-quote strip, nothing more
        parts = [p for p in str(flt).split("=")]
        while len(parts) > 1 and parts[-1] == "":
            parts.pop()  # Ruby drops trailing empty fields
        if not str(flt) or parts[0] != "name":
            raise invalid_parameter("Invalid attribute key specified. Valid keys are '{'name'}'")
        needle = re.sub(r"^(\"|')|(\"|')?$", "", parts[1]) if len(parts) > 1 else ""
    per_page = min(ctx.integer("max_results", 200), 1000)
    column, desc = parse_order_by(ctx.opt("order_by"), "name ASC")
    field = MODEL_COLUMNS.get(column, "name")
    models = [m for m in ctx.state.models.values() if needle in m.name]
    page, nxt = keyset_page(models, lambda m: (getattr(m, field), m.id), desc, ctx.opt("page_token"), per_page)
    return {"registered_models": [model_entity(ctx, m) for m in page], "next_page_token": nxt}


async def models_alias(ctx: Ctx) -> Any:
    """GET only: the alias IS the semver."""
    return {"model_version": version_entity(ctx, find_version(ctx, ctx.opt("name"), ctx.opt("alias")))}


async def versions_create(ctx: Ctx) -> Any:
    """Semver from tag ``gitlab.version`` else patch bump; ``run_id`` promotes that candidate (C18,
    ``candidate_eid: params[:run_id]``) unless ``knobs.supports_run_promotion`` is False (older GitLab)."""
    model = find_model(ctx, ctx.opt("name"))
    tags = kv(ctx.opt("tags"))
    semver = next((t["value"] for t in tags if t["key"] == "gitlab.version"), None)
    semver = semver or bump_patch(model.latest().semver if model.latest() else None)
    errors: list[str] = []
    description = ctx.opt("description")
    if not SEMVER_RE.match(semver):
        errors = ["Version must be semantic version"]
    elif any(v.semver == semver for v in model.versions):
        errors = ["Version has already been taken"]
    elif description and len(description) > 10000:
        errors = ["Description is too long (maximum is 10000 characters)"]
    elif len({t["key"] for t in tags}) != len(tags) or any(not t["key"] or not t["value"] for t in tags):
        errors = ["Validation failed: Metadata is invalid"]
    run_id = ctx.opt("run_id") if ctx.knobs.supports_run_promotion else None
    if not errors and run_id:
        errors = await _promotion_errors(ctx, model, run_id)
    if errors:
        raise invalid_parameter(errors)  # GitLab passes the service's message ARRAY through
    if not run_id:
        run = (
            await ctx.upstream.post(
                "runs/create", {"experiment_id": model.experiment_id, "start_time": 0, "user_id": str(ctx.user.id)}
            )
        )["run"]
        run_id = run["info"]["run_id"]
    ctx.state.iid_for(run_id)
    version = ctx.state.add_version(model, semver, run_id, description, tags)
    return {"model_version": version_entity(ctx, version)}


async def _promotion_errors(ctx: Ctx, model: Model, run_id: str) -> list[str]:
    try:
        run = (await ctx.upstream.get("runs/get", run_id=run_id))["run"]
    except ApiError as e:
        if e.status == 404:
            return ["Run not found"]
        raise
    if run["info"].get("lifecycle_stage", "active") != "active":
        return ["Run not found"]
    if run_id in ctx.state.version_by_run:
        return ["Run has already a model version"]
    if run["info"]["experiment_id"] != model.experiment_id:
        return ["Run's experiment does not belong to this model"]
    return []


async def versions_get(ctx: Ctx) -> Any:
    """``version`` is the SEMVER here (passing the returned numeric ``version`` back gives 404)."""
    return {"model_version": version_entity(ctx, find_version(ctx, ctx.req("name"), ctx.req("version")))}


async def versions_update(ctx: Ctx) -> Any:
    name, semver, description = ctx.opt("name"), ctx.opt("version"), ctx.opt("description")
    if not (name and semver and description):
        raise invalid_parameter()
    try:
        v = find_version(ctx, name, semver)
    except ApiError:
        raise ApiError(400, {"error_code": "UPDATE_FAILED"}) from None
    v.description = description
    v.updated_at = now_s()
    return {"model_version": version_entity(ctx, v)}


async def versions_download_uri(ctx: Ctx) -> Any:
    """Takes the integer id and echoes it (the stored GitLab version does not look it up)."""
    ctx.req("name")
    return {"artifact_uri": f"mlflow-artifacts:/{ctx.integer('version', required=True)}"}


# ``route_setting :api, write: true`` (+ ``:model_registry, write: true``): Developer only (else 401).
# Every other registry route is a read, POST get-latest-versions included (C15, C17).
WRITE_ROUTES = {
    ("POST", "registered-models/create"),
    ("PATCH", "registered-models/update"),
    ("DELETE", "registered-models/delete"),
    ("POST", "model-versions/create"),
    ("PATCH", "model-versions/update"),
}

ROUTES: dict[tuple[str, str], Endpoint] = {
    ("POST", "registered-models/create"): models_create,
    ("GET", "registered-models/get"): models_get,
    ("PATCH", "registered-models/update"): models_update,
    ("DELETE", "registered-models/delete"): models_delete,
    ("POST", "registered-models/get-latest-versions"): models_latest_versions,
    ("GET", "registered-models/search"): models_search,
    ("GET", "registered-models/alias"): models_alias,
    ("POST", "model-versions/create"): versions_create,
    ("GET", "model-versions/get"): versions_get,
    ("PATCH", "model-versions/update"): versions_update,
    ("GET", "model-versions/get-download-uri"): versions_download_uri,
}

"""Model registry views as flows: models of a backend and across backends, a model with its versions,
a version page (params, metrics, artifacts, linked items, repository, "use in notebook" code). Linked
items are stored by :mod:`.version_links`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Optional
from urllib.parse import quote

from ..client import filters, parse
from ..client.api import Api
from ..client.backend import Backend
from ..client.calls import REST, Call
from ..client.dialect import Dialect, gitlab_latest_key, is_semver, semver_key
from ..client.errors import MlopsError, NotFound
from ..client.flows import all_pages, model_versions
from ..client.models import ModelVersion, Page, RegisteredModel, Run
from . import links, users
from .aliases import NO_ALIASES, model_aliases, version_aliases
from .driver import Fanout, Job, Plan

if TYPE_CHECKING:
    from ..client.calls import Flow
    from .wire.registry import ModelPage, ModelRow, ModelsList, VersionSummary

GITLAB_MAX_UPLOAD = 10 * 1024**3  # plan limit ml_model_max_file_size (GITLAB_API.md §3.3)
HIDDEN_TAG = re.compile(r"^(mlops\.|gitlab\.version$|mlflow\.)")


def version_route(backend: str, name: str, version: str) -> str:
    return f"backends/{quote(backend, safe='')}/models/{quote(name, safe='')}/versions/{quote(version, safe='')}"


def model_web_url(
    backend: Backend,
    name: str,
    versions: list[ModelVersion] = (),  # type: ignore[assignment]
    project: Optional[str] = None,
) -> Optional[str]:
    """The model's page on the backend. GitLab: ``<project>/-/ml/models/<model_id>`` with the id from a
    version's ``source`` (C12); a model without versions links to the project's model list."""
    if backend.kind == "gitlab":
        page = next((u for u in (links.model_page_from_source(v.source, backend.url) for v in versions) if u), None)
        return page or (f"{project}/-/ml/models" if project else None)
    return None if backend.embedded else f"{backend.url}/#/models/{quote(name, safe='')}"


def version_web_url(backend: Backend, mv: ModelVersion) -> Optional[str]:
    if backend.kind == "gitlab":
        return links.web_link(mv.source, backend.url)
    return None if backend.embedded else f"{backend.url}/#/models/{quote(mv.name, safe='')}/versions/{mv.version}"


def lineage_tag(mv: ModelVersion, key: str) -> Optional[str]:
    return mv.tags.get(key) or None


def source_run(mv: ModelVersion) -> Optional[str]:
    return lineage_tag(mv, "mlops.source_run") or mv.run_id


def version_summary(
    backend: Backend,
    mv: ModelVersion,
    *,
    creator: Optional[str] = None,
    names: Optional[dict[str, str]] = None,
    run_names: Optional[dict[str, Optional[str]]] = None,
) -> VersionSummary:
    """One version row. ``creator``: who made it when the version does not say (GitLab's
    ``user_id`` is always null, C11: its backing run's user); ``names``: id -> user name;
    ``run_names``: run id -> run name (the candidate's name)."""
    src = source_run(mv)
    uid = mv.user_id or creator or None
    return {
        "version": mv.version,
        "version_id": mv.version_id,
        "semver": mv.semver,
        "created": mv.creation_timestamp,
        "last_updated": mv.last_updated_timestamp,
        "user_id": uid,
        "user_name": (names or {}).get(uid, uid) if uid else None,
        "description": mv.description,
        "status": mv.status,
        "run_id": mv.run_id,
        "candidate": {
            "backend": mv.tags.get("mlops.source_backend") or backend.name,
            "run_id": src,
            "run_name": (run_names or {}).get(src),
        }
        if src
        else None,
        "route": version_route(backend.name, mv.name, mv.version),
        "web_url": version_web_url(backend, mv),
        "aliases": version_aliases(mv, gitlab=backend.kind == "gitlab"),
    }


def _is_int(text: str) -> bool:
    """A version number a store can hold (64-bit): a larger one is looked up by name, so it is a 404."""
    return text.isascii() and text.isdigit() and int(text) < 2**63


def sort_versions(versions: list[ModelVersion]) -> list[ModelVersion]:
    """Highest semver first (semver.org §11 precedence: ``1.0.0-rc.10`` above ``1.0.0-rc.2``); versions
    without one by their integer, after. The one ordering of versions (pages, widgets, kernel)."""
    return sorted(
        versions, key=lambda v: (semver_key(v.semver), int(v.version_id) if _is_int(v.version_id) else 0), reverse=True
    )


def latest_of(versions: list[ModelVersion], dialect: Dialect) -> Optional[ModelVersion]:
    """The model's latest version as its backend sees it. GitLab: the highest major.minor.patch, the
    prerelease ignored (C14), ties going to the first in GitLab's own list; elsewhere semver.org
    precedence (:func:`parse.latest_version`)."""
    if dialect.is_gitlab and any(v.semver for v in versions):
        best: Optional[ModelVersion] = None
        for v in versions:
            if best is None or gitlab_latest_key(v.semver) > gitlab_latest_key(best.semver):
                best = v
        return best
    return parse.latest_version(versions)


def latest_version(api: Api, name: str, versions: list[ModelVersion]) -> Any:
    """Flow: :func:`latest_of`; on GitLab what ``get-latest-versions`` answers (what
    ``models:/<name>/latest`` loads), which a read-only token cannot ask (a POST): then computed."""
    local = latest_of(versions, api.dialect)
    if not api.dialect.is_gitlab or not versions:
        return local
    try:
        answer: list[ModelVersion] = yield api.get_latest_versions(name)
    except MlopsError:
        return local
    first = next(iter(answer), None)  # [null] for a model without versions (C15): parsed as []
    return (find_version(versions, first.version_id) or first) if first else local


def load_model(api: Api, name: str) -> Any:
    """``(model, versions)``, or ``(None, [])`` when the model does not exist."""
    try:
        model: RegisteredModel = yield api.get_registered_model(name)
    except NotFound:
        return None, []
    if api.dialect.is_gitlab:
        return model, model.latest_versions  # GitLab: all versions
    versions: list[ModelVersion] = yield from model_versions(api, name)
    for v in versions:  # MLflow's version search leaves aliases out: the model holds them
        v.aliases = sorted(a for a, vid in model.aliases.items() if vid == v.version_id)
    return model, versions


def find_version(versions: list[ModelVersion], version: str) -> Optional[ModelVersion]:
    """By shown version, semver, or backend id."""
    return (
        next((v for v in versions if v.version == version), None)
        or next((v for v in versions if v.semver == version), None)
        or next((v for v in versions if v.version_id == version), None)
    )


def resolve_version(api: Api, name: str, version: str) -> Any:
    """One version of ``name`` by its shown version (or semver on MLflow), else :class:`NotFound`."""
    if is_semver(version) if api.dialect.is_gitlab else _is_int(version):
        try:
            return (yield api.get_model_version(name, version))
        except NotFound:
            pass
    _model, versions = yield from load_model(api, name)
    mv = find_version(versions, version)
    if mv is None:
        raise NotFound(f"Model {name!r} has no version {version!r}.", reason="version_not_found")
    return mv


def _all_versions_call(api: Api, token: Optional[str]) -> Call[Page[ModelVersion]]:
    params: dict[str, Any] = {"max_results": 10000}
    if token:
        params["page_token"] = token
    return Call(
        "GET",
        REST + "model-versions/search",
        params=params,
        parse=lambda d: parse.page(
            [parse.model_version(v, api.dialect) for v in d.get("model_versions", [])], d.get("next_page_token")
        ),
    )


def backend_models(api: Api, backend: Backend, search: str = "", limit: int = 5000) -> Flow[list[ModelRow]]:
    """Rows of the registry table for one backend (MLflow: one unfiltered version search for all models).

    ``search`` is a case-insensitive substring: MLflow's ``ILIKE`` on the server; GitLab's filter is
    case-sensitive, so its models are listed and filtered here."""
    server_side = search if not api.dialect.is_gitlab else None
    models: list[RegisteredModel] = yield from all_pages(
        lambda tok: api.search_registered_models(name_contains=server_side or None, max_results=1000, page_token=tok),
        limit,
    )
    models = [m for m in models if filters.matches(m.name, search)]
    by_model: dict[str, list[ModelVersion]] = {}
    if api.dialect.is_gitlab:
        by_model = {m.name: m.latest_versions for m in models}
    elif models:
        versions = yield from all_pages(lambda tok: _all_versions_call(api, tok), 50000)
        for v in versions:
            by_model.setdefault(v.name, []).append(v)
    project = (yield from links.project_web(api)) if models else None
    rows = []
    for m in models:
        vs = by_model.get(m.name, [])
        latest = latest_of(vs, api.dialect)
        updated = max([m.last_updated_timestamp or 0] + [v.last_updated_timestamp or 0 for v in vs]) or None
        rows.append(
            {
                "backend": backend.name,
                "backend_kind": backend.kind,
                "name": m.name,
                "description": m.description,
                "latest_version": {"version": latest.version, "semver": latest.semver, "version_id": latest.version_id}
                if latest
                else None,
                "version_count": len(vs),
                "creation_timestamp": m.creation_timestamp,
                "last_updated_timestamp": updated,
                "updated_by": (latest.user_id if latest and latest.user_id else m.user_id) or None,
                "web_url": model_web_url(backend, m.name, vs, project),
            }
        )
    names = yield from users.user_names(api, (r["updated_by"] for r in rows))
    users.annotate(rows, names, id_key="updated_by", name_key="updated_by_name")
    return rows


def models_across(backends: dict[str, tuple[Api, Backend]], search: str = "") -> Plan[ModelsList]:
    """The registry table across backends (``{models, errors}``): every backend's rows at once, last updated
    first; a failing backend is reported in ``errors``, not fatal."""
    results = yield Fanout(
        [Job(name, backend_models(api, backend, search)) for name, (api, backend) in backends.items()]
    )
    models: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for name, res in zip(backends, results):
        if isinstance(res, MlopsError):
            errors.append({"backend": name, "message": res.message, "error": res.error})
        else:
            models.extend(res)
    if search:
        models = [m for m in models if search.lower() in m["name"].lower()]
    models.sort(key=lambda m: (-(m["last_updated_timestamp"] or 0), m["name"], m["backend"]))
    return {"models": models, "errors": errors}


def version_creators(api: Api, name: str) -> Any:
    """Flow: ``{run_id: user_id}`` of the runs behind a GitLab model's versions (its ``[model]<name>``
    experiment holds them all), since GitLab's versions carry no user (C11). Best effort: ``{}``."""
    if not api.dialect.is_gitlab:
        return {}
    try:
        exp = yield api.get_experiment_by_name(f"[model]{name}")
        runs: list[Run] = yield from all_pages(
            lambda tok: api.search_runs([exp.experiment_id], max_results=1000, page_token=tok), 10000
        )
    except MlopsError:
        return {}
    return {r.run_id: r.user_id for r in runs if r.user_id}


#: run names looked up per model page (the newest versions' candidates first)
MAX_RUN_NAMES = 25


def candidate_names(api: Api, backend: Backend, versions: list[ModelVersion]) -> Any:
    """Flow: ``{run_id: run_name}`` of the candidates of ``versions`` on this backend (the first
    :data:`MAX_RUN_NAMES`), best effort: a run that cannot be read is left out (the page shows its id)."""
    ids = [
        src
        for v in versions
        if (src := source_run(v)) and (v.tags.get("mlops.source_backend") or backend.name) == backend.name
    ]
    out: dict[str, Optional[str]] = {}
    for rid in list(dict.fromkeys(ids))[:MAX_RUN_NAMES]:
        try:
            run: Run = yield api.get_run(rid)
        except MlopsError:
            continue
        out[rid] = run.run_name or None
    return out


def model_page(api: Api, backend: Backend, name: str) -> Flow[ModelPage]:
    model, versions = yield from load_model(api, name)
    if model is None:
        raise NotFound(f"Model {name!r} does not exist on backend {backend.name!r}.", reason="model_not_found")
    project = yield from links.project_web(api)
    creators = (yield from version_creators(api, name)) if versions else {}
    ordered = sort_versions(versions)
    names = yield from users.user_names(
        api, [model.user_id] + [v.user_id or creators.get(v.run_id or "") for v in ordered]
    )
    latest = yield from latest_version(api, name, versions)
    run_names = yield from candidate_names(api, backend, ordered)
    return {
        "backend": backend.name,
        "backend_kind": backend.kind,
        "name": model.name,
        "description": model.description,
        "user_id": model.user_id,
        "user_name": names.get(model.user_id or "") or None,
        "creation_timestamp": model.creation_timestamp,
        "last_updated_timestamp": model.last_updated_timestamp,
        "web_url": model_web_url(backend, model.name, versions, project),
        "latest_version": {"version": latest.version, "semver": latest.semver, "version_id": latest.version_id}
        if latest
        else None,
        "versions": [
            version_summary(backend, v, creator=creators.get(v.run_id or ""), names=names, run_names=run_names)
            for v in ordered
        ],
        "aliases": model_aliases(ordered, gitlab=api.dialect.is_gitlab),
        "aliases_note": NO_ALIASES if api.dialect.is_gitlab else None,
        "tags": {k: v for k, v in sorted(model.tags.items()) if not HIDDEN_TAG.match(k)},
    }

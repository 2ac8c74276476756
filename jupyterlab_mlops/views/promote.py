"""Promote a candidate (run) to a semver model version, as one flow for both dialects.

Order: cheap checks (semver, description) -> the run -> the model (created on request, its name
checked against GitLab's rule) -> conflicts (version taken, run already promoted: 409 with the
existing version) -> create. Lineage goes on the version as tags. MLflow: ``model-versions/create``
with the run's model as ``source`` (its MLflow 3 logged model, an ``MLmodel`` folder, or all its
artifacts). GitLab: ``gitlab.version`` carries the semver; the run is linked by ``run_id`` when it is
in the model's ``[model]<name>`` experiment and the instance honours ``run_id`` (detected: the
answer's ``run_id`` equals ours); otherwise the version keeps its own backing run and the candidate's
params, latest metrics, tags and files are copied onto it (``path: "copy"``, said in ``notes``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..client import parse
from ..client.api import Api
from ..client.backend import Backend
from ..client.calls import REST, Call
from ..client.dialect import MODEL_NAME_RULE, SEMVER_RULE, check_model_name, check_semver, next_semver
from ..client.errors import BackendError, Conflict, InvalidInput, MlopsError, NotFound
from ..client.models import FileInfo, Metric, ModelVersion, Run
from .registry import latest_version, load_model, source_run, version_route, version_summary, version_web_url

if TYPE_CHECKING:
    from ..client.calls import Flow
    from .wire.registry import NextVersion, PromoteResult

#: version tag <- run tag
LINEAGE_FROM_RUN = {
    "mlops.snapshot_sha256": "mlops.snapshot.sha256",
    "mlops.git_commit": "mlflow.source.git.commit",
    "gitlab.CI_JOB_ID": "gitlab.CI_JOB_ID",
}
_SKIP_COPY_TAGS = ("mlflow.runName", "mlflow.user", "mlflow.log-model.history", "mlflow.loggedArtifacts")


class VersionConflict(Conflict):
    """409 whose body names the existing version (``existing``: route and web link)."""

    def __init__(self, message: str, *, reason: str, existing: dict[str, Any]) -> None:
        super().__init__(message, reason=reason)
        self.existing = existing

    def to_json(self) -> dict[str, Any]:  # type: ignore[override]
        return {**super().to_json(), "existing": self.existing}


def _existing(backend: Backend, mv: ModelVersion) -> dict[str, Any]:
    return {
        "version": mv.version,
        "version_id": mv.version_id,
        "semver": mv.semver,
        "route": version_route(backend.name, mv.name, mv.version),
        "web_url": version_web_url(backend, mv),
    }


def check_bump(bump: str) -> str:
    if bump not in ("patch", "minor", "major"):
        raise InvalidInput("bump must be patch, minor or major.", reason="invalid_bump")
    return bump


def get_model_or_check(api: Api, name: str) -> Any:
    """``(model, versions)``; a missing model's name must follow GitLab's rule (400 naming it)."""
    model, versions = yield from load_model(api, name)
    if model is None or api.dialect.is_gitlab:
        check_model_name(name)
    return model, versions


def free_semver(latest: Optional[str], taken: set[str], bump: str = "patch") -> str:
    """The ``bump`` after ``latest``, bumped again while the model already has it (GitLab's latest
    ignores prereleases, so ``1.0.0-rc.1`` may be latest beside an existing ``1.0.0``)."""
    version = next_semver(latest, bump)
    for _ in range(1000):
        if version not in taken:
            break
        version = next_semver(version, "patch")
    return version


def next_version(api: Api, name: str, bump: str = "patch") -> Flow[NextVersion]:
    check_bump(bump)
    model, versions = yield from get_model_or_check(api, name)
    latest = yield from latest_version(api, name, versions)
    base = latest.semver if latest else None
    taken = {v.semver for v in versions if v.semver}
    bumps = {b: free_semver(base, taken, b) for b in ("patch", "minor", "major")}
    return {
        "model": name,
        "exists": model is not None,
        "latest": {
            "version": latest.version,
            "semver": latest.semver,
            "version_id": latest.version_id,
            "run_id": latest.run_id,
        }
        if latest
        else None,
        "suggested": bumps[bump],
        "bumps": bumps,
        "rule": SEMVER_RULE,
        "name_rule": MODEL_NAME_RULE,
    }


def _raw_run_call(run_id: str) -> Call[tuple[Run, dict[str, Any]]]:
    return Call(
        "GET",
        REST + "runs/get",
        params={"run_id": run_id},
        parse=lambda d: (parse.run(d.get("run", {})), d.get("run", {})),
    )


def lineage_tags(run: Run, backend: Backend) -> dict[str, str]:
    tags = {
        "mlops.source_run": run.run_id,
        "mlops.source_backend": backend.name,
        "mlops.source_experiment": run.experiment_id,
    }
    tags.update({dst: run.tags[src] for dst, src in LINEAGE_FROM_RUN.items() if run.tags.get(src)})
    return {k: v[:5000] for k, v in tags.items() if v}


def mlflow_source(api: Api, run: Run, raw: dict[str, Any], choice: Optional[str] = None) -> Any:
    """``(source, model_id)``: the run's logged model, else an ``MLmodel`` folder, else all its artifacts.
    ``choice``: ``m-<id>`` registers that logged model of the run, ``artifacts`` the run's own files."""
    if choice and choice != "artifacts":
        from ..client.logged_models import get_logged_model

        chosen: dict[str, Any] = yield get_logged_model(api, choice)
        if chosen["source_run_id"] != run.run_id:
            raise InvalidInput(f"Logged model {choice} was not logged by run {run.run_id}.", reason="invalid_source")
        return f"models:/{choice}", choice
    outputs = [] if choice else (raw.get("outputs") or {}).get("model_outputs") or []
    if outputs:
        model_id = max(outputs, key=lambda o: int(o.get("step") or 0)).get("model_id")
        if model_id:
            return f"models:/{model_id}", model_id
    base = (run.artifact_uri or f"runs:/{run.run_id}").rstrip("/")
    try:
        files: list[FileInfo] = yield api.list_artifacts(run.artifact_uri)
        if any(f.path == "MLmodel" for f in files):
            return base, None
        for d in [f for f in files if f.is_dir][:5]:
            inner: list[FileInfo] = yield api.list_artifacts(run.artifact_uri, d.path)
            if any(f.path.rsplit("/", 1)[-1] == "MLmodel" for f in inner):
                return f"{base}/{d.path}", None
    except MlopsError:
        pass  # artifacts not served by the tracking server: register the run's location as is
    return base, None


def copy_candidate(api: Api, run: Run, mv: ModelVersion, notes: list[str]) -> Any:
    """GitLab fallback: the candidate's params, latest metrics, tags and files onto the version's run."""
    params = {k: v for k, v in run.params.items() if len(k) <= 250 and 0 < len(v) <= 250}
    tags = {k: v for k, v in run.tags.items() if k not in _SKIP_COPY_TAGS and len(k) <= 250 and 0 < len(v) <= 5000}
    metrics = [Metric(m.key, m.value, m.timestamp, m.step) for m in run.metrics.values()]
    skipped_tags = len(run.tags) - len(tags) - sum(k in run.tags for k in _SKIP_COPY_TAGS)
    skipped = (len(run.params) - len(params)) + skipped_tags
    target = mv.run_id or ""
    for i in range(0, len(metrics), 1000):
        yield api.log_batch(target, metrics=metrics[i : i + 1000])
    items = list(params.items())
    for i in range(0, len(items), 100):
        yield api.log_batch(target, params=dict(items[i : i + 100]))
    tag_items = list(tags.items())
    for i in range(0, len(tag_items), 100):
        try:
            yield api.log_batch(target, tags=dict(tag_items[i : i + 100]))
        except InvalidInput as exc:  # e.g. a gitlab.CI_JOB_ID of a job this project does not have
            notes.append(f"Some tags were not copied: {exc.message}")
    copied, failed = 0, []
    try:
        files: list[FileInfo] = yield api.list_artifacts(run.artifact_uri)
    except MlopsError as exc:
        files = []
        notes.append(f"The candidate's files could not be listed: {exc.message}")
    for f in files:
        if f.is_dir:
            continue
        try:  # streamed by the transport: a multi-GB file costs no memory
            yield api.copy_artifact(run.artifact_uri, f.path, f"mlflow-artifacts:/{mv.version_id}")
        except (InvalidInput, BackendError) as exc:  # e.g. over the backend's file size limit
            failed.append(f"{f.path} ({exc.message})")
            continue
        copied += 1
    notes.append(
        f"Copied {len(params)} params, {len(metrics)} metrics, {len(tags)} tags and {copied} files "
        f"from candidate {run.run_id} onto the version's run {target}"
        + (f" ({skipped} values over GitLab's limits skipped)" if skipped else "")
        + "."
    )
    if failed:
        notes.append(f"Files not copied: {'; '.join(failed)}. Upload them on the version page.")


def promote(
    api: Api,
    backend: Backend,
    name: str,
    run_id: str,
    *,
    version: Optional[str] = None,
    description: str = "",
    create_model: bool = False,
    source: Optional[str] = None,
) -> Flow[PromoteResult]:
    """Create the version; returns the answer of ``POST .../versions`` (``IPromoteResult``):
    ``{version, model, backend, path, notes, lineage}``. ``source`` (MLflow): a logged model's id or
    ``artifacts`` (default: the run's latest logged model, else its files)."""
    if source and source != "artifacts" and (api.dialect.is_gitlab or not source.startswith("m-")):
        raise InvalidInput(
            "source must be 'artifacts' or a logged model id (m-...); GitLab registers the candidate itself.",
            reason="invalid_source",
        )
    if version:
        check_semver(version)
    if len(description or "") > 10000:
        raise InvalidInput("A description has at most 10,000 characters.", reason="description_too_long")
    if not run_id:
        raise InvalidInput("run_id is required.", reason="missing_run_id")
    model, versions = yield from get_model_or_check(api, name)
    run, raw = yield _raw_run_call(run_id)
    notes: list[str] = []
    if model is None:
        if not create_model:
            raise NotFound(
                f"Model {name!r} does not exist on backend {backend.name!r}; pass create_model to create it.",
                reason="model_not_found",
            )
        try:
            yield api.create_registered_model(name)
            notes.append(f"Created model {name!r}.")
        except Conflict:
            model, versions = yield from load_model(api, name)  # created meanwhile
            if model is None:  # GitLab answers RESOURCE_ALREADY_EXISTS to every refusal (C13)
                raise InvalidInput(
                    f"Backend {backend.name!r} refused to create model {name!r} although no model of that name "
                    f"exists: GitLab answers 'already exists' for any refusal, e.g. a name outside its rule "
                    f"({MODEL_NAME_RULE}) or an experiment '[model]{name}' that exists already.",
                    reason="model_refused",
                ) from None
    done = next((v for v in versions if run_id in (v.run_id, source_run(v))), None)
    if done is not None:
        raise VersionConflict(
            f"Run {run_id} is already version {done.semver or done.version} of {name!r}.",
            reason="already_promoted",
            existing=_existing(backend, done),
        )
    if not version:
        latest = yield from latest_version(api, name, versions)
        version = free_semver(latest.semver if latest else None, {v.semver for v in versions if v.semver})
    taken = next((v for v in versions if v.semver == version), None)
    if taken is not None:
        raise VersionConflict(
            f"Model {name!r} already has version {version}.",
            reason="version_exists",
            existing=_existing(backend, taken),
        )
    tags = lineage_tags(run, backend)
    if api.dialect.is_gitlab:
        mv, path = yield from _gitlab_create(api, name, run, version, description, tags, notes)
    else:
        registered, model_id = yield from mlflow_source(api, run, raw, source)
        call = api.create_model_version(
            name, source=registered, run_id=run_id, semver=version, description=description, tags=tags
        )
        if model_id:
            call.json["model_id"] = model_id
        mv, path = (yield call), "registered"
        notes.append(f"Registered {registered} as version {mv.version} (semver {version} in tag gitlab.version).")
    return {
        "version": version_summary(backend, mv, run_names={run.run_id: run.run_name or None}),
        "model": name,
        "backend": backend.name,
        "path": path,
        "notes": notes,
        "lineage": tags,
    }


def _gitlab_create(
    api: Api, name: str, run: Run, version: str, description: str, tags: dict[str, str], notes: list[str]
) -> Any:
    try:
        exp = yield api.get_experiment(run.experiment_id)
        own = exp.name == f"[model]{name}"
    except NotFound:
        own = False
    try:
        mv: ModelVersion = yield api.create_model_version(
            name, run_id=run.run_id if own else None, semver=version, description=description, tags=tags
        )
    except InvalidInput as exc:
        if "already" in exc.message.lower() and "version" in exc.message.lower() and own:
            raise Conflict(
                f"Run {run.run_id} already backs a model version: {exc.message}", reason="already_promoted"
            ) from None
        raise
    if own and mv.run_id == run.run_id:
        notes.append(f"GitLab linked candidate {run.run_id} to version {version} (promotion by run_id).")
        return mv, "run"
    notes.append(
        f"This GitLab instance ignored run_id (no promotion through the MLflow API), so version {version} got its "
        "own run."
        if own
        else f"GitLab links only runs of the model's experiment '[model]{name}'; candidate {run.run_id} is in "
        f"experiment {run.experiment_id}, so version {version} got its own run."
    )
    yield from copy_candidate(api, run, mv, notes)
    return mv, "copy"

"""Request builders for the MLflow REST API 2.0 and GitLab's dialect of it.

Each method returns a :class:`~.calls.Call` (pure: no I/O). MLflow's quirks are handled here
once: ``max_results`` always sent, JSON content type, omitted empty lists (``.get(..., [])``).
"""

from __future__ import annotations

import math
import time
from typing import Any, Iterable, Optional, Sequence

from . import filters, parse
from .calls import ARTIFACTS, REST, Call
from .dialect import (
    Dialect,
    check_artifact_name,
    gitlab_api_root,
    gitlab_download_needs_package_api,
    gitlab_package_file,
)
from .models import Experiment, FileInfo, Metric, Page, Run
from .paths import artifact_root, join, path_problem, quote_path, safe_relpath
from .registry_calls import RegistryCalls, tags_list

#: MLflow's limits for one ``runs/log-batch`` request.
BATCH_LIMITS = {"metrics": 1000, "params": 100, "tags": 100, "total": 1000, "bytes": 1_000_000}


def now_ms() -> int:
    return int(time.time() * 1000)


def json_float(value: float) -> Any:
    """Proto3-JSON spelling of a float: MLflow's parser mangles a bare ``NaN``/``Infinity`` literal
    (and every metric after it in the batch), but accepts the strings ``"NaN"``/``"Infinity"``."""
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    return value


class Api(RegistryCalls):
    """Builds calls for one backend (``tracking_uri`` is needed only for GitLab package uploads); the model
    registry's are in :class:`.registry_calls.RegistryCalls`."""

    def __init__(self, dialect: Dialect, tracking_uri: str = "") -> None:
        self.dialect = dialect
        self.tracking_uri = tracking_uri

    # -- experiments -------------------------------------------------------------------------
    def search_experiments(
        self,
        *,
        max_results: int = 1000,
        page_token: Optional[str] = None,
        filter: Optional[str] = None,
        order_by: Optional[Sequence[str]] = None,
        name_contains: Optional[str] = None,
        view_type: Optional[str] = None,
    ) -> Call[Page[Experiment]]:
        """One page; ``name_contains`` (case-insensitive) is matched exactly here, whatever the server did.
        ``view_type``: MLflow's ``ACTIVE_ONLY`` (default), ``DELETED_ONLY`` or ``ALL`` (GitLab has no deleted ones)."""
        body: dict[str, Any] = {"max_results": min(max_results, self.dialect.max_page)}
        if view_type and not self.dialect.is_gitlab:
            body["view_type"] = view_type
        if page_token:
            body["page_token"] = page_token
        clauses = [c for c in (filter, name_contains and filters.name_contains(name_contains, self.dialect)) if c]
        if clauses and not self.dialect.is_gitlab:
            body["filter"] = " AND ".join(clauses)
        if order_by:
            body["order_by"] = order_by[0] if self.dialect.is_gitlab else list(order_by)
        return Call(
            "POST",
            REST + "experiments/search",
            json=body,
            parse=lambda d: parse.page(
                [
                    e
                    for e in map(parse.experiment, d.get("experiments", []))
                    if not name_contains or filters.matches(e.name, name_contains)
                ],
                d.get("next_page_token"),
            ),
        )

    def list_experiments(self) -> Call[list[Experiment]]:
        """``GET experiments/list`` (MLflow 1.x; GitLab keeps it): every experiment, unpaged. The one experiment
        listing a GitLab ``read_api`` token or a Reporter may use (POST searches need ``api``, GITLAB_API.md C17)."""
        return Call(
            "GET",
            REST + "experiments/list",
            parse=lambda d: [parse.experiment(e) for e in d.get("experiments", []) or []],
        )

    def get_experiment(self, experiment_id: str) -> Call[Experiment]:
        return Call(
            "GET",
            REST + "experiments/get",
            params={"experiment_id": experiment_id},
            parse=lambda d: parse.experiment(d.get("experiment", {})),
        )

    def get_experiment_by_name(self, name: str) -> Call[Experiment]:
        return Call(
            "GET",
            REST + "experiments/get-by-name",
            params={"experiment_name": name},
            parse=lambda d: parse.experiment(d.get("experiment", {})),
        )

    def create_experiment(self, name: str, tags: Optional[dict[str, str]] = None) -> Call[str]:
        body: dict[str, Any] = {"name": name}
        if tags:
            body["tags"] = tags_list(tags)
        return Call("POST", REST + "experiments/create", json=body, parse=lambda d: str(d.get("experiment_id", "")))

    def update_experiment(self, experiment_id: str, new_name: str) -> Call[dict[str, Any]]:
        """Rename (MLflow only: GitLab mounts no ``experiments/update``)."""
        return Call("POST", REST + "experiments/update", json={"experiment_id": experiment_id, "new_name": new_name})

    def delete_experiment(self, experiment_id: str) -> Call[dict[str, Any]]:
        """Soft on MLflow (restorable); a hard delete on GitLab."""
        return Call("POST", REST + "experiments/delete", json={"experiment_id": experiment_id})

    def restore_experiment(self, experiment_id: str) -> Call[dict[str, Any]]:
        return Call("POST", REST + "experiments/restore", json={"experiment_id": experiment_id})

    def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> Call[dict[str, Any]]:
        return Call(
            "POST",
            REST + "experiments/set-experiment-tag",
            json={"experiment_id": experiment_id, "key": key, "value": str(value)},
        )

    def delete_experiment_tag(self, experiment_id: str, key: str) -> Call[dict[str, Any]]:
        return Call(
            "POST", REST + "experiments/delete-experiment-tag", json={"experiment_id": experiment_id, "key": key}
        )

    # -- runs --------------------------------------------------------------------------------
    def create_run(
        self,
        experiment_id: str,
        *,
        run_name: Optional[str] = None,
        tags: Optional[dict[str, str]] = None,
        start_time: Optional[int] = None,
    ) -> Call[Run]:
        body: dict[str, Any] = {"experiment_id": experiment_id, "start_time": start_time or now_ms()}
        if run_name:
            body["run_name"] = run_name
        if tags:
            body["tags"] = tags_list(tags)
        return Call("POST", REST + "runs/create", json=body, parse=lambda d: parse.run(d.get("run", {})))

    def get_run(self, run_id: str) -> Call[Run]:
        return Call("GET", REST + "runs/get", params={"run_id": run_id}, parse=lambda d: parse.run(d.get("run", {})))

    def update_run(
        self,
        run_id: str,
        *,
        status: Optional[str] = None,
        end_time: Optional[int] = None,
        run_name: Optional[str] = None,
    ) -> Call[dict[str, Any]]:
        body: dict[str, Any] = {"run_id": run_id}
        if status:
            body["status"] = status
        if end_time is not None:
            body["end_time"] = end_time
        if run_name and not self.dialect.is_gitlab:
            body["run_name"] = run_name
        return Call("POST", REST + "runs/update", json=body)

    def delete_run(self, run_id: str) -> Call[dict[str, Any]]:
        return Call("POST", REST + "runs/delete", json={"run_id": run_id})

    def restore_run(self, run_id: str) -> Call[dict[str, Any]]:
        return Call("POST", REST + "runs/restore", json={"run_id": run_id})

    def set_tag(self, run_id: str, key: str, value: str) -> Call[dict[str, Any]]:
        return Call("POST", REST + "runs/set-tag", json={"run_id": run_id, "key": key, "value": str(value)})

    def delete_tag(self, run_id: str, key: str) -> Call[dict[str, Any]]:
        return Call("POST", REST + "runs/delete-tag", json={"run_id": run_id, "key": key})

    def log_batch(
        self,
        run_id: str,
        *,
        metrics: Iterable[Metric] = (),
        params: Optional[dict[str, Any]] = None,
        tags: Optional[dict[str, Any]] = None,
    ) -> Call[dict[str, Any]]:
        body: dict[str, Any] = {"run_id": run_id}
        ms = [{"key": m.key, "value": json_float(m.value), "timestamp": m.timestamp, "step": m.step} for m in metrics]
        if ms:
            body["metrics"] = ms
        if params:
            body["params"] = [{"key": k, "value": str(v)} for k, v in params.items()]
        if tags:
            body["tags"] = tags_list(tags)
        return Call("POST", REST + "runs/log-batch", json=body)

    def search_runs(
        self,
        experiment_ids: Sequence[str],
        *,
        filter: Optional[str] = None,
        order_by: Optional[Sequence[str]] = None,
        max_results: int = 1000,
        page_token: Optional[str] = None,
        run_view_type: Optional[str] = None,
    ) -> Call[Page[Run]]:
        """One page of runs. On GitLab only the first experiment is searched and ``filter`` is dropped:
        callers that need filtering there use :mod:`.flows`. ``run_view_type``: ``DELETED_ONLY`` lists the
        deleted runs (MLflow only)."""
        gl = self.dialect.is_gitlab
        body: dict[str, Any] = {
            "experiment_ids": list(experiment_ids[:1] if gl else experiment_ids),
            "max_results": min(max_results, self.dialect.max_page),
        }
        if filter and not gl:
            body["filter"] = filter
        if order_by:
            body["order_by"] = order_by[0] if gl else list(order_by)
        if page_token:
            body["page_token"] = page_token
        if run_view_type and not gl:
            body["run_view_type"] = run_view_type
        return Call(
            "POST",
            REST + "runs/search",
            json=body,
            parse=lambda d: parse.page([parse.run(r) for r in d.get("runs", [])], d.get("next_page_token")),
        )

    def get_metric_history(
        self, run_id: str, key: str, *, max_results: int = 25000, page_token: Optional[str] = None
    ) -> Call[Page[Metric]]:
        params: dict[str, Any] = {
            "run_id": run_id,
            "metric_key": key,
            "max_results": min(max_results, 1000 if self.dialect.is_gitlab else max_results),
        }
        if page_token:
            params["page_token"] = page_token
        return Call(
            "GET",
            REST + "metrics/get-history",
            params=params,
            parse=lambda d: parse.page([parse.metric(m) for m in d.get("metrics", [])], d.get("next_page_token")),
        )

    # -- artifacts (mlflow-artifacts proxy; GitLab's package files) ------------------------------
    def list_artifacts(self, artifact_uri: Optional[str], path: str = "") -> Call[list[FileInfo]]:
        """One directory. GitLab lists a package flat with each stored (URI-encoded) name, ``dir%2Ffile``
        (GITLAB_API.md C8): the whole decoded name is kept, so ``dir/model.pkl`` lists as itself."""
        root = artifact_root(artifact_uri)
        rel = safe_relpath(path)
        flat = self.dialect.is_gitlab and not rel

        def _parse(d: dict[str, Any]) -> list[FileInfo]:
            # a re-uploaded name is listed twice and downloads give the last (C16): one entry, the last
            files = list({f.path: f for f in map(parse.file_info, d.get("files", []))}.values())
            if flat:
                return [f for f in files if f.path and not path_problem(f.path)]
            return [
                FileInfo(
                    path=join(rel, f.path.rsplit("/", 1)[-1]) if rel else f.path.rsplit("/", 1)[-1],
                    is_dir=f.is_dir,
                    file_size=f.file_size,
                )
                for f in files
            ]

        return Call("GET", ARTIFACTS + "artifacts", params={"path": join(root, rel)}, parse=_parse)

    def artifact_store_root(self) -> Call[None]:
        """The top of the artifact store an MLflow server serves (``--serve-artifacts``): a cheap listing that
        fails while the object store behind it is down (the health check's second question)."""
        return Call("GET", ARTIFACTS + "artifacts", params={"path": ""}, parse=lambda d: None)

    def download_artifact(self, artifact_uri: Optional[str], path: str) -> Call[bytes]:
        """One file. On GitLab a name its mlflow-artifacts download cannot find (a space, C7) goes through the
        package API; sub-paths work on both (C8)."""
        root, rel = artifact_root(artifact_uri), safe_relpath(path)
        api_root = gitlab_api_root(self.tracking_uri) if self.dialect.is_gitlab else None
        if api_root and gitlab_download_needs_package_api(rel):
            return Call("GET", gitlab_package_file(api_root, root, rel), absolute=True, raw=True)
        return Call("GET", ARTIFACTS + "artifacts/" + quote_path(join(root, rel)), raw=True)

    def upload_artifact(self, artifact_uri: Optional[str], name: str, data: bytes) -> Call[Any]:
        """Upload one file. GitLab: through its package API, which takes sub-paths (C8)."""
        root = artifact_root(artifact_uri)
        if self.dialect.is_gitlab:
            check_artifact_name(name)
            url = gitlab_package_file(gitlab_api_root(self.tracking_uri) or "", root, name)
            return Call("PUT", url, body=data, absolute=True, raw=True)
        return Call("PUT", ARTIFACTS + "artifacts/" + quote_path(join(root, name)), body=data, raw=True)

    def copy_artifact(self, source_uri: Optional[str], path: str, target_uri: Optional[str]) -> Call[Any]:
        """Copy one file between artifact roots, streamed by the transport (never held in memory)."""
        upload = self.upload_artifact(target_uri, path, b"")
        upload.body_from = self.download_artifact(source_uri, path)
        return upload

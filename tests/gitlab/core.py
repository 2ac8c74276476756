"""Shared pieces of the GitLab stand-in: errors, tokens, in-memory registry state, pagination, rules."""

from __future__ import annotations

import base64
import json
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence
from urllib.parse import quote, quote_plus

# --- errors ------------------------------------------------------------------------------------


class ApiError(Exception):
    """An HTTP error answer with an exact JSON body (GitLab has several body shapes)."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body


def not_found(message: str = "404 Not Found") -> ApiError:
    """GitLab's generic 404 (unknown route, failed read permission)."""
    return ApiError(404, {"message": message})


def resource_not_found() -> ApiError:
    """``resource_not_found!`` in api_helpers.rb: the body has NO message key."""
    return ApiError(404, {"error_code": "RESOURCE_DOES_NOT_EXIST"})


def resource_already_exists() -> ApiError:
    """``resource_already_exists!``: 400 and, again, no message key."""
    return ApiError(400, {"error_code": "RESOURCE_ALREADY_EXISTS"})


def invalid_parameter(message: Any = None) -> ApiError:
    """``invalid_parameter!(message)``; also what ``rescue_from ActiveRecordError`` produces."""
    return ApiError(400, {"error_code": "INVALID_PARAMETER_VALUE", "message": message})


def bad_request(message: str | None = None) -> ApiError:
    """``bad_request!`` / ``render_api_error!(msg, 400)``."""
    return ApiError(400, {"message": message or "400 Bad request"})


def grape_error(message: str) -> ApiError:
    """A Grape parameter validation failure, e.g. ``{"error": "run_id is missing"}``."""
    return ApiError(400, {"error": message})


# --- tokens ------------------------------------------------------------------------------------


GUEST, REPORTER, DEVELOPER, MAINTAINER = 10, 20, 30, 40  # GitLab's access levels


@dataclass(frozen=True)
class User:
    id: int
    username: str
    scopes: frozenset[str]
    role: int = DEVELOPER  # project access level: Developer+ may write (write_model_*, create_package)
    name: str = ""

    @property
    def developer(self) -> bool:
        return self.role >= DEVELOPER

    @property
    def display_name(self) -> str:
        return self.name or self.username.capitalize()


@dataclass
class Job:
    """A CI job (``Ci::Build``) the stand-in knows: the target of tag ``gitlab.CI_JOB_ID`` (C4)."""

    id: int
    project_id: int
    pipeline_id: int
    pipeline_iid: int
    ref: str
    mr_iid: int | None
    user_id: int
    name: str = "train"
    stage: str = "test"
    status: str = "success"
    created_at: float = field(default_factory=time.time)


class Knobs:
    """Behaviour switches tests may flip on ``gitlab_server`` (reset after every test)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.supports_run_promotion = True  # model-versions/create links the given run_id
        self.metrics_history_supported = True  # metrics/get-history exists (404 when False)
        self.latency = 0.0  # seconds added before every answer
        self.outage: int | None = None  # answer every request with this status (e.g. 502)
        # object storage with direct download (gitlab.com's set-up, GITLAB_API.md C2): downloads answer
        # 302 to a short-lived signed URL on another host, with a redirect notice as the body
        self.object_storage = False
        self.signed_url_ttl = 60  # seconds a signed object-storage URL stays valid (C2)
        self.model_registry_enabled = True  # C9: False -> registry, mlflow-artifacts and packages 404
        self.packages_enabled = True  # C9: False -> package file endpoints 403
        self.graphql_enabled = True  # False -> /api/graphql answers 404 (an instance without it, a proxy)


@dataclass
class Ctx:
    """One request as the endpoint functions see it (Grape merges query and JSON body params)."""

    state: "State"
    upstream: Any
    knobs: Knobs
    user: User
    args: dict[str, Any]
    host_url: str  # http://127.0.0.1:PORT
    project_id: int
    project_path: str  # group/project

    def req(self, name: str) -> Any:
        v = self.args.get(name)
        if v is None:
            raise grape_error(f"{name} is missing")
        return v

    def opt(self, name: str, default: Any = None) -> Any:
        v = self.args.get(name)
        return default if v is None else v

    def integer(self, name: str, default: int | None = None, required: bool = False) -> int | None:
        v = self.req(name) if required else self.args.get(name)
        if v is None or v == "":
            return default
        try:
            return int(v)
        except (TypeError, ValueError):
            raise grape_error(f"{name} is invalid") from None

    @property
    def web_project(self) -> str:
        return f"{self.host_url}/{self.project_path}"

    @property
    def api_project(self) -> str:
        return f"{self.host_url}/api/v4/projects/{self.project_id}"


# --- rules -------------------------------------------------------------------------------------

SEMVER_RE = re.compile(
    r"\A(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?\Z"
)
# C13: Ruby's ``\w`` is ASCII-only, Python's is Unicode unless ``re.ASCII``
MODEL_NAME_RE = re.compile(r"\A@?(?>(([\w\-.+]*)/)*([\w\-.]+))@?(?>(([\w\-.+]*)/)*([\w\-.]*))\Z", re.ASCII)
FILE_NAME_RE = re.compile(r"\A[A-Za-z0-9._+ -]+\Z")


def semver_key(version: str) -> tuple[int, int, int]:
    """(major, minor, patch); prerelease/build are ignored, as in GitLab's ``latest_version``."""
    m = SEMVER_RE.match(version)
    assert m, version
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def bump_patch(latest: str | None) -> str:
    """``Ml::IncrementVersionService``: first version 1.0.0, then bump the patch of the latest."""
    if latest is None:
        return "1.0.0"
    major, minor, patch = semver_key(latest)
    return f"{major}.{minor}.{patch + 1}"


def encode_uri_component(s: str) -> str:
    """Ruby ``URI.encode_uri_component`` (how GitLab stores package file names)."""
    return quote(s, safe="-_.!~*'()")


def cgi_escape(s: str) -> str:
    """Ruby ``CGI.escape`` (what mlflow-artifacts downloads look up, C7): a space becomes ``+``."""
    return quote_plus(s, safe="")


def now_s() -> int:
    return int(time.time())


# --- keyset pagination -------------------------------------------------------------------------


def _norm(v: Any) -> list[Any]:
    """A JSON-able, totally ordered sort key part (None sorts first)."""
    return [0, 0] if v is None else [1, v]


def keyset_page(
    items: Sequence[Any], key: Callable[[Any], tuple[Any, Any]], desc: bool, token: str | None, per_page: int
) -> tuple[list[Any], str | None]:
    """Sort ``items`` by ``key`` (value, unique id), return one page after ``token`` and the next token.

    The token is an opaque base64 cursor of the last row's key, like GitLab's ``keyset_paginate``;
    it is ``None`` on the last page.
    """
    keyed = sorted(
        ((json.loads(json.dumps([_norm(k[0]), _norm(k[1])])), it) for it in items for k in [key(it)]),
        key=lambda p: p[0],
        reverse=desc,
    )
    if token:
        try:
            cursor = json.loads(base64.urlsafe_b64decode(token.encode()).decode())
        except ValueError as e:
            raise invalid_parameter(f"Invalid page token: {e}") from None
        keyed = [p for p in keyed if (p[0] < cursor if desc else p[0] > cursor)]
    page = keyed[:per_page]
    nxt = None
    if len(keyed) > per_page and page:
        nxt = base64.urlsafe_b64encode(json.dumps(page[-1][0]).encode()).decode()
    return [it for _, it in page], nxt


def parse_order_by(value: Any, default: str) -> tuple[str, bool]:
    """``model_order_params``: ``"created_at DESC"`` -> ("created_at", True); lower-cased, ASC by default.

    Grape declares ``order_by`` as a String, so an array (what MLflow's client sends) is a 400.
    """
    if value is None:
        value = default
    if not isinstance(value, str):
        raise grape_error("order_by is invalid")
    if value.strip() == "":
        return "name", False
    parts = value.lower().split()
    column = "updated_at" if parts[0] == "last_updated_timestamp" else parts[0]
    return column, len(parts) > 1 and parts[1] == "desc"


# --- registry state ----------------------------------------------------------------------------


def kv(tags: Iterable[dict[str, Any]] | None) -> list[dict[str, str]]:
    return [{"key": str(t.get("key")), "value": str(t.get("value"))} for t in (tags or [])]


@dataclass
class Version:
    id: int
    model: "Model"
    semver: str
    run_id: str
    description: str | None
    tags: list[dict[str, str]]
    created_at: int = field(default_factory=now_s)
    updated_at: int = field(default_factory=now_s)


@dataclass
class Model:
    id: int
    name: str
    description: str | None
    tags: list[dict[str, str]]
    experiment_id: str
    user_id: int
    created_at: int = field(default_factory=now_s)
    updated_at: int = field(default_factory=now_s)
    versions: list[Version] = field(default_factory=list)

    def latest(self) -> Version | None:
        """``latest_by_model`` (C14): ORDER BY semver_major, semver_minor, semver_patch DESC, prerelease
        ignored. GitLab's SQL has no tiebreak among equal major.minor.patch; the stand-in takes the
        first created (lowest id)."""
        return max(self.versions, key=lambda v: semver_key(v.semver), default=None)


@dataclass
class MetricRow:
    """One ``ml_candidate_metrics`` row: no unique index, so every logged point is a row (C6)."""

    seq: int  # the row id: ``latest`` is the highest id per key (C1)
    key: str
    value: float
    timestamp: int
    step: int

    def point(self) -> dict[str, Any]:
        return {"key": self.key, "value": self.value, "timestamp": self.timestamp, "step": self.step}


class State:
    """Everything GitLab keeps that MLflow does not: candidate iids, models, versions, package files.

    Only touched from the stand-in's event-loop thread.
    """

    def __init__(self, files_dir: Path) -> None:
        self.files_dir = Path(files_dir)
        self.files_dir.mkdir(parents=True, exist_ok=True)
        self.models: dict[str, Model] = {}
        self.versions: dict[int, Version] = {}
        self.version_by_run: dict[str, Version] = {}
        self.iid_by_run: dict[str, int] = {}
        self.run_by_iid: dict[int, str] = {}
        # runs whose ``mlflow.runName`` tag MLflow added by itself (GitLab stores only the tags sent)
        self.synthetic_run_name: set[str] = set()
        # C10: the row's ``created_at`` (creation through the stand-in, or first sight of a seeded run)
        self.created_at: dict[str, float] = {}
        self.experiment_user: dict[str, int] = {}  # experiment id -> its creator (GraphQL ``creator``)
        # C1/C6: metric rows logged through the stand-in (MLflow itself de-duplicates identical points)
        self.metric_rows: dict[str, list[MetricRow]] = {}
        # C4: CI jobs (instance-wide, like ``Ci::Build.find_by_id``) and the job a candidate is linked to
        self.jobs: dict[int, Job] = {}
        self.job_by_run: dict[str, int] = {}
        # C11: users by id (token users plus job users)
        self.users: dict[int, User] = {}
        self._next_model_id = 11
        self._next_version_id = 101
        self._next_iid = 1
        self._next_metric_seq = 1
        self._last_created = 0.0
        self._last_file_seq = 0

    # candidates
    def iid_for(self, run_id: str) -> int:
        """The candidate iid of a run (assigned on first sight, like GitLab's per-project sequence)."""
        if run_id not in self.iid_by_run:
            self.iid_by_run[run_id] = self._next_iid
            self.run_by_iid[self._next_iid] = run_id
            self._next_iid += 1
            self._last_created = max(time.time(), self._last_created + 1e-6)
            self.created_at[run_id] = self._last_created
        return self.iid_by_run[run_id]

    # metrics
    def add_metric_rows(self, run_id: str, points: Iterable[dict[str, Any]]) -> None:
        rows = self.metric_rows.setdefault(run_id, [])
        for p in points:
            rows.append(MetricRow(self._next_metric_seq, p["key"], p["value"], p["timestamp"], p["step"]))
            self._next_metric_seq += 1

    def latest_metrics(self, run_id: str, mlflow_latest: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """``latest_metrics`` (C1): one value per key, the highest row id. Keys only seeded straight into
        MLflow (no stand-in row) use MLflow's own latest value."""
        latest: dict[str, dict[str, Any]] = {}
        for m in mlflow_latest:
            latest[m["key"]] = {
                "key": m["key"],
                "value": m["value"],
                "timestamp": m.get("timestamp", 0),
                "step": m.get("step", 0),
            }
        for row in self.metric_rows.get(run_id, []):  # seq order: the last row per key wins
            latest[row.key] = row.point()
        return list(latest.values())

    def metric_history(self, run_id: str, key: str, mlflow_history: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Every row of ``key``, duplicates included (C6): points seeded straight into MLflow first, then
        the stand-in's rows in logging order."""
        rows = [r for r in self.metric_rows.get(run_id, []) if r.key == key]
        known = {(r.timestamp, r.step, r.value) for r in rows}
        seeded = [
            {"key": key, "value": m["value"], "timestamp": m.get("timestamp", 0), "step": m.get("step", 0)}
            for m in mlflow_history
            if (m.get("timestamp", 0), m.get("step", 0), m["value"]) not in known
        ]
        return seeded + [r.point() for r in rows]

    # files
    def next_file_seq(self) -> str:
        """A sortable, unique name for one package-file row (C16: a re-upload adds a row)."""
        self._last_file_seq = max(time.time_ns(), self._last_file_seq + 1)
        return f"{self._last_file_seq:020d}"

    # models
    def model_for_experiment(self, experiment_id: str) -> Model | None:
        return next((m for m in self.models.values() if m.experiment_id == experiment_id), None)

    def add_model(
        self, name: str, description: str | None, tags: list[dict[str, str]], experiment_id: str, user_id: int
    ) -> Model:
        model = Model(self._next_model_id, name, description, tags, experiment_id, user_id)
        self._next_model_id += 1
        self.models[name] = model
        return model

    def drop_model(self, model: Model) -> None:
        for v in model.versions:
            self.versions.pop(v.id, None)
            self.version_by_run.pop(v.run_id, None)
            shutil.rmtree(self.package_dir_for_version(v.id), ignore_errors=True)
        self.models.pop(model.name, None)

    def add_version(
        self, model: Model, semver: str, run_id: str, description: str | None, tags: list[dict[str, str]]
    ) -> Version:
        version = Version(self._next_version_id, model, semver, run_id, description, tags)
        self._next_version_id += 1
        model.versions.append(version)
        model.updated_at = now_s()
        self.versions[version.id] = version
        self.version_by_run[run_id] = version
        # promoting a candidate renames its package to the model version's
        cand_dir = self.files_dir / f"candidate_{self.iid_for(run_id)}"
        if cand_dir.exists():
            cand_dir.rename(self.package_dir_for_version(version.id))
        return version

    # packages
    def package_dir_for_version(self, version_id: int) -> Path:
        return self.files_dir / f"version_{version_id}"

    def package_dir(self, ref: str) -> Path:
        """Directory of the package named by ``<model_version_id>`` or ``candidate:<iid>``."""
        if ref.startswith("candidate:"):
            try:
                iid = int(ref.split(":", 1)[1])
            except ValueError:
                raise not_found() from None
            run_id = self.run_by_iid.get(iid)
            if run_id is None:
                raise not_found()
            if run_id in self.version_by_run:
                return self.package_dir_for_version(self.version_by_run[run_id].id)
            return self.files_dir / f"candidate_{iid}"
        try:
            vid = int(ref)
        except ValueError:
            raise not_found() from None
        if vid not in self.versions:
            raise not_found()
        return self.package_dir_for_version(vid)

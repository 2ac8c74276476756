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
from urllib.parse import quote

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


@dataclass(frozen=True)
class User:
    id: int
    username: str
    scopes: frozenset[str]
    developer: bool  # Developer role (write_model_*); False = Guest (read only)


class Knobs:
    """Behaviour switches tests may flip on ``gitlab_server`` (reset after every test)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.supports_run_promotion = True      # model-versions/create links the given run_id
        self.metrics_history_supported = True   # metrics/get-history exists (404 when False)
        self.latency = 0.0                      # seconds added before every answer
        self.outage: int | None = None          # answer every request with this status (e.g. 502)
        # object storage with direct download (gitlab.com's set-up, GITLAB_API.md C2): downloads answer
        # 302 to a short-lived signed URL on another host, with a redirect notice as the body
        self.object_storage = False


@dataclass
class Ctx:
    """One request as the endpoint functions see it (Grape merges query and JSON body params)."""

    state: "State"
    upstream: Any
    knobs: Knobs
    user: User
    args: dict[str, Any]
    host_url: str        # http://127.0.0.1:PORT
    project_id: int
    project_path: str    # group/project

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
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?\Z")
MODEL_NAME_RE = re.compile(
    r"\A@?(?>(([\w\-.+]*)/)*([\w\-.]+))@?(?>(([\w\-.+]*)/)*([\w\-.]*))\Z")
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


def now_s() -> int:
    return int(time.time())


# --- keyset pagination -------------------------------------------------------------------------


def _norm(v: Any) -> list[Any]:
    """A JSON-able, totally ordered sort key part (None sorts first)."""
    return [0, 0] if v is None else [1, v]


def keyset_page(items: Sequence[Any], key: Callable[[Any], tuple[Any, Any]], desc: bool,
                token: str | None, per_page: int) -> tuple[list[Any], str | None]:
    """Sort ``items`` by ``key`` (value, unique id), return one page after ``token`` and the next token.

    The token is an opaque base64 cursor of the last row's key, like GitLab's ``keyset_paginate``;
    it is ``None`` on the last page.
    """
    keyed = sorted(((json.loads(json.dumps([_norm(k[0]), _norm(k[1])])), it) for it in items
                    for k in [key(it)]), key=lambda p: p[0], reverse=desc)
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
        return max(self.versions, key=lambda v: semver_key(v.semver), default=None)


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
        self._next_model_id = 11
        self._next_version_id = 101
        self._next_iid = 1

    # candidates
    def iid_for(self, run_id: str) -> int:
        """The candidate iid of a run (assigned on first sight, like GitLab's per-project sequence)."""
        if run_id not in self.iid_by_run:
            self.iid_by_run[run_id] = self._next_iid
            self.run_by_iid[self._next_iid] = run_id
            self._next_iid += 1
        return self.iid_by_run[run_id]

    # models
    def model_for_experiment(self, experiment_id: str) -> Model | None:
        return next((m for m in self.models.values() if m.experiment_id == experiment_id), None)

    def add_model(self, name: str, description: str | None, tags: list[dict[str, str]],
                  experiment_id: str, user_id: int) -> Model:
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

    def add_version(self, model: Model, semver: str, run_id: str, description: str | None,
                    tags: list[dict[str, str]]) -> Version:
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

"""Shared by the issue-4 route tests (compare, promote, registry): a raw fetch helper that keeps
repeated query parameters and encoded path segments, and a seeder that writes runs, models and
files into either backend (MLflow or the GitLab stand-in) through the sync client."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import quote, urlencode

import pytest
from jupyter_server.utils import url_path_join

from jupyterlab_mlops.client import Backend, Metric, flows
from jupyterlab_mlops.client.models import Run
from jupyterlab_mlops.client.sync import SyncClient

#: indirect parametrization: every test of a module runs against MLflow and the GitLab stand-in
BOTH = pytest.mark.parametrize("mlops_backends", ["mlflow", "gitlab"], indirect=True)


def uniq(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass
class Reply:
    code: int
    body: bytes
    headers: Any

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@pytest.fixture
def api(jp_serverapp, http_server_client, jp_auth_header, jp_base_url):
    """``await api(path, method=, query=, body=, expect=)`` -> :class:`Reply` (never raises on status)."""

    async def call(
        path: str,
        *,
        method: str = "GET",
        query: Any = None,
        body: Any = None,
        expect: Optional[int] = 200,
        headers: Optional[dict[str, str]] = None,
        **kw: Any,
    ) -> Reply:
        url = url_path_join(jp_base_url, "jupyterlab-mlops", path)
        if query:
            url += "?" + urlencode(query, doseq=True)
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
        if body is None and method in ("POST", "PUT", "PATCH"):
            body = b""
        r = await http_server_client.fetch(
            url,
            method=method,
            body=body,
            headers={**jp_auth_header, **(headers or {})},
            raise_error=False,
            allow_nonstandard_methods=True,
            request_timeout=120,
            **kw,
        )
        reply = Reply(r.code, r.body or b"", r.headers)
        if expect is not None:
            assert r.code == expect, f"{method} {path}: {r.code} {reply.body[:1000]!r}"
        return reply

    return call


def model_path(backend: str, name: str, *rest: str) -> str:
    return "/".join([f"backends/{backend}/models/{quote(name, safe='')}", *[quote(r, safe="") for r in rest]])


class Seeder:
    """Runs, models and files in one backend, through :class:`SyncClient` (both dialects)."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.name = backend.name
        self.gitlab = backend.kind == "gitlab"
        self.client = SyncClient(backend, timeout=60)
        self.api = self.client.api

    def experiment(self, name: Optional[str] = None) -> str:
        return self.client.drive(flows.get_or_create_experiment(self.api, name or uniq("exp"))).experiment_id

    def run(
        self,
        experiment_id: Optional[str] = None,
        *,
        name: Optional[str] = None,
        params: Optional[dict[str, Any]] = None,
        metrics: Optional[dict[str, Any]] = None,
        tags: Optional[dict[str, str]] = None,
        files: Optional[dict[str, bytes]] = None,
        history: Optional[dict[str, list[float]]] = None,
        status: str = "FINISHED",
    ) -> Run:
        exp = experiment_id or self.experiment()
        run = self.client.run(self.api.create_run(exp, run_name=name or uniq("run"), tags=tags))
        now = int(time.time() * 1000)
        points = [Metric(k, float(v), now, 0) for k, v in (metrics or {}).items()]
        for k, values in (history or {}).items():
            points += [Metric(k, float(v), now + i, i) for i, v in enumerate(values)]
        if params:
            self.client.run(self.api.log_batch(run.run_id, params=params))
        for i in range(0, len(points), 1000):
            self.client.run(self.api.log_batch(run.run_id, metrics=points[i : i + 1000]))
        for fname, data in (files or {}).items():
            self.client.run(self.api.upload_artifact(run.artifact_uri, fname, data))
        if status != "RUNNING":
            self.client.run(self.api.update_run(run.run_id, status=status, end_time=now))
        return self.client.run(self.api.get_run(run.run_id))

    def model(self, name: Optional[str] = None) -> str:
        name = name or uniq("model")
        self.client.run(self.api.create_registered_model(name))
        return name

    def model_experiment(self, model: str) -> str:
        """GitLab: the model's own ``[model]<name>`` experiment (runs there can be promoted by run_id)."""
        return self.client.run(self.api.get_experiment_by_name(f"[model]{model}")).experiment_id

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def seed(mlops_backends, request) -> Any:
    """A :class:`Seeder` for the first configured backend."""
    spec = mlops_backends[0]
    token = request.getfixturevalue("gitlab_server").token if spec["kind"] == "gitlab" else None
    s = Seeder(Backend.from_uri(spec["url"], name=spec["name"], kind=spec["kind"], token=token))
    yield s
    s.close()


def assert_error(reply: Reply, status: int, *, reason: Optional[str] = None, contains: str = "") -> dict[str, Any]:
    assert reply.code == status, reply.body
    data = reply.json
    assert set(data) >= {"message", "reason", "error"}, data
    if reason:
        assert data["reason"] == reason, data
    assert contains.lower() in data["message"].lower(), data
    return data

"""A GitLab stand-in for tests: GitLab's MLflow-compatible API (per /work/shared/GITLAB_API.md) served by
tornado in a background thread, storing experiments/runs/metrics/params/tags in a real MLflow server.

    server = GitLabServer(mlflow_url, files_dir); server.start()
    requests.post(f"{server.tracking_uri}/api/2.0/mlflow/experiments/search", json={},
                  headers={"Authorization": f"Bearer {server.token}"})

The implementation lives in ``tests/gitlab/`` (core, tracking, registry, artifacts, app).

Deliberate GitLab traits (from the GitLab source, beyond the brief): RESOURCE_DOES_NOT_EXIST /
RESOURCE_ALREADY_EXISTS / UPDATE_FAILED bodies have no ``message``; model-versions/create errors carry
``message`` as a LIST of strings; Grape validation errors are ``{"error": "<param> is missing|invalid"}``;
a read_api token gets 403 ``{"error": "insufficient_scope", ...}``; ``order_by`` sent as a JSON array (what
MLflow's client does) is a 400; runs/search sorts DESC unless ``ASC`` is given, ties by id DESC; the
registered-models filter is parsed with Ruby's ``split('=')``; MLflow's self-added ``mlflow.runName`` tag
is hidden; there is no PUT on mlflow-artifacts (upload through the package API).
Simplifications: experiment ids are MLflow's ids; run ids are MLflow's 32-hex ids (GitLab uses dashed UUIDs);
models, versions, candidate iids and package files are kept in memory / a temp dir.
"""
from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from .gitlab.app import Service, make_app
from .gitlab.core import Knobs, State, User
from .gitlab.upstream import Upstream

PROJECT_ID = 42
PROJECT_PATH = "group/project"
TOKEN = "glpat-test-token-0123456789"          # Developer, scope api
READ_TOKEN = "glpat-read-token-0123456789"     # Developer, scope read_api only -> 403 on writes
GUEST_TOKEN = "glpat-guest-token-0123456789"   # Guest, scope api -> 401 on MLflow writes


class GitLabServer:
    """Runs the stand-in on 127.0.0.1 (free port) in its own thread with its own asyncio/tornado loop."""

    token = TOKEN
    read_token = READ_TOKEN
    guest_token = GUEST_TOKEN
    project_id = PROJECT_ID
    project_path = PROJECT_PATH

    def __init__(self, mlflow_url: str, files_dir: Path, host: str = "127.0.0.1") -> None:
        self.mlflow_url = mlflow_url
        self.host = host
        self.port: int | None = None
        self.knobs = Knobs()
        self.state = State(files_dir)
        self.service = Service(self.state, Upstream(mlflow_url), self.knobs, {
            TOKEN: User(1, "developer", frozenset({"api"}), developer=True),
            READ_TOKEN: User(2, "reader", frozenset({"read_api"}), developer=True),
            GUEST_TOKEN: User(3, "guest", frozenset({"api"}), developer=False),
        }, PROJECT_ID, PROJECT_PATH)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    # --- addresses ---
    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (what a GitLab instance URL would be)."""
        return f"http://{self.host}:{self.port}"

    @property
    def tracking_uri(self) -> str:
        """``{base_url}/api/v4/projects/42/ml/mlflow`` (the MLflow tracking URI GitLab documents)."""
        return f"{self.base_url}/api/v4/projects/{PROJECT_ID}/ml/mlflow"

    @property
    def tracking_uri_by_path(self) -> str:
        """The same project addressed by its URL-encoded path (``group%2Fproject``)."""
        return f"{self.base_url}/api/v4/projects/{PROJECT_PATH.replace('/', '%2F')}/ml/mlflow"

    @property
    def api_url(self) -> str:
        """MLflow REST root: ``{tracking_uri}/api/2.0/mlflow``."""
        return f"{self.tracking_uri}/api/2.0/mlflow"

    @property
    def artifacts_url(self) -> str:
        return f"{self.tracking_uri}/api/2.0/mlflow-artifacts/artifacts"

    def package_file_url(self, ref: str | int, file_name: str) -> str:
        """Package upload/download URL; ``ref`` is a model version id or ``candidate:<iid>``."""
        return f"{self.base_url}/api/v4/projects/{PROJECT_ID}/packages/ml_models/{ref}/files/{file_name}"

    def headers(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}

    # --- knobs (reset after every test by conftest) ---
    @property
    def supports_run_promotion(self) -> bool:
        return self.knobs.supports_run_promotion

    @supports_run_promotion.setter
    def supports_run_promotion(self, value: bool) -> None:
        self.knobs.supports_run_promotion = value

    @property
    def metrics_history_supported(self) -> bool:
        return self.knobs.metrics_history_supported

    @metrics_history_supported.setter
    def metrics_history_supported(self, value: bool) -> None:
        self.knobs.metrics_history_supported = value

    @property
    def latency(self) -> float:
        return self.knobs.latency

    @latency.setter
    def latency(self, value: float) -> None:
        self.knobs.latency = value

    @property
    def outage(self) -> int | None:
        return self.knobs.outage

    @outage.setter
    def outage(self, value: int | None) -> None:
        self.knobs.outage = value

    @property
    def object_storage(self) -> bool:
        """Downloads answer 302 to a signed URL on another host (``localhost``), as with object storage."""
        return self.knobs.object_storage

    @object_storage.setter
    def object_storage(self, value: bool) -> None:
        self.knobs.object_storage = value

    def reset_knobs(self) -> None:
        self.knobs.reset()

    # --- request log ---
    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every request seen: ``{method, path, query, authorization, args, status, seconds}``."""
        return self.service.requests

    def clear_requests(self) -> None:
        self.service.requests.clear()

    def candidate_iid(self, run_id: str) -> int | None:
        """GitLab's candidate iid for a run (for ``candidate:<iid>`` package refs)."""
        return self.state.iid_by_run.get(run_id)

    # --- lifecycle ---
    def start(self, timeout: float = 10.0) -> None:
        self._thread = threading.Thread(target=self._run, name="gitlab-standin", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("GitLab stand-in did not start")
        if self._error:
            raise RuntimeError("GitLab stand-in failed to start") from self._error

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as e:  # noqa: BLE001
            self._error = e
            self._ready.set()
        finally:
            loop.close()

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        sockets = bind_sockets(0, self.host)
        self.port = sockets[0].getsockname()[1]
        server = HTTPServer(make_app(self.service), max_body_size=1 << 30)
        server.add_sockets(sockets)
        self._ready.set()
        await self._stopping.wait()
        server.stop()
        await server.close_all_connections()

    def stop(self) -> None:
        if self._loop and self._stopping and self._thread and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stopping.set)
            self._thread.join(10)

    def __repr__(self) -> str:
        return f"GitLabServer({self.tracking_uri})"

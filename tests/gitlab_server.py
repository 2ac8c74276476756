"""A GitLab stand-in for tests: GitLab's MLflow-compatible API (per /work/shared/GITLAB_API.md) served by
tornado in a background thread, storing experiments/runs/metrics/params/tags in a real MLflow server.

    server = GitLabServer(mlflow_url, files_dir); server.start()
    requests.post(f"{server.tracking_uri}/api/2.0/mlflow/experiments/search", json={},
                  headers={"Authorization": f"Bearer {server.token}"})

The implementation lives in ``tests/gitlab/`` (core, tracking, registry, artifacts, platform, app) and
``tests/gitlab/object_store.py``: a SECOND server (own port, host ``localhost``) that ``object_storage=True``
downloads redirect to with a short-lived HMAC-signed URL (C2). Both servers start and stop together.

Deliberate GitLab traits (from the GitLab source, beyond the brief): RESOURCE_DOES_NOT_EXIST /
RESOURCE_ALREADY_EXISTS / UPDATE_FAILED bodies have no ``message``; model-versions/create errors carry
``message`` as a LIST of strings; Grape validation errors are ``{"error": "<param> is missing|invalid"}``;
a read_api token gets 403 ``{"error": "insufficient_scope", ...}``; ``order_by`` sent as a JSON array (what
MLflow's client does) is a 400; runs/search sorts DESC unless ``ASC`` is given, ties by id DESC; the
registered-models filter is parsed with Ruby's ``split('=')``; MLflow's self-added ``mlflow.runName`` tag
is hidden; there is no PUT on mlflow-artifacts (upload through the package API).
GITLAB_API.md §0.1 (C1-C18) is followed: see ``tests/test_gitlab_server.py``, one ``test_c<N>_...`` per trait.
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
from .gitlab.core import DEVELOPER, GUEST, REPORTER, Job, Knobs, State, User
from .gitlab.object_store import ObjectStore, make_object_store_app
from .gitlab.upstream import Upstream

PROJECT_ID = 42
PROJECT_PATH = "group/project"
TOKEN = "glpat-test-token-0123456789"  # Developer, scope api
READ_TOKEN = "glpat-read-token-0123456789"  # Developer, scope read_api only -> 403 on writes
GUEST_TOKEN = "glpat-guest-token-0123456789"  # Guest, scope api -> 401 on MLflow writes, 403 on jobs
REPORTER_TOKEN = "glpat-reporter-token-01234"  # Reporter, scope api -> reads (jobs too), 401 on MLflow writes
REPORTER_READ_TOKEN = "glpat-reporter-read-0123"  # Reporter, scope read_api
USERS = {  # token -> user (C11: numeric ids, usernames and names)
    TOKEN: User(1, "developer", frozenset({"api"}), DEVELOPER, "Dee Developer"),
    READ_TOKEN: User(2, "reader", frozenset({"read_api"}), DEVELOPER, "Ray Reader"),
    GUEST_TOKEN: User(3, "guest", frozenset({"api"}), GUEST, "Gus Guest"),
    REPORTER_TOKEN: User(4, "reporter", frozenset({"api"}), REPORTER, "Rita Reporter"),
    REPORTER_READ_TOKEN: User(5, "reporter-ro", frozenset({"read_api"}), REPORTER, "Rob Reporter"),
}


class GitLabServer:
    """Runs the stand-in on 127.0.0.1 (free port) in its own thread with its own asyncio/tornado loop."""

    token = TOKEN  # Developer, api
    read_token = READ_TOKEN  # Developer, read_api
    guest_token = GUEST_TOKEN  # Guest, api
    reporter_token = REPORTER_TOKEN  # Reporter, api
    reporter_read_token = REPORTER_READ_TOKEN  # Reporter, read_api
    tokens = {
        "developer": TOKEN,
        "read": READ_TOKEN,
        "guest": GUEST_TOKEN,
        "reporter": REPORTER_TOKEN,
        "reporter_read": REPORTER_READ_TOKEN,
    }
    project_id = PROJECT_ID
    project_path = PROJECT_PATH

    def __init__(self, mlflow_url: str, files_dir: Path, host: str = "127.0.0.1") -> None:
        self.mlflow_url = mlflow_url
        self.host = host
        self.port: int | None = None
        self.object_storage_port: int | None = None
        self.knobs = Knobs()
        self.state = State(files_dir)
        for user in USERS.values():
            self.state.users[user.id] = user
        self.service = Service(self.state, Upstream(mlflow_url), self.knobs, dict(USERS), PROJECT_ID, PROJECT_PATH)
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

    @property
    def project_url(self) -> str:
        """``GET {base_url}/api/v4/projects/42`` (C12): GitLab's project JSON."""
        return f"{self.base_url}/api/v4/projects/{PROJECT_ID}"

    @property
    def web_url(self) -> str:
        """The project's web page ``{base_url}/group/project`` (what the project JSON's ``web_url`` says)."""
        return f"{self.base_url}/{PROJECT_PATH}"

    @property
    def object_storage_url(self) -> str:
        """The second server (C2): ``http://localhost:<its own port>``; signed URLs point below it."""
        return f"http://localhost:{self.object_storage_port}"

    def user_url(self, user_id: int | str) -> str:
        return f"{self.base_url}/api/v4/users/{user_id}"

    def job_url(self, job_id: int | str) -> str:
        return f"{self.project_url}/jobs/{job_id}"

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

    @property
    def signed_url_ttl(self) -> float:
        """Seconds an object-storage URL stays valid (default 60; <= 0 gives already-expired URLs)."""
        return self.knobs.signed_url_ttl

    @signed_url_ttl.setter
    def signed_url_ttl(self, value: float) -> None:
        self.knobs.signed_url_ttl = value

    @property
    def model_registry_enabled(self) -> bool:
        """C9: False -> registered-models/model-versions, mlflow-artifacts and package files answer 404."""
        return self.knobs.model_registry_enabled

    @model_registry_enabled.setter
    def model_registry_enabled(self, value: bool) -> None:
        self.knobs.model_registry_enabled = value

    @property
    def packages_enabled(self) -> bool:
        """C9: False -> package file GET/PUT answer 403 (mlflow-artifacts still serve)."""
        return self.knobs.packages_enabled

    @packages_enabled.setter
    def packages_enabled(self, value: bool) -> None:
        self.knobs.packages_enabled = value

    def reset_knobs(self) -> None:
        self.knobs.reset()

    # --- CI jobs and users (C4, C11) ---
    def add_user(self, user_id: int, username: str, name: str = "") -> dict[str, Any]:
        """A user ``GET /users/:id`` knows (no token). Returns ``{id, username, name}``."""
        self.state.users[user_id] = User(user_id, username, frozenset(), GUEST, name)
        return {"id": user_id, "username": username, "name": self.state.users[user_id].display_name}

    def add_job(
        self,
        job_id: int,
        pipeline_id: int | None = None,
        ref: str | None = None,
        mr_iid: int | None = None,
        user: int | str | dict[str, Any] = 1,
        *,
        name: str = "train",
        stage: str = "test",
        status: str = "success",
        pipeline_iid: int | None = None,
        project_id: int = PROJECT_ID,
    ) -> dict[str, Any]:
        """Register a CI job: tag ``gitlab.CI_JOB_ID=<job_id>`` then links the run instead of failing with
        500, and ``GET /projects/<project_id>/jobs/<job_id>`` shows it. ``user``: a user id, a username
        of a known user, or ``{"id", "username", "name"}`` (added). ``mr_iid``: a merge-request pipeline
        (ref ``refs/merge-requests/<iid>/head`` unless ``ref`` is given). Returns the job's JSON."""
        if isinstance(user, dict):
            uid = int(user["id"])
            self.add_user(uid, str(user.get("username") or f"user{uid}"), str(user.get("name") or ""))
        elif isinstance(user, str) and not user.isdigit():
            uid = next(u.id for u in self.state.users.values() if u.username == user)
        else:
            uid = int(user)
        pipeline_id = pipeline_id if pipeline_id is not None else 1000 + job_id
        if ref is None:
            ref = f"refs/merge-requests/{mr_iid}/head" if mr_iid is not None else "main"
        job = Job(
            job_id,
            project_id,
            pipeline_id,
            pipeline_iid if pipeline_iid is not None else pipeline_id % 1000 + 1,
            ref,
            mr_iid,
            uid,
            name,
            stage,
            status,
        )
        self.state.jobs[job_id] = job
        from .gitlab.core import Ctx
        from .gitlab.platform import job_json

        ctx = Ctx(self.state, None, self.knobs, USERS[TOKEN], {}, self.base_url, PROJECT_ID, PROJECT_PATH)
        return job_json(ctx, job)

    def run_job(self, run_id: str) -> int | None:
        """The CI job id a run was linked to through ``gitlab.CI_JOB_ID`` (``candidate.ci_build``)."""
        return self.state.job_by_run.get(run_id)

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
        # C2: the object store is another server, on its own port and host name (localhost, v4 and v6)
        store_sockets = bind_sockets(0, "localhost")
        self.object_storage_port = store_sockets[0].getsockname()[1]
        store: ObjectStore = self.service.store
        store.base_url = self.object_storage_url
        store_server = HTTPServer(make_object_store_app(store))
        store_server.add_sockets(store_sockets)
        self._ready.set()
        await self._stopping.wait()
        for srv in (server, store_server):
            srv.stop()
            await srv.close_all_connections()

    def stop(self) -> None:
        if self._loop and self._stopping and self._thread and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stopping.set)
            self._thread.join(10)

    def __repr__(self) -> str:
        return f"GitLabServer({self.tracking_uri})"

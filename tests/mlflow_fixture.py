"""A real ``mlflow server`` process for tests, plus a tiny REST helper for seeding data.

Nothing here imports ``jupyterlab_mlops``: the helpers talk plain HTTP so they stay independent of
the code under test.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Iterable

import requests

MLFLOW_ENV = {"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false", "MLFLOW_DISABLE_TELEMETRY": "true"}
# The environment as it was at collection time: session fixtures may be first created inside a test
# whose function-scoped fixtures (pytest-jupyter's jp_environ, monkeypatch) changed os.environ.
_BASE_ENV = dict(os.environ)


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that was free a moment ago (bind to port 0)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def unique(prefix: str = "t") -> str:
    """A short unique name such as ``t-3f9a1c2b`` (tests share one server per session)."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class MlflowServer:
    """One ``mlflow server`` (SQLite + local artifact store) that can be stopped and started again.

    ``start()`` after ``stop()`` reuses the same port, database and artifact directory, so fault
    tests can take the server away and bring it back with the data intact.
    """

    def __init__(
        self,
        data_dir: Path,
        host: str = "127.0.0.1",
        port: int | None = None,
        startup_timeout: float = 120.0,
        artifacts_destination: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.host = host
        self.port = port or free_port(host)
        self.db_path = self.data_dir / "mlflow.db"
        self.artifacts_dir = self.data_dir / "artifacts"
        self.artifacts_destination = artifacts_destination or str(self.artifacts_dir)  # e.g. s3://bucket/x
        self.env = dict(env or {})
        self.log_path = self.data_dir / "mlflow-server.log"
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.closed = False
        self.starts = 0

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:PORT`` (REST root is ``{url}/api/2.0/mlflow``)."""
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def running(self) -> bool:
        """True while the process we started is alive (not necessarily healthy)."""
        return self.proc is not None and self.proc.poll() is None

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--backend-store-uri",
            self.store_uri,
            "--artifacts-destination",
            self.artifacts_destination,
            *self.extra_flags,
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]

    #: MLflow's workers and flags beyond the store, artifacts and address (subclasses change them)
    workers = 1
    extra_flags: tuple[str, ...] = ()

    @property
    def store_uri(self) -> str:
        return f"sqlite:///{self.db_path}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "<no log>"

    def healthy(self, timeout: float = 2.0) -> bool:
        try:
            return requests.get(f"{self.url}/health", timeout=timeout).status_code == 200
        except requests.RequestException:
            return False

    def start(self) -> None:
        """Start the server (no-op if running) and block until ``/health`` answers 200."""
        if self.running:
            return
        self.closed = False
        env = {**_BASE_ENV, **MLFLOW_ENV, **self.env}
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start #{self.starts + 1} at {time.strftime('%X')} =====\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                self.command(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=self.data_dir,
                start_new_session=True,
            )
        self.starts += 1
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"mlflow server exited with {self.proc.returncode}; log tail ({self.log_path}):\n{self.log_tail()}"
                )
            if self.healthy(timeout=1.0):
                return
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(
            f"mlflow server not healthy after {self.startup_timeout} s; log tail ({self.log_path}):\n{self.log_tail()}"
        )

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the server's process group, SIGKILL it if it has not gone after ``timeout``."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            _signal_group(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                _signal_group(proc.pid, signal.SIGKILL)
                proc.wait(5)
        _signal_group(proc.pid, signal.SIGKILL)  # stragglers left in the group, if any

    def close(self) -> None:
        """Final teardown: stop and remember not to restart."""
        self.closed = True
        self.stop()

    def __repr__(self) -> str:
        return f"MlflowServer({self.url}, running={self.running}, log={self.log_path})"


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class MlflowRest:
    """Minimal requests-based MLflow REST client, for seeding test data only."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.api = f"{self.url}/api/2.0/mlflow"
        self.timeout = timeout
        self.session = requests.Session()

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return _json(self.session.post(f"{self.api}/{path}", json=body, timeout=self.timeout))

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        return _json(self.session.get(f"{self.api}/{path}", params=params, timeout=self.timeout))

    def create_experiment(self, name: str | None = None, tags: dict[str, str] | None = None) -> str:
        body: dict[str, Any] = {"name": name or unique("exp")}
        if tags:
            body["tags"] = _kv(tags)
        return self.post("experiments/create", body)["experiment_id"]

    def create_run(
        self,
        experiment_id: str,
        run_name: str | None = None,
        tags: dict[str, str] | None = None,
        start_time: int | None = None,
    ) -> dict[str, Any]:
        """Create a run and return the full ``run`` object (``run["info"]["run_id"]``)."""
        body: dict[str, Any] = {
            "experiment_id": str(experiment_id),
            "start_time": start_time if start_time is not None else int(time.time() * 1000),
        }
        if run_name:
            body["run_name"] = run_name
        if tags:
            body["tags"] = _kv(tags)
        return self.post("runs/create", body)["run"]

    def log_batch(
        self,
        run_id: str,
        metrics: Iterable[dict[str, Any]] | dict[str, float] = (),
        params: dict[str, str] | None = None,
        tags: dict[str, str] | None = None,
    ) -> None:
        """``metrics`` is a ``{key: value}`` dict (step 0, now) or a list of full metric dicts."""
        now = int(time.time() * 1000)
        if isinstance(metrics, dict):
            metrics = [{"key": k, "value": v, "timestamp": now, "step": 0} for k, v in metrics.items()]
        else:
            metrics = [{"timestamp": now, "step": 0, **m} for m in metrics]
        self.post(
            "runs/log-batch",
            {"run_id": run_id, "metrics": list(metrics), "params": _kv(params or {}), "tags": _kv(tags or {})},
        )

    def finish_run(self, run_id: str, status: str = "FINISHED") -> None:
        self.post("runs/update", {"run_id": run_id, "status": status, "end_time": int(time.time() * 1000)})

    def get_run(self, run_id: str) -> dict[str, Any]:
        return self.get("runs/get", run_id=run_id)["run"]

    def upload_artifact(self, run: dict[str, Any], path: str, data: bytes) -> None:
        """PUT a run artifact through the server's artifact proxy (``mlflow-artifacts:/`` runs only)."""
        uri = run["info"]["artifact_uri"]
        assert uri.startswith("mlflow-artifacts:/"), uri
        rel = uri[len("mlflow-artifacts:/") :].lstrip("/")
        r = self.session.put(
            f"{self.url}/api/2.0/mlflow-artifacts/artifacts/{rel}/{path}", data=data, timeout=self.timeout
        )
        r.raise_for_status()

    def create_registered_model(self, name: str | None = None) -> str:
        name = name or unique("model")
        self.post("registered-models/create", {"name": name})
        return name

    def create_model_version(self, name: str, run_id: str, source: str | None = None) -> dict[str, Any]:
        return self.post(
            "model-versions/create", {"name": name, "run_id": run_id, "source": source or f"runs:/{run_id}/model"}
        )["model_version"]


def _json(r: requests.Response) -> dict[str, Any]:
    if r.status_code != 200:
        raise AssertionError(f"seeding call {r.request.method} {r.url} failed: {r.status_code} {r.text[:500]}")
    return r.json()


def _kv(d: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": str(v)} for k, v in d.items()]

"""The embedded backend recovers (issue 14, item 8), against real processes: a real ``mlflow server`` child
under a real Jupyter server, killed until the restart budget is spent, then restarted by ``POST restart``;
a backend that accepts connections and never answers; the cause of a failure read from the server's log."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_mlops.server.embedded import EmbeddedBackend

from .test_embedded import LOG, gone, wait_for

ENV = {"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false", "MLFLOW_DISABLE_TELEMETRY": "true"}
#: a "server" that accepts connections on its port (argv[1]) and never answers
HUNG = [
    sys.executable,
    "-c",
    "import socket, sys, time\n"
    "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(64)\n"
    "conns = []\n"
    "while True: conns.append(s.accept())",
]


@pytest.fixture
def mlops_backends() -> list[dict[str, Any]]:
    return []


@pytest.fixture
def mlops_embedded() -> bool:
    return True


@pytest.fixture
def mlops_app_config(tmp_path: Path) -> dict[str, Any]:
    return {
        "embedded_data_dir": str(tmp_path / "embedded"),
        "embedded_max_restarts": 5,
        "embedded_restart_window": 600.0,
    }


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_TOKEN", "MLOPS_EMBEDDED_URI"):
        monkeypatch.delenv(var, raising=False)
    for var, value in ENV.items():
        monkeypatch.setenv(var, value)


async def _status(jp_fetch: Any) -> dict[str, Any]:
    return json.loads((await jp_fetch("jupyterlab-mlops", "status")).body)["backends"][0]


async def _wait_status(
    jp_fetch: Any, pred: Callable[[dict[str, Any]], bool], timeout: float, what: str
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        backend = await _status(jp_fetch)
        if pred(backend):
            return backend
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: {backend}")
        await asyncio.sleep(0.25)


async def test_killed_six_times_fails_with_cause_then_restart_recovers(
    jp_serverapp: Any, jp_fetch: Any, tmp_path: Path
) -> None:
    (ext,) = jp_serverapp.extension_manager.extension_apps["jupyterlab_mlops"]
    eb = ext._embedded
    assert eb.max_restarts == 5 and eb.restart_window == 600.0  # the traits reach the supervisor
    eb.backoff_base, eb.health_interval = 0.05, 0.5
    await ext._start_jupyter_server_extension(jp_serverapp)  # pytest-jupyter does not call it
    try:
        await _wait_status(jp_fetch, lambda b: b["health"] == "healthy", 120, "healthy")
        for kill in range(1, 7):
            if kill == 6:  # the last child serves (and logs) /health before it dies
                await _wait_status(jp_fetch, lambda b: b["health"] == "healthy", 120, "healthy before kill 6")
                await wait_for(
                    lambda: "GET /health" in eb.log_path.read_text(errors="replace"), 30, "access lines in the log"
                )
            pid = eb.pid
            os.killpg(pid, signal.SIGKILL)
            await wait_for(lambda: eb.pid != pid or eb.health == "failed", 30, f"the reaction to kill {kill}")
            assert (eb.health == "failed") == (kill == 6), (kill, eb.message)

        backend = await _status(jp_fetch)
        message = backend["message"]
        print(f"\nfailed: {message}")
        assert backend["health"] == "failed" and backend["restartable"] is True
        assert "after 5 restarts in 10 min" in message and "exit code -9 (SIGKILL)" in message, message
        assert len(message.splitlines()) <= 2 and "GET /health" not in message, message
        assert backend["log_path"] == str(tmp_path / "embedded" / "mlflow-server.log")
        assert backend["log_path"] in message and backend["restarts"] == 5 and backend["down_for_s"] >= 0

        log = json.loads(
            (await jp_fetch("jupyterlab-mlops", "backends", "default", "log", params={"lines": "50"})).body
        )
        assert log["path"] == backend["log_path"] and "GET /health" in log["text"]
        assert len(log["text"].splitlines()) <= 50

        answer = await jp_fetch("jupyterlab-mlops", "backends", "default", "restart", method="POST", body="{}")
        restarted = json.loads(answer.body)
        assert restarted["health"] == "starting" and restarted["restarts"] == 0, restarted
        back = await _wait_status(jp_fetch, lambda b: b["health"] != "starting", 120, "the restart")
        assert back["health"] == "healthy" and back["cause"] is None and back["restarts"] == 0, back
        experiments = json.loads((await jp_fetch("jupyterlab-mlops", "backends", "default", "experiments")).body)
        assert any(e["name"] == "Default" for e in experiments["experiments"]), experiments

        with pytest.raises(HTTPClientError) as unknown:
            await jp_fetch("jupyterlab-mlops", "backends", "nope", "restart", method="POST", body="{}")
        assert unknown.value.code == 404
    finally:
        await eb.stop()


class TestNotEmbedded:
    @pytest.fixture
    def mlops_backends(self, mlflow_backend: dict[str, Any]) -> list[dict[str, Any]]:
        return [mlflow_backend]

    @pytest.fixture
    def mlops_embedded(self) -> bool:
        return False

    @pytest.mark.parametrize(("method", "route"), [("POST", "restart"), ("GET", "log")])
    async def test_a_remote_backend_is_refused_with_a_message(self, jp_fetch: Any, method: str, route: str) -> None:
        name = json.loads((await jp_fetch("jupyterlab-mlops", "status")).body)["backends"][0]["name"]
        with pytest.raises(HTTPClientError) as refused:
            await jp_fetch(
                "jupyterlab-mlops",
                "backends",
                name,
                route,
                method=method,
                **({"body": "{}"} if method == "POST" else {}),
            )
        assert refused.value.code == 400
        body = json.loads(refused.value.response.body)
        assert body["reason"] == "not_embedded" and "not the embedded MLflow server" in body["message"], body


def _hung_seconds(message: str) -> int:
    found = re.search(r"not answering /health for (\d+) s", message)
    return int(found.group(1)) if found else -1


def test_hung_backend_is_reported_as_not_answering_health(tmp_path: Path) -> None:
    """A server that accepts connections and never answers: "not answering /health for N s"; restart kills it."""
    eb = EmbeddedBackend(tmp_path, log=LOG, health_interval=0.5, startup_timeout=120)
    eb.command = [*HUNG, str(eb.port)]

    async def main() -> None:
        eb.start()
        first = eb.pid
        await wait_for(lambda: "not answering /health for" in eb.message, 30, "the hung note")
        print(f"\n{eb.message}")
        assert eb.health == "starting" and str(first) in eb.message
        await wait_for(lambda: _hung_seconds(eb.message) >= 5, 30, "the note counting")
        await eb.restart()
        assert eb.pid != first and gone(first) and eb.health == "starting"
        assert eb.message.startswith("starting MLflow")
        await eb.stop()

    try:
        asyncio.run(main())
    finally:
        eb.stop_sync()


def test_cause_is_the_server_logs_error_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real ``mlflow server`` whose port is taken: the cause is uvicorn's ERROR line, the log path follows."""
    for var, value in ENV.items():
        monkeypatch.setenv(var, value)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    eb = EmbeddedBackend(tmp_path, log=LOG, port=taken.getsockname()[1], max_restarts=0, health_interval=0.5)

    async def main() -> None:
        eb.start()
        await wait_for(lambda: eb.health == "failed", 90, "failed")
        print(f"\n{eb.message}")
        why, cause = eb.message.splitlines()
        assert why.startswith("failed: MLflow server stopped (exit code") and "after 0 restarts" in why
        assert "address already in use" in cause and f"(full log: {eb.log_path})" in cause
        assert eb.snapshot()["cause"] in cause and "address already in use" in eb.log_tail(50)
        await eb.stop()

    try:
        asyncio.run(main())
    finally:
        eb.stop_sync()
        taken.close()

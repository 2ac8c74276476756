"""Status and the pass-through proxy against the GitLab stand-in, a dead backend, and the stock
``mlflow`` client pointed at the proxy."""

from __future__ import annotations

import json
import logging
import socket

import pytest
from tornado.httpclient import HTTPClientError


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


DEAD = [{"name": "dead", "kind": "mlflow", "url": f"http://127.0.0.1:{_closed_port()}"}]


def _assert_no_secret(text: str, secret: str) -> None:
    assert secret not in text, "a backend token leaked"


@pytest.mark.parametrize("mlops_backends", ["mlflow+gitlab"], indirect=True)
async def test_status_lists_backends_without_secrets(jp_fetch, gitlab_server):
    resp = await jp_fetch("jupyterlab-mlops", "status")
    body = resp.body.decode()
    _assert_no_secret(body, gitlab_server.token)
    data = json.loads(body)
    assert data["default_backend"] == "default"
    by_name = {b["name"]: b for b in data["backends"]}
    assert by_name["default"]["kind"] == "mlflow" and by_name["default"]["health"] == "healthy"
    assert by_name["gitlab"]["kind"] == "gitlab" and by_name["gitlab"]["health"] == "healthy"
    assert by_name["gitlab"]["capabilities"]["run_filter"] is False
    assert data["spool"]["depth"] == 0


@pytest.mark.parametrize("mlops_backends", ["gitlab"], indirect=True)
async def test_proxy_adds_token_and_never_returns_it(jp_fetch, gitlab_server, caplog):
    caplog.set_level(logging.DEBUG)
    resp = await jp_fetch(
        "jupyterlab-mlops",
        "backends",
        "gitlab",
        "mlflow",
        "api",
        "2.0",
        "mlflow",
        "experiments",
        "create",
        method="POST",
        body=json.dumps({"name": f"proxy-{gitlab_server.token[-4:]}-x"}),
        headers={"Content-Type": "application/json"},
    )
    assert resp.code == 200
    for value in resp.headers.get_all():
        _assert_no_secret(str(value), gitlab_server.token)
    _assert_no_secret(resp.body.decode(), gitlab_server.token)
    # a GitLab error answered through the proxy keeps its status and stays token-free
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch(
            "jupyterlab-mlops",
            "backends",
            "gitlab",
            "mlflow",
            "api",
            "2.0",
            "mlflow",
            "runs",
            "get",
            params={"run_id": "does-not-exist"},
        )
    assert err.value.code == 404
    _assert_no_secret(err.value.response.body.decode(), gitlab_server.token)
    _assert_no_secret(caplog.text, gitlab_server.token)


@pytest.mark.parametrize("mlops_backends", [DEAD], indirect=True)
async def test_dead_backend_is_503_naming_it(jp_fetch):
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch(
            "jupyterlab-mlops",
            "backends",
            "dead",
            "mlflow",
            "api",
            "2.0",
            "mlflow",
            "experiments",
            "search",
            method="POST",
            body=json.dumps({"max_results": 1}),
        )
    assert err.value.code == 503
    body = json.loads(err.value.response.body)
    assert "dead" in body["message"] and body["error"] == "backend_unreachable"
    status = json.loads((await jp_fetch("jupyterlab-mlops", "status")).body)
    assert status["backends"][0]["health"] == "unreachable"


@pytest.mark.parametrize(
    "mlops_backends",
    [
        lambda r: [
            {
                "name": "gitlab",
                "kind": "gitlab",
                "url": r.getfixturevalue("gitlab_server").tracking_uri,
                "token": "glpat-wrong-token",
            }
        ]
    ],
    indirect=True,
)
async def test_gitlab_bad_token_message(jp_fetch):
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch(
            "jupyterlab-mlops",
            "backends",
            "gitlab",
            "mlflow",
            "api",
            "2.0",
            "mlflow",
            "experiments",
            "search",
            method="POST",
            body=json.dumps({"max_results": 1}),
        )
    assert err.value.code == 401 or err.value.code == 502
    body = json.loads(err.value.response.body)
    assert "api" in body["message"] and "Developer" in body["message"]
    assert "glpat-wrong-token" not in err.value.response.body.decode()


STOCK_SCRIPT = """
import mlflow, os, tempfile
mlflow.set_experiment("stock-through-proxy")
with mlflow.start_run() as run:
    mlflow.log_param("lr", 0.1)
    for i in range(5):
        mlflow.log_metric("loss", 1.0 / (i + 1), step=i)
    path = os.path.join(tempfile.mkdtemp(), "notes.txt")
    open(path, "w").write("hi")
    mlflow.log_artifact(path)
print(run.info.run_id)
"""


async def test_stock_mlflow_client_through_proxy(
    jp_serverapp, http_server_client, jp_base_url, jp_http_port, mlflow_rest
):
    """The stock ``mlflow`` client, pointed at the proxy with the Jupyter token, works unchanged."""
    import asyncio
    import os
    import sys

    uri = f"http://127.0.0.1:{jp_http_port}{jp_base_url}jupyterlab-mlops/backends/default/mlflow"
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": uri,
        "MLFLOW_TRACKING_TOKEN": jp_serverapp.identity_provider.token,
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", STOCK_SCRIPT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode()[-2000:]
    run_id = out.decode().strip().splitlines()[-1]
    run = mlflow_rest.get("runs/get", run_id=run_id)["run"]
    assert {p["key"]: p["value"] for p in run["data"]["params"]} == {"lr": "0.1"}
    exp_id = run["info"]["experiment_id"]
    files = mlflow_rest.session.get(
        f"{mlflow_rest.url}/api/2.0/mlflow-artifacts/artifacts", params={"path": f"{exp_id}/{run_id}/artifacts"}
    ).json()
    assert [f["path"] for f in files.get("files", [])] == ["notes.txt"]


@pytest.mark.parametrize("mlops_backends", ["mlflow+gitlab"], indirect=True)
async def test_status_does_not_wait_for_a_hanging_backend(jp_fetch, gitlab_server):
    import time

    gitlab_server.latency = 4.0
    started = time.monotonic()
    data = json.loads((await jp_fetch("jupyterlab-mlops", "status")).body)
    elapsed = time.monotonic() - started
    by_name = {b["name"]: b for b in data["backends"]}
    assert by_name["gitlab"]["health"] == "starting"  # still being checked, not blocking
    assert by_name["default"]["health"] == "healthy"
    assert elapsed < 3.0, f"status waited {elapsed:.1f} s for a hanging backend"


def test_a_healthy_backend_is_probed_only_when_no_view_heard_from_it_lately():
    """The status poll costs the backend nothing while the views' own requests say it answers; an unhealthy one
    is probed every HEALTH_TTL; a full probe (the artifact store too) comes at least every PROBE_MAX_AGE."""
    from jupyterlab_mlops.server.backends import HEALTH_TTL, HEALTHY_TTL, PROBE_MAX_AGE, Entry, Health

    entry = Entry(backend=None, client=None)  # type: ignore[arg-type]
    entry.health = Health("healthy", "connected", checked_at=1000.0)
    assert not entry.stale(1000.0 + HEALTHY_TTL - 1)
    assert entry.stale(1000.0 + HEALTHY_TTL)
    entry.answered_at = 1000.0 + HEALTHY_TTL - 1  # a view's request was answered
    assert not entry.stale(1000.0 + HEALTHY_TTL + 5)
    entry.answered_at = 1000.0 + PROBE_MAX_AGE - 1
    assert entry.stale(1000.0 + PROBE_MAX_AGE)
    entry.health = Health("unreachable", "no answer", checked_at=1000.0)
    entry.answered_at = 0.0
    assert not entry.stale(1000.0 + HEALTH_TTL - 1) and entry.stale(1000.0 + HEALTH_TTL)

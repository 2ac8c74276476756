"""Every route refuses unauthenticated requests; the proxy forwards only the allow-list and
never leaks a token."""

from __future__ import annotations

import json
import re

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_mlops.server.allowlist import refusal
from jupyterlab_mlops.server.routes import handlers

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
SAMPLE = {
    "backend": "default",
    "path": "api/2.0/mlflow/experiments/search",
    "name": "m",
    "version": "1",
    "run_id": "abc",
    "experiment_id": "1",
    "model": "m",
}


def _sample_url(pattern: str) -> str:
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: SAMPLE.get(m.group(1), "x"), pattern)
    return url.replace("\\", "")


def _our_rules(app) -> list[tuple[str, type]]:
    """Every (pattern, handler) of our namespace, walking tornado's nested routers."""
    out, stack = [], [app.default_router, app.wildcard_router]
    while stack:
        for rule in stack.pop().rules:
            if hasattr(rule.target, "rules"):
                stack.append(rule.target)
                continue
            regex = getattr(rule.matcher, "regex", None)
            if regex is not None and "jupyterlab-mlops" in regex.pattern:
                out.append((regex.pattern, rule.target))
    return out


async def test_every_route_refuses_unauthenticated(jp_serverapp, http_server_client):
    rules = _our_rules(jp_serverapp.web_app)
    assert len(rules) == len(handlers()), "every route of routes.handlers() is registered"
    checked = 0
    for pattern, handler in rules:
        path = _sample_url(pattern.rstrip("$"))
        for method in METHODS:
            if not hasattr(handler, method.lower()) or getattr(handler, method.lower()) is getattr(
                __import__("tornado.web").web.RequestHandler, method.lower()
            ):
                continue
            resp = await http_server_client.fetch(
                path,
                method=method,
                body=b"{}" if method in ("POST", "PUT", "PATCH") else None,
                allow_nonstandard_methods=True,
                raise_error=False,
            )
            assert resp.code in (401, 403), f"{method} {path} answered {resp.code} without a token"
            checked += 1
    assert checked >= len(rules)


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "api/2.0/mlflow/experiments/search/../../../etc/passwd"),
        ("GET", "api/2.0/mlflow/../admin"),
        ("GET", "api/2.0/mlflow/./experiments/search"),
        ("PUT", "api/2.0/mlflow/runs/get"),  # no PUT in the REST families
        ("GET", "ajax-api/2.0/mlflow/experiments/search"),
        ("POST", "graphql"),
        ("GET", "get-artifact"),
        ("GET", "static-files/index.html"),
        ("GET", "health"),
        ("GET", "api/2.0/mlflow/users/list"),
        ("POST", "api/2.0/mlflow/experiments/permissions/create"),
        ("PUT", "api/2.0/mlflow-artifacts/artifacts/1/../../x"),
        ("GET", "api/2.0/mlflow-artifacts/artifacts/1/%2e%2e/x"),  # encoded twice (tornado decoded once)
        ("GET", "api/2.0/mlflow-artifacts/artifacts/1/a\\b"),
        ("GET", "api/2.0/mlflow-artifacts/artifacts/1/a\x00b"),
        ("GET", "api/2.0/mlflow//experiments/search"),
        ("GET", "/api/2.0/mlflow/experiments/search"),
        ("GET", "http://evil.example/api/2.0/mlflow/experiments/get"),
        ("GET", "api/2.0/mlflow/"),
        ("POST", "version"),
    ],
)
def test_allowlist_refuses(method, path):
    assert refusal(method, path)


@pytest.mark.parametrize(
    "method,path",
    [
        ("POST", "api/2.0/mlflow/runs/log-batch"),
        ("POST", "api/2.0/mlflow/runs/outputs"),
        ("DELETE", "api/2.0/mlflow/logged-models/m-123/tags/some key"),
        ("POST", "api/3.0/mlflow/traces"),
        ("GET", "api/2.0/mlflow/traces"),
        ("POST", "api/3.0/mlflow/datasets/create"),
        ("GET", "api/2.0/mlflow/gateway/routes"),
        ("GET", "api/2.0/mlflow-artifacts/artifacts"),
        ("PUT", "api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/model (1).pkl"),
        ("DELETE", "api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/model.pkl"),
        ("POST", "api/2.0/mlflow-artifacts/mpu/create/1/abc/artifacts/big.bin"),
        ("POST", "api/2.0/mlflow-artifacts/mpu/complete/1/abc/artifacts/big.bin"),
        ("POST", "api/2.0/mlflow-artifacts/mpu/abort/1/abc/artifacts/big.bin"),
        ("GET", "version"),
    ],
)
def test_allowlist_forwards_mlflow_families(method, path):
    assert refusal(method, path) is None


async def test_proxy_refuses_outside_allowlist(jp_fetch):
    for path in (
        "backends/default/mlflow/api/2.0/mlflow/users/list",
        "backends/default/mlflow/static-files/index.html",
        "backends/default/mlflow/ajax-api/2.0/mlflow/experiments/search",
        "backends/default/mlflow/api/2.0/mlflow/..%2F..%2Fhealth",
    ):
        with pytest.raises(HTTPClientError) as err:
            await jp_fetch("jupyterlab-mlops", *path.split("/"))
        assert err.value.code == 404
        body = json.loads(err.value.response.body)
        assert body["error_code"] == "ENDPOINT_NOT_FOUND"  # MLflow's own shape: its client's fallbacks run
        assert body["message"] and "Traceback" not in body["message"]


async def test_unknown_backend_is_404(jp_fetch):
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch(
            "jupyterlab-mlops",
            "backends",
            "nope",
            "mlflow",
            "api",
            "2.0",
            "mlflow",
            "experiments",
            "search",
            method="POST",
            body=json.dumps({"max_results": 1}),
        )
    assert err.value.code == 404
    assert "nope" in json.loads(err.value.response.body)["message"]


async def test_proxy_forwards_stock_requests(jp_fetch):
    resp = await jp_fetch(
        "jupyterlab-mlops",
        "backends",
        "default",
        "mlflow",
        "api",
        "2.0",
        "mlflow",
        "experiments",
        "search",
        method="POST",
        body=json.dumps({"max_results": 5}),
        headers={"Content-Type": "application/json"},
    )
    assert resp.code == 200
    assert "experiments" in json.loads(resp.body)

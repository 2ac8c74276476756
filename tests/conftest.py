"""Shared fixtures: a real MLflow server, the GitLab stand-in in front of it, and the Jupyter server
configuration that enables ``jupyterlab_mlops`` against them.

Backends for the extension come from the ``mlops_backends`` fixture. Override it per module::

    @pytest.fixture
    def mlops_backends(gitlab_backend):
        return [gitlab_backend]

or per test with indirect parametrization (strings are shortcuts, dicts may use ``{mlflow}``/``{gitlab}``)::

    @pytest.mark.parametrize("mlops_backends", ["mlflow", "gitlab", "mlflow+gitlab"], indirect=True)
"""

from __future__ import annotations

import atexit
import warnings
from typing import Any, Iterator

import pytest
from traitlets.config import Config

from .gitlab_server import GitLabServer
from .mlflow_fixture import MlflowRest, MlflowServer

pytest_plugins = ["pytest_jupyter.jupyter_server"]

GITLAB_TOKEN_ENV = "MLOPS_TEST_GITLAB_TOKEN"
_MLFLOW_SERVERS: list[MlflowServer] = []
_GITLAB_SERVERS: list[GitLabServer] = []


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """A real ``mlflow server`` (SQLite, local artifacts, 1 worker). ``.url``, ``.stop()``, ``.start()``
    (same port and DB), ``.log_path``. If a test leaves it stopped, it is restarted after that test."""
    server = MlflowServer(tmp_path_factory.mktemp("mlflow"))
    atexit.register(server.close)  # belt and braces if the session dies before fixture teardown
    server.start()
    _MLFLOW_SERVERS.append(server)
    try:
        yield server
    finally:
        _MLFLOW_SERVERS.remove(server)
        server.close()


@pytest.fixture(scope="session")
def gitlab_server(mlflow_server: MlflowServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitLabServer]:
    """The GitLab stand-in in front of ``mlflow_server``. ``.tracking_uri``, ``.token``, ``.read_token``,
    ``.guest_token``, ``.base_url``; knobs ``.supports_run_promotion``, ``.metrics_history_supported``,
    ``.latency``, ``.outage`` (all reset after every test); ``.requests`` log."""
    server = GitLabServer(mlflow_server.url, tmp_path_factory.mktemp("gitlab-packages"))
    server.start()
    _GITLAB_SERVERS.append(server)
    try:
        yield server
    finally:
        _GITLAB_SERVERS.remove(server)
        server.stop()


@pytest.fixture(autouse=True)
def _own_spool_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server extension exports ``MLOPS_SPOOL_DIR`` for its kernels: undone after each test, so one test's
    spool (and what a failing backend left in it) never becomes the next test's."""
    monkeypatch.delenv("MLOPS_SPOOL_DIR", raising=False)


@pytest.fixture(autouse=True)
def _restore_shared_servers() -> Iterator[None]:
    """After each test: reset GitLab knobs and restart an MLflow server a test left stopped."""
    yield
    for gl in _GITLAB_SERVERS:
        gl.reset_knobs()
    for ml in _MLFLOW_SERVERS:
        if not ml.closed and not ml.running:
            warnings.warn(f"a test left {ml} stopped; restarting it", stacklevel=1)
            ml.start()


@pytest.fixture
def mlflow_rest(mlflow_server: MlflowServer) -> MlflowRest:
    """requests-based helper to seed data straight into MLflow (independent of jupyterlab_mlops)."""
    return MlflowRest(mlflow_server.url)


@pytest.fixture
def mlflow_backend(mlflow_server: MlflowServer) -> dict[str, Any]:
    """Backend config entry for the plain MLflow server, named "default"."""
    return {"name": "default", "kind": "mlflow", "url": mlflow_server.url}


@pytest.fixture
def gitlab_backend(gitlab_server: GitLabServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Backend config entry for the GitLab stand-in, named "gitlab"; the token comes from
    ``$MLOPS_TEST_GITLAB_TOKEN`` (set here)."""
    monkeypatch.setenv(GITLAB_TOKEN_ENV, gitlab_server.token)
    return {"name": "gitlab", "kind": "gitlab", "url": gitlab_server.tracking_uri, "token_env": GITLAB_TOKEN_ENV}


def _resolve_backends(param: Any, request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    """Indirect-parametrization values: "mlflow", "gitlab", "mlflow+gitlab", "none", a dict or a list of
    dicts (``url`` may be "{mlflow}" or "{gitlab}"), or a callable ``f(request) -> list``."""
    if callable(param):
        return list(param(request))
    if isinstance(param, str):
        if param == "none":
            return []
        out = []
        for part in param.split("+"):
            if part not in ("mlflow", "gitlab"):
                raise ValueError(f"unknown mlops_backends shortcut {part!r}")
            out.append(request.getfixturevalue(f"{part}_backend"))
        if len(out) > 1:
            out[0] = {**out[0], "name": "default"}
        return out
    resolved = []
    for b in [param] if isinstance(param, dict) else param:
        b = dict(b)
        url = b.get("url", "")
        if "{mlflow}" in url:
            b["url"] = url.replace("{mlflow}", request.getfixturevalue("mlflow_server").url)
        if "{gitlab}" in url:
            b["url"] = url.replace("{gitlab}", request.getfixturevalue("gitlab_server").tracking_uri)
        resolved.append(b)
    return resolved


@pytest.fixture
def mlops_backends(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    """``c.MlopsApp.backends``. Default: one mlflow backend "default" at ``mlflow_server.url``."""
    if hasattr(request, "param"):
        return _resolve_backends(request.param, request)
    return [request.getfixturevalue("mlflow_backend")]


@pytest.fixture
def mlops_embedded() -> bool:
    """``c.MlopsApp.embedded`` (default False; override to test the embedded server)."""
    return False


@pytest.fixture
def mlops_app_config() -> dict[str, Any]:
    """Extra ``c.MlopsApp`` traits merged last (override per module/test)."""
    return {}


@pytest.fixture
def jp_server_config(
    mlops_backends: list[dict[str, Any]], mlops_embedded: bool, mlops_app_config: dict[str, Any]
) -> Config:
    """Enable the extension (and require authentication everywhere) with the backends above."""
    server_app: dict[str, Any] = {"jpserver_extensions": {"jupyterlab_mlops": True}}
    if _has_trait("allow_unauthenticated_access"):
        server_app["allow_unauthenticated_access"] = False
    return Config(
        {
            "ServerApp": server_app,
            "MlopsApp": {
                "backends": mlops_backends,
                "embedded": mlops_embedded,
                "request_timeout": 30.0,
                **mlops_app_config,
            },
        }
    )


def _has_trait(name: str) -> bool:
    from jupyter_server.serverapp import ServerApp

    return ServerApp.class_traits().get(name) is not None

"""A JupyterHub process for the team test (config: ``jupyterhub_config.py`` next to this file), driven through
its REST API with an admin service token; each user's server is reached at ``/user/<name>/`` through the
hub's proxy (``configurable-http-proxy`` from npm) with a hub API token of that user."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

import requests

from ..mlflow_fixture import _signal_group, free_port

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SETUP_HINT = "run tests/team/setup.sh"

#: The system-wide Jupyter config of every user's server (the admin's part): the shared MLflow as the one
#: backend, its token read from a file in the user's home, no embedded server.
SINGLEUSER_CONFIG = """\
import os
c.ServerApp.allow_root = True  # the test runs as root; a real hub spawns each user as themselves
c.MlopsApp.backends = [{"name": "team", "url": os.environ["MLOPS_TEAM_MLFLOW_URL"], "token_file": "~/.mlflow-token"}]
c.MlopsApp.embedded = False
"""


def chp_command() -> str:
    """``configurable-http-proxy`` as ``setup.sh`` installs it (``$MLOPS_CHP``, under ``.venv/chp``, or PATH)."""
    for candidate in (
        os.environ.get("MLOPS_CHP", ""),
        str(REPO / ".venv" / "chp" / "node_modules" / ".bin" / "configurable-http-proxy"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    from shutil import which

    found = which("configurable-http-proxy")
    if not found:
        raise RuntimeError(f"configurable-http-proxy not found: {SETUP_HINT}")
    return found


def ok(response: Any, status: int | tuple[int, ...] = 200) -> Any:
    """The JSON body (or the response) of a request that must answer ``status``."""
    expected = (status,) if isinstance(status, int) else status
    assert response.status_code in expected, (
        f"{response.request.method} {response.url}: {response.status_code} {response.text[:800]}"
    )
    return response.json() if response.content and "json" in response.headers.get("Content-Type", "") else response


class UserServer:
    """One user's server as seen through the hub: ``url(path)`` under ``/user/<name>/``, ``session`` with the
    user's token."""

    def __init__(self, hub: "Hub", name: str, token: str) -> None:
        self.hub, self.name, self.token = hub, name, token
        self.base = f"{hub.url}/user/{name}/"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {token}"

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")

    def mlops(self, path: str) -> str:
        """An extension URL: ``/user/<name>/jupyterlab-mlops/<path>``."""
        return self.url("jupyterlab-mlops/" + path.lstrip("/"))

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.session.get(self.mlops(path), timeout=kw.pop("timeout", 60), **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.session.post(self.mlops(path), json=body, timeout=kw.pop("timeout", 60), **kw)

    @property
    def home(self) -> Path:
        return self.hub.root / "home" / self.name

    @property
    def spool_dir(self) -> Path:
        return self.home / "mlops-spool"


class Hub:
    """``jupyterhub`` with ``users``, each with a started server (``start()``), an admin ``api()``."""

    def __init__(self, root: Path, mlflow_url: str, users: tuple[str, ...] = ("alice", "bob")) -> None:
        self.root = Path(root)
        self.mlflow_url = mlflow_url
        self.users = users
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_token = secrets.token_hex(24)
        self.log_path = self.root / "jupyterhub.log"
        self.proc: Optional[subprocess.Popen[bytes]] = None
        self.servers: dict[str, UserServer] = {}

    # -- the hub process ------------------------------------------------------------------------------------
    def start(self, timeout: float = 90.0) -> "Hub":
        (self.root / "etc-jupyter").mkdir(parents=True, exist_ok=True)
        (self.root / "etc-jupyter" / "jupyter_server_config.py").write_text(SINGLEUSER_CONFIG)
        for name in self.users:
            home = self.root / "home" / name
            home.mkdir(parents=True, exist_ok=True)
            (home / ".mlflow-token").write_text(f"team-token-of-{name}\n")
        venv_bin = str(Path(sys.executable).parent)
        env = {
            **os.environ,
            "PATH": f"{venv_bin}:{os.environ.get('PATH', '')}",
            "MLOPS_TEAM_HUB_DIR": str(self.root),
            "MLOPS_TEAM_HUB_PORT": str(self.port),
            "MLOPS_TEAM_HUB_API_PORT": str(free_port()),
            "MLOPS_TEAM_PROXY_API_PORT": str(free_port()),
            "MLOPS_TEAM_CHP": chp_command(),
            "MLOPS_TEAM_ADMIN_TOKEN": self.admin_token,
            "MLOPS_TEAM_USERS": ",".join(self.users),
            "MLOPS_TEAM_MLFLOW_URL": self.mlflow_url,
        }
        for key in (
            "MLFLOW_TRACKING_URI",
            "MLFLOW_TRACKING_TOKEN",
            "MLOPS_SPOOL_DIR",
            "JUPYTER_CONFIG_DIR",
            "JUPYTER_DATA_DIR",
            "JUPYTER_RUNTIME_DIR",
            "JUPYTERHUB_API_TOKEN",
        ):
            env.pop(key, None)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(HERE / "jupyterhub_config.py")],
                cwd=self.root,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/hub/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.3)
        else:
            raise RuntimeError(f"jupyterhub did not answer in {timeout} s:\n{self.log_tail()}")
        self.api("POST", "users", {"usernames": list(self.users)}, ok=(201, 409))
        for name in self.users:
            token = self.api("POST", f"users/{name}/tokens", {"note": "mlops team test", "expires_in": 7200})["token"]
            self.servers[name] = UserServer(self, name, token)
        for name in self.users:
            self.start_server(name, wait=False)
        for name in self.users:
            self.wait_ready(name)
        return self

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return "<no log>"

    def api(self, method: str, path: str, body: Any = None, ok: tuple[int, ...] = (200, 201, 202, 204)) -> Any:
        """The hub's REST API (``/hub/api/<path>``) as the admin service; the JSON answer (or None)."""
        r = requests.request(
            method,
            f"{self.url}/hub/api/{path}",
            json=body,
            timeout=60,
            headers={"Authorization": f"token {self.admin_token}"},
        )
        if r.status_code not in ok:
            raise AssertionError(f"hub API {method} {path}: {r.status_code} {r.text[:500]}\n{self.log_tail(1500)}")
        return r.json() if r.content else None

    # -- users' servers ---------------------------------------------------------------------------------------
    def start_server(self, name: str, wait: bool = True) -> UserServer:
        self.api("POST", f"users/{name}/server", ok=(201, 202, 400))  # 400: already running
        if wait:
            self.wait_ready(name)
        return self.servers[name]

    def wait_ready(self, name: str, timeout: float = 150.0) -> UserServer:
        """Until the hub says the server is ready and the extension answers through the proxy."""
        server = self.servers[name]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.api("GET", f"users/{name}")
            if (model.get("servers") or {}).get("", {}).get("ready"):
                try:
                    if server.get("status", timeout=10).status_code == 200:
                        return server
                except requests.RequestException:
                    pass
            time.sleep(0.5)
        raise RuntimeError(
            f"server of {name} not ready in {timeout} s (its output is in the hub's log):\n{self.log_tail()}"
        )

    def stop_server(self, name: str, timeout: float = 60.0) -> None:
        """The hub stops the user's server (as an admin's "stop server" or a culler would)."""
        self.api("DELETE", f"users/{name}/server", ok=(202, 204))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.api("GET", f"users/{name}")
            if not (model.get("servers") or {}).get(""):
                return
            time.sleep(0.3)
        raise RuntimeError(f"server of {name} did not stop in {timeout} s")

    def _user_server_pids(self) -> list[int]:
        pids = []
        for f in (self.root / "home").glob("*/.local/share/jupyter/runtime/jpserver-*.json"):
            try:
                pids.append(int(json.loads(f.read_text())["pid"]))
            except (OSError, ValueError, KeyError):
                continue
        return pids

    def stop(self) -> None:
        """Stop the users' servers, then the hub (SIGTERM, SIGKILL after 20 s); stragglers are killed by pid."""
        if self.proc is None:
            return
        leftovers = self._user_server_pids()
        if self.proc.poll() is None:
            for name in self.servers:
                try:
                    self.api("DELETE", f"users/{name}/server", ok=(202, 204, 400, 404))
                except Exception:  # noqa: BLE001 - the hub is going anyway
                    pass
            _signal_group(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                _signal_group(self.proc.pid, signal.SIGKILL)
        for pid in leftovers + self._user_server_pids():  # servers run in their own sessions
            _signal_group(pid, signal.SIGKILL)
        self.proc = None

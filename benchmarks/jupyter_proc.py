"""A real ``jupyter server`` subprocess with jupyterlab_mlops configured against given backends.

Isolated config/data/runtime dirs, token auth, a free port; ``.url(path)`` and ``.session``
(keep-alive, token header) for measurements.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

import requests

from common import MLFLOW_ENV, free_port

REPO = Path(__file__).resolve().parent.parent
# JupyterLab driven by a benchmark's browser (as Galata's configure_jupyter_server has it)
LAB_FOR_BROWSER = {
    "expose_app_in_browser": True,
    "news_url": None,
    "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
}


class JupyterServer:
    def __init__(
        self, backends: list[dict[str, Any]], embedded_dir: Optional[Path] = None, browser: bool = False
    ) -> None:
        """``backends`` as ``c.MlopsApp.backends``; or none and ``embedded_dir``: the embedded backend on that
        data dir (its ``mlflow.db``), as a user with nothing configured has it. ``browser``: JupyterLab for a
        driven browser (``window.jupyterapp`` exposed, no news or update checks)."""
        self.dir = Path(tempfile.mkdtemp(prefix="mlops-bench-jupyter-"))
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.backends = backends
        self.embedded_dir = embedded_dir
        self.browser = browser
        self.proc: Optional[subprocess.Popen[bytes]] = None
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {self.token}"

    def lab_url(self) -> str:
        """JupyterLab's page, logged in by the token."""
        return self.url(f"lab?token={self.token}")

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def start(self, timeout: float = 90.0) -> "JupyterServer":
        cfg = self.dir / "config"
        cfg.mkdir()
        (cfg / "jupyter_server_config.json").write_text(
            json.dumps(
                {
                    "ServerApp": {
                        "jpserver_extensions": {"jupyterlab_mlops": True},
                        "open_browser": False,
                        "port": self.port,
                        "ip": "127.0.0.1",
                        "root_dir": str(self.dir),
                        "allow_root": True,
                    },
                    "IdentityProvider": {"token": self.token},
                    "MlopsApp": {
                        "backends": self.backends,
                        "embedded": self.embedded_dir is not None,
                        **({"embedded_data_dir": str(self.embedded_dir)} if self.embedded_dir else {}),
                    },
                    **({"LabApp": LAB_FOR_BROWSER} if self.browser else {}),
                }
            )
        )
        env = {
            **os.environ,
            **MLFLOW_ENV,
            "JUPYTER_CONFIG_DIR": str(cfg),
            "JUPYTER_DATA_DIR": str(self.dir / "data"),
            "JUPYTER_RUNTIME_DIR": str(self.dir / "runtime"),
            "PYTHONPATH": str(REPO),
            "MLOPS_SPOOL_DIR": str(self.dir / "spool"),
        }
        env.pop("MLFLOW_TRACKING_URI", None)
        log = open(self.dir / "jupyter.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "server", "--log-level=WARN"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=self.dir,
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter server exited: see {self.dir / 'jupyter.log'}")
            try:
                status = self.session.get(self.url("jupyterlab-mlops/status"), timeout=2)
                if status.status_code == 200 and all(b["health"] == "healthy" for b in status.json()["backends"]):
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"jupyter server did not answer: see {self.dir / 'jupyter.log'}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.session.close()

    def __enter__(self) -> "JupyterServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

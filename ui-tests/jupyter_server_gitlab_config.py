"""Jupyter server configuration for the Galata tests against the GitLab stand-in.

Starts, in this process, a real MLflow server (SQLite, in $MLOPS_UITEST_GITLAB_DATA) and the GitLab
stand-in of the pytest suite in front of it (tests/gitlab_server.py, GITLAB_API.md §0.1), with object
storage on: every download answers 302 to a signed URL on a second local server, as on gitlab.com.
The extension is configured with that one GitLab backend (no embedded MLflow).

Never use this configuration in production: it removes all security protections.
"""

import atexit
import os
import sys
import tempfile
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.gitlab_server import GitLabServer  # noqa: E402
from tests.mlflow_fixture import MlflowServer  # noqa: E402

configure_jupyter_server(c)  # noqa: F821  (c is injected by traitlets)

c.ServerApp.ip = "127.0.0.1"
c.ServerApp.port = int(os.environ.get("JLAB_GITLAB_PORT", "8889"))
c.ServerApp.allow_root = True
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
for name in ("MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_TOKEN"):
    os.environ.pop(name, None)
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")

DATA = Path(os.environ.get("MLOPS_UITEST_GITLAB_DATA") or tempfile.mkdtemp(prefix="mlops-uitest-gitlab-"))
mlflow = MlflowServer(DATA / "mlflow")
atexit.register(mlflow.close)
mlflow.start()
gitlab = GitLabServer(mlflow.url, DATA / "packages")
gitlab.start()
atexit.register(gitlab.stop)
gitlab.object_storage = True

os.environ["MLOPS_UITEST_GITLAB_TOKEN"] = gitlab.token
c.MlopsApp.backends = [
    {"name": "gitlab", "kind": "gitlab", "url": gitlab.tracking_uri, "token_env": "MLOPS_UITEST_GITLAB_TOKEN"}
]
c.MlopsApp.embedded = False
c.MlopsApp.spool_dir = str(DATA / "spool")
os.environ.pop("MLOPS_SPOOL_DIR", None)

"""Jupyter server configuration for the Galata tests.

No MLflow backend is configured, so the server extension starts its EMBEDDED
MLflow server, with its data in a fresh directory ($MLOPS_UITEST_DATA, emptied
by the Playwright webServer command before every run).

Never use this configuration in production: it removes all security protections.
"""

import os
import tempfile

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821  (c is injected by traitlets)

# Galata hard-codes port 8888; keep it in step with playwright.config.js.
c.ServerApp.ip = "127.0.0.1"
c.ServerApp.port = int(os.environ.get("JLAB_PORT", "8888"))
c.ServerApp.allow_root = True  # the test machines run as root
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"

# An explicit backend would replace the embedded one: make sure there is none.
for name in ("MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_TOKEN"):
    os.environ.pop(name, None)
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")

c.MlopsApp.embedded_data_dir = os.environ.get("MLOPS_UITEST_DATA") or tempfile.mkdtemp(prefix="mlops-uitest-")
# The kernels' spool lives with the test data, not in the user's data dir.
c.MlopsApp.spool_dir = os.path.join(c.MlopsApp.embedded_data_dir, "spool")
os.environ.pop("MLOPS_SPOOL_DIR", None)

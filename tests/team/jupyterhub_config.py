"""JupyterHub configuration of the team test (``tests/team/hub.py`` passes the values in ``MLOPS_TEAM_*``).

Every user's server is ``jupyterhub-singleuser`` (``SimpleLocalProcessSpawner``: same OS user, own home, own
``/user/<name>/`` base URL) and loads jupyterlab_mlops with the system-wide config the hub fixture writes to
``$MLOPS_TEAM_HUB_DIR/etc-jupyter`` (``c.MlopsApp.backends`` = the shared MLflow, the token from a file).
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - injected by traitlets when it loads this file
env = os.environ
root = Path(env["MLOPS_TEAM_HUB_DIR"])

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(env["MLOPS_TEAM_HUB_PORT"])
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(env["MLOPS_TEAM_HUB_API_PORT"])
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env['MLOPS_TEAM_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.command = [env["MLOPS_TEAM_CHP"]]
c.JupyterHub.db_url = f"sqlite:///{root / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(root / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(root / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.check_running_servers = False

c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = set(env["MLOPS_TEAM_USERS"].split(","))

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(root / "home" / "{username}")
c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    "JUPYTER_CONFIG_PATH": str(root / "etc-jupyter"),  # the admin's config, as /etc/jupyter would be
    "MLOPS_TEAM_MLFLOW_URL": env["MLOPS_TEAM_MLFLOW_URL"],  # what each server's c.MlopsApp.backends uses
    "MLFLOW_TRACKING_URI": env["MLOPS_TEAM_MLFLOW_URL"],  # what kernels (the kernel API, plain mlflow) log to
    "MLOPS_SPOOL_DIR": lambda spawner: str(Path(spawner.home_dir) / "mlops-spool"),
    "MLFLOW_DISABLE_TELEMETRY": "true",
}

# The test drives the hub's REST API with this service's token (users, servers, users' tokens).
c.JupyterHub.services = [{"name": "mlops-test-admin", "api_token": env["MLOPS_TEAM_ADMIN_TOKEN"]}]
c.JupyterHub.load_roles = [
    {
        "name": "mlops-test-admin",
        "services": ["mlops-test-admin"],
        "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"],
    }
]

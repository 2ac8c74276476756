"""With nothing configured the server starts the embedded MLflow backend, and plain ``mlflow``
code in a kernel started by that server logs there (kernels inherit MLFLOW_TRACKING_URI)."""

from __future__ import annotations

import asyncio
import json
import os
import time

import pytest

from jupyterlab_mlops.client import Backend
from jupyterlab_mlops.client.sync import SyncClient


@pytest.fixture
def mlops_backends():
    return []


@pytest.fixture
def mlops_embedded():
    return True


@pytest.fixture
def mlops_app_config(tmp_path):
    return {"embedded_data_dir": str(tmp_path / "embedded")}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for var in ("MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_TOKEN", "MLOPS_EMBEDDED_URI"):
        monkeypatch.delenv(var, raising=False)
    yield
    # the extension exported these into os.environ; monkeypatch restores the originals


CODE = """
import mlflow, os
mlflow.set_experiment("from-kernel")
with mlflow.start_run() as run:
    mlflow.log_metric("accuracy", 0.93, step=1)
print("RUN", run.info.run_id, os.environ["MLFLOW_TRACKING_URI"])
"""


async def _wait_healthy(jp_fetch, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = json.loads((await jp_fetch("jupyterlab-mlops", "status")).body)
        backend = status["backends"][0]
        if backend["health"] == "healthy" or time.monotonic() > deadline:
            return backend
        assert backend["health"] in ("starting", "unreachable"), backend
        await asyncio.sleep(0.5)


async def test_kernel_mlflow_lands_in_embedded_backend(jp_serverapp, jp_fetch, tmp_path):
    app = jp_serverapp.extension_manager.extension_apps["jupyterlab_mlops"]
    (ext,) = app
    await ext._start_jupyter_server_extension(jp_serverapp)  # pytest-jupyter does not call it
    try:
        backend = await _wait_healthy(jp_fetch)
        assert backend["health"] == "healthy", backend
        assert backend["embedded"] is True and backend["name"] == "default"
        assert (tmp_path / "embedded" / "mlflow.db").exists()
        assert os.environ["MLFLOW_TRACKING_URI"] == backend["url"]

        km = jp_serverapp.kernel_manager
        kernel_id = await km.start_kernel(kernel_name="python3")
        try:
            client = km.get_kernel(kernel_id).client()
            client.start_channels()
            await asyncio.wait_for(client._async_wait_for_ready(), 60)
            outputs: list[str] = []

            def on_output(msg):
                if msg["msg_type"] == "stream":
                    outputs.append(msg["content"]["text"])
                elif msg["msg_type"] == "error":
                    outputs.append("\n".join(msg["content"]["traceback"]))

            reply = await asyncio.wait_for(client._async_execute_interactive(CODE, output_hook=on_output), 120)
            client.stop_channels()
        finally:
            await km.shutdown_kernel(kernel_id, now=True)
        text = "".join(outputs)
        assert reply["content"]["status"] == "ok", text
        run_id, uri = text.split("RUN ", 1)[1].split()[:2]
        assert uri == backend["url"]
        with SyncClient(Backend.from_uri(backend["url"])) as c:
            run = c.run(c.api.get_run(run_id))
        assert run.metrics["accuracy"].value == pytest.approx(0.93)
    finally:
        await ext.stop_extension()

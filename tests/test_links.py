"""Links the kernel prints open the run in the user's JupyterLab (issue 13, item 9): a kernel started by a
server of the extension prints a path under the server's base_url; any other kernel the backend's page."""

from __future__ import annotations

import asyncio
import re
import uuid

import pytest
from IPython.core.interactiveshell import InteractiveShell

from jupyterlab_mlops.kernel import links

from .kernel_support import use_backend

LAB_ENV = (links.LAB_URL_ENV, links.LAB_BACKENDS_ENV)


@pytest.fixture
def jp_base_url():
    return "/user/alice/"


@pytest.fixture(autouse=True)
def _no_lab_env(monkeypatch):
    """The extension exports these into os.environ; monkeypatch removes them again after each test."""
    for var in LAB_ENV:
        monkeypatch.delenv(var, raising=False)


async def _run_in_kernel(km, code: str) -> tuple[str, list[dict]]:
    """Execute ``code`` in a new kernel of the server; its stream text and display_data bundles."""
    kernel_id = await km.start_kernel(kernel_name="python3")
    streams: list[str] = []
    displays: list[dict] = []

    def on_output(msg):
        kind = msg["msg_type"]
        if kind == "stream":
            streams.append(msg["content"]["text"])
        elif kind == "display_data":
            displays.append(msg["content"]["data"])
        elif kind == "error":
            streams.append("\n".join(msg["content"]["traceback"]))

    try:
        client = km.get_kernel(kernel_id).client()
        client.start_channels()
        await asyncio.wait_for(client._async_wait_for_ready(), 60)
        reply = await asyncio.wait_for(client._async_execute_interactive(code, output_hook=on_output), 120)
        client.stop_channels()
    finally:
        await km.shutdown_kernel(kernel_id, now=True)
    assert reply["content"]["status"] == "ok", "".join(streams)
    return "".join(streams), displays


async def test_kernel_of_the_server_links_to_jupyterlab(jp_serverapp, mlflow_server, monkeypatch, tmp_path):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server.url)  # the backend "default" of this server
    monkeypatch.setenv("MLOPS_SPOOL_DIR", str(tmp_path / "spool"))
    experiment = f"links-{uuid.uuid4().hex[:8]}"
    code = f"%load_ext jupyterlab_mlops\n%mlops experiment {experiment}\n%mlops start --name linked\n%mlops end\n"
    text, displays = await _run_in_kernel(jp_serverapp.kernel_manager, code)

    run_id = re.search(r"started run linked (\w+) in experiment", text).group(1)
    url = f"/user/alice/lab?mlops=run/default/{run_id}"
    (bundle,) = [d for d in displays if "text/html" in d]
    assert bundle["text/plain"].strip() == url  # plain terminals get the path
    assert f'href="{url}"' in bundle["text/html"] and 'target="_self"' in bundle["text/html"]
    assert "Open run linked in JupyterLab" in bundle["text/html"]
    assert "127.0.0.1" not in text + str(displays)


def test_kernel_without_the_server_keeps_the_backend_link(mlflow_server, tmp_path, capsys):
    use_backend(mlflow_server.url, spool_dir=tmp_path / "spool")
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "jupyterlab_mlops")
    shell.run_cell(f"%mlops experiment links-{uuid.uuid4().hex[:8]}\n%mlops start --name plain", store_history=False)
    try:
        out = capsys.readouterr().out
        match = re.search(r"started run plain (\w+) in experiment", out)
        assert match, out
        assert re.search(rf"\n  {re.escape(mlflow_server.url)}/#/experiments/\d+/runs/{match.group(1)}\n", out), out
    finally:
        shell.run_line_magic("mlops", "end")


def test_lab_links_are_paths_under_the_base_url(monkeypatch):
    monkeypatch.setenv("MLOPS_LAB_URL", "")
    for key, value in links.lab_env(
        "/user/alice/", [("team", "https://gitlab.example/api/"), ("default", "http://x")]
    ).items():
        monkeypatch.setenv(key, value)
    assert links.run_link("https://gitlab.example/api", "r1") == "/user/alice/lab?mlops=run/team/r1"
    assert (
        links.version_link("http://x/", "a/b c", "1.0+x") == "/user/alice/lab?mlops=version/default/a%2Fb%20c/1.0%2Bx"
    )
    assert links.experiment_link("http://x", "7") == "/user/alice/lab?mlops=experiment/default/7"
    assert links.run_link("http://unknown", "r1") is None  # a backend the server does not know
    assert links.lab_env("/", [])[links.LAB_URL_ENV] == "/lab"
    assert links.anchor_html("//evil.example/x", "x").count('target="_blank"') == 1
    assert 'href="/lab?mlops=run/d/&lt;x&gt;"' in links.anchor_html("/lab?mlops=run/d/<x>", "<b>")

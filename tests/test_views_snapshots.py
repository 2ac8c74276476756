"""Snapshot routes against a real Jupyter server, the real MLflow server and the GitLab stand-in."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any, Optional

import nbformat
import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_mlops.client import flows
from jupyterlab_mlops.client.backend import Backend
from jupyterlab_mlops.client.errors import NotFound
from jupyterlab_mlops.client.sync import SyncClient
from jupyterlab_mlops.server.views.snapshots import kernel_env

from .mlflow_fixture import unique

GLPAT = "glpat-" + "Zz9yXx8wVv7uUt6sSr5q"
BOTH = pytest.mark.parametrize("mlops_backends", ["mlflow", "gitlab"], indirect=True)


class Seed:
    """Creates runs and reads artifacts straight from the backend (not through the extension)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        token = os.environ.get(spec["token_env"]) if spec.get("token_env") else None
        self.name = spec["name"]
        self.client = SyncClient(Backend.from_uri(spec["url"], name=spec["name"], kind=spec["kind"], token=token))
        self.token = token

    def run(self) -> str:
        api = self.client.api
        exp = self.client.drive(flows.get_or_create_experiment(api, unique("snap")))
        return self.client.run(api.create_run(exp.experiment_id)).run_id

    def tags(self, run_id: str) -> dict[str, str]:
        return self.client.run(self.client.api.get_run(run_id)).tags

    def run_name(self, run_id: str) -> Optional[str]:
        return self.client.run(self.client.api.get_run(run_id)).run_name

    def artifact(self, run_id: str, name: str) -> bytes:
        run = self.client.run(self.client.api.get_run(run_id))
        return self.client.run(self.client.api.download_artifact(run.artifact_uri, name))

    def upload(self, run_id: str, name: str, data: bytes) -> None:
        run = self.client.run(self.client.api.get_run(run_id))
        self.client.run(self.client.api.upload_artifact(run.artifact_uri, name, data))


@pytest.fixture
def seed(mlops_backends: list[dict[str, Any]]) -> Seed:
    return Seed(mlops_backends[0])


def write_nb(root: Path, rel: str, *sources: str, outputs: Optional[list[Any]] = None) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for i, src in enumerate(sources):
        cell = nbformat.v4.new_code_cell(src, id=f"cell{i}")
        if outputs and i < len(outputs) and outputs[i] is not None:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=outputs[i])]
        nb.cells.append(cell)
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


async def call(jp_fetch: Any, *parts: str, method: str = "GET", body: Any = None, **params: str) -> Any:
    kwargs: dict[str, Any] = {"method": method, "params": params or None}
    if body is not None:
        kwargs["body"] = json.dumps(body)
    resp = await jp_fetch("jupyterlab-mlops", *parts, **kwargs)
    return json.loads(resp.body)


async def fails(jp_fetch: Any, *parts: str, method: str = "GET", body: Any = None, **params: str) -> tuple[int, dict]:
    with pytest.raises(HTTPClientError) as err:
        await call(jp_fetch, *parts, method=method, body=body, **params)
    return err.value.code, json.loads(err.value.response.body)


def snap(b: str, run_id: str, *more: str) -> tuple[str, ...]:
    return ("backends", b, "runs", run_id, "snapshot", *more)


@BOTH
async def test_snapshot_scrubbed_deduped_and_tagged(jp_fetch, jp_root_dir, seed, request):
    write_nb(
        jp_root_dir, "work/train.ipynb", "import os\nprint(os.environ['TOKEN'])", "x = 1", outputs=[f"{GLPAT}\n", "1\n"]
    )
    run_id = seed.run()
    first = await call(jp_fetch, *snap(seed.name, run_id), method="POST", body={"path": "work/train.ipynb"})
    assert first["uploaded"] is True and first["path"] == "work/train.ipynb"
    assert first["scrubbed"] == {"gitlab_token": 1} and first["outputs_dropped"] == 0
    stored = seed.artifact(run_id, "notebook.ipynb")
    assert GLPAT.encode() not in stored and b"[REDACTED:gitlab_token]" in stored
    if seed.token:
        assert seed.token.encode() not in stored
    record = json.loads(seed.artifact(run_id, "snapshot.json"))
    assert record["sha256"] == first["sha256"] and record["path"] == "work/train.ipynb"
    assert record["packages_source"] == "unavailable" and record["git"]["commit"] == ""
    tags = seed.tags(run_id)
    assert tags["mlflow.source.type"] == "NOTEBOOK" and tags["mlflow.source.name"] == "work/train.ipynb"
    assert tags["mlops.snapshot.sha256"] == first["sha256"] and tags.get("mlflow.user")

    again = await call(jp_fetch, *snap(seed.name, run_id), method="POST", body={"path": "work/train.ipynb"})
    assert again["uploaded"] is False and again["reason"] == "unchanged" and again["sha256"] == first["sha256"]

    write_nb(jp_root_dir, "work/train.ipynb", "x = 2")
    changed = await call(jp_fetch, *snap(seed.name, run_id), method="POST", body={"path": "work/train.ipynb"})
    assert changed["uploaded"] is True and changed["sha256"] != first["sha256"]
    got = await call(jp_fetch, *snap(seed.name, run_id))
    assert got["snapshot"]["sha256"] == changed["sha256"] and got["notebook"]["cells"][0]["source"] == "x = 2"
    back = await call(jp_fetch, *snap(seed.name, run_id), method="POST", body={"path": "work/train.ipynb"})
    assert back["uploaded"] is False  # unchanged again, also where tags are write-once (GitLab)


@pytest.mark.parametrize("mlops_backends", ["gitlab"], indirect=True)
async def test_gitlab_uploads_flat_artifact_names(jp_fetch, jp_root_dir, seed, gitlab_server):
    write_nb(jp_root_dir, "deep/dir/nb.ipynb", "print(1)")
    run_id = seed.run()
    gitlab_server.clear_requests()
    await call(jp_fetch, *snap("gitlab", run_id), method="POST", body={"path": "deep/dir/nb.ipynb"})
    puts = [r["path"] for r in gitlab_server.requests if r["method"] == "PUT"]
    iid = gitlab_server.candidate_iid(run_id)
    assert sorted(p.rsplit("/files/", 1)[1] for p in puts) == ["notebook.ipynb", "snapshot.json"]
    assert all(f"/packages/ml_models/candidate:{iid}/files/" in p for p in puts)


@pytest.mark.parametrize("mlops_app_config", [{"snapshot_max_bytes": 30_000, "snapshot_output_max_bytes": 25_000}])
async def test_size_cap_drops_outputs_then_refuses(jp_fetch, jp_root_dir, seed):
    write_nb(jp_root_dir, "big.ipynb", "a()", "b()", outputs=["a" * 24_000, "b" * 9_000])
    run_id = seed.run()
    res = await call(jp_fetch, *snap(seed.name, run_id), method="POST", body={"path": "big.ipynb"})
    assert res["uploaded"] and res["outputs_dropped"] == 1 and res["size"] <= 30_000
    write_nb(jp_root_dir, "huge.ipynb", "x = '" + "y" * 40_000 + "'")
    code, body = await fails(jp_fetch, *snap(seed.name, run_id), method="POST", body={"path": "huge.ipynb"})
    assert code == 400 and body["reason"] == "snapshot_too_large" and "snapshot_max_bytes" in body["message"]


async def test_bad_requests_are_clear(jp_fetch, jp_root_dir, seed):
    run_id = seed.run()
    cases = [
        ({"path": "missing.ipynb"}, 404, "not found"),
        ({}, 400, "kernel_id"),
        ({"path": "../outside.ipynb"}, 400, "inside the server root"),
        ({"kernel_id": "00000000-0000-0000-0000-000000000000"}, 404, "No notebook session"),
        ({"path": "x.ipynb", "content": {"cells": 3}}, 400, "not a valid notebook"),
    ]
    for body, status, text in cases:
        code, err = await fails(jp_fetch, *snap(seed.name, run_id), method="POST", body=body)
        assert code == status and text in err["message"], (body, err)
    write_nb(jp_root_dir, "ok.ipynb", "1")
    code, err = await fails(jp_fetch, *snap(seed.name, "no-such-run"), method="POST", body={"path": "ok.ipynb"})
    assert code == 404
    code, err = await fails(jp_fetch, *snap(seed.name, run_id))
    assert code == 404 and err["reason"] == "no_snapshot"


async def test_frontend_content_wins_over_disk(jp_fetch, jp_root_dir, seed):
    write_nb(jp_root_dir, "live.ipynb", "on disk")
    live = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("in the browser", id="c1")])
    run_id = seed.run()
    res = await call(
        jp_fetch,
        *snap(seed.name, run_id),
        method="POST",
        body={"path": "live.ipynb", "content": live, "packages": {"numpy": "2.0"}, "python": {"version": "3.x"}},
    )
    record = json.loads(seed.artifact(run_id, "snapshot.json"))
    assert res["uploaded"] and record["source"] == "frontend" and record["packages"] == {"numpy": "2.0"}
    assert record["packages_source"] == "kernel"
    assert json.loads(seed.artifact(run_id, "notebook.ipynb"))["cells"][0]["source"] == "in the browser"


@BOTH
async def test_invalid_snapshot_artifact_is_an_error_not_a_crash(jp_fetch, seed):
    run_id = seed.run()
    seed.upload(run_id, "snapshot.json", b'{"sha256": "x", "path": "a.ipynb"}')
    seed.upload(run_id, "notebook.ipynb", b'{"nbformat": 4, "cells": [{"cell_type": "code", "source": 7}]}')
    code, err = await fails(jp_fetch, *snap(seed.name, run_id))
    assert code == 400 and err["reason"] == "invalid_notebook" and "not a valid notebook" in err["message"]


@BOTH
async def test_restore_never_overwrites_and_diff_shows_one_cell(jp_fetch, jp_root_dir, seed):
    write_nb(jp_root_dir, "exp/nb.ipynb", "a = 1", "b = 2", "c = 3", outputs=[None, "2\n", None])
    run_a = seed.run()
    await call(jp_fetch, *snap(seed.name, run_a), method="POST", body={"path": "exp/nb.ipynb"})
    write_nb(jp_root_dir, "exp/nb.ipynb", "a = 1", "b = 20", "c = 3", outputs=[None, "20\n", None])
    run_b = seed.run()
    await call(jp_fetch, *snap(seed.name, run_b), method="POST", body={"path": "exp/nb.ipynb"})

    d = await call(jp_fetch, "snapshots", "diff", a=f"{seed.name}:{run_a}", b=f"{seed.name}:{run_b}")
    assert d["summary"] == {"unchanged": 2, "modified": 1, "added": 0, "removed": 0}
    [mod] = [c for c in d["cells"] if c["status"] == "modified"]
    assert mod["a_index"] == mod["b_index"] == 1 and "+b = 20" in mod["source_diff"] and mod["outputs_changed"]
    # Names over ids: both sides and the snapshot itself carry the run's name.
    assert [d["a"]["run_name"], d["b"]["run_name"]] == [seed.run_name(run_a), seed.run_name(run_b)]
    assert d["a"]["run_name"]
    view = await call(jp_fetch, *snap(seed.name, run_a))
    assert view["run_name"] == seed.run_name(run_a)

    taken = jp_root_dir / "exp" / f"nb-{run_a[:8]}.ipynb"
    taken.write_text("do not touch")
    first = await call(jp_fetch, *snap(seed.name, run_a, "restore"), method="POST", body={})
    second = await call(jp_fetch, *snap(seed.name, run_a, "restore"), method="POST", body={})
    assert first["path"] == f"exp/nb-{run_a[:8]}-1.ipynb" and second["path"] == f"exp/nb-{run_a[:8]}-2.ipynb"
    assert taken.read_text() == "do not touch"
    restored = nbformat.read(str(jp_root_dir / first["path"]), as_version=4)
    assert [c.source for c in restored.cells] == ["a = 1", "b = 2", "c = 3"]
    other = await call(jp_fetch, *snap(seed.name, run_a, "restore"), method="POST", body={"dir": ""})
    assert other["path"] == f"nb-{run_a[:8]}.ipynb"
    code, err = await fails(jp_fetch, *snap(seed.name, run_a, "restore"), method="POST", body={"dir": "../x"})
    assert code == 400


async def test_kernel_session_resolves_the_notebook(jp_fetch, jp_serverapp, jp_root_dir, seed):
    write_nb(jp_root_dir, "sessions/k.ipynb", "print('hi')")
    sm = jp_serverapp.session_manager
    model = await sm.create_session(path="sessions/k.ipynb", kernel_name="python3", type="notebook")
    kernel_id = model["kernel"]["id"]
    try:
        run_id = seed.run()
        res = await call(jp_fetch, *snap(seed.name, run_id), method="POST", body={"kernel_id": kernel_id})
        assert res["path"] == "sessions/k.ipynb" and res["uploaded"]
        record = json.loads(seed.artifact(run_id, "snapshot.json"))
        assert record["kernel"]["id"] == kernel_id and record["kernel"]["name"] == "python3"
        assert record["packages_source"] == "server" and "nbformat" in record["packages"]
    finally:
        await sm.delete_session(model["id"])


HOOK_CODE = """
from jupyterlab_mlops.kernel import api, snapshot_hook
snapshot_hook.register(api.on_run_end)
run = api.start_run(experiment={exp!r})
print("RUN", run.run_id)
api.end_run()
"""


async def _iopub_until(kc: Any, done: Any, timeout: float = 60) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        msg = await kc.get_iopub_msg(timeout=timeout)
        if msg["msg_type"] == "error":
            raise AssertionError("\n".join(msg["content"]["traceback"]))
        if done(msg):
            return
    raise AssertionError("timed out reading the kernel's messages")


async def _run_in_kernel(jp_serverapp, kernel_id: str, code: str, *, ack: bool) -> dict[str, Any]:
    """Execute ``code`` and act as a frontend: optionally ack the snapshot comm, then ask the kernel
    which run to snapshot through a frontend-opened comm; return once the kernel closed its snapshot comm
    (it has decided: the frontend took the snapshot, or the kernel posted it and got the answer)."""
    kc = jp_serverapp.kernel_manager.get_kernel(kernel_id).client()
    kc.start_channels()
    seen: dict[str, Any] = {"run_id": "", "opened": None, "active": None, "closed": set()}

    def closed(msg: dict[str, Any]) -> bool:
        if msg["msg_type"] == "comm_close":
            seen["closed"].add(msg["content"]["comm_id"])
        return bool(seen["opened"]) and seen["opened"]["comm_id"] in seen["closed"]

    try:
        await kc.wait_for_ready(timeout=60)
        msg_id = kc.execute(code)

        def on_cell(msg: dict[str, Any]) -> bool:
            content, kind = msg["content"], msg["msg_type"]
            closed(msg)
            if kind == "stream" and "RUN " in content.get("text", ""):
                seen["run_id"] = content["text"].split("RUN ", 1)[1].split()[0]
            elif kind == "comm_open" and content["target_name"] == "jupyterlab_mlops.snapshot":
                seen["opened"] = content
                if ack:
                    for message in ({"type": "ack", "take": True}, {"type": "done", "result": {"uploaded": True}}):
                        data = {**message, "request_id": content["data"]["request_id"]}
                        reply = {"comm_id": content["comm_id"], "data": data}
                        kc.shell_channel.send(kc.session.msg("comm_msg", reply))
            idle = kind == "status" and content["execution_state"] == "idle"
            return idle and msg["parent_header"].get("msg_id") == msg_id

        await _iopub_until(kc, on_cell)
        comm_id = "frontend-comm-1"
        ask = {"comm_id": comm_id, "target_name": "jupyterlab_mlops.snapshot", "data": {"type": "active_run"}}
        kc.shell_channel.send(kc.session.msg("comm_open", ask))

        def on_answer(msg: dict[str, Any]) -> bool:
            closed(msg)
            if msg["msg_type"] == "comm_msg" and msg["content"]["comm_id"] == comm_id:
                seen["active"] = msg["content"]["data"]
                return True
            return False

        await _iopub_until(kc, on_answer, timeout=20)
        if seen["opened"] and not closed({"msg_type": ""}):
            await _iopub_until(kc, closed, timeout=30)
        return seen
    finally:
        kc.stop_channels()


@pytest.mark.parametrize("ack", [False, True], ids=["no-frontend-kernel-posts", "frontend-acks"])
async def test_kernel_hook_end_to_end(
    jp_fetch, jp_serverapp, jp_root_dir, jp_http_port, jp_base_url, mlflow_server, seed, monkeypatch, ack
):
    write_nb(jp_root_dir, "hook/h.ipynb", "%%mlops run\nx = 1", outputs=[f"{GLPAT}\n"])
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server.url)
    monkeypatch.setenv("MLOPS_SNAPSHOT_ACK_TIMEOUT", "1.5")
    monkeypatch.setenv("MLOPS_SPOOL_DIR", str(jp_root_dir.parent / "spool"))
    env = kernel_env(jp_serverapp)  # what the extension exports to kernels
    assert env["MLOPS_SERVER_URL"] == f"http://127.0.0.1:{jp_http_port}{jp_base_url}"
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[1]))
    sm = jp_serverapp.session_manager
    model = await sm.create_session(path="hook/h.ipynb", kernel_name="python3", type="notebook")
    try:
        seen = await _run_in_kernel(jp_serverapp, model["kernel"]["id"], HOOK_CODE.format(exp=unique("hook")), ack=ack)
        run_id, opened = seen["run_id"], seen["opened"]
        assert run_id and opened is not None, "the kernel announced no snapshot"
        data = opened["data"]
        assert data["run_id"] == run_id and data["kernel_id"] == model["kernel"]["id"] and data["backend"] is None
        assert data["tracking_uri"] == mlflow_server.url and "ipykernel" in data["packages"]
        active = seen["active"]
        assert active["type"] == "active_run" and active["run_id"] is None and active["last_run_id"] == run_id
        assert active["kernel_id"] == model["kernel"]["id"] and active["auto"] is True
        try:  # the kernel closed its comm: it has posted the snapshot (no ack within 1.5 s) or left it alone
            snapshot = json.loads(seed.artifact(run_id, "snapshot.json"))
        except NotFound:
            snapshot = None
        if ack:
            assert snapshot is None, "the kernel took the snapshot although a frontend acknowledged"
        else:
            assert snapshot is not None and snapshot["path"] == "hook/h.ipynb"
            assert snapshot["packages_source"] == "kernel" and "ipykernel" in snapshot["packages"]
            assert GLPAT.encode() not in seed.artifact(run_id, "notebook.ipynb")
    finally:
        await sm.delete_session(model["id"])


async def test_a_snapshot_claiming_trust_is_restored_untrusted(jp_fetch, jp_serverapp, jp_root_dir, seed):
    """A crafted snapshot whose cells say ``trusted: true`` must not become a signed notebook whose HTML and
    JavaScript outputs run when the user opens it."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "1",
            metadata={"trusted": True},
            outputs=[
                nbformat.v4.new_output(
                    "display_data",
                    data={
                        "text/html": "<img src=x onerror=\"fetch('/api/contents/pwned.txt',{method:'PUT'})\">",
                        "application/javascript": "document.title='pwned'",
                    },
                )
            ],
        )
    ]
    run_id = seed.run()
    seed.upload(run_id, "snapshot.json", json.dumps({"sha256": "x", "path": "evil.ipynb"}).encode())
    raw = json.loads(nbformat.writes(nb))
    raw["cells"][0]["metadata"]["trusted"] = True  # nbformat's writer drops it; a hostile writer does not
    seed.upload(run_id, "notebook.ipynb", json.dumps(raw).encode())
    shown = await call(jp_fetch, *snap(seed.name, run_id))
    assert "trusted" not in shown["notebook"]["cells"][0]["metadata"]
    restored = await call(jp_fetch, *snap(seed.name, run_id, "restore"), method="POST", body={})
    saved = nbformat.read(str(jp_root_dir / restored["path"]), as_version=4)
    assert not jp_serverapp.contents_manager.notary.check_signature(saved)
    opened = await jp_fetch("api", "contents", restored["path"])
    assert json.loads(opened.body)["content"]["cells"][0]["metadata"].get("trusted") is not True

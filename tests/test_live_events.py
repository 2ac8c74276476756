"""Change events (issue 13, live lists): a kernel that logs through the extension tells the server on its unix
datagram socket, and the server emits events of the extension's schema on Jupyter's event bus. Real Jupyter
server, real kernel, real MLflow; garbage on the socket is dropped without harm."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import stat
from typing import Any


from jupyterlab_mlops.server import events

CODE = """
import jupyterlab_mlops as mlops
mlops.experiment({name!r})
run = mlops.start_run(name="live-run")
mlops.log_metric("acc", 0.5)
mlops.end_run()
print("RUN", run.run_id)
"""


class Listener:
    """Events of the extension's schema as the event bus delivers them (a real listener)."""

    def __init__(self, serverapp: Any) -> None:
        self.events: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()

        async def listen(logger: Any, schema_id: str, data: dict[str, Any]) -> None:
            self.events.append(dict(data))
            self.arrived.set()

        serverapp.event_logger.add_listener(schema_id=events.SCHEMA_ID, listener=listen)

    async def wait_for(self, predicate: Any, timeout: float = 60.0) -> dict[str, Any]:
        async def scan() -> dict[str, Any]:
            while True:
                found = next((e for e in self.events if predicate(e)), None)
                if found is not None:
                    return found
                self.arrived.clear()
                await self.arrived.wait()

        return await asyncio.wait_for(scan(), timeout)


async def _until(check: Any, timeout: float = 10.0) -> None:
    async def loop() -> None:
        while not check():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(loop(), timeout)


def _app(jp_serverapp: Any) -> Any:
    (ext,) = jp_serverapp.extension_manager.extension_apps["jupyterlab_mlops"]
    return ext


async def _execute(jp_serverapp: Any, code: str) -> str:
    km = jp_serverapp.kernel_manager
    kernel_id = await km.start_kernel(kernel_name="python3")
    out: list[str] = []
    try:
        client = km.get_kernel(kernel_id).client()
        client.start_channels()
        await asyncio.wait_for(client._async_wait_for_ready(), 60)

        def on_output(msg: dict[str, Any]) -> None:
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append("\n".join(msg["content"]["traceback"]))

        reply = await asyncio.wait_for(client._async_execute_interactive(code, output_hook=on_output), 120)
        client.stop_channels()
    finally:
        await km.shutdown_kernel(kernel_id, now=True)
    text = "".join(out)
    assert reply["content"]["status"] == "ok", text
    return text


async def test_socket_is_private_and_exported(jp_serverapp):
    path = os.environ[events.SOCKET_ENV]
    assert path == _app(jp_serverapp)._changes.path
    mode = os.stat(path).st_mode
    assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o600


async def test_kernel_run_produces_events(jp_serverapp, mlflow_server, monkeypatch):
    listener = Listener(jp_serverapp)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server.url)  # kernels inherit it, as from the embedded one
    name = "live-events-" + os.urandom(4).hex()
    text = await _execute(jp_serverapp, CODE.format(name=name))
    run_id = text.split("RUN ", 1)[1].split()[0]

    exp = await listener.wait_for(lambda e: e["kind"] == "experiment")
    assert exp["backend"] == "default" and exp["name"] == name and exp["change"] == "created"
    created = await listener.wait_for(lambda e: e["kind"] == "run" and e["change"] == "created")
    assert created["run_id"] == run_id and created["experiment_id"] == exp["experiment_id"]
    assert created["name"] == "live-run"
    finished = await listener.wait_for(lambda e: e["kind"] == "run" and e["change"] == "finished")
    assert finished["run_id"] == run_id


async def test_garbage_datagrams_are_dropped(jp_serverapp, mlflow_server):
    changes = _app(jp_serverapp)._changes
    listener = Listener(jp_serverapp)
    good = {
        "v": 1,
        "uri": mlflow_server.url,
        "kind": "run",
        "change": "updated",
        "experiment_id": "7",
        "run_id": "abc123",
        "name": "x\x1b[31m" + "n" * 300,
    }
    garbage: list[bytes] = [
        b"",
        b"\xff\xfe not utf-8",
        b"not json",
        b"[1, 2, 3]",
        b"[" * 1000 + b"]" * 1000,  # deep nesting
        json.dumps({**good, "v": 2}).encode(),
        json.dumps({**good, "kind": "model"}).encode(),
        json.dumps({**good, "change": "deleted"}).encode(),
        json.dumps({**good, "run_id": "../../etc/passwd"}).encode(),
        json.dumps({**good, "experiment_id": 7}).encode(),
        json.dumps({**good, "uri": "http://elsewhere.example:1"}).encode(),  # not a backend of this server
        json.dumps({**good, "kind": "experiment"}).encode(),  # an experiment event with a run id
        json.dumps({**good, "name": {"html": "<b>"}}).encode(),
        b"x" * (events.MAX_DATAGRAM + 10),
    ]
    before_dropped, before_received = changes.dropped, changes.received
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        for n, data in enumerate(garbage, 1):
            sock.sendto(data, changes.path)
            await _until(lambda: changes.received - before_received >= n)  # the queue is short (max_dgram_qlen)
        sock.sendto(json.dumps({**good, "name": "ok"}).encode(), changes.path)  # a real signal to wait on
    got = await listener.wait_for(lambda e: True, timeout=10)
    assert got == {
        "backend": "default",
        "kind": "run",
        "experiment_id": "7",
        "run_id": "abc123",
        "change": "updated",
        "name": "ok",
    }
    assert listener.events == [got]
    assert changes.dropped - before_dropped == len(garbage)
    # a long name with control characters is cut and cleaned, never refused
    parsed = events.parse_datagram(json.dumps(good).encode(), lambda uri: "default")
    assert parsed is not None and len(parsed.name or "") == events.NAME_MAX and "\x1b" not in (parsed.name or "")


def test_notify_never_raises_without_a_server(monkeypatch, tmp_path):
    from jupyterlab_mlops.kernel import notify

    monkeypatch.setenv(notify.SOCKET_ENV, str(tmp_path / "nobody-listens.sock"))
    notify.run_created("http://x", "1", "r1", "n")  # no socket bound there: dropped, not raised
    notify.delivered("http://x", "r1")
    monkeypatch.setenv(notify.SOCKET_ENV, str(tmp_path))  # a directory
    notify.run_finished("http://x", "r1")
    monkeypatch.setenv(notify.SOCKET_ENV, "/" + "x" * 300)  # longer than a socket path may be
    notify.experiment("http://x", "1", "n" * 10_000)

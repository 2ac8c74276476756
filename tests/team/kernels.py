"""Kernels of a user's server, started and run through the hub's proxy: the Jupyter REST API
(``/user/<name>/api/kernels``) and the kernel's websocket, as JupyterLab does."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import websocket

from .hub import UserServer


class Kernel:
    """A python3 kernel on ``server``; ``run(code)`` returns its stdout and raises on an error."""

    def __init__(self, server: UserServer) -> None:
        self.server = server
        r = server.session.post(server.url("api/kernels"), json={"name": "python3"}, timeout=60)
        r.raise_for_status()
        self.id = r.json()["id"]
        self.session_id = uuid.uuid4().hex
        ws_url = server.url(f"api/kernels/{self.id}/channels").replace("http://", "ws://", 1)
        self.ws = websocket.create_connection(
            f"{ws_url}?session_id={self.session_id}", timeout=120, header=[f"Authorization: token {server.token}"]
        )

    def run(self, code: str, timeout: float = 180.0) -> str:
        msg_id = uuid.uuid4().hex
        self.ws.send(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "username": self.server.name,
                        "session": self.session_id,
                        "msg_type": "execute_request",
                        "version": "5.3",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "channel": "shell",
                    "buffers": [],
                    "content": {
                        "code": code,
                        "silent": False,
                        "store_history": False,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": True,
                    },
                }
            )
        )
        out: list[str] = []
        reply: dict[str, Any] | None = None
        idle = False
        deadline = time.monotonic() + timeout
        while not (reply is not None and idle):
            self.ws.settimeout(max(1.0, deadline - time.monotonic()))
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"kernel of {self.server.name} did not finish in {timeout} s; output so far:\n" + "".join(out)
                )
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                out.append("\n".join(content.get("traceback", [])))
            elif kind == "execute_reply":
                reply = content
            elif kind == "status" and content.get("execution_state") == "idle":
                idle = True
        text = "".join(out)
        if reply["status"] != "ok":
            raise AssertionError(
                f"kernel of {self.server.name} failed: {reply.get('ename')}: {reply.get('evalue')}\n{text}"
            )
        return text

    def value(self, code: str, marker: str = "RESULT", timeout: float = 180.0) -> Any:
        """Run ``code``, which must ``print(marker, json.dumps(x))`` once; ``x``."""
        text = self.run(code, timeout=timeout)
        for line in text.splitlines():
            if line.startswith(marker + " "):
                return json.loads(line[len(marker) + 1 :])
        raise AssertionError(f"no {marker} line in the kernel's output:\n{text}")

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            try:
                self.server.session.delete(self.server.url(f"api/kernels/{self.id}"), timeout=30)
            except Exception:  # noqa: BLE001 - the server may be gone already
                pass

"""Helpers for the kernel-side tests (issue 5): a TCP proxy that can take a real backend "down"
(connections refused and cut) and bring it back on the same port, and a way to point the
kernel API at a backend with a fresh spool directory."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any, Iterator, Optional

import requests


class TcpProxy:
    """Forwards ``127.0.0.1:<port>`` to ``target_host:target_port``. ``down()`` closes the listener
    and cuts open connections (clients see "connection refused"); ``up()`` listens again on the same
    port. ``hang()``: connections are accepted and never answered (a hung backend) until ``up()``.
    The backend behind it is real and untouched."""

    def __init__(self, target_url: str) -> None:
        hostport = target_url.split("://", 1)[1].split("/", 1)[0]
        host, port = hostport.rsplit(":", 1)
        self.target = (host, int(port))
        self.path = target_url.split(hostport, 1)[1]
        self._listener: Optional[socket.socket] = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self.hanging = False
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def hang(self) -> None:
        """Accept and hold every new connection without an answer; open ones are cut (pooled keep-alive
        connections would otherwise still get through)."""
        self.hanging = True
        self._cut()

    def up(self) -> None:
        if self.hanging:
            self.hanging = False
            self._cut()
        if self._listener is not None:
            return
        lst = socket.socket()
        lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        deadline = time.monotonic() + 10
        while True:
            try:
                lst.bind(("127.0.0.1", self.port))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        lst.listen(64)
        self._listener = lst
        threading.Thread(target=self._accept, args=(lst,), daemon=True).start()

    def down(self) -> None:
        lst, self._listener = self._listener, None
        if lst is not None:
            try:
                lst.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            lst.close()
        self._cut()

    def _cut(self) -> None:
        with self._lock:
            conns, self._conns = self._conns, []
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()

    def close(self) -> None:
        self.down()

    def _accept(self, lst: socket.socket) -> None:
        while True:
            try:
                client, _ = lst.accept()
            except OSError:
                return
            if self._listener is not lst:
                client.close()
                return
            if self.hanging:
                with self._lock:
                    self._conns.append(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def use_backend(uri: str, token: Optional[str] = None, spool_dir: Optional[Path] = None) -> Any:
    """Point the kernel API at ``uri`` with a fresh session state; returns the api module."""
    from jupyterlab_mlops.kernel import api

    s = api.session()
    s.stack.clear()
    s.run_ref = None
    s.notices.clear()
    api.configure(uri, token, spool_dir=str(spool_dir) if spool_dir else None)
    return api


def api_on(request: Any, tmp_path: Path, *, ignore_end_errors: bool = False) -> Iterator[tuple[Any, str]]:
    """Body of a fixture parametrized ``["mlflow", "gitlab"]``: the kernel API pointed at that backend with a
    fresh spool dir, as ``(api, kind)``; the runs a test left open are ended afterwards."""
    if request.param == "mlflow":
        api = use_backend(request.getfixturevalue("mlflow_server").url, spool_dir=tmp_path / "spool")
    else:
        gl = request.getfixturevalue("gitlab_server")
        api = use_backend(gl.tracking_uri, gl.token, spool_dir=tmp_path / "spool")
    yield api, request.param
    for run in list(reversed(api.session().stack)):
        try:
            run.end()
        except Exception:  # noqa: BLE001 - a test that broke the backend on purpose
            if not ignore_end_errors:
                raise


def history(url: str, run_id: str, key: str, headers: Optional[dict[str, str]] = None) -> list[dict[str, Any]]:
    """Every point of a metric, straight from the tracking server's REST API (paged)."""
    out: list[dict[str, Any]] = []
    token = None
    while True:
        params: dict[str, Any] = {"run_id": run_id, "metric_key": key, "max_results": 25000}
        if token:
            params["page_token"] = token
        r = requests.get(f"{url}/api/2.0/mlflow/metrics/get-history", params=params, headers=headers or {}, timeout=60)
        r.raise_for_status()
        data = r.json()
        out.extend(data.get("metrics", []))
        token = data.get("next_page_token")
        if not token:
            return out


def get_run(url: str, run_id: str, headers: Optional[dict[str, str]] = None) -> dict[str, Any]:
    r = requests.get(f"{url}/api/2.0/mlflow/runs/get", params={"run_id": run_id}, headers=headers or {}, timeout=30)
    r.raise_for_status()
    return r.json()["run"]


def kv(items: Optional[list[dict[str, Any]]]) -> dict[str, Any]:
    return {i["key"]: i.get("value") for i in items or []}


def wait_for(predicate: Any, timeout: float = 60.0, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)

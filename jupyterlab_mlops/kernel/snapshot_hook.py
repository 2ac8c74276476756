"""Kernel side of automatic notebook snapshots (issue 6; protocol in .notes/SNAPSHOT_PROTOCOL.md).

Registered in :data:`jupyterlab_mlops.kernel.api.on_run_end`. When a run ends inside a cell, the
snapshot is requested *after the cell finishes* (IPython's ``post_run_cell``), so its outputs are
part of it:

1. the kernel opens a comm ``jupyterlab_mlops.snapshot`` with ``{run_id, tracking_uri, kernel_id,
   packages, python, ...}``;
2. a JupyterLab frontend with this extension answers ``{"type": "ack", "take": true}``, saves the
   notebook and calls ``POST .../runs/{run_id}/snapshot`` itself (the frontend path wins: it has
   the notebook as the user sees it), or ``"take": false`` when the user turned automatic
   snapshots off;
3. without an ack within ``MLOPS_SNAPSHOT_ACK_TIMEOUT`` seconds (default 2), or when the comm is
   closed unanswered (JupyterLab closes comms of unknown targets), the kernel calls the route
   with its own ``kernel_id``; the server finds the notebook from the kernel's session and reads
   it from disk.

A frontend may also open the comm itself with ``{"type": "active_run"}`` to learn which run to
snapshot on demand (the kernel answers once and closes it).

Off switch in the kernel: ``MLOPS_AUTO_SNAPSHOT=0`` or ``snapshot_hook.enabled = False``.
Import-light (stdlib only); nothing here raises into ``end_run``. ``last`` keeps the latest outcome.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import uuid
from typing import Any, Callable, Optional

TARGET = "jupyterlab_mlops.snapshot"
PROTOCOL = 1
log = logging.getLogger("jupyterlab_mlops.snapshot")
log.addHandler(logging.NullHandler())  # a failure is kept in ``last``, never printed into a random cell

enabled: bool = os.environ.get("MLOPS_AUTO_SNAPSHOT", "1").strip().lower() not in ("0", "false", "off", "no")
#: Outcome of the latest request: {"request_id", "run_id", "via": "frontend"|"kernel"|"skipped", ...}
last: dict[str, Any] = {}
_pending: list[dict[str, Any]] = []
_hooked: set[int] = set()
_backend_names: dict[str, Optional[str]] = {}
_targets: set[int] = set()
_last_run: dict[str, Any] = {}
#: Seconds the kernel keeps the comm open for the frontend's "done" after an ack.
DONE_TIMEOUT = 600.0


def register(hooks: list[Callable[..., Any]]) -> None:
    """Add :func:`on_run_end` to the kernel API's ``on_run_end`` list (idempotent), and answer
    frontends that ask which run to snapshot (comm target ``jupyterlab_mlops.snapshot``)."""
    if on_run_end not in hooks:
        hooks.append(on_run_end)
    ip = _shell()
    manager = getattr(getattr(ip, "kernel", None), "comm_manager", None)
    if manager is not None and id(manager) not in _targets:
        try:
            manager.register_target(TARGET, _on_frontend_open)
            _targets.add(id(manager))
        except Exception as exc:  # noqa: BLE001
            log.debug("cannot register the snapshot comm target: %s", exc)


def _on_frontend_open(comm: Any, msg: dict[str, Any]) -> None:
    """A frontend asks ``{"type": "active_run"}``: answer the run to snapshot and close."""
    data = (msg.get("content") or {}).get("data") or {}
    try:
        if data.get("type") == "active_run":
            comm.send(describe())
        else:
            comm.send({"type": "error", "message": f"unknown request {data.get('type')!r}"})
    finally:
        comm.close()


def describe() -> dict[str, Any]:
    """The active run (or the last ended one) and this kernel's environment, for a frontend."""
    from ..snapshot import environment
    from . import api

    run = api.active_run()
    uri = (
        _tracking_uri(run)
        if run is not None
        else str(_last_run.get("tracking_uri") or os.environ.get("MLFLOW_TRACKING_URI", ""))
    )
    return {
        "type": "active_run",
        "protocol": PROTOCOL,
        "run_id": getattr(run, "run_id", None) if run else None,
        "last_run_id": _last_run.get("run_id"),
        "tracking_uri": uri,
        "backend": _known_backend(uri),
        "kernel_id": kernel_id(),
        "python": environment.python_info(),
        "packages": environment.packages(),
        "auto": enabled,
    }


def ack_timeout() -> float:
    try:
        return max(0.0, float(os.environ.get("MLOPS_SNAPSHOT_ACK_TIMEOUT", "2")))
    except ValueError:
        return 2.0


def _shell() -> Any:
    """The IPython shell of a Jupyter kernel, or None (plain Python, terminal IPython)."""
    ipython = sys.modules.get("IPython")  # never import IPython just to find out
    get_ipython = getattr(ipython, "get_ipython", None)
    ip = get_ipython() if get_ipython is not None else None
    return ip if ip is not None and getattr(ip, "kernel", None) is not None else None


def kernel_id() -> Optional[str]:
    """This kernel's id, from its connection file ``kernel-<id>.json`` (how Jupyter names it)."""
    try:
        from ipykernel.connect import get_connection_file

        name = os.path.basename(get_connection_file())
    except Exception:  # noqa: BLE001
        return None
    m = re.match(r"^kernel-(.+)\.json$", name)
    return m.group(1) if m else None


def on_run_end(run: Any) -> None:
    """The ``on_run_end`` callback: schedule a snapshot of the run for the end of the cell."""
    run_id = getattr(run, "run_id", None)
    if run_id:
        _last_run.update(run_id=run_id, tracking_uri=_tracking_uri(run))
    if enabled and run_id:
        request(run_id, tracking_uri=_tracking_uri(run))


def _tracking_uri(run: Any) -> str:
    """The tracking server of this kernel's session (the run's), else ``MLFLOW_TRACKING_URI``."""
    from . import api

    backend = api.session().backend_or_none
    return str(getattr(backend, "url", "") or os.environ.get("MLFLOW_TRACKING_URI", ""))


def request(run_id: str, *, tracking_uri: str = "") -> Optional[str]:
    """Ask for a snapshot of ``run_id`` when the current cell ends (at once from a background thread).

    Returns the request id, or None when not in a Jupyter kernel."""
    ip = _shell()
    if ip is None:
        return None
    req = {
        "request_id": uuid.uuid4().hex,
        "run_id": run_id,
        "tracking_uri": tracking_uri or os.environ.get("MLFLOW_TRACKING_URI", ""),
    }
    _pending.append(req)
    if id(ip) not in _hooked:
        ip.events.register("post_run_cell", _after_cell)
        _hooked.add(id(ip))
    if threading.current_thread() is not threading.main_thread():
        _after_cell()  # a run ended in a background thread: no cell end to wait for
    return str(req["request_id"])


def _after_cell(*_args: Any) -> None:
    """``post_run_cell``: announce every pending request (cheap: packages are read in a thread)."""
    while _pending:
        req = _pending.pop(0)
        try:
            _announce(req)
        except Exception as exc:  # noqa: BLE001 - never break the kernel's cell loop
            log.warning("snapshot request failed: %s", exc)


def _announce(req: dict[str, Any]) -> None:
    from ..snapshot import environment

    payload = {
        "protocol": PROTOCOL,
        **req,
        "kernel_id": kernel_id(),
        "backend": _known_backend(req["tracking_uri"]),
        "python": environment.python_info(),
        "packages": environment.packages(),
        "ack_timeout": ack_timeout(),
    }
    state: dict[str, Any] = {"ack": threading.Event(), "done": threading.Event(), "reply": None}
    comm = None
    try:
        from comm import create_comm

        comm = create_comm(target_name=TARGET, data=payload)

        def on_msg(msg: dict[str, Any]) -> None:
            data = (msg.get("content") or {}).get("data") or {}
            if data.get("type") == "ack" and state["reply"] is None:
                state["reply"] = data
                state["ack"].set()
            elif data.get("type") in ("done", "error"):
                last.update(request_id=req["request_id"], run_id=req["run_id"], via="frontend", result=data)
                state["done"].set()

        def on_close(_msg: Any) -> None:
            state["ack"].set()
            state["done"].set()

        comm.on_msg(on_msg)
        comm.on_close(on_close)
    except Exception as exc:  # noqa: BLE001 - no comm support: go straight to the fallback
        log.debug("snapshot comm unavailable: %s", exc)
    threading.Thread(target=_decide, args=(payload, state, comm), name="mlops-snapshot", daemon=True).start()


def _decide(payload: dict[str, Any], state: dict[str, Any], comm: Any) -> None:
    """Wait for the frontend's ack; without one, take the snapshot through the server ourselves."""
    if comm is not None:
        state["ack"].wait(ack_timeout())
    reply = state["reply"]
    base = {"request_id": payload["request_id"], "run_id": payload["run_id"]}
    try:
        if reply is not None:
            last.clear()
            last.update(base, via="frontend" if reply.get("take", True) else "skipped")
            if reply.get("take", True):
                state["done"].wait(DONE_TIMEOUT)
            return
        try:
            result = post_snapshot(payload)
            last.clear()
            last.update(base, via="kernel", result=result)
        except Exception as exc:  # noqa: BLE001 - reported in ``last`` and the kernel log, never raised
            last.clear()
            last.update(base, via="kernel", error=f"{type(exc).__name__}: {exc}")
            log.warning("notebook snapshot of run %s failed: %s", payload["run_id"], exc)
    finally:
        if comm is not None:
            try:
                comm.close()
            except Exception:  # noqa: BLE001
                pass


def _server() -> tuple[str, dict[str, str], bool]:
    url = os.environ.get("MLOPS_SERVER_URL", "")
    if not url:
        raise RuntimeError(
            "MLOPS_SERVER_URL is not set: this kernel was not started by a Jupyter server with jupyterlab_mlops"
        )
    token = os.environ.get("MLOPS_SERVER_TOKEN") or os.environ.get("JUPYTERHUB_API_TOKEN", "")
    headers = {"Authorization": f"token {token}"} if token else {}
    loopback = re.match(r"^https?://(127\.|\[::1\]|localhost)", url) is not None
    return url.rstrip("/") + "/jupyterlab-mlops/", headers, loopback


def _known_backend(tracking_uri: str) -> Optional[str]:
    """The server's backend name for a kernel-side tracking URI, when it is a proxy URL or cached."""
    m = re.search(r"/jupyterlab-mlops/backends/([^/]+)/mlflow/?$", tracking_uri or "")
    if m:
        return m.group(1)
    return _backend_names.get(tracking_uri.rstrip("/"))


def backend_name(tracking_uri: str, session: Any, root: str) -> Optional[str]:
    """Match the kernel's tracking URI against the server's backends (``GET status``)."""
    known = _known_backend(tracking_uri)
    if known:
        return known
    status = session.get(root + "status", timeout=10)
    status.raise_for_status()
    uri = tracking_uri.rstrip("/")
    for b in status.json().get("backends", []):
        _backend_names[str(b.get("url", "")).rstrip("/")] = b.get("name")
    return _backend_names.get(uri)


def post_snapshot(payload: dict[str, Any], timeout: float = 300.0) -> dict[str, Any]:
    """``POST backends/{b}/runs/{run_id}/snapshot`` with this kernel's id (the fallback path)."""
    import requests

    root, headers, loopback = _server()
    if not payload.get("kernel_id"):
        raise RuntimeError("cannot tell this kernel's id (no kernel-<id>.json connection file)")
    with requests.Session() as session:
        session.headers.update(headers)
        if loopback:
            session.verify = False  # our own server on loopback, often with a self-signed certificate
        name = payload.get("backend") or backend_name(payload.get("tracking_uri", ""), session, root)
        if not name:
            raise RuntimeError(f"the Jupyter server has no backend for {payload.get('tracking_uri')!r}")
        body = {k: payload[k] for k in ("kernel_id", "packages", "python") if payload.get(k)}
        resp = session.post(f"{root}backends/{name}/runs/{payload['run_id']}/snapshot", json=body, timeout=timeout)
        try:
            data = resp.json()
        except ValueError:
            data = {"message": resp.text[:300]}
        if resp.status_code >= 400:
            raise RuntimeError(f"{resp.status_code}: {data.get('message', data)}")
        return dict(data)

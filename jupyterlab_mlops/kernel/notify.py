"""Tell the Jupyter server what this kernel changed, so the sidebar updates at once (see
:mod:`..server.events`): small JSON datagrams on the unix socket named by ``MLOPS_NOTIFY_SOCKET``.

Fire and forget: a non-blocking send that never raises into the caller (no socket, a full buffer,
a server gone: the datagram is dropped and the sidebar's poll finds the change later). It carries
the tracking URL (without credentials), ids and a short name, never a token.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from typing import Any, Optional

SOCKET_ENV = "MLOPS_NOTIFY_SOCKET"
UPDATE_EVERY = 0.5  # seconds between two "updated" datagrams of one run
NAME_MAX = 200
MAX_DATAGRAM = 2048
_KNOWN_RUNS = 4096

_lock = threading.Lock()
_sock: Optional[socket.socket] = None
_last_update: dict[str, float] = {}
#: run id -> experiment id of the runs this kernel created (log batches know only the run)
_experiments: dict[str, str] = {}


def _send(msg: dict[str, Any]) -> None:
    global _sock
    path = os.environ.get(SOCKET_ENV)
    if not path:
        return
    try:
        data = json.dumps(msg, separators=(",", ":")).encode()
        if len(data) > MAX_DATAGRAM:
            return
        with _lock:
            if _sock is None:
                _sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                _sock.setblocking(False)
            _sock.sendto(data, path)
    except Exception:  # noqa: BLE001 - never into the training loop
        pass


def _message(uri: str, kind: str, change: str, experiment_id: Any, run_id: Any, name: Any) -> dict[str, Any]:
    return {
        "v": 1,
        "uri": uri,
        "kind": kind,
        "change": change,
        "experiment_id": str(experiment_id),
        "run_id": None if run_id is None else str(run_id),
        "name": str(name)[:NAME_MAX] if name else None,
    }


def experiment(uri: str, experiment_id: Any, name: Any = None) -> None:
    """An experiment was created or chosen."""
    if experiment_id:
        _send(_message(uri, "experiment", "created", experiment_id, None, name))


def run_created(uri: str, experiment_id: Any, run_id: Any, name: Any = None) -> None:
    """A run was created on the backend."""
    if not (experiment_id and run_id):
        return
    with _lock:
        if len(_experiments) >= _KNOWN_RUNS:
            _experiments.pop(next(iter(_experiments)))
        _experiments[str(run_id)] = str(experiment_id)
    _send(_message(uri, "run", "created", experiment_id, run_id, name))


def run_finished(uri: str, run_id: Any) -> None:
    """The end of a run this kernel created was delivered."""
    exp = _experiments.get(str(run_id))
    if exp:
        _send(_message(uri, "run", "finished", exp, run_id, None))


def delivered(uri: str, run_id: Any) -> None:
    """A batch of a run this kernel created was delivered (at most one datagram per run per UPDATE_EVERY)."""
    key = str(run_id)
    exp = _experiments.get(key)
    if not exp:
        return
    now = time.monotonic()
    with _lock:
        if now - _last_update.get(key, 0.0) < UPDATE_EVERY:
            return
        if len(_last_update) >= _KNOWN_RUNS:
            _last_update.clear()
        _last_update[key] = now
    _send(_message(uri, "run", "updated", exp, run_id, None))

"""What changed on a backend, as events on Jupyter's event bus (schema ``events/changes-v1.json``).

Kernels that log through the extension tell the server with small JSON datagrams on a unix socket in
the server's runtime dir (mode 0600: this user only; its path is ``MLOPS_NOTIFY_SOCKET`` in the kernels'
environment, see :mod:`..kernel.notify`). Datagrams are untrusted: bounded in size, known fields only,
ids by a strict pattern, names cut short; anything else is dropped silently. A valid one names its
backend by tracking URL (never a token); it becomes one event of this extension's schema, and the
experiment's cached run count is dropped so the next summary recounts.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

SCHEMA_ID = "https://events.jupyter.org/jupyterlab_mlops/changes/v1"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "events" / "changes-v1.json"
SOCKET_ENV = "MLOPS_NOTIFY_SOCKET"
MAX_DATAGRAM = 2048
NAME_MAX = 200
#: events per second over all kernels; more are dropped (a kernel throttles its own updates)
RATE, BURST = 50.0, 100.0
KINDS = ("experiment", "run")
CHANGES = ("created", "updated", "finished")
# "edited", "deleted", "restored" (the schema's other changes) come only from the edit routes, through announce()
#: where :func:`start` keeps the :class:`ChangeEvents` of the server (``settings[SETTINGS_EVENTS]``)
SETTINGS_EVENTS = "mlops_change_events"
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNIX_PATH_MAX = 100  # sun_path is 108 bytes on Linux, 104 on macOS


@dataclass(frozen=True)
class Change:
    """One change of a backend (the event's data)."""

    backend: str
    kind: str
    experiment_id: str
    change: str
    run_id: Optional[str] = None
    name: Optional[str] = None

    def to_event(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "kind": self.kind,
            "experiment_id": self.experiment_id,
            "run_id": self.run_id,
            "change": self.change,
            "name": self.name,
        }


def parse_datagram(data: bytes, backends: Callable[[str], Optional[str]]) -> Optional[Change]:
    """The change a kernel's datagram announces, or None when it is not one (``backends``: URL -> name)."""
    if len(data) > MAX_DATAGRAM:
        return None
    try:
        msg = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(msg, dict) or msg.get("v") != 1:
        return None
    kind, change, uri = msg.get("kind"), msg.get("change"), msg.get("uri")
    exp, run, name = msg.get("experiment_id"), msg.get("run_id"), msg.get("name")
    if kind not in KINDS or change not in CHANGES or not isinstance(uri, str) or not _is_id(exp):
        return None
    if kind == "run" and not _is_id(run):
        return None
    if kind == "experiment" and (run is not None or change == "finished"):
        return None
    if name is not None and not isinstance(name, str):
        return None
    backend = backends(uri)
    if backend is None:
        return None
    short = _CONTROL.sub(" ", name)[:NAME_MAX] if name else None
    return Change(backend, kind, exp, change, run if kind == "run" else None, short or None)


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and bool(_ID.match(value))


class ChangeEvents:
    """Emits :class:`Change` events on the server's event logger and receives kernels' datagrams."""

    def __init__(
        self,
        event_logger: Any,
        backend_urls: Callable[[], dict[str, str]],
        *,
        on_change: Optional[Callable[[Change], None]] = None,
        log: Optional[logging.Logger] = None,
    ) -> None:
        self.event_logger = event_logger
        self.backend_urls = backend_urls
        self.on_change = on_change
        self.log = log or logging.getLogger(__name__)
        self.path: Optional[str] = None
        self.received = 0
        self.dropped = 0
        self._sock: Optional[socket.socket] = None
        self._own_dir: Optional[str] = None
        self._tokens, self._refilled = BURST, time.monotonic()
        event_logger.register_event_schema(SCHEMA_PATH)

    def emit(self, change: Change) -> None:
        """One event (never raises: a listener's failure is logged)."""
        if self.on_change is not None:
            try:
                self.on_change(change)
            except Exception:  # noqa: BLE001 - a cache hook never breaks the event
                self.log.exception("jupyterlab_mlops: change hook failed")
        try:
            self.event_logger.emit(schema_id=SCHEMA_ID, data=change.to_event())
        except Exception:  # noqa: BLE001 - e.g. a schema validation error: drop the event, keep serving
            self.log.warning("jupyterlab_mlops: could not emit %r", change, exc_info=True)

    # -- the kernels' socket ----------------------------------------------------------------------
    def listen(self, runtime_dir: str, loop: Any) -> str:
        """Bind the datagram socket (0600) in ``runtime_dir`` (or a private temp dir when that path is too
        long for a socket) and read it on ``loop``; returns its path."""
        name = f"jupyterlab-mlops-{os.getpid()}.sock"
        path = os.path.join(runtime_dir, name)
        if len(path.encode()) > _UNIX_PATH_MAX:
            self._own_dir = tempfile.mkdtemp(prefix="mlops-")  # 0700
            path = os.path.join(self._own_dir, name)
        if os.path.exists(path):
            os.unlink(path)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        old = os.umask(0o177)
        try:
            sock.bind(path)
        finally:
            os.umask(old)
        os.chmod(path, 0o600)
        sock.setblocking(False)
        loop.add_reader(sock.fileno(), self._read)
        self._sock, self.path = sock, path
        return path

    def close(self, loop: Any) -> None:
        if self._sock is None:
            return
        try:
            loop.remove_reader(self._sock.fileno())
        except Exception:  # noqa: BLE001 - the loop may be closed already
            pass
        self._sock.close()
        self._sock = None
        for target in (self.path, self._own_dir):
            try:
                if target and target == self._own_dir:
                    os.rmdir(target)
                elif target:
                    os.unlink(target)
            except OSError:
                pass

    def _read(self) -> None:
        """Drain the socket: each datagram becomes an event or is dropped."""
        for _ in range(256):  # bounded per wake-up; the rest on the next one
            try:
                data = self._sock.recv(MAX_DATAGRAM + 1) if self._sock else b""
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            self.received += 1
            change = parse_datagram(data, self._backend_of) if self._take_token() else None
            if change is None:
                self.dropped += 1
                continue
            self.emit(change)

    def _backend_of(self, uri: str) -> Optional[str]:
        wanted = uri.strip().rstrip("/")
        return next((name for name, url in self.backend_urls().items() if url.rstrip("/") == wanted), None)

    def _take_token(self) -> bool:
        now = time.monotonic()
        self._tokens = min(BURST, self._tokens + (now - self._refilled) * RATE)
        self._refilled = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


def announce(settings: dict[str, Any], change: Change) -> None:
    """Emit a change a route of the extension made (an edit), when events are on; never raises."""
    events = settings.get(SETTINGS_EVENTS)
    if events is not None:
        events.emit(change)


def start(serverapp: Any, settings: dict[str, Any], log: logging.Logger) -> Optional[ChangeEvents]:
    """Register the schema, bind the kernels' socket and export its path to kernels started from now on
    (next to ``MLFLOW_TRACKING_URI``). A failure (no unix sockets, a read-only runtime dir) leaves the
    polls to find every change: it is logged, never raised."""
    from .views._common import SETTINGS_KEY

    def backend_urls() -> dict[str, str]:
        registry = settings.get("mlops_registry")
        return {name: registry.get(name).backend.url for name in registry.names} if registry else {}

    def forget_count(change: Change) -> None:  # the next summary of this experiment recounts
        caches = settings.get(SETTINGS_KEY)
        if caches is not None and change.kind != "model":
            caches.experiments.forget(change.backend, change.experiment_id)

    try:
        events = ChangeEvents(serverapp.event_logger, backend_urls, on_change=forget_count, log=log)
    except Exception:  # noqa: BLE001 - e.g. an event logger without schema registration
        log.warning("jupyterlab_mlops: change events are off (schema not registered)", exc_info=True)
        return None
    settings[SETTINGS_EVENTS] = events
    try:
        os.makedirs(serverapp.runtime_dir, exist_ok=True)
        os.environ[SOCKET_ENV] = events.listen(serverapp.runtime_dir, serverapp.io_loop.asyncio_loop)
    except (OSError, AttributeError) as exc:
        log.warning("jupyterlab_mlops: kernels cannot announce changes (%s); the sidebar polls instead", exc)
        os.environ.pop(SOCKET_ENV, None)
    return events

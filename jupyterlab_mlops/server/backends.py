"""The configured backends of this server, their clients and their health."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, TypeVar

from ..client.backend import Backend
from ..client.embedded_store import EmbeddedStore
from ..client.errors import BackendError, MlopsError, NotFound, Unauthorized
from .embedded_reads import EmbeddedReads
from .transport import AsyncClient

T = TypeVar("T")
HEALTH_TTL = 10.0  # seconds a remote health check is reused while the backend is not healthy
#: while healthy: seconds a check, or a view's answer from the backend, is reused (the views' polls say as much)
HEALTHY_TTL = 30.0
PROBE_MAX_AGE = 120.0  # seconds at most between two full probes (the artifact store too) of a healthy backend


@dataclass
class Health:
    state: str = "starting"  # starting | healthy | unreachable | failed
    message: str = "not checked yet"
    checked_at: float = 0.0
    #: whether the credentials may write (and search: GitLab's searches are POSTs); why not, when not
    write: bool = True
    write_reason: Optional[str] = None

    def capabilities(self) -> dict[str, Any]:
        """``capabilities.write`` and ``capabilities.reason`` of the status payload."""
        return {"write": self.write, **({"reason": self.write_reason} if self.write_reason else {})}


@dataclass
class Entry:
    backend: Backend
    client: AsyncClient
    health: Health = field(default_factory=lambda: Health("starting", "checking the connection"))
    probe: Optional["asyncio.Future[None]"] = None
    answered_at: float = 0.0  # the last answer a view had from the backend

    def stale(self, now: float) -> bool:
        """Whether the health should be probed again: an unhealthy backend every ``HEALTH_TTL``; a healthy one
        once neither a probe nor a view's answer came in ``HEALTHY_TTL``, and at least every ``PROBE_MAX_AGE``."""
        checked = self.health.checked_at
        if self.health.state != "healthy":
            return now - checked >= HEALTH_TTL
        return now - max(checked, self.answered_at) >= HEALTHY_TTL or now - checked >= PROBE_MAX_AGE


def read_only_reason(backend: str) -> str:
    return (
        f"The token of backend {backend!r} can only read (a read_api token, or a role below Developer): GitLab "
        "takes writes, and its run and experiment searches (POST), only with the 'api' scope and the "
        "Developer role. Experiments are listed through GET experiments/list; runs need the 'api' scope."
    )


async def probe(client: AsyncClient) -> Health:
    """Health and write access of a remote backend. ``experiments/search`` is a POST, which GitLab refuses to
    read-only tokens (403, GITLAB_API.md C17): then ``GET experiments/list`` decides the health, and the
    backend is healthy but read-only. An MLflow server that serves its artifact store is asked for its top
    listing too: a failing object store behind a healthy tracking server is named (``failed``)."""
    try:
        await client.run(client.api.search_experiments(max_results=1))
        if not client.api.dialect.is_gitlab:
            try:
                await client.run(client.api.artifact_store_root())
            except BackendError as exc:
                if exc.reason == "artifact_store_failed":
                    return Health("failed", exc.message, time.time())
            except MlopsError:
                pass  # no artifact store served here (404), or the tracking side failing: the next probe says
        return Health("healthy", "connected", time.time())
    except Unauthorized:
        if not client.api.dialect.is_gitlab:
            raise
    await client.run(client.api.list_experiments())
    return Health(
        "healthy", "connected (read-only)", time.time(), write=False, write_reason=read_only_reason(client.backend.name)
    )


class BackendRegistry:
    """Named backends; ``embedded`` (an ``EmbeddedBackend``) reports the health of the default one."""

    def __init__(
        self,
        backends: list[Backend],
        *,
        timeout: float,
        connect_timeout: float,
        embedded: Any = None,
        log: Optional[logging.Logger] = None,
    ) -> None:
        self.log = log or logging.getLogger(__name__)
        self.embedded = embedded
        data_dir = getattr(embedded, "data_dir", None)
        self._embedded_reads = EmbeddedReads(Path(data_dir) / "mlflow.db", self.log) if data_dir else None
        self._entries = {
            b.name: Entry(b, AsyncClient(b, timeout=timeout, connect_timeout=connect_timeout)) for b in backends
        }

    @property
    def names(self) -> list[str]:
        return list(self._entries)

    @property
    def default_name(self) -> Optional[str]:
        return next(iter(self._entries), None)

    def get(self, name: str) -> Entry:
        try:
            return self._entries[name]
        except KeyError:
            raise NotFound(
                f"Unknown backend {name!r}; configured: {', '.join(self._entries) or 'none'}.", reason="unknown_backend"
            ) from None

    def client(self, name: str) -> AsyncClient:
        return self.get(name).client

    async def close(self) -> None:
        """Close every backend's connection pool (the server is stopping)."""
        await asyncio.gather(*(e.client.close() for e in self._entries.values()), return_exceptions=True)
        if self._embedded_reads is not None:
            self._embedded_reads.close()

    def warm_embedded_reads(self) -> None:
        """Start preparing the embedded store's direct reads (call on the event loop at server start)."""
        if self._embedded_reads is not None:
            self._embedded_reads.warm()

    async def embedded_read(self, name: str, fn: Callable[[EmbeddedStore], T]) -> Optional[T]:
        """``fn`` on the embedded backend's SQLite file when ``name`` is that backend and the direct path can
        answer; ``None``: the caller takes the REST path (see :mod:`.embedded_reads`)."""
        if self._embedded_reads is None or not self.get(name).backend.embedded:
            return None
        return await self._embedded_reads.read(fn)

    def secrets(self) -> list[str]:
        return [s for e in self._entries.values() for s in e.backend.secrets()]

    async def check(self, entry: Entry, *, wait: float = 1.0) -> Health:
        """Health of one backend: the supervisor's view for the embedded one, else a cached probe.

        A stale probe is refreshed in the background; callers wait at most ``wait`` seconds for it,
        so ``status`` stays fast while a backend hangs."""
        if entry.backend.embedded and self.embedded is not None:
            snap = self.embedded.snapshot()
            return Health(snap["health"], snap["message"], time.time())
        stale = entry.stale(time.time())
        if stale and (entry.probe is None or entry.probe.done()):
            entry.probe = asyncio.ensure_future(self._probe(entry))
        if entry.probe is not None and not entry.probe.done() and wait > 0:
            await asyncio.wait({entry.probe}, timeout=wait)
        return entry.health

    async def _probe(self, entry: Entry) -> None:
        client = entry.client
        try:
            entry.health = await asyncio.wait_for(probe(client), 10.0)
        except asyncio.TimeoutError:
            entry.health = Health(
                "unreachable", f"Backend {entry.backend.name!r} did not answer within 10 s.", time.time()
            )
        except MlopsError as exc:
            state = "unreachable" if exc.status in (503, 504) else "failed"
            entry.health = Health(state, exc.message, time.time())

    def mark(self, name: str, error: Optional[MlopsError]) -> None:
        """Record what a real request just learned about a backend (keeps the banner current)."""
        entry = self._entries.get(name)
        if entry is None or entry.backend.embedded:
            return
        if error is None:  # an answer ends an outage; a failure the probe found (e.g. the artifact store) stays
            entry.answered_at = time.time()
            h = entry.health
            if h.state == "unreachable":
                entry.health = Health("healthy", "connected", time.time(), h.write, h.write_reason)
        elif error.status in (503, 504):
            entry.health = Health("unreachable", error.message, time.time())

    async def status(self) -> list[dict[str, Any]]:
        entries = list(self._entries.values())
        healths = await asyncio.gather(*(self.check(e) for e in entries))
        return [
            {
                **e.backend.public(),
                "health": h.state,
                "message": h.message,
                "capabilities": {**e.backend.dialect.capabilities(), **h.capabilities()},
            }
            for e, h in zip(entries, healths)
        ]

"""Reads of the embedded backend's SQLite file (:mod:`..client.embedded_store`) from the event loop.

A read runs in a worker thread. ``None`` means "use the REST path": while MLflow's modules are still being
imported (the server starts that import in the background at start-up, so no request waits for it), after the store
stepped aside (an untested schema revision: said once, then REST for good), and after any other error (said
once per kind of error). A bad filter or order is the user's mistake, a 400 as MLflow's REST answer gives.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Callable, Optional, TypeVar

from ..client.embedded_store import EmbeddedStore, StoreUnavailable, warm_up
from ..client.errors import InvalidInput

T = TypeVar("T")


class EmbeddedReads:
    """The embedded store of one server, used where it is ready and falling back to REST otherwise."""

    def __init__(self, db_path: Path, log: logging.Logger) -> None:
        self.store = EmbeddedStore(db_path)
        self.log = log
        self._warm: Optional[asyncio.Future[None]] = None
        self._off: Optional[str] = None
        self._said: set[str] = set()

    @property
    def ready(self) -> bool:
        return self._off is None and self._warm is not None and self._warm.done() and not self._warm.exception()

    def warm(self) -> None:
        """Start importing what the reads need (a few seconds, in a worker thread): at server start, so that the
        first pages a user asks for are already read directly."""
        if self._warm is None:
            self._warm = asyncio.get_running_loop().run_in_executor(None, warm_up, self.store)
            self._warm.add_done_callback(self._warmed)

    async def read(self, fn: Callable[[EmbeddedStore], T]) -> Optional[T]:
        """``fn(store)`` in a worker thread, or ``None`` when the REST path should answer."""
        if self._off is not None:
            return None
        loop = asyncio.get_running_loop()
        self.warm()
        if not self.ready:
            return None
        try:
            return await loop.run_in_executor(None, fn, self.store)
        except StoreUnavailable as exc:
            self._off = str(exc)
            self.log.warning("Embedded store: reading MLflow's SQLite file directly is off (%s); using REST.", exc)
        except Exception as exc:  # noqa: BLE001 - anything unknown: this call goes to REST
            if type(exc).__name__ == "MlflowException":
                raise InvalidInput(getattr(exc, "message", str(exc)), reason="invalid_search") from None
            kind = type(exc).__name__
            if kind not in self._said:
                self._said.add(kind)
                self.log.warning("Embedded store: a direct read failed (%s: %s); using REST.", kind, exc)
        return None

    def _warmed(self, fut: "asyncio.Future[None]") -> None:
        if not fut.cancelled() and fut.exception() is not None:
            self._off = f"MLflow could not be imported: {fut.exception()!r}"
            self.log.warning("Embedded store: %s; using REST.", self._off)

    def close(self) -> None:
        self.store.close()

"""The queue behind ``mlops.log_*`` and the one thread that empties it.

Callers append plain tuples (shapes in :mod:`jupyterlab_mlops.spool.rows`) to a ``collections.deque``
and return: a few microseconds, no lock, no I/O. One daemon thread packs the queue into requests
(:mod:`.batching`) and sends them (:mod:`.sender`, by the rules of :mod:`.delivery`).

Two modes (:mod:`.outage`):

* **online**: batches go straight from memory to the backend.
* **offline**: the first transient failure (unreachable, timeout, 5xx, refused credentials) moves the
  failed batch and everything queued behind it into the durable :mod:`.outbox`, and from then on new
  items are appended to the spool behind them, so order is kept. The spool is replayed head first with
  exponential backoff; once it is empty the logger is online again. One warning per outage.

``flush()`` returns when every item logged before it was delivered, or - when the backend is
down - written to the spool (fsync'd), so it survives a kernel restart or a crash from then on.
"""

from __future__ import annotations

import collections
import itertools
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

from ..client.backend import Backend
from ..client.errors import BackendUnreachable, MlopsError
from ..spool import LOCAL_PREFIX, Item
from .batching import HEAD, build_batch
from .delivery import Transient
from .notices import Notices
from .outage import Outage
from .outbox import Outbox
from .sender import BatchSender
from .status import FlushResult

WAKE_AT = 1000  # queued items that wake the sender before its interval is up
CYCLE_BUDGET = 0.5  # seconds of sending per cycle before the thread looks at its queue again


class Logger:
    """Queue + sender thread + outbox for one backend."""

    def __init__(
        self,
        backend: Backend,
        make_client: Callable[[], Any],
        spool_dir: Path,
        *,
        notify: Optional[Callable[[str], None]] = None,
        interval: float = 0.1,
        backoff: tuple[float, float] = (0.5, 5.0),
        memory_cap: int = 500_000,
        retries: int = 4,
    ) -> None:
        self.backend = backend
        self.q: collections.deque[Item] = collections.deque()
        self.wake = threading.Event()
        self.spool_dir = Path(spool_dir)
        self.run_map: dict[str, str] = {}
        self.interval = interval
        self.memory_cap = memory_cap
        self.notices = Notices(notify)
        self.sender = BatchSender(backend, make_client, self.notices)
        self.outage = Outage(
            self.notices, backend_url=backend.url, spool_dir=self.spool_dir, backoff=backoff, retries=retries
        )
        self.outbox = Outbox(self.spool_dir, backend, self.sender, self.outage, self.notices, self.run_map)
        self._inflight: list[Item] = []
        self._waiters: list[tuple[threading.Event, int]] = []
        self._waiters_lock = threading.Lock()
        self._closed = False
        self._thread: Optional[threading.Thread] = None
        self._thread_lock = threading.Lock()

    # -- what status reads ---------------------------------------------------------------------------
    @property
    def offline(self) -> bool:
        return self.outage.offline

    @property
    def last_error(self) -> Optional[str]:
        return self.outage.last_error

    def unreachable(self, error: MlopsError) -> None:
        """An interactive verb gave up on the backend: offline now; this thread retries with backoff."""
        self.outage.went_offline(error)

    def offline_error(self) -> MlopsError:
        """What an interactive verb says while the logger is offline (it does not try the backend again)."""
        return BackendUnreachable(self.outage.last_error or "the backend is unreachable")

    @property
    def in_memory(self) -> int:
        """Items queued or being sent, not yet spooled."""
        return len(self.q) + len(self._inflight)

    @property
    def spool_depth(self) -> int:
        return self.outbox.depth

    @property
    def sent(self) -> int:
        return self.sender.sent

    @property
    def dropped(self) -> int:
        return self.sender.dropped

    # -- caller side -----------------------------------------------------------------------------------
    def start(self) -> None:
        with self._thread_lock:
            if self._thread is None or not self._thread.is_alive():
                self._closed = False
                self._thread = threading.Thread(target=self._loop, name="mlops-logger", daemon=True)
                self._thread.start()

    def put(self, item: Item) -> None:
        self.q.append(item)
        if len(self.q) >= WAKE_AT and not self.wake.is_set():
            self.wake.set()

    def wake_up(self) -> None:
        """Start a cycle now (adopts and replays spools left by earlier kernels)."""
        self.wake.set()

    def resolve(self, ref: str) -> Optional[str]:
        """The backend run id for ``ref`` (None while an offline run is not created yet)."""
        if not ref.startswith(LOCAL_PREFIX):
            return ref
        return self.run_map.get(ref)

    def flush(self, timeout: Optional[float] = None) -> FlushResult:
        """Wait until everything queued so far is delivered or spooled."""
        self.start()
        ev = threading.Event()
        with self._waiters_lock:
            self._waiters.append((ev, self.outage.failures))
        self.wake.set()
        done = ev.wait(timeout)
        pending = self.spool_depth + self.in_memory
        delivered = done and pending == 0
        if delivered:
            msg = "everything delivered"
        elif done:
            msg = f"backend unreachable: {pending} item(s) spooled, they are sent when it is back"
        else:
            msg = f"{pending} item(s) still being sent in the background"
        aside = self.aside()["batches"]
        if aside:
            msg += f"; {aside} batch(es) set aside after repeated backend failures (see status)"
        return FlushResult(delivered=delivered, pending=pending, sent=self.sent, message=msg, set_aside=aside)

    def aside(self) -> dict[str, Any]:
        """Set-aside batches of the spools this logger holds: ``{"batches", "items", "reasons"}``."""
        return self.outbox.aside()

    def retry_set_aside(self) -> int:
        """Put the set-aside batches back in line (read back first on GitLab); returns the item count."""
        n = self.outbox.restore_aside()
        if n:
            self.outage.offline = True  # replay from the spool, in order
            self.outage.retry_now()
            self.wake.set()
        return n

    def close(self, timeout: float = 10.0) -> FlushResult:
        """Flush (bounded), stop the thread; whatever is still in memory goes to the spool."""
        result = self.flush(timeout)
        self._closed = True
        self.wake.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        leftovers = [self._mapped(i) for i in list(self._inflight) + list(self.q)]
        if leftovers:
            try:
                self.outbox.append(leftovers)
                self.q.clear()
                self._inflight = []
            except Exception as exc:  # noqa: BLE001
                self.notices.once("spool-write", f"could not spool {len(leftovers)} item(s): {exc}")
        self.outbox.close()
        self.sender.close()
        return result

    # -- sender thread ---------------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            if self._closed and not self.q:
                break
            if not self._has_work():
                self.wake.wait(self._wait_time())
                self.wake.clear()
            try:
                self._cycle()
            except Exception as exc:  # noqa: BLE001 - the sender must never die
                self.outage.last_error = f"{type(exc).__name__}: {exc}"
                self.notices.once("internal:" + type(exc).__name__, f"logger error: {self.outage.last_error}")
                time.sleep(0.5)
            self._signal_waiters()
            if self._closed:
                break

    def _has_work(self) -> bool:
        """True when the next cycle should start without waiting."""
        if self._waiters or len(self.q) >= WAKE_AT:
            return True
        return bool(self.spool_depth) and self.outage.due()

    def _wait_time(self) -> float:
        if self.spool_depth:
            return max(0.01, min(self.interval, self.outage.next_try - time.monotonic()))
        return self.interval

    def _cycle(self) -> None:
        self.outbox.adopt_if_due()
        if self.offline or len(self.q) > self.memory_cap:
            self._spill()
        forced = any(n == self.outage.failures for _, n in list(self._waiters))
        due = forced or self.outage.due()
        if self.spool_depth and due:
            self.outbox.replay(budget=CYCLE_BUDGET)
        elif self.offline and due:
            # Offline with nothing in the spool (it could not be written): probe with memory.
            self.outage.offline = False
            if not self.q:
                self.outbox.back_online()
        if not self.offline:
            self._send_memory(budget=CYCLE_BUDGET)
            if not self.offline and self.outage.announced and self.spool_depth == 0:
                self.outbox.back_online()
        elif self.q:
            self._spill()

    def _send_memory(self, budget: float) -> None:
        """Online: memory -> backend, until the budget is spent or a batch fails (then offline)."""
        t0 = time.monotonic()
        q = self.q
        while q and time.monotonic() - t0 < budget:
            head = list(itertools.islice(q, HEAD))
            used, batch = build_batch(head, self.notices.warn)
            self._inflight = head[:used]
            for _ in range(used):
                q.popleft()
            try:
                self.sender.deliver(batch, self.run_map)
                self.outage.succeeded()
            except Transient as exc:
                self.outage.count_failure(batch, exc)
                self.outage.went_offline(exc)
                # on GitLab the request may have landed (timeout after sending, 5xx after a partial
                # write): the spooled batch is read back before it is sent again
                self._spill(
                    first=self._inflight, unsure=len(self._inflight) if self.sender.gitlab else 0, scan=exc.partial
                )
                self._inflight = []
                return
            except Exception as exc:  # noqa: BLE001 - a poison batch must not stop the logger
                self.sender.drop(
                    len(batch.items), f"could not send {len(batch.items)} item(s): {type(exc).__name__}: {exc}"
                )
            self._inflight = []

    def _spill(self, first: Optional[list[Item]] = None, unsure: int = 0, scan: bool = False) -> None:
        """Offline: move ``first`` and everything in memory to the own spool (one fsync'd transaction);
        the first ``unsure`` items are recorded as a batch whose outcome is unknown."""
        q = self.q
        snapshot = list(q)
        items = [self._mapped(i) for i in (first or []) + snapshot]
        if not items:
            return
        try:
            self.outbox.append(items, unsure=unsure, scan=scan)
        except Exception as exc:  # noqa: BLE001 - disk full, read-only dir...
            for item in reversed(first or []):
                q.appendleft(item)
            self.notices.once(
                "spool-write",
                f"cannot write the spool in {self.spool_dir} ({exc}); {len(q)} item(s) kept in memory only",
            )
            return
        for _ in range(len(snapshot)):
            q.popleft()
        self.outage.offline = True

    def _mapped(self, item: Item) -> Item:
        """``item`` with its offline run reference replaced by the run id, once the run exists."""
        ref = item[1]
        if ref.startswith(LOCAL_PREFIX) and item[0] != "c":
            real = self.run_map.get(ref)
            if real:
                return (item[0], real) + tuple(item[2:])
        return item

    def _signal_waiters(self) -> None:
        """A flush is done when everything is delivered, or when an attempt made after it was
        requested failed (by then everything before it was spooled, or kept in memory when the
        spool cannot be written)."""
        if not self._waiters:
            return
        idle = not self.q and not self._inflight and self.spool_depth == 0
        with self._waiters_lock:
            keep = []
            for ev, n in self._waiters:
                if idle or self.outage.failures > n or self._closed:
                    ev.set()
                else:
                    keep.append((ev, n))
            self._waiters = keep

"""The batching background sender behind ``mlops.log_*``.

Callers append plain tuples (see :mod:`jupyterlab_mlops.spool` for their shapes) to a
``collections.deque`` and return: a few microseconds, no lock, no I/O. One daemon thread
turns the queue into ``runs/log-batch`` requests within MLflow's limits (:data:`BATCH_LIMITS`:
1000 metrics, 100 params, 100 tags, 1000 items, 1 MB), one run per request, in logging order;
params are coalesced (first value wins, a different later value is dropped with a warning),
tags too (last value wins).

Two modes:

* **online**: batches go straight from memory to the backend.
* **offline**: the first transient failure (unreachable, timeout, 5xx, refused credentials)
  moves the failed batch and everything queued behind it into the durable :class:`Spool`,
  and from then on new items are appended to the spool behind them, so order is kept. The
  spool is replayed head first with exponential backoff (0.5 s to 5 s); once it is empty
  the logger is online again. A one-line warning is printed once per outage.

Exactly once per point: an item leaves the spool only after the backend answered 200 for the
batch that carried it. What happens on other answers is :mod:`.delivery`'s rules (issue 10):

* a **400** splits the batch until the refused items are alone; the rest is delivered and the
  refused ones are named in one warning with the backend's message (a param logged again with a
  different value is MLflow's 400: "params are write-once"). NaN/Infinity points, which GitLab
  refuses for the whole batch, are skipped up front on GitLab with one warning per key;
* a **5xx of the backend itself** (500...) is retried with exponential backoff and jitter, 1 + 4
  attempts, then that batch is **set aside** in the spool with its reason (durable, counted in
  ``status`` and the server's status route) and later batches flow. Connection errors, timeouts and
  a gateway's 502/503/504 are an outage: offline spool and replay, without limit;
* a batch whose **outcome is unknown** (timeout after sending, 5xx, a kernel killed mid-request: the
  spool marks a batch before sending it) is not resent blindly on GitLab, which appends duplicate
  metric points: the run is read back and only what is missing is sent. MLflow ignores an exact
  duplicate point (key, value, timestamp, step) and an identical param, so there it is simply resent
  (verified on MLflow 3.17). Timestamps are taken when the caller logs, so a replay is byte-for-byte
  the same point;
* ``gitlab.CI_JOB_ID`` naming a job GitLab does not know (a 500 after a partial write) is looked up
  first where the token may, else dropped after its first 500; runs are created with a marker tag
  (``mlops.local_id``) and found again instead of created twice.

``flush()`` returns when every item logged before it was delivered, or - when the backend is
down - written to the spool (fsync'd), so it survives a kernel restart or a crash from then on.
"""
from __future__ import annotations

import collections
import itertools
import json
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from ..client import flows
from ..client.api import BATCH_LIMITS
from ..client.backend import Backend
from ..client.errors import (
    BackendError,
    BackendTimeout,
    BackendUnreachable,
    InvalidInput,
    MlopsError,
    NotFound,
)
from ..client.models import Metric
from ..spool import Item, Spool
from . import delivery
from .delivery import JOB_TAG, MARKER_TAG, JobCheck, Part, drop_unknown_job, failure_kind, skip_unstorable

LOCAL_PREFIX = "local-"
WAKE_AT = 1000  # queued items that wake the sender before its interval is up
ADOPT_EVERY = 60.0  # seconds between looks for spools left by dead kernels


class Transient(Exception):
    """The backend could not take the batch now; keep it and retry later. ``kind`` is
    :func:`.delivery.failure_kind`: ``offline`` (replayed without limit) or ``failing`` (a 5xx of the
    backend itself: bounded retries, then the batch is set aside)."""

    def __init__(self, error: MlopsError) -> None:
        super().__init__(error.message)
        self.error = error
        self.kind = failure_kind(error)
        self.partial = False  # part of the batch was delivered before this failure


@dataclass
class Batch:
    """Items for one request: a log-batch for one run, or one create/update op."""

    kind: str  # "log" | "c" | "u"
    run: str
    items: list[Item] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


def build_batch(items: list[Item], warn: Callable[[str], None]) -> tuple[int, Batch]:
    """Take the longest prefix of ``items`` that fits one request; returns (count used, batch)."""
    first = items[0]
    if first[0] in ("c", "u"):
        return 1, Batch(first[0], first[1], [first])
    run = first[1]
    b = Batch("log", run)
    n_metrics = n_params = n_tags = 0
    size = 64
    max_m, max_p, max_t = BATCH_LIMITS["metrics"], BATCH_LIMITS["params"], BATCH_LIMITS["tags"]
    max_total, max_bytes = BATCH_LIMITS["total"], BATCH_LIMITS["bytes"] - 50_000
    used = 0
    for item in items:
        kind = item[0]
        if kind in ("c", "u") or item[1] != run:
            break
        if kind == "m":
            if n_metrics >= max_m:
                break
            cost = len(item[2]) + 90
        elif kind == "p":
            if n_params >= max_p and item[2] not in b.params:
                break
            cost = len(item[2]) + len(item[3]) + 40
        else:
            if n_tags >= max_t and item[2] not in b.tags:
                break
            cost = len(item[2]) + len(item[3]) + 40
        if used and (n_metrics + n_params + n_tags >= max_total or size + cost > max_bytes):
            break
        used += 1
        size += cost
        if kind == "m":
            b.metrics.append(Metric(item[2], item[3], item[4], item[5]))
            n_metrics += 1
        elif kind == "p":
            old = b.params.get(item[2])
            if old is None:
                b.params[item[2]] = item[3]
                n_params += 1
            elif old != item[3]:
                warn(f"param {item[2]!r} was logged twice ({old!r}, then {item[3]!r}); params are "
                     f"write-once, {item[3]!r} dropped")
        else:
            if item[2] not in b.tags:
                n_tags += 1
            b.tags[item[2]] = item[3]
        b.items.append(item)
    return used, b


@dataclass
class FlushResult:
    """What :func:`flush` achieved: ``pending`` items are safe in the spool, not yet delivered."""

    delivered: bool
    pending: int
    sent: int
    message: str = ""
    set_aside: int = 0  # batches set aside (in this kernel's spools) after repeated backend failures

    def __repr__(self) -> str:
        return f"FlushResult(delivered={self.delivered}, pending={self.pending}, sent={self.sent})"


class Logger:
    """Queue + sender thread + spool for one backend."""

    def __init__(self, backend: Backend, make_client: Callable[[], Any], spool_dir: Path, *,
                 notify: Optional[Callable[[str], None]] = None, interval: float = 0.1,
                 backoff: tuple[float, float] = (0.5, 5.0), memory_cap: int = 500_000, retries: int = 4) -> None:
        self.backend = backend
        self.q: collections.deque[Item] = collections.deque()
        self.wake = threading.Event()
        self.spool_dir = Path(spool_dir)
        self.run_map: dict[str, str] = {}
        self.sent = 0
        self.dropped = 0
        self.spooled = 0
        self.replayed = 0
        self.offline = False
        self._outage = False  # an outage was announced (and its end will be)
        self.last_error: Optional[str] = None
        self.interval = interval
        self.backoff_min, self.backoff_max = backoff
        self.memory_cap = memory_cap
        self._make_client = make_client
        self._client: Any = None
        self._notify = notify or (lambda msg: print(f"mlops: {msg}", file=sys.stderr, flush=True))
        self._warned: set[str] = set()
        self._own: Optional[Spool] = None
        self._spools: list[Spool] = []
        self._adopt_due = True
        self._last_adopt = 0.0
        self._backoff = self.backoff_min
        self._next_try = 0.0
        self._failures = 0  # failed attempts so far (flush waiters compare against it)
        self._waiters: list[tuple[threading.Event, int]] = []
        self._waiters_lock = threading.Lock()
        self._inflight: list[Item] = []
        self._closed = False
        self._thread: Optional[threading.Thread] = None
        self._thread_lock = threading.Lock()
        # issue 10: delivery rules (see delivery.py)
        self.retries = retries  # a batch failing with a 5xx is tried 1 + retries times, then set aside
        self.jobs = JobCheck()
        self.check_jobs = True  # look gitlab.CI_JOB_ID up before sending it (where the token may)
        self.skipped = 0  # NaN/Inf points GitLab cannot store
        self.set_aside = 0  # batches this logger set aside
        self.last_set_aside: Optional[str] = None
        self._fail_key: Any = None
        self._fail_count = 0

    # -- caller side -----------------------------------------------------------------------------
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

    def resolve(self, ref: str) -> Optional[str]:
        """The backend run id for ``ref`` (None while an offline run is not created yet)."""
        if not ref.startswith(LOCAL_PREFIX):
            return ref
        return self.run_map.get(ref)

    @property
    def spool_depth(self) -> int:
        return sum(s.depth for s in list(self._spools))

    def flush(self, timeout: Optional[float] = None) -> FlushResult:
        """Wait until everything queued so far is delivered or spooled."""
        self.start()
        ev = threading.Event()
        with self._waiters_lock:
            self._waiters.append((ev, self._failures))
        self.wake.set()
        done = ev.wait(timeout)
        pending = self.spool_depth + len(self.q) + len(self._inflight)
        delivered = done and pending == 0
        if delivered:
            msg = "everything delivered"
        elif done:
            msg = f"backend unreachable: {pending} item(s) spooled, they are sent when it is back"
        else:
            msg = f"timed out: {pending} item(s) still pending"
        aside = self.aside()["batches"]
        if aside:
            msg += f"; {aside} batch(es) set aside after repeated backend failures (see status)"
        return FlushResult(delivered=delivered, pending=pending, sent=self.sent, message=msg, set_aside=aside)

    def aside(self) -> dict[str, Any]:
        """Set-aside batches of the spools this logger holds: ``{"batches", "items", "reasons"}``."""
        out: dict[str, Any] = {"batches": 0, "items": 0, "reasons": []}
        for sp in list(self._spools):
            a = sp.aside()
            out["batches"] += a["batches"]
            out["items"] += a["items"]
            out["reasons"] += [r for r in a["reasons"] if r not in out["reasons"]]
        return out

    def retry_set_aside(self) -> int:
        """Put the set-aside batches back in line (read back first on GitLab); returns the item count."""
        n = sum(sp.restore_aside() for sp in list(self._spools))
        if n:
            self.offline = True  # replay from the spool, in order
            self._next_try = 0.0
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
                self._own_spool().append(leftovers)
                self.q.clear()
                self._inflight = []
            except Exception as exc:  # noqa: BLE001
                self._warn_once("spool-write", f"could not spool {len(leftovers)} item(s): {exc}")
        for sp in list(self._spools):
            sp.close(remove_if_empty=True)
        self._spools.clear()
        self._own = None
        if self._client is not None:
            try:
                self._client.close()
            except Exception:  # noqa: BLE001
                pass
        return result

    # -- sender thread -------------------------------------------------------------------------
    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self._make_client()
        return self._client

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
                self.last_error = f"{type(exc).__name__}: {exc}"
                self._warn_once("internal:" + type(exc).__name__, f"logger error: {self.last_error}")
                time.sleep(0.5)
            self._signal_waiters()
            if self._closed:
                break

    def _has_work(self) -> bool:
        """True when the next cycle should start without waiting."""
        if self._waiters or len(self.q) >= WAKE_AT:
            return True
        return bool(self.spool_depth) and time.monotonic() >= self._next_try

    def _wait_time(self) -> float:
        if self.spool_depth:
            return max(0.01, min(self.interval, self._next_try - time.monotonic()))
        return self.interval

    def _cycle(self) -> None:
        if self._adopt_due or time.monotonic() - self._last_adopt > ADOPT_EVERY:
            self._adopt_due = False
            self._last_adopt = time.monotonic()
            self._adopt()
        if self.offline or len(self.q) > self.memory_cap:
            self._spill()
        forced = any(n == self._failures for _, n in list(self._waiters))
        due = forced or time.monotonic() >= self._next_try
        if self.spool_depth and due:
            self._replay(budget=0.5)
        elif self.offline and due:
            # Offline with nothing in the spool (it could not be written): probe with memory.
            self.offline = False
            if not self.q:
                self._go_online()
        if not self.offline:
            self._send_memory(budget=0.5)
            if not self.offline and self._outage and self.spool_depth == 0:
                self._go_online()
        elif self.q:
            self._spill()

    # -- online: memory -> backend -----------------------------------------------------------------
    def _send_memory(self, budget: float) -> None:
        t0 = time.monotonic()
        q = self.q
        while q and time.monotonic() - t0 < budget:
            head = list(itertools.islice(q, 1100))
            used, batch = build_batch(head, self._warn)
            self._inflight = head[:used]
            for _ in range(used):
                q.popleft()
            try:
                self._deliver(batch, self.run_map)
                self._fail_key = None
            except Transient as exc:
                self._count_failure(batch, exc)
                self._go_offline(exc)
                # on GitLab the request may have landed (timeout after sending, 5xx after a partial
                # write): the spooled batch is read back before it is sent again
                self._spill(first=self._inflight, unsure=len(self._inflight) if self._gitlab else 0,
                            scan=exc.partial)
                self._inflight = []
                return
            except Exception as exc:  # noqa: BLE001 - a poison batch must not stop the logger
                self._drop(len(batch.items), f"could not send {len(batch.items)} item(s): {type(exc).__name__}: {exc}")
            self._inflight = []

    # -- offline: memory -> spool, spool -> backend --------------------------------------------------
    def _own_spool(self) -> Spool:
        if self._own is None:
            self._own = Spool.create(self.spool_dir, meta=self._meta())
            self._spools.append(self._own)
        return self._own

    def _meta(self) -> dict[str, str]:
        return {"backend_url": self.backend.url, "backend_kind": self.backend.kind}

    def _spill(self, first: Optional[list[Item]] = None, unsure: int = 0, scan: bool = False) -> None:
        """Move ``first`` and everything in memory to the own spool (one fsync'd transaction);
        the first ``unsure`` items are recorded as a batch whose outcome is unknown."""
        q = self.q
        snapshot = list(q)
        items = [self._mapped(i) for i in (first or []) + snapshot]
        if not items:
            return
        try:
            self._own_spool().append(items, unsure=unsure, scan=scan)
        except Exception as exc:  # noqa: BLE001 - disk full, read-only dir...
            for item in reversed(first or []):
                q.appendleft(item)
            self._warn_once("spool-write", f"cannot write the spool in {self.spool_dir} ({exc}); "
                                           f"{len(q)} item(s) kept in memory only")
            return
        for _ in range(len(snapshot)):
            q.popleft()
        self.spooled += len(items)
        self.offline = True

    def _mapped(self, item: Item) -> Item:
        ref = item[1]
        if ref.startswith(LOCAL_PREFIX) and item[0] != "c":
            real = self.run_map.get(ref)
            if real:
                return (item[0], real) + tuple(item[2:])
        return item

    def _replay(self, budget: float) -> None:
        t0 = time.monotonic()
        for sp in list(self._spools):
            run_map = self.run_map if sp is self._own else sp.run_map
            while sp.depth > 0 and time.monotonic() - t0 < budget:
                rows = sp.head(1100)
                if not rows:
                    sp.depth = 0
                    break
                # a batch whose outcome is unknown is replayed exactly as it was sent, alone
                rng = sp.unsure_range(rows[0][0])
                if rng:
                    rows = [r for r in rows if r[0] <= rng[1]]
                else:
                    nxt = sp.next_unsure(rows[0][0])
                    if nxt is not None:
                        rows = [r for r in rows if r[0] < nxt]
                used, batch = build_batch([r[1] for r in rows], self._warn)
                if self._gitlab and not rng and batch.kind == "log":
                    sp.mark_unsure(rows[0][0], rows[used - 1][0])  # a kill mid-request leaves it unsure
                try:
                    created = self._deliver(batch, run_map, unsure="scan" if rng and rng[2] else bool(rng))
                    self._fail_key = None
                except Transient as exc:
                    if exc.partial and self._gitlab:
                        sp.mark_unsure(rows[0][0], rows[used - 1][0], scan=True)
                    if self._count_failure(batch, exc) > self.retries and batch.kind != "c":
                        self._set_aside(sp, rows[:used], batch, exc)
                        continue
                    self._go_offline(exc)
                    return
                except Exception as exc:  # noqa: BLE001 - a poison batch must not block the spool
                    created = None
                    self._drop(used, f"could not send {used} spooled item(s): {type(exc).__name__}: {exc}")
                sp.delete_through(rows[used - 1][0], map_run=created)
                self.replayed += used
            if sp.depth == 0 and sp is not self._own and not sp.aside()["batches"]:
                self._spools.remove(sp)
                sp.close(remove_if_empty=True)
                self._notify(f"replayed the spool of an earlier kernel ({sp.name})")
        if self.offline and (self._own is None or self._own.depth == 0):
            self._go_online()
        elif self._outage and not self.offline and self.spool_depth == 0:
            self._go_online()

    @property
    def _gitlab(self) -> bool:
        return self.backend.kind == "gitlab"

    def _count_failure(self, batch: Batch, exc: Transient) -> int:
        """Consecutive 5xx failures of the same batch (0 for offline-type failures)."""
        if exc.kind != "failing":
            self._fail_key = None
            return 0
        key = (batch.kind, len(batch.items), tuple(batch.items[0][2:]) if batch.items else ())
        if key == self._fail_key:
            self._fail_count += 1
        else:
            self._fail_key, self._fail_count = key, 1
        return self._fail_count

    def _set_aside(self, sp: Spool, rows: list[tuple[int, Item]], batch: Batch, exc: Transient) -> None:
        reason = exc.error.message
        run = batch.run if not batch.run.startswith(LOCAL_PREFIX) else None
        sp.set_aside(rows[-1][0], [r[1] for r in rows], reason, run=run)
        self.set_aside += 1
        self.last_set_aside = reason
        self._fail_key = None
        self._backoff = self.backoff_min
        self._notify(f"set aside {len(rows)} item(s) for run {batch.run} after {1 + self.retries} failed attempts "
                     f"({reason.rstrip('.')}); later data keeps flowing; they stay in {sp.path.name} "
                     "(see %mlops status)")

    def _go_offline(self, exc: Any) -> None:
        error: MlopsError = exc.error if isinstance(exc, Transient) else exc
        kind = exc.kind if isinstance(exc, Transient) else "offline"
        self.last_error = error.message
        self._failures += 1
        self.offline = True
        if not self._outage:
            self._outage = True
            if kind == "failing":
                self._notify(f"{error.message.rstrip('.')}; retrying up to {self.retries} times with backoff, "
                             f"data is kept in the spool in {self.spool_dir} meanwhile")
            else:
                self._notify(f"{error.message.rstrip('.')}; logging continues offline, data is spooled in "
                             f"{self.spool_dir} and sent when the backend is back")
        # exponential backoff with jitter (half to all of the current step)
        self._next_try = time.monotonic() + self._backoff / 2 + random.uniform(0, self._backoff / 2)
        self._backoff = min(self._backoff * 2, self.backoff_max)

    def _go_online(self) -> None:
        self.offline = False
        self._backoff = self.backoff_min
        self._next_try = 0.0
        self.last_error = None
        if self._outage:
            self._outage = False
            self._notify(f"backend {self.backend.url} is back; spooled data sent")
            self._adopt_due = True

    def _adopt(self) -> None:
        """Take over spools of dead kernels for the same backend."""
        exclude = [self._own.path] if self._own else []
        for sp in Spool.orphans(self.spool_dir, exclude=exclude):
            if sp.meta().get("backend_url") != self.backend.url:
                sp.close(remove_if_empty=True)
                continue
            if sp.depth == 0:
                if sp.aside()["batches"]:  # only set-aside batches: kept (and listed) until put back
                    self._spools.insert(0 if self._own is None else len(self._spools) - 1, sp)
                else:
                    sp.close(remove_if_empty=True)
                continue
            self._spools.insert(0 if self._own is None else len(self._spools) - 1, sp)
            self._notify(f"replaying {sp.depth} item(s) spooled by an earlier kernel")

    # -- one request ---------------------------------------------------------------------------------
    def _deliver(self, batch: Batch, run_map: dict[str, str], unsure: Any = False) -> Optional[tuple[str, str]]:
        """Send one batch. Returns a (local ref, run id) pair when it created a run. Raises
        :class:`Transient` when it should be retried; drops refused items (with a warning) that can
        never succeed. ``unsure``: the batch may have arrived already (read back first on GitLab)."""
        if batch.kind == "c":
            return self._create_run(batch, run_map)
        run_id = run_map.get(batch.run, batch.run) if batch.run.startswith(LOCAL_PREFIX) else batch.run
        if run_id.startswith(LOCAL_PREFIX):
            self._drop(len(batch.items), f"run {batch.run} was never created; {len(batch.items)} item(s) dropped")
            return None
        api = self.client.api
        try:
            if batch.kind == "u":
                self._call(api.update_run(run_id, status=batch.items[0][2], end_time=batch.items[0][3]))
                self.sent += 1
            else:
                self._send_log(run_id, batch, unsure)
        except (InvalidInput, NotFound) as exc:
            self._drop(len(batch.items), f"the backend refused {len(batch.items)} item(s) for run {run_id}: "
                                         f"{exc.message}")
        return None

    def _call(self, call: Any) -> Any:
        try:
            return self.client.run(call)
        except (BackendUnreachable, BackendTimeout, BackendError) as exc:  # includes Unauthorized
            raise Transient(exc) from None

    def _send_log(self, run_id: str, batch: Batch, unsure: Any) -> None:
        """Deliver a log batch by the rules of :mod:`.delivery`; refused items are reported once."""
        part = Part(list(batch.metrics), dict(batch.params), dict(batch.tags))
        if self._gitlab:
            self.skipped += skip_unstorable(part, self._warn_once)
            if JOB_TAG in part.tags and self.check_jobs:
                drop_unknown_job(part.tags, self.jobs, self.client, self._warn, f"run {run_id}")
        refused: list[tuple[str, str, int]] = []  # (what, the backend's message, item count)
        state: dict[str, Any] = {"run": None, "budget": 64, "delivered": False, "scan": unsure == "scan"}
        try:
            self._deliver_part(run_id, part, bool(unsure) and self._gitlab, refused, state)
        except Transient as exc:
            exc.partial = state["delivered"] or state["scan"]  # read back point by point next time
            raise
        n_refused = sum(n for _, _, n in refused)
        self.sent += max(0, len(batch.items) - n_refused)
        if refused:
            self.dropped += n_refused
            shown = "; ".join(f"{what}: {msg}" for what, msg, _ in refused[:5])
            more = f" and {len(refused) - 5} more" if len(refused) > 5 else ""
            self._notify(f"the backend refused {n_refused} item(s) of run {run_id} ({shown}{more}); "
                         "the rest was delivered")

    def _deliver_part(self, run_id: str, part: Part, unsure: bool, refused: list[tuple[str, str, int]],
                      state: dict[str, Any]) -> None:
        """Send ``part``; on a 400 split it until the refused items are alone (bounded by a budget
        of requests per batch), on GitLab's 500 for an unknown CI job drop that tag and send the rest."""
        if part.size == 0:
            return
        api = self.client.api
        if unsure:
            run = self._call(api.get_run(run_id))
            part = delivery.unsent_part(part, run, lambda key: self._history(run_id, key), scan=state["scan"])
            if part.size == 0:
                return
        try:
            message = self._send_part(run_id, part, state)
        except Transient as exc:
            if self._gitlab and JOB_TAG in part.tags and exc.kind == "failing":
                job = part.tags.pop(JOB_TAG)
                self.jobs.forget(job)
                self._warn(f"tag {JOB_TAG}={job!r} of run {run_id} dropped: GitLab failed on it ({exc.error.message}); "
                           "the rest is sent without duplicating what it stored")
                self._deliver_part(run_id, part, True, refused, state)
                return
            raise
        if message is None:
            return
        # 400: on GitLab a refusal may come after the metrics were inserted: read back from here on
        unsure_next = self._gitlab and bool(part.metrics) and bool(part.params or part.tags)
        if state["run"] is None:
            state["run"] = run = self._call(api.get_run(run_id))  # NotFound: the whole batch is dropped
            if run.lifecycle_stage != "active":  # nothing of it can be stored: no bisecting
                refused.append((f"{part.size} item(s)", message, part.size))
                return
        if part.params and not state.get("params_checked"):
            state["params_checked"] = True
            _drop_stored_params(part, state["run"], refused)
            if part.size == 0:
                return
            if unsure_next:
                self._deliver_part(run_id, part, True, refused, state)
                return
            message = self._send_part(run_id, part, state)
            if message is None:
                return
        if part.size == 1 or state["budget"] <= 0:
            what = part.describe() if part.size == 1 else f"{part.size} item(s) from {part.describe()}"
            refused.append((what, message, part.size))
            return
        first, second = part.halves()
        self._deliver_part(run_id, first, unsure_next, refused, state)
        self._deliver_part(run_id, second, unsure_next, refused, state)

    def _send_part(self, run_id: str, part: Part, state: dict[str, Any]) -> Optional[str]:
        """One ``log-batch`` of ``part`` (counted against the batch's budget): None once delivered, else the
        backend's 400 message; other errors are raised."""
        state["budget"] -= 1
        try:
            self._call(self.client.api.log_batch(run_id, metrics=part.metrics, params=part.params, tags=part.tags))
        except InvalidInput as exc:
            return exc.message
        state["delivered"] = True
        return None

    def _history(self, run_id: str, key: str) -> Optional[list[Metric]]:
        try:
            return self._drive(flows.metric_history(self.client.api, run_id, key))
        except NotFound:
            self._warn_once("no-history", "this GitLab has no metrics/get-history: a batch whose delivery is "
                                          "uncertain is sent again (its points may be stored twice)")
            return None

    def _create_run(self, batch: Batch, run_map: dict[str, str]) -> Optional[tuple[str, str]]:
        """Create the run of a ``c`` item, or find the one an earlier attempt created (by the
        ``mlops.local_id`` marker tag): a timeout or GitLab's 500 after creating leaves no orphan."""
        ref = batch.run
        if ref in run_map:
            return None
        payload = json.loads(batch.items[0][2])
        api = self.client.api
        try:
            exp_id = payload.get("experiment_id")
            if not exp_id:
                exp = self._drive(flows.get_or_create_experiment(api, payload.get("experiment_name") or "Default"))
                exp_id = exp.experiment_id
            tags = dict(payload.get("tags") or {})
            tags[MARKER_TAG] = ref
            if self._gitlab and JOB_TAG in tags and self.check_jobs:
                drop_unknown_job(tags, self.jobs, self.client, self._warn, f"run {payload.get('run_name') or ref}")
            found = self._find_created(api, exp_id, ref, payload)
            if found is None:
                try:
                    run = self._call(api.create_run(exp_id, run_name=payload.get("run_name"), tags=tags,
                                                    start_time=payload.get("start_time")))
                except Transient as exc:
                    if not (self._gitlab and JOB_TAG in tags and exc.kind == "failing"):
                        raise
                    job = tags.pop(JOB_TAG)
                    self.jobs.forget(job)
                    self._warn(f"tag {JOB_TAG}={job!r} dropped: GitLab failed on it ({exc.error.message})")
                    found = self._find_created(api, exp_id, ref, payload)
                    run = found or self._call(api.create_run(exp_id, run_name=payload.get("run_name"), tags=tags,
                                                             start_time=payload.get("start_time")))
            else:
                run = found
            if found is not None:  # created by an attempt whose answer was lost: complete its tags
                missing = {k: v for k, v in tags.items() if k not in found.tags}
                if missing:
                    self._send_log(run.run_id, Batch("log", run.run_id, tags=missing), unsure=False)
        except (InvalidInput, NotFound) as exc:
            self._drop(1, f"could not create run {payload.get('run_name') or ref}: {exc.message}")
            return None
        run_map[ref] = run.run_id  # persisted by Spool.delete_through(map_run=...) when replayed
        self.sent += 1
        return (ref, run.run_id)

    def _find_created(self, api: Any, exp_id: str, ref: str, payload: dict[str, Any]) -> Any:
        """The run an earlier attempt created: by the marker tag, or on GitLab (whose runs/create can
        fail after creating the run and before storing its tags, C4) by run name and start time."""
        found = self._drive(flows.find_run_by_tag(api, exp_id, MARKER_TAG, ref))
        if found is not None or not self._gitlab or not payload.get("start_time"):
            return found
        page = self._call(api.search_runs([exp_id], order_by=["created_at DESC"], max_results=200))
        name, start = payload.get("run_name"), int(payload["start_time"])
        return next((r for r in page.items if r.start_time == start and MARKER_TAG not in r.tags
                     and (not name or r.run_name == name)), None)

    def _drive(self, flow: Any) -> Any:
        try:
            return self.client.drive(flow)
        except (BackendUnreachable, BackendTimeout, BackendError) as exc:
            raise Transient(exc) from None

    # -- flush bookkeeping -----------------------------------------------------------------------------
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
                if idle or self._failures > n or self._closed:
                    ev.set()
                else:
                    keep.append((ev, n))
            self._waiters = keep

    # -- messages -----------------------------------------------------------------------------------
    def _drop(self, n: int, message: str) -> None:
        self.dropped += n
        self._warn(message)

    def _warn(self, message: str) -> None:
        self._warn_once(message, message)

    def _warn_once(self, key: str, message: str) -> None:
        if key in self._warned or len(self._warned) > 200:
            return
        self._warned.add(key)
        self._notify(message)


def _drop_stored_params(part: Part, run: Any, refused: list[tuple[str, str, int]]) -> None:
    """Params are write-once: those the run already holds leave ``part``; a different value is refused."""
    for k in list(part.params):
        old = run.params.get(k)
        if old is None:
            continue
        if old != part.params[k]:
            refused.append((f"param {k!r}", f"already {old!r} (params are write-once), {part.params[k]!r} dropped", 1))
        del part.params[k]

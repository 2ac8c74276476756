"""A logger's outbox: the durable spools it holds (its own, created when something must be spooled,
and those of dead kernels of the same backend, adopted) and their replay, head first, exactly once:
an item leaves a spool only after the backend took the batch that carried it. A batch whose outcome is
unknown is replayed alone, as it was sent (read back first on GitLab); a batch failing ``1 + retries``
times with a 5xx of the backend is set aside, with its reason, and later data flows."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterable, Optional

from ..client.backend import Backend
from ..spool import LOCAL_PREFIX, Item, Spool, merge_aside
from .batching import HEAD, Batch, build_batch
from .delivery import Transient
from .notices import Notices
from .outage import Outage
from .sender import BatchSender

ADOPT_EVERY = 60.0  # seconds between looks for spools left by dead kernels


class Outbox:
    """The spools of one logger, oldest first (its own last); ``run_map`` is the logger's map of
    offline run references to the runs created for them."""

    def __init__(
        self,
        directory: Path,
        backend: Backend,
        sender: BatchSender,
        outage: Outage,
        notices: Notices,
        run_map: dict[str, str],
    ) -> None:
        self.directory = Path(directory)
        self.backend = backend
        self.sender = sender
        self.outage = outage
        self.notices = notices
        self.run_map = run_map
        self.spools: list[Spool] = []
        self.set_aside = 0  # batches set aside by this outbox
        self._own: Optional[Spool] = None
        self._adopt_due = True
        self._last_adopt = 0.0

    @property
    def depth(self) -> int:
        return sum(s.depth for s in list(self.spools))

    def append(self, items: list[Item], *, unsure: int = 0, scan: bool = False) -> None:
        """Append to the own spool (one fsync'd transaction; created on first use)."""
        if self._own is None:
            self._own = Spool.create(
                self.directory, meta={"backend_url": self.backend.url, "backend_kind": self.backend.kind}
            )
            self.spools.append(self._own)
        self._own.append(items, unsure=unsure, scan=scan)

    def aside(self) -> dict[str, Any]:
        """Set-aside batches of the spools held: ``{"batches", "items", "reasons"}``."""
        return merge_aside(sp.aside() for sp in list(self.spools))

    def restore_aside(self) -> int:
        """Put every set-aside batch back in line; returns the item count."""
        return sum(sp.restore_aside() for sp in list(self.spools))

    def close(self) -> None:
        for sp in list(self.spools):
            sp.close(remove_if_empty=True)
        self.spools.clear()
        self._own = None

    # -- adoption -------------------------------------------------------------------------------------
    def adopt_soon(self) -> None:
        self._adopt_due = True

    def adopt_if_due(self) -> None:
        """Take over spools of dead kernels for the same backend (at start, after an outage, every minute)."""
        if not (self._adopt_due or time.monotonic() - self._last_adopt > ADOPT_EVERY):
            return
        self._adopt_due = False
        self._last_adopt = time.monotonic()
        exclude = [self._own.path] if self._own else []
        for sp in Spool.orphans(self.directory, exclude=exclude):
            if sp.meta().get("backend_url") != self.backend.url or (sp.depth == 0 and not sp.aside()["batches"]):
                sp.close(remove_if_empty=True)
                continue
            self.spools.insert(0 if self._own is None else len(self.spools) - 1, sp)
            if sp.depth:  # a spool of set-aside batches only is kept (and listed) until they are put back
                self.notices.info(f"replaying {sp.depth} item(s) spooled by an earlier kernel")

    # -- replay ---------------------------------------------------------------------------------------
    def replay(self, budget: float) -> None:
        """Send spooled batches, head first, for at most ``budget`` seconds; stops at the first outage."""
        t0 = time.monotonic()
        for sp in list(self.spools):
            run_map = self.run_map if sp is self._own else sp.run_map
            while sp.depth > 0 and time.monotonic() - t0 < budget:
                rows = sp.head(HEAD)
                if not rows:
                    sp.depth = 0
                    break
                if not self._replay_head(sp, rows, run_map):
                    return
            if sp.depth == 0 and sp is not self._own and not sp.aside()["batches"]:
                self.spools.remove(sp)
                sp.close(remove_if_empty=True)
                self.notices.info(f"replayed the spool of an earlier kernel ({sp.name})")
        if self.outage.offline and (self._own is None or self._own.depth == 0):
            self.back_online()
        elif self.outage.announced and not self.outage.offline and self.depth == 0:
            self.back_online()

    def back_online(self) -> None:
        if self.outage.back_online():
            self._adopt_due = True  # spools of kernels that died during the outage

    def _replay_head(self, sp: Spool, rows: list[tuple[int, Item]], run_map: dict[str, str]) -> bool:
        """Deliver (or drop, or set aside) the first batch of ``rows``; False when the backend is down."""
        # a batch whose outcome is unknown is replayed exactly as it was sent, alone
        rng = sp.unsure_range(rows[0][0])
        if rng:
            rows = [r for r in rows if r[0] <= rng[1]]
        else:
            nxt = sp.next_unsure(rows[0][0])
            if nxt is not None:
                rows = [r for r in rows if r[0] < nxt]
        used, batch = build_batch([r[1] for r in rows], self.notices.warn)
        gitlab = self.sender.gitlab
        if gitlab and not rng and batch.kind == "log":
            sp.mark_unsure(rows[0][0], rows[used - 1][0])  # a kill mid-request leaves it unsure
        try:
            created = self.sender.deliver(batch, run_map, unsure="scan" if rng and rng[2] else bool(rng))
            self.outage.succeeded()
        except Transient as exc:
            if exc.partial and gitlab:
                sp.mark_unsure(rows[0][0], rows[used - 1][0], scan=True)
            if self.outage.count_failure(batch, exc) > self.outage.retries and batch.kind != "c":
                self._set_aside(sp, rows[:used], batch, exc)
                return True
            self.outage.went_offline(exc)
            return False
        except Exception as exc:  # noqa: BLE001 - a poison batch must not block the spool
            created = None
            self.sender.drop(used, f"could not send {used} spooled item(s): {type(exc).__name__}: {exc}")
        sp.delete_through(rows[used - 1][0], map_run=created)
        return True

    def _set_aside(self, sp: Spool, rows: Iterable[tuple[int, Item]], batch: Batch, exc: Transient) -> None:
        rows = list(rows)
        reason = exc.error.message
        run = batch.run if not batch.run.startswith(LOCAL_PREFIX) else None
        sp.set_aside(rows[-1][0], [r[1] for r in rows], reason, run=run)
        self.set_aside += 1
        self.outage.gave_up()
        self.notices(
            f"set aside {len(rows)} item(s) for run {batch.run} after {1 + self.outage.retries} failed "
            f"attempts ({reason.rstrip('.')}); later data keeps flowing; they stay in {sp.path.name} "
            "(see %mlops status)"
        )

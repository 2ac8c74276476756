"""Online or offline: a logger's link to its backend. Failed attempts are spaced by exponential backoff
with jitter (:func:`.delivery.backoff_delay`, 0.5 s to 5 s), consecutive 5xx failures of the same batch
are counted (it is set aside after ``1 + retries``), and each outage is announced once, its end too."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Optional

from ..client.errors import MlopsError
from .delivery import Transient, backoff_delay
from .notices import Notices


class Outage:
    """The link state one logger's thread keeps (read by ``status`` and ``flush`` from other threads)."""

    def __init__(
        self,
        notices: Notices,
        *,
        backend_url: str,
        spool_dir: Path,
        backoff: tuple[float, float] = (0.5, 5.0),
        retries: int = 4,
    ) -> None:
        self.notices = notices
        self.backend_url = backend_url
        self.spool_dir = spool_dir
        self.backoff_min, self.backoff_max = backoff
        self.retries = retries  # a batch failing with a 5xx is tried 1 + retries times, then set aside
        self.offline = False
        self.announced = False  # an outage was announced (and its end will be)
        self.last_error: Optional[str] = None
        self.failures = 0  # failed attempts so far (flush waiters compare against it)
        self.next_try = 0.0
        self._attempt = 0  # backoff step of the next failure
        self._fail_key: Any = None
        self._fail_count = 0

    def due(self) -> bool:
        """The backoff since the last failure is over."""
        return time.monotonic() >= self.next_try

    def retry_now(self) -> None:
        self.next_try = 0.0

    def succeeded(self) -> None:
        """A batch went through: the next failure starts a new count."""
        self._fail_key = None

    def count_failure(self, batch: Any, exc: Transient) -> int:
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

    def gave_up(self) -> None:
        """The failing batch was set aside: later data goes at once."""
        self._fail_key = None
        self._attempt = 0

    def went_offline(self, exc: Any) -> None:
        """An attempt failed (a :class:`Transient` or an error): announce a new outage, back off."""
        error: MlopsError = exc.error if isinstance(exc, Transient) else exc
        kind = exc.kind if isinstance(exc, Transient) else "offline"
        self.last_error = error.message
        self.failures += 1
        self.offline = True
        if not self.announced:
            self.announced = True
            if kind == "failing":
                self.notices(
                    f"{error.message.rstrip('.')}; retrying up to {self.retries} times with backoff, "
                    f"data is kept in the spool in {self.spool_dir} meanwhile"
                )
            else:
                self.notices(
                    f"{error.message.rstrip('.')}; logging continues offline, data is spooled in "
                    f"{self.spool_dir} and sent when the backend is back"
                )
        self.next_try = time.monotonic() + backoff_delay(self._attempt, self.backoff_min, self.backoff_max)
        self._attempt = min(self._attempt + 1, 32)  # the delay is capped long before

    def back_online(self) -> bool:
        """Online again; True when this ends an announced outage (which is then announced)."""
        self.offline = False
        self._attempt = 0
        self.next_try = 0.0
        self.last_error = None
        if not self.announced:
            return False
        self.announced = False
        self.notices.info(f"backend {self.backend_url} is back; spooled data sent")
        return True

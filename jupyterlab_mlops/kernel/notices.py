"""One-line messages to the user (never a traceback): information on stdout, warnings on stderr, some said once
per key. Nothing is silenced without a word: past ``cap`` distinct once-messages, one line says so and the rest
are counted (``%mlops status``)."""

from __future__ import annotations

import sys
from typing import Callable, Optional


def say(message: str) -> None:
    """Information (a run started, the backend is back): one line on stdout."""
    print(f"mlops: {message}", flush=True)


def warn(message: str) -> None:
    """Something lost, delayed or refused: one line on stderr."""
    print(f"mlops: {message}", file=sys.stderr, flush=True)


class Notices:
    """Warnings through ``emit`` (stderr by default), information through ``inform`` (stdout); :meth:`once`
    says each key once. After ``cap`` distinct keys one line says that further ones are only counted
    (``suppressed``, shown by ``%mlops status``): a flood must not bury the notebook, and nothing is hidden."""

    def __init__(
        self,
        emit: Optional[Callable[[str], None]] = None,
        cap: int = 200,
        inform: Optional[Callable[[str], None]] = None,
    ) -> None:
        self.emit: Callable[[str], None] = emit or warn
        self.inform: Callable[[str], None] = inform or say
        self.cap = cap
        self.suppressed = 0
        self._said: set[str] = set()

    def __call__(self, message: str) -> None:
        self.emit(message)

    def info(self, message: str) -> None:
        self.inform(message)

    def once(self, key: str, message: str) -> None:
        if key in self._said:
            return
        if len(self._said) >= self.cap:
            self.suppressed += 1
            if self.suppressed == 1:
                self.emit(
                    f"more than {self.cap} different warnings: further ones are counted in %mlops status "
                    "(mlops.status()), not printed"
                )
            return
        self._said.add(key)
        self.emit(message)

    def warn(self, message: str) -> None:
        """A warning said once (its text is its key)."""
        self.once(message, message)

    def clear(self) -> None:
        """Forget what was said (a fresh start, as after ``configure``)."""
        self._said.clear()
        self.suppressed = 0

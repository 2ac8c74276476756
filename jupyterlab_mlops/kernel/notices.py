"""One-line messages to the user on stderr (never a traceback), some said once per key."""
from __future__ import annotations

import sys
from typing import Callable, Optional


def say(message: str) -> None:
    """One line to the user, on stderr."""
    print(f"mlops: {message}", file=sys.stderr, flush=True)


class Notices:
    """Says messages through ``emit``; :meth:`once` says each key once (at most ``cap`` keys are
    remembered, then repeated warnings are no longer said: a flood must not bury the notebook)."""

    def __init__(self, emit: Optional[Callable[[str], None]] = None, cap: int = 200) -> None:
        self.emit: Callable[[str], None] = emit or say
        self.cap = cap
        self._said: set[str] = set()

    def __call__(self, message: str) -> None:
        self.emit(message)

    def once(self, key: str, message: str) -> None:
        if key in self._said or len(self._said) > self.cap:
            return
        self._said.add(key)
        self.emit(message)

    def warn(self, message: str) -> None:
        """A warning said once (its text is its key)."""
        self.once(message, message)

    def clear(self) -> None:
        """Forget what was said (a fresh start, as after ``configure``)."""
        self._said.clear()

"""Reading the embedded server's log: its tail, and the one line that says why it is down.

Only an error line is a cause (ERROR/CRITICAL, an exception, ``error:``, ``[Errno N]``); access lines
(``"GET /health HTTP/1.1" 200``) never are, even of a failing request.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

TAIL_BYTES = 256 * 1024  # the most of a log read back
CAUSE_MAX_CHARS = 300
_ACCESS = re.compile(r'"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \S* HTTP/[\d.]+" \d{3}')
_ERROR = re.compile(
    r"\b(?:ERROR|CRITICAL|FATAL)\b|\b\w*(?:Error|Exception|Exit)\b(?::|$)|\berror:|\[Errno \d+\]", re.IGNORECASE
)
_NOISE = re.compile(r"^\s*(?:Traceback \(most recent call last\):|File \".*\", line \d+|\^+|~+)\s*$")


def read_tail(path: Path, lines: int, max_bytes: int = TAIL_BYTES) -> str:
    """The last ``lines`` lines of ``path`` (at most ``max_bytes`` read); "" when it cannot be read."""
    try:
        with open(path, "rb") as f:
            size = f.seek(0, os.SEEK_END)
            f.seek(max(0, size - max_bytes))
            text = f.read().decode(errors="replace")
            if size > max_bytes:
                text = text.partition("\n")[2]  # drop the cut first line
    except OSError:
        return ""
    return "\n".join(text.rstrip().splitlines()[-lines:]) if lines > 0 else ""


def read_runs_tail(path: Path, lines: int) -> str:
    """The last ``lines`` lines of ``path``, led by the previous run's log (``<path>.1``) when it is shorter
    (a server killed right after its start has written nothing yet)."""
    text = read_tail(path, lines)
    room = lines - len(text.splitlines()) - 2
    previous = read_tail(path.with_name(path.name + ".1"), room) if room > 0 else ""
    if not previous:
        return text
    return f"--- previous run ({path.name}.1) ---\n{previous}\n--- current run ({path.name}) ---\n{text}".rstrip()


def is_access_line(line: str) -> bool:
    return bool(_ACCESS.search(line))


def last_error(path: Path) -> str | None:
    """The log's last error or exception line (never an access line); None when it has none."""
    lines = [ln.strip() for ln in read_tail(path, 2000, 64 * 1024).splitlines()]
    errors = [ln for ln in lines if ln and not is_access_line(ln) and not _NOISE.match(ln) and _ERROR.search(ln)]
    if not errors:
        return None
    line = errors[-1]
    return line if len(line) <= CAUSE_MAX_CHARS else line[: CAUSE_MAX_CHARS - 1] + "…"

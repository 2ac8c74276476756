"""The spool directory: where it is, the small files every spool keeps current for readers that
open no SQLite (``*.depth``, ``*.aside``: what the server's status route and ``%mlops status``
show), and the owner locks that tell a live kernel's spool from an orphan."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable, Optional

try:  # POSIX advisory locks tell a live owner from an orphan
    import fcntl
except ImportError:  # pragma: no cover - Windows: no adoption of other kernels' spools
    fcntl = None  # type: ignore[assignment]

SUFFIX = ".sqlite"


def default_dir() -> Path:
    """``$MLOPS_SPOOL_DIR`` or ``<jupyter data dir>/mlops/spool``."""
    env = os.environ.get("MLOPS_SPOOL_DIR")
    if env:
        return Path(env)
    try:
        from jupyter_core.paths import jupyter_data_dir

        base = Path(jupyter_data_dir())
    except ImportError:  # pragma: no cover - jupyter_core is always there in a kernel
        base = Path.home() / ".local" / "share" / "jupyter"
    return base / "mlops" / "spool"


def total_depth(directory: Path) -> int:
    """Sum of every ``*.depth`` file in ``directory`` (what the sidebar banner shows)."""
    total = 0
    d = Path(directory)
    if not d.is_dir():
        return 0
    for f in d.glob("*.depth"):
        try:
            total += int(f.read_text().strip() or 0)
        except (OSError, ValueError):
            continue
    return total


def has_pending(directory: Path) -> bool:
    """Cheap check used at ``%load_ext``: is any spool file in ``directory`` non-empty?"""
    return total_depth(directory) > 0


def merge_aside(summaries: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """One ``{"batches", "items", "reasons"}`` of several (reasons distinct, the first five)."""
    out: dict[str, Any] = {"batches": 0, "items": 0, "reasons": []}
    for data in summaries:
        out["batches"] += int(data.get("batches", 0))
        out["items"] += int(data.get("items", 0))
        for r in data.get("reasons") or []:
            if isinstance(r, str) and r not in out["reasons"]:
                out["reasons"].append(r)
    out["reasons"] = out["reasons"][:5]
    return out


def aside_summary(directory: Optional[Path]) -> dict[str, Any]:
    """Set-aside batches of every spool in ``directory``: ``{"batches", "items", "reasons"}``
    (read from the ``*.aside`` files, no SQLite)."""
    d = Path(directory) if directory else None
    if d is None or not d.is_dir():
        return merge_aside([])
    found = []
    for f in sorted(d.glob("*.aside")):
        try:
            data = json.loads(f.read_text())
            merge_aside([data])  # refuse a malformed file as a whole
        except (OSError, ValueError, TypeError, AttributeError):
            continue
        found.append(data)
    return merge_aside(found)


def write_atomically(path: Path, text: str) -> bool:
    """Replace ``path`` with ``text`` (a reader never sees half a file); False when it could not."""
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    except OSError:
        return False
    return True


def fsync_dir(path: Path) -> None:
    """Make a new file's directory entry durable."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def lock(path: Path, *, blocking: bool) -> Optional[int]:
    """Take the owner lock at ``path`` (writing our pid in it); None when another process holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    if fcntl is None:  # pragma: no cover
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except OSError:
        os.close(fd)
        return None
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
    except OSError:
        pass
    return fd


def unlock(fd: int) -> None:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def can_adopt() -> bool:
    """Other kernels' spools can be told live from orphaned (POSIX locks)."""
    return fcntl is not None

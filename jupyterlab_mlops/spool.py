"""Durable local spool for kernel-side logging while the backend is unreachable.

Why SQLite (WAL, ``synchronous=FULL``):

* One ``COMMIT`` is one atomic, fsync'd unit: after :meth:`Spool.append` returns, the items
  survive a kernel crash and a power cut (WAL + FULL syncs the log on every commit). An
  append-only file would need our own framing, torn-write detection and compaction.
* Replay deletes a *prefix* (``DELETE ... WHERE seq <= ?``) in the same kind of transaction,
  so a crash between "the backend said 200" and "deleted" replays that prefix once more; the
  logger relies on MLflow skipping exact duplicate metric points to keep that exactly-once
  (verified against MLflow 3.17: the same key/value/timestamp/step twice is stored once).
* WAL lets the Jupyter server (or another kernel adopting an orphaned spool) read while the
  owner writes; ``sqlite3`` ships with Python.

Layout in the spool directory (``$MLOPS_SPOOL_DIR``, default ``<jupyter data dir>/mlops/spool``)::

    kernel-<utc time>-<pid>-<rand>.sqlite   the queue (plus -wal/-shm while open)
    kernel-...depth                          pending item count as text (the server sums these)
    kernel-...lock                           flock'd by the process that owns the spool
    kernel-...aside                          set-aside batches as JSON ``{"batches", "items", "reasons"}``

A spool is created only when something has to be spooled. A kernel that finds spools whose
lock is free (their kernel died or restarted) and that belong to the same backend adopts them
and replays them. Items are stored as rows of the ``ops`` table in logging order.

Two more tables (issue 10):

* ``unsure (lo, hi)``: ranges of rows whose delivery outcome is unknown (a timeout after the request
  was sent, a 5xx after a partial write, a kernel killed while the request was in flight). On GitLab,
  which appends duplicate metric points, the logger reads back what arrived before sending such rows.
* ``aside``: batches the backend kept failing with a 5xx, set aside (with the reason) so later data
  keeps flowing. They stay on disk across restarts (a spool with set-aside batches is never removed),
  are counted in the ``.aside`` file the server reads, and can be put back with :meth:`Spool.restore_aside`.
"""
from __future__ import annotations

import json
import math
import os
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Iterable, Optional

try:  # POSIX advisory locks tell a live owner from an orphan
    import fcntl
except ImportError:  # pragma: no cover - Windows: no adoption of other kernels' spools
    fcntl = None  # type: ignore[assignment]

SUFFIX = ".sqlite"

# Items are plain tuples (cheap to build on the caller's hot path):
#   ("m", run, key, value: float, timestamp_ms, step)   metric point
#   ("p", run, key, value: str)                          param
#   ("t", run, key, value: str)                          tag
#   ("c", run, payload_json)                             create the (offline) run ``run``
#   ("u", run, status, end_time_ms)                      end a run
Item = tuple

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ops (
    seq  INTEGER PRIMARY KEY AUTOINCREMENT,
    run  TEXT NOT NULL,
    kind TEXT NOT NULL,
    key  TEXT,
    num  REAL,
    txt  TEXT,
    ts   INTEGER,
    step INTEGER
);
CREATE TABLE IF NOT EXISTS runs (local TEXT PRIMARY KEY, run_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE IF NOT EXISTS unsure (lo INTEGER NOT NULL, hi INTEGER NOT NULL, scan INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS aside (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at     INTEGER NOT NULL,
    run    TEXT,
    reason TEXT NOT NULL,
    n      INTEGER NOT NULL,
    items  TEXT NOT NULL
);
"""


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


def _row(item: Item) -> tuple[Any, ...]:
    kind = item[0]
    if kind == "m":
        value = item[3]
        # SQLite stores NaN as NULL: NULL in ``num`` of a metric row means NaN.
        return (item[1], "m", item[2], None if value != value else value, None, item[4], item[5])
    if kind in ("p", "t"):
        return (item[1], kind, item[2], None, item[3], None, None)
    if kind == "c":
        return (item[1], "c", None, None, item[2], None, None)
    if kind == "u":
        return (item[1], "u", None, None, item[2], item[3], None)
    raise ValueError(f"unknown spool item kind {kind!r}")


def _item(run: str, kind: str, key: Any, num: Any, txt: Any, ts: Any, step: Any) -> Item:
    if kind == "m":
        return ("m", run, key, math.nan if num is None else float(num), int(ts), int(step))
    if kind in ("p", "t"):
        return (kind, run, key, txt)
    if kind == "c":
        return ("c", run, txt)
    return ("u", run, txt, ts)


def _fsync_dir(path: Path) -> None:
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


class Spool:
    """One spool file. Thread-safe; the owning process holds its ``.lock`` while it is open."""

    def __init__(self, path: Path, *, lock_fd: Optional[int] = None) -> None:
        self.path = Path(path)
        self.name = self.path.name[: -len(SUFFIX)]
        self.depth_path = self.path.with_name(self.name + ".depth")
        self.aside_path = self.path.with_name(self.name + ".aside")
        self.lock_path = self.path.with_name(self.name + ".lock")
        self._lock_fd = lock_fd
        self._mutex = threading.RLock()
        fresh = not self.path.exists()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        if fresh:
            _fsync_dir(self.path.parent)
        self.depth = int(self._db.execute("SELECT COUNT(*) FROM ops").fetchone()[0])
        self.run_map: dict[str, str] = dict(self._db.execute("SELECT local, run_id FROM runs").fetchall())
        # (lo, hi, scan): scan = part of the batch may have arrived without the rest (match point by point)
        self.unsure: list[tuple[int, int, int]] = sorted(self._db.execute("SELECT lo, hi, scan FROM unsure").fetchall())
        self._written_depth: Optional[int] = None
        self._write_depth()
        self._aside = self._aside_summary()

    # -- creation / discovery ------------------------------------------------------------------
    @classmethod
    def create(cls, directory: Path, meta: Optional[dict[str, str]] = None) -> "Spool":
        """A new spool owned by this process in ``directory``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        name = f"kernel-{stamp}-{os.getpid()}-{secrets.token_hex(3)}"
        fd = _lock(directory / (name + ".lock"), blocking=True)
        spool = cls(directory / (name + SUFFIX), lock_fd=fd)
        spool.set_meta({"created": str(int(time.time())), "pid": str(os.getpid()), **(meta or {})})
        return spool

    @classmethod
    def orphans(cls, directory: Path, *, exclude: Iterable[Path] = ()) -> list["Spool"]:
        """Spools in ``directory`` whose owner is gone, opened and locked by us (oldest first)."""
        directory = Path(directory)
        if not directory.is_dir() or fcntl is None:
            return []
        skip = {Path(p).resolve() for p in exclude}
        found: list[Spool] = []
        for path in sorted(directory.glob("*" + SUFFIX)):
            if path.resolve() in skip:
                continue
            lock_path = path.with_name(path.name[: -len(SUFFIX)] + ".lock")
            fd = _lock(lock_path, blocking=False)
            if fd is None:
                continue  # a live kernel owns it
            try:
                found.append(cls(path, lock_fd=fd))
            except sqlite3.Error:
                _unlock(fd)
        return found

    # -- metadata ------------------------------------------------------------------------------
    def set_meta(self, values: dict[str, str]) -> None:
        with self._mutex:
            self._db.executemany("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)", list(values.items()))

    def meta(self) -> dict[str, str]:
        with self._mutex:
            return dict(self._db.execute("SELECT k, v FROM meta").fetchall())

    # -- queue ---------------------------------------------------------------------------------
    def append(self, items: Iterable[Item], *, unsure: int = 0, scan: bool = False) -> int:
        """Append items durably (one fsync'd transaction); returns how many. The first ``unsure``
        of them are recorded as one range whose delivery outcome is unknown (``scan``: possibly in part)."""
        rows = [_row(i) for i in items]
        if not rows:
            return 0
        unsure = min(max(unsure, 0), len(rows))
        insert = "INSERT INTO ops (run, kind, key, num, txt, ts, step) VALUES (?, ?, ?, ?, ?, ?, ?)"
        with self._mutex:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                rng = None
                if unsure:
                    self._db.execute(insert, rows[0])
                    lo = int(self._db.execute("SELECT last_insert_rowid()").fetchone()[0])
                    if unsure > 1:
                        self._db.executemany(insert, rows[1:unsure])
                    hi = int(self._db.execute("SELECT last_insert_rowid()").fetchone()[0])
                    rng = (lo, hi, int(scan))
                    self._db.execute("INSERT INTO unsure (lo, hi, scan) VALUES (?, ?, ?)", rng)
                if len(rows) > unsure:
                    self._db.executemany(insert, rows[unsure:])
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            if rng:
                self.unsure = sorted(self.unsure + [rng])
            self.depth += len(rows)
            self._write_depth()
        return len(rows)

    def mark_unsure(self, lo: int, hi: int, *, scan: bool = False) -> None:
        """Record (durably) that rows ``lo..hi`` are about to be sent: until :meth:`delete_through`
        removes them, their outcome is unknown (a kernel killed mid-request leaves them so).
        ``scan``: part of them may have arrived without the rest."""
        with self._mutex:
            old = next((r for r in self.unsure if r[0] <= lo and hi <= r[1]), None)
            if old is not None and (old[2] or not scan):
                return
            if old is not None:
                self._db.execute("UPDATE unsure SET scan = 1 WHERE lo = ? AND hi = ?", old[:2])
                self.unsure = sorted([r for r in self.unsure if r != old] + [(old[0], old[1], 1)])
                return
            self._db.execute("INSERT INTO unsure (lo, hi, scan) VALUES (?, ?, ?)", (lo, hi, int(scan)))
            self.unsure = sorted(self.unsure + [(lo, hi, int(scan))])

    def unsure_range(self, seq: int) -> Optional[tuple[int, int, int]]:
        """The unknown-outcome range ``(lo, hi, scan)`` holding row ``seq``, if any."""
        return next((r for r in self.unsure if r[0] <= seq <= r[1]), None)

    def next_unsure(self, seq: int) -> Optional[int]:
        """The first row after ``seq`` that starts an unknown-outcome range."""
        return next((r[0] for r in self.unsure if r[0] > seq), None)

    def head(self, limit: int = 2000) -> list[tuple[int, Item]]:
        """The oldest ``limit`` items with their sequence numbers (run ids already mapped)."""
        with self._mutex:
            rows = self._db.execute(
                "SELECT seq, run, kind, key, num, txt, ts, step FROM ops ORDER BY seq LIMIT ?", (limit,)).fetchall()
        return [(r[0], _item(*r[1:])) for r in rows]

    def delete_through(self, seq: int, *, map_run: Optional[tuple[str, str]] = None) -> int:
        """Drop every item up to and including ``seq`` (they were delivered or dropped); optionally
        record a created run's id in the same transaction."""
        with self._mutex:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if map_run:
                    self._db.execute("INSERT OR REPLACE INTO runs (local, run_id) VALUES (?, ?)", map_run)
                n = self._db.execute("DELETE FROM ops WHERE seq <= ?", (seq,)).rowcount
                if self.unsure:
                    self._db.execute("DELETE FROM unsure WHERE hi <= ?", (seq,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            if map_run:
                self.run_map[map_run[0]] = map_run[1]
            self.unsure = [r for r in self.unsure if r[1] > seq]
            self.depth = max(0, self.depth - max(n, 0))
            self._write_depth()
        return n

    # -- set aside -----------------------------------------------------------------------------
    def set_aside(self, seq: int, items: list[Item], reason: str, run: Optional[str] = None) -> None:
        """Move the head rows up to ``seq`` (the batch ``items``) to the set-aside area, with why,
        in one transaction: later rows are replayed, these stay on disk until restored."""
        payload = json.dumps([list(_row(i)) for i in items])
        with self._mutex:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("INSERT INTO aside (at, run, reason, n, items) VALUES (?, ?, ?, ?, ?)",
                                 (int(time.time()), run, reason[:1000], len(items), payload))
                n = self._db.execute("DELETE FROM ops WHERE seq <= ?", (seq,)).rowcount
                self._db.execute("DELETE FROM unsure WHERE hi <= ?", (seq,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self.unsure = [r for r in self.unsure if r[1] > seq]
            self.depth = max(0, self.depth - max(n, 0))
            self._write_depth()
            self._aside = self._aside_summary()
            self._write_aside()

    def aside(self) -> dict[str, Any]:
        """``{"batches", "items", "reasons"}`` of the set-aside batches (reasons newest first, distinct)."""
        return dict(self._aside)

    def restore_aside(self) -> int:
        """Put every set-aside batch back at the end of the queue (as unknown-outcome ranges, so
        nothing that did arrive is sent twice); returns how many items."""
        with self._mutex:
            rows = self._db.execute("SELECT id, items FROM aside ORDER BY id").fetchall()
        total = 0
        for row_id, payload in rows:
            items = [_item(*r) for r in json.loads(payload)]
            with self._mutex:
                self.append(items, unsure=len(items), scan=True)
                self._db.execute("DELETE FROM aside WHERE id = ?", (row_id,))
            total += len(items)
        with self._mutex:
            self._aside = self._aside_summary()
            self._write_aside()
        return total

    def _aside_summary(self) -> dict[str, Any]:
        with self._mutex:
            rows = self._db.execute("SELECT n, reason FROM aside ORDER BY id DESC").fetchall()
        reasons: list[str] = []
        for _, r in rows:
            if r not in reasons:
                reasons.append(r)
        return {"batches": len(rows), "items": sum(int(n) for n, _ in rows), "reasons": reasons[:5]}

    def _write_aside(self) -> None:
        if not self._aside["batches"]:
            try:
                self.aside_path.unlink()
            except OSError:
                pass
            return
        tmp = self.aside_path.with_name(self.aside_path.name + f".{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(self._aside))
            os.replace(tmp, self.aside_path)
        except OSError:
            pass

    def record_run(self, local: str, run_id: str) -> None:
        with self._mutex:
            self._db.execute("INSERT OR REPLACE INTO runs (local, run_id) VALUES (?, ?)", (local, run_id))
            self.run_map[local] = run_id

    # -- depth file ------------------------------------------------------------------------------
    def _write_depth(self) -> None:
        if self.depth == self._written_depth:
            return
        tmp = self.depth_path.with_name(self.depth_path.name + f".{os.getpid()}.tmp")
        try:
            tmp.write_text(str(self.depth))
            os.replace(tmp, self.depth_path)
            self._written_depth = self.depth
        except OSError:
            pass

    # -- closing -------------------------------------------------------------------------------
    def close(self, *, remove_if_empty: bool = True) -> bool:
        """Close; delete the files when empty. Returns True when the files were removed."""
        with self._mutex:
            removed = False
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            if remove_if_empty and self.depth == 0 and not self._aside["batches"]:
                for p in (self.path, self.path.with_name(self.path.name + "-wal"),
                          self.path.with_name(self.path.name + "-shm"), self.depth_path, self.aside_path,
                          self.lock_path):
                    try:
                        p.unlink()
                    except FileNotFoundError:
                        pass
                    except OSError:
                        continue
                removed = True
            if self._lock_fd is not None:
                _unlock(self._lock_fd)
                self._lock_fd = None
        return removed

    def __repr__(self) -> str:
        return f"Spool({str(self.path)!r}, depth={self.depth})"


def _lock(path: Path, *, blocking: bool) -> Optional[int]:
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


def _unlock(fd: int) -> None:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


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


def aside_summary(directory: Optional[Path]) -> dict[str, Any]:
    """Set-aside batches of every spool in ``directory``: ``{"batches", "items", "reasons"}``
    (read from the ``*.aside`` files, no SQLite)."""
    out: dict[str, Any] = {"batches": 0, "items": 0, "reasons": []}
    d = Path(directory) if directory else None
    if d is None or not d.is_dir():
        return out
    for f in sorted(d.glob("*.aside")):
        try:
            data = json.loads(f.read_text())
            out["batches"] += int(data.get("batches", 0))
            out["items"] += int(data.get("items", 0))
            for r in data.get("reasons") or []:
                if isinstance(r, str) and r not in out["reasons"]:
                    out["reasons"].append(r)
        except (OSError, ValueError, TypeError, AttributeError):
            continue
    out["reasons"] = out["reasons"][:5]
    return out


def has_pending(directory: Path) -> bool:
    """Cheap check used at ``%load_ext``: is any spool file in ``directory`` non-empty?"""
    return total_depth(directory) > 0


def dumps(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True)

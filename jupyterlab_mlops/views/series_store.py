"""The compare view's series kept on disk: finished runs' fetched points, so a restarted server is warm.

One SQLite file (standard library, WAL, a short busy timeout so two servers of one user can share it) under
``<jupyter data dir>/mlops/series-cache/``: the folder ``0o700``, the files ``0o600``. Bounded: past
``max_bytes`` the least recently used series go first. A row holds points only (never a token or a URL: the
backend is a hash of its tracking URI) and a ``validator`` (the run's latest point of the key, its status and
end time): a run changed since is a miss, never stale. A corrupt or unreadable file is ignored with one log
line (and replaced once); the cache then answers misses, never an error.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
import zlib
from array import array
from pathlib import Path
from typing import Any, Iterable, Optional

from ..client.models import Metric

SCHEMA = """
CREATE TABLE IF NOT EXISTS series (
  k TEXT PRIMARY KEY, validator TEXT NOT NULL, body BLOB NOT NULL, size INTEGER NOT NULL, used REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS series_used ON series (used);
"""
FILE_NAME = "series.sqlite3"
DEFAULT_MAX_BYTES = 256 * 1024 * 1024


def default_path() -> Path:
    """``<jupyter data dir>/mlops/series-cache/series.sqlite3``."""
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "mlops" / "series-cache" / FILE_NAME


def row_key(scope: str, run_id: str, key: str, variant: str) -> str:
    """The row of one series: hashed, so no URL is written to the file."""
    return hashlib.sha256(json.dumps([scope, run_id, key, variant]).encode()).hexdigest()


def encode(points: list[Metric], header: dict[str, Any]) -> bytes:
    """``header`` (JSON) then the steps, timestamps (int64) and values (float64) of ``points``, zlib-packed."""
    head = json.dumps({**header, "n": len(points)}).encode()
    steps, stamps = array("q", (p.step for p in points)), array("q", (p.timestamp for p in points))
    values = array("d", (p.value for p in points))
    raw = len(head).to_bytes(4, "little") + head + steps.tobytes() + stamps.tobytes() + values.tobytes()
    return zlib.compress(raw, 1)


def decode(body: bytes, key: str) -> tuple[list[Metric], dict[str, Any]]:
    """The inverse of :func:`encode` (``key`` names the metric); ValueError on a damaged body."""
    try:
        raw = zlib.decompress(body)
        size = int.from_bytes(raw[:4], "little")
        header = json.loads(raw[4 : 4 + size])
        n = int(header["n"])
        cols = [array("q"), array("q"), array("d")]
        offset = 4 + size
        for col in cols:
            col.frombytes(raw[offset : offset + 8 * n])
            offset += 8 * n
    except (zlib.error, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"damaged series row: {exc}") from None
    if offset != len(raw) or any(len(c) != n for c in cols):
        raise ValueError("damaged series row: wrong length")
    steps, stamps, values = cols
    return [Metric(key=key, value=v, timestamp=t, step=s) for s, t, v in zip(steps, stamps, values)], header


class SeriesStore:
    """``get``/``put_many`` of encoded series rows in one SQLite file, LRU-bounded to ``max_bytes``."""

    def __init__(self, path: Path, max_bytes: int = DEFAULT_MAX_BYTES, log: Optional[logging.Logger] = None) -> None:
        self.path, self.max_bytes = Path(path), max_bytes
        self.log = log or logging.getLogger(__name__)
        self._lock = threading.Lock()
        self._db: Optional[sqlite3.Connection] = None
        self._failed = False  # one log line, then a quiet cache of misses
        self._warned = False

    # -- the file -----------------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.path.parent, 0o700)
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(self.path, 0o600)
        db = sqlite3.connect(self.path, timeout=1.0, check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(SCHEMA)
            db.execute("SELECT COUNT(*) FROM series").fetchone()
        except sqlite3.Error:
            db.close()
            raise
        for extra in ("-wal", "-shm"):
            side = Path(str(self.path) + extra)
            if side.exists():
                os.chmod(side, 0o600)
        return db

    def _conn(self) -> Optional[sqlite3.Connection]:
        if self._db is not None or self._failed:
            return self._db
        try:
            self._db = self._connect()
        except (sqlite3.Error, OSError) as exc:
            self.log.warning("mlops: series cache %s unreadable (%s); starting a new one", self.path, exc)
            try:
                for extra in ("", "-wal", "-shm"):
                    Path(str(self.path) + extra).unlink(missing_ok=True)
                self._db = self._connect()
            except (sqlite3.Error, OSError) as again:
                self.log.warning("mlops: series cache off: %s", again)
                self._failed = True
        return self._db

    def _trouble(self, exc: Exception) -> None:
        if not self._warned:
            self._warned = True
            self.log.warning("mlops: series cache %s: %s (ignored)", self.path, exc)

    # -- rows ---------------------------------------------------------------------------------------
    def get(self, k: str, validator: Any, key: str) -> Optional[tuple[list[Metric], dict[str, Any]]]:
        """The points and header stored under ``k`` when its validator equals ``validator``, else None."""
        with self._lock:
            db = self._conn()
            if db is None:
                return None
            try:
                row = db.execute("SELECT validator, body FROM series WHERE k = ?", (k,)).fetchone()
                if row is None or row[0] != json.dumps(validator):
                    return None
                db.execute("UPDATE series SET used = ? WHERE k = ?", (time.time(), k))
            except sqlite3.Error as exc:
                self._trouble(exc)
                return None
        try:
            return decode(row[1], key)
        except ValueError as exc:
            self._trouble(exc)
            self.drop(k)
            return None

    def put_many(self, rows: Iterable[tuple[str, Any, bytes]]) -> None:
        """Store ``(k, validator, body)`` rows in one transaction, then evict down to ``max_bytes``."""
        now = time.time()
        items = [(k, json.dumps(v), body, len(body), now) for k, v, body in rows if len(body) <= self.max_bytes]
        if not items:
            return
        with self._lock:
            db = self._conn()
            if db is None:
                return
            try:
                db.execute("BEGIN IMMEDIATE")
                db.executemany(
                    "INSERT OR REPLACE INTO series (k, validator, body, size, used) VALUES (?,?,?,?,?)", items
                )
                self._evict(db)
                db.execute("COMMIT")
            except sqlite3.Error as exc:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                self._trouble(exc)

    def _evict(self, db: sqlite3.Connection) -> None:
        total = db.execute("SELECT COALESCE(SUM(size), 0) FROM series").fetchone()[0]
        if total <= self.max_bytes:
            return
        goal, gone = total - int(self.max_bytes * 0.9), []
        for k, size in db.execute("SELECT k, size FROM series ORDER BY used"):
            if goal <= 0:
                break
            gone.append((k,))
            goal -= size
        db.executemany("DELETE FROM series WHERE k = ?", gone)

    def drop(self, k: str) -> None:
        with self._lock:
            db = self._conn()
            try:
                if db is not None:
                    db.execute("DELETE FROM series WHERE k = ?", (k,))
            except sqlite3.Error as exc:
                self._trouble(exc)

    def size(self) -> int:
        """Bytes of the stored bodies (0 when the file is unusable)."""
        with self._lock:
            db = self._conn()
            try:
                return db.execute("SELECT COALESCE(SUM(size), 0) FROM series").fetchone()[0] if db else 0
            except sqlite3.Error:
                return 0

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

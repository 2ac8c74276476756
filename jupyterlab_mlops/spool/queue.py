"""One spool file: a durable, ordered queue of items in SQLite (see the package docstring)."""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Iterable, Optional

from .files import SUFFIX, can_adopt, fsync_dir, lock, unlock, write_atomically
from .rows import SCHEMA, Item, from_row, to_row


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
        self._db.executescript(SCHEMA)
        if fresh:
            fsync_dir(self.path.parent)
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
        fd = lock(directory / (name + ".lock"), blocking=True)
        spool = cls(directory / (name + SUFFIX), lock_fd=fd)
        spool.set_meta({"created": str(int(time.time())), "pid": str(os.getpid()), **(meta or {})})
        return spool

    @classmethod
    def orphans(cls, directory: Path, *, exclude: Iterable[Path] = ()) -> list["Spool"]:
        """Spools in ``directory`` whose owner is gone, opened and locked by us (oldest first)."""
        directory = Path(directory)
        if not directory.is_dir() or not can_adopt():
            return []
        skip = {Path(p).resolve() for p in exclude}
        found: list[Spool] = []
        for path in sorted(directory.glob("*" + SUFFIX)):
            if path.resolve() in skip:
                continue
            lock_path = path.with_name(path.name[: -len(SUFFIX)] + ".lock")
            fd = lock(lock_path, blocking=False)
            if fd is None:
                continue  # a live kernel owns it
            try:
                found.append(cls(path, lock_fd=fd))
            except sqlite3.Error:
                unlock(fd)
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
        rows = [to_row(i) for i in items]
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
                "SELECT seq, run, kind, key, num, txt, ts, step FROM ops ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()
        return [(r[0], from_row(*r[1:])) for r in rows]

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
        payload = json.dumps([list(to_row(i)) for i in items])
        with self._mutex:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT INTO aside (at, run, reason, n, items) VALUES (?, ?, ?, ?, ?)",
                    (int(time.time()), run, reason[:1000], len(items), payload),
                )
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
            items = [from_row(*r) for r in json.loads(payload)]
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
        write_atomically(self.aside_path, json.dumps(self._aside))

    # -- depth file ------------------------------------------------------------------------------
    def _write_depth(self) -> None:
        if self.depth != self._written_depth and write_atomically(self.depth_path, str(self.depth)):
            self._written_depth = self.depth

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
                for p in (
                    self.path,
                    self.path.with_name(self.path.name + "-wal"),
                    self.path.with_name(self.path.name + "-shm"),
                    self.depth_path,
                    self.aside_path,
                    self.lock_path,
                ):
                    try:
                        p.unlink()
                    except FileNotFoundError:
                        pass
                    except OSError:
                        continue
                removed = True
            if self._lock_fd is not None:
                unlock(self._lock_fd)
                self._lock_fd = None
        return removed

    def __repr__(self) -> str:
        return f"Spool({str(self.path)!r}, depth={self.depth})"

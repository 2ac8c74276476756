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

Modules: :mod:`.rows` (item shapes, schema, codec), :mod:`.files` (the directory: depth and aside
files, owner locks; all the server reads), :mod:`.queue` (one spool file).
"""

from __future__ import annotations

from .files import aside_summary, default_dir, has_pending, merge_aside, total_depth
from .queue import Spool
from .rows import LOCAL_PREFIX, Item

__all__ = ["LOCAL_PREFIX", "Item", "Spool", "aside_summary", "default_dir", "has_pending", "merge_aside", "total_depth"]

"""What a spool stores: the item shapes, the SQLite schema and the item <-> row codec."""

from __future__ import annotations

import math
from typing import Any

# Items are plain tuples (cheap to build on the caller's hot path):
#   ("m", run, key, value: float, timestamp_ms, step)   metric point
#   ("p", run, key, value: str)                          param
#   ("t", run, key, value: str)                          tag
#   ("c", run, payload_json)                             create the (offline) run ``run``
#   ("u", run, status, end_time_ms)                      end a run
Item = tuple

#: ``run`` of a run started offline: a local reference until the backend created it.
LOCAL_PREFIX = "local-"

SCHEMA = """
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


def to_row(item: Item) -> tuple[Any, ...]:
    """``(run, kind, key, num, txt, ts, step)`` of an item."""
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


def from_row(run: str, kind: str, key: Any, num: Any, txt: Any, ts: Any, step: Any) -> Item:
    """The item of a stored row (the inverse of :func:`to_row`)."""
    if kind == "m":
        return ("m", run, key, math.nan if num is None else float(num), int(ts), int(step))
    if kind in ("p", "t"):
        return (kind, run, key, txt)
    if kind == "c":
        return ("c", run, txt)
    return ("u", run, txt, ts)

"""Metric histories as chart points: one ordering, the finite filter and the downsampling, shared by
the run charts (``GET .../metrics/{key}``), compare and the notebook widgets."""

from __future__ import annotations

from typing import Sequence

from ..client.models import Metric
from .downsample import Point, downsample, finite

X_MODES = ("step", "time", "relative")


def points_of(history: Sequence[Metric], x: str) -> list[Point]:
    """``(x, value)`` in x order: ``step``, ``time`` (ms since the epoch) or ``relative`` (s since the first)."""
    ordered = sorted(history, key=lambda m: (m.step, m.timestamp))
    if x == "step":
        return [(float(m.step), m.value) for m in ordered]
    t0 = min((m.timestamp for m in ordered), default=0)
    pts = [((m.timestamp - t0) / 1000.0 if x == "relative" else float(m.timestamp), m.value) for m in ordered]
    pts.sort(key=lambda p: p[0])
    return pts


def chart_points(
    history: Sequence[Metric], *, x: str, max_points: int, method: str = "lttb"
) -> tuple[list[Point], int, int]:
    """``(points, finite, skipped)``: the finite points in x order, reduced to ``max_points`` by ``method``;
    how many were finite, and how many were left out (NaN, +-Infinity)."""
    pts, skipped = finite(points_of(history, x))
    return downsample(pts, max_points, method), len(pts), skipped

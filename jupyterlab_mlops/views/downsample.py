"""Downsampling of metric series for charts: LTTB (shape) and min-max (extremes).

Both keep the points in x order and never return more than ``max_points`` points. Pure Python:
100k points take a few tens of milliseconds.
"""

from __future__ import annotations

import math
from typing import Sequence

Point = tuple[float, float]
METHODS = ("lttb", "minmax")


def finite(points: Sequence[Point]) -> tuple[list[Point], int]:
    """The points with a finite y (and x), and how many were left out (NaN, +-Infinity)."""
    kept = [p for p in points if math.isfinite(p[1]) and math.isfinite(p[0])]
    return kept, len(points) - len(kept)


def lttb(points: Sequence[Point], max_points: int) -> list[Point]:
    """Largest-Triangle-Three-Buckets (Steinarsson 2013): keeps the visual shape of a line.

    ``points`` are sorted by x. First and last points are always kept."""
    n = len(points)
    if max_points >= n:
        return list(points)
    if max_points < 3:
        return [points[0], points[-1]][: max(max_points, 0)]
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    out: list[Point] = [points[0]]
    every = (n - 2) / (max_points - 2)
    a = 0
    for i in range(max_points - 2):
        # Average of the next bucket (the third point of the triangle).
        nxt_start = int((i + 1) * every) + 1
        nxt_end = min(int((i + 2) * every) + 1, n)
        span = nxt_end - nxt_start
        if span <= 0:
            avg_x, avg_y = xs[-1], ys[-1]
        else:
            avg_x, avg_y = sum(xs[nxt_start:nxt_end]) / span, sum(ys[nxt_start:nxt_end]) / span
        # The point of this bucket that makes the largest triangle with a and the average:
        # twice the area is |(ax - avg_x)(y - ay) - (ax - x)(avg_y - ay)| = |k_y * y + k_x * x + k|.
        start = int(i * every) + 1
        end = min(int((i + 1) * every) + 1, n - 1)
        ax, ay = xs[a], ys[a]
        k_y, k_x = ax - avg_x, avg_y - ay
        if k_y or k_x:
            k = -k_y * ay - ax * k_x
            areas = [abs(k_y * y + k_x * x + k) for x, y in zip(xs[start:end], ys[start:end])]
        else:
            areas = [abs(y - ay) for y in ys[start:end]]
        best = start + areas.index(max(areas)) if areas else start
        out.append(points[best])
        a = best
    out.append(points[-1])
    return out


def minmax(points: Sequence[Point], max_points: int) -> list[Point]:
    """Min and max of each of ``max_points // 2`` equal-count buckets, in x order: spikes survive."""
    n = len(points)
    if max_points >= n:
        return list(points)
    buckets = max(max_points // 2, 1)
    size = n / buckets
    ys = [p[1] for p in points]
    out: list[Point] = []
    for b in range(buckets):
        lo, hi = int(b * size), int((b + 1) * size)
        if hi <= lo:
            continue
        seg = ys[lo:hi]
        i_min, i_max = lo + seg.index(min(seg)), lo + seg.index(max(seg))
        if max_points == 1 or i_min == i_max:
            out.append(points[i_min])
        else:
            out.extend((points[i_min], points[i_max]) if i_min < i_max else (points[i_max], points[i_min]))
    return out[:max_points]


def downsample(points: Sequence[Point], max_points: int, method: str = "lttb") -> list[Point]:
    """Dispatch on ``method`` (``lttb`` or ``minmax``); a series already short enough is returned as is."""
    if method == "minmax":
        return minmax(points, max_points)
    if method == "lttb":
        return lttb(points, max_points)
    raise ValueError(f"unknown downsampling method {method!r}; use one of {', '.join(METHODS)}")

"""Downsampling for charts: never more than max_points, order kept, extremes and ends survive."""

from __future__ import annotations

import math
import random

import pytest

from jupyterlab_mlops.views.downsample import downsample, finite, lttb, minmax


def walk(n: int, seed: int = 0) -> list[tuple[float, float]]:
    rnd = random.Random(seed)
    y, out = 0.0, []
    for i in range(n):
        y += rnd.gauss(0, 1)
        out.append((float(i), y))
    return out


@pytest.mark.parametrize("method", ["lttb", "minmax"])
@pytest.mark.parametrize(
    "n,max_points", [(0, 10), (1, 10), (5, 5), (10, 2), (10, 3), (1000, 100), (1001, 7), (12345, 500), (100, 99)]
)
def test_never_more_than_max_points_and_sorted(method, n, max_points):
    pts = walk(n)
    out = downsample(pts, max_points, method)
    assert len(out) <= max_points
    assert [p[0] for p in out] == sorted(p[0] for p in out)
    assert set(out) <= set(pts)
    if n <= max_points:
        assert out == pts
    elif method == "lttb" or max_points >= 4:
        assert len(out) >= max_points - 1  # uses the budget it was given


def reference_lttb(data, threshold):
    """The textbook LTTB (Steinarsson 2013), written plainly, to check the optimized one against."""
    if threshold >= len(data) or threshold < 3:
        return list(data) if threshold >= len(data) else [data[0], data[-1]][:threshold]
    every = (len(data) - 2) / (threshold - 2)
    a, sampled = 0, [data[0]]
    for i in range(threshold - 2):
        s, e = int((i + 1) * every) + 1, min(int((i + 2) * every) + 1, len(data))
        avg_x = sum(p[0] for p in data[s:e]) / (e - s)
        avg_y = sum(p[1] for p in data[s:e]) / (e - s)
        best, best_area = None, -1.0
        for j in range(int(i * every) + 1, min(int((i + 1) * every) + 1, len(data) - 1)):
            area = abs(
                (data[a][0] - avg_x) * (data[j][1] - data[a][1]) - (data[a][0] - data[j][0]) * (avg_y - data[a][1])
            )
            if area > best_area:
                best, best_area = j, area
        sampled.append(data[best])
        a = best
    sampled.append(data[-1])
    return sampled


@pytest.mark.parametrize("n,threshold", [(1000, 50), (5000, 333), (20_000, 2000)])
def test_lttb_is_the_textbook_algorithm(n, threshold):
    pts = walk(n, seed=n)
    assert lttb(pts, threshold) == reference_lttb(pts, threshold)


def test_lttb_keeps_ends_and_a_spike():
    pts = [(float(i), 0.0) for i in range(10_000)]
    pts[6543] = (6543.0, 100.0)
    out = lttb(pts, 50)
    assert out[0] == pts[0] and out[-1] == pts[-1]
    assert (6543.0, 100.0) in out


def test_minmax_keeps_global_extremes():
    pts = walk(50_000, seed=3)
    out = minmax(pts, 200)
    assert min(p[1] for p in out) == min(p[1] for p in pts)
    assert max(p[1] for p in out) == max(p[1] for p in pts)


def test_lttb_follows_the_shape():
    pts = [(float(i), math.sin(i / 500)) for i in range(20_000)]
    out = lttb(pts, 400)
    # every kept point lies on the curve and the envelope is preserved
    assert max(p[1] for p in out) > 0.99 and min(p[1] for p in out) < -0.99


def test_finite_drops_nan_and_infinity():
    kept, skipped = finite([(0, 1.0), (1, math.nan), (2, math.inf), (3, -math.inf), (4, 2.0)])
    assert kept == [(0, 1.0), (4, 2.0)] and skipped == 3


def test_unknown_method():
    with pytest.raises(ValueError):
        downsample(walk(10), 5, "average")


def test_100k_points_to_2000():
    """Its speed is a benchmark row: benchmarks/p4_downsample.py."""
    pts = walk(100_000)
    out = downsample(pts, 2000)
    assert len(out) == 2000
    assert out[0] == pts[0] and out[-1] == pts[-1]

"""``GET compare``: 2..50 runs side by side (``ICompareResultWire`` in ``src/api/compareTypes.ts``)."""

from __future__ import annotations

from typing import Literal, Optional

from ._typed import TypedDict
from .runs import MetricValue, RunAttributes


class CompareRun(RunAttributes):
    """One column of every compare table, with its unique legend label."""

    backend: str
    label: str


class CompareParam(TypedDict):
    key: str
    #: one per run, None where the run lacks it
    values: list[Optional[str]]
    differs: bool


class CompareMetric(TypedDict):
    """One metric's latest value across the runs; ``best`` is the index of the best run."""

    key: str
    values: list[Optional[MetricValue]]
    steps: list[Optional[int]]
    differs: bool
    best: Optional[int]
    direction: Literal["min", "max"]


class CompareSeriesRun(TypedDict):
    """One run's downsampled history of one metric: finite ``[x, y]`` points."""

    backend: str
    run_id: str
    points: list[tuple[float, float]]
    total: int
    skipped: int
    shipped: int
    downsampled: bool
    method: Literal["lttb", "none"]
    source: Literal["history", "sampled", "latest"]
    cached: bool


class CompareSeries(TypedDict):
    key: str
    runs: list[CompareSeriesRun]


class CompareError(TypedDict):
    """A run (or, with ``backend`` and ``run_id`` None, a series) the server could not read."""

    backend: Optional[str]
    run_id: Optional[str]
    message: str
    error: str


class CompareResult(TypedDict):
    runs: list[CompareRun]
    params: list[CompareParam]
    metrics: list[CompareMetric]
    series: list[CompareSeries]
    series_omitted: list[str]
    x: Literal["step", "time", "relative"]
    max_points: int
    errors: list[CompareError]
    timing_ms: float

"""The run page's chart of a long MLflow series (issue 15, P7): sampled where it lives, like compare's series,
never the full history, and from compare's series cache the second time. Plans driven by the sync driver
against the real MLflow server."""

from __future__ import annotations

import time
from typing import Any

import pytest

from jupyterlab_mlops.client import Backend
from jupyterlab_mlops.client.calls import drive_sync
from jupyterlab_mlops.client.errors import NotFound
from jupyterlab_mlops.client.models import Metric
from jupyterlab_mlops.views import compare_series as cs
from jupyterlab_mlops.views import run_detail
from jupyterlab_mlops.views.cache import SeriesCache
from jupyterlab_mlops.views.driver import run_sync
from jupyterlab_mlops.views.run_series import sampled_chart

from .issue4_support import Seeder


def _value(step: int) -> float:
    return 1.0 / (1 + step) + (0.3 if step % 97 == 0 else 0.0)


def test_a_long_series_is_sampled_once_then_cached(mlflow_server, monkeypatch):
    monkeypatch.setattr(cs, "FULL_HISTORY_LIMIT", 100)
    seeder = Seeder(Backend.from_uri(mlflow_server.url, name="default"))
    try:
        run = seeder.run(history={"loss": []})
        now = int(time.time() * 1000)
        points = [Metric("loss", _value(s), now + s, s) for s in range(3000)]
        for i in range(0, len(points), 1000):
            seeder.client.run(seeder.api.log_batch(run.run_id, metrics=points[i : i + 1000]))
        calls: list[str] = []

        def drive(_b: str, flow: Any) -> Any:
            def one(call: Any) -> Any:
                calls.append(call.path)
                return seeder.client.run(call)

            return drive_sync(flow, one)

        cache = SeriesCache()
        got = run_sync(sampled_chart(seeder.api, "default", run.run_id, "loss", cache, max_points=200), drive)
        assert any(p.endswith("metrics/get-history-bulk-interval") for p in calls)
        assert not any(p.endswith("metrics/get-history") for p in calls)  # never the 3,000 points
        assert got["downsampled"] and got["method"] == "lttb" and got["total"] == 3000
        assert len(got["points"]) <= 200 and got["points"][0] == [0, 1.3] and got["points"][-1][0] == 2999
        assert all(y == _value(int(x)) for x, y in got["points"])  # real points only
        # the full-history path over the same series: the same first and last points
        full = run_sync(run_detail.metric_chart(seeder.api, "default", run.run_id, "loss", max_points=200), drive)
        assert (full["points"][0], full["points"][-1]) == (got["points"][0], got["points"][-1])
        calls.clear()
        again = run_sync(sampled_chart(seeder.api, "default", run.run_id, "loss", cache, max_points=200), drive)
        # a finished run is read once for all its charts (compare's memo), and the series is cached
        assert again == got and calls == []
        seeder.client.run(seeder.api.delete_run(run.run_id))
        with pytest.raises(NotFound, match="deleted"):  # read afresh: a deleted run's chart is a 404
            run_sync(sampled_chart(seeder.api, "default", run.run_id, "loss", SeriesCache(), max_points=200), drive)
    finally:
        seeder.close()


async def test_charts_asked_together_read_their_run_once(mlflow_server):
    """The run page asks for its charts together: they share one runs/get (a finished run is then remembered,
    a running one is read again by the next burst); a failed read answers its error to each of them."""
    import asyncio

    from jupyterlab_mlops.views.driver import SharedReads
    from jupyterlab_mlops.views.run_series import chart_run

    seeder = Seeder(Backend.from_uri(mlflow_server.url, name="default"))
    try:
        running = seeder.run(history={"loss": [1.0, 0.5]}, status="RUNNING")
        finished = seeder.run(history={"loss": [1.0, 0.5]})
        calls: list[str] = []

        async def drive(_b: str, flow: Any) -> Any:
            def one(call: Any) -> Any:
                calls.append(call.path)
                return seeder.client.run(call)

            return await asyncio.to_thread(drive_sync, flow, one)

        cache, reads = SeriesCache(), SharedReads()
        for run, again in ((running, 1), (finished, 0)):
            calls.clear()
            got = await asyncio.gather(
                *(chart_run(drive, seeder.api, "default", run.run_id, cache, reads) for _ in range(6))
            )
            assert len(calls) == 1 and all(g is not None and g.run.run_id == run.run_id for g in got)
            calls.clear()
            await chart_run(drive, seeder.api, "default", run.run_id, cache, reads)
            assert len(calls) == again
        calls.clear()
        unknown = await asyncio.gather(
            *(chart_run(drive, seeder.api, "default", "0" * 32, cache, reads) for _ in range(6)),
            return_exceptions=True,
        )
        assert len(calls) == 1 and all(isinstance(e, NotFound) for e in unknown)  # one read, its 404 to each
    finally:
        seeder.close()

"""A RUNNING run's compare series: fetched once, then only its new steps (MLflow's start_step, GitLab's
keyset cursor), merged without a point lost or doubled; a run that finishes gets one final full fetch.
Plans driven by the sync driver against the real MLflow server and the GitLab stand-in."""

from __future__ import annotations

import time
from typing import Any

import pytest

from jupyterlab_mlops.client import Backend
from jupyterlab_mlops.client.models import Metric
from jupyterlab_mlops.views import compare_series as cs
from jupyterlab_mlops.views.cache import SeriesCache
from jupyterlab_mlops.views.compare import RunRef
from jupyterlab_mlops.views.driver import run_sync

from .issue4_support import Seeder


@pytest.fixture(params=["mlflow", "gitlab"])
def seeder(request) -> Any:
    if request.param == "mlflow":
        backend = Backend.from_uri(request.getfixturevalue("mlflow_server").url, name="default")
    else:
        gl = request.getfixturevalue("gitlab_server")
        backend = Backend.from_uri(gl.tracking_uri, name="gitlab", kind="gitlab", token=gl.token)
    s = Seeder(backend)
    yield s
    s.close()


def _value(step: int) -> float:
    return 1.0 / (1 + step) + (0.3 if step % 97 == 0 else 0.0)


def _log(seeder: Seeder, run_id: str, steps: range, extra: list[Metric] = ()) -> None:
    now = int(time.time() * 1000)
    points = [Metric("loss", _value(s), now + s, s) for s in steps] + list(extra)
    for i in range(0, len(points), 1000):
        seeder.client.run(seeder.api.log_batch(run_id, metrics=points[i : i + 1000]))


class Recorder:
    """Drives plans with the seeder's client and records every request (path, params)."""

    def __init__(self, seeder: Seeder) -> None:
        self.seeder, self.calls = seeder, []

    def compare(self, run_id: str, cache: SeriesCache, max_points: int) -> dict[str, Any]:
        def run(call: Any) -> Any:
            self.calls.append((call.path, dict(call.params or {})))
            return self.seeder.client.run(call)

        def drive(_b: str, flow: Any) -> Any:
            from jupyterlab_mlops.client.calls import drive_sync

            return drive_sync(flow, run)

        self.calls = []
        got = run_sync(
            cs.compare(
                [RunRef(self.seeder.name, run_id)],
                {self.seeder.name: self.seeder.api},
                cache,
                metrics=["loss"],
                max_points=max_points,
            ),
            drive,
        )
        assert got["errors"] == []
        return got["series"][0]["runs"][0]

    def paths(self) -> list[str]:
        return [p.rsplit("/", 1)[-1] if "metrics/" not in p else p.split("mlflow/")[-1] for p, _ in self.calls]


def _cold(rec: Recorder, run_id: str, max_points: int) -> dict[str, Any]:
    return rec.compare(run_id, SeriesCache(), max_points)


def test_a_running_run_fetches_only_its_new_steps_and_matches_a_cold_fetch(seeder):
    run = seeder.run(history={"loss": []}, status="RUNNING")
    _log(seeder, run.run_id, range(2500))
    rec, cache = Recorder(seeder), SeriesCache()
    first = rec.compare(run.run_id, cache, 2000)
    assert first["total"] == 2500 and first["cached"] is False
    # 700 new steps, and a value logged again at the last known step: neither lost nor doubled
    _log(seeder, run.run_id, range(2500, 3200), [Metric("loss", 0.25, int(time.time() * 1000) + 9999, 2499)])
    inc = rec.compare(run.run_id, cache, 2000)
    history = [c for c in rec.calls if "metrics/" in c[0]]
    if seeder.gitlab:  # resumed after the last full page (2 of 3): 2 pages, not 4
        assert [c[0].endswith("metrics/get-history") for c in history] == [True, True]
        assert history[0][1].get("page_token")
    else:  # one tail read from the last known step, no full history
        assert len(history) == 1 and history[0][0].endswith("metrics/get-history-bulk-interval")
        assert (history[0][1]["start_step"], history[0][1]["end_step"]) == (2499, 3199)
    cold = _cold(rec, run.run_id, 2000)
    assert inc["total"] == cold["total"] == 3201
    assert inc["points"] == cold["points"] and inc["skipped"] == cold["skipped"] == 0
    assert sorted(p.step for p in cache.live((RunRef(seeder.name, run.run_id), "loss")).points) == sorted(
        [*range(3200), 2499]
    )
    # the run finishes: one final full fetch, exact
    seeder.client.run(seeder.api.update_run(run.run_id, status="FINISHED", end_time=int(time.time() * 1000)))
    done = rec.compare(run.run_id, cache, 2000)
    assert any(c[0].endswith("metrics/get-history") and not c[1].get("page_token") for c in rec.calls)
    assert done["points"] == _cold(rec, run.run_id, 2000)["points"]
    assert cache.live((RunRef(seeder.name, run.run_id), "loss")) is None


@pytest.mark.parametrize("seeder", ["mlflow"], indirect=True)
def test_a_sampled_running_series_keeps_its_budget(seeder, monkeypatch):
    monkeypatch.setattr(cs, "FULL_HISTORY_LIMIT", 100)
    run = seeder.run(history={"loss": []}, status="RUNNING")
    _log(seeder, run.run_id, range(3000))
    rec, cache = Recorder(seeder), SeriesCache()
    first = rec.compare(run.run_id, cache, 500)
    assert first["source"] == "sampled" and first["shipped"] == 500
    _log(seeder, run.run_id, range(3000, 4000))
    inc = rec.compare(run.run_id, cache, 500)
    (call,) = [c for c in rec.calls if "metrics/" in c[0]]
    assert (call[1]["start_step"], call[1]["end_step"]) == (2999, 3999)
    assert call[1]["max_results"] < 200  # a tail as dense as the rest, not a whole budget
    cold = _cold(rec, run.run_id, 500)
    # the rule of the cold sampled series: the budget, first and last kept, total from the last step
    assert 450 <= inc["shipped"] <= 500 and inc["total"] == cold["total"] == 4000
    assert inc["points"][0] == cold["points"][0] and inc["points"][-1] == cold["points"][-1] == [3999.0, _value(3999)]
    assert all(y == _value(int(x)) for x, y in inc["points"])  # real points only
    steps = [x for x, _ in inc["points"]]
    assert steps == sorted(steps) and len(set(steps)) == len(steps)
    tail = [x for x in steps if x >= 3000]
    assert 0.15 < len(tail) / len(steps) < 0.35  # the new quarter of the steps holds about a quarter of the points
    seeder.client.run(seeder.api.update_run(run.run_id, status="FINISHED", end_time=int(time.time() * 1000)))
    assert rec.compare(run.run_id, cache, 500)["points"] == _cold(rec, run.run_id, 500)["points"]

"""``GET compare`` / ``compare.csv`` against MLflow, the GitLab stand-in and both at once."""

from __future__ import annotations

import csv
import io
import math

import pytest

from jupyterlab_mlops.client.models import Metric, Run
from jupyterlab_mlops.views import compare_series as cs
from jupyterlab_mlops.views.cache import RUNNING_TTL, SeriesCache

from .issue4_support import BOTH, Seeder, api, assert_error, seed  # noqa: F401


def _curve(n: int, phase: float) -> list[float]:
    return [math.exp(-i / 300) + 0.05 * math.sin(i / 7 + phase) for i in range(n)]


def _three(seed: Seeder, n: int = 1500) -> list[Run]:
    exp_a, exp_b = seed.experiment(), seed.experiment()
    return [
        seed.run(
            exp_a,
            params={"lr": "0.1", "depth": "3", "opt": "adam"},
            history={"loss": _curve(n, 0)},
            metrics={"acc": 0.80},
        ),
        seed.run(
            exp_a,
            params={"lr": "0.01", "depth": "3", "opt": "adam"},
            history={"loss": _curve(n, 1)},
            metrics={"acc": 0.90},
        ),
        seed.run(
            exp_b,
            params={"lr": "0.001", "depth": "3", "opt": "=cmd|' /C calc'!A0"},
            history={"loss": _curve(n // 2, 2)},
            metrics={"acc": 0.85},
            status="RUNNING",
        ),
    ]


def _q(seed: Seeder, runs: list[Run], **extra) -> dict:
    return {"run": [f"{seed.name}:{r.run_id}" for r in runs], **extra}


@BOTH
async def test_compare_tables_and_downsampled_series(api, seed):
    runs = _three(seed)
    got = (await api("compare", query=_q(seed, runs, max_points=200))).json
    assert [h["run_id"] for h in got["runs"]] == [r.run_id for r in runs]
    assert got["runs"][2]["status"] == "RUNNING" and len({h["label"] for h in got["runs"]}) == 3
    assert [h["label"] for h in got["runs"]] == [r.run_name for r in runs]  # names, unique: no id
    params = {p["key"]: p for p in got["params"]}
    assert params["lr"]["values"] == ["0.1", "0.01", "0.001"] and params["lr"]["differs"]
    assert params["depth"]["differs"] is False
    metrics = {m["key"]: m for m in got["metrics"]}
    assert metrics["acc"]["best"] == 1 and metrics["acc"]["direction"] == "max"
    assert metrics["loss"]["direction"] == "min" and metrics["loss"]["steps"] == [1499, 1499, 749]
    loss = next(s for s in got["series"] if s["key"] == "loss")
    assert [s["run_id"] for s in loss["runs"]] == [r.run_id for r in runs]
    for s in loss["runs"]:
        assert s["shipped"] == len(s["points"]) <= 200 and s["downsampled"] and s["method"] == "lttb"
        assert s["source"] == "history"  # GitLab too: its runs/get has the latest value only (C1)
        xs = [p[0] for p in s["points"]]
        assert xs == sorted(xs) and xs[0] == 0
    assert loss["runs"][0]["total"] == 1500 and loss["runs"][0]["points"][-1][0] == 1499
    only = (await api("compare", query=_q(seed, runs, only_differences=1, metric="loss", x="relative"))).json
    assert {p["key"] for p in only["params"]} == {"lr", "opt"} and [s["key"] for s in only["series"]] == ["loss"]
    assert only["x"] == "relative" and only["series"][0]["runs"][0]["points"][0][0] == 0.0


@BOTH
async def test_warm_compare_uses_the_cache(api, seed):
    runs = _three(seed, 800)
    q = _q(seed, runs, metric="loss", max_points=100)
    cold = (await api("compare", query=q)).json
    warm = (await api("compare", query=q)).json
    assert [s["cached"] for s in cold["series"][0]["runs"]] == [False] * 3
    # finished runs come from the cache; the RUNNING one too while its latest point is unchanged
    assert [s["cached"] for s in warm["series"][0]["runs"]] == [True] * 3
    assert [s["points"] for s in warm["series"][0]["runs"]] == [s["points"] for s in cold["series"][0]["runs"]]
    seed.client.run(seed.api.log_batch(runs[2].run_id, metrics=[Metric("loss", 0.01, 1, 5000)]))
    again = (await api("compare", query=q)).json
    assert [s["cached"] for s in again["series"][0]["runs"]] == [True, True, False]
    assert again["series"][0]["runs"][2]["points"][-1] == [5000.0, 0.01]


@pytest.mark.parametrize("mlops_backends", ["mlflow"], indirect=True)
async def test_long_mlflow_series_use_server_side_sampling(api, seed, monkeypatch):
    monkeypatch.setattr(cs, "FULL_HISTORY_LIMIT", 100)
    runs = [seed.run(history={"loss": _curve(3000, i)}) for i in range(2)]
    got = (await api("compare", query=_q(seed, runs, max_points=500))).json
    for s in got["series"][0]["runs"]:
        assert s["source"] == "sampled" and s["shipped"] == 500 and s["total"] == 3000
        assert s["points"][0][0] == 0 and s["points"][-1][0] == 2999  # first and last kept


@pytest.mark.parametrize("mlops_backends", ["mlflow+gitlab"], indirect=True)
async def test_compare_across_backends_and_partial_failure(api, mlops_backends, gitlab_server):
    from jupyterlab_mlops.client import Backend

    ml = Seeder(Backend.from_uri(mlops_backends[0]["url"], name="default"))
    gl = Seeder(Backend.from_uri(gitlab_server.tracking_uri, name="gitlab", token=gitlab_server.token))
    try:
        a = ml.run(params={"lr": "0.1"}, history={"loss": [1, 0.5, 0.2]})
        b = gl.run(params={"lr": "0.2"}, history={"loss": [1, 0.6, 0.3]})
    finally:
        ml.close()
        gl.close()
    got = (await api("compare", query={"run": [a.run_id, f"gitlab:{b.run_id}", "default:" + "0" * 32]})).json
    assert [(h["backend"], h["run_id"]) for h in got["runs"]] == [("default", a.run_id), ("gitlab", b.run_id)]
    assert got["errors"] == [
        {"backend": "default", "run_id": "0" * 32, "message": got["errors"][0]["message"], "error": "not_found"}
    ]
    assert [len(s["points"]) for s in got["series"][0]["runs"]] == [3, 3]


@BOTH
async def test_compare_bad_input(api, seed):
    run = seed.run()
    one = f"{seed.name}:{run.run_id}"
    assert_error(await api("compare", query={"run": [one]}, expect=None), 400, reason="run_count")
    many = [f"{seed.name}:{i:032x}" for i in range(51)]
    assert_error(await api("compare", query={"run": many}, expect=None), 400, reason="run_count")
    two = [one, f"{seed.name}:" + "f" * 32]
    for extra, reason in (
        ({"max_points": 1}, "invalid_max_points"),
        ({"max_points": 5000}, "invalid_max_points"),
        ({"max_points": "lots"}, "invalid_max_points"),
        ({"x": "epoch"}, "invalid_x"),
    ):
        assert_error(await api("compare", query={"run": two, **extra}, expect=None), 400, reason=reason)
    assert_error(await api("compare", query={"run": [one, "nope:abc"]}, expect=None), 404, reason="unknown_backend")
    assert (
        await api("compare", query={"run": [f"{seed.name}:{'a' * 32}", f"{seed.name}:{'b' * 32}"]}, expect=None)
    ).code == 404
    assert_error(await api("compare", query={"run": [one, ":"]}, expect=None), 400, reason="invalid_run")


@BOTH
async def test_compare_csv_export(api, seed):
    runs = _three(seed, 50)
    reply = await api("compare.csv", query=_q(seed, runs))
    assert reply.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in reply.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(reply.body.decode())))
    assert rows[0][:3] == ["backend", "run_id", "run_name"]
    assert {"param:lr", "param:depth", "param:opt", "metric:acc", "metric:loss"} <= set(rows[0])
    col = rows[0].index("param:opt")
    assert rows[3][col] == "'=cmd|' /C calc'!A0"  # a formula is neutralized
    assert [r[1] for r in rows[1:]] == [r.run_id for r in runs]
    only = list(
        csv.reader(io.StringIO((await api("compare.csv", query=_q(seed, runs, only_differences=1))).body.decode()))
    )
    assert "param:depth" not in only[0] and "param:lr" in only[0]


def test_series_cache_ttl_and_signature():
    now = [0.0]
    cache = SeriesCache(max_entries=2, clock=lambda: now[0])
    cache.put(("b", "r", "k", 10, "step"), (1, 2, "0.5"), {"points": []}, running=True)
    cache.put(("b", "f", "k", 10, "step"), (1, 2, "0.5"), {"points": []}, running=False)
    assert cache.get(("b", "r", "k", 10, "step"), (1, 2, "0.5"))["cached"] is True
    assert cache.get(("b", "r", "k", 10, "step"), (2, 3, "0.4")) is None  # a new point
    now[0] = RUNNING_TTL + 1
    assert cache.get(("b", "r", "k", 10, "step"), (1, 2, "0.5")) is None  # running: short TTL
    assert cache.get(("b", "f", "k", 10, "step"), (1, 2, "0.5")) is not None  # finished: long TTL
    cache.put(("b", "g", "k", 10, "step"), None, {"points": []}, running=False)
    assert cache.get(("b", "r", "k", 10, "step"), (1, 2, "0.5")) is None  # LRU evicted


def test_labels_are_run_names_with_the_id_only_where_names_repeat():
    from jupyterlab_mlops.views.compare import Fetched, RunRef, labels_for

    def fetched(run_id: str, name):
        return Fetched(RunRef("default", run_id), Run(run_id=run_id, experiment_id="0", run_name=name))

    runs = [fetched("aaaaaaaa11", "brave-owl"), fetched("bbbbbbbb22", "calm-fox"), fetched("cccccccc33", "calm-fox")]
    runs.append(fetched("dddddddd44", None))
    assert list(labels_for(runs).values()) == ["brave-owl", "calm-fox (bbbbbb)", "calm-fox (cccccc)", "dddddddd"]

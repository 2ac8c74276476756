"""The views room without a Jupyter server: plans driven by the sync driver (kernels, widgets) and by the
async one (the server), against the real MLflow server and the GitLab stand-in."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from jupyterlab_mlops.client import Backend
from jupyterlab_mlops.client.calls import Flow
from jupyterlab_mlops.client.errors import BackendTimeout, InvalidInput, NotFound
from jupyterlab_mlops.client.flows import one
from jupyterlab_mlops.client.sync import SyncClient
from jupyterlab_mlops.views import compare_series as cs
from jupyterlab_mlops.views import registry as rv
from jupyterlab_mlops.views import runs_table as rt
from jupyterlab_mlops.views.cache import SeriesCache
from jupyterlab_mlops.views.compare import RunRef
from jupyterlab_mlops.views.driver import Fanout, Job, run_async, run_sync
from jupyterlab_mlops.views.experiment_pages import ExperimentViews
from jupyterlab_mlops.views.run_detail import metric_chart, run_detail
from jupyterlab_mlops.views.runs import RunsQuery, RunViews
from jupyterlab_mlops.views.snapshots import Snapshots

from .issue4_support import Seeder, uniq


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


def counting_drive(client: SyncClient) -> tuple[Any, list[Flow[Any]]]:
    """An async ``drive(backend, flow)`` over the sync client (the flows are the same), and the flows it ran."""
    ran: list[Flow[Any]] = []

    async def drive(_backend: str, flow: Flow[Any]) -> Any:
        ran.append(flow)
        return client.drive(flow)

    return drive, ran


# -- drivers -------------------------------------------------------------------------------------------
def _plan() -> Any:
    got = yield Fanout([Job("a", one("ok")), ("b", one("fails")), ("c", one("boom"))])
    return got


def _run_call(call: str) -> Any:
    if call == "fails":
        raise NotFound("gone")
    if call == "boom":
        raise RuntimeError("a bug")
    return call.upper()


def test_sync_driver_puts_errors_in_place_and_raises_bugs():
    with pytest.raises(RuntimeError):
        run_sync(_plan(), lambda _b, flow: _run_call(next(flow)))

    def plan() -> Any:
        results = yield Fanout([("a", one("ok")), ("b", one("fails"))])
        return results

    ok, err = run_sync(plan(), lambda _b, flow: _run_call(next(flow)))
    assert ok == "OK" and isinstance(err, NotFound)


async def test_async_driver_runs_jobs_at_once_and_bounds_slow_ones():
    started: list[str] = []
    release = asyncio.Event()

    async def drive(backend: str, flow: Flow[Any]) -> Any:
        started.append(backend)
        if backend == "slow":
            await release.wait()
        return backend

    def plan() -> Any:
        results = yield Fanout([Job("fast", one(None)), Job("slow", one(None), timeout=0.05), Job("other", one(None))])
        return results

    fast, slow, other = await run_async(plan(), drive)
    assert (fast, other) == ("fast", "other") and isinstance(slow, BackendTimeout)
    assert sorted(started) == ["fast", "other", "slow"]
    release.set()  # the late job still finishes in the background (its flow's caches get the answer)


# -- runs page, run detail, metric chart ---------------------------------------------------------------
def test_runs_page_native_and_emulated(seeder):
    exp = seeder.experiment()
    runs = [seeder.run(exp, name=f"r{i}", params={"lr": str(i)}, metrics={"acc": i / 10}) for i in range(5)]
    views = RunViews()
    drive, ran = counting_drive(seeder.client)
    q = RunsQuery(
        experiment_id=exp,
        columns=rt.parse_columns("params.lr,metrics.acc"),
        orders=rt.parse_order_by(["metrics.acc DESC"]),
        max_results=2,
    )
    first = asyncio.run(views.page(drive, seeder.api, seeder.name, q))
    assert [r["run_name"] for r in first["runs"]] == ["r4", "r3"]
    assert first["runs"][0]["params"] == {"lr": "4"} and first["runs"][0]["metrics"] == {"acc": 0.4}
    assert first["emulated"]["order"] is seeder.gitlab and first["available_columns"]["params"] == ["lr"]
    names, token, pages = [r["run_name"] for r in first["runs"]], first["next_page_token"], 1
    while token:
        q.page_token = token
        page = asyncio.run(views.page(drive, seeder.api, seeder.name, q))
        names += [r["run_name"] for r in page["runs"]]
        token, pages = page["next_page_token"], pages + 1
    assert names == ["r4", "r3", "r2", "r1", "r0"] and pages == 3
    if seeder.gitlab:  # read once, then paged from the shared list
        assert first["total"] == 5
        assert sum(1 for f in ran if getattr(f, "__name__", "") == "all_runs") == 1
    assert {r["run_id"] for r in first["runs"]} <= {r.run_id for r in runs}
    assert views.columns.get((seeder.name, exp))["metrics"] == {"acc"}


def test_run_detail_and_metric_chart_with_the_sync_driver(seeder):
    tags = {} if seeder.gitlab else {"gitlab.CI_JOB_ID": "12"}  # the stand-in refuses jobs it does not have
    run = seeder.run(params={"p": "1"}, history={"loss": [1.0 / (i + 1) for i in range(300)]}, tags=tags)
    drive = lambda _b, flow: seeder.client.drive(flow)  # noqa: E731 - the kernel's way
    d = run_sync(run_detail(seeder.api, seeder.backend, run.run_id, root_dir=None), drive)
    assert d["info"]["run_id"] == run.run_id and d["params"] == {"p": "1"}
    assert d["metrics"]["loss"]["step"] == 299 and d["artifacts"] == {"files": [], "note": None}
    assert (d["links"]["ci_job"] or {}).get("id") == (None if seeder.gitlab else "12")
    h = run_sync(metric_chart(seeder.api, seeder.name, run.run_id, "loss", max_points=50), drive)
    assert h["total"] == 300 and len(h["points"]) == 50 and h["points"][0] == [0, 1.0] and h["method"] == "lttb"
    with pytest.raises(InvalidInput):
        run_sync(metric_chart(seeder.api, seeder.name, run.run_id, "loss", x="epoch"), drive)
    with pytest.raises(NotFound):
        run_sync(run_detail(seeder.api, seeder.backend, "0" * 32, root_dir=None), drive)


def test_experiments_page_and_summary(seeder):
    word = uniq("plans")
    exp = seeder.experiment(f"{word}-exp")
    for i in range(3):
        seeder.run(exp, name=f"r{i}")
    views, drive = ExperimentViews(), counting_drive(seeder.client)[0]

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        page = await views.page(
            drive, seeder.api, seeder.name, search=word.upper(), order_by="name", max_results=10, page_token=None
        )
        row = await views.summary(drive, seeder.api, seeder.name, exp, refresh=False, budget=30.0)
        again = await views.page(
            drive, seeder.api, seeder.name, search=word, order_by=None, max_results=10, page_token=None
        )
        return page, row, again

    page, row, again = asyncio.run(scenario())
    assert [e["experiment_id"] for e in page["experiments"]] == [exp] and page["emulated"]["search"] is seeder.gitlab
    assert row["summary"]["run_count"] == 3 and row["summary"]["run_count_exact"]
    assert again["experiments"][0]["summary"]["run_count"] == 3  # the listing carries the cached summary
    with pytest.raises(InvalidInput):
        asyncio.run(
            views.page(drive, seeder.api, seeder.name, search="", order_by="size", max_results=1, page_token=None)
        )


# -- compare, registry ---------------------------------------------------------------------------------
def test_compare_plan_with_the_sync_driver_uses_its_cache(seeder):
    runs = [seeder.run(params={"lr": str(i), "depth": "3"}, history={"loss": [1, 0.5, 0.25 * i]}) for i in range(2)]
    refs = [RunRef(seeder.name, r.run_id) for r in runs]
    apis = {seeder.name: seeder.api}
    cache = SeriesCache()
    calls: list[Any] = []

    def drive(_b: str, flow: Flow[Any]) -> Any:
        calls.append(flow)
        return seeder.client.drive(flow)

    cold = run_sync(cs.compare(refs, apis, cache, only_differences=True), drive)
    assert [p["key"] for p in cold["params"]] == ["lr"] and cold["errors"] == []
    assert [len(s["points"]) for s in cold["series"][0]["runs"]] == [3, 3]
    before = len(calls)
    warm = run_sync(cs.compare(refs, apis, cache), drive)
    assert [s["cached"] for s in warm["series"][0]["runs"]] == [True, True]
    assert len(calls) == before  # finished runs and their series both came from the cache


def test_models_across_backends_report_a_failing_one(mlflow_server):
    s = Seeder(Backend.from_uri(mlflow_server.url, name="default"))
    dead = SyncClient(Backend.from_uri("http://127.0.0.1:9", name="dead"), timeout=2, connect_timeout=1)
    try:
        names = [s.model(uniq("across")) for _ in range(2)]
        clients = {"default": s.client, "dead": dead}
        backends = {n: (c.api, c.backend) for n, c in clients.items()}
        got = run_sync(rv.models_across(backends, search="across-"), lambda b, flow: clients[b].drive(flow))
    finally:
        s.close()
        dead.close()
    assert {m["name"] for m in got["models"]} >= set(names)
    stamps = [m["last_updated_timestamp"] or 0 for m in got["models"]]
    assert stamps == sorted(stamps, reverse=True)
    assert [e["backend"] for e in got["errors"]] == ["dead"] and got["errors"][0]["error"] == "backend_unreachable"


# -- snapshots -----------------------------------------------------------------------------------------
class MemoryContents:
    """The contents manager's part that restoring needs, in memory."""

    def __init__(self, files: dict[str, Any], dirs: set[str]) -> None:
        self.files, self.dirs = files, dirs

    async def exists(self, path: str) -> bool:
        await asyncio.sleep(0)  # let a concurrent restore interleave
        return path in self.files

    async def dir_exists(self, path: str) -> bool:
        return path in self.dirs

    async def save(self, model: dict[str, Any], path: str) -> Any:
        self.files[path] = model["content"]
        return {"path": path}


def test_restores_never_overwrite_even_at_once(mlflow_server):
    s = Seeder(Backend.from_uri(mlflow_server.url, name="default"))
    nb = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    try:
        run = s.run(
            files={
                "snapshot.json": json.dumps({"sha256": "x", "path": "work/nb.ipynb"}).encode(),
                "notebook.ipynb": json.dumps(nb).encode(),
            }
        )
        contents = MemoryContents({"work/nb.ipynb": nb}, {"work"})
        snapshots, drive = Snapshots(), counting_drive(s.client)[0]

        async def three() -> list[dict[str, Any]]:
            return list(
                await asyncio.gather(
                    *(snapshots.restore(drive, s.api, "default", run.run_id, contents) for _ in range(3))
                )
            )

        paths = [r["path"] for r in asyncio.run(three())]
        assert len(set(paths)) == 3 and all(p.startswith("work/nb-") for p in paths)
        assert contents.files["work/nb.ipynb"] is nb  # the original is untouched
        gone = asyncio.run(snapshots.restore(drive, s.api, "default", run.run_id, MemoryContents({}, set())))
        assert gone["path"].startswith("nb-")  # the original folder is gone: the root
        with pytest.raises(InvalidInput):
            asyncio.run(snapshots.restore(drive, s.api, "default", run.run_id, contents, folder="../up"))
    finally:
        s.close()

"""The runs route on the embedded backend reads MLflow's SQLite file directly once it can, with the same answer
as the REST path; on an untested schema it says so once and stays on REST."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import pytest
import requests

from jupyterlab_mlops.client import embedded_store

from .test_embedded_kernel import _wait_healthy


@pytest.fixture
def mlops_backends() -> list:
    return []


@pytest.fixture
def mlops_embedded() -> bool:
    return True


@pytest.fixture
def mlops_app_config(tmp_path: Any) -> dict:
    return {"embedded_data_dir": str(tmp_path / "embedded")}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_TOKEN", "MLOPS_EMBEDDED_URI"):
        monkeypatch.delenv(var, raising=False)


def _seed(url: str) -> str:
    api = f"{url}/api/2.0/mlflow"
    exp = requests.post(f"{api}/experiments/create", json={"name": "direct"}, timeout=30).json()["experiment_id"]
    for i in range(12):
        rid = requests.post(
            f"{api}/runs/create",
            json={"experiment_id": exp, "run_name": f"r{i}", "start_time": 1_700_000_000_000 + i},
            timeout=30,
        ).json()["run"]["info"]["run_id"]
        requests.post(
            f"{api}/runs/log-batch",
            timeout=30,
            json={
                "run_id": rid,
                "params": [{"key": "lr", "value": str(i % 3)}, {"key": "seed", "value": str(i)}],
                "metrics": [{"key": "auc", "value": i / 12, "timestamp": 1, "step": 0}],
                "tags": [{"key": "team", "value": "ab"[i % 2]}],
            },
        ).raise_for_status()
        if i % 2 == 0:  # half of them ended (the incremental poll's "ended since"), the others still running
            requests.post(
                f"{api}/runs/update",
                json={"run_id": rid, "status": "FINISHED", "end_time": 1_700_000_000_100 + i},
                timeout=30,
            ).raise_for_status()
    return exp


async def _started(jp_serverapp: Any, jp_fetch: Any) -> tuple[Any, str]:
    (ext,) = jp_serverapp.extension_manager.extension_apps["jupyterlab_mlops"]
    await ext._start_jupyter_server_extension(jp_serverapp)  # pytest-jupyter does not call it
    backend = await _wait_healthy(jp_fetch)
    assert backend["health"] == "healthy", backend
    return ext, backend["url"]


async def _page(jp_fetch: Any, exp: str, **params: str) -> dict:
    r = await jp_fetch(
        "jupyterlab-mlops",
        "backends",
        "default",
        "experiments",
        exp,
        "runs",
        params={"columns": "params.lr,metrics.auc,tags.team", "max_results": "5", **params},
    )
    return json.loads(r.body)


async def test_pages_come_from_the_sqlite_file_once_it_is_ready(jp_serverapp: Any, jp_fetch: Any) -> None:
    ext, url = await _started(jp_serverapp, jp_fetch)
    try:
        exp = await asyncio.get_running_loop().run_in_executor(None, _seed, url)
        reads = jp_serverapp.web_app.settings["mlops_registry"]._embedded_reads
        auto = [{"columns": "", "auto_columns": "1"}, {"columns": "params.nope", "auto_columns": "1"}]
        since = str(1_700_000_000_009)
        polls = [{"since": since}, {"since": since, "filter": "params.lr = '1'", "max_results": "3"}]
        queries = [
            {},
            {"order_by": "metrics.auc DESC"},
            {"filter": "params.lr = '1'", "order_by": "tags.team ASC"},
            *auto,  # the server chooses the columns: the file is read again for them
            *polls,  # the incremental poll: three searches (started since, ended since, running)
        ]
        reads._off = "the REST answers first"  # the direct path steps aside (as after an error) ...
        over_rest = [await _page(jp_fetch, exp, **q) for q in queries]
        reads._off = None  # ... and is back
        deadline = time.monotonic() + 120
        while not reads.ready:
            assert time.monotonic() < deadline, "MLflow's modules were not imported within 120 s"
            await asyncio.sleep(0.2)
        calls = []
        search = reads.store.search_runs
        reads.store.search_runs = lambda *a, **k: calls.append(a) or search(*a, **k)  # a spy: the real read runs
        direct = [await _page(jp_fetch, exp, **q) for q in queries]
        assert len(calls) == len(queries) + len(auto) + 2 * len(polls)
        for a, b in zip(over_rest, direct):
            assert a == b
        assert [r["run_name"] for r in direct[-2]["runs"]] == ["r11", "r10", "r9", "r8", "r7"]
        assert [r["run_name"] for r in direct[-1]["runs"]] == ["r10", "r7", "r4"]
        chosen = direct[len(queries) - len(polls) - 1]
        assert chosen["columns"] == direct[3]["columns"] == ["metrics.auc", "params.lr", "params.seed"]
        assert any(r["metrics"] and r["params"] for r in chosen["runs"])
        second = await _page(jp_fetch, exp, page_token=direct[0]["next_page_token"])
        assert [r["run_name"] for r in second["runs"]] == ["r6", "r5", "r4", "r3", "r2"]
        with pytest.raises(Exception) as bad:
            await _page(jp_fetch, exp, filter="params.lr <<< 2")
        assert bad.value.code == 400
    finally:
        await ext.stop_extension()


async def test_an_untested_schema_stays_on_rest_and_says_so_once(
    jp_serverapp: Any, jp_fetch: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(embedded_store, "TESTED_REVISIONS", frozenset({"not-this-one"}))
    ext, url = await _started(jp_serverapp, jp_fetch)
    try:
        exp = await asyncio.get_running_loop().run_in_executor(None, _seed, url)
        reads = jp_serverapp.web_app.settings["mlops_registry"]._embedded_reads
        first = await _page(jp_fetch, exp)
        deadline = time.monotonic() + 120
        while not reads.ready and reads._off is None:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.2)
        with caplog.at_level(logging.WARNING):
            pages = [await _page(jp_fetch, exp) for _ in range(3)]
        assert all(p == first for p in pages)
        said = [r for r in caplog.records if "SQLite file directly is off" in r.getMessage()]
        assert len(said) == 1 and "not-this-one" not in said[0].getMessage()
        assert "revision" in said[0].getMessage()
    finally:
        await ext.stop_extension()


def _seed_long(url: str, exp: str) -> str:
    """A finished run whose series ``curve`` ends past compare's whole-history limit: it is sampled."""
    api = f"{url}/api/2.0/mlflow"
    rid = requests.post(f"{api}/runs/create", json={"experiment_id": exp, "run_name": "long"}, timeout=30).json()[
        "run"
    ]["info"]["run_id"]
    steps = range(0, 30_001, 50)
    points = [{"key": "curve", "value": (s % 997) / 997, "timestamp": 1000 + s, "step": s} for s in steps]
    for i in range(0, len(points), 1000):
        requests.post(f"{api}/runs/log-batch", json={"run_id": rid, "metrics": points[i : i + 1000]}, timeout=30)
    requests.post(f"{api}/runs/update", json={"run_id": rid, "status": "FINISHED", "end_time": 2}, timeout=30)
    return rid


async def test_compare_reads_its_runs_and_long_series_from_the_file(jp_serverapp: Any, jp_fetch: Any) -> None:
    """Compare on the embedded backend: the runs (``runs/get`` over REST otherwise) and the long series come
    from the file, with the same runs, params and metrics tables as the REST path."""
    ext, url = await _started(jp_serverapp, jp_fetch)
    try:
        loop = asyncio.get_running_loop()
        exp = await loop.run_in_executor(None, _seed, url)
        long_run = await loop.run_in_executor(None, _seed_long, url, exp)
        search = requests.post(
            f"{url}/api/2.0/mlflow/runs/search", json={"experiment_ids": [exp], "max_results": 3}, timeout=30
        ).json()["runs"]
        ids = [long_run] + [r["info"]["run_id"] for r in search if r["info"]["run_id"] != long_run][:2]
        reads = jp_serverapp.web_app.settings["mlops_registry"]._embedded_reads

        async def compare(max_points: int) -> dict:
            q = [("run", f"default:{r}") for r in ids] + [("max_points", str(max_points)), ("refresh", "1")]
            return json.loads((await jp_fetch("jupyterlab-mlops", "compare", params=q)).body)

        reads._off = "the REST answers first"
        over_rest = await compare(200)
        reads._off = None
        deadline = time.monotonic() + 120
        while not reads.ready:
            assert time.monotonic() < deadline, "MLflow's modules were not imported within 120 s"
            await asyncio.sleep(0.2)
        calls: list[tuple[str, Any]] = []
        get_runs, sampled = reads.store.get_runs, reads.store.sampled_history
        reads.store.get_runs = lambda run_ids: calls.append(("runs", sorted(run_ids))) or get_runs(run_ids)
        reads.store.sampled_history = lambda r, k, n: calls.append(("series", (r, k))) or sampled(r, k, n)
        direct = await compare(300)  # another width: nothing of it is cached
        assert ("runs", sorted(ids)) in calls and ("series", ([long_run], "curve")) in calls
        for part in ("runs", "params", "metrics"):
            assert direct[part] == over_rest[part], part
        (curve,) = [s for s in direct["series"] if s["key"] == "curve"]
        (shown,) = [s for s in curve["runs"] if s["run_id"] == long_run]
        assert 2 < shown["shipped"] <= 300 and shown["points"][0] == [0, 0.0] and shown["points"][-1][0] == 30_000
    finally:
        await ext.stop_extension()

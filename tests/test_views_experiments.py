"""``backends/{b}/experiments`` and ``.../experiments/{id}/summary`` against the real MLflow server
and the GitLab stand-in (name search emulated there), with bad input and a dead backend."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_mlops.server.views import experiments as experiments_view

BOTH = pytest.mark.parametrize("mlops_backends", ["mlflow", "gitlab"], indirect=True)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def query(params: dict[str, Any]) -> list[tuple[str, str]]:
    """Query pairs; a list value repeats the argument (``order_by``)."""
    return [(k, x) for k, v in params.items() for x in (v if isinstance(v, list) else [v])]


async def get(jp_fetch, *parts: str, **params: Any) -> dict[str, Any]:
    resp = await jp_fetch("jupyterlab-mlops", *parts, params=query(params))
    assert resp.headers["Content-Type"].startswith("application/json")
    return json.loads(resp.body)


async def error(jp_fetch, *parts: str, **params: Any) -> tuple[int, dict[str, Any]]:
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch("jupyterlab-mlops", *parts, params=query(params))
    body = json.loads(err.value.response.body)
    assert set(body) >= {"message", "reason", "error"}
    return err.value.code, body


@pytest.fixture
def seeded(mlflow_rest) -> dict[str, Any]:
    """Three experiments sharing a unique word; the first has 3 runs by two users."""
    word = f"Zq{uuid.uuid4().hex[:8]}"
    ids = [
        mlflow_rest.create_experiment(
            f"{word}-{i} <img src=x onerror=alert(1)>", tags={"team": "vision"} if i == 0 else None
        )
        for i in range(3)
    ]
    runs = []
    for i, user in enumerate(["ada", "grace", "grace"]):
        run = mlflow_rest.create_run(
            ids[0], run_name=f"r{i}", tags={"mlflow.user": user}, start_time=1_700_000_000_000 + i * 1000
        )
        mlflow_rest.finish_run(run["info"]["run_id"])
        runs.append(mlflow_rest.get_run(run["info"]["run_id"]))
    return {"word": word, "ids": ids, "runs": runs}


@BOTH
async def test_search_by_name_and_pages(jp_fetch, mlops_backends, seeded):
    b = mlops_backends[0]["name"]
    gitlab = mlops_backends[0]["kind"] == "gitlab"
    page = await get(jp_fetch, "backends", b, "experiments", search=seeded["word"].lower(), order_by="name ASC")
    assert [e["experiment_id"] for e in page["experiments"]] == seeded["ids"]
    assert page["emulated"]["search"] is gitlab and (page["emulated"]["reason"] is not None) is gitlab
    first = page["experiments"][0]
    assert first["name"].endswith("<img src=x onerror=alert(1)>")  # names are data, sent verbatim
    assert first["tags"] == {"team": "vision"} and first["model_name"] is None and first["summary"] is None
    # two pages of two, then one
    p1 = await get(jp_fetch, "backends", b, "experiments", search=seeded["word"], max_results="2", order_by="name")
    assert len(p1["experiments"]) == 2 and p1["next_page_token"]
    p2 = await get(
        jp_fetch,
        "backends",
        b,
        "experiments",
        search=seeded["word"],
        max_results="2",
        order_by="name",
        page_token=p1["next_page_token"],
    )
    assert [e["experiment_id"] for e in p1["experiments"] + p2["experiments"]] == seeded["ids"]
    assert p2["next_page_token"] is None


@BOTH
async def test_listing_without_search(jp_fetch, mlops_backends, seeded):
    b = mlops_backends[0]["name"]
    page = await get(jp_fetch, "backends", b, "experiments", max_results="1000")
    names = {e["name"] for e in page["experiments"]}
    assert all(any(str(i) == e["experiment_id"] for e in page["experiments"]) for i in seeded["ids"])
    assert len(names) == len(page["experiments"])
    assert page["emulated"] == {"search": False, "read_only": False, "reason": None}


def test_mlflow_uses_offset_page_tokens(mlflow_rest, seeded):
    """The cheap count (offset probes) is active against the real server: its tokens are offsets."""
    from jupyterlab_mlops.views.experiments import uses_offset_tokens

    page = mlflow_rest.post("runs/search", {"experiment_ids": [seeded["ids"][0]], "max_results": 1})
    assert uses_offset_tokens(page["next_page_token"])


@BOTH
async def test_summary_counts_and_last_activity(jp_fetch, mlops_backends, seeded, mlflow_rest):
    b = mlops_backends[0]["name"]
    exp_id = seeded["ids"][0]
    row = await get(jp_fetch, "backends", b, "experiments", exp_id, "summary")
    s = row["summary"]
    newest = seeded["runs"][-1]["info"]
    assert s["run_count"] == 3 and s["run_count_exact"] is True
    assert s["last_run_id"] == newest["run_id"]
    assert s["last_activity"] == max(int(newest["start_time"]), int(newest["end_time"]))
    assert s["creator"] == "ada" or mlops_backends[0]["kind"] == "gitlab"  # GitLab records the token's user
    assert row["creator"] == s["creator"]
    for i in range(34):  # 37 runs: more probes, and a count that is no power of two
        mlflow_rest.create_run(exp_id, run_name=f"more{i}", start_time=1_600_000_000_000 + i)
    row = await get(jp_fetch, "backends", b, "experiments", exp_id, "summary", refresh="1")
    assert row["summary"]["run_count"] == 37 and row["summary"]["last_run_id"] == newest["run_id"]
    empty = await get(jp_fetch, "backends", b, "experiments", seeded["ids"][1], "summary")
    assert empty["summary"]["run_count"] == 0 and empty["summary"]["last_run_id"] is None
    # the listing now carries the cached summary
    page = await get(jp_fetch, "backends", b, "experiments", search=seeded["word"], order_by="name")
    assert page["experiments"][0]["summary"]["run_count"] == 37


@BOTH
async def test_summary_answers_a_lower_bound_when_counting_is_slow(jp_fetch, mlops_backends, seeded, monkeypatch):
    b = mlops_backends[0]["name"]
    monkeypatch.setattr(experiments_view, "SUMMARY_BUDGET", 0.0)
    row = await get(jp_fetch, "backends", b, "experiments", seeded["ids"][0], "summary")
    assert row["summary"]["run_count"] <= 3
    for _ in range(100):  # counting finishes in the background; the cached summary becomes exact
        row = await get(jp_fetch, "backends", b, "experiments", seeded["ids"][0], "summary")
        if row["summary"]["run_count_exact"]:
            break
        await asyncio.sleep(0.05)
    assert row["summary"]["run_count_exact"] and row["summary"]["run_count"] == 3
    fresh = await get(jp_fetch, "backends", b, "experiments", seeded["ids"][0], "summary", refresh="1")
    assert fresh["summary"]["run_count"] <= 3  # recounting from scratch


@BOTH
@pytest.mark.parametrize(
    "parts,params,status",
    [
        (("experiments",), {"max_results": "0"}, 400),
        (("experiments",), {"max_results": "abc"}, 400),
        (("experiments",), {"order_by": "size DESC"}, 400),
        (("experiments", "999999", "summary"), {}, 404),
        (("experiments", "abc", "summary"), {}, 404),
    ],
)
async def test_bad_input(jp_fetch, mlops_backends, parts, params, status):
    code, body = await error(jp_fetch, "backends", mlops_backends[0]["name"], *parts, **params)
    assert code == status, body


@BOTH
async def test_bad_page_token(jp_fetch, mlops_backends):
    b = mlops_backends[0]["name"]
    code, _ = await error(jp_fetch, "backends", b, "experiments", search="x", page_token="garbage")
    assert code == 400


async def test_unknown_backend(jp_fetch):
    code, body = await error(jp_fetch, "backends", "nope", "experiments")
    assert code == 404 and body["reason"] == "unknown_backend"


@pytest.mark.parametrize(
    "mlops_backends", [[{"name": "dead", "kind": "mlflow", "url": f"http://127.0.0.1:{_closed_port()}"}]], indirect=True
)
async def test_dead_backend_is_503(jp_fetch):
    for parts in (
        ("experiments",),
        ("experiments", "1", "summary"),
        ("experiments", "1", "runs"),
        ("runs", "abc"),
        ("runs", "abc", "metrics", "loss"),
        ("runs", "abc", "artifacts"),
    ):
        code, body = await error(jp_fetch, "backends", "dead", *parts)
        assert code == 503 and body["error"] == "backend_unreachable"

"""Experiment summaries on GitLab through its GraphQL API (``mlExperiments { candidateCount }``) against the
stand-in (GraphQL built with graphql-core) and the real MLflow behind it: the same answers as the paging path,
for fewer requests; the fallback when GraphQL is unavailable; names sent as variables; the stand-in's auth."""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from typing import Any, Iterator

import pytest
import requests

from jupyterlab_mlops.client import Backend
from jupyterlab_mlops.client import gitlab_graphql as gg
from jupyterlab_mlops.client.dialect import Dialect
from jupyterlab_mlops.client.errors import Unauthorized
from jupyterlab_mlops.client.flows import get_or_create_experiment
from jupyterlab_mlops.client.sync import SyncClient
from jupyterlab_mlops.views.experiment_pages import ExperimentViews

T0 = 1_700_000_000_000


@pytest.fixture
def client(gitlab_server) -> Iterator[SyncClient]:
    c = SyncClient(Backend.from_uri(gitlab_server.tracking_uri, name="gl", kind="gitlab", token=gitlab_server.token))
    yield c
    c.close()


def make_experiment(client: SyncClient, runs: int, name: str | None = None, running: int = 0) -> str:
    """An experiment with ``runs`` runs uploaded in an order unlike their start order (C10), the last
    ``running`` of them still RUNNING, one run started by another user (``mlflow.user``)."""
    exp = client.drive(get_or_create_experiment(client.api, name or f"counts-{uuid.uuid4().hex[:8]}")).experiment_id
    starts = list(range(runs))
    random.Random(runs).shuffle(starts)
    for i, s in enumerate(starts):
        tags = {"mlflow.user": "grace"} if s == 0 else None
        run = client.run(client.api.create_run(exp, run_name=f"r{i}", start_time=T0 + s * 1000, tags=tags))
        if i < runs - running:
            client.run(client.api.update_run(run.run_id, status="FINISHED", end_time=T0 + s * 1000 + 500 * (i % 7)))
    return exp


def summary(views: ExperimentViews, client: SyncClient, exp: str) -> dict[str, Any]:
    async def drive(_backend: str, flow: Any) -> Any:
        return client.drive(flow)

    row = asyncio.run(views.summary(drive, client.api, "gl", exp, refresh=True, budget=120.0))
    return {k: v for k, v in row["summary"].items() if k != "computed_at"}


def calls(gitlab_server) -> list[str]:
    """What the stand-in was asked since the last ``clear_requests`` to count the runs: ``graphql`` or the MLflow
    route (not the ``experiments/get`` every summary starts with)."""
    out = [r["path"].split("/api/2.0/mlflow/")[-1] for r in gitlab_server.requests if r.get("server") == "gitlab"]
    return ["graphql" if p == "/api/graphql" else p for p in out if p != "experiments/get"]


def both_ways(gitlab_server, client: SyncClient, exp: str) -> tuple[dict[str, Any], dict[str, Any], list, list]:
    """The summary through GraphQL and by paging (GraphQL turned off), with the requests each made."""
    gitlab_server.clear_requests()
    fast = summary(ExperimentViews(), client, exp)
    fast_calls = calls(gitlab_server)
    gitlab_server.knobs.graphql_enabled = False
    gitlab_server.clear_requests()
    slow = summary(ExperimentViews(), client, exp)
    slow_calls = calls(gitlab_server)
    gitlab_server.knobs.graphql_enabled = True
    assert slow_calls[0] == "graphql"  # refused (404), then the paging path: what every summary cost before
    slow_calls = slow_calls[1:]
    return fast, slow, fast_calls, slow_calls


@pytest.mark.parametrize("runs", [0, 1, 150])
def test_counts_equal_the_paging_path_with_fewer_requests(gitlab_server, client, monkeypatch, runs):
    monkeypatch.setattr(Dialect, "max_page", property(lambda self: 100))  # 150 runs: two pages either way
    exp = make_experiment(client, runs)
    fast, slow, fast_calls, slow_calls = both_ways(gitlab_server, client, exp)
    assert fast == slow and fast["run_count"] == runs and fast["run_count_exact"] is True
    assert fast_calls[0] == "graphql" and "graphql" not in slow_calls
    if runs:
        newest = max(range(runs))  # the run that started last, whatever its upload order (C10)
        assert fast["last_run_id"] is not None and fast["last_activity"] >= T0 + newest * 1000
    # again, nothing changed: the runs seen are brought up to date, not read again
    views = ExperimentViews()
    summary(views, client, exp)
    gitlab_server.clear_requests()
    assert summary(views, client, exp) == slow
    again = calls(gitlab_server)
    assert again == (["graphql", "runs/search"] if runs else ["graphql"]), again
    assert len(fast_calls) <= len(slow_calls) and len(again) <= len(slow_calls)
    if runs > 1:  # the old path read every run each time: 2 one-run probes + 2 pages of 100
        assert len(again) < len(slow_calls) == 4, (again, slow_calls)


def test_new_finished_and_deleted_runs_keep_both_paths_equal(gitlab_server, client):
    exp = make_experiment(client, 30, running=3)
    views = ExperimentViews()
    assert summary(views, client, exp)["run_count"] == 30
    found = client.run(client.api.search_runs([exp], max_results=1000))
    running = [r for r in found.items if r.status == "RUNNING"]
    client.run(client.api.update_run(running[0].run_id, status="FINISHED", end_time=T0 + 10**9))  # ends last
    for s in (5, 500):  # two new uploads, one started before every other run
        client.run(client.api.create_run(exp, run_name=f"late{s}", start_time=T0 - s))
    gitlab_server.clear_requests()
    kept = summary(views, client, exp)
    assert calls(gitlab_server) == ["graphql", "runs/search"] + ["runs/get"] * 3  # 2 new on one small page
    assert kept["run_count"] == 32 and kept["last_activity"] == T0 + 10**9
    # GitLab hard-deletes runs: candidateCount no longer counts them (the stand-in: MLflow's ACTIVE_ONLY)
    for r in (running[1], next(r for r in found.items if r.status == "FINISHED")):
        client.run(client.api.delete_run(r.run_id))
    fast = summary(views, client, exp)
    _, slow, _, _ = both_ways(gitlab_server, client, exp)
    assert fast == slow and fast["run_count"] == 30


def test_fallback_when_graphql_is_unavailable_logs_once(gitlab_server, client, caplog, monkeypatch):
    exps = [make_experiment(client, n) for n in (2, 3)]
    caplog.set_level(logging.WARNING, logger="jupyterlab_mlops.views.experiment_pages")
    gitlab_server.knobs.graphql_enabled = False  # 404, as an instance or proxy without /api/graphql
    views = ExperimentViews()
    gitlab_server.clear_requests()
    assert [summary(views, client, e)["run_count"] for e in exps] == [2, 3]
    assert calls(gitlab_server).count("graphql") == 1  # asked once, then counted by paging for a while
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("jupyterlab_mlops")]
    assert len(lines) == 1 and "paging" in lines[0] and gitlab_server.token not in lines[0]
    # an instance without the field: HTTP 200 with GraphQL errors, then the same answer by paging
    gitlab_server.knobs.graphql_enabled = True
    monkeypatch.setattr(gg, "BY_ID", gg.BY_ID.replace("candidateCount", "candidateTotal"))
    caplog.clear()
    assert summary(ExperimentViews(), client, exps[1])["run_count"] == 3
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("jupyterlab_mlops")]
    assert len(lines) == 1 and "candidateTotal" in lines[0]


def test_hostile_name_travels_as_a_variable(gitlab_server, client):
    name = "q\"uo'te } { $name \\ ünïcødé 🚀 " + uuid.uuid4().hex[:6]
    exp = make_experiment(client, 2, name=name)
    gitlab_server.clear_requests()
    assert summary(ExperimentViews(), client, exp)["run_count"] == 2
    sent = next(r for r in gitlab_server.requests if r["path"] == "/api/graphql")
    assert sent["args"]["variables"]["name"] == name and name not in sent["args"]["query"]
    assert sent["status"] == 200


def test_read_api_token_gets_the_count_though_runs_need_api(gitlab_server, client):
    exp = make_experiment(client, 4)
    reader = SyncClient(Backend.from_uri(gitlab_server.tracking_uri, kind="gitlab", token=gitlab_server.read_token))
    try:
        s = summary(ExperimentViews(), reader, exp)
        assert s["run_count"] == 4 and s["run_count_exact"] and s["last_run_id"] is None
        assert s["creator"] == "1"  # the experiment's creator (GraphQL), a numeric id like every GitLab user id
        gitlab_server.knobs.graphql_enabled = False
        with pytest.raises(Unauthorized):  # the paging path cannot list runs with read_api
            summary(ExperimentViews(), reader, exp)
    finally:
        reader.close()


def test_project_by_path_and_the_stand_ins_graphql_rules(gitlab_server, client):
    exp = make_experiment(client, 1)
    name = client.run(client.api.get_experiment(exp)).name
    by_path = SyncClient(Backend.from_uri(gitlab_server.tracking_uri_by_path, kind="gitlab", token=gitlab_server.token))
    try:
        stats = by_path.drive(gg.experiment_stats(by_path.api.tracking_uri, name))
        assert stats.candidate_count == 1 and stats.creator_id == "1" and stats.updated_at
    finally:
        by_path.close()
    url = f"{gitlab_server.base_url}/api/graphql"
    q = {"query": gg.BY_ID, "variables": {"ids": ["gid://gitlab/Project/42"], "name": name}}
    bad = requests.post(url, json=q, headers={"Authorization": "Bearer glpat-wrong"}, timeout=30)
    assert bad.status_code == 401 and bad.json() == {"errors": [{"message": "Invalid token"}]}
    ok = requests.post(url, json=q, headers=gitlab_server.headers(gitlab_server.read_token), timeout=30)
    assert ok.status_code == 200 and ok.json()["data"]["projects"]["nodes"][0]["mlExperiments"]["nodes"]
    anonymous = requests.post(url, json=q, timeout=30)  # a private project: not visible
    assert anonymous.status_code == 200 and anonymous.json()["data"]["projects"]["nodes"] == []
    broken = requests.post(url, json={"query": "{ project(fullPath: "}, headers=gitlab_server.headers(), timeout=30)
    assert broken.status_code == 200 and broken.json()["errors"][0]["message"].startswith("Syntax Error")

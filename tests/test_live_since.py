"""The lists' incremental polls (issue 13, live lists): ``since`` on the experiments and runs routes returns only
what changed, never loses a run of the same millisecond as the caller's newest, and drops stale counts. Real
Jupyter server, real MLflow server (and the GitLab stand-in, which filters nothing: matched in the server)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from .test_wire_contract import check

BOTH = pytest.mark.parametrize("mlops_backends", ["mlflow", "gitlab"], indirect=True)


async def get(jp_fetch, *parts: str, **params: Any) -> dict[str, Any]:
    """The answer, checked against its wire type (``runs``, ``experiments`` or a summary)."""
    resp = await jp_fetch("jupyterlab-mlops", *parts, params=params)
    check({"runs": "runs", "experiments": "experiments", "summary": "experiment_summary"}[parts[-1]], resp.body)
    return json.loads(resp.body)


def ids(rows: list[dict[str, Any]], key: str) -> set[str]:
    return {r[key] for r in rows}


@BOTH
async def test_runs_since_returns_changed_and_same_millisecond(jp_fetch, mlflow_rest, mlops_backends):
    backend = mlops_backends[0]["name"]
    exp = mlflow_rest.create_experiment()
    t0 = int(time.time() * 1000) - 60_000
    old = mlflow_rest.create_run(exp, run_name="old", start_time=t0)["info"]["run_id"]
    mlflow_rest.finish_run(old)  # ends now: changed since t0 + 1
    done = mlflow_rest.create_run(exp, run_name="done", start_time=t0 + 1)["info"]["run_id"]
    mlflow_rest.post("runs/update", {"run_id": done, "status": "FINISHED", "end_time": t0 + 2})
    boundary = t0 + 10_000
    first = mlflow_rest.create_run(exp, run_name="first", start_time=boundary)["info"]["run_id"]
    mlflow_rest.post("runs/update", {"run_id": first, "status": "FINISHED", "end_time": boundary})
    twin = mlflow_rest.create_run(exp, run_name="twin", start_time=boundary)["info"]["run_id"]  # same ms, later
    mlflow_rest.post("runs/update", {"run_id": twin, "status": "FINISHED", "end_time": boundary})
    live = mlflow_rest.create_run(exp, run_name="live", start_time=t0)["info"]["run_id"]  # RUNNING, old start

    page = await get(jp_fetch, "backends", backend, "experiments", exp, "runs", since=str(boundary))
    got = ids(page["runs"], "run_id")
    assert {first, twin, live, old} <= got  # the boundary is inclusive: the twin of the same ms is there
    assert done not in got  # started and ended before: unchanged
    assert page["next_page_token"] is None

    later = await get(
        jp_fetch, "backends", backend, "experiments", exp, "runs", since=str(int(time.time() * 1000) + 5000)
    )
    assert ids(later["runs"], "run_id") == {live}  # only what is still live


@BOTH
async def test_runs_since_keeps_the_filter(jp_fetch, mlflow_rest, mlops_backends):
    backend = mlops_backends[0]["name"]
    exp = mlflow_rest.create_experiment()
    a = mlflow_rest.create_run(exp, run_name="a")["info"]["run_id"]
    mlflow_rest.log_batch(a, {"acc": 0.9})
    b = mlflow_rest.create_run(exp, run_name="b")["info"]["run_id"]
    mlflow_rest.log_batch(b, {"acc": 0.1})
    page = await get(jp_fetch, "backends", backend, "experiments", exp, "runs", since="0", filter="metrics.acc > 0.5")
    assert ids(page["runs"], "run_id") == {a}


async def test_since_rejects_bad_values(jp_fetch, mlflow_rest):
    exp = mlflow_rest.create_experiment()
    for value in ("yesterday", "-1"):
        with pytest.raises(HTTPClientError) as err:
            await jp_fetch(
                "jupyterlab-mlops", "backends", "default", "experiments", exp, "runs", params={"since": value}
            )
        assert err.value.code == 400
        assert "since" in json.loads(err.value.response.body)["message"]
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch("jupyterlab-mlops", "backends", "default", "experiments", params={"since": "1", "ids": "x;y"})
    assert err.value.code == 404


async def test_experiments_since_new_and_recount(jp_fetch, mlflow_rest):
    quiet = mlflow_rest.create_experiment()
    busy = mlflow_rest.create_experiment()
    mlflow_rest.create_run(busy, run_name="before")
    summary = await get(jp_fetch, "backends", "default", "experiments", busy, "summary")
    assert summary["summary"]["run_count"] == 1
    since = int(time.time() * 1000)
    time.sleep(0.01)
    name = f"new-{uuid.uuid4().hex[:8]}"
    new = mlflow_rest.create_experiment(name)
    mlflow_rest.create_run(busy, run_name="after")

    page = await get(jp_fetch, "backends", "default", "experiments", since=str(since), ids=f"{quiet},{busy}")
    assert new in ids(page["experiments"], "experiment_id")
    assert quiet not in ids(page["experiments"], "experiment_id")
    assert busy not in ids(page["experiments"], "experiment_id")  # its runs changed, not the experiment
    assert page["recount"] == [busy]
    # the count cache was dropped: the summary counts again at once (no 5-minute-old count)
    summary = await get(jp_fetch, "backends", "default", "experiments", busy, "summary")
    assert summary["summary"]["run_count"] == 2
    # polled again from the newest activity it shows, nothing new: the ">=" finds "after" again, no recount
    newest = summary["summary"]["last_activity"]
    again = await get(jp_fetch, "backends", "default", "experiments", since=str(since), ids=busy, runs_since=newest)
    assert again["recount"] == []
    # a run started meanwhile is counted again
    mlflow_rest.create_run(busy, run_name="later")
    again = await get(jp_fetch, "backends", "default", "experiments", since=str(since), ids=busy, runs_since=newest)
    assert again["recount"] == [busy]

    named = await get(jp_fetch, "backends", "default", "experiments", since=str(since), search=name)
    assert ids(named["experiments"], "experiment_id") == {new}


@pytest.mark.parametrize("mlops_backends", ["gitlab"], indirect=True)
async def test_experiments_since_gitlab_lists_unknown_ones(jp_fetch, mlflow_rest):
    known = mlflow_rest.create_experiment()
    new = mlflow_rest.create_experiment()
    page = await get(
        jp_fetch, "backends", "gitlab", "experiments", since=str(int(time.time() * 1000) + 60_000), ids=known
    )
    got = ids(page["experiments"], "experiment_id")
    assert new in got and known not in got
    assert page["recount"] == []


async def test_a_count_under_way_is_not_restarted_for_activity_before_it_began():
    """A list polled while its counts wait their turn (one counting flow per backend at a time) asks a recount
    only for runs that started or ended after the count began: older activity is in the count under way."""
    import asyncio

    from jupyterlab_mlops.client.models import Run
    from jupyterlab_mlops.views import experiments as ev
    from jupyterlab_mlops.views.experiment_pages import CLOCK_SKEW_MS, ExperimentViews

    views = ExperimentViews()
    under_way = asyncio.get_running_loop().create_future()
    views.summaries.put(("default", "7"), (ev.Progress(), under_way))
    now = int(time.time() * 1000)
    older = Run(run_id="a", experiment_id="7", start_time=now - 3_600_000, end_time=now - 2 * CLOCK_SKEW_MS)
    assert not views._news("default", older)
    assert views._news("default", Run(run_id="b", experiment_id="7", start_time=now))
    under_way.set_exception(RuntimeError("the count failed"))  # a failed count: every run is news
    assert views._news("default", older)
    assert views._news("default", Run(run_id="c", experiment_id="8", start_time=0))  # never counted

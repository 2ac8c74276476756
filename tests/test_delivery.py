"""Delivery rules of the kernel logger (issue 10) against the real MLflow server and the GitLab stand-in
(GITLAB_API.md C3 NaN refused, C4 unknown CI job -> 500 after a partial write, C6 metrics appended):
nothing lost, nothing stored twice. Points are counted as each backend stores them: MLflow's own
get-history, the stand-in's get-history (which, like GitLab, keeps every appended row)."""

from __future__ import annotations

import math
import time
import uuid
from collections import Counter
from typing import Any

import pytest
import requests

from jupyterlab_mlops.client.errors import InvalidInput
from jupyterlab_mlops.spool import Spool, aside_summary, total_depth

from .kernel_support import api_on, get_run, history, kv, use_backend, wait_for


def uniq(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def points(kind: str, request: Any, run_id: str, key: str) -> list[dict[str, Any]]:
    """Every stored point of ``key``: through GitLab's get-history (duplicates included) or MLflow's."""
    if kind == "gitlab":
        gl = request.getfixturevalue("gitlab_server")
        return history(gl.tracking_uri, run_id, key, headers=gl.headers())
    return history(request.getfixturevalue("mlflow_server").url, run_id, key)


def runs_of(mlflow_url: str, experiment: str) -> list[dict[str, Any]]:
    api = f"{mlflow_url}/api/2.0/mlflow"
    exp = requests.get(f"{api}/experiments/get-by-name", params={"experiment_name": experiment}, timeout=10).json()
    return (
        requests.post(
            f"{api}/runs/search",
            json={"experiment_ids": [exp["experiment"]["experiment_id"]], "max_results": 100},
            timeout=10,
        )
        .json()
        .get("runs", [])
    )


@pytest.fixture(params=["mlflow", "gitlab"])
def backend(request, tmp_path):
    """(api, kind) pointed at one backend with a fresh spool dir."""
    yield from api_on(request, tmp_path, ignore_end_errors=True)


@pytest.fixture
def gitlab(gitlab_server, tmp_path):
    gitlab_server.clear_requests()
    api = use_backend(gitlab_server.tracking_uri, gitlab_server.token, spool_dir=tmp_path / "spool")
    yield api, gitlab_server
    gitlab_server.reset_knobs()
    for run in list(reversed(api.session().stack)):
        try:
            run.end()
        except Exception:  # noqa: BLE001
            pass


def test_a_nan_in_a_1000_metric_batch(backend, request, capsys):
    """GitLab refuses a whole batch for one NaN (C3): it is skipped up front with one warning per key and
    the 999 others are stored. MLflow stores NaN: all 1,000 there."""
    api, kind = backend
    api.experiment(uniq("nan"))
    with api.start_run() as run:
        for i in range(1000):
            api.log_metric("loss", math.nan if i == 500 else i * 0.5, step=i)
        api.log_metric("acc", math.inf, step=0)
        assert api.flush(timeout=60).delivered
        for i in range(1000, 1010):  # a second batch with NaN: no second warning
            api.log_metric("loss", math.nan if i == 1005 else i * 0.5, step=i)
    stored = points(kind, request, run.run_id, "loss")
    err = capsys.readouterr().err
    if kind == "gitlab":
        assert len(stored) == 1008 and 500 not in {p["step"] for p in stored}
        assert Counter(p["step"] for p in stored).most_common(1)[0][1] == 1  # none twice
        assert err.count("metric 'loss': GitLab cannot store NaN") == 1
        assert err.count("metric 'acc': GitLab cannot store NaN") == 1
        assert api.status().dropped == 0 and api.session().logger.sender.skipped == 3
    else:
        assert len(stored) == 1010 and "NaN" not in err
        assert sum(1 for p in stored if p["value"] == "NaN") == 2
    assert "Traceback" not in err


def test_a_refused_param_among_good_items_is_isolated(backend, request, capsys):
    """A 400 for the batch: bisected until the refused param is alone; everything else is stored once
    (on the stand-in the 400 comes after the metrics were inserted: they are read back, not re-sent)."""
    api, kind = backend
    api.experiment(uniq("badparam"))
    with api.start_run() as run:
        api.log_params({f"p{i}": i for i in range(20)})
        api.session().logger.put(("p", run.ref, "bad!key", "1"))  # a name the backend refuses (the API checks it)
        for i in range(300):
            api.log_metric("m", i, step=i)
        api.set_tag("stage", "dev")
    data = get_run(request.getfixturevalue("mlflow_server").url, run.run_id)["data"]
    params = kv(data["params"])
    assert {k: v for k, v in params.items()} == {f"p{i}": str(i) for i in range(20)}
    assert kv(data["tags"])["stage"] == "dev"
    stored = points(kind, request, run.run_id, "m")
    assert sorted(p["step"] for p in stored) == list(range(300))  # every point, none twice
    err = capsys.readouterr().err
    assert err.count("refused 1 item(s)") == 1 and "param 'bad!key'" in err and "Traceback" not in err
    assert api.status().dropped == 1


def test_param_write_once_conflict_on_both(backend, request, capsys):
    api, kind = backend
    api.experiment(uniq("conflict"))
    with api.start_run() as run:
        api.log_param("lr", 0.1)
        api.flush()
        api.log_param("lr", 0.2)
        api.log_metric("kept", 3.0)
    data = get_run(request.getfixturevalue("mlflow_server").url, run.run_id)["data"]
    assert kv(data["params"]) == {"lr": "0.1"}
    assert len(points(kind, request, run.run_id, "kept")) == 1
    err = capsys.readouterr().err
    if kind == "mlflow":  # GitLab's log-batch skips a known key silently (C6)
        assert "param 'lr'" in err and "write-once" in err
    assert "Traceback" not in err


def test_repeating_500_sets_the_batch_aside_and_later_batches_flow(gitlab, tmp_path, capsys):
    api, gl = gitlab
    api.experiment(uniq("aside"))
    run = api.start_run(name="aside")
    logger = api.session().logger
    gl.outage = 500
    for i in range(100):
        api.log_metric("a", i, step=i)
    t0 = time.monotonic()
    wait_for(lambda: logger.outbox.set_aside == 1, timeout=60)
    took = time.monotonic() - t0
    gl.reset_knobs()
    for i in range(100, 200):
        api.log_metric("a", i, step=i)
    result = api.flush(timeout=60)
    assert result.delivered and result.set_aside == 1, result
    err = capsys.readouterr().err
    assert "retrying up to 4 times" in err and "set aside 100 item(s)" in err and "Traceback" not in err
    assert 0.5 < took < 30  # 5 attempts, exponential backoff with jitter (0.25-0.5 s, ... 2-4 s)
    # one 500 per attempt: the first sent the batch, the retries read back first (it may have landed)
    failed = [r["path"].rsplit("/", 1)[-1] for r in gl.requests if r.get("status") == 500]
    assert failed == ["log-batch"] + ["get"] * 4, failed
    # later batches flowed; the set-aside one is not lost: on disk, counted, with its reason
    stored = history(gl.tracking_uri, run.run_id, "a", headers=gl.headers())
    assert sorted(p["step"] for p in stored) == list(range(100, 200))
    st = api.status()
    assert st.set_aside == 1 and st.set_aside_items == 100 and "(500)" in st.set_aside_reasons[0]
    assert "set aside:  1 batch(es), 100 item(s)" in str(st)
    spool_dir = tmp_path / "spool"
    assert aside_summary(spool_dir)["batches"] == 1 and "(500)" in aside_summary(spool_dir)["reasons"][0]
    assert total_depth(spool_dir) == 0
    # it survives the kernel: a new logger finds it, and putting it back delivers it exactly once
    api.end_run()
    api.session().reset()
    assert list(spool_dir.glob("*.aside")) and aside_summary(spool_dir)["batches"] == 1
    api = use_backend(gl.tracking_uri, gl.token, spool_dir=spool_dir)
    assert api.status().set_aside == 1  # listed for the new kernel too
    assert api.retry_set_aside() == 100  # adopts the earlier kernel's spool, puts the batch back
    assert api.flush(timeout=60).delivered
    stored = history(gl.tracking_uri, run.run_id, "a", headers=gl.headers())
    assert sorted(p["step"] for p in stored) == list(range(200))
    assert aside_summary(spool_dir)["batches"] == 0 and not list(spool_dir.glob("*.aside"))


def test_gateway_502_is_an_outage_not_a_set_aside(gitlab, capsys):
    """GitLab's workhorse answers 502 while Rails is down: offline spool and replay, no retry limit."""
    api, gl = gitlab
    api.experiment(uniq("gw"))
    run = api.start_run()
    gl.outage = 502
    for i in range(50):
        api.log_metric("g", i, step=i)
    r = api.flush(timeout=30)
    assert not r.delivered and r.pending == 50
    logger = api.session().logger
    # more failed attempts than a failing (500) batch gets before it is set aside
    wait_for(lambda: logger.outage.failures > 1 + logger.outage.retries, timeout=60)
    assert logger.outbox.set_aside == 0 and api.status().state.startswith("offline")
    gl.reset_knobs()
    assert api.flush(timeout=60).delivered
    assert sorted(p["step"] for p in history(gl.tracking_uri, run.run_id, "g", headers=gl.headers())) == list(range(50))
    assert "logging continues offline" in capsys.readouterr().err


def _stored_once(gl: Any, run_id: str, key: str, n: int) -> None:
    stored = history(gl.tracking_uri, run_id, key, headers=gl.headers())
    steps = [p["step"] for p in stored]
    assert len(steps) == n and sorted(steps) == list(range(n)), (len(steps), n)


def test_unknown_ci_job_checked_up_front(gitlab, mlflow_server, capsys):
    api, gl = gitlab
    name = uniq("job")
    api.experiment(name)
    run = api.start_run(name="with-job", tags={"gitlab.CI_JOB_ID": "987654", "k": "v"})
    for i in range(1500):
        api.log_metric("x", i, step=i)
    api.set_tag("gitlab.CI_JOB_ID", "987655")
    api.end_run()
    err = capsys.readouterr().err
    assert err.count("GitLab knows no CI job") == 2 and "Traceback" not in err
    runs = runs_of(mlflow_server.url, name)
    assert len(runs) == 1 and runs[0]["info"]["run_id"] == run.run_id  # no orphan
    tags = kv(runs[0]["data"]["tags"])
    assert tags["k"] == "v" and "gitlab.CI_JOB_ID" not in tags
    _stored_once(gl, run.run_id, "x", 1500)
    assert not any(r.get("status") == 500 for r in gl.requests)
    # a job GitLab knows is kept (and linked to the candidate)
    gl.add_job(5555)
    with api.start_run(name="known-job", tags={"gitlab.CI_JOB_ID": "5555"}) as known:
        api.log_metric("y", 1.0)
    assert kv(get_run(mlflow_server.url, known.run_id)["data"]["tags"])["gitlab.CI_JOB_ID"] == "5555"
    assert gl.run_job(known.run_id) == 5555
    assert "knows no CI job '5555'" not in capsys.readouterr().err


def test_unknown_ci_job_after_its_500_no_orphan_no_duplicate(gitlab, mlflow_server, capsys):
    """Where the token may not read jobs, GitLab's 500 (after it created the run / stored the metrics
    and params, C4) is the signal: the tag is dropped, the run is found again by its marker tag, and
    only what is missing is sent."""
    api, gl = gitlab
    name = uniq("job500")
    api.experiment(name)
    api.session().ensure_logger().sender.check_jobs = False  # as with a token that cannot read jobs (403)
    run = api.start_run(name="job500", tags={"gitlab.CI_JOB_ID": "424242", "k": "v"})
    api.log_param("lr", 0.1)
    for i in range(1200):
        api.log_metric("x", i, step=i)
    api.flush(timeout=60)
    api.set_tag("gitlab.CI_JOB_ID", "424243")
    api.log_param("depth", 3)
    for i in range(1200, 1500):
        api.log_metric("x", i, step=i)
    api.end_run()
    assert api.flush(timeout=60).delivered
    err = capsys.readouterr().err
    assert err.count("GitLab failed on it") == 2 and "Traceback" not in err
    assert sum(1 for r in gl.requests if r.get("status") == 500) == 2
    runs = runs_of(mlflow_server.url, name)
    assert len(runs) == 1 and runs[0]["info"]["run_id"] == run.run_id  # the created run was adopted
    data = runs[0]["data"]
    assert kv(data["params"]) == {"lr": "0.1", "depth": "3"}
    tags = kv(data["tags"])
    assert tags["k"] == "v" and "gitlab.CI_JOB_ID" not in tags and tags["mlops.local_id"]
    assert runs[0]["info"]["status"] == "FINISHED"
    _stored_once(gl, run.run_id, "x", 1500)


def test_timeout_after_sending_stores_points_once(gitlab, tmp_path, capsys):
    """The stand-in answers after 3 s (having stored the batch); the client gave up after 1 s."""
    api, gl = gitlab
    api = use_backend(gl.tracking_uri, gl.token, spool_dir=tmp_path / "spool")
    api.configure(gl.tracking_uri, gl.token, spool_dir=str(tmp_path / "spool"), timeout=1.0)
    api.experiment(uniq("timeout"))
    run = api.start_run()
    for i in range(800):
        api.log_metric("t", i, step=i)
    assert api.flush(timeout=30).delivered
    gl.latency = 3.0
    for i in range(800, 2500):
        api.log_metric("t", i, step=i)
    r = api.flush(timeout=30)
    assert not r.delivered
    # the stand-in finishes (stores and answers, too late) what it was sent
    wait_for(lambda: all("status" in r for r in list(gl.requests) if r["path"].endswith("log-batch")), timeout=30)
    gl.latency = 0.0
    wait_for(lambda: api.flush(timeout=60).delivered, timeout=60)  # (a read-back in flight may time out first)
    api.end_run()
    _stored_once(gl, run.run_id, "t", 2500)
    assert "Traceback" not in capsys.readouterr().err


def test_kernel_killed_mid_send_on_gitlab_reads_back(gitlab_server, mlflow_server, tmp_path, capsys):
    """A spool whose head batch was in flight when its kernel died (the logger marks it before sending):
    the next kernel reads back what arrived and sends the rest only."""
    from jupyterlab_mlops.client import Backend, flows
    from jupyterlab_mlops.client.models import Metric
    from jupyterlab_mlops.client.sync import SyncClient

    gl = gitlab_server
    backend = Backend.from_uri(gl.tracking_uri, token=gl.token)
    client = SyncClient(backend)
    exp = client.drive(flows.get_or_create_experiment(client.api, uniq("killed")))
    rid = client.run(client.api.create_run(exp.experiment_id)).run_id
    items = [("p", rid, "lr", "0.01")] + [("m", rid, "acc", i / 2000, 1_700_000_000_000 + i, i) for i in range(2000)]
    client.run(
        client.api.log_batch(
            rid, metrics=[Metric(i[2], i[3], i[4], i[5]) for i in items[1:1000]], params={"lr": "0.01"}
        )
    )  # the in-flight batch arrived...
    sp = Spool.create(tmp_path, meta={"backend_url": backend.url, "backend_kind": backend.kind})
    sp.append(items, unsure=1000)  # ...but the kernel died before it heard so
    sp.close(remove_if_empty=False)
    api = use_backend(backend.url, backend.token, spool_dir=tmp_path)
    assert api.flush(timeout=60).delivered and total_depth(tmp_path) == 0
    _stored_once(gl, rid, "acc", 2000)
    assert kv(get_run(mlflow_server.url, rid)["data"]["params"]) == {"lr": "0.01"}
    client.close()


def test_api_still_refuses_bad_input_up_front(backend):
    api, _ = backend
    api.experiment(uniq("input"))
    with api.start_run():
        with pytest.raises(InvalidInput):
            api.log_metric("bad key!", 1.0)


@pytest.fixture
def mlops_app_config(tmp_path):
    """The Jupyter server of the status test below reads this spool dir (``c.MlopsApp.spool_dir``)."""
    return {"spool_dir": str(tmp_path / "server-spool")}


async def test_status_route_reports_set_aside_batches(jp_fetch, tmp_path):
    import json

    spool_dir = tmp_path / "server-spool"
    sp = Spool.create(spool_dir, meta={"backend_url": "http://x"})
    sp.append([("m", "r1", "k", float(i), 1000 + i, i) for i in range(30)] + [("m", "r1", "k", 99.0, 2000, 99)])
    head = sp.head()
    sp.set_aside(head[29][0], [r[1] for r in head[:30]], "Backend 'gitlab' failed (500): 500 Internal Server Error")
    data = json.loads((await jp_fetch("jupyterlab-mlops", "status")).body.decode())
    assert data["spool"]["depth"] == 1
    assert data["spool"]["set_aside"] == {
        "batches": 1,
        "items": 30,
        "reasons": ["Backend 'gitlab' failed (500): 500 Internal Server Error"],
    }
    sp.restore_aside()
    data = json.loads((await jp_fetch("jupyterlab-mlops", "status")).body.decode())
    assert data["spool"]["set_aside"]["batches"] == 0 and data["spool"]["depth"] == 31
    assert sp.unsure_range(sp.head()[-1][0]) is not None  # put back as "outcome unknown": read back first
    sp.close(remove_if_empty=False)


# -- the rules as pure functions (no backend needed) -------------------------------------------------
def _metrics(key: str, steps: range) -> list[Any]:
    from jupyterlab_mlops.client.models import Metric

    return [Metric(key, float(s), 1000 + s, s) for s in steps]


def test_read_back_decides_per_key_cheaply_and_matches_points_when_it_must():
    from jupyterlab_mlops.client.models import Run
    from jupyterlab_mlops.kernel.delivery import Part, unsent_part

    batch = Part(
        metrics=_metrics("a", range(10, 20)) + _metrics("b", range(10, 20)),
        params={"lr": "1", "d": "2"},
        tags={"t": "x"},
    )
    calls: list[str] = []

    def history(key: str) -> Any:
        calls.append(key)
        return {"a": _metrics("a", range(0, 15)), "b": _metrics("b", range(0, 30))}[key]

    arrived = Run(
        "r",
        "1",
        params={"lr": "1", "d": "2"},
        tags={"t": "x"},
        metrics={"a": _metrics("a", range(19, 20))[0], "b": _metrics("b", range(19, 20))[0]},
    )
    assert unsent_part(batch, arrived, history).size == 0 and not calls  # latest point is ours: arrived
    missing = Run("r", "1", params={"lr": "1"}, metrics={"a": _metrics("a", range(9, 10))[0]})
    out = unsent_part(batch, missing, history)
    assert len(out.metrics) == 20 and out.params == {"d": "2"} and out.tags == {"t": "x"} and not calls
    # the backend's latest is newer than the batch (another writer, steps out of order): match points
    newer = Run("r", "1", metrics={"a": _metrics("a", range(50, 51))[0], "b": _metrics("b", range(50, 51))[0]})
    out = unsent_part(batch, newer, history)
    assert [m.step for m in out.metrics if m.key == "a"] == list(range(15, 20)) and calls == ["a", "b"]
    assert not [m for m in out.metrics if m.key == "b"]
    # scan (part may have arrived without the rest): point by point even when the latest looks like ours
    calls.clear()
    out = unsent_part(batch, arrived, history, scan=True)
    assert [m.step for m in out.metrics] == list(range(15, 20)) and calls == ["a", "b"]
    # no get-history on this GitLab: send (nothing lost)
    assert len(unsent_part(batch, newer, lambda key: None).metrics) == 20


def test_failure_kinds():
    from jupyterlab_mlops.client.calls import error_for
    from jupyterlab_mlops.client.errors import BackendTimeout, BackendUnreachable
    from jupyterlab_mlops.kernel.delivery import backoff_delay, failure_kind

    def err(status: int) -> Any:
        return error_for(status, b'{"message": "x"}', backend="b", kind="gitlab")

    assert failure_kind(err(500)) == failure_kind(err(501)) == "failing"
    assert {failure_kind(err(s)) for s in (502, 503, 504, 401, 403, 429)} == {"offline"}
    assert failure_kind(BackendTimeout("t")) == failure_kind(BackendUnreachable("u")) == "offline"
    delays = [backoff_delay(a, 0.5, 5.0) for a in range(6) for _ in range(20)]
    assert all(0.25 <= d <= 5.0 for d in delays) and len(set(delays)) > 50  # jittered, capped


def test_job_lookup_is_skipped_where_the_token_may_not(gitlab_server):
    from jupyterlab_mlops.client import Backend
    from jupyterlab_mlops.client.sync import SyncClient
    from jupyterlab_mlops.kernel.delivery import JobCheck

    gitlab_server.add_job(7777)
    with SyncClient(Backend.from_uri(gitlab_server.tracking_uri, token=gitlab_server.token)) as dev:
        check = JobCheck()
        assert check.lookup(dev, "7777") is True and check.lookup(dev, "7778") is False
        assert check.lookup(dev, "not-a-number") is False
    with SyncClient(Backend.from_uri(gitlab_server.tracking_uri, token=gitlab_server.guest_token)) as guest:
        check = JobCheck()
        assert check.lookup(guest, "7778") is None and not check.checkable  # 403: rely on GitLab's 500

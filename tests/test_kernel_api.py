"""The kernel Python API (``import jupyterlab_mlops as mlops``) against the real MLflow server and the
GitLab-dialect server. Data is checked straight in MLflow (the GitLab stand-in stores there too)."""

from __future__ import annotations

import math
import os
import sys
import uuid

import pytest

from jupyterlab_mlops.client.errors import Conflict, InvalidInput

from .kernel_support import api_on, get_run, history, kv, use_backend


def uniq(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(params=["mlflow", "gitlab"])
def mlops(request, tmp_path):
    """The API pointed at one backend; yields (api, kind)."""
    yield from api_on(request, tmp_path)


@pytest.fixture
def mlops_mlflow(mlflow_server, tmp_path):
    api = use_backend(mlflow_server.url, spool_dir=tmp_path / "spool")
    yield api
    for run in list(reversed(api.session().stack)):
        run.end()


def test_package_exports_api_without_importing_mlflow():
    """In a fresh interpreter: other tests of this session may have imported mlflow themselves."""
    import subprocess

    code = (
        "import sys, jupyterlab_mlops as mlops\n"
        "assert callable(mlops.log_metric) and callable(mlops.start_run) and callable(mlops.promote)\n"
        "assert isinstance(mlops.on_run_end, list)\n"
        "assert 'mlflow' not in sys.modules, 'importing the package imported mlflow'\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]


def test_full_run_round_trip(mlops, mlflow_server):
    api, kind = mlops
    exp = api.experiment(uniq("api"))
    assert exp.experiment_id
    seen = []

    def hook(run):
        seen.append((run.run_id, run.status, run.ending_status))

    api.on_run_end.append(hook)
    try:
        with api.start_run(name="baseline", tags={"team": "ds"}) as run:
            assert api.active_run() is run and run.run_id and not run.offline
            api.log_param("lr", 0.01)
            api.log_params({"depth": 5, "opt": "adam"})
            api.set_tag("stage", "dev")
            api.set_tags({"owner": "me"})
            for step in range(300):
                api.log_metric("loss", 1.0 / (step + 1), step=step)
            api.log_metrics({"acc": 0.9, "f1": 0.8}, step=299)
    finally:
        api.on_run_end.remove(hook)
    assert seen == [(run.run_id, "RUNNING", "FINISHED")]  # the hook runs just before the run ends
    assert api.active_run() is None and run.status == "FINISHED"
    data = get_run(mlflow_server.url, run.run_id)
    assert data["info"]["status"] == "FINISHED"
    assert kv(data["data"].get("params")) == {"lr": "0.01", "depth": "5", "opt": "adam"}
    tags = kv(data["data"].get("tags"))
    assert tags["team"] == "ds" and tags["stage"] == "dev" and tags["owner"] == "me"
    points = history(mlflow_server.url, run.run_id, "loss")
    assert sorted(p["step"] for p in points) == list(range(300))
    assert history(mlflow_server.url, run.run_id, "acc")[0]["value"] == 0.9
    status = api.status()
    assert status.state == "online" and status.spooled == 0 and status.sent >= 305
    assert status.backend["kind"] == kind and "token" not in str(status)


def test_failing_block_ends_run_failed_with_error_tag(mlops, mlflow_server):
    api, _ = mlops
    api.experiment(uniq("fail"))
    with pytest.raises(ZeroDivisionError):
        with api.start_run(name="boom") as run:
            api.log_metric("x", 1)
            1 / 0
    data = get_run(mlflow_server.url, run.run_id)
    assert data["info"]["status"] == "FAILED"
    assert kv(data["data"]["tags"])["mlops.error"] == "ZeroDivisionError: division by zero"


def test_bad_input_raises_and_sends_nothing(mlops, mlflow_server):
    api, kind = mlops
    api.experiment(uniq("bad"))
    run = api.start_run()
    with pytest.raises(InvalidInput, match="metric 'loss' needs a number, got 'abc'"):
        api.log_metric("loss", "abc")
    with pytest.raises(InvalidInput, match="invalid metric name"):
        api.log_metric("bad$key", 1.0)
    with pytest.raises(InvalidInput, match="invalid param name"):
        api.log_param("../up", 1)
    with pytest.raises(InvalidInput, match="at most"):
        api.log_param("long", "x" * 7000)
    with pytest.raises(InvalidInput, match="needs a number"):
        api.log_metrics({"ok": 1.0, "bad": None})
    with pytest.raises(InvalidInput, match="status must be one of"):
        api.end_run("DONE")
    run.end()
    data = get_run(mlflow_server.url, run.run_id)["data"]
    assert not data.get("metrics") and not data.get("params")


def test_non_finite_metrics_survive(mlops_mlflow, mlflow_server):
    api = mlops_mlflow
    with api.start_run() as run:
        api.log_metrics({"a": math.nan, "b": math.inf, "c": 1.5})
    values = {k: history(mlflow_server.url, run.run_id, k)[0]["value"] for k in "abc"}
    assert values["a"] == "NaN" and values["b"] > 1e300 and values["c"] == 1.5


def test_param_conflict_drops_only_that_param(mlops_mlflow, mlflow_server, capsys):
    api = mlops_mlflow
    with api.start_run() as run:
        api.log_param("lr", 0.1)
        api.flush()
        api.log_param("lr", 0.1)  # identical re-log: fine
        api.log_param("lr", 0.2)  # different: dropped with a warning...
        api.log_metric("kept", 3.0)  # ...while the rest of the batch is sent
    data = get_run(mlflow_server.url, run.run_id)["data"]
    assert kv(data["params"]) == {"lr": "0.1"}
    assert kv(data["metrics"]) == {"kept": 3.0}
    err = capsys.readouterr().err
    assert "param 'lr'" in err and "write-once" in err and "Traceback" not in err


def test_log_without_run_starts_one_and_says_so(mlops, mlflow_server, capsys):
    api, _ = mlops
    name = uniq("auto")
    api.experiment(name)
    api.log_metric("m", 1.0)
    run = api.active_run()
    assert run is not None and run.auto
    err = capsys.readouterr().err
    assert err.count("no active run: started run") == 1 and name in err
    api.log_metric("m", 2.0, step=1)
    assert "no active run" not in capsys.readouterr().err
    api.start_run(name="explicit")  # an automatic run gives way to an explicit one
    assert run.status == "FINISHED" and api.active_run().name == "explicit"
    api.end_run()
    assert len(history(mlflow_server.url, run.run_id, "m")) == 2


def test_nested_runs_and_refusal(mlops_mlflow, mlflow_server):
    api = mlops_mlflow
    outer = api.start_run(name="outer")
    with pytest.raises(InvalidInput, match="already active"):
        api.start_run(name="again")
    inner = api.start_run(name="inner", nested=True)
    assert api.active_run() is inner
    api.end_run()
    assert api.active_run() is outer
    api.end_run()
    assert kv(get_run(mlflow_server.url, inner.run_id)["data"]["tags"])["mlflow.parentRunId"] == outer.run_id


def test_log_artifact_with_progress(mlops, tmp_path, capsys, monkeypatch):
    api, kind = mlops
    monkeypatch.setenv("MLOPS_PROGRESS_BYTES", str(1 << 20))
    big = tmp_path / "weights.bin"
    big.write_bytes(os.urandom(3 << 20))
    small = tmp_path / "notes.txt"
    small.write_text("hello")
    api.experiment(uniq("art"))
    with api.start_run() as run:
        assert api.log_artifact(str(big)) == "weights.bin"
        assert api.log_artifact(str(small), "sub") == "sub/notes.txt"  # GitLab's package API takes sub-paths (C8)
        if kind == "gitlab":
            with pytest.raises(InvalidInput, match="each part"):
                api.log_artifact(str(small), "späť")
        with pytest.raises(InvalidInput, match="does not exist"):
            api.log_artifact(str(tmp_path / "missing.bin"))
    err = capsys.readouterr().err
    assert "uploading weights.bin: 100%" in err and "notes.txt" not in err
    client = api.session().client
    info = client.run(client.api.get_run(run.run_id))
    names = {f.path for f in client.run(client.api.list_artifacts(info.artifact_uri))}
    assert "weights.bin" in names
    assert client.run(client.api.download_artifact(info.artifact_uri, "weights.bin")) == big.read_bytes()


def test_promote(mlops):
    api, kind = mlops
    model = uniq("model")
    api.experiment(uniq("promote"))
    with api.start_run() as run:
        api.log_metric("acc", 0.9)
    with pytest.raises(InvalidInput, match="semantic version"):
        api.promote(run.run_id, model=model, version="v1.0")
    with pytest.raises(InvalidInput, match="model name"):
        api.promote(run.run_id, model="has space", version="1.0.0")
    mv = api.promote(run, model=model, version="1.4.0", description="first")
    assert mv.semver == "1.4.0" and mv.name == model
    assert mv.tags["mlops.source_run"] == run.run_id
    with api.start_run() as run2:
        pass
    with pytest.raises((Conflict, InvalidInput)):
        api.promote(run2.run_id, model=model, version="1.4.0")
    assert api.promote(run2.run_id, model=model).semver == "1.4.1"  # suggested: latest + patch


def test_offline_run_is_created_when_backend_returns(gitlab_server, mlflow_server, tmp_path, capsys):
    api = use_backend(gitlab_server.tracking_uri, gitlab_server.token, spool_dir=tmp_path / "spool")
    name = uniq("offline")
    gitlab_server.outage = 503
    exp = api.experiment(name)
    assert exp.experiment_id == ""
    run = api.start_run(name="offline-run", tags={"k": "v"})
    assert run.offline and run.ref.startswith("local-")
    api.log_param("lr", 0.5)
    for i in range(1500):
        api.log_metric("loss", i * 0.5, step=i)
    result = api.end_run()
    assert not result.delivered and result.pending == 1 + 1 + 1500 + 1
    assert (tmp_path / "spool").glob("*.depth")
    err = capsys.readouterr().err
    assert err.count("\n") <= 4 and "Traceback" not in err and "offline" in err
    st = api.status()
    assert st.state.startswith("offline") and st.spooled == result.pending
    gitlab_server.reset_knobs()
    result = api.flush(timeout=60)
    assert result.delivered and result.pending == 0
    assert run.run_id and not run.offline
    data = get_run(mlflow_server.url, run.run_id)
    assert data["info"]["status"] == "FINISHED"
    assert kv(data["data"]["params"]) == {"lr": "0.5"}
    assert kv(data["data"]["tags"])["mlops.local_id"] == run.ref
    assert sorted(p["step"] for p in history(mlflow_server.url, run.run_id, "loss")) == list(range(1500))
    assert not list((tmp_path / "spool").glob("*.sqlite")) or all(
        int(p.read_text()) == 0 for p in (tmp_path / "spool").glob("*.depth")
    )


def test_interop_with_plain_mlflow(mlops_mlflow, mlflow_server, monkeypatch):
    api = mlops_mlflow
    import mlflow

    mlflow.set_tracking_uri(mlflow_server.url)
    try:
        # a run started by mlflow: our log_* go there
        with mlflow.start_run() as theirs:
            api.log_metric("from_mlops", 1.0)
            api.flush()
        assert history(mlflow_server.url, theirs.info.run_id, "from_mlops")[0]["value"] == 1.0
        # a run started by us: mlflow sees it as its active run and MLFLOW_RUN_ID
        ours = api.start_run(name="ours")
        assert os.environ.get("MLFLOW_RUN_ID") == ours.run_id
        assert mlflow.active_run() is not None and mlflow.active_run().info.run_id == ours.run_id
        mlflow.log_param("from_mlflow", "yes")
        api.end_run()
        assert mlflow.active_run() is None and "MLFLOW_RUN_ID" not in os.environ
        assert kv(get_run(mlflow_server.url, ours.run_id)["data"]["params"]) == {"from_mlflow": "yes"}
    finally:
        while mlflow.active_run():
            mlflow.end_run()


def test_configuration_errors(tmp_path, monkeypatch):
    from jupyterlab_mlops.kernel import api

    with pytest.raises(InvalidInput, match="http"):
        api.configure("ftp://example.com")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delitem(sys.modules, "mlflow", raising=False)  # else mlflow's own tracking URI is used
    use_backend(None, spool_dir=tmp_path)
    st = api.status()
    assert st.state == "not configured" and "MLFLOW_TRACKING_URI" in st.message
    with pytest.raises(InvalidInput, match="no tracking server configured"):
        api.log_metric("x", 1.0)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9/api/v4/projects/7/ml/mlflow")
    use_backend(None, spool_dir=tmp_path)
    assert api.status().backend["kind"] == "gitlab"


def test_gitlab_promotes_a_candidate_of_the_models_experiment(gitlab_server, tmp_path):
    api = use_backend(gitlab_server.tracking_uri, gitlab_server.token, spool_dir=tmp_path)
    model = uniq("glmodel")
    api.experiment(uniq("elsewhere"))
    with api.start_run() as outside:
        api.log_param("lr", "0.3")
    first = api.promote(outside.run_id, model=model)  # not the model's experiment: copied, with lineage
    assert first.semver == "1.0.0" and first.run_id != outside.run_id
    assert first.tags["mlops.source_run"] == outside.run_id
    api.experiment(f"[model]{model}")  # GitLab's experiment of the model: its runs are candidates
    with api.start_run() as candidate:
        api.log_metric("acc", 0.95)
    second = api.promote(candidate.run_id, model=model)
    assert second.semver == "1.0.1" and second.run_id == candidate.run_id  # the run itself became the version
    with pytest.raises(Conflict, match="already version 1.0.1"):
        api.promote(candidate.run_id, model=model)


def test_a_failing_run_end_hook_is_one_line(mlops_mlflow, mlflow_server, capsys):
    api = mlops_mlflow

    def broken(run):
        raise RuntimeError("snapshot service down")

    api.on_run_end.append(broken)
    try:
        with api.start_run() as run:
            api.log_metric("m", 1.0)
    finally:
        api.on_run_end.remove(broken)
    err = capsys.readouterr().err
    assert "run-end hook 'broken' failed: RuntimeError: snapshot service down" in err and "Traceback" not in err
    assert get_run(mlflow_server.url, run.run_id)["info"]["status"] == "FINISHED"

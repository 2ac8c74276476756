"""The client (protocol + dialect + sync transport) against the real MLflow server and the
GitLab-dialect test server."""

from __future__ import annotations

import math
import uuid

import pytest

from jupyterlab_mlops.client import (
    Backend,
    BackendUnreachable,
    Conflict,
    InvalidInput,
    Metric,
    NotFound,
    Unauthorized,
    check_semver,
    detect_kind,
    next_semver,
)
from jupyterlab_mlops.client import flows
from jupyterlab_mlops.client.sync import SyncClient


def uniq(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(params=["mlflow", "gitlab"])
def client(request):
    if request.param == "mlflow":
        backend = Backend.from_uri(request.getfixturevalue("mlflow_server").url, name="ml")
    else:
        gl = request.getfixturevalue("gitlab_server")
        backend = Backend.from_uri(gl.tracking_uri, name="gl", token=gl.token)
    with SyncClient(backend, timeout=30) as c:
        yield c


def test_dialect_detection():
    assert detect_kind("https://gitlab.example.com/api/v4/projects/42/ml/mlflow") == "gitlab"
    assert detect_kind("https://gitlab.example.com/api/v4/projects/grp%2Fproj/ml/mlflow/") == "gitlab"
    assert detect_kind("http://127.0.0.1:5000") == "mlflow"
    b = Backend.from_uri("https://user:secret@host.example/mlflow")
    assert "secret" not in repr(b) and "secret" not in str(b.public()) and b.url == "https://host.example/mlflow"
    assert b.auth_headers()["Authorization"].startswith("Basic ")


def test_semver_rules():
    assert check_semver("1.2.3-rc.1+build.5") == "1.2.3-rc.1+build.5"
    for bad in ("v1.0.0", "1.0", "01.0.0", "1.0.0.0", ""):
        with pytest.raises(InvalidInput, match="semantic version"):
            check_semver(bad)
    assert next_semver(None) == "1.0.0"
    assert next_semver("1.4.9") == "1.4.10"
    assert next_semver("1.4.9", "minor") == "1.5.0"
    assert next_semver("1.4.9", "major") == "2.0.0"
    assert next_semver("2.0.0-rc.1") == "2.0.0"


def test_experiment_run_roundtrip(client):
    api = client.api
    name = uniq("exp")
    exp = client.drive(flows.get_or_create_experiment(api, name))
    again = client.drive(flows.get_or_create_experiment(api, name))
    assert exp.experiment_id == again.experiment_id
    run = client.run(api.create_run(exp.experiment_id, run_name="r1", tags={"team": "a"}))
    assert run.run_id and run.status == "RUNNING"
    points = [Metric("loss", 1.0 / (i + 1), 1_700_000_000_000 + i, i) for i in range(30)]
    client.run(api.log_batch(run.run_id, metrics=points, params={"lr": 0.01, "depth": 5}, tags={"k": "v"}))
    client.run(api.update_run(run.run_id, status="FINISHED", end_time=1_700_000_100_000))
    got = client.run(api.get_run(run.run_id))
    assert got.status == "FINISHED"
    assert got.params == {"lr": "0.01", "depth": "5"}
    assert got.tags["k"] == "v"
    assert math.isclose(got.metrics["loss"].value, 1.0 / 30) and got.metrics["loss"].step == 29
    history = client.drive(flows.metric_history(api, run.run_id, "loss"))
    assert [m.step for m in history] == list(range(30))
    page = client.run(api.search_runs([exp.experiment_id], max_results=10))
    assert [r.run_id for r in page.items] == [run.run_id]


def test_unknown_run_and_experiment_are_not_found(client):
    with pytest.raises(NotFound):
        client.run(client.api.get_run(uuid.uuid4().hex))
    with pytest.raises(NotFound):
        client.run(client.api.get_experiment_by_name(uniq("missing")))


def test_duplicate_experiment_is_conflict(client):
    name = uniq("dup")
    client.run(client.api.create_experiment(name))
    with pytest.raises(Conflict):
        client.run(client.api.create_experiment(name))


def test_model_version_semver_on_both_dialects(client):
    api = client.api
    name = uniq("model")
    client.run(api.create_registered_model(name, description="d"))
    # GitLab promotes only runs of the model's own "[model]<name>" experiment.
    exp_name = f"[model]{name}" if api.dialect.is_gitlab else uniq("reg")
    exp = client.drive(flows.get_or_create_experiment(api, exp_name))
    run = client.run(api.create_run(exp.experiment_id))
    v1 = client.run(
        api.create_model_version(
            name, run_id=run.run_id, source=f"runs:/{run.run_id}/model", semver="1.0.0", description="first"
        )
    )
    # MLflow needs the run behind a runs:/ source; GitLab links a run to one version only.
    v2 = client.run(
        api.create_model_version(
            name,
            semver="1.1.0",
            run_id=None if api.dialect.is_gitlab else run.run_id,
            source=f"runs:/{run.run_id}/model",
        )
    )
    assert v1.semver == "1.0.0" and v2.semver == "1.1.0"
    fetched = client.run(api.get_model_version(name, v1.version))
    assert fetched.semver == "1.0.0" and fetched.description == "first"
    latest = client.drive(flows.latest_model_version(api, name))
    assert latest.semver == "1.1.0"
    model = client.run(api.get_registered_model(name))
    assert model.creation_timestamp and model.creation_timestamp > 1_600_000_000_000  # ms on both


def test_gitlab_version_id_semver_split(gitlab_server):
    backend = Backend.from_uri(gitlab_server.tracking_uri, token=gitlab_server.token)
    with SyncClient(backend) as c:
        name = uniq("glm")
        c.run(c.api.create_registered_model(name))
        v = c.run(c.api.create_model_version(name, semver="2.3.4"))
        assert v.version == "2.3.4" and v.version_id != "2.3.4" and v.version_id.isdigit()
        with pytest.raises(InvalidInput):
            c.run(c.api.create_model_version(name, semver="not-semver"))


def test_gitlab_bad_token_says_what_is_missing(gitlab_server):
    backend = Backend.from_uri(gitlab_server.tracking_uri, token="glpat-wrong")
    with SyncClient(backend) as c, pytest.raises(Unauthorized, match="api' scope"):
        c.run(c.api.search_experiments(max_results=1))


def test_artifacts_roundtrip_and_traversal(client):
    api = client.api
    exp = client.drive(flows.get_or_create_experiment(api, uniq("art")))
    run = client.run(api.create_run(exp.experiment_id))
    client.run(api.upload_artifact(run.artifact_uri, "notes.txt", b"hello"))
    files = client.run(api.list_artifacts(run.artifact_uri))
    assert [f.path for f in files] == ["notes.txt"]
    assert client.run(api.download_artifact(run.artifact_uri, "notes.txt")) == b"hello"
    with pytest.raises(InvalidInput):
        api.download_artifact(run.artifact_uri, "../../etc/passwd")


def test_unreachable_backend_is_typed():
    with SyncClient(Backend.from_uri("http://127.0.0.1:9"), timeout=2, connect_timeout=1) as c:
        with pytest.raises(BackendUnreachable, match="unreachable"):
            c.run(c.api.search_experiments())

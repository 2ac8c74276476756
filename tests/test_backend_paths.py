"""Every URL towards a backend is composed by one function (``client.paths.backend_url``), which refuses dot
segments, double encoding and other hosts in any part, the parts a backend returned included."""

from __future__ import annotations

import json

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_mlops.client.errors import BackendError
from jupyterlab_mlops.client.paths import artifact_root, backend_url, checked_url, path_problem

from .mlflow_fixture import MlflowRest, unique

BASE = "http://mlflow.internal:5000"


@pytest.mark.parametrize(
    "path",
    [
        "api/2.0/mlflow-artifacts/artifacts/1/../../x",
        "api/2.0/mlflow-artifacts/artifacts/1/%2e%2e/x",  # decoded once: "..", a dot segment
        "api/2.0/mlflow-artifacts/artifacts/1/%252e%252e/x",  # decoded once: "%2e%2e", encoded twice
        "api/2.0/mlflow-artifacts/artifacts/1/a%5Cb",
        "api/2.0/mlflow-artifacts/artifacts/1/a%00b",
        "api/2.0/mlflow/./runs/get",
    ],
)
def test_backend_url_refuses_paths_that_mean_something_else(path):
    with pytest.raises(BackendError) as err:
        backend_url(BASE, path)
    assert err.value.status == 502 and err.value.reason == "unsafe_location"
    assert "mlflow.internal" in err.value.message


@pytest.mark.parametrize(
    "url",
    [
        "http://elsewhere.example/api/2.0/mlflow/runs/get",
        "http://mlflow.internal:5001/api/2.0/mlflow/runs/get",  # another port is another origin
        "https://mlflow.internal:5000/api/2.0/mlflow/runs/get",
        "http://user:pw@mlflow.internal:5000/api/2.0/mlflow/runs/get",
        "file:///etc/passwd",
    ],
)
def test_absolute_urls_stay_on_the_backends_origin(url):
    with pytest.raises(BackendError):
        backend_url(BASE, url, absolute=True)


def test_plain_urls_pass_unchanged():
    assert backend_url(BASE + "/", "api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/model%20(1).pkl") == (
        f"{BASE}/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/model%20(1).pkl"
    )
    assert backend_url(
        BASE, f"{BASE}/api/v4/projects/1/packages/ml_models/candidate:3/files/a.txt", absolute=True
    ).endswith("candidate:3/files/a.txt")
    assert checked_url("https://bucket.s3.example/obj?X-Amz-Signature=abc") == (
        "https://bucket.s3.example/obj?X-Amz-Signature=abc"
    )  # a redirect target on another host: no base


@pytest.mark.parametrize(
    "uri",
    [
        "mlflow-artifacts:/../../../../x",
        "mlflow-artifacts:/1/r/artifacts/../../../x",
        "mlflow-artifacts:/1/%2e%2e/x",
        "mlflow-artifacts:/1/r\\..\\x",
    ],
)
def test_artifact_roots_from_the_backend_are_checked(uri):
    with pytest.raises(BackendError) as err:
        artifact_root(uri)
    assert "refused" in err.value.message


def test_path_problem_names_what_is_wrong():
    assert path_problem("a/b/c.txt") is None
    assert path_problem("100%.txt") is None
    assert "dot segments" in (path_problem("a/../b") or "")
    assert "twice" in (path_problem("a/%2F/b") or "")
    assert "control" in (path_problem("a\nb") or "")


async def _error(jp_fetch, *parts: str, **params: str) -> tuple[int, dict]:
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch("jupyterlab-mlops", *parts, params=params or None)
    return err.value.code, json.loads(err.value.response.body)


async def test_run_whose_artifact_uri_escapes_is_refused_not_fetched(jp_fetch, mlflow_rest: MlflowRest):
    """A shared MLflow accepts ``mlflow-artifacts:/../../../../x`` as an experiment's artifact location; our
    routes refuse to send credentialed requests there and say why."""
    exp = mlflow_rest.post(
        "experiments/create", {"name": unique("evil"), "artifact_location": "mlflow-artifacts:/../../../../x"}
    )
    run_id = mlflow_rest.create_run(exp["experiment_id"])["info"]["run_id"]
    for parts, params in (
        (("runs", run_id, "artifacts"), {}),
        (("runs", run_id, "artifacts", "download"), {"path": "model.pkl"}),
    ):
        code, body = await _error(jp_fetch, "backends", "default", *parts, **params)
        assert code == 502 and body["reason"] == "unsafe_location", body
        assert "dot segments" in body["message"]
    name = unique("evil-model")
    mlflow_rest.create_registered_model(name)
    mlflow_rest.create_model_version(name, run_id)  # source runs:/<run>/model: valid, the run's location is not
    code, body = await _error(
        jp_fetch, "backends", "default", "models", name, "versions", "1", "artifacts", "download", path="MLmodel"
    )
    assert code == 502 and body["reason"] == "unsafe_location", body

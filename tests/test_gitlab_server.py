"""The GitLab stand-in follows /work/shared/GITLAB_API.md. Plain ``requests`` only: no jupyterlab_mlops code."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from .gitlab_server import GitLabServer
from .mlflow_fixture import MlflowRest, MlflowServer, unique


class GL:
    """Tiny client for the stand-in's MLflow API."""

    def __init__(self, server: GitLabServer) -> None:
        self.server = server
        self.s = requests.Session()

    def call(self, method: str, path: str, token: str | None = None, **kw: Any) -> requests.Response:
        url = path if path.startswith("http") else f"{self.server.api_url}/{path}"
        headers = kw.pop("headers", None) or ({} if token == "" else self.server.headers(token))
        return self.s.request(method, url, headers=headers, timeout=30, **kw)

    def ok(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        r = self.call(method, path, **kw)
        assert r.status_code == 200, (r.status_code, r.text)
        return r.json()

    def experiment(self, name: str | None = None) -> str:
        return self.ok("POST", "experiments/create", json={"name": name or unique("exp")})["experiment_id"]

    def run(self, exp_id: str, **body: Any) -> dict[str, Any]:
        return self.ok("POST", "runs/create", json={"experiment_id": exp_id, **body})["run"]

    def model(self, name: str | None = None) -> str:
        name = name or unique("model")
        self.ok("POST", "registered-models/create", json={"name": name})
        return name

    def version(self, model: str, **body: Any) -> dict[str, Any]:
        return self.ok("POST", "model-versions/create", json={"name": model, **body})["model_version"]


@pytest.fixture
def gl(gitlab_server: GitLabServer) -> GL:
    return GL(gitlab_server)


# --- routing and auth ----------------------------------------------------------------------------


def test_tracking_uri_shape(gitlab_server: GitLabServer) -> None:
    assert gitlab_server.tracking_uri == f"{gitlab_server.base_url}/api/v4/projects/42/ml/mlflow"
    assert gitlab_server.token == "glpat-test-token-0123456789"


def test_unknown_routes_are_gitlab_404(gl: GL, gitlab_server: GitLabServer) -> None:
    for url in (
        f"{gitlab_server.base_url}/nope",
        f"{gitlab_server.base_url}/api/2.0/mlflow/experiments/list",
        f"{gitlab_server.api_url}/experiments/nope",
    ):
        r = gl.call("GET", url)
        assert (r.status_code, r.json()) == (404, {"message": "404 Not Found"})


@pytest.mark.parametrize(
    "method,path",
    [
        ("POST", "experiments/update"),
        ("POST", "experiments/restore"),
        ("POST", "runs/restore"),
        ("POST", "runs/delete-tag"),
        ("POST", "runs/log-inputs"),
        ("POST", "runs/log-model"),
        ("GET", "artifacts/list"),
        ("POST", "registered-models/rename"),
        ("POST", "registered-models/set-tag"),
        ("DELETE", "registered-models/delete-tag"),
        ("POST", "registered-models/alias"),
        ("DELETE", "registered-models/alias"),
        ("DELETE", "model-versions/delete"),
        ("GET", "model-versions/search"),
        ("POST", "model-versions/set-tag"),
        ("DELETE", "model-versions/delete-tag"),
        ("POST", "model-versions/transition-stage"),
        ("POST", "logged-models"),
        ("POST", "logged-models/search"),
        ("GET", "traces"),
    ],
)
def test_not_implemented_endpoints_404(gl: GL, method: str, path: str) -> None:
    assert gl.call(method, path, json={}).status_code == 404


def test_auth_required(gl: GL, gitlab_server: GitLabServer) -> None:
    for headers in ({}, {"Authorization": "Bearer glpat-wrong"}, {"Authorization": gitlab_server.token}):
        r = gl.call("GET", "experiments/list", headers=headers or {"X": "y"})
        assert (r.status_code, r.json()) == (401, {"message": "401 Unauthorized"})
    assert gl.call("GET", "experiments/list", headers={"PRIVATE-TOKEN": gitlab_server.token}).status_code == 200


def test_read_api_token_reads_but_gets_403_on_every_post(gl: GL, gitlab_server: GitLabServer) -> None:
    rt = gitlab_server.read_token
    assert gl.call("GET", "experiments/list", token=rt).status_code == 200
    for path, body in (
        ("experiments/search", {"max_results": 1}),
        ("runs/search", {"experiment_ids": ["1"]}),
        ("registered-models/get-latest-versions", {"name": "x"}),
        ("experiments/create", {"name": "x"}),
    ):
        r = gl.call("POST", path, token=rt, json=body)
        assert r.status_code == 403, path
        assert r.json()["error"] == "insufficient_scope"
    assert gl.call("PATCH", "registered-models/update", token=rt, json={"name": "x"}).status_code == 403
    assert gl.call("DELETE", "registered-models/delete", token=rt, json={"name": "x"}).status_code == 403


def test_guest_reads_but_writes_get_401(gl: GL, gitlab_server: GitLabServer) -> None:
    assert gl.call("GET", "experiments/list", token=gitlab_server.guest_token).status_code == 200
    r = gl.call("POST", "experiments/create", token=gitlab_server.guest_token, json={"name": unique()})
    assert (r.status_code, r.json()) == (401, {"message": "401 Unauthorized"})


def test_project_by_encoded_path_and_unknown_project(gl: GL, gitlab_server: GitLabServer) -> None:
    exp = gl.experiment()
    r = gl.call("GET", f"{gitlab_server.tracking_uri_by_path}/api/2.0/mlflow/experiments/get?experiment_id={exp}")
    assert r.status_code == 200 and r.json()["experiment"]["experiment_id"] == exp
    other = gitlab_server.tracking_uri.replace("/42/", "/43/")
    r = gl.call("GET", f"{other}/api/2.0/mlflow/experiments/list")
    assert (r.status_code, r.json()) == (404, {"message": "404 Project Not Found"})


# --- experiments -------------------------------------------------------------------------------


def test_experiment_entity_and_errors(gl: GL) -> None:
    name = unique("exp")
    exp_id = gl.experiment(name)
    e = gl.ok("GET", "experiments/get", params={"experiment_id": exp_id})["experiment"]
    assert e == {
        "experiment_id": exp_id,
        "name": name,
        "lifecycle_stage": "active",
        "artifact_location": "not_implemented",
        "tags": [],
    }
    assert gl.ok("GET", "experiments/get-by-name", params={"experiment_name": name})["experiment"] == e
    r = gl.call("POST", "experiments/create", json={"name": name})
    assert (r.status_code, r.json()) == (400, {"error_code": "RESOURCE_ALREADY_EXISTS"})
    r = gl.call("GET", "experiments/get", params={"experiment_id": "0"})  # no MLflow "Default" on GitLab
    assert (r.status_code, r.json()) == (404, {"error_code": "RESOURCE_DOES_NOT_EXIST"})
    assert gl.call("POST", "experiments/create", json={}).json() == {"error": "name is missing"}


def test_experiment_tag_cannot_be_overwritten(gl: GL) -> None:
    exp_id = gl.experiment()
    gl.ok("POST", "experiments/set-experiment-tag", json={"experiment_id": exp_id, "key": "k", "value": "1"})
    r = gl.call("POST", "experiments/set-experiment-tag", json={"experiment_id": exp_id, "key": "k", "value": "2"})
    assert r.status_code == 400
    tags = gl.ok("GET", "experiments/get", params={"experiment_id": exp_id})["experiment"]["tags"]
    assert tags == [{"key": "k", "value": "1"}]


def test_experiments_search_ignores_filter_and_pages_with_keyset_tokens(gl: GL) -> None:
    mine = {gl.experiment() for _ in range(3)}
    body = {"max_results": 2, "filter": "name = 'does-not-exist'", "order_by": "created_at DESC"}
    first = gl.ok("POST", "experiments/search", json=body)
    assert len(first["experiments"]) == 2 and first["next_page_token"]
    assert {e["experiment_id"] for e in first["experiments"]} <= mine  # newest first, filter ignored
    seen: list[str] = []
    token = None
    while True:
        page = gl.ok(
            "POST", "experiments/search", json={"max_results": 2, "page_token": token} if token else {"max_results": 2}
        )
        seen += [e["experiment_id"] for e in page["experiments"]]
        token = page["next_page_token"]
        if token is None:
            break
    assert len(seen) == len(set(seen)) and mine <= set(seen)
    assert "next_page_token" in page and page["next_page_token"] is None
    everything = gl.ok("POST", "experiments/search", json={"max_results": 5000})
    assert len(everything["experiments"]) == len(seen)  # capped at 1000, not an error


def test_default_is_an_ordinary_experiment_name_on_gitlab(gl: GL) -> None:
    """GitLab has no MLflow "Default" experiment 0, so a project may create one named "Default"."""
    found = gl.call("GET", "experiments/get-by-name", params={"experiment_name": "Default"})
    exp_id = found.json()["experiment"]["experiment_id"] if found.status_code == 200 else gl.experiment("Default")
    assert exp_id != "0"
    e = gl.ok("GET", "experiments/get", params={"experiment_id": exp_id})["experiment"]
    assert e["name"] == "Default"
    assert gl.ok("GET", "experiments/get-by-name", params={"experiment_name": "Default"})["experiment"] == e
    assert e in gl.ok("GET", "experiments/list")["experiments"]
    r = gl.call("POST", "experiments/create", json={"name": "Default"})
    assert (r.status_code, r.json()) == (400, {"error_code": "RESOURCE_ALREADY_EXISTS"})


def test_deleted_experiment_is_gone_and_its_name_reusable(gl: GL) -> None:
    name = unique("exp")
    exp_id = gl.experiment(name)
    gl.ok("POST", "experiments/delete", json={"experiment_id": exp_id})
    assert gl.call("GET", "experiments/get", params={"experiment_id": exp_id}).status_code == 404
    assert gl.experiment(name) != exp_id


# --- runs --------------------------------------------------------------------------------------


def test_run_entity_shape(gl: GL, gitlab_server: GitLabServer) -> None:
    exp_id = gl.experiment()
    run = gl.run(exp_id, run_name="r1", start_time=1234)
    info = run["info"]
    iid = gitlab_server.candidate_iid(info["run_id"])
    package = f"{gitlab_server.project_url}/packages/ml_models/candidate:{iid}/files/"
    assert info == {
        "run_id": info["run_id"],
        "run_uuid": info["run_id"],
        "experiment_id": exp_id,
        "start_time": 1234,
        "run_name": "r1",
        "status": "RUNNING",
        "artifact_uri": package,
        "lifecycle_stage": "active",
        "user_id": "1",
    }  # C5: no package yet
    assert run["data"] == {"metrics": [], "params": [], "tags": []}  # no mlflow.runName tag added
    gl.ok("POST", "runs/set-tag", json={"run_id": info["run_id"], "key": "mlflow.runName", "value": "r1b"})
    assert (
        gl.call(
            "POST", "runs/set-tag", json={"run_id": info["run_id"], "key": "mlflow.runName", "value": "r1c"}
        ).status_code
        == 400
    )
    upd = gl.ok(
        "POST",
        "runs/update",
        json={"run_id": info["run_id"], "status": "FINISHED", "end_time": 5678, "run_name": "renamed"},
    )["run_info"]
    assert upd["status"] == "FINISHED" and upd["end_time"] == 5678 and upd["run_name"] == "r1b"
    r = gl.call("POST", "runs/create", json={"experiment_id": "999999"})
    assert (r.status_code, r.json()) == (404, {"error_code": "RESOURCE_DOES_NOT_EXIST"})
    assert gl.call("GET", "runs/get", params={"run_id": "nope"}).status_code == 404


def test_params_and_tags_are_write_once_log_batch_skips_duplicates(gl: GL) -> None:
    run_id = gl.run(gl.experiment())["info"]["run_id"]
    gl.ok("POST", "runs/log-parameter", json={"run_id": run_id, "key": "lr", "value": "0.1"})
    r = gl.call("POST", "runs/log-parameter", json={"run_id": run_id, "key": "lr", "value": "0.1"})
    assert r.status_code == 400 and r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    gl.ok("POST", "runs/set-tag", json={"run_id": run_id, "key": "t", "value": "a"})
    assert gl.call("POST", "runs/set-tag", json={"run_id": run_id, "key": "t", "value": "b"}).status_code == 400
    gl.ok(
        "POST",
        "runs/log-batch",
        json={
            "run_id": run_id,
            "params": [{"key": "lr", "value": "0.2"}, {"key": "bs", "value": "32"}, {"key": "bs", "value": "64"}],
            "tags": [{"key": "t", "value": "c"}, {"key": "u", "value": "d"}],
        },
    )
    data = gl.ok("GET", "runs/get", params={"run_id": run_id})["run"]["data"]
    assert sorted((p["key"], p["value"]) for p in data["params"]) == [("bs", "32"), ("lr", "0.1")]
    assert {"key": "t", "value": "a"} in data["tags"] and {"key": "u", "value": "d"} in data["tags"]
    r = gl.call("POST", "runs/log-metric", json={"run_id": run_id, "key": "m", "value": 1.0})
    assert (r.status_code, r.json()) == (400, {"error": "timestamp is missing"})


def test_c1_runs_get_and_search_return_the_latest_metric_value_per_key(gl: GL) -> None:
    """``latest_metrics``: DISTINCT ON (candidate_id, name) ORDER BY id DESC, i.e. the LAST LOGGED row per key
    (candidate_metric.rb), whatever its step; the full series only through metrics/get-history."""
    exp = gl.experiment()
    run_id = gl.run(exp)["info"]["run_id"]
    gl.ok(
        "POST",
        "runs/log-batch",
        json={
            "run_id": run_id,
            "metrics": [{"key": "loss", "value": 1.0 / (s + 1), "timestamp": 1000 + s, "step": s} for s in range(5)]
            + [{"key": "acc", "value": 0.9, "timestamp": 2000, "step": 0}],
        },
    )
    gl.ok(
        "POST", "runs/log-metric", json={"run_id": run_id, "key": "loss", "value": 0.01, "timestamp": 3000, "step": 5}
    )
    metrics = gl.ok("GET", "runs/get", params={"run_id": run_id})["run"]["data"]["metrics"]
    assert sorted(metrics, key=lambda m: m["key"]) == [
        {"key": "acc", "value": 0.9, "timestamp": 2000, "step": 0},
        {"key": "loss", "value": 0.01, "timestamp": 3000, "step": 5},
    ]
    searched = gl.ok("POST", "runs/search", json={"experiment_ids": [exp]})["runs"][0]["data"]["metrics"]
    assert sorted(searched, key=lambda m: m["key"]) == sorted(metrics, key=lambda m: m["key"])
    history = gl.ok("GET", "metrics/get-history", params={"run_id": run_id, "metric_key": "loss"})["metrics"]
    assert [m["step"] for m in history] == [0, 1, 2, 3, 4, 5]
    # the last logged row wins even when its step is lower (row id, not step)
    gl.ok("POST", "runs/log-metric", json={"run_id": run_id, "key": "loss", "value": 7.0, "timestamp": 500, "step": 2})
    latest = gl.ok("GET", "runs/get", params={"run_id": run_id})["run"]["data"]["metrics"]
    assert [(m["value"], m["step"]) for m in latest if m["key"] == "loss"] == [(7.0, 2)]


def test_metric_history_pages_and_can_be_switched_off(gl: GL, gitlab_server: GitLabServer) -> None:
    run_id = gl.run(gl.experiment())["info"]["run_id"]
    gl.ok(
        "POST",
        "runs/log-batch",
        json={
            "run_id": run_id,
            "metrics": [{"key": "loss", "value": float(s), "timestamp": 1000 + s, "step": s} for s in (3, 1, 2, 0)],
        },
    )
    page1 = gl.ok("GET", "metrics/get-history", params={"run_id": run_id, "metric_key": "loss", "max_results": 3})
    assert [m["step"] for m in page1["metrics"]] == [0, 1, 2] and page1["next_page_token"]
    page2 = gl.ok(
        "GET",
        "metrics/get-history",
        params={"run_id": run_id, "metric_key": "loss", "page_token": page1["next_page_token"]},
    )
    assert [m["step"] for m in page2["metrics"]] == [3] and page2["next_page_token"] is None
    gitlab_server.metrics_history_supported = False
    r = gl.call("GET", "metrics/get-history", params={"run_id": run_id, "metric_key": "loss"})
    assert (r.status_code, r.json()) == (404, {"message": "404 Not Found"})


def test_runs_search_uses_first_experiment_only_and_has_no_filter(gl: GL) -> None:
    e1, e2 = gl.experiment(), gl.experiment()
    r1 = [gl.run(e1, run_name=f"a{i}", start_time=1000 + i)["info"]["run_id"] for i in range(3)]
    gl.run(e2, run_name="b")
    res = gl.ok(
        "POST",
        "runs/search",
        json={"experiment_ids": [e1, e2], "filter": "attributes.run_name = 'b'", "max_results": 10},
    )
    assert [r["info"]["run_id"] for r in res["runs"]] == r1[::-1]  # created_at DESC, e2 and filter ignored
    assert res["next_page_token"] is None
    r = gl.call("POST", "runs/search", json={"experiment_ids": [e1], "order_by": ["attributes.start_time DESC"]})
    assert r.status_code == 400  # order_by is a single String on GitLab
    assert gl.call("POST", "runs/search", json={}).json() == {"error": "experiment_ids is missing"}


def test_runs_search_order_by_metric_name_and_pagination(gl: GL) -> None:
    exp = gl.experiment()
    ids = []
    for i, acc in enumerate([0.5, 0.9, 0.7]):
        run_id = gl.run(exp, run_name=f"r{i}", start_time=1000 + i)["info"]["run_id"]
        gl.ok("POST", "runs/log-metric", json={"run_id": run_id, "key": "acc", "value": acc, "timestamp": 1})
        ids.append(run_id)
    gl.run(exp, run_name="no-metric", start_time=999)

    def search(**body: Any) -> dict[str, Any]:
        return gl.ok("POST", "runs/search", json={"experiment_ids": [exp], **body})

    by_acc = search(order_by="metrics.acc DESC")
    assert [r["info"]["run_id"] for r in by_acc["runs"]] == [ids[1], ids[2], ids[0]]
    assert search(order_by="metrics.missing DESC")["runs"] == []
    assert [r["info"]["run_name"] for r in search(order_by="name ASC")["runs"]] == ["no-metric", "r0", "r1", "r2"]
    assert [r["info"]["run_name"] for r in search(order_by="name")["runs"]] == ["r2", "r1", "r0", "no-metric"]
    assert len(search(order_by="params.lr ASC")["runs"]) == 4  # params/tags ordering falls back to default
    pages, token = [], None
    while True:
        res = search(max_results=3, **({"page_token": token} if token else {}))
        pages.append([r["info"]["run_name"] for r in res["runs"]])
        token = res["next_page_token"]
        if not token:
            break
    assert pages == [["no-metric", "r2", "r1"], ["r0"]]  # C10: created_at DESC, though no-metric started first


def test_seeded_mlflow_data_is_visible_through_gitlab(gl: GL, mlflow_rest: MlflowRest) -> None:
    exp = mlflow_rest.create_experiment()
    run = mlflow_rest.create_run(exp, run_name="seeded")
    mlflow_rest.log_batch(run["info"]["run_id"], {"m": 1.0}, params={"p": "1"})
    got = gl.ok("GET", "runs/get", params={"run_id": run["info"]["run_id"]})["run"]
    assert got["info"]["run_name"] == "seeded" and got["data"]["params"] == [{"key": "p", "value": "1"}]
    assert "/packages/ml_models/candidate:" in got["info"]["artifact_uri"]  # C5: HTTP until the first upload


# --- registry ----------------------------------------------------------------------------------


def test_registered_model_create_rules(gl: GL) -> None:
    name = gl.model()
    m = gl.ok("GET", "registered-models/get", params={"name": name})["registered_model"]
    assert m["name"] == name and m["latest_versions"] == [] and m["creation_timestamp"] < 10_000_000_000
    assert gl.ok("GET", "experiments/get-by-name", params={"experiment_name": f"[model]{name}"})
    for bad in (name, "has space", "bad!name"):
        r = gl.call("POST", "registered-models/create", json={"name": bad})
        assert (r.status_code, r.json()) == (400, {"error_code": "RESOURCE_ALREADY_EXISTS"}), bad
    assert gl.call("GET", "registered-models/get", params={"name": unique()}).status_code == 404
    upd = gl.ok("PATCH", "registered-models/update", json={"name": name, "description": "d"})
    assert upd["registered_model"]["description"] == "d"


def test_model_versions_semver_and_id_split(gl: GL, gitlab_server: GitLabServer) -> None:
    name = gl.model()
    before = int(time.time())
    v1 = gl.version(name)
    v2 = gl.version(name, tags=[{"key": "gitlab.version", "value": "2.0.0"}])
    v3 = gl.version(name)
    assert [v["aliases"] for v in (v1, v2, v3)] == [["1.0.0"], ["2.0.0"], ["2.0.1"]]
    assert all(v["version"].isdigit() and v["version"] != v["aliases"][0] for v in (v1, v2, v3))
    assert before - 1 <= v1["creation_timestamp"] <= int(time.time()) + 1  # SECONDS
    assert v1["current_stage"] == "development" and v1["status"] == "READY" and v1["user_id"] is None
    assert v1["source"].startswith(f"{gitlab_server.base_url}/group/project/-/ml/models/")
    # get/update take the semver; the numeric version gives 404
    got = gl.ok("GET", "model-versions/get", params={"name": name, "version": "2.0.0"})["model_version"]
    assert got["version"] == v2["version"]
    r = gl.call("GET", "model-versions/get", params={"name": name, "version": v2["version"]})
    assert (r.status_code, r.json()) == (404, {"error_code": "RESOURCE_DOES_NOT_EXIST"})
    upd = gl.ok("PATCH", "model-versions/update", json={"name": name, "version": "1.0.0", "description": "x"})
    assert upd["model_version"]["description"] == "x"
    r = gl.call("PATCH", "model-versions/update", json={"name": name, "version": v1["version"], "description": "x"})
    assert (r.status_code, r.json()) == (400, {"error_code": "UPDATE_FAILED"})
    # get-download-uri takes the integer id
    uri = gl.ok("GET", "model-versions/get-download-uri", params={"name": name, "version": v1["version"]})
    assert uri == {"artifact_uri": f"mlflow-artifacts:/{v1['version']}"}
    by_semver = gl.call("GET", "model-versions/get-download-uri", params={"name": name, "version": "1.0.0"})
    assert by_semver.status_code == 400
    # latest = highest semver; latest_versions = ALL versions; alias = semver
    latest = gl.ok("POST", "registered-models/get-latest-versions", json={"name": name, "stages": ["None"]})
    assert [v["aliases"][0] for v in latest["model_versions"]] == ["2.0.1"]
    m = gl.ok("GET", "registered-models/get", params={"name": name})["registered_model"]
    assert [v["aliases"][0] for v in m["latest_versions"]] == ["1.0.0", "2.0.0", "2.0.1"]
    alias = gl.ok("GET", "registered-models/alias", params={"name": name, "alias": "2.0.0"})
    assert alias["model_version"]["version"] == v2["version"]
    # invalid / duplicate semver
    for bad, msg in (("v1.0", "Version must be semantic version"), ("2.0.0", "Version has already been taken")):
        r = gl.call(
            "POST", "model-versions/create", json={"name": name, "tags": [{"key": "gitlab.version", "value": bad}]}
        )
        assert r.status_code == 400 and r.json() == {"error_code": "INVALID_PARAMETER_VALUE", "message": [msg]}


def test_each_version_gets_its_own_backing_run_unless_promoted(gl: GL, gitlab_server: GitLabServer) -> None:
    name = gl.model()
    model_exp = gl.ok("GET", "experiments/get-by-name", params={"experiment_name": f"[model]{name}"})["experiment"]
    other_run = gl.run(gl.experiment())["info"]["run_id"]
    r = gl.call("POST", "model-versions/create", json={"name": name, "run_id": other_run})
    assert r.status_code == 400 and r.json()["message"] == ["Run's experiment does not belong to this model"]
    cand = gl.run(model_exp["experiment_id"])["info"]["run_id"]
    v1 = gl.version(name, run_id=cand)
    assert v1["run_id"] == cand
    r = gl.call("POST", "model-versions/create", json={"name": name, "run_id": cand})
    assert r.json()["message"] == ["Run has already a model version"]
    r = gl.call("POST", "runs/delete", json={"run_id": cand})
    assert (r.status_code, r.json()) == (400, {"message": "Cannot delete a candidate associated to a model version"})
    info = gl.ok("GET", "runs/get", params={"run_id": cand})["run"]["info"]
    assert info["artifact_uri"] == f"{gitlab_server.project_url}/packages/ml_models/{v1['version']}/files/"
    gitlab_server.supports_run_promotion = False
    cand2 = gl.run(model_exp["experiment_id"])["info"]["run_id"]
    v2 = gl.version(name, run_id=cand2)
    assert v2["run_id"] not in (cand, cand2)
    backing = gl.ok("GET", "runs/get", params={"run_id": v2["run_id"]})["run"]["info"]
    assert backing["experiment_id"] == model_exp["experiment_id"]
    r = gl.call("POST", "experiments/delete", json={"experiment_id": model_exp["experiment_id"]})
    assert r.status_code == 400


def test_registered_models_search_filter(gl: GL) -> None:
    tag = unique("srch")
    names = [gl.model(f"{tag}-{i}") for i in range(3)]
    res = gl.ok("GET", "registered-models/search", params={"filter": f"name='{tag}'", "max_results": 2})
    assert [m["name"] for m in res["registered_models"]] == names[:2] and res["next_page_token"]
    res2 = gl.ok(
        "GET",
        "registered-models/search",
        params={"filter": f"name='{tag}'", "max_results": 2, "page_token": res["next_page_token"]},
    )
    assert [m["name"] for m in res2["registered_models"]] == names[2:] and res2["next_page_token"] is None
    # MLflow 3's client appends "AND tag.`mlflow.prompt.is_prompt` != 'true'": GitLab's split('=') then
    # searches for a garbage substring and finds nothing
    mlflow3 = f"name='{tag}' AND tag.`mlflow.prompt.is_prompt` != 'true'"
    assert gl.ok("GET", "registered-models/search", params={"filter": mlflow3})["registered_models"] == []
    assert len(gl.ok("GET", "registered-models/search", params={"filter": "name="})["registered_models"]) >= 3
    for bad in (f"name LIKE '%{tag}%'", "tags.x='1'", f"name = '{tag}'", ""):
        r = gl.call("GET", "registered-models/search", params={"filter": bad})
        assert (r.status_code, r.json()) == (
            400,
            {
                "error_code": "INVALID_PARAMETER_VALUE",
                "message": "Invalid attribute key specified. Valid keys are '{'name'}'",
            },
        ), bad


def test_registered_model_delete_removes_versions_and_experiment(gl: GL) -> None:
    name = gl.model()
    gl.version(name)
    gl.ok("DELETE", "registered-models/delete", json={"name": name})
    assert gl.call("GET", "registered-models/get", params={"name": name}).status_code == 404
    assert gl.call("GET", "experiments/get-by-name", params={"experiment_name": f"[model]{name}"}).status_code == 404
    assert gl.call("DELETE", "registered-models/delete", json={"name": name}).status_code == 404


# --- artifacts ---------------------------------------------------------------------------------


def test_package_upload_and_flat_artifact_listing(gl: GL, gitlab_server: GitLabServer) -> None:
    name = gl.model()
    vid = gl.version(name)["version"]
    for fname, data in (("model.pkl", b"\x00\x01"), ("conf/params.json", b"{}"), ("a b+c.txt", b"x")):
        r = gl.call("PUT", gitlab_server.package_file_url(vid, fname), data=data)
        assert r.status_code == 201, r.text
    listing = gl.ok("GET", gitlab_server.artifacts_url, params={"path": vid})
    assert sorted(f["path"] for f in listing["files"]) == ["a%20b%2Bc.txt", "conf%2Fparams.json", "model.pkl"]
    assert all(f["is_dir"] is False for f in listing["files"])
    assert {f["path"]: f["file_size"] for f in listing["files"]}["model.pkl"] == 2
    assert gl.ok("GET", gitlab_server.artifacts_url, params={"path": f"{vid}/conf"}) == {"files": []}
    r = gl.call("GET", f"{gitlab_server.artifacts_url}/{vid}/model.pkl")
    assert r.status_code == 200 and r.content == b"\x00\x01"
    assert gl.call("GET", f"{gitlab_server.artifacts_url}/{vid}/conf%2Fparams.json").content == b"{}"
    assert gl.call("GET", f"{gitlab_server.artifacts_url}/{vid}/missing.bin").status_code == 404
    assert gl.call("GET", gitlab_server.package_file_url(vid, "model.pkl")).content == b"\x00\x01"
    for bad in ("bad%2F..%2Fx.txt", "bad$name.txt"):
        assert gl.call("PUT", gitlab_server.package_file_url(vid, bad), data=b"x").status_code == 400, bad
    for token in (gitlab_server.read_token, gitlab_server.guest_token):
        assert gl.call("PUT", gitlab_server.package_file_url(vid, "y.txt"), token=token, data=b"x").status_code == 403
    assert gl.call("PUT", gitlab_server.package_file_url(vid, "y.txt"), token="", data=b"x").status_code == 401


def test_candidate_artifacts_follow_the_run_into_its_model_version(gl: GL, gitlab_server: GitLabServer) -> None:
    name = gl.model()
    exp = gl.ok("GET", "experiments/get-by-name", params={"experiment_name": f"[model]{name}"})["experiment"]
    run = gl.run(exp["experiment_id"])
    ref = run["info"]["artifact_uri"].rstrip("/").rsplit("/", 2)[-2]  # .../ml_models/candidate:<iid>/files/
    assert ref.startswith("candidate:")
    assert gl.call("PUT", gitlab_server.package_file_url(ref, "weights.bin"), data=b"w").status_code == 201
    after = gl.ok("GET", "runs/get", params={"run_id": run["info"]["run_id"]})["run"]["info"]["artifact_uri"]
    assert after == f"mlflow-artifacts:/{ref}"  # C5: the mlflow-artifacts form once the package exists
    assert [f["path"] for f in gl.ok("GET", gitlab_server.artifacts_url, params={"path": ref})["files"]] == [
        "weights.bin"
    ]
    assert gl.call("GET", f"{gitlab_server.artifacts_url}/{ref}/weights.bin").content == b"w"
    vid = gl.version(name, run_id=run["info"]["run_id"])["version"]
    assert [f["path"] for f in gl.ok("GET", gitlab_server.artifacts_url, params={"path": vid})["files"]] == [
        "weights.bin"
    ]
    assert gl.call("GET", gitlab_server.artifacts_url, params={"path": "candidate:999999"}).status_code == 404


# --- fault knobs and the MLflow fixture ----------------------------------------------------------


def test_outage_and_latency_knobs(gl: GL, gitlab_server: GitLabServer) -> None:
    gitlab_server.outage = 502
    r = gl.call("GET", "experiments/list")
    assert r.status_code == 502 and r.headers["Content-Type"].startswith("text/html")
    gitlab_server.outage = None
    gitlab_server.latency = 0.3
    t0 = time.monotonic()
    assert gl.call("GET", "experiments/list").status_code == 200
    assert time.monotonic() - t0 >= 0.3
    gitlab_server.clear_requests()
    gl.call("GET", "experiments/list")
    assert [(e["method"], e["status"]) for e in gitlab_server.requests] == [("GET", 200)]


def test_mlflow_restart_keeps_port_and_data(gl: GL, mlflow_server: MlflowServer, mlflow_rest: MlflowRest) -> None:
    exp = mlflow_rest.create_experiment()
    url, pid = mlflow_server.url, mlflow_server.pid
    mlflow_server.stop()
    assert not mlflow_server.running and not mlflow_server.healthy()
    r = gl.call("GET", "experiments/get", params={"experiment_id": exp})
    assert (r.status_code, r.json()) == (502, {"message": "502 Bad Gateway"})
    mlflow_server.start()
    assert mlflow_server.url == url and mlflow_server.pid != pid
    assert gl.ok("GET", "experiments/get", params={"experiment_id": exp})["experiment"]["experiment_id"] == exp
    assert mlflow_server.log_path.exists() and "start #2" in mlflow_server.log_path.read_text()


# --- the Jupyter-side fixtures (config only: no server is started here) -------------------------


def test_jp_server_config_default_is_one_mlflow_backend(jp_server_config: Any, mlflow_server: MlflowServer) -> None:
    assert jp_server_config["ServerApp"]["jpserver_extensions"] == {"jupyterlab_mlops": True}
    assert jp_server_config["ServerApp"]["allow_unauthenticated_access"] is False
    assert jp_server_config["MlopsApp"]["backends"] == [{"name": "default", "kind": "mlflow", "url": mlflow_server.url}]
    assert jp_server_config["MlopsApp"]["embedded"] is False
    assert jp_server_config["MlopsApp"]["request_timeout"] == 30.0


@pytest.mark.parametrize("mlops_backends", ["mlflow+gitlab"], indirect=True)
def test_mlops_backends_shortcuts(jp_server_config: Any, gitlab_server: GitLabServer) -> None:
    import os

    default, gitlab = jp_server_config["MlopsApp"]["backends"]
    assert default["name"] == "default" and default["kind"] == "mlflow"
    assert gitlab == {
        "name": "gitlab",
        "kind": "gitlab",
        "url": gitlab_server.tracking_uri,
        "token_env": "MLOPS_TEST_GITLAB_TOKEN",
    }
    assert os.environ["MLOPS_TEST_GITLAB_TOKEN"] == gitlab_server.token


@pytest.mark.parametrize(
    "mlops_backends", [[{"name": "x", "kind": "gitlab", "url": "{gitlab}", "token": "t"}]], indirect=True
)
def test_mlops_backends_placeholders(mlops_backends: list[dict[str, Any]], gitlab_server: GitLabServer) -> None:
    assert mlops_backends == [{"name": "x", "kind": "gitlab", "url": gitlab_server.tracking_uri, "token": "t"}]


def test_mlflow_rest_seeding_helper(mlflow_rest: MlflowRest) -> None:
    exp = mlflow_rest.create_experiment(tags={"k": "v"})
    run = mlflow_rest.create_run(exp, run_name="seed")
    mlflow_rest.log_batch(run["info"]["run_id"], [{"key": "m", "value": 1.0, "step": 3}], params={"p": "1"})
    mlflow_rest.upload_artifact(run, "model/file.txt", b"hi")
    mlflow_rest.finish_run(run["info"]["run_id"])
    got = mlflow_rest.get_run(run["info"]["run_id"])
    assert got["info"]["status"] == "FINISHED" and got["data"]["metrics"][0]["step"] == 3
    name = mlflow_rest.create_registered_model()
    assert mlflow_rest.create_model_version(name, run["info"]["run_id"])["version"] == "1"
    with pytest.raises(AssertionError, match="RESOURCE_ALREADY_EXISTS"):
        mlflow_rest.create_registered_model(name)


def test_c5_artifact_uri_is_the_http_package_url_until_the_first_upload(gl: GL, gitlab_server: GitLabServer) -> None:
    run = gl.run(gl.experiment())
    uri = run["info"]["artifact_uri"]
    iid = gitlab_server.candidate_iid(run["info"]["run_id"])
    assert uri == f"{gitlab_server.project_url}/packages/ml_models/candidate:{iid}/files/"
    assert gl.call("PUT", f"{uri}notes.txt", data=b"n").status_code == 201
    again = gl.ok("GET", "runs/get", params={"run_id": run["info"]["run_id"]})["run"]["info"]["artifact_uri"]
    assert again == f"mlflow-artifacts:/candidate:{iid}"


# --- GITLAB_API.md §0.1: one test per trait (C1 is above, C5 just before) -------------------------

_JOB_IDS = iter(range(int(time.time()) % 100_000 * 1000, 10**9))


def _upload(gl: GL, server: GitLabServer, ref: Any, name: str, data: bytes) -> None:
    r = gl.call("PUT", server.package_file_url(ref, name), data=data)
    assert r.status_code == 201, (name, r.status_code, r.text)


def test_c2_downloads_redirect_to_a_second_server_with_a_short_lived_signed_url(
    gl: GL, gitlab_server: GitLabServer
) -> None:
    from urllib.parse import urlsplit

    vid = gl.version(gl.model())["version"]
    _upload(gl, gitlab_server, vid, "weights.bin", b"W" * 1000)
    gitlab_server.object_storage = True
    gitlab_server.clear_requests()
    for url in (f"{gitlab_server.artifacts_url}/{vid}/weights.bin", gitlab_server.package_file_url(vid, "weights.bin")):
        r = gl.call("GET", url, allow_redirects=False)
        assert r.status_code == 302 and b"W" not in r.content and "moved temporarily" in r.text
        loc = r.headers["Location"]
        api, store = urlsplit(gitlab_server.base_url), urlsplit(loc)
        assert loc.startswith(f"{gitlab_server.object_storage_url}/-/object-storage/")
        assert (
            (store.hostname, store.port) == ("localhost", gitlab_server.object_storage_port) != (api.hostname, api.port)
        )
        got = requests.get(loc, timeout=10)  # no GitLab credentials
        assert got.status_code == 200 and got.content == b"W" * 1000
    # the store takes only the signature: credentials, a bad signature, an expired URL are refused
    r = requests.get(loc, headers=gitlab_server.headers(), timeout=10)
    assert r.status_code == 400 and "<Code>InvalidArgument</Code>" in r.text
    r = requests.get(loc.replace("X-Signature=", "X-Signature=00"), timeout=10)
    assert r.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in r.text
    assert r.headers["Content-Type"].startswith("application/xml")
    gitlab_server.signed_url_ttl = -1
    expired = gl.call("GET", f"{gitlab_server.artifacts_url}/{vid}/weights.bin", allow_redirects=False)
    r = requests.get(expired.headers["Location"], timeout=10)
    assert r.status_code == 403 and "<Code>AccessDenied</Code>" in r.text
    # the store's requests are in the same log; GitLab's own port does not serve the bucket
    storage = [e for e in gitlab_server.requests if e["server"] == "object-storage"]
    assert storage and all(e["path"].startswith("/-/object-storage/") for e in storage)
    assert gl.call("GET", f"{gitlab_server.base_url}{urlsplit(loc).path}?{urlsplit(loc).query}").status_code == 404
    # the default follows the redirect (what the MLflow client does), and the knob resets
    gitlab_server.signed_url_ttl = 60
    assert gl.call("GET", f"{gitlab_server.artifacts_url}/{vid}/weights.bin").content == b"W" * 1000
    gitlab_server.reset_knobs()
    assert gl.call("GET", f"{gitlab_server.artifacts_url}/{vid}/weights.bin", allow_redirects=False).status_code == 200


def test_c3_nan_and_infinity_metric_values_fail_the_whole_batch(gl: GL) -> None:
    run_id = gl.run(gl.experiment())["info"]["run_id"]
    for bad in ("NaN", "Infinity", "-Infinity", "nan", "inf"):
        r = gl.call("POST", "runs/log-metric", json={"run_id": run_id, "key": "m", "value": bad, "timestamp": 1})
        assert (r.status_code, r.json()) == (400, {"error": "value is invalid"}), bad
        r = gl.call(
            "POST",
            "runs/log-batch",
            json={
                "run_id": run_id,
                "params": [{"key": "p", "value": "1"}],
                "metrics": [{"key": "ok", "value": 1.0, "timestamp": 1}, {"key": "m", "value": bad, "timestamp": 2}],
            },
        )
        assert (r.status_code, r.json()) == (400, {"error": "metrics[value] is invalid"}), bad
    for token in ("NaN", "Infinity", "-Infinity"):  # the JSON tokens Python's json accepts
        body = (
            f'{{"run_id": "{run_id}", "metrics": [{{"key": "ok", "value": 2, "timestamp": 1}}, '
            f'{{"key": "m", "value": {token}, "timestamp": 1}}]}}'
        )
        r = gl.call(
            "POST", "runs/log-batch", data=body, headers={**gl.server.headers(), "Content-Type": "application/json"}
        )
        assert (r.status_code, r.json()) == (400, {"error": "metrics[value] is invalid"}), token
        r = gl.call(
            "POST",
            "runs/log-metric",
            data=f'{{"run_id": "{run_id}", "key": "m", "value": {token}, "timestamp": 1}}',
            headers={**gl.server.headers(), "Content-Type": "application/json"},
        )
        assert (r.status_code, r.json()) == (400, {"error": "value is invalid"}), token
    data = gl.ok("GET", "runs/get", params={"run_id": run_id})["run"]["data"]
    assert data["metrics"] == [] and data["params"] == []  # nothing of any batch was written
    gl.ok("POST", "runs/log-metric", json={"run_id": run_id, "key": "m", "value": "1.5", "timestamp": 1})


def test_c4_unknown_ci_job_id_is_a_500_after_the_partial_write_and_known_jobs_link(
    gl: GL, gitlab_server: GitLabServer
) -> None:
    exp = gl.experiment()
    unknown = str(next(_JOB_IDS))
    boom = (500, {"message": "500 Internal Server Error"})
    # set-tag: nothing stored
    run_id = gl.run(exp)["info"]["run_id"]
    r = gl.call("POST", "runs/set-tag", json={"run_id": run_id, "key": "gitlab.CI_JOB_ID", "value": unknown})
    assert (r.status_code, r.json()) == boom
    # log-batch: metrics and params are written, then the tags fail
    r = gl.call(
        "POST",
        "runs/log-batch",
        json={
            "run_id": run_id,
            "metrics": [{"key": "m", "value": 1.0, "timestamp": 1}],
            "params": [{"key": "p", "value": "1"}],
            "tags": [{"key": "t", "value": "x"}, {"key": "gitlab.CI_JOB_ID", "value": unknown}],
        },
    )
    assert (r.status_code, r.json()) == boom
    data = gl.ok("GET", "runs/get", params={"run_id": run_id})["run"]["data"]
    assert [m["key"] for m in data["metrics"]] == ["m"] and data["params"] == [{"key": "p", "value": "1"}]
    assert data["tags"] == []
    # runs/create: the run exists, without its tags
    r = gl.call(
        "POST",
        "runs/create",
        json={"experiment_id": exp, "run_name": "ci-run", "tags": [{"key": "gitlab.CI_JOB_ID", "value": unknown}]},
    )
    assert (r.status_code, r.json()) == boom
    runs = gl.ok("POST", "runs/search", json={"experiment_ids": [exp]})["runs"]
    assert len(runs) == 2 and runs[0]["info"]["run_name"] == "ci-run" and runs[0]["data"]["tags"] == []
    # a known job: linked, and the tag is stored
    job_id = next(_JOB_IDS)
    job = gitlab_server.add_job(
        job_id, pipeline_id=555, ref="feature", mr_iid=None, user={"id": 9001, "username": "ci-bot", "name": "CI Bot"}
    )
    created = gl.run(exp, tags=[{"key": "gitlab.CI_JOB_ID", "value": str(job_id)}])["info"]["run_id"]
    assert gitlab_server.run_job(created) == job_id
    gl.ok("POST", "runs/set-tag", json={"run_id": run_id, "key": "gitlab.CI_JOB_ID", "value": str(job_id)})
    assert gitlab_server.run_job(run_id) == job_id
    assert {"key": "gitlab.CI_JOB_ID", "value": str(job_id)} in gl.ok("GET", "runs/get", params={"run_id": run_id})[
        "run"
    ]["data"]["tags"]
    # GET /projects/:id/jobs/:job_id: GitLab's Job JSON; read_api and Reporter may read, a Guest may not
    got = gl.ok("GET", gitlab_server.job_url(job_id))
    assert got == job
    assert {k: got[k] for k in ("id", "name", "status", "ref")} == {
        "id": job_id,
        "name": "train",
        "status": "success",
        "ref": "feature",
    }
    assert got["web_url"] == f"{gitlab_server.web_url}/-/jobs/{job_id}"
    assert {k: got["pipeline"][k] for k in ("id", "project_id", "ref", "status", "web_url")} == {
        "id": 555,
        "project_id": 42,
        "ref": "feature",
        "status": "success",
        "web_url": f"{gitlab_server.web_url}/-/pipelines/555",
    }
    assert isinstance(got["pipeline"]["iid"], int) and len(got["pipeline"]["sha"]) == 40
    assert {k: got["user"][k] for k in ("id", "username", "name")} == {
        "id": 9001,
        "username": "ci-bot",
        "name": "CI Bot",
    }
    for token in (gitlab_server.read_token, gitlab_server.reporter_token, gitlab_server.reporter_read_token):
        assert gl.call("GET", gitlab_server.job_url(job_id), token=token).status_code == 200
    r = gl.call("GET", gitlab_server.job_url(job_id), token=gitlab_server.guest_token)
    assert (r.status_code, r.json()) == (403, {"message": "403 Forbidden"})
    r = gl.call("GET", gitlab_server.job_url(unknown))
    assert (r.status_code, r.json()) == (404, {"message": "404 Not found"})
    assert gl.call("GET", gitlab_server.job_url(job_id), token="").status_code == 401
    # a merge-request pipeline; another project's job links (instance-wide lookup) but is not this project's
    mr_job = gitlab_server.add_job(next(_JOB_IDS), mr_iid=7, user="reporter")
    assert mr_job["ref"] == "refs/merge-requests/7/head" and mr_job["pipeline"]["source"] == "merge_request_event"
    assert mr_job["user"]["username"] == "reporter"
    other = next(_JOB_IDS)
    gitlab_server.add_job(other, project_id=43)
    third = gl.run(exp, tags=[{"key": "gitlab.CI_JOB_ID", "value": str(other)}])["info"]["run_id"]
    assert gitlab_server.run_job(third) == other
    assert gl.call("GET", gitlab_server.job_url(other)).status_code == 404


def test_c6_log_batch_metrics_are_always_appended_params_and_tags_skip_duplicates(gl: GL) -> None:
    run_id = gl.run(gl.experiment())["info"]["run_id"]
    batch = {
        "run_id": run_id,
        "metrics": [{"key": "loss", "value": float(s), "timestamp": 100 + s, "step": s} for s in range(3)],
        "params": [{"key": "lr", "value": "0.1"}],
        "tags": [{"key": "t", "value": "a"}],
    }
    gl.ok("POST", "runs/log-batch", json=batch)
    gl.ok("POST", "runs/log-batch", json=batch)  # a replay (e.g. a retried request)
    history = gl.ok("GET", "metrics/get-history", params={"run_id": run_id, "metric_key": "loss"})["metrics"]
    assert [m["step"] for m in history] == [0, 0, 1, 1, 2, 2]
    data = gl.ok("GET", "runs/get", params={"run_id": run_id})["run"]["data"]
    assert data["params"] == [{"key": "lr", "value": "0.1"}] and data["tags"] == [{"key": "t", "value": "a"}]
    assert [m["value"] for m in data["metrics"]] == [2.0]
    same = {"key": "acc", "value": 0.5, "timestamp": 1, "step": 0}
    gl.ok("POST", "runs/log-batch", json={"run_id": run_id, "metrics": [same, same]})
    gl.ok("POST", "runs/log-metric", json={"run_id": run_id, **same})
    assert len(gl.ok("GET", "metrics/get-history", params={"run_id": run_id, "metric_key": "acc"})["metrics"]) == 3


def test_c7_names_with_spaces_upload_but_the_mlflow_artifacts_download_is_404(
    gl: GL, gitlab_server: GitLabServer
) -> None:
    vid = gl.version(gl.model())["version"]
    _upload(gl, gitlab_server, vid, "a b.txt", b"spaced")
    _upload(gl, gitlab_server, vid, "c+d.txt", b"plus")
    listing = gl.ok("GET", gitlab_server.artifacts_url, params={"path": vid})["files"]
    assert sorted(f["path"] for f in listing) == ["a%20b.txt", "c%2Bd.txt"]  # encodeURIComponent
    for name in ("a%20b.txt", "a+b.txt", "a b.txt"):  # CGI.escape('a b') = 'a+b', stored 'a%20b'
        r = gl.call("GET", f"{gitlab_server.artifacts_url}/{vid}/{name}")
        assert (r.status_code, r.json()) == (404, {"error_code": "RESOURCE_DOES_NOT_EXIST"}), name
    assert gl.call("GET", gitlab_server.package_file_url(vid, "a%20b.txt")).content == b"spaced"
    assert gl.call("GET", f"{gitlab_server.artifacts_url}/{vid}/c%2Bd.txt").content == b"plus"
    assert gl.call("GET", f"{gitlab_server.artifacts_url}/{vid}/c+d.txt").content == b"plus"


def test_c8_nested_names_are_stored_encoded_and_listed_flat(gl: GL, gitlab_server: GitLabServer) -> None:
    vid = gl.version(gl.model())["version"]
    _upload(gl, gitlab_server, vid, "dir/sub/file.txt", b"deep")
    listing = gl.ok("GET", gitlab_server.artifacts_url, params={"path": vid})["files"]
    assert listing == [{"path": "dir%2Fsub%2Ffile.txt", "is_dir": False, "file_size": 4}]
    assert gl.ok("GET", gitlab_server.artifacts_url, params={"path": f"{vid}/dir"}) == {"files": []}
    # CGI.escape of the decoded path finds the encoded name, whether the client sends / or %2F
    for path in ("dir/sub/file.txt", "dir%2Fsub%2Ffile.txt"):
        r = gl.call("GET", f"{gitlab_server.artifacts_url}/{vid}/{path}")
        assert r.status_code == 200 and r.content == b"deep", path
    assert gl.call("GET", gitlab_server.package_file_url(vid, "dir/sub/file.txt")).content == b"deep"
    assert gl.call("GET", gitlab_server.package_file_url(vid, "dir/file.txt")).status_code == 404


def test_c9_model_registry_and_packages_feature_gating(gl: GL, gitlab_server: GitLabServer) -> None:
    name = gl.model()
    vid = gl.version(name)["version"]
    _upload(gl, gitlab_server, vid, "f.txt", b"f")
    gitlab_server.model_registry_enabled = False
    nf = (404, {"message": "404 Not Found"})
    for method, url, kw in (
        ("GET", f"{gitlab_server.api_url}/registered-models/get", {"params": {"name": name}}),
        ("POST", f"{gitlab_server.api_url}/registered-models/get-latest-versions", {"json": {"name": name}}),
        ("GET", gitlab_server.artifacts_url, {"params": {"path": vid}}),
        ("GET", f"{gitlab_server.artifacts_url}/{vid}/f.txt", {}),
        ("GET", gitlab_server.package_file_url(vid, "f.txt"), {}),
        ("PUT", gitlab_server.package_file_url(vid, "g.txt"), {"data": b"g"}),
    ):
        r = gl.call(method, url, **kw)
        assert (r.status_code, r.json()) == nf, url
    r = gl.call("POST", "registered-models/create", token=gitlab_server.guest_token, json={"name": unique()})
    assert (r.status_code, r.json()) == nf  # the registry check comes before the write check
    assert gl.call("GET", "experiments/list").status_code == 200  # experiment tracking stays on
    gitlab_server.model_registry_enabled = True
    gitlab_server.packages_enabled = False
    for method, kw in (("GET", {}), ("PUT", {"data": b"g"})):
        r = gl.call(method, gitlab_server.package_file_url(vid, "f.txt"), **kw)
        assert (r.status_code, r.json()) == (403, {"message": "403 Forbidden"}), method
    assert gl.call("GET", f"{gitlab_server.artifacts_url}/{vid}/f.txt").content == b"f"
    assert gl.ok("GET", gitlab_server.project_url)["packages_enabled"] is False
    gitlab_server.reset_knobs()
    assert gitlab_server.model_registry_enabled and gitlab_server.packages_enabled
    assert gl.call("GET", gitlab_server.package_file_url(vid, "f.txt")).content == b"f"


def test_c10_runs_search_orders_by_creation_not_start_time(gl: GL, mlflow_rest: MlflowRest) -> None:
    exp = gl.experiment()
    ids = [gl.run(exp, run_name=f"r{i}", start_time=3000 - 1000 * i)["info"]["run_id"] for i in range(3)]

    def order(**body: Any) -> list[str]:
        found = gl.ok("POST", "runs/search", json={"experiment_ids": [exp], **body})["runs"]
        return [r["info"]["run_id"] for r in found]

    assert order() == ids[::-1]  # created_at DESC: the last created first, whatever start_time says
    assert order(order_by="created_at ASC") == ids
    assert order(order_by="attributes.start_time ASC") == ids  # unknown column: created_at (sort kept)
    # runs seeded straight into MLflow: created when the stand-in first sees them
    seeded = mlflow_rest.create_experiment()
    a = mlflow_rest.create_run(seeded, run_name="a", start_time=5000)["info"]["run_id"]
    gl.ok("GET", "runs/get", params={"run_id": a})
    b = mlflow_rest.create_run(seeded, run_name="b", start_time=1)["info"]["run_id"]
    got = [r["info"]["run_id"] for r in gl.ok("POST", "runs/search", json={"experiment_ids": [seeded]})["runs"]]
    assert got == [b, a]


def test_c11_user_ids_are_numeric_strings_and_users_api(
    gl: GL, gitlab_server: GitLabServer, mlflow_rest: MlflowRest
) -> None:
    run = gl.run(gl.experiment())
    assert run["info"]["user_id"] == "1"
    name = gl.model()
    assert gl.ok("GET", "registered-models/get", params={"name": name})["registered_model"]["user_id"] == "1"
    assert gl.version(name)["user_id"] is None
    seeded = mlflow_rest.create_run(mlflow_rest.create_experiment())["info"]["run_id"]
    assert gl.ok("GET", "runs/get", params={"run_id": seeded})["run"]["info"]["user_id"].isdigit()
    me = gl.ok("GET", gitlab_server.user_url(1))
    assert {k: me[k] for k in ("id", "username", "name", "state", "web_url")} == {
        "id": 1,
        "username": "developer",
        "name": "Dee Developer",
        "state": "active",
        "web_url": f"{gitlab_server.base_url}/developer",
    }
    assert me["avatar_url"].startswith("https://")
    assert gl.ok("GET", gitlab_server.user_url("reporter"))["id"] == 4
    assert gl.call("GET", gitlab_server.user_url(1), token=gitlab_server.read_token).status_code == 200
    r = gl.call("GET", gitlab_server.user_url(987654))
    assert (r.status_code, r.json()) == (404, {"message": "404 User Not Found"})
    assert gl.call("GET", gitlab_server.user_url(1), token="").status_code == 401
    added = gitlab_server.add_user(4242, "someone", "Some One")
    assert gl.ok("GET", gitlab_server.user_url(4242))["name"] == added["name"] == "Some One"


def test_c12_project_api_and_the_model_version_web_url(gl: GL, gitlab_server: GitLabServer) -> None:
    import re

    r = gl.call("GET", gitlab_server.project_url)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")  # not a web page
    p = r.json()
    assert {k: p[k] for k in ("id", "name", "path", "path_with_namespace", "web_url", "default_branch")} == {
        "id": 42,
        "name": "Project",
        "path": "project",
        "path_with_namespace": "group/project",
        "web_url": f"{gitlab_server.base_url}/group/project",
        "default_branch": "main",
    }
    assert {k: p["namespace"][k] for k in ("path", "full_path", "kind")} == {
        "path": "group",
        "full_path": "group",
        "kind": "group",
    }
    assert gl.ok("GET", f"{gitlab_server.base_url}/api/v4/projects/group%2Fproject") == p
    assert gl.call("GET", gitlab_server.project_url, token=gitlab_server.read_token).status_code == 200
    r = gl.call("GET", f"{gitlab_server.base_url}/api/v4/projects/43")
    assert (r.status_code, r.json()) == (404, {"message": "404 Project Not Found"})
    v = gl.version(gl.model())
    assert re.fullmatch(rf"{re.escape(p['web_url'])}/-/ml/models/\d+/versions/{v['version']}", v["source"])


def test_c13_non_ascii_model_names_are_refused(gl: GL, gitlab_server: GitLabServer) -> None:
    for bad in ("modèle", "模型", f"{unique('m')}-ü"):
        r = gl.call("POST", "registered-models/create", json={"name": bad})
        assert (r.status_code, r.json()) == (400, {"error_code": "RESOURCE_ALREADY_EXISTS"}), bad
    ok = f"{unique('m')}_ok-1.2"
    gl.model(ok)
    vid = gl.version(ok)["version"]
    assert gl.call("PUT", gitlab_server.package_file_url(vid, "é.txt"), data=b"x").status_code == 400


def test_c14_latest_version_orders_by_major_minor_patch_and_ignores_prerelease(gl: GL) -> None:
    def tagged(model: str, semver: str) -> dict[str, Any]:
        return gl.version(model, tags=[{"key": "gitlab.version", "value": semver}])

    def latest(model: str) -> str:
        return gl.ok("POST", "registered-models/get-latest-versions", json={"name": model})["model_versions"][0][
            "aliases"
        ][0]

    numeric = gl.model()
    for v in ("1.9.0", "1.10.0", "1.2.0"):
        tagged(numeric, v)
    assert latest(numeric) == "1.10.0"  # numeric, not lexical
    pre = gl.model()
    tagged(pre, "2.0.0-rc.1")
    tagged(pre, "2.0.0")
    tagged(pre, "1.99.0")
    assert latest(pre) == "2.0.0-rc.1"  # a tie on 2.0.0 (prerelease ignored): the first created
    assert gl.version(pre)["aliases"] == ["2.0.1"]  # the patch bump starts from that latest


def test_c15_latest_versions_of_a_model_without_versions_is_a_list_with_null(
    gl: GL, gitlab_server: GitLabServer
) -> None:
    name = gl.model()
    assert gl.ok("POST", "registered-models/get-latest-versions", json={"name": name}) == {"model_versions": [None]}
    for token in (gitlab_server.guest_token, gitlab_server.reporter_token):  # a read, though a POST
        r = gl.call("POST", "registered-models/get-latest-versions", token=token, json={"name": name})
        assert (r.status_code, r.json()) == (200, {"model_versions": [None]})
    r = gl.call("POST", "registered-models/get-latest-versions", token=gitlab_server.read_token, json={"name": name})
    assert r.status_code == 403 and r.json()["error"] == "insufficient_scope"
    r = gl.call("POST", "registered-models/create", token=gitlab_server.guest_token, json={"name": unique()})
    assert (r.status_code, r.json()) == (401, {"message": "401 Unauthorized"})


def test_c16_reuploading_a_file_name_adds_a_second_row(gl: GL, gitlab_server: GitLabServer) -> None:
    vid = gl.version(gl.model())["version"]
    _upload(gl, gitlab_server, vid, "w.bin", b"one")
    _upload(gl, gitlab_server, vid, "w.bin", b"two2")
    listing = gl.ok("GET", gitlab_server.artifacts_url, params={"path": vid})["files"]
    assert [(f["path"], f["file_size"]) for f in listing] == [("w.bin", 3), ("w.bin", 4)]
    assert gl.call("GET", f"{gitlab_server.artifacts_url}/{vid}/w.bin").content == b"two2"
    assert gl.call("GET", gitlab_server.package_file_url(vid, "w.bin")).content == b"two2"


def test_c17_read_only_tokens_and_roles(gl: GL, gitlab_server: GitLabServer) -> None:
    gs = gitlab_server
    assert gs.tokens["developer"] == gs.token and gs.tokens["reporter"] == gs.reporter_token
    exp = gl.experiment()
    for token in (gs.read_token, gs.reporter_token, gs.reporter_read_token, gs.guest_token):
        assert gl.call("GET", "experiments/list", token=token).status_code == 200
        assert gl.call("GET", "experiments/get", token=token, params={"experiment_id": exp}).status_code == 200
        assert gl.call("GET", "registered-models/search", token=token).status_code == 200
    for path, body in (("experiments/search", {}), ("runs/search", {"experiment_ids": [exp]})):
        for token in (gs.read_token, gs.reporter_read_token):
            r = gl.call("POST", path, token=token, json=body)
            assert r.status_code == 403 and r.json()["error"] == "insufficient_scope", (path, token)
        for token in (gs.reporter_token, gs.guest_token):  # check_api_write! on every non-GET
            r = gl.call("POST", path, token=token, json=body)
            assert (r.status_code, r.json()) == (401, {"message": "401 Unauthorized"}), (path, token)
        assert gl.call("POST", path, json=body).status_code == 200
    vid = gl.version(gl.model())["version"]
    r = gl.call("PUT", gs.package_file_url(vid, "x.txt"), token=gs.reporter_token, data=b"x")
    assert (r.status_code, r.json()) == (403, {"message": "403 Forbidden"})


def test_c18_model_version_create_honours_run_id_by_default(gl: GL, gitlab_server: GitLabServer) -> None:
    assert gitlab_server.supports_run_promotion is True  # the default: current GitLab
    name = gl.model()
    exp = gl.ok("GET", "experiments/get-by-name", params={"experiment_name": f"[model]{name}"})["experiment"]
    cand = gl.run(exp["experiment_id"])["info"]["run_id"]
    v = gl.version(name, run_id=cand)
    assert v["run_id"] == cand
    info = gl.ok("GET", "runs/get", params={"run_id": cand})["run"]["info"]
    assert info["artifact_uri"].endswith(f"/packages/ml_models/{v['version']}/files/")
    gitlab_server.supports_run_promotion = False  # an older GitLab: run_id ignored, a fresh backing run
    other = gl.run(exp["experiment_id"])["info"]["run_id"]
    assert gl.version(name, run_id=other)["run_id"] not in (cand, other)

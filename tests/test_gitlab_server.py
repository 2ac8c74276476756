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
    for url in (f"{gitlab_server.base_url}/nope", f"{gitlab_server.base_url}/api/2.0/mlflow/experiments/list",
                f"{gitlab_server.api_url}/experiments/nope"):
        r = gl.call("GET", url)
        assert (r.status_code, r.json()) == (404, {"message": "404 Not Found"})


@pytest.mark.parametrize("method,path", [
    ("POST", "experiments/update"), ("POST", "experiments/restore"), ("POST", "runs/restore"),
    ("POST", "runs/delete-tag"), ("POST", "runs/log-inputs"), ("POST", "runs/log-model"), ("GET", "artifacts/list"),
    ("POST", "registered-models/rename"), ("POST", "registered-models/set-tag"),
    ("DELETE", "registered-models/delete-tag"), ("POST", "registered-models/alias"),
    ("DELETE", "registered-models/alias"), ("DELETE", "model-versions/delete"), ("GET", "model-versions/search"),
    ("POST", "model-versions/set-tag"), ("DELETE", "model-versions/delete-tag"),
    ("POST", "model-versions/transition-stage"), ("POST", "logged-models"), ("POST", "logged-models/search"),
    ("GET", "traces"),
])
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
    for path, body in (("experiments/search", {"max_results": 1}), ("runs/search", {"experiment_ids": ["1"]}),
                       ("registered-models/get-latest-versions", {"name": "x"}), ("experiments/create", {"name": "x"})):
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
    assert e == {"experiment_id": exp_id, "name": name, "lifecycle_stage": "active",
                 "artifact_location": "not_implemented", "tags": []}
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
        page = gl.ok("POST", "experiments/search", json={"max_results": 2, "page_token": token} if token
                     else {"max_results": 2})
        seen += [e["experiment_id"] for e in page["experiments"]]
        token = page["next_page_token"]
        if token is None:
            break
    assert len(seen) == len(set(seen)) and mine <= set(seen)
    assert "next_page_token" in page and page["next_page_token"] is None
    everything = gl.ok("POST", "experiments/search", json={"max_results": 5000})
    assert len(everything["experiments"]) == len(seen)  # capped at 1000, not an error


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
    package = f"{gitlab_server.base_url}/api/v4/projects/{gitlab_server.project_id}/packages/ml_models/candidate:{iid}/files/"
    assert info == {"run_id": info["run_id"], "run_uuid": info["run_id"], "experiment_id": exp_id,
                    "start_time": 1234, "run_name": "r1", "status": "RUNNING",
                    "artifact_uri": package, "lifecycle_stage": "active", "user_id": "1"}  # C5: no package yet
    assert run["data"] == {"metrics": [], "params": [], "tags": []}  # no mlflow.runName tag added
    gl.ok("POST", "runs/set-tag", json={"run_id": info["run_id"], "key": "mlflow.runName", "value": "r1b"})
    assert gl.call("POST", "runs/set-tag", json={"run_id": info["run_id"], "key": "mlflow.runName",
                                                 "value": "r1c"}).status_code == 400
    upd = gl.ok("POST", "runs/update", json={"run_id": info["run_id"], "status": "FINISHED", "end_time": 5678,
                                             "run_name": "renamed"})["run_info"]
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
    gl.ok("POST", "runs/log-batch", json={"run_id": run_id, "params": [
        {"key": "lr", "value": "0.2"}, {"key": "bs", "value": "32"}, {"key": "bs", "value": "64"}],
        "tags": [{"key": "t", "value": "c"}, {"key": "u", "value": "d"}]})
    data = gl.ok("GET", "runs/get", params={"run_id": run_id})["run"]["data"]
    assert sorted((p["key"], p["value"]) for p in data["params"]) == [("bs", "32"), ("lr", "0.1")]
    assert {"key": "t", "value": "a"} in data["tags"] and {"key": "u", "value": "d"} in data["tags"]
    r = gl.call("POST", "runs/log-metric", json={"run_id": run_id, "key": "m", "value": 1.0})
    assert (r.status_code, r.json()) == (400, {"error": "timestamp is missing"})


def test_run_data_metrics_hold_the_full_history(gl: GL) -> None:
    run_id = gl.run(gl.experiment())["info"]["run_id"]
    gl.ok("POST", "runs/log-batch", json={"run_id": run_id, "metrics": [
        {"key": "loss", "value": 1.0 / (s + 1), "timestamp": 1000 + s, "step": s} for s in range(5)] + [
        {"key": "acc", "value": 0.9, "timestamp": 2000, "step": 0}]})
    gl.ok("POST", "runs/log-metric", json={"run_id": run_id, "key": "loss", "value": 0.01, "timestamp": 3000,
                                           "step": 5})
    metrics = gl.ok("GET", "runs/get", params={"run_id": run_id})["run"]["data"]["metrics"]
    assert sorted(m["step"] for m in metrics if m["key"] == "loss") == [0, 1, 2, 3, 4, 5]
    assert [m["value"] for m in metrics if m["key"] == "acc"] == [0.9]


def test_metric_history_pages_and_can_be_switched_off(gl: GL, gitlab_server: GitLabServer) -> None:
    run_id = gl.run(gl.experiment())["info"]["run_id"]
    gl.ok("POST", "runs/log-batch", json={"run_id": run_id, "metrics": [
        {"key": "loss", "value": float(s), "timestamp": 1000 + s, "step": s} for s in (3, 1, 2, 0)]})
    page1 = gl.ok("GET", "metrics/get-history", params={"run_id": run_id, "metric_key": "loss", "max_results": 3})
    assert [m["step"] for m in page1["metrics"]] == [0, 1, 2] and page1["next_page_token"]
    page2 = gl.ok("GET", "metrics/get-history", params={"run_id": run_id, "metric_key": "loss",
                                                        "page_token": page1["next_page_token"]})
    assert [m["step"] for m in page2["metrics"]] == [3] and page2["next_page_token"] is None
    gitlab_server.metrics_history_supported = False
    r = gl.call("GET", "metrics/get-history", params={"run_id": run_id, "metric_key": "loss"})
    assert (r.status_code, r.json()) == (404, {"message": "404 Not Found"})


def test_runs_search_uses_first_experiment_only_and_has_no_filter(gl: GL) -> None:
    e1, e2 = gl.experiment(), gl.experiment()
    r1 = [gl.run(e1, run_name=f"a{i}", start_time=1000 + i)["info"]["run_id"] for i in range(3)]
    gl.run(e2, run_name="b")
    res = gl.ok("POST", "runs/search", json={"experiment_ids": [e1, e2], "filter": "attributes.run_name = 'b'",
                                             "max_results": 10})
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
    assert pages == [["r2", "r1", "r0"], ["no-metric"]]


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
    assert gl.call("GET", "model-versions/get-download-uri", params={"name": name, "version": "1.0.0"}).status_code == 400
    # latest = highest semver; latest_versions = ALL versions; alias = semver
    latest = gl.ok("POST", "registered-models/get-latest-versions", json={"name": name, "stages": ["None"]})
    assert [v["aliases"][0] for v in latest["model_versions"]] == ["2.0.1"]
    m = gl.ok("GET", "registered-models/get", params={"name": name})["registered_model"]
    assert [v["aliases"][0] for v in m["latest_versions"]] == ["1.0.0", "2.0.0", "2.0.1"]
    assert gl.ok("GET", "registered-models/alias", params={"name": name, "alias": "2.0.0"})["model_version"]["version"] \
        == v2["version"]
    # invalid / duplicate semver
    for bad, msg in (("v1.0", "Version must be semantic version"), ("2.0.0", "Version has already been taken")):
        r = gl.call("POST", "model-versions/create", json={"name": name,
                                                           "tags": [{"key": "gitlab.version", "value": bad}]})
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
    assert info["artifact_uri"] == f"{gitlab_server.base_url}/api/v4/projects/42/packages/ml_models/{v1['version']}/files/"
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
    res2 = gl.ok("GET", "registered-models/search", params={"filter": f"name='{tag}'", "max_results": 2,
                                                            "page_token": res["next_page_token"]})
    assert [m["name"] for m in res2["registered_models"]] == names[2:] and res2["next_page_token"] is None
    # MLflow 3's client appends "AND tag.`mlflow.prompt.is_prompt` != 'true'": GitLab's split('=') then
    # searches for a garbage substring and finds nothing
    mlflow3 = f"name='{tag}' AND tag.`mlflow.prompt.is_prompt` != 'true'"
    assert gl.ok("GET", "registered-models/search", params={"filter": mlflow3})["registered_models"] == []
    assert len(gl.ok("GET", "registered-models/search", params={"filter": "name="})["registered_models"]) >= 3
    for bad in (f"name LIKE '%{tag}%'", "tags.x='1'", f"name = '{tag}'", ""):
        r = gl.call("GET", "registered-models/search", params={"filter": bad})
        assert (r.status_code, r.json()) == (400, {
            "error_code": "INVALID_PARAMETER_VALUE",
            "message": "Invalid attribute key specified. Valid keys are '{'name'}'"}), bad


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
    assert [f["path"] for f in gl.ok("GET", gitlab_server.artifacts_url, params={"path": ref})["files"]] == \
        ["weights.bin"]
    assert gl.call("GET", f"{gitlab_server.artifacts_url}/{ref}/weights.bin").content == b"w"
    vid = gl.version(name, run_id=run["info"]["run_id"])["version"]
    assert [f["path"] for f in gl.ok("GET", gitlab_server.artifacts_url, params={"path": vid})["files"]] == \
        ["weights.bin"]
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
    assert gitlab == {"name": "gitlab", "kind": "gitlab", "url": gitlab_server.tracking_uri,
                      "token_env": "MLOPS_TEST_GITLAB_TOKEN"}
    assert os.environ["MLOPS_TEST_GITLAB_TOKEN"] == gitlab_server.token


@pytest.mark.parametrize("mlops_backends", [[{"name": "x", "kind": "gitlab", "url": "{gitlab}", "token": "t"}]],
                         indirect=True)
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
    assert uri == f"{gitlab_server.base_url}/api/v4/projects/{gitlab_server.project_id}/packages/ml_models/candidate:{iid}/files/"
    assert gl.call("PUT", f"{uri}notes.txt", data=b"n").status_code == 201
    again = gl.ok("GET", "runs/get", params={"run_id": run["info"]["run_id"]})["run"]["info"]["artifact_uri"]
    assert again == f"mlflow-artifacts:/candidate:{iid}"

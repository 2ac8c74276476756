"""Runs of an experiment (columns, filter, order, page tokens; emulated on GitLab), one run in full,
metric history and artifacts, against the real MLflow server and the GitLab stand-in."""

from __future__ import annotations

import functools

import json
import math
import uuid
from pathlib import Path
from typing import Any

import pytest

from jupyterlab_mlops.client.backend import Backend
from jupyterlab_mlops.client.sync import SyncClient

from .mlflow_fixture import MlflowRest
from .test_views_experiments import BOTH, error, get

BASE = 1_700_000_000_000
#: The GitLab stand-in addressed by project path (group%2Fproject): web links can be built without lookups.
GITLAB_BY_PATH = [
    lambda r: [{**r.getfixturevalue("gitlab_backend"), "url": r.getfixturevalue("gitlab_server").tracking_uri_by_path}]
]


def expected(i: int) -> dict[str, Any]:
    """The seeded values of run ``i``."""
    return {
        "lr": ["0.1", "0.01", "0.001"][i % 3],
        "depth": str(i % 4 + 1),
        "acc": None if i == 5 else i / 12,
        "loss": 1 - i / 12,
        "team": ["a", "b"][i % 2],
    }


@pytest.fixture(scope="module")
def seeded_exp(mlflow_server, tmp_path_factory) -> dict[str, Any]:
    """12 runs, seeded once per module (tests that change runs make their own): params lr/depth,
    metrics acc (missing on run 5)/loss, tags; run 3 has a CI job and a notebook source; run 0 has a
    2000-point ``train/loss`` history."""
    mlflow_rest = MlflowRest(mlflow_server.url)
    exp_id = mlflow_rest.create_experiment(f"runs-{uuid.uuid4().hex[:8]}")
    root = tmp_path_factory.mktemp("jupyter-root")
    (root / "nb").mkdir()
    (root / "nb" / "train.ipynb").write_text("{}")
    ids = []
    for i in range(12):
        e = expected(i)
        tags = {"team": e["team"]}
        if i == 3:
            tags.update(
                {
                    "gitlab.CI_JOB_ID": "777",
                    "gitlab.CI_PIPELINE_ID": "55",
                    "mlflow.source.name": str(root / "nb" / "train.ipynb"),
                    "mlflow.source.type": "NOTEBOOK",
                }
            )
        run = mlflow_rest.create_run(exp_id, run_name=f"run-{i:02d}", start_time=BASE + i * 1000)
        rid = run["info"]["run_id"]
        metrics = {"loss": e["loss"], **({"acc": e["acc"]} if e["acc"] is not None else {})}
        mlflow_rest.log_batch(rid, metrics=metrics, params={"lr": e["lr"], "depth": e["depth"]}, tags=tags)
        mlflow_rest.finish_run(rid, "FAILED" if i % 5 == 0 else "FINISHED")
        ids.append(rid)
    history = [{"key": "train/loss", "value": 1.0 / (s + 1), "timestamp": BASE + s, "step": s} for s in range(2000)]
    history[1500]["value"] = "NaN"
    for k in range(0, 2000, 1000):
        mlflow_rest.log_batch(ids[0], metrics=history[k : k + 1000])
    return {"id": exp_id, "runs": ids, "root": root}


@pytest.fixture
def jp_root_dir(seeded_exp) -> Path:
    """Every test's Jupyter root is the one holding run 3's notebook."""
    return seeded_exp["root"]


@pytest.fixture
def exp(seeded_exp) -> dict[str, Any]:
    return seeded_exp


def own_run(mlflow_rest: MlflowRest, name: str) -> str:
    """A run in an experiment of its own (for tests that delete runs or add artifacts)."""
    return mlflow_rest.create_run(mlflow_rest.create_experiment(), run_name=name)["info"]["run_id"]


def names(page: dict[str, Any]) -> list[str]:
    return [r["run_name"] for r in page["runs"]]


def by_index(indexes: list[int]) -> list[str]:
    return [f"run-{i:02d}" for i in indexes]


@BOTH
async def test_default_page_has_only_requested_columns(jp_fetch, mlops_backends, exp):
    b = mlops_backends[0]["name"]
    page = await get(
        jp_fetch,
        "backends",
        b,
        "experiments",
        exp["id"],
        "runs",
        columns="params.lr,metrics.acc,tags.team,tags.gitlab.CI_JOB_ID",
    )
    assert names(page) == by_index(list(range(11, -1, -1)))
    row = page["runs"][8]  # run-03
    assert set(row) == {
        "run_id",
        "run_name",
        "status",
        "start_time",
        "end_time",
        "user_id",
        "user_name",
        "experiment_id",
        "params",
        "metrics",
        "tags",
    }
    assert row["params"] == {"lr": "0.1"} and row["metrics"] == {"acc": 0.25}
    assert row["tags"] == {"team": "b", "gitlab.CI_JOB_ID": "777"}
    assert page["runs"][6]["metrics"] == {}  # run-05 has no acc
    assert page["columns"] == ["params.lr", "metrics.acc", "tags.team", "tags.gitlab.CI_JOB_ID"]
    avail = page["available_columns"]
    assert avail["params"] == ["depth", "lr"] and avail["metrics"] == ["acc", "loss", "train/loss"]
    assert "team" in avail["tags"]
    assert page["emulated"] == {"filter": False, "order": False, "reason": None}
    assert {r["status"] for r in page["runs"]} == {"FINISHED", "FAILED"}


@BOTH
async def test_auto_columns_are_chosen_in_the_same_request(jp_fetch, mlops_backends, exp):
    """``auto_columns``: a table without columns (or with none the experiment has) gets the first metrics and
    params with their values in one answer; asked columns the experiment has are kept as asked."""
    b = mlops_backends[0]["name"]
    fetch = functools.partial(get, jp_fetch, "backends", b, "experiments", exp["id"], "runs")
    chosen = ["metrics.acc", "metrics.loss", "metrics.train/loss", "params.depth", "params.lr"]
    for asked in ("", "params.nope,tags.none"):
        page = await fetch(columns=asked, auto_columns="1")
        assert page["columns"] == chosen
        row = page["runs"][8]  # run-03
        assert row["params"]["lr"] == "0.1" and row["metrics"]["acc"] == 0.25
    kept = await fetch(columns="params.lr,params.nope", auto_columns="1")
    assert kept["columns"] == ["params.lr", "params.nope"]
    assert (await fetch())["columns"] == []  # not asked to choose: nothing chosen


@BOTH
async def test_page_tokens_walk_every_run_once(jp_fetch, mlops_backends, exp):
    b = mlops_backends[0]["name"]
    for params in ({}, {"order_by": "metrics.loss ASC"}):
        seen, token = [], None
        for _ in range(5):
            extra = {"page_token": token} if token else {}
            page = await get(
                jp_fetch, "backends", b, "experiments", exp["id"], "runs", max_results="5", **params, **extra
            )
            seen += names(page)
            token = page["next_page_token"]
            if not token:
                break
        assert seen == by_index(list(range(11, -1, -1))), params


@BOTH
async def test_filter_and_order(jp_fetch, mlops_backends, exp):
    b = mlops_backends[0]["name"]
    gitlab = mlops_backends[0]["kind"] == "gitlab"
    runs = ("backends", b, "experiments", exp["id"], "runs")
    page = await get(jp_fetch, *runs, filter="metrics.acc > 0.5 and params.lr = '0.01'")
    assert names(page) == by_index([10, 7])
    assert page["emulated"]["filter"] is gitlab and (page["total"] == 2 if gitlab else page["total"] is None)
    page = await get(jp_fetch, *runs, order_by="metrics.acc DESC")
    assert names(page) == by_index([11, 10, 9, 8, 7, 6, 4, 3, 2, 1, 0, 5])  # missing values last
    assert page["emulated"]["order"] is gitlab and (page["emulated"]["reason"] is not None) is gitlab
    page = await get(jp_fetch, *runs, order_by="params.depth ASC")
    want = sorted(range(12), key=lambda i: (expected(i)["depth"], -i))
    assert names(page) == by_index(want)
    page = await get(jp_fetch, *runs, order_by=["tags.team DESC", "metrics.loss DESC"])  # several keys
    want = sorted(range(12), key=lambda i: (expected(i)["team"] == "a", i))
    assert names(page) == by_index(want)
    page = await get(jp_fetch, *runs, order_by="attributes.run_name ASC")
    assert names(page) == by_index(list(range(12)))
    assert page["emulated"]["order"] is False  # GitLab orders by name itself
    page = await get(jp_fetch, *runs, filter="tags.team = 'a'", order_by="attributes.run_name DESC", max_results="2")
    assert names(page) == by_index([10, 8]) and page["next_page_token"]
    nxt = await get(
        jp_fetch,
        *runs,
        filter="tags.team = 'a'",
        order_by="attributes.run_name DESC",
        max_results="2",
        page_token=page["next_page_token"],
    )
    assert names(nxt) == by_index([6, 4])


@BOTH
@pytest.mark.parametrize(
    "params,status,needle",
    [
        ({"filter": "metrics.acc >> 1"}, 400, "Invalid comparator"),
        ({"filter": "params.lr = 0.01"}, 400, "quoted"),
        ({"order_by": "attributes.color DESC"}, 400, "color"),
        ({"order_by": "weights.x"}, 400, "order_by"),
        ({"columns": "params.lr,weights.x"}, 400, "weights.x"),
        ({"max_results": "1001"}, 400, "max_results"),
        ({"page_token": "e1.Zm9v"}, 400, "page_token"),
    ],
)
async def test_bad_input_is_400_with_the_message(jp_fetch, mlops_backends, exp, params, status, needle):
    code, body = await error(
        jp_fetch, "backends", mlops_backends[0]["name"], "experiments", exp["id"], "runs", **params
    )
    assert code == status and needle in body["message"], body


@BOTH
async def test_foreign_page_token(jp_fetch, mlops_backends, exp):
    b = mlops_backends[0]["name"]
    runs = ("backends", b, "experiments", exp["id"], "runs")
    page = await get(jp_fetch, *runs, filter="tags.team = 'a'", max_results="2")
    if mlops_backends[0]["kind"] == "gitlab":  # our token, replayed with another query
        code, _ = await error(
            jp_fetch, *runs, filter="tags.team = 'b'", max_results="2", page_token=page["next_page_token"]
        )
        assert code == 400
    code, _ = await error(jp_fetch, *runs, page_token="not-a-token")
    assert code == 400


@BOTH
@pytest.mark.parametrize("exp_id", ["999999", "abc"])
async def test_unknown_experiment_is_404(jp_fetch, mlops_backends, exp_id):
    code, _ = await error(jp_fetch, "backends", mlops_backends[0]["name"], "experiments", exp_id, "runs")
    assert code == 404


@pytest.mark.parametrize("mlops_backends", ["mlflow", *GITLAB_BY_PATH], indirect=True)
async def test_run_detail(jp_fetch, mlops_backends, exp, mlflow_server, gitlab_server):
    b, kind = mlops_backends[0]["name"], mlops_backends[0]["kind"]
    run_id = exp["runs"][3]
    d = await get(jp_fetch, "backends", b, "runs", run_id)
    assert d["info"]["run_id"] == run_id and d["info"]["run_name"] == "run-03" and d["info"]["status"] == "FINISHED"
    assert d["params"] == {"lr": "0.1", "depth": "4"}
    assert d["metrics"]["acc"]["value"] == 0.25 and d["metrics"]["acc"]["step"] == 0
    assert d["tags"] == {"team": "b"}
    assert d["system_tags"]["gitlab.CI_JOB_ID"] == "777" and "team" not in d["system_tags"]
    links = d["links"]
    assert links["source"] == {
        "name": d["system_tags"]["mlflow.source.name"],
        "type": "NOTEBOOK",
        "path": "nb/train.ipynb",
        "git_commit": None,
    }
    assert links["ci_job"]["id"] == "777" and links["pipeline"]["id"] == "55"
    if kind == "gitlab":
        web = f"{gitlab_server.base_url}/group/project"
        assert links["ci_job"]["url"] == f"{web}/-/jobs/777"
        assert links["pipeline"]["url"] == f"{web}/-/pipelines/55"
        assert links["candidate"]["url"] == f"{web}/-/ml/candidates/{links['candidate']['iid']}"
        assert links["experiment_url"] == f"{web}/-/ml/experiments/{exp['id']}"
    else:
        assert links["backend_ui_url"] == f"{mlflow_server.url}/#/experiments/{exp['id']}/runs/{run_id}"
        assert links["ci_job"]["url"] is None  # no GitLab to link to
    assert d["artifacts"] == {"files": [], "note": None}


@BOTH
async def test_deleted_and_unknown_run_are_404(jp_fetch, mlops_backends, exp, mlflow_rest):
    b = mlops_backends[0]["name"]
    victim = own_run(mlflow_rest, "victim")
    mlflow_rest.log_batch(victim, metrics={"loss": 0.5})
    await get(jp_fetch, "backends", b, "runs", victim)
    mlflow_rest.post("runs/delete", {"run_id": victim})
    for parts in (
        ("runs", victim),
        ("runs", victim, "metrics", "loss"),
        ("runs", "0" * 32),
        ("runs", "0" * 32, "metrics", "loss"),
        ("runs", "0" * 32, "artifacts"),
    ):
        code, body = await error(jp_fetch, "backends", b, *parts)
        assert code == 404, (parts, body)


@BOTH
async def test_metric_history_downsampled(jp_fetch, mlops_backends, exp, gitlab_server):
    b = mlops_backends[0]["name"]
    run = ("backends", b, "runs", exp["runs"][0], "metrics")
    h = await get(jp_fetch, *run, "train/loss", max_points="100")
    assert h["source"] == "history"
    assert h["total"] == 1999 and h["skipped"] == 1 and h["downsampled"] and h["method"] == "lttb"
    assert len(h["points"]) <= 100 and h["points"][0] == [0, 1.0] and h["points"][-1][0] == 1999
    assert [p[0] for p in h["points"]] == sorted(p[0] for p in h["points"])
    if mlops_backends[0]["kind"] == "gitlab":  # an older GitLab: no get-history, runs/get has the latest only (C1)
        gitlab_server.knobs.metrics_history_supported = False
        h = await get(jp_fetch, *run, "train/loss", max_points="100")
        assert h["source"] == "latest" and h["points"] == [[1999, 1.0 / 2000]] and h["total"] == 1
        gitlab_server.knobs.metrics_history_supported = True
    h = await get(jp_fetch, *run, "train/loss", max_points="50", x="time", method="minmax")
    assert len(h["points"]) <= 50 and h["points"][0][0] == BASE and h["method"] == "minmax"
    h = await get(jp_fetch, *run, "loss")
    assert h["points"] == [[0, 1.0]] and h["downsampled"] is False and h["method"] == "none"
    assert (await get(jp_fetch, *run, "nope"))["points"] == []
    for params in ({"max_points": "1"}, {"x": "epoch"}, {"method": "mean"}):
        code, _ = await error(jp_fetch, *run, "loss", **params)
        assert code == 400


def _upload(mlops_backends, gitlab_server, mlflow_rest, run_id: str, name: str, data: bytes) -> None:
    if mlops_backends[0]["kind"] == "gitlab":
        client = SyncClient(Backend.from_uri(gitlab_server.tracking_uri, kind="gitlab", token=gitlab_server.token))
        run = client.run(client.api.get_run(run_id))
        client.run(client.api.upload_artifact(run.artifact_uri, name, data))
    else:
        mlflow_rest.upload_artifact(mlflow_rest.get_run(run_id), name, data)


@BOTH
async def test_artifacts_list_and_download(jp_fetch, mlops_backends, exp, gitlab_server, mlflow_rest):
    b = mlops_backends[0]["name"]
    run_id = own_run(mlflow_rest, "with-artifacts")
    arts = ("backends", b, "runs", run_id, "artifacts")
    assert (await get(jp_fetch, *arts))["files"] == []
    payload = json.dumps({"acc": 0.5}).encode() * 2000
    _upload(mlops_backends, gitlab_server, mlflow_rest, run_id, "metrics.json", payload)
    listing = await get(jp_fetch, *arts)
    assert listing["files"] == [{"path": "metrics.json", "is_dir": False, "file_size": len(payload)}]
    resp = await jp_fetch("jupyterlab-mlops", *arts, "download", params={"path": "metrics.json"})
    assert resp.body == payload
    assert resp.headers["Content-Type"].split(";")[0] in ("application/json", "text/plain")  # the backend's
    assert resp.headers["Content-Disposition"].startswith('inline; filename="metrics.json"')  # JSON: harmless inline
    assert resp.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    detail = await get(jp_fetch, "backends", b, "runs", run_id)
    assert [f["path"] for f in detail["artifacts"]["files"]] == ["metrics.json"]
    for params, status in (
        ({"path": "../../etc/passwd"}, 400),
        ({"path": "/etc/passwd"}, 400),
        ({}, 400),
        ({"path": "missing.txt"}, 404),
    ):
        code, body = await error(jp_fetch, *arts, "download", **params)
        assert code == status, (params, body)
    code, _ = await error(jp_fetch, *arts, path="../x")
    assert code == 400


async def test_artifact_directories_on_mlflow(jp_fetch, exp, mlflow_rest):
    run_id = own_run(mlflow_rest, "with-dirs")
    mlflow_rest.upload_artifact(mlflow_rest.get_run(run_id), "plots/curve.png", b"\x89PNG....")
    root = await get(jp_fetch, "backends", "default", "runs", run_id, "artifacts")
    assert root["files"] == [{"path": "plots", "is_dir": True, "file_size": None}]
    sub = await get(jp_fetch, "backends", "default", "runs", run_id, "artifacts", path="plots")
    assert sub["files"][0]["path"] == "plots/curve.png" and sub["path"] == "plots"
    resp = await jp_fetch(
        "jupyterlab-mlops",
        "backends",
        "default",
        "runs",
        run_id,
        "artifacts",
        "download",
        params={"path": "plots/curve.png"},
    )
    assert resp.body == b"\x89PNG...." and resp.headers["Content-Type"] == "image/png"


ODD = [
    "",
    " ",
    "'",
    "`",
    "%",
    "\u00e9\u4e2d",
    "a" * 5000,
    "metrics.acc > 'x'",
    "params.lr IN ('a')",
    "tags.`x` = 'y' and",
    "attributes.start_time > 1e99",
    "e1." + "A" * 50,
    "null",
    "[]",
    "{}",
]


@BOTH
async def test_odd_inputs_never_500(jp_fetch, mlops_backends, exp):
    b = mlops_backends[0]["name"]
    for value in ODD:
        for parts, name in (
            (("experiments", exp["id"], "runs"), "filter"),
            (("experiments", exp["id"], "runs"), "order_by"),
            (("experiments", exp["id"], "runs"), "columns"),
            (("experiments", exp["id"], "runs"), "page_token"),
            (("experiments",), "search"),
            (("runs", exp["runs"][0], "metrics", "loss"), "max_points"),
            (("runs", exp["runs"][0], "artifacts"), "path"),
        ):
            resp = await jp_fetch("jupyterlab-mlops", "backends", b, *parts, params={name: value}, raise_error=False)
            assert resp.code in (200, 400, 404), (parts, name, value, resp.code, resp.body[:300])
            assert "message" in json.loads(resp.body) or resp.code == 200


def test_nan_is_sent_as_a_string():
    from jupyterlab_mlops.views.runs_table import num

    assert [num(x) for x in (1.5, math.nan, math.inf, -math.inf)] == [1.5, "NaN", "Infinity", "-Infinity"]

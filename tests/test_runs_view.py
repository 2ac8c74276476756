"""Pure pieces of the candidates table: columns, order (checked against MLflow's own sort), filter,
page tokens, the TTL LRU, and run links."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from jupyterlab_mlops.client.errors import InvalidInput
from jupyterlab_mlops.client.models import Metric, Run
from jupyterlab_mlops.views import runs_table as rv
from jupyterlab_mlops.views.cache import TtlLru
from jupyterlab_mlops.views.links import candidate_iid, project_web_root, run_links, source_path


def make_runs(n: int, seed: int = 1) -> list[Run]:
    rnd = random.Random(seed)
    runs = []
    for i in range(n):
        metrics = {} if rnd.random() < 0.2 else {"acc": Metric("acc", rnd.choice([0.1, 0.5, 0.9, float("nan")]))}
        params = {} if rnd.random() < 0.2 else {"lr": rnd.choice(["0.1", "0.01", "1e-3"])}
        runs.append(
            Run(
                run_id=f"{i:04x}",
                experiment_id="1",
                run_name=rnd.choice(["a", "b", None]),
                status=rnd.choice(["FINISHED", "FAILED"]),
                start_time=rnd.randint(0, 5) * 1000,
                metrics=metrics,
                params=params,
                tags={"team": rnd.choice(["x", "y"])},
            )
        )
    return runs


def test_parse_columns():
    assert rv.parse_columns("params.lr, metric.acc,tags.gitlab.CI_JOB_ID,params.`a, b`,params.lr") == [
        ("params", "lr"),
        ("metrics", "acc"),
        ("tags", "gitlab.CI_JOB_ID"),
        ("params", "a, b"),
    ]
    assert rv.parse_columns("") == [] and rv.parse_columns("attributes.status") == []
    for bad in ("lr", "weights.x", "params."):
        with pytest.raises(InvalidInput):
            rv.parse_columns(bad)


def test_parse_order_by():
    assert rv.parse_order_by(["metrics.`val acc` DESC", "created", "params.lr asc"]) == [
        rv.Order("metrics", "val acc", False),
        rv.Order("attributes", "start_time", True),
        rv.Order("params", "lr", True),
    ]
    with pytest.raises(InvalidInput):
        rv.parse_order_by(["attributes.size"])
    assert rv.gitlab_order([]) == "created_at DESC"
    assert rv.gitlab_order(rv.parse_order_by(["attributes.run_name ASC"])) == "name ASC"
    assert rv.gitlab_order(rv.parse_order_by(["metrics.acc"])) is None


@pytest.mark.parametrize(
    "clauses",
    [
        [],
        ["metrics.acc DESC"],
        ["metrics.acc"],
        ["params.lr DESC", "metrics.acc"],
        ["tags.team", "attributes.status DESC"],
        ["attributes.start_time"],
    ],
)
def test_sort_matches_mlflow(clauses):
    from mlflow.utils.search_utils import SearchUtils

    runs = make_runs(200)
    views = {
        id(r): SimpleNamespace(
            info=r,
            data=SimpleNamespace(metrics={k: m.value for k, m in r.metrics.items()}, params=r.params, tags=r.tags),
        )
        for r in runs
    }
    want = [v.info.run_id for v in SearchUtils.sort(list(views.values()), clauses)]
    got = [r.run_id for r in rv.sort_runs(runs, rv.parse_order_by(clauses))]
    assert got == want


def test_filter_uses_mlflow_semantics_and_messages():
    runs = make_runs(100)
    got = rv.filter_runs(runs, "metrics.acc >= 0.5 and params.lr LIKE '0.%' and tags.team != 'y'")
    assert got == [
        r
        for r in runs
        if "acc" in r.metrics
        and r.metrics["acc"].value >= 0.5
        and r.params.get("lr", "").startswith("0.")
        and r.tags["team"] != "y"
    ]
    assert rv.filter_runs(runs, "attributes.run_id IN ('0001', '0003')") == [runs[1], runs[3]]
    with pytest.raises(InvalidInput, match="Invalid comparator"):
        rv.filter_runs(runs, "metrics.acc >> 1")


def test_tokens():
    q = rv.fingerprint("b", "1", "f", [])
    assert rv.decode_token(rv.encode_token(300, q), q) == 300 and rv.decode_token(None, q) == 0
    for bad in ("x", "e1.!!!", rv.encode_token(5, "other"), rv.encode_token(-1, q)):
        with pytest.raises(InvalidInput):
            rv.decode_token(bad, q)


def test_ttl_lru():
    now = [0.0]
    cache: TtlLru[str, int] = TtlLru(2, 10.0, clock=lambda: now[0])
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")
    cache.put("c", 3)  # evicts b (least recently used)
    assert cache.get("b") is None and cache.get("a") == 1
    now[0] = 6.0
    assert cache.get("a", max_age=5.0) is None and cache.get("a") == 1
    now[0] = 11.0
    assert cache.get("a") is None


def test_links():
    gl = "https://gitlab.example.com/gitlab/api/v4/projects/grp%2Fproj/ml/mlflow"
    assert project_web_root(gl) == "https://gitlab.example.com/gitlab/grp/proj"
    assert project_web_root("https://gitlab.example.com/api/v4/projects/42/ml/mlflow") is None
    assert candidate_iid("mlflow-artifacts:/candidate:12") == "12"
    assert candidate_iid("https://h/api/v4/projects/1/packages/generic/ml_experiment_3/9/") == "9"
    assert source_path("/home/u/work/nb.ipynb", "/home/u") == "work/nb.ipynb"
    assert source_path("/etc/x.ipynb", "/home/u") is None and source_path("../x", "/home/u") is None
    links = run_links(
        kind="gitlab",
        tracking_uri=gl,
        run_id="r",
        experiment_id="3",
        artifact_uri="mlflow-artifacts:/candidate:12",
        tags={"gitlab.CI_JOB_ID": "5"},
        job={
            "web_url": "https://j/5",
            "ref": "refs/merge-requests/8/head",
            "pipeline": {"id": 77, "web_url": "https://p/77"},
        },
    )
    web = "https://gitlab.example.com/gitlab/grp/proj"
    assert links["ci_job"] == {"id": "5", "url": "https://j/5"}
    assert links["pipeline"] == {"id": "77", "url": "https://p/77"}
    assert links["merge_request"] == {"iid": "8", "url": f"{web}/-/merge_requests/8"}
    assert links["candidate"] == {"iid": "12", "url": f"{web}/-/ml/candidates/12"}
    embedded = run_links(
        kind="mlflow",
        tracking_uri="http://127.0.0.1:5000",
        run_id="r",
        experiment_id="1",
        artifact_uri=None,
        tags={},
        embedded=True,
    )
    assert embedded["backend_ui_url"] is None and embedded["ci_job"] is None


@pytest.mark.parametrize("n", [2, 3, 5, 37, 1000, 10_001])
def test_count_by_offset_probes(n):
    """The run count from 1-run probes at crafted MLflow offsets, in O(log n) tiny requests."""
    import base64
    import json

    from jupyterlab_mlops.client.api import Api
    from jupyterlab_mlops.client.calls import drive_sync
    from jupyterlab_mlops.client.dialect import MLFLOW
    from jupyterlab_mlops.client.models import Page
    from jupyterlab_mlops.views.experiments import Progress, count_by_offsets, uses_offset_tokens

    calls = []

    def run(call):
        offset = json.loads(base64.b64decode(call.json["page_token"]))["offset"]
        calls.append(offset)
        return Page(items=[object()] if offset < n else [])

    assert drive_sync(count_by_offsets(Api(MLFLOW), "1", Progress()), run) == n
    assert len(calls) <= 2 * max(n, 2).bit_length() + 2
    assert uses_offset_tokens(base64.b64encode(b'{"offset": 1}').decode())
    assert not uses_offset_tokens("opaque-keyset-cursor") and not uses_offset_tokens(None)

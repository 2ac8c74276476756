"""A team on one registry (issue 16): two JupyterHub users, one MLflow on PostgreSQL with artifacts in S3.

Everything goes through the hub's URL (``/user/<name>/...``) with each user's hub token: kernels are started
with the Jupyter REST API and run over their websocket, as JupyterLab does.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from ..mlflow_fixture import unique
from ..test_proxy_streaming import write_random
from .hub import UserServer, ok
from .kernels import Kernel
from .services import BUCKET, TeamBackend

POINTS = 300
BIG_BYTES = int(os.environ.get("MLOPS_TEAM_BIG_BYTES", str(200 * 1024**2)))  # >= 200 MB through the proxy

LOG_BOTH_WAYS = """
import json, mlflow, jupyterlab_mlops as mlops
who = {who!r}
mlops.experiment({exp!r})
with mlops.start_run(name=who + "-api") as run:
    mlops.log_params({{"who": who, "lr": 0.01}})
    for i in range({points}):
        mlops.log_metric("loss", 1 / (i + 1), step=i)
mlflow.set_experiment({exp!r})
with mlflow.start_run(run_name=who + "-mlflow") as plain:
    mlflow.log_param("who", who)
    for i in range({points}):
        mlflow.log_metric("acc", i / {points}, step=i)
print("RESULT", json.dumps({{"api": run.run_id, "mlflow": plain.info.run_id}}))
"""


def both(fn: Callable[[str], Any], names: tuple[str, ...] = ("alice", "bob")) -> dict[str, Any]:
    """``fn(name)`` for every user at the same time (threads); the results by name (errors re-raised)."""
    results: dict[str, Any] = {}

    def one(name: str) -> None:
        try:
            results[name] = fn(name)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            results[name] = exc

    threads = [threading.Thread(target=one, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    for value in results.values():
        if isinstance(value, BaseException):
            raise value
    return results


@pytest.fixture(scope="module")
def logged(hub) -> Iterator[dict[str, Any]]:
    """Both users log at the same time, each with the kernel API and plain ``mlflow`` in a kernel of their own
    server, to one shared experiment. ``{"experiment": name, "runs": {user: {"api": id, "mlflow": id}}}``."""
    exp = unique("team")

    def log(name: str) -> dict[str, str]:
        kernel = Kernel(hub.servers[name])
        try:
            return kernel.value(LOG_BOTH_WAYS.format(who=name, exp=exp, points=POINTS))
        finally:
            kernel.close()

    yield {"experiment": exp, "runs": both(log)}


def experiment_id(server: UserServer, name: str) -> str:
    found = ok(server.get("backends/team/experiments", params={"search": name}))["experiments"]
    return next(e["experiment_id"] for e in found if e["name"] == name)


def test_both_users_log_at_once_and_each_sees_the_others_runs(hub, logged):
    ids = {run_id for runs in logged["runs"].values() for run_id in runs.values()}
    assert len(ids) == 4
    for server in hub.servers.values():
        exp = experiment_id(server, logged["experiment"])
        page = ok(
            server.get(
                f"backends/team/experiments/{exp}/runs", params={"columns": "params.who,metrics.loss,metrics.acc"}
            )
        )
        assert {r["run_id"] for r in page["runs"]} == ids, server.name
        names = {r["run_name"]: r for r in page["runs"]}
        assert set(names) == {"alice-api", "alice-mlflow", "bob-api", "bob-mlflow"}
        for who in ("alice", "bob"):
            other = logged["runs"][who]["api"]
            history = ok(server.get(f"backends/team/runs/{other}/metrics/loss", params={"max_points": 10000}))
            assert len(history["points"]) == POINTS, (server.name, who)
            run = ok(server.get(f"backends/team/runs/{logged['runs'][who]['mlflow']}"))
            assert run["params"]["who"] == who and run["info"]["user_id"] == who, run["info"]


def test_every_route_works_under_the_user_prefix(hub, logged):
    alice, bob = hub.servers["alice"], hub.servers["bob"]
    a_run, b_run = logged["runs"]["alice"]["api"], logged["runs"]["bob"]["mlflow"]
    status = ok(alice.get("status"))
    assert status["backends"][0]["name"] == "team" and status["backends"][0]["health"] == "healthy", status
    assert status["spool"]["path"] == str(alice.spool_dir)
    # the tracking-URI proxy under /user/alice/
    assert ok(alice.get("backends/team/mlflow/version")).text.strip()
    found = ok(alice.post("backends/team/mlflow/api/2.0/mlflow/experiments/search", {"max_results": 100}))
    exp = next(e["experiment_id"] for e in found["experiments"] if e["name"] == logged["experiment"])
    assert ok(alice.get("backends/team/mlflow/api/2.0/mlflow/runs/get", params={"run_id": b_run}))["run"]
    # the composite views
    assert ok(alice.get(f"backends/team/experiments/{exp}/summary"))
    assert ok(bob.get(f"backends/team/experiments/{exp}/runs", params={"filter": "params.who = 'alice'"}))["runs"]
    cmp = ok(bob.get("compare", params={"run": [f"team:{a_run}", f"team:{b_run}"], "max_points": 50}))
    assert {s["key"] for s in cmp["series"]} >= {"loss", "acc"}
    table = list(csv.reader(io.StringIO(ok(bob.get("compare.csv", params={"run": [a_run, b_run]})).text)))
    assert len(table) > 1
    artifact = f"{exp}/{a_run}/artifacts/notes/readme.txt"
    ok(
        alice.session.put(
            alice.mlops(f"backends/team/mlflow/api/2.0/mlflow-artifacts/artifacts/{artifact}"),
            data=b"hello team",
            timeout=60,
        )
    )
    listing = ok(bob.get(f"backends/team/runs/{a_run}/artifacts", params={"path": "notes"}))
    assert [f["path"] for f in listing["files"]] == ["notes/readme.txt"]
    got = ok(bob.get(f"backends/team/runs/{a_run}/artifacts/download", params={"path": "notes/readme.txt"}))
    assert got.content == b"hello team"


def test_promotion_by_one_user_shows_in_the_others_registry(hub, logged):
    alice, bob = hub.servers["alice"], hub.servers["bob"]
    model = unique("churn")
    run = logged["runs"]["alice"]["api"]
    assert ok(alice.get(f"backends/team/models/{model}/next-version"))["suggested"] == "1.0.0"
    promoted = ok(alice.post(f"backends/team/models/{model}/versions", {"run_id": run, "create_model": True}), 201)
    version = promoted["version"]["version"]
    champion = ok(bob.get(f"backends/team/models/{model}/champion", params={"run_id": run, "metrics": "loss"}))
    assert champion["champion"]["run_id"] == run
    assert [m["name"] for m in ok(bob.get("models", params={"search": model}))["models"]] == [model]
    page = ok(bob.get(f"backends/team/models/{model}"))
    assert [v["version"] for v in page["versions"]] == [version]
    assert page["versions"][0]["candidate"] == {"backend": "team", "run_id": run, "run_name": "alice-api"}
    vpath = f"backends/team/models/{model}/versions/{version}"
    ok(bob.post(vpath + "/links", {"url": "https://example.org/review"}), 201)
    assert [link["url"] for link in ok(alice.get(vpath))["links"]] == ["https://example.org/review"]
    ok(alice.session.put(alice.mlops(vpath + "/artifacts/card.md"), data=b"# card", timeout=60), 201)
    got = ok(bob.get(vpath + "/artifacts/download", params={"path": "card.md"}))
    assert got.content == b"# card"


def test_snapshot_taken_by_one_user_is_restored_by_the_other(hub, logged):
    import nbformat

    alice, bob = hub.servers["alice"], hub.servers["bob"]
    runs = logged["runs"]
    for run, source in ((runs["alice"]["api"], "x = 1"), (runs["alice"]["mlflow"], "x = 2")):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        ok(
            alice.session.put(
                alice.url("api/contents/train.ipynb"), json={"type": "notebook", "content": nb}, timeout=30
            ),
            (200, 201),
        )
        ok(alice.post(f"backends/team/runs/{run}/snapshot", {"path": "train.ipynb"}))
    got = ok(bob.get(f"backends/team/runs/{runs['alice']['api']}/snapshot"))
    assert got["notebook"]["cells"][0]["source"] == "x = 1"
    restored = ok(bob.post(f"backends/team/runs/{runs['alice']['api']}/snapshot/restore", {"dir": ""}))
    assert (bob.home / restored["path"]).exists() and not (bob.home / "train.ipynb").exists()
    diff = ok(
        bob.get("snapshots/diff", params={"a": f"team:{runs['alice']['api']}", "b": f"team:{runs['alice']['mlflow']}"})
    )
    assert diff["summary"]["modified"] == 1


def test_large_artifact_goes_up_and_down_through_the_proxy_to_s3(hub, logged, team: TeamBackend, tmp_path: Path):
    alice, bob = hub.servers["alice"], hub.servers["bob"]
    run = logged["runs"]["bob"]["api"]
    exp = experiment_id(alice, logged["experiment"])
    src = tmp_path / "model.bin"
    digest = write_random(src, BIG_BYTES)
    path = f"{exp}/{run}/artifacts/model.bin"
    with open(src, "rb") as body:  # a file object: streamed with its Content-Length
        ok(
            alice.session.put(
                alice.mlops(f"backends/team/mlflow/api/2.0/mlflow-artifacts/artifacts/{path}"), data=body, timeout=900
            )
        )
    src.unlink()
    head = team.moto.s3().head_object(Bucket=BUCKET, Key=f"artifacts/{path}")
    assert head["ContentLength"] == BIG_BYTES  # it is in the object store, not on a Jupyter disk
    for url in (
        bob.mlops(f"backends/team/mlflow/api/2.0/mlflow-artifacts/artifacts/{path}"),
        bob.mlops(f"backends/team/runs/{run}/artifacts/download?path=model.bin"),
    ):
        sha, size = hashlib.sha256(), 0
        with bob.session.get(url, stream=True, timeout=900) as r:
            assert r.status_code == 200, r.text[:500]
            for chunk in r.iter_content(8 << 20):
                sha.update(chunk)
                size += len(chunk)
        assert size == BIG_BYTES and sha.hexdigest() == digest, url


def test_one_users_token_is_refused_by_the_other_users_server(hub):
    alice, bob = hub.servers["alice"], hub.servers["bob"]
    for path in ("jupyterlab-mlops/status", "jupyterlab-mlops/backends/team/mlflow/version", "api/kernels"):
        assert bob.session.get(alice.url(path), timeout=30).status_code == 403, path
        assert alice.session.get(bob.url(path), timeout=30).status_code == 403, path
        assert alice.session.get(alice.url(path), timeout=30).status_code == 200, path
    r = bob.session.post(alice.url("api/kernels"), json={"name": "python3"}, timeout=30)
    assert r.status_code == 403
    r = bob.session.put(
        alice.mlops("backends/team/mlflow/api/2.0/mlflow-artifacts/artifacts/1/x/artifacts/f"), data=b"x", timeout=30
    )
    assert r.status_code == 403
    anonymous = bob.session.__class__()
    assert anonymous.get(alice.url("jupyterlab-mlops/status"), timeout=30, allow_redirects=False).status_code in (
        302,
        403,
    )

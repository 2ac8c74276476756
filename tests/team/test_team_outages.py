"""Bad input for a team (issue 16): the database down, the object store down, the hub restarting a user's server
(with a spool to replay, and in the middle of an upload). The extension says which part is down, kernels spool,
and nothing is lost once the part is back."""

from __future__ import annotations

import os
import re
import threading
import time
from typing import Any, Callable

import pytest

from ..mlflow_fixture import unique
from .hub import Hub, UserServer, ok
from .kernels import Kernel
from .services import TeamBackend

DATABASE = re.compile(r"psycopg2|postgres|database|connection to server", re.I)
OBJECT_STORE = re.compile(r"artifact store|object store|\bS3\b", re.I)

OFFLINE_RUN = """
import json, jupyterlab_mlops as mlops
with mlops.start_run(name={name!r}) as run:
    mlops.log_param("phase", "offline")
    for i in range({points}):
        mlops.log_metric("loss", 1 / (i + 1), step=i)
r = mlops.flush(timeout=30)
print("RESULT", json.dumps({{"ref": run.ref, "delivered": r.delivered, "pending": r.pending,
                             "state": mlops.status().state}}))
"""
FLUSH = """
import json, jupyterlab_mlops as mlops
r = mlops.flush(timeout=120)
print("RESULT", json.dumps({"delivered": r.delivered, "pending": r.pending, "status": mlops.status().state}))
"""


def wait_for(what: str, probe: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)


def health(server: UserServer) -> dict[str, Any]:
    status = ok(server.get("status"))
    return {**status["backends"][0], "spool": status["spool"]["depth"]}


def replayed_run(server: UserServer, experiment: str, ref: str) -> dict[str, Any]:
    """The run a kernel created offline (``ref`` = ``local-...``), once replayed: found by its marker tag."""
    found = ok(server.post("backends/team/mlflow/api/2.0/mlflow/experiments/search", {"max_results": 500}))
    exp = next(e["experiment_id"] for e in found["experiments"] if e["name"] == experiment)
    runs = ok(
        server.post(
            "backends/team/mlflow/api/2.0/mlflow/runs/search",
            {"experiment_ids": [exp], "max_results": 10, "filter": f"tags.`mlops.local_id` = '{ref}'"},
        )
    ).get("runs", [])
    assert len(runs) == 1, runs
    return runs[0]


def points(server: UserServer, run_id: str, key: str = "loss") -> int:
    return len(ok(server.get(f"backends/team/runs/{run_id}/metrics/{key}", params={"max_points": 10000}))["points"])


def test_database_down_is_named_kernels_spool_and_nothing_is_lost(hub: Hub, team: TeamBackend):
    alice, bob = hub.servers["alice"], hub.servers["bob"]
    exp = unique("db-down")
    kernel = Kernel(alice)
    try:
        kernel.run(f"import jupyterlab_mlops as mlops\nmlops.experiment({exp!r})")
        team.postgres.stop()
        r = alice.get("backends/team/experiments")
        assert r.status_code == 503 and DATABASE.search(r.json()["message"]), r.text  # MLflow's 503, passed on
        down = wait_for("status to say the database is down", lambda: (h := health(alice))["health"] != "healthy" and h)
        assert down["health"] == "unreachable" and DATABASE.search(down["message"]), down
        offline = kernel.value(OFFLINE_RUN.format(name="offline", points=1000))
        assert not offline["delivered"] and offline["pending"] >= 1000, offline
        assert offline["state"].startswith("offline"), offline
        assert health(alice)["spool"] == offline["pending"]  # the sidebar shows what the kernel spooled
        team.postgres.start()
        back = kernel.value(FLUSH)
        assert back["delivered"] and back["pending"] == 0, back
    finally:
        kernel.close()
    run = replayed_run(bob, exp, offline["ref"])  # the other user sees it
    assert points(bob, run["info"]["run_id"]) == 1000
    assert wait_for("status healthy again", lambda: (h := health(alice))["health"] == "healthy" and h)["spool"] == 0


ARTIFACT_DURING_OUTAGE = """
import json, jupyterlab_mlops as mlops
from jupyterlab_mlops import MlopsError
open("during.txt", "w").write("written while S3 is down")
with mlops.start_run(name="s3-down") as run:
    for i in range(200):
        mlops.log_metric("loss", 1 / (i + 1), step=i)
    try:
        mlops.log_artifact("during.txt")
        error = None
    except MlopsError as exc:
        error = exc.message
r = mlops.flush(timeout=60)
print("RESULT", json.dumps({"run": run.run_id, "error": error, "delivered": r.delivered}))
"""


@pytest.fixture
def s3_down(hub: Hub, team: TeamBackend) -> Any:
    """An artifact uploaded by alice, then the object store taken away (moto keeps what it holds)."""
    alice = hub.servers["alice"]
    found = ok(alice.post("backends/team/mlflow/api/2.0/mlflow/experiments/search", {"max_results": 1}))
    exp = found["experiments"][0]["experiment_id"]
    run = ok(alice.post("backends/team/mlflow/api/2.0/mlflow/runs/create", {"experiment_id": exp}))["run"]["info"]
    path = f"{exp}/{run['run_id']}/artifacts/before.txt"
    ok(
        alice.session.put(
            alice.mlops(f"backends/team/mlflow/api/2.0/mlflow-artifacts/artifacts/{path}"),
            data=b"stored before the outage",
            timeout=60,
        )
    )
    team.s3_relay.down()
    yield run["run_id"]
    team.s3_relay.up()


def test_object_store_down_kernels_keep_logging_and_nothing_is_lost(hub: Hub, team: TeamBackend, s3_down: str):
    alice, bob = hub.servers["alice"], hub.servers["bob"]
    r = bob.get(f"backends/team/runs/{s3_down}/artifacts/download", params={"path": "before.txt"})
    assert r.status_code == 502 and r.json()["message"], r.text  # a JSON error, not a hang or a broken stream
    kernel = Kernel(alice)
    try:
        during = kernel.value(ARTIFACT_DURING_OUTAGE)
        assert during["delivered"] and during["error"], during  # metrics go on; the upload fails loudly
        team.s3_relay.up()
        again = kernel.value(
            'with mlops.start_run(name="s3-back") as back:\n    mlops.log_artifact("during.txt")\n'
            'print("RESULT", json.dumps(back.run_id))'
        )
    finally:
        kernel.close()
    assert points(bob, during["run"]) == 200
    files = ok(bob.get(f"backends/team/runs/{again}/artifacts"))["files"]
    assert [f["path"] for f in files] == ["during.txt"]
    got = ok(bob.get(f"backends/team/runs/{s3_down}/artifacts/download", params={"path": "before.txt"}))
    assert got.content == b"stored before the outage"


def test_object_store_down_is_named_by_status_and_routes(hub: Hub, s3_down: str):
    alice = hub.servers["alice"]
    r = alice.get(f"backends/team/runs/{s3_down}/artifacts")
    assert r.status_code in (502, 503) and OBJECT_STORE.search(r.json()["message"]), r.text
    r = alice.get(f"backends/team/runs/{s3_down}/artifacts/download", params={"path": "before.txt"})
    assert OBJECT_STORE.search(r.json()["message"]), r.text
    status = wait_for(
        "status to say the object store is down",  # its next probe (at most 10 s old) asks
        lambda: (h := health(alice))["health"] != "healthy" and h,
    )
    assert status["health"] == "failed" and OBJECT_STORE.search(status["message"]), status


def test_hub_restarting_a_server_loses_nothing_that_user_spooled(hub: Hub, team: TeamBackend):
    alice, bob = hub.servers["alice"], hub.servers["bob"]
    exp = unique("restart")
    kernel = Kernel(alice)
    try:
        kernel.run(f"import jupyterlab_mlops as mlops\nmlops.experiment({exp!r})")
        team.postgres.stop()
        offline = kernel.value(OFFLINE_RUN.format(name="across-restart", points=500))
        assert offline["pending"] >= 500, offline
    finally:
        kernel.close()
    hub.stop_server("alice")
    hub.start_server("alice")  # the database is still down: the spool must have survived on its own
    assert health(alice)["spool"] == offline["pending"]
    team.postgres.start()
    kernel = Kernel(alice)  # a new kernel adopts the spool of the dead one and replays it
    try:
        back = kernel.value(FLUSH)
        assert back["delivered"], back
    finally:
        kernel.close()
    run = replayed_run(bob, exp, offline["ref"])
    assert points(bob, run["info"]["run_id"]) == 500 and run["info"]["status"] == "FINISHED"
    assert wait_for("the spool to be empty", lambda: health(alice)["spool"] == 0)


class ThrottledBody:
    """A request body of ``size`` random bytes with a known length; past half of it, each MiB waits a little,
    so a test can act while the upload is under way (``.sent`` tells how far it got)."""

    def __init__(self, size: int, pause: float = 0.1) -> None:
        self.size, self.pause, self.sent = size, pause, 0

    def __len__(self) -> int:
        return self.size

    def read(self, n: int = -1) -> bytes:
        n = min(1 << 20, self.size - self.sent)
        if n <= 0:
            return b""
        if self.sent >= self.size // 2:
            time.sleep(self.pause)
        self.sent += n
        return os.urandom(n)


def test_hub_restarting_a_server_mid_upload_leaves_no_partial_file(hub: Hub, team: TeamBackend):
    alice, bob = hub.servers["alice"], hub.servers["bob"]
    found = ok(alice.post("backends/team/mlflow/api/2.0/mlflow/experiments/search", {"max_results": 1}))
    exp = found["experiments"][0]["experiment_id"]
    run = ok(alice.post("backends/team/mlflow/api/2.0/mlflow/runs/create", {"experiment_id": exp}))["run"]["info"]
    url = alice.mlops(f"backends/team/mlflow/api/2.0/mlflow-artifacts/artifacts/{exp}/{run['run_id']}/artifacts/")
    ok(alice.session.put(url + "kept.txt", data=b"uploaded before", timeout=60))
    body, outcome = ThrottledBody(64 << 20), {}

    def upload() -> None:
        try:
            outcome["status"] = alice.session.put(url + "cut.bin", data=body, timeout=300).status_code
        except Exception as exc:  # noqa: BLE001 - a cut connection is one of the right outcomes
            outcome["error"] = exc

    thread = threading.Thread(target=upload)
    thread.start()
    try:
        wait_for("half of the upload", lambda: body.sent > body.size // 2 + (4 << 20), timeout=120)
        hub.stop_server("alice")
        thread.join(120)
        assert outcome.get("error") or outcome.get("status", 0) >= 500, outcome  # the client learns it failed
    finally:
        thread.join(120)
        hub.start_server("alice")
    files = ok(bob.get(f"backends/team/runs/{run['run_id']}/artifacts"))["files"]
    assert [f["path"] for f in files] == ["kept.txt"]  # no truncated cut.bin passes for a whole file
    ok(alice.session.put(url + "cut.bin", data=b"again, whole", timeout=60))  # the restarted server takes it
    got = ok(bob.get(f"backends/team/runs/{run['run_id']}/artifacts/download", params={"path": "cut.bin"}))
    assert got.content == b"again, whole"

"""The durable spool (real SQLite files) and the logger's offline mode against the real MLflow server
(taken "down" with a TCP proxy in front of it) and the GitLab-dialect server."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap
import uuid

import pytest

from jupyterlab_mlops.client import Backend
from jupyterlab_mlops.client.sync import SyncClient
from jupyterlab_mlops.spool import Spool, total_depth

from .kernel_support import TcpProxy, get_run, history, kv, use_backend, wait_for


def uniq(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


ITEMS = [
    ("c", "local-1", json.dumps({"experiment_name": "e", "run_name": "r"})),
    ("m", "local-1", "loss", 0.5, 1000, 1),
    ("m", "local-1", "loss", math.nan, 1001, 2),
    ("m", "local-1", "loss", -math.inf, 1002, 3),
    ("p", "local-1", "lr", "0.01"),
    ("t", "local-1", "stage", "dev"),
    ("u", "local-1", "FINISHED", 2000),
]


def same(a, b):
    return all(x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y)) for x, y in zip(a, b)) and len(
        a
    ) == len(b)


def test_append_head_delete_and_reopen(tmp_path):
    sp = Spool.create(tmp_path, meta={"backend_url": "http://x"})
    assert sp.append(ITEMS) == len(ITEMS)
    assert sp.depth == len(ITEMS) and sp.depth_path.read_text() == str(len(ITEMS))
    rows = sp.head()
    assert all(same(r[1], i) for r, i in zip(rows, ITEMS)) and len(rows) == len(ITEMS)
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    sp.delete_through(rows[2][0], map_run=("local-1", "abc"))
    assert sp.depth == len(ITEMS) - 3 and sp.depth_path.read_text() == str(len(ITEMS) - 3)
    path = sp.path
    assert not sp.close()  # not empty: kept
    again = Spool(path)
    assert again.depth == len(ITEMS) - 3 and again.run_map == {"local-1": "abc"}
    assert again.meta()["backend_url"] == "http://x"
    assert same(again.head(1)[0][1], ITEMS[3])
    again.delete_through(again.head()[-1][0])
    assert again.close() and not list(tmp_path.iterdir())  # empty: every file removed


def test_orphans_are_adopted_but_not_live_spools(tmp_path):
    code = textwrap.dedent(f"""
        import os, sys, time
        from jupyterlab_mlops.spool import Spool
        sp = Spool.create({str(tmp_path)!r}, meta={{"backend_url": "http://x"}})
        sp.append([("m", "r", "k", 1.0, 1, int(sys.argv[1]))])
        print("ready", flush=True)
        if sys.argv[1] == "1":
            os._exit(0)        # a crashed kernel: nothing closed, the lock dies with the process
        time.sleep(60)         # a live kernel
    """)
    env = {"PYTHONPATH": str(__import__("pathlib").Path(__file__).resolve().parents[1])}
    dead = subprocess.run([sys.executable, "-c", code, "1"], capture_output=True, text=True, env=env, timeout=60)
    assert dead.stdout.strip() == "ready", dead.stderr
    live = subprocess.Popen([sys.executable, "-c", code, "2"], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert live.stdout.readline().strip() == "ready"
        assert total_depth(tmp_path) == 2
        adopted = Spool.orphans(tmp_path)
        assert len(adopted) == 1 and adopted[0].head()[0][1][5] == 1  # only the dead kernel's spool
        assert Spool.orphans(tmp_path) == []  # we hold it now
        adopted[0].close(remove_if_empty=False)
    finally:
        live.kill()
        live.wait()
    assert sorted(s.head()[0][1][5] for s in Spool.orphans(tmp_path)) == [1, 2]


def test_depth_files_are_what_the_server_reports(tmp_path):
    """``total_depth`` (what ``GET status`` reports) reads the ``*.depth`` files every spool keeps current."""
    a = Spool.create(tmp_path)
    b = Spool.create(tmp_path)
    a.append(ITEMS[:3])
    b.append(ITEMS)
    assert total_depth(tmp_path) == 3 + len(ITEMS)
    a.delete_through(a.head()[-1][0])
    assert total_depth(tmp_path) == len(ITEMS)
    a.close()
    b.close(remove_if_empty=False)


@pytest.fixture
def proxy(mlflow_server):
    p = TcpProxy(mlflow_server.url)
    yield p
    p.close()


def test_outage_spools_in_order_and_replays_exactly_once(proxy, mlflow_server, tmp_path, capsys):
    api = use_backend(proxy.url, spool_dir=tmp_path)
    api.experiment(uniq("outage"))
    run = api.start_run(name="through-proxy")
    api.log_metric("loss", -1.0, step=0)
    assert api.flush().delivered
    proxy.down()
    api.log_param("lr", 0.1)
    for i in range(1, 3001):
        api.log_metric("loss", i * 0.1, step=i)
        if i == 1500:
            api.set_tag("half", "yes")
    result = api.flush(timeout=30)
    assert not result.delivered and result.pending == 3002
    assert total_depth(tmp_path) == 3002
    st = api.status()
    assert st.state.startswith("offline") and st.spooled == 3002
    api.log_metric("loss", 3001 * 0.1, step=3001)  # logging goes on while offline
    err = capsys.readouterr().err
    assert err.count("logging continues offline") == 1 and "Traceback" not in err
    proxy.up()
    result = api.flush(timeout=60)
    assert result.delivered, result
    assert total_depth(tmp_path) == 0
    assert "is back" in capsys.readouterr().out  # information: stdout (warnings: stderr)
    points = history(mlflow_server.url, run.run_id, "loss")
    assert sorted(p["step"] for p in points) == list(range(3002))
    data = get_run(mlflow_server.url, run.run_id)["data"]
    assert kv(data["params"]) == {"lr": "0.1"} and kv(data["tags"])["half"] == "yes"
    api.end_run()


@pytest.mark.parametrize("kind", ["mlflow", "gitlab"])
def test_replaying_an_already_delivered_batch_adds_nothing(kind, request, mlflow_server, tmp_path, capsys):
    """The crash window: the backend took a batch but we died before deleting it from the spool."""
    if kind == "mlflow":
        backend = Backend.from_uri(mlflow_server.url)
    else:
        gl = request.getfixturevalue("gitlab_server")
        backend = Backend.from_uri(gl.tracking_uri, token=gl.token)
    client = SyncClient(backend)
    from jupyterlab_mlops.client import flows

    exp = client.drive(flows.get_or_create_experiment(client.api, uniq("replay")))
    rid = client.run(client.api.create_run(exp.experiment_id)).run_id
    items = [("p", rid, "lr", "0.01")] + [("m", rid, "acc", i / 2000, 1_700_000_000_000 + i, i) for i in range(2000)]
    from jupyterlab_mlops.client.models import Metric

    client.run(
        client.api.log_batch(
            rid, metrics=[Metric(i[2], i[3], i[4], i[5]) for i in items[1:1000]], params={"lr": "0.01"}
        )
    )  # delivered once already...
    sp = Spool.create(tmp_path, meta={"backend_url": backend.url, "backend_kind": backend.kind})
    # ...and still in the spool of a kernel that died; on GitLab (which appends duplicate points, C6)
    # the logger marks a batch before sending it, so the next kernel reads back what arrived
    sp.append(items, unsure=1000 if kind == "gitlab" else 0)
    sp.close(remove_if_empty=False)
    api = use_backend(backend.url, backend.token, spool_dir=tmp_path)
    result = api.flush(timeout=60)
    assert result.delivered and total_depth(tmp_path) == 0
    if kind == "gitlab":  # counted as GitLab stores them (every appended row)
        points = history(gl.tracking_uri, rid, "acc", headers=gl.headers())
    else:
        points = history(mlflow_server.url, rid, "acc")
    assert len(points) == 2000 and sorted(p["step"] for p in points) == list(range(2000))
    assert kv(get_run(mlflow_server.url, rid)["data"]["params"]) == {"lr": "0.01"}
    said = capsys.readouterr()
    assert "earlier kernel" in said.out  # information: stdout
    assert "refused" not in said.err and "write-once" not in said.err
    client.close()


def test_refused_batch_is_dropped_and_logging_goes_on(mlflow_server, mlflow_rest, tmp_path, capsys):
    api = use_backend(mlflow_server.url, spool_dir=tmp_path)
    api.experiment(uniq("drop"))
    doomed = api.start_run(name="doomed")
    mlflow_rest.post("runs/delete", {"run_id": doomed.run_id})
    api.log_metric("x", 1.0)
    api.end_run()
    err = capsys.readouterr().err
    assert "refused" in err and "deleted" in err and "Traceback" not in err
    assert api.status().dropped >= 1 and api.status().spooled == 0
    with api.start_run() as ok:
        api.log_metric("x", 2.0)
    assert history(mlflow_server.url, ok.run_id, "x")[0]["value"] == 2.0


def test_unwritable_spool_keeps_data_in_memory(proxy, mlflow_server, tmp_path, capsys):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    api = use_backend(proxy.url, spool_dir=blocker / "spool")
    api.experiment(uniq("nospool"))
    run = api.start_run()
    proxy.down()
    for i in range(50):
        api.log_metric("m", i, step=i)
    result = api.flush(timeout=20)
    assert not result.delivered
    assert "cannot write the spool" in capsys.readouterr().err
    proxy.up()
    wait_for(lambda: api.flush(timeout=20).delivered, timeout=30)
    assert len(history(mlflow_server.url, run.run_id, "m")) == 50
    api.end_run()


@pytest.mark.parametrize("down", [False, True], ids=["backend-up", "backend-down"])
def test_interpreter_exit_flushes_or_spools(down, proxy, mlflow_server, tmp_path):
    """No flush(), no end_run(): exit delivers (and ends the run FINISHED), or spools when it cannot."""
    from pathlib import Path

    name = uniq("exit")
    code = textwrap.dedent(f"""
        import jupyterlab_mlops as mlops
        mlops.experiment({name!r})
        run = mlops.start_run()
        print(run.run_id, flush=True)
        for i in range(3000):
            mlops.log_metric("x", i, step=i)
    """)
    env = {
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        "MLFLOW_TRACKING_URI": proxy.url,
        "MLOPS_SPOOL_DIR": str(tmp_path),
        "MLOPS_EXIT_FLUSH_TIMEOUT": "30",
        "PATH": "/usr/bin:/bin",
    }
    # backend-down: the kernel exits only once the backend is gone (told on stdin)
    proc = subprocess.Popen(
        [sys.executable, "-c", code + ("\nimport sys; sys.stdin.readline()\n" if down else "")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    run_id = proc.stdout.readline().strip()
    if down:
        proxy.down()
    _, err = proc.communicate(input="down\n", timeout=120)
    assert proc.returncode == 0 and "Traceback" not in err, err
    if down:
        assert total_depth(tmp_path) > 0  # whatever was not sent before the outage is on disk
        proxy.up()
        api = use_backend(proxy.url, spool_dir=tmp_path)  # the next kernel replays it
        assert api.flush(timeout=60).delivered
    assert sorted(p["step"] for p in history(mlflow_server.url, run_id, "x")) == list(range(3000))
    assert get_run(mlflow_server.url, run_id)["info"]["status"] == "FINISHED"
    assert total_depth(tmp_path) == 0

"""Fault tests (DESIGN §9): the real MLflow server stopped for 30 s during 100,000 ``log_metric`` calls
(every point arrives exactly once), and a real kernel restarted with a non-empty spool (replayed)."""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from jupyterlab_mlops.spool import total_depth

from .kernel_support import TcpProxy, history, use_backend, wait_for

ROOT = Path(__file__).resolve().parents[1]
N = 100_000


def uniq(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class SlowProxy(TcpProxy):
    """A :class:`TcpProxy` that, while ``hold`` > 0, holds every answer of the backend that long before
    passing it on: the request was sent and processed, the client times out waiting for the answer."""

    hold = 0.0
    held = 0  # answers held past the client's timeout

    def _pump(self, src, dst) -> None:  # type: ignore[override]
        try:
            from_backend = src.getpeername()[1] == self.target[1]
        except OSError:
            from_backend = False
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if from_backend and self.hold:
                    self.held += 1
                    time.sleep(self.hold)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(2)
                except OSError:
                    pass


def stored_steps(kind: str, request, run_id: str, key: str) -> list[int]:
    """The steps of every stored point, duplicates included, as the backend keeps them."""
    if kind == "gitlab":
        gl = request.getfixturevalue("gitlab_server")
        rows = getattr(gl.state, "metric_rows", None)
        if rows is not None:  # GitLab keeps every appended row (C6); 100 pages of get-history would be slow
            return [r.step for r in rows.get(run_id, []) if r.key == key]
        return [p["step"] for p in history(gl.tracking_uri, run_id, key, headers=gl.headers())]
    return [p["step"] for p in history(request.getfixturevalue("mlflow_server").url, run_id, key)]


@pytest.mark.slow  # ~60-90 s each: a 30 s outage plus the restart; required, runs in CI
@pytest.mark.parametrize("kind", ["mlflow", "gitlab"])
def test_backend_down_for_30s_during_100k_points_every_point_once(kind, request, mlflow_server, tmp_path):
    """Backend gone for 30 s in the middle of 100,000 ``log_metric`` calls, and before that a few seconds
    where answers come too late (the request was sent and stored, the client timed out): every point is
    stored exactly once. MLflow: the server process is stopped; slow answers held by a proxy. GitLab
    stand-in: ``outage = 502`` (its workhorse while Rails is down) and ``latency`` past the client's
    timeout; it APPENDS duplicate points (C6), so nothing may be sent twice."""
    if kind == "mlflow":
        proxy = SlowProxy(mlflow_server.url)
        url, token = proxy.url, None
    else:
        gl = request.getfixturevalue("gitlab_server")
        url, token = gl.tracking_uri, gl.token
    api = use_backend(url, token, spool_dir=tmp_path)
    api.configure(url, token, spool_dir=str(tmp_path), timeout=2.0)
    api.experiment(uniq("fault"))
    run = api.start_run(name="outage")
    stopped_at: list[float] = []

    def slow(on: bool) -> None:
        if kind == "mlflow":
            proxy.hold = 4.0 if on else 0.0
        else:
            gl.latency = 4.0 if on else 0.0

    def stop() -> None:
        stopped_at.append(time.monotonic())
        if kind == "mlflow":
            mlflow_server.stop()  # SIGTERM: from here on it takes no new requests
        else:
            gl.outage = 502
        stopped_at.append(time.monotonic())

    def start() -> None:
        if kind == "mlflow":
            mlflow_server.start()
        else:
            gl.outage = None

    slow_window = threading.Timer(3.0, slow, args=(False,))
    stopper = threading.Thread(target=stop)
    sent_before = 0
    t0 = time.monotonic()
    try:
        for i in range(N):
            api.log_metric("x", i * 0.5, step=i)
            if i == 10_000:
                slow(True)  # answers arrive after the client's 2 s timeout, for 3 s
                slow_window.start()
            if i == 30_000:
                sent_before = api.status().sent
                stopper.start()
            if i == 60_000:
                stopper.join()  # (SIGTERM can take seconds) the last 40,000 points are logged while it is down
            if i % 1000 == 999:
                time.sleep(0.07)  # a training loop of ~7 s, so the backend dies mid-loop
        loop_end = time.monotonic()
        stopper.join()
        slow_window.join()
        assert stopped_at[1] < loop_end, "the backend went down after the loop, not during it"
        offline = api.flush(timeout=60)
        assert not offline.delivered and offline.pending > 0, offline  # the rest is safe on disk
        assert total_depth(tmp_path) == offline.pending
        assert sent_before > 0  # points were flowing before the outage
        time.sleep(max(0.0, 30.0 - (time.monotonic() - stopped_at[0])))
        t_restart = time.monotonic()
        start()
        t_up = time.monotonic()
        result = api.flush(timeout=240)
        print(
            f"\n{kind}: loop {loop_end - t0:.1f}s, stopped {stopped_at[1] - t0:.1f}s after start, sent before "
            f"{sent_before}, spooled {offline.pending}, restart {t_up - t_restart:.1f}s, "
            f"replay {time.monotonic() - t_up:.1f}s"
        )
        assert result.delivered, result
        api.end_run()
        steps = stored_steps(kind, request, run.run_id, "x")
        assert len(steps) == N, f"{len(steps)} points stored for {N} logged"
        assert sorted(steps) == list(range(N))  # every point, none twice
        if kind == "mlflow":
            points = history(mlflow_server.url, run.run_id, "x")
            assert all(p["value"] == p["step"] * 0.5 for p in points)
            assert proxy.held > 0  # answers did come too late
        else:
            assert any(r.get("seconds", 0) >= 4.0 for r in gl.requests)  # answers did come too late
        assert total_depth(tmp_path) == 0
        assert api.status().set_aside == 0
    finally:
        slow(False)
        if kind == "mlflow":
            proxy.close()
        else:
            gl.reset_knobs()


def test_kernel_restart_replays_the_spool(mlflow_server, tmp_path):
    from jupyter_client.manager import start_new_kernel

    proxy = TcpProxy(mlflow_server.url)
    proxy.down()
    name = uniq("restart")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "MLFLOW_TRACKING_URI": proxy.url,
        "MLOPS_SPOOL_DIR": str(tmp_path),
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }
    env.pop("MLFLOW_TRACKING_TOKEN", None)
    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=90, env=env)
    try:
        out: list[str] = []

        def collect(msg: dict) -> None:
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])

        reply = kc.execute_interactive(
            "import jupyterlab_mlops as mlops\n"
            f"mlops.experiment({name!r})\n"
            "run = mlops.start_run(name='before-restart')\n"
            "mlops.log_param('lr', 0.1)\n"
            "for i in range(2000):\n"
            "    mlops.log_metric('loss', i / 2000, step=i)\n"
            "r = mlops.flush()\n"
            "print('REF', run.ref, r.delivered, r.pending)\n",
            timeout=120,
            output_hook=collect,
        )
        assert reply["content"]["status"] == "ok", reply["content"]
        line = next(ln for ln in "".join(out).splitlines() if ln.startswith("REF"))
        _, ref, delivered, pending = line.split()
        assert delivered == "False" and int(pending) == 2002  # create-run + param + 2000 points
        assert "Traceback" not in "".join(out)
        assert total_depth(tmp_path) == 2002

        km.restart_kernel(now=True)  # killed: no atexit, only what flush() made durable survives
        kc.wait_for_ready(timeout=90)
        proxy.up()
        reply = kc.execute_interactive("%load_ext jupyterlab_mlops", timeout=60)
        assert reply["content"]["status"] == "ok"

        api = f"{mlflow_server.url}/api/2.0/mlflow"

        def replayed_run() -> str | None:
            exp = requests.get(f"{api}/experiments/get-by-name", params={"experiment_name": name}, timeout=10)
            if exp.status_code != 200:
                return None
            found = (
                requests.post(
                    f"{api}/runs/search",
                    json={
                        "experiment_ids": [exp.json()["experiment"]["experiment_id"]],
                        "max_results": 10,
                        "filter": f"tags.`mlops.local_id` = '{ref}'",
                    },
                    timeout=10,
                )
                .json()
                .get("runs", [])
            )
            return found[0]["info"]["run_id"] if found else None

        run_id = wait_for(replayed_run, timeout=60)
        wait_for(lambda: total_depth(tmp_path) == 0, timeout=120)
        points = history(mlflow_server.url, run_id, "loss")
        assert sorted(p["step"] for p in points) == list(range(2000))
        assert not list(tmp_path.glob("*.sqlite"))  # the adopted spool was emptied and removed
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        proxy.close()

"""P2: added latency of the proxy on runs/search (median over ~200 calls, ours vs direct).

Ours: ``POST jupyterlab-mlops/backends/default/mlflow/api/2.0/mlflow/runs/search`` on a real
``jupyter server`` subprocess (token auth, keep-alive). Reference: the same call straight to MLflow.
Calls alternate so drift hits both sides; the figure is median(proxied) - median(direct).
Two info rows give the floor under the target on this machine: an authenticated Jupyter request
(``api/status``), and the latency a bare relay adds (a tornado handler forwarding the same call with aiohttp,
no auth, no checks, no scrubbing: what any Python proxy in front of MLflow costs here).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import MlflowServer, Row, free_port  # noqa: E402
from jupyter_proc import JupyterServer  # noqa: E402

CALLS = 200
RUNS = 20


def _seed(url: str) -> str:
    api = f"{url}/api/2.0/mlflow"
    s = requests.Session()
    exp = s.post(f"{api}/experiments/create", json={"name": f"p2-{time.time_ns()}"}).json()["experiment_id"]
    for i in range(RUNS):
        rid = s.post(f"{api}/runs/create", json={"experiment_id": exp, "start_time": 1_700_000_000_000 + i}).json()[
            "run"
        ]["info"]["run_id"]
        s.post(
            f"{api}/runs/log-batch",
            json={
                "run_id": rid,
                "params": [{"key": f"p{k}", "value": str(k * i)} for k in range(5)],
                "metrics": [{"key": f"m{k}", "value": k / (i + 1), "timestamp": 0, "step": 0} for k in range(5)],
            },
        ).raise_for_status()
    return str(exp)


BARE_RELAY = r"""
import asyncio, sys, aiohttp, tornado.web
class Relay(tornado.web.RequestHandler):
    async def post(self, path):
        async with SESSION.post(f"{sys.argv[1]}/{path}", data=self.request.body,
                                headers={"Content-Type": "application/json"}) as r:
            body = await r.read()
        self.set_header("Content-Type", r.headers["Content-Type"])
        self.finish(body)
async def main():
    global SESSION
    SESSION = aiohttp.ClientSession()
    tornado.web.Application([(r"/(.*)", Relay)]).listen(int(sys.argv[2]), "127.0.0.1")
    await asyncio.Event().wait()
asyncio.run(main())
"""


def _bare_relay(upstream: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", BARE_RELAY, upstream, str(port)])
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(url, timeout=1)
            return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the bare relay did not start")


def measure(server: MlflowServer) -> list[Row]:
    exp = _seed(server.url)
    body = {"experiment_ids": [exp], "max_results": RUNS}
    relay, relay_base = _bare_relay(server.url)
    with JupyterServer([{"name": "default", "kind": "mlflow", "url": server.url}]) as jup:
        bare_url = f"{relay_base}/api/2.0/mlflow/runs/search"
        bare = requests.Session()
        proxied_url = jup.url("jupyterlab-mlops/backends/default/mlflow/api/2.0/mlflow/runs/search")
        direct_url = f"{server.url}/api/2.0/mlflow/runs/search"
        direct = requests.Session()
        for _ in range(10):  # warm both paths (connections, caches)
            jup.session.post(proxied_url, json=body).raise_for_status()
            direct.post(direct_url, json=body).raise_for_status()
            bare.post(bare_url, json=body).raise_for_status()
        t_proxy, t_direct, t_floor, t_bare = [], [], [], []
        for i in range(CALLS):
            if i % 4 == 0:  # what any authenticated Jupyter request costs here (the proxy's floor)
                t = time.perf_counter()
                jup.session.get(jup.url("api/status")).raise_for_status()
                t_floor.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            r = jup.session.post(proxied_url, json=body)
            t_proxy.append((time.perf_counter() - t) * 1000)
            r.raise_for_status()
            t = time.perf_counter()
            r = direct.post(direct_url, json=body)
            t_direct.append((time.perf_counter() - t) * 1000)
            r.raise_for_status()
            t = time.perf_counter()
            r = bare.post(bare_url, json=body)
            t_bare.append((time.perf_counter() - t) * 1000)
            r.raise_for_status()
    relay.kill()
    relay.wait()
    mb = statistics.median(t_bare)
    mp, md, mf = statistics.median(t_proxy), statistics.median(t_direct), statistics.median(t_floor)
    added = mp - md
    return [
        Row(
            "P2",
            f"proxy added latency, runs/search ({RUNS} runs), median of {CALLS}",
            f"{mp:.2f} ms (+{added:.2f} ms)",
            f"{md:.2f} ms direct",
            f"{mp / md:.2f}x",
            "<= 1 ms added",
            added <= 1.0,
        ),
        Row("P2", "(info) an authenticated Jupyter request, GET api/status", f"{mf:.2f} ms", "-", "-", "(info)", True),
        Row(
            "P2",
            "(info) floor: a bare tornado + aiohttp relay (no auth, no checks) adds",
            f"{mb:.2f} ms (+{mb - md:.2f} ms)",
            f"{md:.2f} ms direct",
            f"{mb / md:.2f}x",
            "(info)",
            True,
        ),
    ]


if __name__ == "__main__":
    from common import MlflowServer as _S

    with _S() as s:
        for row in measure(s):
            print(row.markdown())

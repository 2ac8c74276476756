"""The embedded backend against real processes (a real ``mlflow server``; no mocks).

Sync tests that drive their own loop with ``asyncio.run`` so they do not depend on conftest.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from tornado.httpclient import AsyncHTTPClient

from jupyterlab_mlops.server.embedded import EmbeddedBackend

LOG = logging.getLogger("test_embedded")
SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


async def wait_for(pred: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``pred`` every 50 ms; return the seconds it took, fail after ``timeout``."""
    t0 = time.perf_counter()
    while not pred():
        if time.perf_counter() - t0 > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.05)
    return time.perf_counter() - t0


def gone(pid: int) -> bool:
    """True when neither the process nor anything in its process group is left."""
    for probe in (os.kill, os.killpg):
        try:
            probe(pid, 0)
            return False
        except ProcessLookupError:
            pass
    return True


async def api(url: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    client = AsyncHTTPClient()
    r = await client.fetch(
        f"{url}/api/2.0/mlflow/{path}",
        method=method,
        headers={"Content-Type": "application/json"},
        body=json.dumps(body) if body is not None else None,
        request_timeout=10,
    )
    return json.loads(r.body)


def test_lifecycle_restart_and_stop(tmp_path: Path) -> None:
    """start → healthy → unreachable while frozen → killed → same URL again → stop."""
    data = tmp_path / "mlops"
    eb = EmbeddedBackend(data, log=LOG, health_interval=0.5)

    async def main() -> None:
        url = eb.url
        assert url.startswith("http://127.0.0.1:") and eb.health == "starting"
        eb.start()
        # start() returns with the supervisor scheduled, not run: it never waits for the server
        # (how long the call takes is benchmarks/p6_embedded.py's row)
        assert eb.health == "starting" and eb._task is not None and not eb._task.done()
        assert eb.pid and "starting MLflow" in eb.message
        up = await wait_for(lambda: eb.health == "healthy", 120, "healthy")
        print(f"\nhealthy after {up:.1f} s")
        assert (data / "mlflow.db").exists() and (data / "mlflow-server.log").exists()
        assert json.loads((data / "server.json").read_text())["pid"] == eb.pid
        await api(url, "GET", "experiments/search?max_results=10")
        exp = (await api(url, "POST", "experiments/create", {"name": "survives"}))["experiment_id"]

        # frozen (alive but silent) -> unreachable, then back
        pid = eb.pid
        os.killpg(pid, signal.SIGSTOP)
        try:
            t = await wait_for(lambda: eb.health == "unreachable", 30, "unreachable")
            print(f"unreachable after {t:.1f} s frozen")
            assert str(pid) in eb.message and "not answering /health for" in eb.message, eb.message
        finally:
            os.killpg(pid, signal.SIGCONT)
        await wait_for(lambda: eb.health == "healthy", 30, "healthy after SIGCONT")

        # killed -> restarted on the same URL, data kept
        t0 = time.perf_counter()
        os.killpg(pid, signal.SIGKILL)
        down = await wait_for(lambda: eb.health != "healthy", 10, "leaving healthy")
        assert "exit code -9" in eb.message and "restart 1/5" in eb.message, eb.message
        await wait_for(lambda: eb.health == "healthy", 60, "healthy after kill")
        back = time.perf_counter() - t0
        print(f"kill noticed after {down:.2f} s; healthy again after {back:.1f} s")
        assert eb.url == url and eb.pid != pid and eb.snapshot()["restarts"] == 1
        assert (data / "mlflow-server.log.1").exists()
        got = await api(url, "GET", f"experiments/get?experiment_id={exp}")
        assert got["experiment"]["name"] == "survives"

        new_pid = eb.pid
        t0 = time.perf_counter()
        await eb.stop()
        print(f"stop() {time.perf_counter() - t0:.2f} s")
        assert gone(new_pid) and gone(pid)
        assert not (data / "server.json").exists()
        assert eb._task is None

    try:
        asyncio.run(main())
    finally:
        eb.stop_sync()


def test_bogus_command_fails_with_exit_code(tmp_path: Path) -> None:
    cmd = [sys.executable, "-c", "import sys; print('Error: boom-marker', file=sys.stderr); sys.exit(3)"]
    eb = EmbeddedBackend(tmp_path, log=LOG, command=cmd, max_restarts=2, backoff_base=0.05)

    async def main() -> None:
        eb.start()
        t = await wait_for(lambda: eb.health == "failed", 20, "failed")
        print(f"\nfailed after {t:.2f} s: {eb.message!r}")
        assert eb.message.startswith("failed:") and "exit code 3" in eb.message
        assert "after 2 restarts" in eb.message and "boom-marker" in eb.message
        assert eb.snapshot()["restarts"] == 2
        await asyncio.sleep(0.3)
        assert eb._task is not None and eb._task.done()
        await eb.stop()
        assert eb.health == "failed"

    asyncio.run(main())


def test_startup_timeout_kills_and_gives_up(tmp_path: Path) -> None:
    eb = EmbeddedBackend(tmp_path, log=LOG, command=SLEEPER, startup_timeout=0.5, max_restarts=1, backoff_base=0.05)

    async def main() -> None:
        eb.start()
        first = eb.pid
        assert first is not None
        await wait_for(lambda: eb.health == "failed", 20, "failed")
        assert "no /health answer within 0.5 s" in eb.message, eb.message
        assert gone(first) and eb.pid is not None and gone(eb.pid)
        await eb.stop()

    asyncio.run(main())


def test_stop_sync_and_atexit_path(tmp_path: Path) -> None:
    eb = EmbeddedBackend(tmp_path, log=LOG, command=SLEEPER)

    async def main() -> int:
        eb.start()
        await asyncio.sleep(0.3)
        assert eb.pid is not None
        return eb.pid

    pid = asyncio.run(main())  # loop closed: what atexit would see
    eb.stop_sync()  # (its duration is benchmarks/p6_embedded.py's row)
    assert gone(pid)
    assert eb.snapshot()["message"] == "stopped"


def test_stale_server_is_killed_unrelated_pid_is_not(tmp_path: Path) -> None:
    data = tmp_path.resolve()
    fake = subprocess.Popen([*SLEEPER, "mlflow", "server", f"sqlite:///{data}/mlflow.db"], start_new_session=True)
    other = subprocess.Popen(SLEEPER, start_new_session=True)
    try:
        for victim, killed in ((other, False), (fake, True)):
            (data / "server.json").write_text(json.dumps({"pid": victim.pid, "port": 1}))
            eb = EmbeddedBackend(data, log=LOG, command=SLEEPER)

            async def main(eb: EmbeddedBackend = eb) -> None:
                eb.start()
                await eb.stop()

            asyncio.run(main())
            if killed:
                assert victim.wait(timeout=5) == -signal.SIGKILL
            else:
                assert victim.poll() is None
    finally:
        for p in (fake, other):
            p.kill()
            p.wait()


def test_server_of_another_live_jupyter_is_left_alone(tmp_path: Path) -> None:
    """A live owner (the mlflow pid's parent, recorded in server.json) means "in use"."""
    data = tmp_path.resolve()
    argv = [*SLEEPER, "mlflow", "server", f"sqlite:///{data}/mlflow.db"]
    code = (
        f"import subprocess, time; p = subprocess.Popen({argv!r}, start_new_session=True); "
        "print(p.pid, flush=True); time.sleep(120)"
    )
    owner = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert owner.stdout is not None
    server = int(owner.stdout.readline())
    deadline = time.monotonic() + 10  # the child may still be exec'ing its command line
    while b"mlflow" not in Path(f"/proc/{server}/cmdline").read_bytes() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        (data / "server.json").write_text(json.dumps({"pid": server, "owner": owner.pid}))
        eb = EmbeddedBackend(data, log=LOG, command=SLEEPER)
        eb.start()
        assert eb.health == "failed" and eb.pid is None and "another running Jupyter" in eb.message
        os.kill(server, 0)  # still alive
    finally:
        os.killpg(server, signal.SIGKILL)
        owner.kill()
        owner.wait()


def test_missing_mlflow_fails_clearly(tmp_path: Path) -> None:
    """In an interpreter without site-packages (``-S``), mlflow cannot be found."""
    root = Path(__file__).parents[1]  # the package's own modules only, nothing from site-packages
    code = textwrap.dedent(f"""
        import json, logging, sys
        sys.path.insert(0, {str(root)!r})
        from jupyterlab_mlops.server import embedded as mod
        assert not [m for m in sys.modules if m.startswith(("tornado", "httpx", "jupyter_server", "mlflow"))]
        eb = mod.EmbeddedBackend({str(tmp_path)!r}, log=logging.getLogger("x"))
        eb.start()
        print(json.dumps(eb.snapshot()))
    """)
    out = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    snap = json.loads(out.strip().splitlines()[-1])
    assert snap["health"] == "failed" and snap["pid"] is None
    assert "mlflow is not installed" in snap["message"] and "pip install mlflow" in snap["message"]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-s"]))


def test_server_does_not_outlive_a_killed_jupyter(tmp_path: Path) -> None:
    """Jupyter killed with SIGKILL (no atexit, no stop): the orphan guard stops the server's group."""
    script = (
        "import asyncio, logging, sys, time\n"
        "from pathlib import Path\n"
        "from jupyterlab_mlops.server.embedded import EmbeddedBackend\n"
        f"eb = EmbeddedBackend(Path({str(tmp_path)!r}), log=logging.getLogger('x'), command={SLEEPER!r})\n"
        "async def main():\n"
        "    eb.start(); await asyncio.sleep(0.5); print(eb.pid, flush=True); await asyncio.sleep(120)\n"
        "asyncio.run(main())\n"
    )
    jupyter = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert jupyter.stdout is not None
    server_pid = int(jupyter.stdout.readline())
    assert not gone(server_pid)
    jupyter.kill()
    jupyter.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not _group_dead(server_pid):
        time.sleep(0.2)
    assert _group_dead(server_pid), "the embedded server outlived Jupyter"


def _group_dead(pgid: int) -> bool:
    """No live (non-zombie) process left in the group; this sandbox's PID 1 does not reap zombies."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            return False
    return True

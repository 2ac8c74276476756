"""The embedded backend: a real ``mlflow server`` child process on loopback, supervised.

Only the standard library is imported at module level; tornado is imported by the
supervisor task, and ``mlflow`` is never imported here (it is slow to import).
"""

from __future__ import annotations

import asyncio
import atexit
import importlib.util
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

from .processes import free_port, kill_now, killpg, proc_info, start_guard, stop_guard
from .server_log import last_error, read_runs_tail

_TICK = 0.25  # how often the supervisor polls the child's exit status (s)
_STARTING_CHECK = 0.5  # /health interval while starting (s)
_UNREACHABLE_AFTER = 3  # more failed checks than this after healthy -> "unreachable"


class EmbeddedBackend:
    """Supervises a real ``mlflow server`` child process on loopback."""

    def __init__(
        self,
        data_dir: Path,
        *,
        log: logging.Logger,
        command: list[str] | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
        health_interval: float = 2.0,
        startup_timeout: float = 120.0,
        max_restarts: int = 5,
        restart_window: float = 600.0,
        backoff_base: float = 1.0,
        backoff_max: float = 10.0,
    ) -> None:
        self.data_dir, self.log, self.host = Path(data_dir).resolve(), log, host
        self.port = port or free_port(host)
        self.url = f"http://{host}:{self.port}"
        self.health_interval, self.startup_timeout = health_interval, startup_timeout
        self.max_restarts, self.restart_window = max_restarts, restart_window
        self.backoff_base, self.backoff_max = backoff_base, backoff_max
        self.log_path = self.data_dir / "mlflow-server.log"
        self.lock_path = self.data_dir / "server.json"
        self._default_command = command is None
        self.command = command or [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--backend-store-uri",
            f"sqlite:///{self.data_dir}/mlflow.db",
            "--artifacts-destination",
            str(self.data_dir / "artifacts"),
            "--serve-artifacts",
            "--host",
            host,
            "--port",
            str(self.port),
            "--workers",
            "1",
        ]
        self.health, self.message = "starting", "not started"
        self._restart_times: deque[float] = deque()  # automatic restarts within `restart_window`
        self.cause: str | None = None  # the last error line of the server log, when down
        self._proc: subprocess.Popen[bytes] | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._spawned_at = 0.0
        self._healthy_since: float | None = None
        self._fails = 0
        self._kill_reason: str | None = None
        self._guard: subprocess.Popen[bytes] | None = None
        self._unanswered_since: float | None = None  # first /health timeout since the last answer
        self._down_since: float | None = None
        self._restarting: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def restarts(self) -> int:
        """Automatic restarts within the last ``restart_window`` seconds (the budget spent)."""
        horizon = time.monotonic() - self.restart_window
        while self._restart_times and self._restart_times[0] < horizon:
            self._restart_times.popleft()
        return len(self._restart_times)

    def snapshot(self) -> dict[str, Any]:
        down = None if self._down_since is None else round(time.monotonic() - self._down_since, 1)
        return {
            "health": self.health,
            "message": self.message,
            "url": self.url,
            "pid": self.pid,
            "restarts": self.restarts,
            "max_restarts": self.max_restarts,
            "restart_window_s": float(self.restart_window),
            "cause": self.cause,
            "down_for_s": down,
            "log_path": str(self.log_path),
        }

    def _window(self) -> str:
        w = self.restart_window
        return f"{w / 60:g} min" if w >= 60 else f"{w:g} s"

    # -- start ---------------------------------------------------------------------------
    def start(self) -> None:
        """Spawn the server and schedule the supervisor on the event loop; never blocks.

        Call it with a running loop; otherwise the supervisor runs once the current loop does.
        """
        if self._task is not None and not self._task.done():
            return
        self._stopping = False
        if self._default_command:
            missing = self._missing_mlflow()
            if missing:
                self._fail(missing, tail=False)
                return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self._kill_stale():
            return
        atexit.register(self.stop_sync)
        if not self._spawn():
            return
        self.message = f"starting MLflow (pid {self.pid})…"
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = asyncio.get_event_loop_policy().get_event_loop()
        self._task = loop.create_task(self._supervise())

    @staticmethod
    def _missing_mlflow() -> str | None:
        if importlib.util.find_spec("mlflow") is None:
            return f"mlflow is not installed in {sys.executable} (pip install mlflow)"
        if importlib.util.find_spec("flask") is None:
            return "mlflow-skinny cannot run a tracking server (pip install mlflow)"
        return None

    def _kill_stale(self) -> bool:
        """Kill a server that a crashed Jupyter left on this data dir (never two on one DB).

        Returns False (and fails) if the server still belongs to another live Jupyter.
        """
        try:
            lock = json.loads(self.lock_path.read_text())
            pid, owner = int(lock["pid"]), int(lock.get("owner", 0))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return True
        cmd, ppid = proc_info(pid) if pid > 1 and pid != os.getpid() else ("", 0)
        if "mlflow" not in cmd or str(self.data_dir) not in cmd:
            return True  # gone, or the pid now belongs to something else
        if owner not in (0, os.getpid()) and ppid == owner:
            self._fail(
                f"{self.data_dir} is in use by the embedded MLflow server (pid {pid}) of "
                f"another running Jupyter (pid {owner}); configure another data dir",
                tail=False,
            )
            return False
        self.log.warning("killing stale embedded MLflow server (pid %s)", pid)
        kill_now(pid)
        return True

    def _spawn(self) -> bool:
        if self.log_path.exists() and self.log_path.stat().st_size:  # .log.1: the last run that said something
            self.log_path.replace(self.log_path.with_suffix(".log.1"))
        env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false", "MLFLOW_DISABLE_TELEMETRY": "true"}
        try:
            with open(self.log_path, "wb") as out:
                self._proc = subprocess.Popen(
                    self.command,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env=env,
                    cwd=self.data_dir,
                    start_new_session=True,
                )
        except OSError as e:
            self._fail(f"cannot start {self.command[0]}: {e}", tail=False)
            return False
        self._start_guard(self._proc.pid)
        self._spawned_at = time.monotonic()
        self.health = "starting"
        self._fails, self._unanswered_since = 0, None
        self._healthy_since = None
        self.lock_path.write_text(
            json.dumps({"pid": self._proc.pid, "port": self.port, "url": self.url, "owner": os.getpid()})
        )
        self.log.info("embedded MLflow server pid %s on %s", self._proc.pid, self.url)
        return True

    # -- supervision ---------------------------------------------------------------------
    async def _supervise(self) -> None:
        import httpx

        client = httpx.AsyncClient(timeout=httpx.Timeout(2.0))
        next_check = 0.0
        try:
            while not self._stopping and self._proc is not None:
                rc = self._proc.poll()
                if rc is not None:
                    if not await self._on_exit(rc):
                        return
                    next_check = 0.0
                    continue
                if time.monotonic() >= next_check:
                    timed_out = False
                    try:
                        r = await client.get(f"{self.url}/health")
                        ok = r.status_code == 200
                    except httpx.TimeoutException as e:  # connected (or connecting) but no answer
                        ok, timed_out = False, not isinstance(e, httpx.ConnectTimeout)
                    except Exception:  # refused, reset …
                        ok = False
                    if self._stopping:
                        return
                    self._on_check(ok, time.monotonic(), timed_out=timed_out)
                    wait = self.health_interval if self._healthy_since else min(self.health_interval, _STARTING_CHECK)
                    next_check = time.monotonic() + wait
                await asyncio.sleep(_TICK)
        finally:
            await client.aclose()

    def _on_check(self, ok: bool, now: float, *, timed_out: bool = False) -> None:
        if ok:
            self._fails, self._unanswered_since = 0, None
            if self.health != "healthy":
                self.health, self.message, self._healthy_since = "healthy", "healthy", now
                self._down_since, self.cause = None, None
                self.log.info("embedded MLflow server healthy at %s", self.url)
            return
        if timed_out and self._unanswered_since is None:
            self._unanswered_since = now
        elif not timed_out:
            self._unanswered_since = None
        hung = self._hung_note(now)
        if self.health == "starting" and self._healthy_since is None:
            if hung:
                self.message = f"pid {self.pid} {hung}"
            if now - self._spawned_at > self.startup_timeout and self._proc is not None:
                self._kill_reason = (
                    f"pid {self.pid} {hung}" if hung else f"no /health answer within {self.startup_timeout:g} s"
                )
                killpg(self._proc.pid, signal.SIGKILL)
            return
        self._fails += 1
        if self._fails > _UNREACHABLE_AFTER and self.health == "healthy":
            self.health, self._healthy_since, self._down_since = "unreachable", None, now
            self.message = ""
        if self.health == "unreachable":
            before = self.message
            self.message = (
                f"pid {self.pid} {hung}" if hung else f"pid {self.pid} is alive but {self.url}/health does not answer"
            )
            if not before:
                self.log.warning("embedded MLflow server: %s", self.message)

    def _hung_note(self, now: float) -> str | None:
        """What a hung server is doing (None unless /health times out); the first timeout waited 2 s."""
        if self._unanswered_since is not None:
            return f"accepts connections but is not answering /health for {now - self._unanswered_since + 2:.0f} s"
        return None

    async def _on_exit(self, rc: int) -> bool:
        """Restart after an exit (with backoff); return False when the budget of the window is spent."""
        assert self._proc is not None
        signame = f" ({signal.Signals(-rc).name})" if -rc in signal.valid_signals() else ""
        reason, self._kill_reason = self._kill_reason or f"exit code {rc}{signame}", None
        killpg(self._proc.pid, signal.SIGKILL)  # workers orphaned by a dead parent
        if self._down_since is None:
            self._down_since = time.monotonic()
        if self.restarts >= self.max_restarts:
            self._fail(f"MLflow server stopped ({reason}) after {self.restarts} restarts in {self._window()}")
            return False
        self._restart_times.append(time.monotonic())
        n = self.restarts
        self.health, self._healthy_since, self._unanswered_since = "starting", None, None
        self.cause = last_error(self.log_path)
        self.message = f"restarting after {reason} (restart {n}/{self.max_restarts} in {self._window()})"
        self.log.warning("embedded MLflow server: %s", self.message)
        await asyncio.sleep(min(self.backoff_base * 2 ** (n - 1), self.backoff_max))
        return not self._stopping and self._spawn()

    def _fail(self, why: str, *, tail: bool = True) -> None:
        """Failed: one line of why, one of the cause (the log's last error line) and where the log is."""
        self.health = "failed"
        if self._down_since is None:
            self._down_since = time.monotonic()
        self.cause = last_error(self.log_path) if tail else None
        self.message = f"failed: {why}"
        if self.cause:
            self.message += f"\n{self.cause} (full log: {self.log_path})"
        elif tail:
            self.message += f" (log: {self.log_path})"
        self.log.error("embedded MLflow server %s", self.message)

    def log_tail(self, lines: int = 200) -> str:
        """The server log's last ``lines`` lines, the previous run's first (text, may hold secrets: scrub it)."""
        return read_runs_tail(self.log_path, lines)

    async def restart(self) -> None:
        """Stop the server (if any), start it afresh with a new budget (works after ``failed``); calls share one."""
        if self._restarting is None or self._restarting.done():
            self._restarting = asyncio.ensure_future(self._restart())
        await asyncio.shield(self._restarting)

    async def _restart(self) -> None:
        self.log.warning("embedded MLflow server: restart requested (was %s)", self.health)
        await self.stop()
        self._restart_times.clear()
        self.health, self.message, self.cause = "starting", "restarting on request…", None
        self._down_since = None
        self.start()

    def _start_guard(self, pgid: int) -> None:
        """A watcher that stops the server's group if Jupyter dies without stopping it (kill -9)."""
        self._reap_guard()
        try:
            self._guard = start_guard(pgid)
        except OSError as e:  # the server still runs; it just is not guarded
            self.log.warning("embedded MLflow server: cannot start the orphan guard: %s", e)

    def _reap_guard(self) -> None:
        guard, self._guard = getattr(self, "_guard", None), None
        stop_guard(guard)

    # -- stop ----------------------------------------------------------------------------
    def _begin_stop(self) -> subprocess.Popen[bytes] | None:
        self._stopping = True
        atexit.unregister(self.stop_sync)
        proc = self._proc
        if proc is not None and proc.poll() is None:
            killpg(proc.pid, signal.SIGTERM)
        return proc

    def _end_stop(self, proc: subprocess.Popen[bytes] | None) -> None:
        if proc is not None:
            killpg(proc.pid, signal.SIGKILL)  # leftovers in its group, or after the 10 s
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        try:
            if proc is not None and json.loads(self.lock_path.read_text()).get("pid") == proc.pid:
                self.lock_path.unlink()
        except (OSError, ValueError, AttributeError):
            pass
        self._reap_guard()
        if self.health != "failed":
            self.health, self.message = "unreachable", "stopped"

    async def stop(self) -> None:
        """SIGTERM the process group, wait up to 10 s, then SIGKILL; cancel the supervisor."""
        proc = self._begin_stop()
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):  # cancelled, or from a closed loop
                pass
        deadline = time.monotonic() + 10
        while proc is not None and proc.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        self._end_stop(proc)

    def stop_sync(self) -> None:
        """Like :meth:`stop`, for atexit and other paths without a running loop."""
        proc = self._begin_stop()
        task, self._task = self._task, None
        if task is not None:
            try:
                task.get_loop().call_soon_threadsafe(task.cancel)
            except RuntimeError:  # loop closed
                pass
        deadline = time.monotonic() + 10
        while proc is not None and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        self._end_stop(proc)

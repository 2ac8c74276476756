"""Shared pieces of the benchmark harness: a real MLflow server (SQLite, or the team backend: PostgreSQL + S3)
and the result row."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence, Union

import requests

MLFLOW_ENV = {"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false", "MLFLOW_DISABLE_TELEMETRY": "true"}
BACKENDS = ("sqlite", "postgres")  # benchmarks/run --backend, or MLOPS_BENCH_BACKEND


@dataclass
class Row:
    """One line of the report: ``ours`` and ``reference`` are human-readable measurements."""

    id: str
    work: str
    ours: str
    reference: str
    ratio: str
    target: str
    passed: bool

    def markdown(self) -> str:
        return (
            f"| {self.id} | {self.work} | {self.ours} | {self.reference} | {self.ratio} | {self.target} | "
            f"{'yes' if self.passed else 'no'} |"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MlflowServer:
    """A throw-away ``mlflow server`` (SQLite, one worker) for one benchmark run."""

    kind = "sqlite"

    def __init__(self, data_dir: Optional[Path] = None) -> None:
        self._owns_dir = data_dir is None
        self.dir = Path(data_dir or tempfile.mkdtemp(prefix="mlops-bench-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: Optional[subprocess.Popen[bytes]] = None

    def start(self, timeout: float = 120.0) -> "MlflowServer":
        log = open(self.dir / "mlflow.log", "ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mlflow",
                "server",
                "--backend-store-uri",
                f"sqlite:///{self.dir}/mlflow.db",
                "--artifacts-destination",
                str(self.dir / "artifacts"),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                "1",
            ],
            env={**os.environ, **MLFLOW_ENV},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if requests.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"mlflow server exited: see {self.dir / 'mlflow.log'}")
            time.sleep(0.3)
        raise RuntimeError("mlflow server did not become healthy")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGKILL)
        if self._owns_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def store(self) -> "Store":
        """Direct writes into the server's SQL store (seeding what REST would take minutes for)."""
        return Store(sqlite3.connect(self.dir / "mlflow.db", timeout=60), "?")

    def __enter__(self) -> "MlflowServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class PostgresMlflowServer:
    """The team backend of ``tests/team/services.py`` (PostgreSQL + moto's S3 + ``mlflow server --workers 2``)
    with the same interface as :class:`MlflowServer`: ``url``, ``start()``/``stop()``, ``store()``."""

    kind = "postgres"

    def __init__(self) -> None:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.team.services import TeamBackend

        self.team = TeamBackend()
        self.url = ""

    def start(self) -> "PostgresMlflowServer":
        self.team.start()
        self.url = self.team.url
        return self

    def stop(self) -> None:
        self.team.close()

    def store(self) -> "Store":
        assert self.team.postgres is not None, "not started"
        return Store(self.team.postgres.connect(), "%s")

    def __enter__(self) -> "PostgresMlflowServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


AnyServer = Union[MlflowServer, PostgresMlflowServer]


def server_for(kind: str) -> AnyServer:
    """A not yet started server of ``kind`` (one of :data:`BACKENDS`)."""
    if kind not in BACKENDS:
        raise ValueError(f"unknown backend {kind!r}: one of {', '.join(BACKENDS)}")
    return PostgresMlflowServer() if kind == "postgres" else MlflowServer()


class Store:
    """A DB-API connection to MLflow's store (sqlite3 or psycopg2), committed and closed on exit."""

    def __init__(self, conn: Any, placeholder: str) -> None:
        self.conn, self.placeholder = conn, placeholder

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """``INSERT INTO table (columns) VALUES ...`` for every row, in pages (booleans as Python bools)."""
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        cur = self.conn.cursor()
        if self.placeholder == "?":
            cur.executemany(head + f"({', '.join('?' * len(columns))})", rows)
        else:
            from psycopg2.extras import execute_values

            execute_values(cur, head + "%s", rows, page_size=10_000)

    def insert_series(self, run_id: str, key: str, value: Callable[[int], float], t0: int, steps: int) -> None:
        """A metric of ``steps`` points (step s at ``t0 + 10 s`` ms) and its latest value, written directly."""
        self.insert(
            "metrics",
            ("key", "value", "timestamp", "run_uuid", "step", "is_nan"),
            ((key, value(s), t0 + s * 10, run_id, s, False) for s in range(steps)),
        )
        last = steps - 1
        self.insert(
            "latest_metrics",
            ("key", "value", "timestamp", "step", "is_nan", "run_uuid"),
            [(key, value(last), t0 + last * 10, last, False, run_id)],
        )

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            if exc_type is None:
                self.conn.commit()
            else:
                self.conn.rollback()
        finally:
            self.conn.close()

"""The team backend, started and stopped as plain processes: PostgreSQL (a throw-away cluster of Debian's
server), moto's S3 server behind a cuttable TCP relay, and ``mlflow server`` on both.

Used by the ``tests/team`` fixtures and by ``benchmarks/run --backend postgres``; nothing here imports
``jupyterlab_mlops``. Everything lives in temp dirs on free loopback ports; no system service is touched.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Optional

from ..kernel_support import TcpProxy
from ..mlflow_fixture import MlflowServer, free_port
from ..s3_fixture import MotoServer

PG_USER = os.environ.get("MLOPS_TEST_PG_USER", "nobody")  # PostgreSQL refuses to run as root
BUCKET = "mlops-team"
SETUP_HINT = "run tests/team/setup.sh (Debian's postgresql package, jupyterhub, psycopg2-binary, the proxy)"


def pg_bin(name: str) -> str:
    """A PostgreSQL program: on PATH, else the newest ``/usr/lib/postgresql/<ver>/bin/<name>``."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if not versions:
        raise RuntimeError(f"PostgreSQL's {name} not found: {SETUP_HINT}")
    return versions[-1]


class Postgres:
    """A PostgreSQL cluster in its own temp dir (``initdb`` + ``pg_ctl``), trust auth on ``127.0.0.1:port``.

    ``stop()`` and ``start()`` again keep the data and the port (the "database down" case)."""

    def __init__(self, database: str = "mlflow", user: str = PG_USER) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="mlops-pg-"))  # /tmp: the pytest tmp dirs are root-only
        self.data = self.root / "data"
        self.log_path = self.root / "postgres.log"
        self.port = free_port()
        self.database = database
        self.user = user if os.geteuid() == 0 else ""
        if self.user:
            pw = pwd.getpwnam(self.user)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)

    @property
    def uri(self) -> str:
        """SQLAlchemy URI of the database; the driver is named (SQLAlchemy 2.1 defaults to psycopg 3)."""
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        full = ["runuser", "-u", self.user, "--", *cmd] if self.user else list(cmd)
        proc = subprocess.run(
            full, cwd=self.root, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stdout}{proc.stderr}\nlog tail: {self.log_tail()}"
            )
        return proc

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return "<no log>"

    @property
    def running(self) -> bool:
        return (
            self.data.is_dir()
            and self._run(pg_bin("pg_ctl"), "-D", str(self.data), "status", check=False).returncode == 0
        )

    def start(self) -> "Postgres":
        """Initialize on first use, start, and create the database (blocks until it accepts connections)."""
        if not self.data.is_dir():
            self._run(
                pg_bin("initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log_path), "-o", options, "-w", "-t", "60", "start"
        )
        self._ensure_database()
        return self

    def _ensure_database(self) -> None:
        try:
            import psycopg2
        except ImportError:
            raise RuntimeError(f"psycopg2 is missing: {SETUP_HINT}") from None

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.database,))
                if cur.fetchone() is None:
                    cur.execute(f'CREATE DATABASE "{self.database}"')
        finally:
            conn.close()

    def connect(self) -> Any:
        """A psycopg2 connection to the database (callers close it)."""
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=self.database)

    def stop(self) -> None:
        """``pg_ctl stop -m fast`` (connections are cut; the data stays)."""
        if self.running:
            self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


class PostgresMlflowServer(MlflowServer):
    """``mlflow server`` on a PostgreSQL store with its artifacts in S3 (proxied: ``--artifacts-destination``)."""

    def __init__(
        self, data_dir: Path, store_uri: str, artifacts_destination: str, env: dict[str, str], workers: int = 2
    ) -> None:
        super().__init__(data_dir, artifacts_destination=artifacts_destination, env=env, startup_timeout=180.0)
        self._store_uri = store_uri
        self.workers = workers

    extra_flags = ("--serve-artifacts",)

    @property
    def store_uri(self) -> str:
        return self._store_uri


class TeamBackend:
    """PostgreSQL + moto (behind ``s3_relay``, a :class:`TcpProxy` whose ``down()`` takes the object store
    away without losing what it holds) + MLflow on both. ``url`` is MLflow's; ``start()``/``close()``."""

    def __init__(self, root: Optional[Path] = None, workers: int = 2) -> None:
        self._owns_root = root is None
        self.root = Path(root or tempfile.mkdtemp(prefix="mlops-team-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self.workers = workers
        self.postgres: Optional[Postgres] = None
        self.moto: Optional[MotoServer] = None
        self.s3_relay: Optional[TcpProxy] = None
        self.mlflow: Optional[PostgresMlflowServer] = None

    @property
    def url(self) -> str:
        assert self.mlflow is not None, "TeamBackend not started"
        return self.mlflow.url

    def start(self) -> "TeamBackend":
        try:
            self.postgres = Postgres().start()
            (self.root / "moto").mkdir(exist_ok=True)
            self.moto = MotoServer(self.root / "moto").start()
            self.moto.s3().create_bucket(Bucket=BUCKET)
            self.s3_relay = TcpProxy(self.moto.url)
            self.mlflow = PostgresMlflowServer(
                self.root / "mlflow",
                self.postgres.uri,
                f"s3://{BUCKET}/artifacts",
                {**self.moto.env, "MLFLOW_S3_ENDPOINT_URL": self.s3_relay.url},
                workers=self.workers,
            )
            self.mlflow.start()
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        """Stop everything (MLflow first), remove the temp dirs this object made."""
        for part in (self.mlflow, self.s3_relay, self.moto, self.postgres):
            if part is None:
                continue
            try:
                part.close() if not isinstance(part, MotoServer) else part.stop()
            except Exception as exc:  # noqa: BLE001 - tear down the rest anyway
                print(f"teardown of {type(part).__name__} failed: {exc}", file=sys.stderr)
        self.mlflow = self.s3_relay = self.moto = self.postgres = None
        if self._owns_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "TeamBackend":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

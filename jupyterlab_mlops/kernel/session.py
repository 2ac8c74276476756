"""Kernel-wide state behind the Python API: backend, client, logger, experiment and active runs."""
from __future__ import annotations

import atexit
import getpass
import json
import os
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from ..client.backend import Backend
from ..client.errors import (
    BackendError,
    BackendTimeout,
    BackendUnreachable,
    InvalidInput,
    MlopsError,
)
from ..client.models import Experiment, ModelVersion, Run
from . import config
from .delivery import JOB_TAG, MARKER_TAG, drop_unknown_job, failure_kind
from .logger import LOCAL_PREFIX, FlushResult, Logger

RUN_END_STATUSES = ("FINISHED", "FAILED", "KILLED")
OFFLINE_ERRORS = (BackendUnreachable, BackendTimeout, BackendError)


def say(message: str) -> None:
    """One line to the user, on stderr (never a traceback)."""
    print(f"mlops: {message}", file=sys.stderr, flush=True)


class ActiveRun:
    """A run started by this kernel. A context manager: ``with mlops.start_run(): ...`` ends it
    FINISHED, or FAILED (with the error as the ``mlops.error`` tag) when the block raises."""

    def __init__(self, session: "Session", ref: str, *, experiment_id: Optional[str], experiment_name: Optional[str],
                 name: Optional[str], auto: bool = False, info: Optional[Run] = None) -> None:
        self._session = session
        self.ref = ref
        self.experiment_id = experiment_id
        self.experiment_name = experiment_name
        self.name = name
        self.auto = auto
        self.info = info
        self.status = "RUNNING"
        self.ending_status: Optional[str] = None  # set while the on_run_end hooks run
        self.started = time.time()

    @property
    def run_id(self) -> Optional[str]:
        """The backend's run id; None while the run waits (offline) to be created."""
        logger = self._session.logger
        if logger is None:
            return None if self.ref.startswith(LOCAL_PREFIX) else self.ref
        return logger.resolve(self.ref)

    @property
    def offline(self) -> bool:
        return self.run_id is None

    @property
    def url(self) -> Optional[str]:
        backend = self._session.backend_or_none
        rid = self.run_id
        if backend is None or rid is None or not self.experiment_id:
            return None
        return config.ui_run_url(backend, self.experiment_id, rid)

    def end(self, status: str = "FINISHED") -> FlushResult:
        return self._session.end_run(status, run=self)

    def __enter__(self) -> "ActiveRun":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self.status != "RUNNING":
            return
        if exc_type is not None:
            self._session.tag_error(self, exc)
            self._session.end_run("KILLED" if exc_type is KeyboardInterrupt else "FAILED", run=self)
        else:
            self._session.end_run("FINISHED", run=self)

    def describe(self) -> str:
        rid = self.run_id or f"{self.ref} (offline, not created yet)"
        exp = self.experiment_name or self.experiment_id or "?"
        return f"run {self.name or ''} {rid} in experiment {exp!r}".replace("run  ", "run ")

    def __repr__(self) -> str:
        return f"<ActiveRun {self.describe()} {self.status}>"


@dataclass
class Status:
    """What ``mlops.status()`` / ``%mlops status`` report."""

    backend: Optional[dict[str, Any]]
    state: str
    experiment: Optional[str]
    run: Optional[str]
    queued: int = 0
    spooled: int = 0
    spooled_all_kernels: int = 0
    sent: int = 0
    dropped: int = 0
    spool_dir: str = ""
    last_error: Optional[str] = None
    message: str = ""
    set_aside: int = 0  # batches set aside after repeated backend failures (all kernels' spools)
    set_aside_items: int = 0
    set_aside_reasons: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def lines(self) -> list[str]:
        b = self.backend
        out = [f"backend:    {b['url']} ({b['kind']})" if b else f"backend:    not configured ({self.message})",
               f"state:      {self.state}" + (f" - {self.last_error}" if self.last_error else ""),
               f"experiment: {self.experiment or '-'}",
               f"run:        {self.run or '-'}",
               f"pending:    {self.queued} in memory, {self.spooled} spooled"
               + (f" ({self.spooled_all_kernels} in {self.spool_dir} for all kernels)"
                  if self.spooled_all_kernels != self.spooled else ""),
               f"sent:       {self.sent} item(s)" + (f", {self.dropped} dropped" if self.dropped else "")]
        if self.set_aside:
            out.append(f"set aside:  {self.set_aside} batch(es), {self.set_aside_items} item(s) in {self.spool_dir}: "
                       + " | ".join(self.set_aside_reasons or ["repeated backend failures"])
                       + "; once the backend is fixed: %mlops flush --retry-set-aside")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        return str(self)


class Session:
    """The one per kernel (``jupyterlab_mlops.kernel.api._S``)."""

    def __init__(self) -> None:
        self.settings = config.Settings()
        self._backend: Optional[Backend] = None
        self._client: Any = None
        self.logger: Optional[Logger] = None
        self.q: Any = None  # the logger's deque (hot path)
        self.wake: Any = None
        self.experiment_id: Optional[str] = None
        self.experiment_name: Optional[str] = None
        self.stack: list[ActiveRun] = []
        self.run_ref: Optional[str] = None  # stack[-1].ref, read by log_* without a method call
        self.on_run_end: list[Callable[[ActiveRun], Any]] = []
        self.lock = threading.RLock()
        self._said: set[str] = set()
        self._atexit = False

    # -- configuration ---------------------------------------------------------------------------
    @property
    def backend(self) -> Backend:
        if self._backend is None:
            self._backend = config.resolve_backend(self.settings)
        return self._backend

    @property
    def backend_or_none(self) -> Optional[Backend]:
        try:
            return self.backend
        except MlopsError:
            return None

    @property
    def client(self) -> Any:
        """The session's pooled client for API calls (the logger's thread has its own)."""
        if self._client is None:
            self._client = self.new_client(self.backend)
        return self._client

    def new_client(self, backend: Backend) -> Any:
        """A :class:`SyncClient` (one ``requests.Session``) for ``backend`` with this session's settings."""
        from ..client.sync import SyncClient  # imports requests: not at %load_ext time

        client = SyncClient(backend, timeout=self.settings.timeout)
        if config.insecure_tls(self.settings):
            client.session.verify = False
        return client

    def spool_dir(self) -> Path:
        if self.settings.spool_dir:
            return Path(self.settings.spool_dir)
        from ..spool import default_dir

        return default_dir()

    def ensure_logger(self) -> Logger:
        if self.logger is None:
            with self.lock:
                if self.logger is None:
                    backend = self.backend
                    logger = Logger(backend, lambda: self.new_client(backend), self.spool_dir(), notify=say)
                    logger.start()
                    self.q, self.wake = logger.q, logger.wake
                    self.logger = logger
                    if not self._atexit:
                        atexit.register(self.shutdown)
                        self._atexit = True
        return self.logger

    def reset(self, settings: Optional[config.Settings] = None) -> None:
        """Forget the backend (``configure``); flushes and stops the current logger."""
        with self.lock:
            if self.stack:
                raise InvalidInput(f"{self.stack[-1].describe()} is active: end it before configuring another backend.")
            if self.logger is not None:
                self.logger.close(timeout=10.0)
            if self._client is not None:
                self._client.close()
            self.logger = self._client = self._backend = None
            self.q = self.wake = None
            self.experiment_id = self.experiment_name = None
            if settings is not None:
                self.settings = settings

    def shutdown(self) -> None:
        """Interpreter exit: runs still active end FINISHED (as plain mlflow does; without the
        ``on_run_end`` hooks), then what can be delivered is, and the rest is spooled."""
        if self.logger is not None:
            now = int(time.time() * 1000)
            for run in reversed(self.stack):
                if run.status == "RUNNING":
                    self.logger.put(("u", run.ref, "FINISHED", now))
                    run.status = "FINISHED"
            self.stack.clear()
            self.run_ref = None
            try:
                self.logger.close(timeout=float(os.environ.get("MLOPS_EXIT_FLUSH_TIMEOUT", "10")))
            except Exception:  # noqa: BLE001
                pass

    def retry_set_aside(self) -> int:
        """Put the batches set aside after repeated backend failures back in line (on GitLab what did
        arrive is read back first, so nothing is stored twice); returns how many items."""
        logger = self.ensure_logger()
        logger.flush(timeout=5)  # adopts the spools of earlier kernels first
        return logger.retry_set_aside()

    def say_once(self, key: str, message: str) -> None:
        if key not in self._said:
            self._said.add(key)
            say(message)

    @property
    def offline(self) -> bool:
        return bool(self.logger and self.logger.offline)

    # -- experiments ------------------------------------------------------------------------------
    def set_experiment(self, name: str) -> Experiment:
        if not name or not str(name).strip():
            raise InvalidInput("experiment needs a name")
        name = str(name).strip()
        from ..client import flows

        self.ensure_logger()
        try:
            exp = self.client.drive(flows.get_or_create_experiment(self.client.api, name))
        except OFFLINE_ERRORS as exc:
            self.experiment_id, self.experiment_name = None, name
            self.say_once("offline-exp:" + name, f"{exc.message.rstrip('.')}: experiment {name!r} will be "
                                                 "created with the first run when the backend is back")
            return Experiment(experiment_id="", name=name)
        self.experiment_id, self.experiment_name = exp.experiment_id, exp.name or name
        return exp

    def _default_experiment(self) -> tuple[Optional[str], Optional[str]]:
        if self.experiment_id or self.experiment_name:
            return self.experiment_id, self.experiment_name
        name = os.environ.get("MLFLOW_EXPERIMENT_NAME")
        if name:
            return None, name
        exp_id = os.environ.get("MLFLOW_EXPERIMENT_ID")
        if exp_id:
            return exp_id, None
        return None, "Default"

    # -- runs -------------------------------------------------------------------------------------
    def start_run(self, name: Optional[str] = None, tags: Optional[dict[str, Any]] = None, *,
                  experiment: Optional[str] = None, nested: bool = False, description: Optional[str] = None,
                  auto: bool = False) -> ActiveRun:
        with self.lock:
            if self.stack and not nested:
                top = self.stack[-1]
                if top.auto:
                    self.end_run("FINISHED", run=top)
                    say(f"ended {top.describe()} (it was started automatically)")
                else:
                    raise InvalidInput(f"{top.describe()} is already active: end it first "
                                       "(mlops.end_run() or %mlops end), or start a nested run")
            logger = self.ensure_logger()
            if experiment:
                self.set_experiment(experiment)
            exp_id, exp_name = self._default_experiment()
            all_tags = self._run_tags(tags, description)
            if self.stack:
                parent = self.stack[-1].run_id
                if parent:
                    all_tags["mlflow.parentRunId"] = parent
            start = int(time.time() * 1000)
            info: Optional[Run] = None
            error: Optional[MlopsError] = None
            # the marker finds the run again when the answer to runs/create is lost (timeout, GitLab's
            # 500 after creating it): the offline retry below adopts it instead of making an orphan
            ref = LOCAL_PREFIX + uuid.uuid4().hex
            if not logger.offline:
                try:
                    if JOB_TAG in all_tags and self.backend.kind == "gitlab" and logger.check_jobs:
                        drop_unknown_job(all_tags, logger.jobs, self.client, say, f"run {name or ''}".strip())
                    info = self._create_run(exp_id, exp_name, name, {**all_tags, MARKER_TAG: ref}, start)
                except OFFLINE_ERRORS as exc:
                    error = exc
                    if (JOB_TAG in all_tags and self.backend.kind == "gitlab"
                            and failure_kind(exc) == "failing"):
                        job = all_tags.pop(JOB_TAG)
                        logger.jobs.forget(job)
                        say(f"tag {JOB_TAG}={job!r} dropped: GitLab failed on it ({exc.message.rstrip('.')})")
            if info is not None:
                if not self.experiment_id:  # the default experiment (or one named offline) now exists
                    self.experiment_id, self.experiment_name = info.experiment_id, exp_name or self.experiment_name
                exp_label = self.experiment_name if info.experiment_id == self.experiment_id else exp_name
                run = ActiveRun(self, info.run_id, experiment_id=info.experiment_id, experiment_name=exp_label,
                                name=info.run_name or name, auto=auto, info=info)
                self._mlflow_follow(run)
            else:
                payload = {"experiment_id": exp_id, "experiment_name": exp_name, "run_name": name,
                           "tags": all_tags, "start_time": start}
                logger.put(("c", ref, json.dumps(payload, sort_keys=True)))
                run = ActiveRun(self, ref, experiment_id=exp_id, experiment_name=exp_name, name=name, auto=auto)
                why = error.message.rstrip(".") if error else "the backend is unreachable"
                self.say_once("offline-run", f"{why}: the run starts offline and is created, with its data, "
                                             "when the backend is back")
            self.stack.append(run)
            self.run_ref = run.ref
            return run

    def _create_run(self, exp_id: Optional[str], exp_name: Optional[str], name: Optional[str],
                    tags: dict[str, str], start: int) -> Run:
        from ..client import flows

        api = self.client.api
        if not exp_id:
            exp = self.client.drive(flows.get_or_create_experiment(api, exp_name or "Default"))
            exp_id = exp.experiment_id
        return self.client.run(api.create_run(exp_id, run_name=name, tags=tags, start_time=start))

    def _run_tags(self, tags: Optional[dict[str, Any]], description: Optional[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        try:
            out["mlflow.user"] = getpass.getuser()
        except Exception:  # noqa: BLE001
            pass
        notebook = os.environ.get("JPY_SESSION_NAME")
        if notebook:
            out["mlflow.source.name"] = notebook
            out["mlflow.source.type"] = "NOTEBOOK"
        if description:
            out["mlflow.note.content"] = str(description)
        for k, v in (tags or {}).items():
            check_key(str(k), "tag")
            out[str(k)] = str(v)
        return {k: v for k, v in out.items() if v != ""}

    def implicit_run(self) -> str:
        """The run ``log_*`` use when none was started: plain mlflow's active run, else a new one."""
        mlflow_run = self._mlflow_active_run_id()
        if mlflow_run:
            return mlflow_run
        run = self.start_run(auto=True)
        self.say_once("auto-run", f"no active run: started {run.describe()}; "
                                  "end it with mlops.end_run() or %mlops end")
        return run.ref

    def end_run(self, status: str = "FINISHED", *, run: Optional[ActiveRun] = None) -> FlushResult:
        status = (status or "FINISHED").upper()
        if status not in RUN_END_STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(RUN_END_STATUSES)}, got {status!r}")
        with self.lock:
            if run is None:
                if not self.stack:
                    raise InvalidInput("no active run to end")
                run = self.stack[-1]
            if run.status != "RUNNING":
                raise InvalidInput(f"{run.describe()} has already ended ({run.status})")
            run.ending_status = status
            for cb in list(self.on_run_end):
                try:
                    cb(run)
                except Exception as exc:  # noqa: BLE001 - a hook never breaks end_run
                    say(f"run-end hook {getattr(cb, '__name__', cb)!r} failed: {type(exc).__name__}: {exc}")
            logger = self.ensure_logger()
            logger.put(("u", run.ref, status, int(time.time() * 1000)))
            run.status = status
            if run in self.stack:
                # runs started inside this one end with it (like nested mlflow runs)
                while self.stack and self.stack[-1] is not run:
                    inner = self.stack.pop()
                    if inner.status == "RUNNING":
                        logger.put(("u", inner.ref, status, int(time.time() * 1000)))
                        inner.status = status
                self.stack.remove(run)
            self.run_ref = self.stack[-1].ref if self.stack else None
        result = logger.flush()
        self._mlflow_unfollow(run, status)
        return result

    def promote(self, run_id: str, model: str, version: Optional[str] = None,
                description: str = "") -> tuple[ModelVersion, dict[str, Any]]:
        """Promote through the same flow as the server's promote route (``client/promote.py``):
        the model is created when missing; returns the new version and the flow's answer
        (``notes``, ``path``: ``registered`` / ``run`` / ``copy``)."""
        from ..client import promote as flow
        from ..client.dialect import check_model_name, check_semver

        check_model_name(model)
        if version:
            check_semver(version)
        if self.logger is not None:
            self.logger.flush(timeout=60)  # what was logged to the run is on the backend first
        client = self.client
        out = client.drive(flow.promote(client.api, client.backend, model, run_id, version=version,
                                        description=description or "", create_model=True))
        mv = client.run(client.api.get_model_version(model, out["version"]["version"]))
        return mv, out

    def tag_error(self, run: ActiveRun, exc: BaseException) -> None:
        text = f"{type(exc).__name__}: {exc}"[:4000] or type(exc).__name__
        self.ensure_logger().put(("t", run.ref, "mlops.error", text))

    # -- interop with plain mlflow ------------------------------------------------------------------
    def _mlflow_same_backend(self, mlflow: Any) -> bool:
        try:
            uri = str(mlflow.get_tracking_uri()).rstrip("/")
        except Exception:  # noqa: BLE001
            return False
        backend = self.backend_or_none
        return backend is not None and uri == backend.url.rstrip("/")

    def _mlflow_active_run_id(self) -> Optional[str]:
        mlflow = sys.modules.get("mlflow")
        if mlflow is None or not hasattr(mlflow, "active_run"):
            return None
        try:
            active = mlflow.active_run()
        except Exception:  # noqa: BLE001
            return None
        if active is None or not self._mlflow_same_backend(mlflow):
            return None
        self.ensure_logger()
        return str(active.info.run_id)

    def _mlflow_follow(self, run: ActiveRun) -> None:
        """Make plain mlflow see our run: ``MLFLOW_RUN_ID`` for a later ``mlflow.start_run()`` /
        ``mlflow.log_*``, and, when mlflow is already imported, its active run."""
        rid = run.run_id
        if not rid:
            return
        if not os.environ.get("MLFLOW_RUN_ID"):
            os.environ["MLFLOW_RUN_ID"] = rid
            run._set_env = True  # type: ignore[attr-defined]
        mlflow = sys.modules.get("mlflow")
        if mlflow is None or not hasattr(mlflow, "start_run") or not self._mlflow_same_backend(mlflow):
            return
        try:
            if mlflow.active_run() is None:
                mlflow.start_run(run_id=rid)
                run._mlflow = True  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - interop is best effort
            pass

    def _mlflow_unfollow(self, run: ActiveRun, status: str) -> None:
        rid = run.run_id
        if getattr(run, "_set_env", False) and os.environ.get("MLFLOW_RUN_ID") == rid:
            del os.environ["MLFLOW_RUN_ID"]
        mlflow = sys.modules.get("mlflow")
        if mlflow is None or not getattr(run, "_mlflow", False) or self.offline:
            return
        try:
            active = mlflow.active_run()
            if active is not None and active.info.run_id == rid:
                mlflow.end_run(status)
        except Exception:  # noqa: BLE001
            pass

    # -- status --------------------------------------------------------------------------------------
    def status(self) -> Status:
        from ..spool import aside_summary, total_depth

        try:
            backend = self.backend
        except MlopsError as exc:
            return Status(backend=None, state="not configured", experiment=None, run=None, message=exc.message)
        logger = self.logger
        spool_dir = self.spool_dir()
        run = self.stack[-1].describe() if self.stack else None
        if run is None:
            mlflow_run = self._mlflow_active_run_id()
            run = f"{mlflow_run} (mlflow's active run)" if mlflow_run else None
        aside = aside_summary(spool_dir)
        if logger is None:
            state = "idle"
        else:
            state = "offline (spooling)" if logger.offline else "online"
        return Status(
            backend=backend.public(), state=state,
            experiment=self.experiment_name or self.experiment_id,
            run=run,
            queued=len(logger.q) + len(logger._inflight) if logger else 0,
            spooled=logger.spool_depth if logger else 0,
            spooled_all_kernels=total_depth(spool_dir),
            sent=logger.sent if logger else 0,
            dropped=logger.dropped if logger else 0,
            spool_dir=str(spool_dir),
            last_error=logger.last_error if logger and logger.offline else None,
            set_aside=aside["batches"], set_aside_items=aside["items"], set_aside_reasons=list(aside["reasons"]),
        )


# -- input checks (shared with api.py and magics.py) ---------------------------------------------------
_VALID_KEYS: set[str] = set()
_KEY_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-. :/")


def check_key(key: Any, kind: str) -> str:
    """MLflow's name rule for metric/param/tag keys (also within GitLab's 250 characters)."""
    if key in _VALID_KEYS:
        return key
    if not isinstance(key, str) or not key:
        raise InvalidInput(f"{kind} name must be a non-empty string, got {key!r}")
    import posixpath

    bad = [c for c in key if c not in _KEY_CHARS and not c.isalnum()]
    norm = posixpath.normpath(key)
    if bad or norm != key or norm == "." or norm.startswith("..") or norm.startswith("/"):
        raise InvalidInput(f"invalid {kind} name {key!r}: use letters, digits, '_', '-', '.', ' ', ':' and '/' "
                           "(no leading '/', no '..')")
    if len(key) > 250:
        raise InvalidInput(f"{kind} name {key[:40]!r}... is {len(key)} characters; at most 250 are allowed")
    if len(_VALID_KEYS) < 100_000:
        _VALID_KEYS.add(key)
    return key

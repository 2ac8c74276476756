"""Run lifecycle: :class:`ActiveRun` and the session's stack of runs (start, the implicit run of
``log_*``, nested runs, end with the ``on_run_end`` hooks). A run starts on the backend at once, or,
with the backend down, offline: a ``c`` item creates it (found again by its marker tag) when it is back."""

from __future__ import annotations

import getpass
import json
import os
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any, Callable, Optional

from ..client.errors import BackendError, BackendTimeout, BackendUnreachable, InvalidInput, MlopsError
from ..client.models import Run
from ..spool import LOCAL_PREFIX
from . import config, mlflow_interop, notify
from .checks import check_key
from .delivery import JOB_TAG, MARKER_TAG, drop_failed_job, drop_unknown_job
from .notices import Notices, say, warn
from .status import FlushResult

if TYPE_CHECKING:
    from .logger import Logger
    from .session import Session

RUN_END_STATUSES = ("FINISHED", "FAILED", "KILLED")
OFFLINE_ERRORS = (BackendUnreachable, BackendTimeout, BackendError)


class ActiveRun:
    """A run started by this kernel. A context manager: ``with mlops.start_run(): ...`` ends it
    FINISHED, or FAILED (with the error as the ``mlops.error`` tag) when the block raises."""

    def __init__(
        self,
        session: "Session",
        ref: str,
        *,
        experiment_id: Optional[str],
        experiment_name: Optional[str],
        name: Optional[str],
        auto: bool = False,
        info: Optional[Run] = None,
    ) -> None:
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
        self.exported_env = False  # MLFLOW_RUN_ID was set for this run (mlflow_interop)
        self.mlflow_follows = False  # made mlflow's active run (mlflow_interop)

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


class RunLifecycle:
    """The runs part of :class:`~.session.Session` (which provides the attributes declared here)."""

    stack: list[ActiveRun]
    run_ref: Optional[str]  # stack[-1].ref, read by log_* without a method call
    on_run_end: list[Callable[[ActiveRun], Any]]
    lock: threading.RLock
    logger: Optional["Logger"]
    notices: Notices
    experiment_id: Optional[str]
    experiment_name: Optional[str]
    backend: Any
    backend_or_none: Any
    client: Any
    quick_client: Any
    ensure_logger: Callable[[], "Logger"]
    set_experiment: Callable[[str], Any]
    default_experiment: Callable[[], tuple[Optional[str], Optional[str]]]
    mlflow_run_id: Callable[[], Optional[str]]

    def active_run(self) -> Optional[ActiveRun]:
        """The innermost run started by this kernel and not ended, or None."""
        return self.stack[-1] if self.stack else None

    def start_run(
        self,
        name: Optional[str] = None,
        tags: Optional[dict[str, Any]] = None,
        *,
        experiment: Optional[str] = None,
        nested: bool = False,
        description: Optional[str] = None,
        auto: bool = False,
    ) -> ActiveRun:
        with self.lock:
            if self.stack and not nested:
                top = self.stack[-1]
                if top.auto:
                    self.end_run("FINISHED", run=top)
                    say(f"ended {top.describe()} (it was started automatically)")
                else:
                    raise InvalidInput(
                        f"{top.describe()} is already active: end it first "
                        "(mlops.end_run() or %mlops end), or start a nested run"
                    )
            logger = self.ensure_logger()
            if experiment:
                self.set_experiment(experiment)
            exp_id, exp_name = self.default_experiment()
            all_tags = run_tags(tags, description)
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
            gitlab, jobs = self.backend.kind == "gitlab", logger.sender.jobs  # what the sender knows of CI jobs
            if not logger.offline:
                try:
                    if JOB_TAG in all_tags and gitlab and logger.sender.check_jobs:
                        drop_unknown_job(all_tags, jobs, self.quick_client, warn, f"run {name or ''}".strip())
                    info = self._create_run(exp_id, exp_name, name, {**all_tags, MARKER_TAG: ref}, start)
                except OFFLINE_ERRORS as exc:
                    error = exc
                    logger.unreachable(exc)
                    if gitlab:
                        drop_failed_job(all_tags, jobs, exc, warn)
            if info is not None:
                if not self.experiment_id:  # the default experiment (or one named offline) now exists
                    self.experiment_id, self.experiment_name = info.experiment_id, exp_name or self.experiment_name
                exp_label = (
                    self.experiment_name if info.experiment_id == self.experiment_id else exp_name
                ) or self._experiment_name(info.experiment_id)
                run = ActiveRun(
                    self,
                    info.run_id,
                    experiment_id=info.experiment_id,  # type: ignore[arg-type]
                    experiment_name=exp_label,
                    name=info.run_name or name,
                    auto=auto,
                    info=info,
                )
                mlflow_interop.follow(run, self.backend_or_none)
            else:
                payload = {
                    "experiment_id": exp_id,
                    "experiment_name": exp_name,
                    "run_name": name,
                    "tags": all_tags,
                    "start_time": start,
                }
                logger.put(("c", ref, json.dumps(payload, sort_keys=True)))
                run = ActiveRun(
                    self,
                    ref,
                    experiment_id=exp_id,
                    experiment_name=exp_name,  # type: ignore[arg-type]
                    name=name,
                    auto=auto,
                )
                why = error.message.rstrip(".") if error else "the backend is unreachable"
                self.notices.once(
                    "offline-run",
                    f"{why}: the run starts offline and is created, with its data, when the backend is back",
                )
            self.stack.append(run)
            self.run_ref = run.ref
            return run

    def _create_run(
        self, exp_id: Optional[str], exp_name: Optional[str], name: Optional[str], tags: dict[str, str], start: int
    ) -> Run:
        from ..client import flows

        client = self.quick_client  # an interactive verb: offline rather than waiting on the backend
        if not exp_id:
            exp = client.drive(flows.get_or_create_experiment(client.api, exp_name or "Default"))
            exp_id = exp.experiment_id
            notify.experiment(self.backend.url, exp_id, exp.name)
        run: Run = client.run(client.api.create_run(exp_id, run_name=name, tags=tags, start_time=start))
        notify.run_created(self.backend.url, run.experiment_id, run.run_id, run.run_name)
        return run

    def _experiment_name(self, experiment_id: str) -> Optional[str]:
        """The name of an experiment known by id only (``MLFLOW_EXPERIMENT_ID``): messages say names."""
        try:
            return self.quick_client.run(self.quick_client.api.get_experiment(experiment_id)).name or None
        except MlopsError:
            return None

    def implicit_run(self) -> str:
        """The run ``log_*`` use when none was started: plain mlflow's active run, else a new one."""
        mlflow_run = self.mlflow_run_id()
        if mlflow_run:
            return mlflow_run
        run = self.start_run(auto=True)
        self.notices.once(
            "auto-run", f"no active run: started {run.describe()}; end it with mlops.end_run() or %mlops end"
        )
        return run.ref

    def end_run(
        self, status: str = "FINISHED", *, run: Optional[ActiveRun] = None, wait: float = config.INTERACTIVE_S
    ) -> FlushResult:
        """End ``run`` (the innermost by default) and wait for its data while the backend takes it; never
        ``wait`` seconds without progress (what is left goes on in the background, or to the spool)."""
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
                    warn(f"run-end hook {getattr(cb, '__name__', cb)!r} failed: {type(exc).__name__}: {exc}")
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
        result = _flush_while_moving(logger, wait)
        mlflow_interop.unfollow(run, status, offline=logger.offline)
        return result

    def tag_error(self, run: ActiveRun, exc: BaseException) -> None:
        """Tag ``run`` with the error that ends it (``mlops.error``)."""
        text = f"{type(exc).__name__}: {exc}"[:4000] or type(exc).__name__
        self.ensure_logger().put(("t", run.ref, "mlops.error", text))

    def run_id_of(self, run: Any, what: str = "promote") -> str:
        """The backend run id of ``run`` (an id, an :class:`ActiveRun`, anything with ``run_id``; None:
        the active run)."""
        if run is None:
            if not self.stack:
                raise InvalidInput(f"{what} needs a run id (or an active run)")
            run = self.stack[-1]
        if isinstance(run, ActiveRun):
            rid = run.run_id
            if rid is None:
                raise InvalidInput("the run is not created yet (the backend is unreachable)")
            return rid
        if hasattr(run, "run_id"):
            return str(run.run_id)
        return str(run)


def _flush_while_moving(logger: "Logger", wait: float) -> FlushResult:
    """Wait for delivery as long as batches keep arriving (a healthy backend: what was logged is there when
    the run ends), but never ``wait`` seconds without progress (a hanging backend: the rest goes on in the
    background, or to the spool)."""
    while True:
        sent = logger.sent
        result = logger.flush(timeout=wait)
        if result.delivered or logger.offline or logger.sent == sent:
            return result


def run_tags(tags: Optional[dict[str, Any]], description: Optional[str]) -> dict[str, str]:
    """The tags a new run gets: user, notebook, description, then the caller's (checked)."""
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

"""Kernel-wide state behind the Python API: settings, backend, client, logger, experiment and the
runs (:class:`~.runs.RunLifecycle`). One per kernel: :func:`jupyterlab_mlops.kernel.api.session`."""

from __future__ import annotations

import atexit
import os
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

from ..client.backend import Backend
from ..client.errors import InvalidInput, MlopsError
from ..client.models import Experiment, ModelVersion
from . import config, mlflow_interop, notify
from .logger import Logger
from .notices import Notices, warn
from .runs import OFFLINE_ERRORS, ActiveRun, RunLifecycle
from .status import Status, session_status


class Session(RunLifecycle):
    """The kernel's configuration, its connections to the backend and its runs."""

    def __init__(self) -> None:
        self.settings = config.Settings()
        self._backend: Optional[Backend] = None
        self._client: Any = None
        self._quick: Any = None
        self.logger: Optional[Logger] = None
        self.q: Any = None  # the logger's deque (hot path)
        self.wake: Any = None
        self.experiment_id: Optional[str] = None
        self.experiment_name: Optional[str] = None
        self.stack: list[ActiveRun] = []
        self.run_ref: Optional[str] = None
        self.on_run_end: list[Callable[[ActiveRun], Any]] = []
        self.lock = threading.RLock()
        self.notices = Notices(warn)
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

    @property
    def quick_client(self) -> Any:
        """The client of interactive verbs (start, experiment): it gives up after :data:`config.INTERACTIVE_S`
        (the verb then goes offline and the logger retries in the background). Same connections as ``client``."""
        if self._quick is None:
            from ..client.sync import SyncClient

            self._quick = SyncClient(
                self.backend,
                timeout=config.INTERACTIVE_S,
                connect_timeout=config.INTERACTIVE_S,
                session=self.client.session,
            )
        return self._quick

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
                    logger = Logger(backend, lambda: self.new_client(backend), self.spool_dir(), notify=warn)
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
            self.logger = self._client = self._quick = self._backend = None
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

    @property
    def offline(self) -> bool:
        return bool(self.logger and self.logger.offline)

    def status(self) -> Status:
        return session_status(self)

    def mlflow_run_id(self) -> Optional[str]:
        """Plain mlflow's active run when it logs to our backend (the logger is started for it)."""
        rid = mlflow_interop.active_run_id(self.backend_or_none)
        if rid:
            self.ensure_logger()
        return rid

    # -- experiments ------------------------------------------------------------------------------
    def set_experiment(self, name: str) -> Experiment:
        if not name or not str(name).strip():
            raise InvalidInput("experiment needs a name")
        name = str(name).strip()
        from ..client import flows

        logger = self.ensure_logger()
        try:
            if logger.offline:
                raise logger.offline_error()
            exp = self.quick_client.drive(flows.get_or_create_experiment(self.quick_client.api, name))
        except OFFLINE_ERRORS as exc:
            logger.unreachable(exc)
            self.experiment_id, self.experiment_name = None, name
            self.notices.once(
                "offline-exp:" + name,
                f"{exc.message.rstrip('.')}: experiment {name!r} will be "
                "created with the first run when the backend is back",
            )
            return Experiment(experiment_id="", name=name)
        self.experiment_id, self.experiment_name = exp.experiment_id, exp.name or name
        notify.experiment(self.backend.url, exp.experiment_id, self.experiment_name)
        return exp

    def default_experiment(self) -> tuple[Optional[str], Optional[str]]:
        """(id, name) of the experiment new runs go to: the chosen one, else MLflow's environment, else Default."""
        if self.experiment_id or self.experiment_name:
            return self.experiment_id, self.experiment_name
        name = os.environ.get("MLFLOW_EXPERIMENT_NAME")
        if name:
            return None, name
        exp_id = os.environ.get("MLFLOW_EXPERIMENT_ID")
        if exp_id:
            return exp_id, None
        return None, "Default"

    # -- registry ---------------------------------------------------------------------------------
    def promote(
        self, run_id: str, model: str, version: Optional[str] = None, description: str = ""
    ) -> tuple[ModelVersion, dict[str, Any]]:
        """Promote through the same flow as the server's promote route (``views/promote.py``):
        the model is created when missing; returns the new version and the flow's answer
        (``notes``, ``path``: ``registered`` / ``run`` / ``copy``)."""
        from ..client.dialect import check_model_name, check_semver
        from ..views import promote as flow

        check_model_name(model)
        if version:
            check_semver(version)
        if self.logger is not None:
            self.logger.flush(timeout=60)  # what was logged to the run is on the backend first
        client = self.client
        out = client.drive(
            flow.promote(
                client.api,
                client.backend,
                model,
                run_id,
                version=version,
                description=description or "",
                create_model=True,
            )
        )
        mv = client.run(client.api.get_model_version(model, out["version"]["version"]))
        return mv, out

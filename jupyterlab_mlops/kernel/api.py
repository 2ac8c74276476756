"""The Python API: ``import jupyterlab_mlops as mlops``.

    mlops.experiment("churn")
    with mlops.start_run(name="baseline", tags={"team": "ds"}):
        mlops.log_params({"lr": 0.01, "depth": 5})
        for step in range(10_000):
            mlops.log_metrics({"loss": loss, "acc": acc}, step=step)   # microseconds, never blocks
        mlops.log_artifact("model.pkl")
    mlops.promote(run_id, model="churn-model", version="1.2.0")

``log_*`` enqueue and return (see :mod:`.logger`); a backend outage never raises into or blocks
the caller: data is spooled and sent when the backend is back (``status()`` shows the depth).
Bad input (a non-numeric metric, an invalid name) raises :class:`InvalidInput` and sends nothing.
The backend is ``MLFLOW_TRACKING_URI`` (inherited from Jupyter) or :func:`configure`.

Interop with plain ``mlflow``: with no run of ours active, ``log_*`` log to ``mlflow.active_run()``
(same tracking server); a run we start is exported as ``MLFLOW_RUN_ID`` and, when ``mlflow`` is
already imported, made its active run too. ``on_run_end`` holds callbacks ``f(run)`` called just
before a run ends (notebook snapshots hook in there).
"""

from __future__ import annotations

import time
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from ..client.errors import InvalidInput, MlopsError  # noqa: F401 - MlopsError is re-exported (exports.PUBLIC)
from ..client.models import Experiment, ModelVersion
from . import config
from .exports import PUBLIC
from .checks import VALID_KEYS, check_key, check_text, metric_value
from .logger import WAKE_AT
from .runs import ActiveRun
from .session import Session
from .snapshot_hook import register as _register_snapshot_hook
from .status import FlushResult, Status

__all__ = list(PUBLIC)

_S = Session()  # the one session of this kernel (module-level: read on the log_* hot path)
_now = time.time
#: Callbacks ``f(run: ActiveRun)`` run just before a run ends (issue 6: notebook snapshot).
on_run_end: list[Callable[[ActiveRun], Any]] = _S.on_run_end
_register_snapshot_hook(on_run_end)


def session() -> Session:
    """This kernel's :class:`Session` (backend, client, logger, runs): what the magics and widgets use."""
    return _S


def configure(
    uri: Optional[str] = None,
    token: Optional[str] = None,
    *,
    spool_dir: Optional[str] = None,
    insecure: Optional[bool] = None,
    timeout: Optional[float] = None,
) -> Status:
    """Point this kernel at a tracking server (an MLflow URL or a GitLab project's
    ``https://<gitlab>/api/v4/projects/<id>/ml/mlflow``). Without ``uri`` the inherited
    ``MLFLOW_TRACKING_URI`` is used again. Refused while a run is active; what was logged before is
    flushed (or spooled) first."""
    settings = config.Settings(
        uri=uri, token=token, insecure=insecure, spool_dir=spool_dir, timeout=timeout if timeout is not None else 30.0
    )
    if uri:
        from ..client.backend import Backend

        Backend.from_uri(uri, token=token)  # validate before dropping the old one
    _S.reset(settings)
    return _S.status()


def experiment(name: str) -> Experiment:
    """Use (and create when missing) the experiment ``name`` for the next runs."""
    return _S.set_experiment(name)


def start_run(
    name: Optional[str] = None,
    tags: Optional[Mapping[str, Any]] = None,
    *,
    experiment: Optional[str] = None,
    nested: bool = False,
    description: Optional[str] = None,
) -> ActiveRun:
    """Start a run in the current experiment (``Default`` when none was chosen). Returns an
    :class:`ActiveRun`, also a context manager. With the backend down, the run starts offline and
    is created (with everything logged to it) when the backend is back."""
    return _S.start_run(name, dict(tags or {}), experiment=experiment, nested=nested, description=description)


def active_run() -> Optional[ActiveRun]:
    """The innermost run started by this kernel and not ended, or None."""
    return _S.active_run()


def end_run(status: str = "FINISHED") -> Optional[FlushResult]:
    """End the active run (``FINISHED``, ``FAILED`` or ``KILLED``) after delivering (or spooling)
    what was logged to it. No-op without an active run."""
    if not _S.stack:
        return None
    return _S.end_run(status)


def _run() -> str:
    run = _S.run_ref
    return run if run is not None else _S.implicit_run()


def log_metric(key: str, value: float, step: Optional[int] = None, timestamp: Optional[int] = None) -> None:
    """Queue one metric point (``timestamp`` in ms, default now; ``step`` default 0)."""
    run = _S.run_ref
    if run is None:
        run = _S.implicit_run()
    if key not in VALID_KEYS:
        check_key(key, "metric")
    v = metric_value(key, value)
    q = _S.q
    q.append(
        (
            "m",
            run,
            key,
            v,
            int(_now() * 1000) if timestamp is None else int(timestamp),
            0 if step is None else int(step),
        )
    )
    if len(q) >= WAKE_AT and not _S.wake.is_set():
        _S.wake.set()


def log_metrics(metrics: Mapping[str, float], step: Optional[int] = None, timestamp: Optional[int] = None) -> None:
    """Queue several metric points with one timestamp and step."""
    run = _S.run_ref
    if run is None:
        run = _S.implicit_run()
    ts = int(time.time() * 1000) if timestamp is None else int(timestamp)
    st = 0 if step is None else int(step)
    items = []
    for key, value in metrics.items():
        if key not in VALID_KEYS:
            check_key(key, "metric")
        items.append(("m", run, key, metric_value(key, value), ts, st))
    q = _S.q
    q.extend(items)
    if len(q) >= WAKE_AT and not _S.wake.is_set():
        _S.wake.set()


def _queue(kind: str, values: Mapping[str, Any]) -> None:
    """Queue params or tags (``kind``), all checked before any is queued."""
    run = _run()
    backend_kind = _S.backend.kind
    items = [(kind[0], run, k, check_text(kind, k, v, backend_kind)) for k, v in values.items()]
    for item in items:
        _S.logger.put(item)


def log_param(key: str, value: Any) -> None:
    """Queue a param (write-once: logging a different value for the same key is refused by the
    backend and dropped with a warning)."""
    _queue("param", {key: value})


def log_params(params: Mapping[str, Any]) -> None:
    _queue("param", params)


def set_tag(key: str, value: Any) -> None:
    """Queue a run tag (MLflow overwrites an existing tag; GitLab keeps the first value)."""
    _queue("tag", {key: value})


def set_tags(tags: Mapping[str, Any]) -> None:
    _queue("tag", tags)


def log_artifact(path: str, artifact_path: Optional[str] = None) -> str:
    """Upload a local file to the active run's artifacts (a progress bar shows for large files).
    Returns the artifact's path. On GitLab every part of it follows the package file-name rule."""
    from . import artifacts

    ref = _run()
    logger = _S.ensure_logger()
    run_id = logger.resolve(ref)
    if run_id is None:
        raise InvalidInput(
            "the run is not created yet (the backend is unreachable); artifacts are not "
            "spooled: log the file again when the backend is back"
        )
    client = _S.client
    top = _S.active_run()
    active = top if top is not None and top.ref == ref else None
    info = active.info if active is not None and active.info is not None else None
    if info is None or not info.artifact_uri:
        info = client.run(client.api.get_run(run_id))
        if active is not None:
            active.info = info
    return artifacts.upload(client, info.artifact_uri, path, artifact_path)


def flush(timeout: Optional[float] = None) -> FlushResult:
    """Wait until everything logged so far is delivered, or (backend down) spooled durably.
    Also replays spools left by earlier kernels for the same backend."""
    return _S.ensure_logger().flush(timeout)


def retry_set_aside() -> int:
    """Put the batches set aside after repeated backend failures back in line (``status()`` lists them); on
    GitLab what did arrive is read back first, so nothing is stored twice. Returns how many items."""
    return _S.retry_set_aside()


def status() -> Status:
    """Backend, state (online / offline), experiment, run, pending and spooled item counts."""
    return _S.status()


RunLike = Union[str, ActiveRun, None]


def promote(
    run: RunLike = None, model: Optional[str] = None, version: Optional[str] = None, description: str = ""
) -> Union[ModelVersion, Any]:
    """Promote a run to a new version of ``model`` (created when missing). ``version`` is a
    semantic version (default: the latest version with its patch bumped, ``1.0.0`` first); a
    version that exists, or a run already promoted to this model, is a :class:`Conflict`.
    Lineage (source run, snapshot hash, git commit, CI job) goes on the version as tags. On
    GitLab the run itself becomes the version when it belongs to the model's ``[model]<name>``
    experiment; otherwise its params, metrics, tags and files are copied onto the version's run.
    Without ``model``, returns the promote form widget for ``run``."""
    if model is None:
        from ..widgets import PromoteForm

        return PromoteForm(_S.run_id_of(run) if run is not None or _S.stack else None, session=_S)
    mv, _out = _S.promote(_S.run_id_of(run), model, version, description)
    return mv


def experiments() -> Any:
    """Widget: browse experiments and their runs; select runs to compare or promote."""
    from ..widgets import ExperimentsBrowser

    return ExperimentsBrowser(session=_S)


def compare(runs_or_experiment: Union[str, Sequence[Any], None] = None, metrics: Optional[Sequence[str]] = None) -> Any:
    """Widget: params table (differences highlighted) and metric curves of runs (ids, ActiveRuns,
    or an experiment name whose runs are compared)."""
    from ..widgets import CompareView

    return CompareView(runs_or_experiment, metrics=metrics, session=_S)


def models() -> Any:
    """Widget: the model registry (models, versions, version details)."""
    from ..widgets import ModelsBrowser

    return ModelsBrowser(session=_S)

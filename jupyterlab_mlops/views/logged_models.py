"""The run page's MLflow 3 logged models: each model the run logged (``mlflow.<flavor>.log_model``) with its
flavors, params, latest metrics and top-level files, and the artifact URI the artifact routes read for it.

GitLab has no logged models: ``supported`` is false and nothing is asked. A model's files are served by the
run artifact routes under the pseudo run id ``m-<id>`` (:func:`model_artifact_uri`), so the read-only
artifacts drive opens them as it opens a run's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..client.api import Api
from ..client.errors import InvalidInput, MlopsError, NotFound
from ..client.logged_models import MAX_MODELS, check_model_id, get_logged_model, search_logged_models
from ..client.models import Run

if TYPE_CHECKING:
    from ..client.calls import Flow
    from .wire.runs import LoggedModelList

#: bytes of an ``MLmodel`` file read for its flavors at most
MLMODEL_BYTES = 256 * 1024


def is_model_id(ref: str) -> bool:
    """Whether an artifact route's run id names a logged model (``m-...``; MLflow run ids are hex only)."""
    return ref.startswith("m-")


def flavors_of(mlmodel: str) -> list[str]:
    """The flavor names of an ``MLmodel`` file (the keys under ``flavors:``), ``python_function`` last."""
    names: list[str] = []
    inside = False
    for line in mlmodel.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            inside = line.rstrip() == "flavors:"
            continue
        if inside and line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(":"):
            names.append(line.strip()[:-1])
    return sorted(names, key=lambda n: (n == "python_function", n))


def model_artifact_uri(api: Api, model_id: str) -> Flow[Optional[str]]:
    """Flow: a logged model's artifact URI (a 404 on GitLab, which has none)."""
    if api.dialect.is_gitlab:
        raise NotFound(f"GitLab has no logged model {model_id}.", reason="no_logged_models")
    model: dict[str, Any] = yield get_logged_model(api, check_model_id(model_id))
    return model["artifact_uri"]


def _describe(api: Api, model: dict[str, Any]) -> Flow[dict[str, Any]]:
    from .run_detail import artifact_files

    uri = model.pop("artifact_uri")
    try:
        files = yield from artifact_files(api, uri)
    except MlopsError as exc:
        files = {"files": [], "note": exc.message}
    flavors: list[str] = []
    if any(f["path"] == "MLmodel" for f in files["files"]):
        try:
            raw: bytes = yield api.download_artifact(uri, "MLmodel")
            flavors = flavors_of(raw[:MLMODEL_BYTES].decode("utf-8", "replace"))
        except MlopsError:
            pass  # the files say what there is; flavors stay unknown
    return {**model, "flavors": flavors, "source": f"models:/{model['model_id']}", "artifacts": files}


def run_logged_models(api: Api, run: Run) -> Flow[LoggedModelList]:
    """Flow: ``{supported, models, truncated, note}`` for the run page (a failure is a ``note``, never an error)."""
    if api.dialect.is_gitlab:
        return {"supported": False, "models": [], "truncated": False, "note": None}
    try:
        found, token = yield search_logged_models(api, run.experiment_id, run.run_id)
    except (NotFound, InvalidInput):  # an MLflow before 3.0: no logged-models endpoint
        return {"supported": False, "models": [], "truncated": False, "note": None}
    except MlopsError as exc:
        return {"supported": True, "models": [], "truncated": False, "note": exc.message}
    models = []
    for model in found[:MAX_MODELS]:
        models.append((yield from _describe(api, model)))
    return {"supported": True, "models": models, "truncated": bool(token), "note": None}

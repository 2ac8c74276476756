"""Request builders for MLflow 3's logged models (``mlflow.<flavor>.log_model``): search by source run, get one.

GitLab has no logged models: callers ask only MLflow (``api.dialect.is_gitlab`` first).
"""

from __future__ import annotations

import re
from typing import Any, Optional

from .api import Api
from .calls import REST, Call
from .errors import InvalidInput
from .filters import equals

#: an MLflow logged model id (``m-`` and 32 hex digits); nothing else reaches a URL path
MODEL_ID = re.compile(r"^m-[0-9a-f]{32}$")
#: logged models listed for one run at most (a run logging more is unusual; the rest are counted)
MAX_MODELS = 50


def check_model_id(model_id: str) -> str:
    """``model_id`` when it looks like an MLflow logged model id, else a 400."""
    if not MODEL_ID.match(model_id or ""):
        raise InvalidInput(
            f"Not a logged model id: {model_id!r} (expected m-<32 hex digits>).", reason="invalid_model_id"
        )
    return model_id


def logged_model(d: dict[str, Any]) -> dict[str, Any]:
    """One logged model of ``logged-models/search``/``get`` as ``{model_id, name, ...}`` (params and latest metrics
    by key; tags kept whole)."""
    info, data = d.get("info") or {}, d.get("data") or {}
    metrics: dict[str, dict[str, Any]] = {}
    for m in data.get("metrics") or []:
        key, old = m.get("key", ""), metrics.get(m.get("key", ""))
        if old is None or (m.get("step") or 0, m.get("timestamp") or 0) >= (old["step"], old["timestamp"]):
            metrics[key] = {"value": m.get("value"), "step": m.get("step") or 0, "timestamp": m.get("timestamp") or 0}
    return {
        "model_id": info.get("model_id", ""),
        "name": info.get("name", ""),
        "experiment_id": info.get("experiment_id", ""),
        "source_run_id": info.get("source_run_id") or None,
        "artifact_uri": info.get("artifact_uri") or None,
        "status": info.get("status") or None,
        "model_type": info.get("model_type") or None,
        "creation_timestamp": info.get("creation_timestamp_ms"),
        "tags": {t.get("key", ""): t.get("value", "") for t in info.get("tags") or []},
        "params": {p.get("key", ""): p.get("value", "") for p in data.get("params") or []},
        "metrics": metrics,
    }


def search_logged_models(
    api: Api, experiment_id: str, run_id: str, max_results: int = MAX_MODELS, page_token: Optional[str] = None
) -> Call[tuple[list[dict[str, Any]], Optional[str]]]:
    """``POST logged-models/search`` for the models one run logged (``source_run_id``), newest first."""
    body: dict[str, Any] = {
        "experiment_ids": [experiment_id],
        "filter": equals("source_run_id", run_id),
        "order_by": [{"field_name": "creation_timestamp", "ascending": False}],
        "max_results": max_results,
    }
    if page_token:
        body["page_token"] = page_token
    return Call(
        "POST",
        REST + "logged-models/search",
        json=body,
        parse=lambda d: ([logged_model(m) for m in d.get("models") or []], d.get("next_page_token") or None),
    )


def get_logged_model(api: Api, model_id: str) -> Call[dict[str, Any]]:
    """``GET logged-models/{id}``."""
    return Call(
        "GET", REST + "logged-models/" + check_model_id(model_id), parse=lambda d: logged_model(d.get("model") or {})
    )

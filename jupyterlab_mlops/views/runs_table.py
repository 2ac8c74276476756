"""The candidates table: column projection, order/filter emulation and page tokens (pure).

MLflow filters, orders and pages on its server; GitLab's runs/search does none of that beyond
creation/name order, so the server reads every run of the experiment once (:func:`all_runs`),
then :func:`filter_runs` (MLflow's own ``SearchUtils``, imported lazily: ~2 s) and
:func:`sort_runs` (MLflow's ordering rules, re-implemented: no import) here, and pages the
materialized list with :func:`encode_token` offsets.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
import threading
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence

from ..client.api import Api
from ..client.api import json_float as num
from ..client.errors import InvalidInput
from ..client.flows import all_pages
from ..client.models import Run

if TYPE_CHECKING:
    from .wire.runs import RunRow

KINDS = {
    "param": "params",
    "params": "params",
    "parameter": "params",
    "parameters": "params",
    "metric": "metrics",
    "metrics": "metrics",
    "tag": "tags",
    "tags": "tags",
    "attribute": "attributes",
    "attributes": "attributes",
    "attr": "attributes",
    "run": "attributes",
}
ATTRIBUTES = ("run_id", "run_name", "status", "start_time", "end_time", "user_id", "experiment_id")
ORDERABLE = {"artifact_uri", "end_time", "run_id", "run_name", "start_time", "status", "user_id"}
ALIASES = {
    "created": "start_time",
    "Created": "start_time",
    "run name": "run_name",
    "Run name": "run_name",
    "Run Name": "run_name",
}
#: Orders GitLab's runs/search does itself. It has no start_time order; its created_at is the upload time
#: (GITLAB_API.md C10), the same as the start time except for runs replayed from a spool, which sort by when they
#: were uploaded. Decision: "newest first" stays GitLab's paged created_at order, with :data:`GITLAB_UPLOAD_ORDER`
#: in the answer. Re-sorting each page by start_time would order a page but not the list (a replayed run stays on
#: the page of its upload), and an exact order means reading every run of the experiment for each first page.
GITLAB_NATIVE = {("attributes", "start_time"): "created_at", ("attributes", "run_name"): "name"}
GITLAB_UPLOAD_ORDER = (
    "GitLab orders runs by when they reached it (created_at), not by start time: a run logged "
    "offline and replayed later is listed where it was uploaded."
)
GITLAB_WHY = "GitLab's runs/search cannot {what}; all runs of the experiment were read and {done} here"
TOKEN_PREFIX = "e1."
#: Rows per page when a request does not say (the UI's default, ``pageSize`` in ``schema/plugin.json``), and the most.
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 1000


# -- columns ------------------------------------------------------------------------------------
def _split(spec: str) -> list[str]:
    """Split on commas outside back-quotes."""
    out, cur, quoted = [], [], False
    for ch in spec:
        if ch == "`":
            quoted = not quoted
        if ch == "," and not quoted:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [s.strip() for s in out if s.strip()]


def _kind_key(token: str, what: str) -> tuple[str, str]:
    kind, sep, key = token.partition(".")
    kind = KINDS.get(kind.strip().strip("`").lower(), "") if sep else ""
    key = key.strip()
    if len(key) >= 2 and key[0] == key[-1] and key[0] in "`\"'":
        key = key[1:-1]
    if not kind or not key:
        raise InvalidInput(
            f"Invalid {what} {token!r}: use params.<key>, metrics.<key> or tags.<key>.",
            reason=f"invalid_{what.replace(' ', '_')}",
        )
    return kind, key


def parse_columns(spec: Optional[str]) -> list[tuple[str, str]]:
    """``params.lr,metrics.acc,tags.gitlab.CI_JOB_ID`` -> ``[("params", "lr"), ...]`` (deduplicated)."""
    cols: list[tuple[str, str]] = []
    for token in _split(spec or ""):
        kind, key = _kind_key(token, "column")
        if kind == "attributes":
            continue  # the standard attributes are always sent
        if (kind, key) not in cols:
            cols.append((kind, key))
    return cols


#: columns chosen for a table nobody chose columns for: the first metrics, then the first params (sorted keys)
AUTO_METRICS, AUTO_PARAMS = 3, 2


def settle_columns(asked: Sequence[tuple[str, str]], seen: dict[str, set[str]]) -> list[tuple[str, str]]:
    """The columns of a table that asked for ``auto_columns``: the asked ones when the experiment has any of
    them, else its first metrics and params (none while it has neither)."""
    if any(key in seen.get(kind, ()) for kind, key in asked):
        return list(asked)
    return [("metrics", k) for k in sorted(seen.get("metrics", ()))[:AUTO_METRICS]] + [
        ("params", k) for k in sorted(seen.get("params", ()))[:AUTO_PARAMS]
    ]


def project(run: Run, columns: Sequence[tuple[str, str]]) -> RunRow:
    """One table row: the standard attributes plus only the requested columns the run has."""
    row: dict[str, Any] = {a: getattr(run, a) for a in ATTRIBUTES}
    params, metrics, tags = {}, {}, {}
    for kind, key in columns:
        if kind == "params" and key in run.params:
            params[key] = run.params[key]
        elif kind == "metrics" and key in run.metrics:
            metrics[key] = num(run.metrics[key].value)
        elif kind == "tags" and key in run.tags:
            tags[key] = run.tags[key]
    row.update(params=params, metrics=metrics, tags=tags)
    return row


def keys_seen(runs: Iterable[Run]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {"params": set(), "metrics": set(), "tags": set()}
    for r in runs:
        out["params"].update(r.params)
        out["metrics"].update(r.metrics)
        out["tags"].update(r.tags)
    return out


# -- order --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Order:
    kind: str  # attributes | params | metrics | tags
    key: str
    ascending: bool

    def mlflow(self) -> str:
        return f"{self.kind}.`{self.key}` {'ASC' if self.ascending else 'DESC'}"


def parse_order_by(clauses: Sequence[str]) -> list[Order]:
    """MLflow's ``order_by`` clauses (``metrics.acc DESC``, ``attributes.start_time``...)."""
    out = []
    for clause in clauses:
        text = clause.strip()
        m = re.match(r"^(.*?)(?:\s+(ASC|DESC))?$", text, re.IGNORECASE | re.DOTALL)
        body, direction = (m.group(1), m.group(2)) if m else (text, None)
        if "." not in body:
            body = f"attributes.{body}"
        kind, key = _kind_key(body, "order_by")
        if kind == "attributes":
            key = ALIASES.get(key, key)
            if key not in ORDERABLE:
                raise InvalidInput(
                    f"Invalid attribute key '{key}' in order_by; valid keys are {', '.join(sorted(ORDERABLE))}.",
                    reason="invalid_order_by",
                )
        out.append(Order(kind, key, (direction or "ASC").upper() == "ASC"))
    return out


def gitlab_order(orders: Sequence[Order]) -> Optional[str]:
    """GitLab's own ``order_by`` string when it can serve ``orders`` exactly, else None."""
    if not orders:
        return "created_at DESC"
    if len(orders) == 1 and (orders[0].kind, orders[0].key) in GITLAB_NATIVE:
        o = orders[0]
        return f"{GITLAB_NATIVE[(o.kind, o.key)]} {'ASC' if o.ascending else 'DESC'}"
    return None


def _value(run: Run, o: Order) -> Any:
    if o.kind == "metrics":
        m = run.metrics.get(o.key)
        return None if m is None else m.value
    if o.kind == "params":
        return run.params.get(o.key)
    if o.kind == "tags":
        return run.tags.get(o.key)
    return getattr(run, o.key, None)


def sort_runs(runs: Sequence[Run], orders: Sequence[Order]) -> list[Run]:
    """MLflow's ``SearchUtils.sort`` rules: start time DESC then run id, then each clause (stable);
    missing values last in both directions, NaN after numbers."""
    out = sorted(runs, key=lambda r: (-(r.start_time or 0), r.run_id))
    for o in reversed(orders):
        values = {r.run_id: _value(r, o) for r in out}
        text = any(isinstance(v, str) for v in values.values())
        fill: Any = "" if text else (math.inf if o.ascending else -math.inf)

        def key(r: Run, o: Order = o, fill: Any = fill) -> tuple[bool, Any]:
            v = values[r.run_id]
            missing = v is None or (isinstance(v, float) and math.isnan(v))
            if missing:
                v = fill if v is None or text else -fill
            elif text:
                v = str(v)
            return (missing, v) if o.ascending else (not missing, v)

        out = sorted(out, key=key, reverse=not o.ascending)
    return out


# -- filter (MLflow's parser, lazily) -----------------------------------------------------------
_search_utils: Any = None
_lock = threading.Lock()


def search_utils() -> Any:
    """``mlflow.utils.search_utils.SearchUtils`` (imported on first use; ~2 s the first time)."""
    global _search_utils
    with _lock:
        if _search_utils is None:
            try:
                from mlflow.utils.search_utils import SearchUtils
            except ImportError:  # pragma: no cover - mlflow is in the server's extras
                raise InvalidInput(
                    "Filtering runs on a GitLab backend needs the 'mlflow' (or 'mlflow-skinny') "
                    "package installed next to Jupyter.",
                    reason="filter_unavailable",
                ) from None
            _search_utils = SearchUtils
    return _search_utils


def _mlflow_error(exc: Exception) -> InvalidInput:
    return InvalidInput(str(getattr(exc, "message", None) or exc), reason="INVALID_PARAMETER_VALUE")


def check_filter(filter_string: str) -> list[dict[str, Any]]:
    """Parse ``filter_string`` with MLflow's parser; :class:`InvalidInput` with MLflow's message."""
    su = search_utils()
    try:
        return su.parse_search_filter(filter_string)
    except Exception as exc:  # MlflowException (and sqlparse errors) -> 400
        raise _mlflow_error(exc) from None


def filter_runs(runs: Sequence[Run], filter_string: Optional[str]) -> list[Run]:
    """The runs matching an MLflow filter, with MLflow's semantics (LIKE, ILIKE, IN, IS NULL...)."""
    if not filter_string:
        return list(runs)
    su = search_utils()
    clauses = check_filter(filter_string)

    def view(r: Run) -> Any:
        data = SimpleNamespace(metrics={k: m.value for k, m in r.metrics.items()}, params=r.params, tags=r.tags)
        return SimpleNamespace(info=r, data=data, inputs=SimpleNamespace(dataset_inputs=[]))

    try:
        return [r for r in runs if all(su._does_run_match_clause(view(r), c) for c in clauses)]
    except Exception as exc:
        raise _mlflow_error(exc) from None


# -- flows and tokens ---------------------------------------------------------------------------
def all_runs(api: Api, experiment_id: str) -> Any:
    """Flow: every run of one experiment, 1000 per backend page (GitLab's cap)."""
    runs: list[Run] = yield from all_pages(
        lambda tok: api.search_runs(
            [experiment_id],
            order_by=["created_at DESC"] if api.dialect.is_gitlab else None,
            max_results=1000,
            page_token=tok,
        )
    )
    return runs


def fingerprint(*parts: Any) -> str:
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


_BACKEND_TOKEN = re.compile(r"^[A-Za-z0-9+/=_.:-]{1,4096}$")


def backend_token(token: Optional[str]) -> Optional[str]:
    """A backend's page token to pass through: base64-like text only (MLflow 500s on anything else)."""
    if token and (token.startswith(TOKEN_PREFIX) or not _BACKEND_TOKEN.match(token)):
        raise InvalidInput(
            "Invalid page_token: it does not belong to this query; start from the first page.",
            reason="invalid_page_token",
        )
    return token or None


def encode_token(offset: int, query: str) -> str:
    raw = json.dumps({"o": offset, "q": query}, separators=(",", ":")).encode()
    return TOKEN_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: Optional[str], query: str) -> int:
    """Offset from one of our tokens; 400 when it is malformed or from another query."""
    if not token:
        return 0
    bad = InvalidInput(
        "Invalid page_token: it does not belong to this query; start from the first page.", reason="invalid_page_token"
    )
    if not token.startswith(TOKEN_PREFIX):
        raise bad
    body = token[len(TOKEN_PREFIX) :]
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        offset = int(data["o"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise bad from None
    if data.get("q") != query or offset < 0:
        raise bad
    return offset


def emulation_reason(filtered: bool, ordered: bool) -> Optional[str]:
    if not (filtered or ordered):
        return None
    what = " or ".join(
        w
        for w, on in (
            ("filter", filtered),
            ("order by params, tags or several keys (and drops runs without a metric)", ordered),
        )
        if on
    )
    done = " and ".join(w for w, on in (("filtered", filtered), ("ordered", ordered)) if on)
    return GITLAB_WHY.format(what=what, done=done)

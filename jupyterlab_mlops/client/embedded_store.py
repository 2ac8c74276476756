"""Reads of the embedded MLflow's own SQLite file, for the views where MLflow's REST API does far more work.

``runs/search`` loads every param, metric and tag of each run of a page; the candidates table shows ten
columns. Here the page is chosen by MLflow's own filter and order translation (``sqlalchemy_store``'s clause
builders, so the grammar, NULL/NaN ordering and tie-breaks are MLflow's) and only the requested columns are
read. The file is opened read-only (``mode=ro``, a short busy timeout, memory-mapped). A schema revision this
code was not tested against, or any error, raises :class:`StoreUnavailable`: the caller takes the REST path
instead.
Records come out through :func:`.parse.run`, the parser of REST answers, so both paths give the same rows.

MLflow is imported on first use (about 2 s): :func:`warm_up` does it ahead, off the event loop.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

from . import parse
from .embedded_order import order_clauses
from .models import Metric, Run

#: ``alembic_version`` of the MLflow schemas these reads were checked against: MLflow 3.17, and 3.18 (its three
#: migrations add the skill-registry and issue tables and re-collate the MCP tables; none touches what is read here).
#: ``scripts/constraints.txt`` pins the MLflow the tests run on; move both together.
TESTED_REVISIONS = frozenset({"dc11669786a5", "f4a9b2c7d1e6"})
BUSY_TIMEOUT_S = 0.25
#: the file read through a memory map: the worker threads' connections share the OS's pages instead of each
#: copying them into its own cache (-20 % on a cold compare of 30 long series here). MLflow never shrinks
#: its file (no VACUUM), which a memory map would not survive.
MMAP_BYTES = 1 << 32
KINDS = ("params", "metrics")
CHUNK = 500  # run ids per ``IN (...)`` (SQLite's default limit on host parameters is far above)


class StoreUnavailable(Exception):
    """The SQLite read path cannot answer this; use the REST path."""


@dataclass
class RunsPage:
    """A page of runs with only the requested params/metrics/tags, and every key the page's runs have."""

    items: list[Run]
    next_page_token: Optional[str]
    keys: dict[str, set[str]] = field(default_factory=dict)


def _mlflow() -> Any:
    """MLflow's SQLAlchemy models and clause builders (a private API: guarded by the schema revision check)."""
    from mlflow.entities import LifecycleStage, ViewType
    from mlflow.store.tracking import sqlalchemy_store as store
    from mlflow.store.tracking.dbmodels import models
    from mlflow.utils.search_utils import SearchUtils

    return store, models, SearchUtils, LifecycleStage, ViewType


def warm_up(store: Optional["EmbeddedStore"] = None) -> None:
    """Import what the reads need (call from a worker thread at start-up); with ``store``, also read one page of
    the default experiment the two ways the candidates table asks first (as is, by a metric), so that SQLAlchemy
    has compiled them (0.7 s the first time). A store that cannot answer yet is left for the first real read."""
    _mlflow()
    if store is not None:
        for order in ((), ("metrics.m DESC",)):
            try:
                store.search_runs("0", order_by=order, max_results=1)
            except Exception:  # noqa: BLE001 - no file yet, an untested schema: the first real read says so
                return


class EmbeddedStore:
    """Read-only access to one MLflow SQLite file."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self._engine: Any = None
        self._lock = threading.Lock()
        self._checked = False

    def _session(self) -> Any:
        from sqlalchemy.orm import Session

        return Session(self._checked_engine())

    def _checked_engine(self) -> Any:
        """The read-only engine, once the file's schema revision was found to be a tested one."""
        from sqlalchemy import create_engine, event
        from sqlalchemy.orm import Session

        with self._lock:
            if self._engine is None:
                if not self.db_path.is_file():
                    raise StoreUnavailable(f"{self.db_path} does not exist")
                engine = create_engine(
                    f"sqlite:///file:{self.db_path}?mode=ro&uri=true",
                    connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
                )

                @event.listens_for(engine, "connect")
                def _read_only(dbapi_conn: Any, _record: Any) -> None:
                    dbapi_conn.execute("PRAGMA query_only = ON")
                    dbapi_conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")

                self._engine = engine
            if not self._checked:
                with Session(self._engine) as session:
                    revision = self._revision(session)
                if revision not in TESTED_REVISIONS:
                    raise StoreUnavailable(f"schema revision {revision!r} is not one this version was tested with")
                self._checked = True
        return self._engine

    @staticmethod
    def _revision(session: Any) -> Optional[str]:
        from sqlalchemy import text

        try:
            return session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception as exc:  # noqa: BLE001 - not an MLflow store
            raise StoreUnavailable(f"no schema revision ({exc.__class__.__name__})") from None

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    # -- the runs page ----------------------------------------------------------------------------------
    def search_runs(
        self,
        experiment_id: str,
        *,
        filter_string: str = "",
        order_by: Sequence[str] = (),
        max_results: int = 100,
        page_token: Optional[str] = None,
        columns: Sequence[tuple[str, str]] = (),
    ) -> RunsPage:
        """MLflow's ``runs/search`` of one experiment (active runs), projected to ``columns``.

        Same selection, order and page tokens as MLflow's REST answer; errors in the filter or order are
        MLflow's own (``MlflowException``: the caller maps them as it does REST's 400)."""
        store, models, search_utils, lifecycle, view_type = _mlflow()
        from sqlalchemy import select

        run = models.SqlRun
        with self._session() as session:
            parsed = search_utils.parse_search_filter(filter_string)
            cases, order, sorting_joins = order_clauses(list(order_by), models, search_utils)
            attr_filters, joined_filters, dataset_filters = store._get_sqlalchemy_filter_clauses(
                parsed, session, "sqlite"
            )
            stmt = select(run.run_uuid, *cases)
            for sub in joined_filters:
                stmt = stmt.join(sub)
            for sub in dataset_filters:
                stmt = stmt.join(sub, run.run_uuid == sub.c.destination_id)
            for entity, on in sorting_joins:
                stmt = stmt.outerjoin(entity, on)
            offset = search_utils.parse_start_offset_from_page_token(page_token)
            stages = set(lifecycle.view_type_to_stages(view_type.ACTIVE_ONLY))
            stmt = (
                stmt.distinct()
                .filter(run.experiment_id.in_([int(experiment_id)]), run.lifecycle_stage.in_(stages), *attr_filters)
                .order_by(*order)
                .offset(offset)
                .limit(max_results + 1)
            )
            ids = [row[0] for row in session.execute(stmt)]
            nxt = _text(search_utils.create_page_token(offset + max_results)) if len(ids) > max_results else None
            ids = ids[:max_results]
            runs = self._runs(session, models, ids, columns)
            return RunsPage(items=[runs[i] for i in ids], next_page_token=nxt, keys=self._keys(session, models, ids))

    def get_runs(self, run_ids: Sequence[str]) -> dict[str, Run]:
        """MLflow's ``runs/get`` of each run found (deleted ones too): attributes, tags, params, latest metrics."""
        _, models, _, _, _ = _mlflow()
        with self._session() as session:
            return self._runs(session, models, list(run_ids), None)

    def _runs(
        self, session: Any, models: Any, ids: list[str], columns: Optional[Sequence[tuple[str, str]]]
    ) -> dict[str, Run]:
        """The runs' attributes, all their tags and the requested params and latest metrics (all: ``None``)."""
        run, tag, param, latest = models.SqlRun, models.SqlTag, models.SqlParam, models.SqlLatestMetric
        want = {kind: None if columns is None else [k for c, k in columns if c == kind] for kind in KINDS}
        raw: dict[str, dict[str, Any]] = {}
        for part in _chunks(ids):
            for r in session.query(
                run.run_uuid,
                run.name,
                run.experiment_id,
                run.user_id,
                run.status,
                run.start_time,
                run.end_time,
                run.artifact_uri,
                run.lifecycle_stage,
            ).filter(run.run_uuid.in_(part)):
                raw[r[0]] = {
                    "info": {
                        "run_id": r[0],
                        "run_uuid": r[0],
                        "run_name": r[1],
                        "experiment_id": str(r[2]),
                        "user_id": r[3],
                        "status": r[4],
                        "start_time": r[5],
                        "end_time": r[6],
                        "artifact_uri": r[7],
                        "lifecycle_stage": r[8],
                    },
                    "data": {"tags": [], "params": [], "metrics": []},
                }
            for run_id, key, value in session.query(tag.run_uuid, tag.key, tag.value).filter(tag.run_uuid.in_(part)):
                raw[run_id]["data"]["tags"].append({"key": key, "value": value})
            if want["params"] is None or want["params"]:
                query = session.query(param.run_uuid, param.key, param.value).filter(param.run_uuid.in_(part))
                if want["params"] is not None:
                    query = query.filter(param.key.in_(want["params"]))
                for run_id, key, value in query:
                    raw[run_id]["data"]["params"].append({"key": key, "value": value})
            if want["metrics"] is None or want["metrics"]:
                query = session.query(
                    latest.run_uuid, latest.key, latest.value, latest.timestamp, latest.step, latest.is_nan
                ).filter(latest.run_uuid.in_(part))
                if want["metrics"] is not None:
                    query = query.filter(latest.key.in_(want["metrics"]))
                for run_id, key, value, ts, step, is_nan in query:
                    raw[run_id]["data"]["metrics"].append(
                        {"key": key, "value": math.nan if is_nan else value, "timestamp": ts, "step": step}
                    )
        return {run_id: parse.run(d) for run_id, d in raw.items()}

    @staticmethod
    def _keys(session: Any, models: Any, ids: list[str]) -> dict[str, set[str]]:
        """Every param, metric and tag key of the page's runs (the column chooser offers them)."""
        keys: dict[str, set[str]] = {"params": set(), "metrics": set(), "tags": set()}
        for kind, entity in (("params", models.SqlParam), ("metrics", models.SqlLatestMetric), ("tags", models.SqlTag)):
            for part in _chunks(ids):
                keys[kind].update(k for (k,) in session.query(entity.key).filter(entity.run_uuid.in_(part)).distinct())
        return keys

    # -- long series ------------------------------------------------------------------------------------
    def sampled_history(self, run_ids: Sequence[str], key: str, max_points: int) -> dict[str, list[Metric]]:
        """Each run's series of ``key`` in at most ``max_points`` points: its first and last point, and the lowest
        and the highest value of each of ``(max_points - 2) // 2`` step buckets (NaN points left out).

        MLflow's ``get-history-bulk-interval`` does the same job by numbering every point of the series; here
        each bucket is one range of the index ``(run_uuid, key, step)``, and a series is one statement (the
        bucket loop runs in SQLite, which lets go of the GIL for it): 60 to 80 ms per 100k-point series here."""
        buckets = max(1, (max_points - 2) // 2)
        out: dict[str, list[Metric]] = {}
        raw = self._checked_engine().raw_connection()  # plain DB-API: one statement of a thousand lookups
        try:
            cur = raw.cursor()
            for run_id in run_ids:
                lo, hi = cur.execute(_RANGE, (run_id, key)).fetchone()
                if lo is None:
                    out[run_id] = []
                    continue
                rows = cur.execute(_EXTREMES, (run_id, key, lo, (hi - lo + 1) / buckets, buckets)).fetchall()
                out[run_id] = [Metric(key=key, value=v, timestamp=ts, step=step) for step, ts, v in rows]
        finally:
            raw.close()
        return out

    # -- counts -----------------------------------------------------------------------------------------
    def count_runs(self, experiment_id: str) -> int:
        """Active runs of an experiment."""
        _, models, _, _, _ = _mlflow()
        run = models.SqlRun
        with self._session() as session:
            return (
                session.query(run)
                .filter(run.experiment_id == int(experiment_id), run.lifecycle_stage == "active")
                .count()
            )


_SERIES = "FROM metrics INDEXED BY index_metrics_run_uuid_key_step WHERE run_uuid = ?1 AND key = ?2 AND is_nan = 0"
_RANGE = f"SELECT min(step), max(step) {_SERIES}"


def _extreme(agg: str, column: str = "value", where: str = "") -> str:
    """The rowid of the row holding the ``agg`` (min or max) of ``column``: SQLite gives the other columns of
    the row that holds a lone min()/max() aggregate; no row gives NULL."""
    return f"SELECT (SELECT rid FROM (SELECT rowid AS rid, {agg}({column}) {_SERIES}{where})) AS r"


_BUCKET = " AND step >= ?3 + i * ?4 AND step < ?3 + (i + 1) * ?4"
# ?3 the first step, ?4 the bucket width in steps, ?5 the number of buckets: the first and the last point and
# the extremes of each bucket, in step order
_EXTREMES = (
    "WITH RECURSIVE buckets(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM buckets WHERE i + 1 < ?5),"
    f" extremes(r) AS ({_extreme('min', 'step')} UNION {_extreme('max', 'step')}"
    f" UNION {_extreme('min', where=_BUCKET)} FROM buckets UNION {_extreme('max', where=_BUCKET)} FROM buckets)"
    " SELECT step, timestamp, value FROM extremes JOIN metrics ON metrics.rowid = extremes.r"
    " ORDER BY step, timestamp, value"
)


def _text(token: Any) -> str:
    return token.decode() if isinstance(token, bytes) else str(token)


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)] or [[]]

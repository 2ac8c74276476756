"""The ``ORDER BY`` of the embedded store's runs page (:mod:`.embedded_store`): MLflow's, joined the way SQLite
answers fast. ``models`` and ``search_utils`` are MLflow's SQLAlchemy models and ``SearchUtils`` (imported by the
caller, on first use)."""

from __future__ import annotations

from typing import Any


Clauses = tuple[list[Any], list[Any], list[tuple[Any, Any]]]


def order_clauses(order_by: list[str], models: Any, search_utils: Any) -> Clauses:
    """The selected sort values, the ``ORDER BY`` clauses and the joins ``(entity, on)`` of ``order_by``: MLflow's
    ``sqlalchemy_store._get_orderby_clauses`` (the same order: NULL and NaN placement, tie-breaks by
    start time and run id; the same errors), except that a metric, param or tag is joined on ``(run_uuid, key)``:
    SQLite answers that from the table's ``(key, run_uuid)`` index, where MLflow's join of a key-filtered subquery
    is materialized and scanned once per run (6.8 s to sort 10k runs by a metric; 10 ms this way)."""
    from mlflow.exceptions import MlflowException
    from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE as INVALID
    from sqlalchemy import and_, case, true
    from sqlalchemy.orm import aliased

    run = models.SqlRun
    selects: list[Any] = []
    clauses: list[Any] = []
    joins: list[tuple[Any, Any]] = []
    seen: set[tuple[str, str]] = set()
    for n, text in enumerate(order_by, 1):
        key_type, key, ascending = search_utils.parse_order_by_for_search_runs(text)
        key = search_utils.translate_key_alias(key)
        is_metric = search_utils.is_metric(key_type, "=")
        if search_utils.is_string_attribute(key_type, key, "=") or search_utils.is_numeric_attribute(
            key_type, key, "="
        ):
            value = getattr(run, run.get_attribute_name(key))
        else:
            if is_metric:
                entity = models.SqlLatestMetric
            elif search_utils.is_tag(key_type, "="):
                entity = models.SqlTag
            elif search_utils.is_param(key_type, "="):
                entity = models.SqlParam
            else:
                raise MlflowException(f"Invalid identifier type '{key_type}'", error_code=INVALID)
            joined = aliased(entity)
            joins.append((joined, and_(joined.run_uuid == run.run_uuid, joined.key == key)))
            value = joined.value
        if is_metric:
            rank = case((joined.is_nan == true(), 1), (value.is_(None), 2), else_=0).label(f"clause_{n}")
        else:
            rank = case((value.is_(None), 1), else_=0).label(f"clause_{n}")
        clauses.append(rank.name)
        selects += [rank, value]
        if (key_type, key) in seen:
            raise MlflowException(
                f"`order_by` contains duplicate fields: {order_by}", error_code="INVALID_PARAMETER_VALUE"
            )
        seen.add((key_type, key))
        clauses.append(value if ascending else value.desc())
    if (search_utils._ATTRIBUTE_IDENTIFIER, run.start_time.key) not in seen:
        clauses.append(run.start_time.desc())
    clauses.append(run.run_uuid)
    return selects, clauses, joins

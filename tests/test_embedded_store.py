"""The SQLite read path of the embedded store gives exactly what MLflow's REST API gives.

Every read runs both ways on the same data (a real MLflow server on SQLite): ordering, filters, NaN,
deleted runs, tags, page tokens. And it steps aside (StoreUnavailable) where it was not tested.
"""

from __future__ import annotations

import math
from dataclasses import asdict
import sqlite3
from typing import Any

import pytest

from jupyterlab_mlops.views import runs_table as rv
from jupyterlab_mlops.client.api import Api
from jupyterlab_mlops.client.backend import Backend
from jupyterlab_mlops.client.dialect import MLFLOW
from jupyterlab_mlops.client import embedded_store
from jupyterlab_mlops.client.embedded_store import EmbeddedStore, StoreUnavailable
from jupyterlab_mlops.client.sync import SyncClient

from .mlflow_fixture import unique

COLUMNS = rv.parse_columns("params.lr,params.opt,metrics.loss,metrics.acc,tags.team")


@pytest.fixture(scope="module")
def seeded(mlflow_server: Any) -> tuple[str, EmbeddedStore, SyncClient]:
    from .mlflow_fixture import MlflowRest

    rest = MlflowRest(mlflow_server.url)
    exp = rest.create_experiment(unique("store"))
    for i in range(37):
        rid = rest.create_run(exp, run_name=f"run-{i % 9}", start_time=1_700_000_000_000 + (i % 11) * 1000)["info"][
            "run_id"
        ]
        metrics = [{"key": "loss", "value": 1 / (i + 1), "timestamp": 5, "step": i}]
        if i % 5 == 0:
            metrics.append({"key": "acc", "value": "NaN", "timestamp": 5, "step": 0})
        elif i % 3:
            metrics.append({"key": "acc", "value": 0.5 + (i % 4) / 10, "timestamp": 5, "step": 0})
        params = [{"key": "lr", "value": str(10 ** -(i % 4))}] + ([{"key": "opt", "value": "adam"}] if i % 2 else [])
        tags = [{"key": "team", "value": ["a", "b", "c"][i % 3]}] if i % 4 else []
        rest.post("runs/log-batch", {"run_id": rid, "metrics": metrics, "params": params, "tags": tags})
        if i % 7 == 6:
            rest.post("runs/delete", {"run_id": rid})
        elif i % 2:
            rest.finish_run(rid)
    store = EmbeddedStore(mlflow_server.db_path)
    yield exp, store, SyncClient(Backend.from_uri(mlflow_server.url))
    store.close()


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _rest_pages(client: Any, exp: str, filt: str, order: list[str], size: int) -> list[tuple[list[Any], Any]]:
    api = Api(MLFLOW)
    pages, token = [], None
    while True:
        page = client.run(
            api.search_runs([exp], filter=filt or None, order_by=order or None, max_results=size, page_token=token)
        )
        pages.append(([rv.project(r, COLUMNS) for r in page.items], rv.keys_seen(page.items), page.next_page_token))
        token = page.next_page_token
        if not token:
            return pages


def _store_pages(store: EmbeddedStore, exp: str, filt: str, order: list[str], size: int) -> list[Any]:
    pages, token = [], None
    while True:
        page = store.search_runs(
            exp, filter_string=filt, order_by=order, max_results=size, page_token=token, columns=COLUMNS
        )
        pages.append(([rv.project(r, COLUMNS) for r in page.items], page.keys, page.next_page_token))
        token = page.next_page_token
        if not token:
            return pages


@pytest.mark.parametrize(
    "filt,order",
    [
        ("", []),
        ("", ["metrics.acc DESC"]),
        ("", ["metrics.acc ASC", "params.lr DESC"]),
        ("", ["metrics.acc DESC", "metrics.loss ASC", "tags.team ASC"]),  # one join per key, each aliased
        ("", ["attributes.run_name ASC"]),
        ("", ["tags.team DESC", "attributes.start_time ASC"]),
        ("metrics.loss < 0.2", ["metrics.loss ASC"]),
        ("params.opt = 'adam' and tags.team != 'a'", []),
        ("attributes.status = 'FINISHED'", ["params.lr ASC"]),
        ("attributes.run_name LIKE 'run-1%'", []),
        ("metrics.acc >= 0.6", ["metrics.acc DESC"]),
        ("params.lr != '1' and tags.team ILIKE 'B'", ["attributes.end_time DESC"]),
    ],
)
@pytest.mark.parametrize("size", [7, 100])
def test_runs_pages_are_the_same_both_ways(seeded: Any, filt: str, order: list[str], size: int) -> None:
    exp, store, client = seeded
    rest = _rest_pages(client, exp, filt, order, size)
    sql = _store_pages(store, exp, filt, order, size)
    assert [len(p[0]) for p in sql] == [len(p[0]) for p in rest]
    for (rows_a, keys_a, tok_a), (rows_b, keys_b, tok_b) in zip(rest, sql):
        assert _same(rows_a, rows_b), (filt, order)
        assert keys_a == keys_b
        assert tok_a == tok_b  # the same page tokens: a page may come from either path


def test_deleted_runs_and_counts(seeded: Any) -> None:
    exp, store, client = seeded
    everything = _rest_pages(client, exp, "", [], 1000)[0][0]
    assert store.count_runs(exp) == len(everything) == 37 - 5  # runs 6, 13, 20, 27, 34 were deleted


def test_runs_read_whole_are_mlflows_runs_get(seeded: Any, mlflow_server: Any) -> None:
    """Compare and the run page's charts read their runs from the file: every attribute, param, tag and
    latest metric (NaN included) as ``runs/get`` gives it, deleted runs too; an unknown id is left out."""
    from jupyterlab_mlops.client import parse

    from .mlflow_fixture import MlflowRest

    exp, store, _client = seeded
    rest = MlflowRest(mlflow_server.url)
    found = rest.post("runs/search", {"experiment_ids": [exp], "run_view_type": "ALL", "max_results": 1000})
    ids = [r["info"]["run_id"] for r in found["runs"] if r["info"]["run_name"].startswith("run-")]
    assert len(ids) == 37
    got = store.get_runs([*ids, "no-such-run"])
    assert sorted(got) == sorted(ids)
    for rid in ids:
        expected = parse.run(rest.get("runs/get", run_id=rid)["run"])
        assert _same(asdict(got[rid]), asdict(expected)), rid
    assert any(r.lifecycle_stage == "deleted" for r in got.values())
    assert any(math.isnan(m.value) for r in got.values() for m in r.metrics.values())


def test_bad_filter_is_mlflows_own_error(seeded: Any) -> None:
    from mlflow.exceptions import MlflowException

    exp, store, _ = seeded
    with pytest.raises(MlflowException):
        store.search_runs(exp, filter_string="metrics.loss <<< 1", columns=COLUMNS)
    for order in (["metrics.loss ASC", "metrics.loss DESC"], ["nope.x ASC"], ["metrics.loss SIDEWAYS"]):
        with pytest.raises(MlflowException):  # the order's errors are MLflow's too (a 400 on the runs route)
            store.search_runs(exp, order_by=order, columns=COLUMNS)


def test_the_installed_mlflow_is_a_tested_one(seeded: Any) -> None:
    """The schema the installed MLflow writes is one the SQL reads were checked against.

    Without it, every embedded read quietly takes the REST path and the tests below fail one by one.
    """
    import mlflow

    _, store, _ = seeded
    with store._session() as session:
        revision = store._revision(session)
    assert revision in embedded_store.TESTED_REVISIONS, (
        f"MLflow {mlflow.__version__} writes schema revision {revision!r}: read its migrations since the "
        f"tested ones ({sorted(embedded_store.TESTED_REVISIONS)}), add it to TESTED_REVISIONS if no table read "
        "there changed, and pin that MLflow in scripts/constraints.txt"
    )


def test_an_untested_schema_revision_steps_aside(tmp_path: Any) -> None:
    db = tmp_path / "mlflow.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
    con.execute("INSERT INTO alembic_version VALUES ('ffffffffffff')")
    con.commit()
    con.close()
    with pytest.raises(StoreUnavailable, match="revision"):
        EmbeddedStore(db).count_runs("0")
    with pytest.raises(StoreUnavailable):
        EmbeddedStore(tmp_path / "missing.db").count_runs("0")


def test_the_file_is_opened_read_only(seeded: Any) -> None:
    exp, store, _ = seeded
    with store._session() as session:
        from sqlalchemy import text

        with pytest.raises(Exception, match="readonly|read-only|query_only"):
            session.execute(text("DELETE FROM runs"))


def test_sampled_series_are_the_bucket_extremes_of_the_full_history(seeded: Any, mlflow_server: Any) -> None:
    """The SQL sampling keeps the first and the last point and, per step bucket, the points holding the lowest
    and the highest value of what MLflow's REST API returns for the whole series (NaN left out), and nothing
    else."""
    from jupyterlab_mlops.client.calls import drive_sync
    from jupyterlab_mlops.client.flows import metric_history

    from .mlflow_fixture import MlflowRest

    exp, store, client = seeded
    rest = MlflowRest(mlflow_server.url)
    rid = rest.create_run(exp, run_name="long")["info"]["run_id"]
    values = [math.sin(s / 37) + (3 if s == 1234 else 0) for s in range(0, 6000, 2)]
    points = [
        {"key": "curve", "value": "NaN" if s % 500 == 7 else v, "timestamp": 1000 + s, "step": s}
        for s, v in zip(range(0, 6000, 2), values)
    ]
    for i in range(0, len(points), 1000):
        rest.post("runs/log-batch", {"run_id": rid, "metrics": points[i : i + 1000]})
    max_points = 200
    got = store.sampled_history([rid], "curve", max_points)[rid]
    history = [m for m in drive_sync(metric_history(Api(MLFLOW), rid, "curve"), client.run) if not math.isnan(m.value)]
    lo, hi = history[0].step, history[-1].step
    buckets = (max_points - 2) // 2
    width = (hi - lo + 1) / buckets
    expected = {(history[0].step, history[0].value), (history[-1].step, history[-1].value)}
    for b in range(buckets):
        bucket = [m for m in history if lo + b * width <= m.step < lo + (b + 1) * width]
        if bucket:
            expected |= {
                (m.step, m.value) for m in (min(bucket, key=lambda m: m.value), max(bucket, key=lambda m: m.value))
            }
    assert {(m.step, m.value) for m in got} == expected
    assert len(got) <= max_points
    assert any(m.step == 1234 for m in got)  # a spike is never sampled away
    assert [m.step for m in got] == sorted(m.step for m in got)
    assert store.sampled_history(["no-such-run"], "curve", max_points) == {"no-such-run": []}

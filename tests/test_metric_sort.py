"""A metric sort on MLflow's REST path answered by a pruned search (views/metric_sort.py): every page the same as
MLflow's own unpruned sort on the real server (NaN stored as 0, missing values, ties, infinities, negative
values, both directions), the pruned search taken when it proves its page and the unpruned one otherwise."""

from __future__ import annotations

import asyncio
import math
import random
import uuid
from typing import Any, Iterator, Optional

import pytest

from jupyterlab_mlops.client.backend import Backend
from jupyterlab_mlops.client.flows import all_pages
from jupyterlab_mlops.client.models import Metric, Page, Run
from jupyterlab_mlops.client.sync import SyncClient
from jupyterlab_mlops.views import runs_table as rt
from jupyterlab_mlops.views.experiments import offset_token
from jupyterlab_mlops.views.metric_sort import MIN_SAMPLE, MetricSamples, Pruned
from jupyterlab_mlops.views.runs import RunsQuery, RunViews

from .mlflow_fixture import MlflowRest

RUNS = 240
T0 = 1_700_000_000_000


def value_of(i: int, rnd: random.Random) -> Any:
    """``acc``: mostly in (-1, 1) with ties, some NaN, a few infinities, missing on every 11th run."""
    if i % 11 == 0:
        return None
    if i % 13 == 0:
        return "NaN"
    if i in (7, 8):
        return "Infinity" if i == 7 else "-Infinity"
    return round(rnd.uniform(-1, 1), 2)  # two decimals: ties


@pytest.fixture(scope="module")
def sorted_exp(mlflow_server) -> dict[str, Any]:
    """An experiment of ``RUNS`` runs with ``acc`` (see :func:`value_of`) and ``neg`` (all negative, NaN on
    every 5th run: a pruning bound below 0 lets MLflow's NaN-as-0 through)."""
    rnd = random.Random(7)
    mlflow_rest = MlflowRest(mlflow_server.url)
    exp = mlflow_rest.create_experiment(f"metric-sort-{uuid.uuid4().hex[:8]}")
    for i in range(RUNS):
        rid = mlflow_rest.create_run(exp, run_name=f"r{i:03d}", start_time=T0 + (i // 3) * 1000)["info"]["run_id"]
        acc = value_of(i, rnd)
        metrics = {"neg": "NaN" if i % 5 == 0 else -1 - rnd.random()}
        if acc is not None:
            metrics["acc"] = acc
        mlflow_rest.log_batch(rid, metrics=metrics)
    return {"id": exp}


@pytest.fixture
def client(mlflow_server) -> Iterator[SyncClient]:
    c = SyncClient(Backend.from_uri(mlflow_server.url, name="default"), timeout=60)
    yield c
    c.close()


class Searches:
    """The ``runs/search`` filters a :class:`RunViews` sent (the api's own method, observed)."""

    def __init__(self, client: SyncClient) -> None:
        self.filters: list[Optional[str]] = []
        search = client.api.search_runs

        def observed(*args: Any, **kwargs: Any) -> Any:
            self.filters.append(kwargs.get("filter"))
            return search(*args, **kwargs)

        client.api.search_runs = observed  # type: ignore[method-assign]


def pages(views: RunViews, client: SyncClient, exp: str, order: list[str], size: int) -> list[list[str]]:
    """Every page of the candidates table in ``order``, as run ids."""

    async def drive(_backend: str, flow: Any) -> Any:
        return client.drive(flow)

    async def direct(_fn: Any) -> None:  # a remote MLflow: no embedded store
        return None

    out, token = [], None
    while True:
        q = RunsQuery(exp, orders=rt.parse_order_by(order), max_results=size, page_token=token)
        page = asyncio.run(views.page(drive, client.api, "default", q, direct))
        out.append([r["run_id"] for r in page["runs"]])
        token = page["next_page_token"]
        if not token:
            return out


def mlflow_order(client: SyncClient, exp: str, order: list[str]) -> list[str]:
    """MLflow's own sort of every run, unpruned."""
    runs = client.drive(all_pages(lambda tok: client.api.search_runs([exp], order_by=order, page_token=tok)))
    return [r.run_id for r in runs]


@pytest.mark.parametrize(
    "order", [["metrics.acc DESC"], ["metrics.acc ASC"], ["metrics.neg DESC"], ["metrics.acc DESC", "params.x"]]
)
@pytest.mark.parametrize("count", [RUNS, None])
def test_pruned_pages_are_mlflows_pages(client, sorted_exp, order, count):
    exp = sorted_exp["id"]
    views = RunViews()
    views.run_count = lambda _b, _e: count
    pages(views, client, exp, [], 100)  # the unsorted pages a user sees first: the sample
    searches = Searches(client)
    got = pages(views, client, exp, order, 10)
    assert [r for p in got for r in p] == mlflow_order(client, exp, order)
    assert all(len(p) == 10 for p in got[:-1])
    first, second = searches.filters[:2]
    assert first is not None and first.startswith(f"metrics.`{order[0].split()[0][8:]}` ")
    if count is not None:  # the counted runs place the bound well: the first page is the pruned search's
        assert second is not None
    else:  # the 3rd value seen: too few pass (acc), or NaN stored as 0 passes a bound below 0 (neg)
        assert second is None


def test_no_sample_no_pruning(client, sorted_exp):
    views = RunViews()
    views.run_count = lambda _b, _e: RUNS
    searches = Searches(client)
    got = pages(views, client, sorted_exp["id"], ["metrics.acc DESC"], 50)
    assert searches.filters == [None] * len(got)
    assert [r for p in got for r in p] == mlflow_order(client, sorted_exp["id"], ["metrics.acc DESC"])


def run(i: int, value: Optional[float]) -> Run:
    metrics = {} if value is None else {"acc": Metric("acc", value)}
    return Run(run_id=f"{i:04d}", experiment_id="1", metrics=metrics)


def test_the_bound_from_the_sample():
    samples = MetricSamples()
    desc, asc = rt.Order("metrics", "acc", False), rt.Order("metrics", "acc", True)
    samples.observe("b", "1", [run(i, i / 100) for i in range(MIN_SAMPLE - 1)])
    assert samples.prune("b", "1", desc, 0, 10, None) is None  # too few runs seen
    samples.observe("b", "1", [run(i, i / 100) for i in range(100)] + [run(100, float("nan")), run(101, None)])
    p = samples.prune("b", "1", desc, 0, 10, None)  # count unknown: the 3rd highest value seen
    assert p == Pruned(desc, 0.97, "metrics.`acc` > 0.97")
    # 30 of 10,000 runs meant to pass: ceil(30 / 10000 * 103) = 1 among the 102 seen, raised to the 3rd value
    assert samples.prune("b", "1", desc, 0, 10, 10_000).bound == 0.97
    assert samples.prune("b", "1", asc, 20, 10, 1_000).filter == "metrics.`acc` < 0.09"  # 90 of 1,000: rank 10
    assert samples.prune("b", "1", desc, 0, 100, 500) is None  # 300 of 500: no saving
    assert samples.prune("b", "1", rt.Order("params", "acc", False), 0, 10, None) is None
    assert samples.prune("b", "2", desc, 0, 10, None) is None
    huge = MetricSamples()
    huge.observe("b", "1", [run(i, 1e20 * (i + 1)) for i in range(100)])  # MLflow's parser refuses "e+20"
    assert huge.prune("b", "1", desc, 0, 10, None) is None
    tick = MetricSamples()
    tick.observe(
        "b", "1", [Run(run_id=str(i), experiment_id="1", metrics={"a`b": Metric("a`b", i)}) for i in range(99)]
    )
    assert tick.prune("b", "1", rt.Order("metrics", "a`b", False), 0, 10, None) is None


def test_a_pruned_page_proves_itself():
    p = Pruned(rt.Order("metrics", "acc", False), 0.5, "metrics.`acc` > 0.5")
    good = [run(i, 0.9) for i in range(3)]
    assert p.proves(Page(good, offset_token(13)), 10, 3)
    assert not p.proves(Page(good[:2], None), 10, 3)  # too few passed
    assert not p.proves(Page(good, None), 10, 3)  # exactly as many passed: the full sort may have more
    assert not p.proves(Page(good, "opaque-cursor"), 10, 3)  # not MLflow's offsets: tokens not shared
    assert not p.proves(Page([*good[:2], run(9, math.nan)], offset_token(13)), 10, 3)  # NaN stored as 0
    assert not p.proves(Page([*good[:2], run(9, None)], offset_token(13)), 10, 3)
    assert not p.proves(Page([*good[:2], run(9, 0.5)], offset_token(13)), 10, 3)  # not beyond the bound


def test_only_a_finished_count_places_the_bound():
    from jupyterlab_mlops.server.views._common import ViewCaches
    from jupyterlab_mlops.views.experiments import Progress

    caches = ViewCaches()
    counting = Progress(run_count=257)  # galloping: a lower bound while the count goes on
    caches.experiments.summaries.put(("b", "1"), (counting, None))
    assert caches.runs.run_count("b", "1") is None and caches.runs.run_count("b", "2") is None
    counting.exact = True
    assert caches.runs.run_count("b", "1") == 257

"""Finished runs' compare series on disk: warm after a restart, bounded, private, never stale, never a 500."""

from __future__ import annotations

import logging
import sqlite3
import stat
import time
from pathlib import Path

import pytest

from jupyterlab_mlops.client.models import Metric
from jupyterlab_mlops.views.series_store import SeriesStore, default_path, encode

from .issue4_support import BOTH, Seeder, api, seed  # noqa: F401

SETTINGS_KEY = "mlops_view_caches"  # the views' state, the series cache in it


def _points(n: int, key: str = "loss") -> list[Metric]:
    return [Metric(key, 1.0 / (1 + i), 1_700_000_000_000 + i, i) for i in range(n)]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- the store ------------------------------------------------------------------------------------------
def test_rows_round_trip_private_and_validated(tmp_path):
    store = SeriesStore(tmp_path / "c" / "series.sqlite3", 10_000_000)
    pts = _points(500) + [Metric("loss", float("nan"), 5, 600)]
    store.put_many([("k1", [[499, 1, "0.002"], "FINISHED", 9], encode(pts, {"source": "history"}))])
    got, head = store.get("k1", [[499, 1, "0.002"], "FINISHED", 9], "loss")
    assert got[:500] == pts[:500] and got[500].step == 600 and got[500].value != got[500].value  # NaN kept
    assert head["source"] == "history"
    assert store.get("k1", [[500, 1, "0.002"], "FINISHED", 9], "loss") is None  # the run changed: a miss
    assert _mode(tmp_path / "c") == 0o700 and _mode(tmp_path / "c" / "series.sqlite3") == 0o600
    store.close()


def test_least_recently_used_rows_go_past_the_cap(tmp_path):
    body = encode(_points(2000), {"source": "history"})
    store = SeriesStore(tmp_path / "series.sqlite3", len(body) * 3 + 10)
    for k in ("a", "b", "c"):
        store.put_many([(k, 1, body)])
    assert store.get("a", 1, "loss") is not None  # "a" used last: "b" is the oldest now
    store.put_many([("d", 1, body)])
    assert store.size() <= len(body) * 3 + 10
    assert store.get("b", 1, "loss") is None and store.get("a", 1, "loss") and store.get("d", 1, "loss")


def test_a_corrupt_file_or_row_is_ignored_with_one_log_line(tmp_path, caplog):
    path = tmp_path / "series.sqlite3"
    path.write_bytes(b"not a database at all" * 100)
    store = SeriesStore(path, 10_000_000, logging.getLogger("t"))
    with caplog.at_level(logging.WARNING, logger="t"):
        assert store.get("k", 1, "loss") is None
        store.put_many([("k", 1, encode(_points(3), {"source": "history"}))])
        assert store.get("k", 1, "loss")[0] == _points(3)
    assert len(caplog.records) == 1 and "unreadable" in caplog.records[0].getMessage()
    caplog.clear()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE series SET body = ? WHERE k = 'k'", (b"garbage",))
    with caplog.at_level(logging.WARNING, logger="t"):
        assert store.get("k", 1, "loss") is None and store.get("k", 1, "loss") is None
    assert len(caplog.records) == 1 and "damaged" in caplog.records[0].getMessage()


# -- through GET compare ----------------------------------------------------------------------------------
def _rows(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM series").fetchone()[0]


def _restart(jp_serverapp) -> None:
    """What a restart leaves: no memory caches (the disk file stays)."""
    caches = jp_serverapp.web_app.settings.pop(SETTINGS_KEY, None)
    if caches is not None and caches.series.store is not None:
        caches.series.store.close()


@BOTH
async def test_finished_runs_are_warm_after_a_restart_and_never_stale(api, seed, jp_serverapp):
    done = seed.run(history={"loss": [1, 0.5, 0.25, 0.125]}, metrics={"acc": 0.9})
    running = seed.run(history={"loss": [2, 1]}, status="RUNNING")
    q = {"run": [f"{seed.name}:{done.run_id}", f"{seed.name}:{running.run_id}"], "metric": ["loss", "acc"]}
    cold = (await api("compare", query=q)).json
    path = default_path()
    assert path.exists() and _rows(path) == 2  # loss and acc of the finished run; the RUNNING one never
    _restart(jp_serverapp)
    warm = (await api("compare", query=q)).json
    by_run = {s["run_id"]: s for s in warm["series"][0]["runs"]}
    assert by_run[done.run_id]["cached"] is True and by_run[running.run_id]["cached"] is False
    assert warm["series"] == [
        {**k, "runs": [{**s, "cached": s["run_id"] == done.run_id} for s in k["runs"]]} for k in cold["series"]
    ]
    assert _rows(path) == 2
    # the finished run changes (a point logged later): not served from disk
    seed.client.run(seed.api.log_batch(done.run_id, metrics=[Metric("loss", 0.01, int(time.time() * 1000), 9)]))
    _restart(jp_serverapp)
    again = (await api("compare", query=q)).json
    loss = next(s for s in again["series"][0]["runs"] if s["run_id"] == done.run_id)
    assert loss["cached"] is False and loss["points"][-1] == [9.0, 0.01]
    data = path.read_bytes() + b"".join(p.read_bytes() for p in path.parent.glob("*-wal"))
    assert seed.backend.url.encode() not in data
    if seed.backend.token:
        assert seed.backend.token.encode() not in data


@pytest.mark.parametrize("mlops_app_config", [{"series_cache_max_bytes": 0}])
async def test_the_disk_cache_can_be_turned_off(api, seed, jp_serverapp, mlops_app_config):
    runs = [seed.run(history={"loss": [1, 0.5]}) for _ in range(2)]
    await api("compare", query={"run": [f"{seed.name}:{r.run_id}" for r in runs]})
    assert jp_serverapp.web_app.settings[SETTINGS_KEY].series.store is None and not default_path().exists()


async def test_an_unreadable_cache_never_fails_compare(api, seed, jp_serverapp):
    path = default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00garbage" * 512)
    runs = [seed.run(history={"loss": [1, 0.5]}) for _ in range(2)]
    got = (await api("compare", query={"run": [f"{seed.name}:{r.run_id}" for r in runs]})).json
    assert got["series"][0]["runs"][0]["points"] == [[0.0, 1.0], [1.0, 0.5]]

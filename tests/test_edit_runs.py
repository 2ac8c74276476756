"""Editing runs and experiments on a real MLflow server through a real Jupyter server: rename, description, tags,
delete and restore (soft: nothing lost), the deleted lists, the change events open views follow, refusals that
change nothing, and write routes closed to unauthenticated and read-only users."""

from __future__ import annotations

from typing import Any

import pytest
from jupyter_server.auth.authorizer import Authorizer
from traitlets.config import Config

from .issue4_support import api, assert_error, seed, uniq  # noqa: F401
from .test_live_events import Listener


def run_edit(b: str, run_id: str) -> str:
    return f"backends/{b}/runs/{run_id}/edit"


def exp_path(b: str, exp: str, *rest: str) -> str:
    return "/".join([f"backends/{b}/experiments/{exp}", *rest])


async def test_run_rename_description_and_tags_lose_nothing(api, seed, jp_serverapp):
    b, exp = seed.name, seed.experiment(uniq("edit"))
    run = seed.run(exp, name="before", params={"lr": "0.1"}, metrics={"loss": 0.5}, tags={"team": "ml", "old": "x"})
    listener = Listener(jp_serverapp)
    body = {
        "run_name": "after <b>bold</b>",
        "description": "Line one\n<script>alert(1)</script>",
        "tags": {"set": {"team": "vision", "new": "1"}, "remove": ["old"]},
    }
    got = (await api(run_edit(b, run.run_id), method="PATCH", body=body)).json
    assert got["run_name"] == "after <b>bold</b>" and got["description"] == body["description"]
    assert got["tags"] == {"team": "vision", "new": "1"}
    assert got["system_tags"]["mlflow.note.content"] == body["description"]
    detail = (await api(f"backends/{b}/runs/{run.run_id}")).json
    assert detail["info"]["run_name"] == "after <b>bold</b>" and detail["info"]["status"] == "FINISHED"
    assert detail["params"] == {"lr": "0.1"} and detail["metrics"]["loss"]["value"] == 0.5
    assert detail["tags"] == {"team": "vision", "new": "1"}
    event = await listener.wait_for(lambda e: e["run_id"] == run.run_id)
    assert event == {
        "backend": b,
        "kind": "run",
        "experiment_id": exp,
        "run_id": run.run_id,
        "change": "edited",
        "name": "after <b>bold</b>",
    }
    # an empty description removes the tag; the run page shows none
    got = (await api(run_edit(b, run.run_id), method="PATCH", body={"description": ""})).json
    assert got["description"] is None and "mlflow.note.content" not in got["system_tags"]
    # a refused part refuses the whole request: nothing is written
    for bad, reason in (
        ({"run_name": "x", "tags": {"set": {"mlflow.user": "me"}}}, "system_tag"),
        ({"run_name": "x", "tags": {"remove": ["mlflow.runName"]}}, "system_tag"),
        ({"run_name": "   "}, "invalid_name"),
        ({"run_name": "x", "tags": {"set": {"a": 1}}}, "invalid_value"),
        ({"run_name": "x", "status": "KILLED"}, "invalid_field"),
        ({"tags": ["a"]}, "invalid_tags"),
    ):
        assert_error(await api(run_edit(b, run.run_id), method="PATCH", body=bad, expect=None), 400, reason=reason)
    assert (await api(f"backends/{b}/runs/{run.run_id}")).json["info"]["run_name"] == "after <b>bold</b>"
    assert_error(await api(run_edit(b, "0" * 32), method="PATCH", body={"run_name": "x"}, expect=None), 404)


async def test_runs_delete_and_restore_bring_everything_back(api, seed, jp_serverapp):
    b, exp = seed.name, seed.experiment(uniq("bin"))
    kept = seed.run(exp, name="kept")
    gone = [seed.run(exp, name=f"gone-{i}", params={"p": str(i)}, history={"curve": [1.0, 2.0, 3.0]}) for i in (1, 2)]
    ids = [r.run_id for r in gone]
    listener = Listener(jp_serverapp)
    done = (await api(exp_path(b, exp, "runs", "delete"), method="POST", body={"run_ids": ids})).json
    assert done == {
        "experiment_id": exp,
        "runs": [{"run_id": r.run_id, "run_name": r.run_name} for r in gone],
        "failed": [],
        "permanent": False,
    }
    await listener.wait_for(lambda e: e["change"] == "deleted" and e["run_id"] == ids[1])
    listed = (await api(exp_path(b, exp, "runs"))).json["runs"]
    assert [r["run_id"] for r in listed] == [kept.run_id]
    deleted = (await api(exp_path(b, exp, "runs", "deleted"))).json
    assert deleted["supported"] and sorted(r["run_id"] for r in deleted["runs"]) == sorted(ids)
    assert_error(await api(f"backends/{b}/runs/{ids[0]}", expect=None), 404)
    # deleting again, or a run of another experiment: 404, nothing done
    other = seed.run(seed.experiment(uniq("other")))
    for run_ids in ([ids[0]], [kept.run_id, other.run_id]):
        reply = await api(exp_path(b, exp, "runs", "delete"), method="POST", body={"run_ids": run_ids}, expect=None)
        assert_error(reply, 404, reason="unknown_run")
    assert len((await api(exp_path(b, exp, "runs"))).json["runs"]) == 1
    assert_error(await api(exp_path(b, exp, "runs", "delete"), method="POST", body={"run_ids": []}, expect=None), 400)
    # restore: the runs come back with their params and metric history
    back = (await api(exp_path(b, exp, "runs", "restore"), method="POST", body={"run_ids": ids})).json
    assert [r["run_id"] for r in back["runs"]] == ids
    await listener.wait_for(lambda e: e["change"] == "restored" and e["run_id"] == ids[0])
    detail = (await api(f"backends/{b}/runs/{ids[0]}")).json
    assert detail["params"] == {"p": "1"} and detail["info"]["lifecycle_stage"] == "active"
    chart = (await api(f"backends/{b}/runs/{ids[0]}/metrics/curve")).json
    assert [p[1] for p in chart["points"]] == [1.0, 2.0, 3.0]
    assert (await api(exp_path(b, exp, "runs", "deleted"))).json["runs"] == []
    reply = await api(exp_path(b, exp, "runs", "restore"), method="POST", body={"run_ids": ids}, expect=None)
    assert_error(reply, 404, reason="unknown_run")


async def test_experiment_rename_tags_delete_restore(api, seed, jp_serverapp):
    b, name = seed.name, uniq("edit-exp")
    exp = seed.experiment(name)
    run = seed.run(exp, params={"lr": "0.3"})
    taken = uniq("taken")
    seed.experiment(taken)
    listener = Listener(jp_serverapp)
    body = {"name": name + "-renamed", "description": "about", "tags": {"set": {"owner": "ana"}}}
    row = (await api(exp_path(b, exp, "edit"), method="PATCH", body=body)).json
    assert row["name"] == name + "-renamed" and row["description"] == "about" and row["tags"] == {"owner": "ana"}
    await listener.wait_for(lambda e: e["kind"] == "experiment" and e["change"] == "edited")
    row = (await api(exp_path(b, exp, "edit"), method="PATCH", body={"tags": {"remove": ["owner"]}})).json
    assert row["tags"] == {} and row["description"] == "about"
    assert_error(await api(exp_path(b, exp, "edit"), method="PATCH", body={"name": taken}, expect=None), 409)
    done = (await api(exp_path(b, exp, "delete"), method="POST", body={})).json
    assert done == {"experiment_id": exp, "name": name + "-renamed", "permanent": False}
    await listener.wait_for(lambda e: e["experiment_id"] == exp and e["change"] == "deleted")
    listed = (await api(f"backends/{b}/experiments", query={"search": "edit-exp"})).json["experiments"]
    assert exp not in [e["experiment_id"] for e in listed]
    deleted = (await api(f"backends/{b}/experiments/deleted")).json
    assert deleted["supported"] and exp in [e["experiment_id"] for e in deleted["experiments"]]
    assert_error(await api(exp_path(b, exp, "edit"), method="PATCH", body={"name": "x"}, expect=None), 404)
    assert_error(await api(exp_path(b, exp, "delete"), method="POST", body={}, expect=None), 404)
    (await api(exp_path(b, exp, "restore"), method="POST", body={})).json
    await listener.wait_for(lambda e: e["experiment_id"] == exp and e["change"] == "restored")
    runs = (await api(exp_path(b, exp, "runs"), query={"columns": "params.lr"})).json["runs"]
    assert [(r["run_id"], r["params"]) for r in runs] == [(run.run_id, {"lr": "0.3"})]
    assert_error(await api(exp_path(b, exp, "restore"), method="POST", body={}, expect=None), 404)
    assert_error(await api(exp_path(b, "abc", "delete"), method="POST", body={}, expect=None), 404)


class ReadOnlyAuthorizer(Authorizer):
    """A user who may read but not write (JupyterHub's read-only roles look like this to the server)."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        return action == "read"


class TestReadOnlyUser:
    @pytest.fixture
    def jp_server_config(self, jp_server_config: Config) -> Config:
        jp_server_config.ServerApp.authorizer_class = ReadOnlyAuthorizer
        return jp_server_config

    async def test_write_routes_refuse_a_read_only_user(self, api, seed):
        b, exp = seed.name, seed.experiment(uniq("ro"))
        run = seed.run(exp, name="ro-run")
        for method, path, body in (
            ("PATCH", run_edit(b, run.run_id), {"run_name": "x"}),
            ("POST", exp_path(b, exp, "runs", "delete"), {"run_ids": [run.run_id]}),
            ("POST", exp_path(b, exp, "runs", "restore"), {"run_ids": [run.run_id]}),
            ("PATCH", exp_path(b, exp, "edit"), {"name": "x"}),
            ("POST", exp_path(b, exp, "delete"), {}),
            ("POST", exp_path(b, exp, "restore"), {}),
        ):
            assert (await api(path, method=method, body=body, expect=None)).code == 403, path
        assert (await api(exp_path(b, exp, "runs", "deleted"))).json["runs"] == []
        assert (await api(f"backends/{b}/runs/{run.run_id}")).json["info"]["run_name"] == "ro-run"


async def test_write_routes_refuse_unauthenticated(api, seed):
    b, exp = seed.name, seed.experiment(uniq("anon"))
    run = seed.run(exp, name="anon-run")
    headers = {"Authorization": "token wrong"}
    reply = await api(run_edit(b, run.run_id), method="PATCH", body={"run_name": "x"}, headers=headers, expect=None)
    assert reply.code in (401, 403)
    reply = await api(exp_path(b, exp, "delete"), method="POST", body={}, headers=headers, expect=None)
    assert reply.code in (401, 403)
    assert (await api(f"backends/{b}/runs/{run.run_id}")).json["info"]["run_name"] == "anon-run"

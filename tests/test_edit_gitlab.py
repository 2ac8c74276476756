"""Editing on GitLab (the stand-in, faithful to GITLAB_API.md §0.1/§2.1): what its API can do is done (new tags, a
first description, deletes, which are for good), what it cannot is refused with a 400 and a ``*_unsupported``
reason before anything is sent (rename, restore, changing or removing a tag), and GitLab's own refusals (a run
behind a model version, a model's experiment) come back as clear 400s."""

from __future__ import annotations

import pytest

from .issue4_support import api, assert_error, model_path, seed, uniq  # noqa: F401
from .test_edit_runs import exp_path, run_edit

pytestmark = pytest.mark.parametrize("mlops_backends", ["gitlab"], indirect=True)


async def test_gitlab_run_edits_add_only(api, seed):
    b, exp = seed.name, seed.experiment(uniq("gl-edit"))
    run = seed.run(exp, name="gl-run", params={"lr": "0.1"}, tags={"team": "ml"})
    path = run_edit(b, run.run_id)
    for body, reason in (
        ({"run_name": "new"}, "rename_unsupported"),
        ({"tags": {"set": {"team": "vision"}}}, "tag_change_unsupported"),
        ({"tags": {"remove": ["team"]}}, "tag_change_unsupported"),
        ({"tags": {"set": {"fresh": "1"}, "remove": ["team"]}}, "tag_change_unsupported"),
    ):
        data = assert_error(await api(path, method="PATCH", body=body, expect=None), 400, reason=reason)
        assert "GitLab" in data["message"]
    got = (await api(path, method="PATCH", body={"tags": {"set": {"fresh": "1"}}, "description": "first"})).json
    assert got["tags"] == {"team": "ml", "fresh": "1"} and got["description"] == "first"
    reply = await api(path, method="PATCH", body={"description": "second"}, expect=None)
    assert_error(reply, 400, reason="description_change_unsupported")
    detail = (await api(f"backends/{b}/runs/{run.run_id}")).json
    assert detail["info"]["run_name"] == "gl-run" and detail["params"] == {"lr": "0.1"}
    assert detail["system_tags"]["mlflow.note.content"] == "first"


async def test_gitlab_deletes_for_good_and_has_no_bin(api, seed):
    b, exp = seed.name, seed.experiment(uniq("gl-bin"))
    run = seed.run(exp, name="doomed")
    deleted = (await api(exp_path(b, exp, "runs", "deleted"))).json
    assert deleted["supported"] is False and "for good" in deleted["note"]
    done = (await api(exp_path(b, exp, "runs", "delete"), method="POST", body={"run_ids": [run.run_id]})).json
    assert done["permanent"] is True and [r["run_id"] for r in done["runs"]] == [run.run_id]
    assert_error(await api(f"backends/{b}/runs/{run.run_id}", expect=None), 404)
    reply = await api(exp_path(b, exp, "runs", "restore"), method="POST", body={"run_ids": [run.run_id]}, expect=None)
    assert_error(reply, 400, reason="restore_unsupported", contains="for good")
    assert_error(
        await api(exp_path(b, exp, "edit"), method="PATCH", body={"name": "x"}, expect=None),
        400,
        reason="rename_unsupported",
    )
    row = (await api(exp_path(b, exp, "edit"), method="PATCH", body={"tags": {"set": {"owner": "ana"}}})).json
    assert row["tags"] == {"owner": "ana"}
    reply = await api(exp_path(b, exp, "edit"), method="PATCH", body={"tags": {"set": {"owner": "bo"}}}, expect=None)
    assert_error(reply, 400, reason="tag_change_unsupported")
    done = (await api(exp_path(b, exp, "delete"), method="POST", body={})).json
    assert done == {"experiment_id": exp, "name": done["name"], "permanent": True}
    assert_error(await api(f"backends/{b}/experiments/{exp}/summary", expect=None), 404)
    assert (await api(f"backends/{b}/experiments/deleted")).json["supported"] is False
    assert_error(await api(exp_path(b, exp, "restore"), method="POST", body={}, expect=None), 400)


async def test_gitlab_refuses_deleting_what_backs_a_model(api, seed):
    b, name = seed.name, uniq("gl-model")
    run = seed.run(metrics={"loss": 0.2})
    body = {"run_id": run.run_id, "create_model": True}
    version = (await api(model_path(b, name, "versions"), method="POST", body=body, expect=201)).json["version"]
    backing = seed.client.run(seed.api.get_model_version(name, version["version"]))
    model_exp = seed.model_experiment(name)
    reply = await api(
        exp_path(b, model_exp, "runs", "delete"), method="POST", body={"run_ids": [backing.run_id]}, expect=None
    )
    assert_error(reply, 400, contains="associated to a model version")
    reply = await api(exp_path(b, model_exp, "delete"), method="POST", body={}, expect=None)
    assert_error(reply, 400, contains="associated to a model")
    assert (await api(f"backends/{b}/runs/{backing.run_id}")).json["info"]["run_id"] == backing.run_id

"""Editing the model registry against a real MLflow server and the GitLab stand-in: create a model, describe,
rename, tag and delete it; describe, tag and delete a version. Nothing is lost (a rename keeps versions, aliases
and tags; deleting a version keeps its run); GitLab refuses what its API cannot do with a 400 that says so,
before anything is sent; unauthenticated and read-only callers are refused."""

from __future__ import annotations

import pytest
from tornado.httpclient import HTTPClientError

from .issue4_support import api, assert_error, model_path, seed, uniq  # noqa: F401
from .test_gitlab_registry import READ_ONLY

MLFLOW = pytest.mark.parametrize("mlops_backends", ["mlflow"], indirect=True)
GITLAB = pytest.mark.parametrize("mlops_backends", ["gitlab"], indirect=True)


async def _promote(api, seed, name, **body):  # noqa: ANN001, ANN003, ANN202
    run = seed.run(metrics={"loss": 0.5})
    reply = await api(
        model_path(seed.name, name, "versions"),
        method="POST",
        body={"run_id": run.run_id, "create_model": True, **body},
        expect=201,
    )
    return reply.json["version"], run


async def _create(api, seed, name, description="", expect=201):  # noqa: ANN001, ANN202
    body = {"backend": seed.name, "name": name, "description": description}
    return await api("models", method="POST", body=body, expect=expect)


@pytest.mark.parametrize("mlops_backends", ["mlflow", "gitlab"], indirect=True)
async def test_create_describe_and_delete_a_model(api, seed):
    name = uniq("edit")
    page = (await _create(api, seed, name, "first line\n<b>not html</b>")).json
    assert page["name"] == name and page["versions"] == [] and page["description"] == "first line\n<b>not html</b>"
    assert (await api(model_path(seed.name, name))).json["description"] == "first line\n<b>not html</b>"
    # refusals: taken, invalid (GitLab's rule on every backend), no backend, unknown backend
    assert_error(await _create(api, seed, name, expect=None), 409, reason="model_exists")
    assert_error(
        await _create(api, seed, "has space", expect=None), 400, reason="invalid_model_name", contains="spaces"
    )
    reply = await api("models", method="POST", body={"name": uniq("x")}, expect=None)
    assert_error(reply, 400, reason="missing_backend")
    reply = await api("models", method="POST", body={"backend": "nope", "name": uniq("x")}, expect=None)
    assert_error(reply, 404, reason="unknown_backend")
    assert_error(await _create(api, seed, uniq("long"), "x" * 10001, expect=None), 400, reason="invalid_description")
    # describe (multi-line), then clear
    path = model_path(seed.name, name)
    page = (await api(path, method="PATCH", body={"description": "two\nlines"})).json
    assert page["description"] == "two\nlines"
    page = (await api(path, method="PATCH", body={"description": ""})).json
    assert not page["description"]
    assert_error(await api(path, method="PATCH", body={}, expect=None), 400, reason="nothing_to_change")
    missing = model_path(seed.name, uniq("none"))
    assert_error(await api(missing, method="PATCH", body={"description": "x"}, expect=None), 404)
    # a model with versions needs its name repeated
    version, run = await _promote(api, seed, name)
    assert_error(await api(path, method="DELETE", expect=None), 400, reason="confirmation_required", contains="1 ver")
    reply = await api(path, method="DELETE", query={"confirm": "wrong"}, expect=None)
    assert_error(reply, 400, reason="confirmation_required")
    assert (await api(path)).code == 200
    gone = (await api(path, method="DELETE", query={"confirm": name})).json
    assert gone == {"name": name, "versions_deleted": 1}
    assert_error(await api(path, expect=None), 404)
    assert_error(await api(path, method="DELETE", expect=None), 404)
    # an empty model goes without confirmation
    empty = uniq("empty")
    await _create(api, seed, empty)
    assert (await api(model_path(seed.name, empty), method="DELETE")).json["versions_deleted"] == 0


@MLFLOW
async def test_rename_keeps_versions_aliases_and_tags(api, seed):
    name, new = uniq("old"), uniq("new")
    await _create(api, seed, name, "kept")
    v1, _ = await _promote(api, seed, name, description="v1 text")
    v2, _ = await _promote(api, seed, name)
    await api(
        model_path(seed.name, name, "aliases"), method="POST", body={"alias": "champion", "version": v1["version"]}
    )
    path = model_path(seed.name, name)
    page = (await api(path, method="PATCH", body={"set_tags": {"team": "ml", "task": "churn"}})).json
    assert page["tags"] == {"task": "churn", "team": "ml"}
    await api(model_path(seed.name, name, "versions", v2["version"]), method="PATCH", body={"set_tags": {"k": "v"}})
    page = (await api(path, method="PATCH", body={"name": new})).json
    assert page["name"] == new and page["description"] == "kept"
    assert [v["version"] for v in page["versions"]] == [v2["version"], v1["version"]]
    assert page["aliases"] == [{"alias": "champion", "version": v1["version"]}]
    assert page["tags"] == {"task": "churn", "team": "ml"}
    assert (await api(model_path(seed.name, new, "versions", v2["version"]))).json["tags"] == {"k": "v"}
    assert_error(await api(path, expect=None), 404)
    # refusals: the same name, a taken name, an invalid name
    other = uniq("other")
    await _create(api, seed, other)
    new_path = model_path(seed.name, new)
    assert_error(await api(new_path, method="PATCH", body={"name": other}, expect=None), 409, reason="model_exists")
    reply = await api(new_path, method="PATCH", body={"name": "bad name"}, expect=None)
    assert_error(reply, 400, reason="invalid_model_name")
    reply = await api(new_path, method="PATCH", body={"name": new}, expect=None)
    assert_error(reply, 400, reason="nothing_to_change")
    # model tags: change, remove; refusals
    page = (await api(new_path, method="PATCH", body={"set_tags": {"team": "ops"}, "remove_tags": ["task"]})).json
    assert page["tags"] == {"team": "ops"}
    for bad, reason in (
        ({"set_tags": {"mlflow.x": "1"}}, "system_tag"),
        ({"set_tags": {"mlops.a": "1"}}, "system_tag"),
    ):
        assert_error(await api(new_path, method="PATCH", body=bad, expect=None), 400, reason=reason)
    reply = await api(new_path, method="PATCH", body={"remove_tags": ["nope"]}, expect=None)
    assert_error(reply, 404, reason="tag_not_found")
    for m in (new, other):
        await api(model_path(seed.name, m), method="DELETE", query={"confirm": m})


@MLFLOW
async def test_version_description_tags_and_delete_keep_the_run(api, seed):
    name = uniq("ver")
    v1, run1 = await _promote(api, seed, name)
    v2, _ = await _promote(api, seed, name)
    await api(
        model_path(seed.name, name, "aliases"), method="POST", body={"alias": "champion", "version": v1["version"]}
    )
    vpath = model_path(seed.name, name, "versions", v1["version"])
    got = (await api(vpath, method="PATCH", body={"description": "line 1\nline 2", "set_tags": {"stage": "qa"}})).json
    assert got == {"version": v1["version"], "description": "line 1\nline 2", "tags": {"stage": "qa"}}
    page = (await api(vpath)).json
    assert page["description"] == "line 1\nline 2" and page["tags"] == {"stage": "qa"}
    assert "mlops.source_run" in seed.client.run(seed.api.get_model_version(name, v1["version"])).tags
    got = (await api(vpath, method="PATCH", body={"set_tags": {"stage": "prod"}})).json
    assert got["tags"] == {"stage": "prod"}
    got = (await api(vpath, method="PATCH", body={"remove_tags": ["stage"], "description": ""})).json
    assert got["tags"] == {} and not got["description"]
    reply = await api(vpath, method="PATCH", body={"set_tags": {"mlops.source_run": "x"}}, expect=None)
    assert_error(reply, 400, reason="system_tag")
    missing = model_path(seed.name, name, "versions", "99")
    assert_error(await api(missing, method="PATCH", body={"description": "x"}, expect=None), 404)
    # delete: the aliases go with it, the run stays
    gone = (await api(vpath, method="DELETE")).json
    assert gone == {"name": name, "version": v1["version"], "aliases_removed": ["champion"], "run_id": run1.run_id}
    assert_error(await api(vpath, expect=None), 404)
    assert seed.client.run(seed.api.get_run(run1.run_id)).run_id == run1.run_id
    page = (await api(model_path(seed.name, name))).json
    assert [v["version"] for v in page["versions"]] == [v2["version"]] and page["aliases"] == []
    assert_error(await api(vpath, method="DELETE", expect=None), 404)
    await api(model_path(seed.name, name), method="DELETE", query={"confirm": name})


@GITLAB
async def test_gitlab_refuses_what_its_api_cannot_do(api, seed, gitlab_server):
    name = uniq("gl")
    await _create(api, seed, name, "d")
    v1, run1 = await _promote(api, seed, name)
    path = model_path(seed.name, name)
    vpath = model_path(seed.name, name, "versions", v1["version"])
    cases = [
        (path, {"name": uniq("renamed")}, "rename_unsupported", "rename"),
        (path, {"set_tags": {"a": "b"}}, "tags_unsupported", "tags"),
        (path, {"remove_tags": ["a"]}, "tags_unsupported", "tags"),
        (vpath, {"set_tags": {"a": "b"}}, "tags_unsupported", "tags"),
        (vpath, {"description": "  "}, "description_required", "cannot clear"),
    ]
    for where, body, reason, text in cases:
        reply = await api(where, method="PATCH", body=body, expect=None)
        assert_error(reply, 400, reason=reason, contains=text)
    reply = await api(vpath, method="DELETE", expect=None)
    data = assert_error(reply, 400, reason="delete_version_unsupported", contains="GraphQL")
    assert "/-/ml/models/" in data["message"]  # the version's page on GitLab
    # what GitLab can do: the model's and the version's descriptions (multi-line), the model's deletion
    assert (await api(path, method="PATCH", body={"description": "a\nb"})).json["description"] == "a\nb"
    got = (await api(vpath, method="PATCH", body={"description": "v\ntext"})).json
    assert got["description"] == "v\ntext" and got["version"] == v1["version"]
    page = (await api(path)).json
    assert page["versions"][0]["description"] == "v\ntext" and page["tags"] == {}
    assert (await api(path, method="DELETE", query={"confirm": name})).json["versions_deleted"] == 1
    assert_error(await api(path, expect=None), 404)


@READ_ONLY
async def test_read_only_token_cannot_edit(api, gitlab_server, mlops_backends):
    backend = mlops_backends[0]["name"]
    reply = await api("models", method="POST", body={"backend": backend, "name": uniq("ro")}, expect=None)
    assert reply.code == 502 and reply.json["error"] == "backend_unauthorized" and "token" in reply.json["message"]


@MLFLOW
@pytest.mark.parametrize(
    "method,path",
    [
        ("POST", "models"),
        ("PATCH", "backends/default/models/m"),
        ("DELETE", "backends/default/models/m"),
        ("PATCH", "backends/default/models/m/versions/1"),
        ("DELETE", "backends/default/models/m/versions/1"),
    ],
)
async def test_edits_require_authentication(jp_serverapp, http_server_client, jp_base_url, method, path):
    from jupyter_server.utils import url_path_join

    url = url_path_join(jp_base_url, "jupyterlab-mlops", path)
    body = b"{}" if method in ("POST", "PATCH") else None
    with pytest.raises(HTTPClientError) as err:
        await http_server_client.fetch(url, method=method, body=body, allow_nonstandard_methods=True)
    assert err.value.code in (401, 403)


@MLFLOW
async def test_registry_writes_tell_open_views(api, seed, jp_serverapp):
    """Every registry write emits a ``model`` change event (the registry and the sidebar's Models tab of every
    window follow it); a refused write emits nothing."""
    from .test_live_events import Listener

    listener = Listener(jp_serverapp)
    name = uniq("events")
    mine = lambda change: lambda e: e["kind"] == "model" and e["name"] == name and e["change"] == change  # noqa: E731
    await _create(api, seed, name)
    assert await listener.wait_for(mine("created")) == {
        "backend": seed.name,
        "kind": "model",
        "experiment_id": "",
        "run_id": None,
        "change": "created",
        "name": name,
    }
    await api(model_path(seed.name, name), method="PATCH", body={"description": "d"})
    await listener.wait_for(mine("edited"))
    version = (await _promote(api, seed, name))[0]["version"]
    await api(model_path(seed.name, name, "aliases"), method="POST", body={"alias": "champion", "version": version})
    await api(model_path(seed.name, name, "versions", version), method="DELETE")
    await api(model_path(seed.name, name), method="DELETE")
    await listener.wait_for(mine("deleted"))
    edits = [e for e in listener.events if mine("edited")(e)]
    assert len(edits) == 4  # described, promoted, aliased, version deleted
    assert_error(await _create(api, seed, "has space", expect=None), 400, reason="invalid_model_name")
    after = uniq("events-after")
    await _create(api, seed, after)  # events arrive in order: once this one is in, the refused one would be too
    await listener.wait_for(lambda e: e["name"] == after)
    assert not [e for e in listener.events if e["name"] == "has space"]
    await api(model_path(seed.name, after), method="DELETE")

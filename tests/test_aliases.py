"""Model aliases against a real MLflow server and the GitLab stand-in: listed on the model and version pages,
set (and moved), removed, validated like MLflow; the champion check follows the ``champion`` alias; "use in
notebook" loads ``models:/<name>@<alias>``; GitLab (no aliases) refuses with a 400 that says so."""

from __future__ import annotations

import pytest

from jupyterlab_mlops.views.aliases import check_alias
from jupyterlab_mlops.client.errors import InvalidInput

from .issue4_support import api, assert_error, model_path, seed, uniq  # noqa: F401
from .test_views_registry import _run_snippet

MLFLOW = pytest.mark.parametrize("mlops_backends", ["mlflow"], indirect=True)
GITLAB = pytest.mark.parametrize("mlops_backends", ["gitlab"], indirect=True)


async def _promote(api, seed, name, metrics=None, files=None):  # noqa: ANN001, ANN202
    run = seed.run(metrics=metrics, files=files)
    body = {"run_id": run.run_id, "create_model": True}
    return (await api(model_path(seed.name, name, "versions"), method="POST", body=body, expect=201)).json["version"]


@pytest.mark.parametrize("good", ["champion", "challenger", "prod_2024-01", "V", "v1a", "x" * 255])
def test_alias_names_mlflow_accepts(good: str) -> None:
    assert check_alias(good) == good


@pytest.mark.parametrize("bad", ["", "latest", "LATEST", "v1", "V12", "a b", "a.b", "a/b", "é", "x" * 256, None, 3])
def test_alias_names_mlflow_refuses(bad: object) -> None:
    with pytest.raises(InvalidInput):
        check_alias(bad)


@MLFLOW
async def test_aliases_set_listed_moved_removed(api, seed):
    name = uniq("alias")
    v1 = await _promote(api, seed, name)
    v2 = await _promote(api, seed, name)
    aliases = model_path(seed.name, name, "aliases")
    got = (await api(aliases, method="POST", body={"alias": "champion", "version": v1["version"]})).json
    assert got == {"aliases": [{"alias": "champion", "version": v1["version"]}]}
    await api(aliases, method="POST", body={"alias": "challenger", "version": v2["version"]})
    page = (await api(model_path(seed.name, name))).json
    assert page["aliases_note"] is None
    assert page["aliases"] == [
        {"alias": "challenger", "version": v2["version"]},
        {"alias": "champion", "version": v1["version"]},
    ]
    assert {v["version"]: v["aliases"] for v in page["versions"]} == {
        v1["version"]: ["champion"],
        v2["version"]: ["challenger"],
    }
    # MLflow itself agrees
    rm = seed.client.run(seed.api.get_model_version_by_alias(name, "champion"))
    assert rm.version == v1["version"]
    # moving: champion goes to v2
    got = (await api(aliases, method="POST", body={"alias": "champion", "version": v2["version"]})).json
    assert got["aliases"] == [
        {"alias": "challenger", "version": v2["version"]},
        {"alias": "champion", "version": v2["version"]},
    ]
    version = (await api(v2["route"])).json
    assert version["aliases"] == ["challenger", "champion"]
    got = (await api(aliases + "/challenger", method="DELETE")).json
    assert got["aliases"] == [{"alias": "champion", "version": v2["version"]}]
    assert (await api(v2["route"])).json["aliases"] == ["champion"]
    # refusals: MLflow's rules, unknown version, unknown model
    for bad in ("latest", "v3", "has space"):
        reply = await api(aliases, method="POST", body={"alias": bad, "version": v1["version"]}, expect=None)
        assert_error(reply, 400, reason="invalid_alias")
    reply = await api(aliases, method="POST", body={"alias": "x", "version": "99"}, expect=None)
    assert_error(reply, 404)
    reply = await api(aliases, method="POST", body={"alias": "x"}, expect=None)
    assert_error(reply, 400, reason="missing_version")
    reply = await api(
        model_path(seed.name, uniq("none"), "aliases"), method="POST", body={"alias": "x", "version": "1"}, expect=None
    )
    assert_error(reply, 404)


@MLFLOW
async def test_champion_check_follows_the_alias(api, seed):
    name = uniq("champ")
    v1 = await _promote(api, seed, name, metrics={"loss": 0.2})
    await _promote(api, seed, name, metrics={"loss": 0.9})
    cand = seed.run(metrics={"loss": 0.5})
    check = model_path(seed.name, name, "champion")
    got = (await api(check, query={"run_id": cand.run_id})).json
    assert got["champion"]["by"] == "latest" and got["champion"]["metrics"]["loss"] == 0.9
    assert got["rows"][0]["better"] == "candidate"
    await api(
        model_path(seed.name, name, "aliases"), method="POST", body={"alias": "champion", "version": v1["version"]}
    )
    got = (await api(check, query={"run_id": cand.run_id})).json
    assert got["champion"]["by"] == "alias" and got["champion"]["version"] == v1["version"]
    assert got["champion"]["metrics"]["loss"] == 0.2 and got["rows"][0]["better"] == "champion"


@MLFLOW
async def test_use_in_notebook_by_alias_loads_it(api, seed):
    name = uniq("snip")
    v1 = await _promote(api, seed, name, files={"weights.txt": b"w=1"})
    await api(
        model_path(seed.name, name, "aliases"), method="POST", body={"alias": "champion", "version": v1["version"]}
    )
    snip = (await api(v1["route"])).json["use_snippet"]
    assert [(s["alias"], s["uri"]) for s in snip["by_alias"]] == [("champion", f"models:/{name}@champion")]
    code = snip["by_alias"][0]["code"]
    assert repr(f"models:/{name}@champion") in code
    out = _run_snippet(code + "import os; print(sorted(os.listdir(model_dir)))\n", seed, None)
    assert "weights.txt" in out


@GITLAB
async def test_gitlab_has_no_aliases_and_says_so(api, seed):
    name = uniq("gl")
    v1 = await _promote(api, seed, name, metrics={"loss": 0.3})
    page = (await api(model_path(seed.name, name))).json
    assert page["aliases"] == [] and "no aliases" in page["aliases_note"]
    assert page["versions"][0]["aliases"] == []  # GitLab's aliases[0] is the semver, not an alias
    assert (await api(v1["route"])).json["use_snippet"]["by_alias"] == []
    reply = await api(
        model_path(seed.name, name, "aliases"),
        method="POST",
        body={"alias": "champion", "version": v1["version"]},
        expect=None,
    )
    assert_error(reply, 400, reason="aliases_unsupported", contains="no aliases")
    reply = await api(model_path(seed.name, name, "aliases", "champion"), method="DELETE", expect=None)
    assert_error(reply, 400, reason="aliases_unsupported")
    cand = seed.run(metrics={"loss": 0.1})
    got = (await api(model_path(seed.name, name, "champion"), query={"run_id": cand.run_id})).json
    assert got["champion"]["by"] == "latest" and got["champion"]["semver"] == v1["semver"]

"""The registry is right on real GitLab (issue 10), proved against the GitLab stand-in (GITLAB_API.md §0.1)
and MLflow: user names instead of ids (C11), model pages on GitLab's web (C12), GitLab's model-name rule
checked before sending (C13), "latest" as GitLab computes it and semver.org precedence everywhere else
(C14), models without versions (C15), re-uploaded files (C16), promotion by ``run_id`` (C18)."""

from __future__ import annotations

import pytest
import requests

from jupyterlab_mlops.client import Backend
from jupyterlab_mlops.client.dialect import MODEL_NAME_RULE, model_name_problem, semver_key
from jupyterlab_mlops.client.models import ModelVersion
from jupyterlab_mlops.client.sync import SyncClient
from jupyterlab_mlops.views import links, users
from jupyterlab_mlops.views.registry import latest_of, sort_versions

from .issue4_support import BOTH, Seeder, api, assert_error, model_path, seed, uniq  # noqa: F401

GITLAB = pytest.mark.parametrize("mlops_backends", ["gitlab"], indirect=True)
BY_PATH = pytest.mark.parametrize(
    "mlops_backends",
    [
        lambda r: [
            {**r.getfixturevalue("gitlab_backend"), "url": r.getfixturevalue("gitlab_server").tracking_uri_by_path}
        ]
    ],
    indirect=True,
)
READ_ONLY_ENV = "MLOPS_TEST_GITLAB_READ_TOKEN"


def _read_only_backend(r) -> list:
    r.getfixturevalue("monkeypatch").setenv(READ_ONLY_ENV, r.getfixturevalue("gitlab_server").read_token)
    return [{**r.getfixturevalue("gitlab_backend"), "token_env": READ_ONLY_ENV}]


READ_ONLY = pytest.mark.parametrize("mlops_backends", [_read_only_backend], indirect=True)

#: the same names as src/__tests__/registryValidation.spec.ts (accepted, refused)
GOOD_NAMES = ["churn", "my-model_v2.1", "team/churn", "@scope/pkg", "a+b/c", "a@b", "x+/"]
BAD_NAMES = ["", "x" * 256, "my model", "modèle", "модель", "a<b c", "name#1", "abc\n", "a+b", "a/b+c", "a@b@c"]


def _promote(seed_, version: str) -> dict:
    """The body of ``POST .../versions`` promoting a fresh run as ``version``."""
    return {"run_id": seed_.run().run_id, "version": version}


def _requests_to(gitlab_server, path: str) -> int:
    return sum(1 for r in gitlab_server.requests if r["method"] == "GET" and r["path"] == path)


# -- C11: user names ---------------------------------------------------------------------------------
@GITLAB
async def test_gitlab_users_show_by_name(api, seed, gitlab_server):
    users.forget()
    name = seed.model()
    for v in ("1.0.0", "1.1.0"):
        await api(model_path(seed.name, name, "versions"), method="POST", body=_promote(seed, v), expect=201)
    gitlab_server.clear_requests()
    page = (await api(model_path(seed.name, name))).json
    assert page["user_id"] == "1" and page["user_name"] == "Dee Developer"
    # a GitLab version has no user (C11): its creator is the user of its backing run
    assert [(v["user_id"], v["user_name"]) for v in page["versions"]] == [("1", "Dee Developer")] * 2
    version = (await api(page["versions"][0]["route"])).json
    assert version["user_name"] == "Dee Developer"
    row = next(m for m in (await api("models", query={"search": name})).json["models"] if m["name"] == name)
    assert row["updated_by"] == "1" and row["updated_by_name"] == "Dee Developer"
    assert _requests_to(gitlab_server, "/api/v4/users/1") == 1  # cached per backend


@BOTH
async def test_run_owner_by_name_in_runs_and_detail(api, seed):
    users.forget()
    run = seed.run()
    rows = (await api(f"backends/{seed.name}/experiments/{run.experiment_id}/runs")).json["runs"]
    detail = (await api(f"backends/{seed.name}/runs/{run.run_id}")).json["info"]
    if seed.gitlab:  # GitLab's user_id is the token user's numeric id (C11)
        assert [(r["user_id"], r["user_name"]) for r in rows] == [("1", "Dee Developer")]
        assert (detail["user_id"], detail["user_name"]) == ("1", "Dee Developer")
    else:  # MLflow's user_id already is a name
        assert [r["user_name"] for r in rows] == [run.user_id] and detail["user_name"] == run.user_id


@pytest.mark.parametrize("kind", ["gitlab", "mlflow"])
def test_user_name_lookup_falls_back_to_the_id(kind, request):
    """Unknown users, non-numeric ids and an unreachable GitLab give the id, quietly; MLflow asks nothing."""
    users.forget()
    if kind == "gitlab":
        gl = request.getfixturevalue("gitlab_server")
        backend = Backend.from_uri(gl.tracking_uri, name="gitlab", token=gl.token)
    else:
        backend = Backend.from_uri(request.getfixturevalue("mlflow_server").url, name="default")
    with SyncClient(backend) as client:
        names = client.drive(users.user_names(client.api, ["1", "987654", "alice", None, "1"]))
        expected = {"1": "Dee Developer" if kind == "gitlab" else "1", "987654": "987654", "alice": "alice"}
        assert names == expected
        if kind == "gitlab":
            users.forget()
            gl.clear_requests()
            gl.outage = 502
            assert client.drive(users.user_names(client.api, ["1", "2"])) == {"1": "1", "2": "2"}
            assert len([r for r in gl.requests if "/users/" in r["path"]]) == 1  # GitLab down: stop asking
            gl.outage = None
            assert client.drive(users.user_names(client.api, ["1", "2", "987654"])) == {
                "1": "Dee Developer",
                "2": "Ray Reader",
                "987654": "987654",
            }
            gl.clear_requests()
            assert client.drive(users.user_names(client.api, ["987654", "2"])) == {
                "987654": "987654",
                "2": "Ray Reader",
            }
            assert not gl.requests  # names cached, the unknown user remembered


# -- C12: links to GitLab's web pages ----------------------------------------------------------------
async def _model_links(api, seed, gitlab_server, project_lookups: int) -> None:
    links.forget()
    gitlab_server.clear_requests()
    name = seed.model()
    empty = (await api(model_path(seed.name, name))).json
    assert empty["web_url"] == f"{gitlab_server.web_url}/-/ml/models"  # no version yet: no model id known
    await api(model_path(seed.name, name, "versions"), method="POST", body=_promote(seed, "1.0.0"), expect=201)
    model_id = gitlab_server.state.models[name].id
    page = (await api(model_path(seed.name, name))).json
    assert page["web_url"] == f"{gitlab_server.web_url}/-/ml/models/{model_id}"
    row = next(m for m in (await api("models", query={"search": name})).json["models"] if m["name"] == name)
    assert row["web_url"] == page["web_url"]
    version = (await api(page["versions"][0]["route"])).json
    assert version["web_url"].startswith(f"{gitlab_server.web_url}/-/ml/models/{model_id}/versions/")
    assert version["repository"]["url"] == gitlab_server.web_url  # the project's page, not /projects/42
    assert _requests_to(gitlab_server, f"/api/v4/projects/{gitlab_server.project_id}") == project_lookups


@GITLAB
async def test_model_links_with_a_numeric_tracking_uri(api, seed, gitlab_server):
    """``/projects/42`` is no web page: the project's ``web_url`` is asked once and cached."""
    await _model_links(api, seed, gitlab_server, project_lookups=1)


@BY_PATH
async def test_model_links_with_a_path_tracking_uri(api, seed, gitlab_server):
    """``/api/v4/projects/group%2Fproject/...`` names the project: nothing to ask."""
    await _model_links(api, seed, gitlab_server, project_lookups=0)


@GITLAB
async def test_version_ci_links_to_job_pipeline_and_merge_request(api, seed, gitlab_server):
    links.forget()
    job = gitlab_server.add_job(7301, mr_iid=12)
    run = seed.run(tags={"gitlab.CI_JOB_ID": "7301"})
    name = seed.model()
    got = (
        await api(
            model_path(seed.name, name, "versions"),
            method="POST",
            body={"run_id": run.run_id, "version": "1.0.0"},
            expect=201,
        )
    ).json
    ci = (await api(got["version"]["route"])).json["ci"]
    web = gitlab_server.web_url
    assert ci["ci_job"] == {"id": "7301", "url": job["web_url"]} and job["web_url"] == f"{web}/-/jobs/7301"
    assert ci["pipeline"] == {"id": str(job["pipeline"]["id"]), "url": job["pipeline"]["web_url"]}
    assert ci["merge_request"] == {"iid": "12", "url": f"{web}/-/merge_requests/12"}


# -- C13: GitLab's model-name rule, before sending ---------------------------------------------------
def test_model_name_rule_is_gitlabs(gitlab_server):
    """Our check accepts exactly what GitLab's ``registered-models/create`` accepts (the stand-in runs
    GitLab's regex the way Ruby does), and says what is wrong with the others."""
    for name in GOOD_NAMES + BAD_NAMES:
        unique = name if not name or len(name) > 255 or "/" in name or "@" in name else f"{name}{uniq('')}"
        r = requests.post(
            f"{gitlab_server.api_url}/registered-models/create",
            json={"name": unique},
            headers=gitlab_server.headers(),
            timeout=30,
        )
        ours = model_name_problem(unique)
        assert (r.status_code == 200) == (ours is None), (name, r.status_code, r.text, ours)
        if r.status_code != 200:
            assert r.json().get("error_code") == "RESOURCE_ALREADY_EXISTS"  # GitLab's misleading answer
        else:
            requests.delete(
                f"{gitlab_server.api_url}/registered-models/delete",
                json={"name": unique},
                headers=gitlab_server.headers(),
                timeout=30,
            )
    assert model_name_problem("modèle") == "'è' is not allowed"
    assert model_name_problem("has space;") == "spaces, ';' are not allowed"
    assert "ASCII only" in MODEL_NAME_RULE


@BOTH
async def test_refused_model_name_is_400_before_anything_is_sent(api, seed, request):
    gitlab_server = request.getfixturevalue("gitlab_server") if seed.gitlab else None
    run = seed.run()
    if gitlab_server:
        gitlab_server.clear_requests()
    for bad, says in (
        ("modèle", "'è' is not allowed"),
        ("a+b", "'+' is allowed only"),
        ("my model", "spaces are not allowed"),
    ):
        reply = await api(
            model_path(seed.name, bad, "versions"),
            method="POST",
            body={"run_id": run.run_id, "create_model": True},
            expect=None,
        )
        assert_error(reply, 400, reason="invalid_model_name", contains=says)
        assert "ASCII only" in reply.json["message"]
    if gitlab_server:
        assert not [r for r in gitlab_server.requests if r["path"].endswith("registered-models/create")]


@GITLAB
async def test_gitlab_refusal_of_a_valid_name_is_explained(api, seed):
    """GitLab answers RESOURCE_ALREADY_EXISTS to any refusal: when no such model exists, we say so."""
    name = uniq("taken")
    seed.experiment(f"[model]{name}")  # the model's default experiment exists already: GitLab refuses
    reply = await api(
        model_path(seed.name, name, "versions"),
        method="POST",
        body={"run_id": seed.run().run_id, "create_model": True},
        expect=None,
    )
    assert_error(reply, 400, reason="model_refused", contains=f"experiment '[model]{name}'")


# -- C14: "latest" on GitLab, semver precedence everywhere else --------------------------------------
def test_semver_precedence_is_semver_org():
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0-rc.2",
        "1.0.0-rc.10",
        "1.0.0",
        "1.2.0",
        "1.10.0",
        "2.0.0",
    ]
    assert sorted(reversed(ordered), key=semver_key) == ordered
    assert semver_key("1.0.0+b.2") == semver_key("1.0.0+b.1") and semver_key("1.0.0-1") < semver_key("1.0.0-a")
    assert semver_key("not a version") < semver_key("0.0.0-0")
    mvs = [ModelVersion("m", v, str(i), semver=v) for i, v in enumerate(["1.0.0-rc.2", "1.0.0-rc.10", "0.9.0"])]
    assert [v.semver for v in sort_versions(mvs)] == ["1.0.0-rc.10", "1.0.0-rc.2", "0.9.0"]


@BOTH
async def test_versions_ordered_by_semver_precedence(api, seed):
    name = seed.model()
    for v in ("1.0.0-rc.2", "1.0.0-rc.10", "0.9.0"):
        await api(model_path(seed.name, name, "versions"), method="POST", body=_promote(seed, v), expect=201)
    page = (await api(model_path(seed.name, name))).json
    assert [v["semver"] for v in page["versions"]] == ["1.0.0-rc.10", "1.0.0-rc.2", "0.9.0"]
    assert page["latest_version"]["semver"] in ("1.0.0-rc.10", "1.0.0-rc.2")
    if not seed.gitlab:  # MLflow: semver.org precedence
        assert page["latest_version"]["semver"] == "1.0.0-rc.10"
        nxt = (await api(model_path(seed.name, name, "next-version"))).json
        assert nxt["latest"]["semver"] == "1.0.0-rc.10" and nxt["suggested"] == "1.0.0"


@GITLAB
async def test_gitlab_latest_is_what_gitlab_resolves(api, seed, gitlab_server):
    """GitLab orders by major.minor.patch only: a prerelease ties with its release, and GitLab's answer
    (what ``models:/<name>/latest`` loads) is what every page calls latest."""
    name = seed.model()
    for v in ("1.2.0-rc.1", "1.2.0", "1.1.9"):
        await api(model_path(seed.name, name, "versions"), method="POST", body=_promote(seed, v), expect=201)
    gl = requests.post(
        f"{gitlab_server.api_url}/registered-models/get-latest-versions",
        json={"name": name},
        headers=gitlab_server.headers(),
        timeout=30,
    ).json()["model_versions"][0]
    gitlab_latest = gl["aliases"][0]
    assert gitlab_latest in ("1.2.0-rc.1", "1.2.0")
    page = (await api(model_path(seed.name, name))).json
    assert page["latest_version"]["semver"] == gitlab_latest
    assert [v["semver"] for v in page["versions"]] == ["1.2.0", "1.2.0-rc.1", "1.1.9"]  # listing: §11
    row = next(m for m in (await api("models", query={"search": name})).json["models"] if m["name"] == name)
    assert row["latest_version"]["semver"] == gitlab_latest
    nxt = (await api(model_path(seed.name, name, "next-version"))).json
    assert nxt["latest"]["semver"] == gitlab_latest
    assert nxt["bumps"] == {"patch": "1.2.1", "minor": "1.3.0", "major": "2.0.0"}  # 1.2.0 is taken: skipped
    champ = (await api(model_path(seed.name, name, "champion"), query={"run_id": seed.run().run_id})).json
    assert champ["champion"]["semver"] == gitlab_latest
    # the same rule computed here (the table of many models, read-only tokens)
    versions = [ModelVersion(name, v, str(i), semver=v) for i, v in enumerate(["1.2.0-rc.1", "1.2.0", "1.1.9"])]
    assert latest_of(versions, Backend.from_uri(gitlab_server.tracking_uri).dialect).semver == "1.2.0-rc.1"


@READ_ONLY
async def test_read_only_token_gets_latest_computed(api, gitlab_server):
    """``get-latest-versions`` is a POST (a read_api token gets 403): the page computes GitLab's rule."""
    writer = Seeder(Backend.from_uri(gitlab_server.tracking_uri, name="gitlab", token=gitlab_server.token))
    try:
        name = writer.model()
        for v in ("2.0.0-rc.1", "2.0.0", "1.9.0"):
            writer.client.run(writer.api.create_model_version(name, semver=v))
    finally:
        writer.close()
    page = (await api(model_path("gitlab", name))).json
    assert page["latest_version"]["semver"] == "2.0.0-rc.1"  # ties go to the first in GitLab's list
    assert [v["semver"] for v in page["versions"]] == ["2.0.0", "2.0.0-rc.1", "1.9.0"]


# -- C15: a model without versions --------------------------------------------------------------------
@BOTH
async def test_model_without_versions_never_crashes(api, seed):
    name = seed.model()
    assert seed.client.run(seed.api.get_latest_versions(name)) == []  # GitLab: [null]
    page = (await api(model_path(seed.name, name))).json
    assert page["versions"] == [] and page["latest_version"] is None
    nxt = (await api(model_path(seed.name, name, "next-version"))).json
    assert nxt["exists"] and nxt["latest"] is None and nxt["suggested"] == "1.0.0"
    champ = (await api(model_path(seed.name, name, "champion"), query={"run_id": seed.run().run_id})).json
    assert champ["champion"] is None
    row = next(m for m in (await api("models", query={"search": name})).json["models"] if m["name"] == name)
    assert row["latest_version"] is None and row["version_count"] == 0


# -- C16: a re-uploaded file name ---------------------------------------------------------------------
@BOTH
async def test_reuploaded_file_listed_once_the_last(api, seed):
    name = seed.model()
    v = (
        await api(model_path(seed.name, name, "versions"), method="POST", body=_promote(seed, "1.0.0"), expect=201)
    ).json["version"]["route"]
    await api(v + "/artifacts/weights.bin", method="PUT", body=b"first", expect=201)
    got = (await api(v + "/artifacts/weights.bin", method="PUT", body=b"second, longer", expect=201)).json
    assert [a for a in got["artifacts"] if a["path"] == "weights.bin"] == [
        {"path": "weights.bin", "is_dir": False, "file_size": len(b"second, longer")}
    ]
    files = (await api(v)).json["artifacts"]
    assert [f["file_size"] for f in files if f["path"] == "weights.bin"] == [len(b"second, longer")]
    assert (await api(v + "/artifacts/download", query={"path": "weights.bin"})).body == b"second, longer"


# -- C18: promotion by run_id -------------------------------------------------------------------------
@GITLAB
async def test_gitlab_promotion_sends_run_id_and_checks_the_link(api, seed, gitlab_server):
    name = seed.model()
    run = seed.run(seed.model_experiment(name))
    gitlab_server.clear_requests()
    got = (
        await api(
            model_path(seed.name, name, "versions"),
            method="POST",
            body={"run_id": run.run_id, "version": "1.0.0"},
            expect=201,
        )
    ).json
    sent = [r for r in gitlab_server.requests if r["path"].endswith("model-versions/create")]
    assert [r["args"].get("run_id") for r in sent] == [run.run_id]
    assert got["path"] == "run" and got["version"]["run_id"] == run.run_id
    assert gitlab_server.state.models[name].versions[0].run_id == run.run_id  # GitLab really linked it

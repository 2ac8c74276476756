"""Issue 10: the extension's reads are right on real GitLab (GITLAB_API.md §0.1), against the stand-in.

One test per behaviour: series from ``metrics/get-history`` (C1), artifact names with spaces and sub-paths
(C7, C8) listed whole and downloaded through the package API, object storage redirects (C2), the Model and
Package registry turned off (C9), and a read-only token (C17): healthy, experiments listed, writes off with
the reason, runs refused with a message that says what the token needs.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
import requests

from .issue4_support import api, assert_error, seed, uniq  # noqa: F401

GITLAB = pytest.mark.parametrize("mlops_backends", ["gitlab"], indirect=True)

READ_TOKEN_ENV = "MLOPS_TEST_GITLAB_READ_TOKEN"
SPACED, NESTED = "my file.txt", "dir/model.pkl"


def _read_only_backend(token: str) -> Any:
    """A backend whose token can only read: ``read`` (Developer, read_api: POST 403) or ``reporter`` (Reporter,
    api: POST search 401)."""

    def backends(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
        gl = request.getfixturevalue("gitlab_server")
        request.getfixturevalue("monkeypatch").setenv(READ_TOKEN_ENV, gl.tokens[token])
        return [{"name": "gitlab", "kind": "gitlab", "url": gl.tracking_uri, "token_env": READ_TOKEN_ENV}]

    return backends


READ_ONLY = pytest.mark.parametrize(
    "mlops_backends",
    [_read_only_backend("read"), _read_only_backend("reporter")],
    ids=["read_api", "reporter"],
    indirect=True,
)


def _put_package_file(gitlab_server, run_id: str, name: str, data: bytes) -> None:
    """Upload like a browser or ``curl`` would: ``files/(*path/):file_name``, each segment URI-encoded."""
    ref = f"candidate:{gitlab_server.candidate_iid(run_id)}"
    path = "/".join(quote(part, safe="") for part in name.split("/"))
    r = requests.put(gitlab_server.package_file_url(ref, path), data=data, headers=gitlab_server.headers(), timeout=30)
    assert r.status_code in (200, 201), r.text


def _runs_with_files(seed, gitlab_server) -> tuple[str, dict[str, bytes]]:
    # the package exists: artifact_uri is mlflow-artifacts:/candidate:<iid>
    run = seed.run(files={"first.txt": b"first"})
    files = {SPACED: b"spaced contents\n", NESTED: bytes(range(256)) * 64}
    for name, data in files.items():
        _put_package_file(gitlab_server, run.run_id, name, data)
    return run.run_id, {"first.txt": b"first", **files}


@GITLAB
async def test_series_come_from_get_history(api, seed, gitlab_server):
    """C1: runs/get carries the latest value only; compare and the detail chart page through get-history."""
    exp = seed.experiment()
    runs = [seed.run(exp, history={"loss": [1.0 / (i + 1 + k) for i in range(60)]}) for k in range(2)]
    gitlab_server.clear_requests()
    query = {"run": [f"{seed.name}:{r.run_id}" for r in runs], "metric": "loss", "refresh": "1"}
    got = (await api("compare", query=query)).json
    (series,) = got["series"]
    assert [len(s["points"]) for s in series["runs"]] == [60, 60], series
    assert all(s["source"] == "history" for s in series["runs"])
    assert series["runs"][0]["points"][0] == [0, 1.0] and series["runs"][0]["points"][-1][0] == 59
    histories = [r for r in gitlab_server.requests if r["path"].endswith("/metrics/get-history")]
    assert len(histories) >= 2 and all(r["status"] == 200 for r in histories)

    chart = (await api(f"backends/{seed.name}/runs/{runs[0].run_id}/metrics/loss", query={"max_points": "500"})).json
    assert chart["source"] == "history" and chart["total"] == 60 and len(chart["points"]) >= 50
    assert chart["points"][-1] == [59, 1.0 / 60]


@GITLAB
async def test_long_series_pages_through_get_history(api, seed, gitlab_server):
    """GitLab's get-history gives at most 1000 points a page: a 2,500-step series takes three pages."""
    run = seed.run(history={"acc": [i / 2500 for i in range(2500)]})
    gitlab_server.clear_requests()
    chart = (await api(f"backends/{seed.name}/runs/{run.run_id}/metrics/acc", query={"max_points": "100"})).json
    assert chart["total"] == 2500 and chart["downsampled"] and chart["points"][-1][0] == 2499
    pages = [r for r in gitlab_server.requests if r["path"].endswith("/metrics/get-history")]
    assert len(pages) == 3


@GITLAB
async def test_names_with_spaces_and_subpaths_list_and_download(api, seed, gitlab_server):
    """C7/C8: listed with their whole decoded names, downloaded through the package API."""
    run_id, files = _runs_with_files(seed, gitlab_server)
    detail = (await api(f"backends/{seed.name}/runs/{run_id}")).json
    assert sorted(f["path"] for f in detail["artifacts"]["files"]) == sorted(files), detail["artifacts"]
    listing = (await api(f"backends/{seed.name}/runs/{run_id}/artifacts")).json
    assert {f["path"]: f["file_size"] for f in listing["files"]} == {k: len(v) for k, v in files.items()}
    gitlab_server.clear_requests()
    for name, data in files.items():
        got = await api(f"backends/{seed.name}/runs/{run_id}/artifacts/download", query={"path": name})
        assert got.body == data, name
        assert (
            name.rsplit("/", 1)[-1] in got.headers["Content-Disposition"]
            or "filename*" in got.headers["Content-Disposition"]
        )
    answered = [r["path"] for r in gitlab_server.requests if r.get("status") == 200]
    # only the name with a space needs the package API; the rest keep mlflow-artifacts (C9: packages may be off)
    assert len(answered) == len(files), answered
    assert [p.rsplit("/files/", 1)[-1] for p in answered if "/packages/ml_models/" in p] == ["my%20file.txt"], answered


@GITLAB
async def test_object_storage_downloads_give_the_bytes(api, seed, gitlab_server):
    """C2: the package download answers 302 to a signed URL on another host; the route streams the file."""
    run_id, files = _runs_with_files(seed, gitlab_server)
    gitlab_server.object_storage = True
    gitlab_server.clear_requests()
    for name, data in files.items():
        got = await api(f"backends/{seed.name}/runs/{run_id}/artifacts/download", query={"path": name})
        assert got.body == data and b"moved temporarily" not in got.body
    assert any(r.get("status") == 302 for r in gitlab_server.requests)


@GITLAB
async def test_model_registry_off_names_the_feature(api, seed, gitlab_server):
    """C9: with the Model registry off GitLab answers a bare 404 on mlflow-artifacts and packages: the
    listing, the download and the run detail say the Model registry is off (not "no artifacts")."""
    run_id, _files = _runs_with_files(seed, gitlab_server)
    gitlab_server.knobs.model_registry_enabled = False
    listing = await api(f"backends/{seed.name}/runs/{run_id}/artifacts", expect=None)
    body = assert_error(listing, 502, reason="model_registry_off", contains="Model registry")
    assert "token" not in body["message"].lower()
    down = await api(f"backends/{seed.name}/runs/{run_id}/artifacts/download", query={"path": SPACED}, expect=None)
    assert_error(down, 502, reason="model_registry_off", contains="Model registry")
    detail = (await api(f"backends/{seed.name}/runs/{run_id}")).json
    assert detail["artifacts"]["files"] == [] and "Model registry" in detail["artifacts"]["note"]


@GITLAB
async def test_packages_off_names_the_feature(api, seed, gitlab_server):
    """C9: packages disabled: names mlflow-artifacts finds still download; one only the package API finds (a
    space, C7) is refused with a 403 that names the Package registry."""
    run_id, files = _runs_with_files(seed, gitlab_server)
    gitlab_server.knobs.packages_enabled = False
    got = await api(f"backends/{seed.name}/runs/{run_id}/artifacts/download", query={"path": NESTED})
    assert got.body == files[NESTED]
    down = await api(f"backends/{seed.name}/runs/{run_id}/artifacts/download", query={"path": SPACED}, expect=None)
    body = assert_error(down, 502, reason="packages_disabled", contains="Package registry")
    assert "scope" not in body["message"].lower()


@READ_ONLY
async def test_read_only_token_lists_experiments_and_reports_write_off(api, seed, gitlab_server):
    """C17: a read_api token or a Reporter: the health check passes (GET experiments/list), the status says writes are
    off and why, experiments are listed, and a run list says it needs the ``api`` scope."""
    names = sorted(uniq("ro-exp") for _ in range(3))
    ids = [seed.experiment(n) for n in names]
    status = (await api("status")).json
    (backend,) = status["backends"]
    assert backend["health"] == "healthy", backend
    caps = backend["capabilities"]
    assert caps["write"] is False and "api" in caps["reason"] and "read" in caps["reason"].lower()

    page = (await api(f"backends/{seed.name}/experiments", query={"max_results": "1000"})).json
    listed = {e["name"]: e["experiment_id"] for e in page["experiments"]}
    assert all(listed.get(n) == i for n, i in zip(names, ids)), page
    assert page["emulated"]["read_only"] is True and "experiments/list" in page["emulated"]["reason"]
    found = (await api(f"backends/{seed.name}/experiments", query={"search": names[1]})).json
    assert [e["name"] for e in found["experiments"]] == [names[1]]
    two = (await api(f"backends/{seed.name}/experiments", query={"max_results": "2", "order_by": "name"})).json
    rest = (
        await api(
            f"backends/{seed.name}/experiments",
            query={"max_results": "1000", "order_by": "name", "page_token": two["next_page_token"]},
        )
    ).json
    everything = [e["name"] for e in two["experiments"] + rest["experiments"]]
    assert everything == sorted(everything, key=str.lower) and set(names) <= set(everything)

    runs = await api(f"backends/{seed.name}/experiments/{ids[0]}/runs", expect=None)
    assert_error(runs, 502, reason="runs_need_api_scope", contains="'api' scope")
    run = seed.run(ids[0], history={"loss": [3.0, 2.0, 1.0]})
    detail = (await api(f"backends/{seed.name}/runs/{run.run_id}")).json  # GET: read_api may
    assert detail["info"]["run_id"] == run.run_id
    chart = (await api(f"backends/{seed.name}/runs/{run.run_id}/metrics/loss")).json
    assert [p[1] for p in chart["points"]] == [3.0, 2.0, 1.0]


@GITLAB
async def test_developer_token_may_write(api, gitlab_server):
    status = (await api("status")).json
    (backend,) = status["backends"]
    assert backend["health"] == "healthy" and backend["capabilities"]["write"] is True
    assert "reason" not in backend["capabilities"]

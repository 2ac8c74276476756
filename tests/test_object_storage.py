"""GitLab with object storage (gitlab.com's set-up, GITLAB_API.md C2): downloads answer 302 to a signed URL on
another host. Every reader of the server follows it through the one transport, without our credentials on
the other host: the run-artifact route, the version-file route, the tracking-URI proxy, promotion's copy
and snapshot reads all get the file, never the ~100-byte redirect notice."""

from __future__ import annotations

import pytest

from .issue4_support import api, model_path, seed, uniq  # noqa: F401

pytestmark = pytest.mark.parametrize("mlops_backends", ["gitlab"], indirect=True)

WEIGHTS = bytes(range(256)) * 4096  # 1 MiB, not text


def _storage_requests(gitlab_server) -> list[dict]:
    return [r for r in gitlab_server.requests if r["path"].startswith("/-/object-storage/")]


async def test_downloads_follow_object_storage_without_credentials(api, seed, gitlab_server):
    run = seed.run(files={"weights.bin": WEIGHTS})
    gitlab_server.object_storage = True
    gitlab_server.clear_requests()
    got = await api(f"backends/{seed.name}/runs/{run.run_id}/artifacts/download", query={"path": "weights.bin"})
    assert got.body == WEIGHTS
    storage = _storage_requests(gitlab_server)
    assert storage and all(r["status"] == 200 and not r["authorization"] for r in storage)
    redirected = [r for r in gitlab_server.requests if r.get("status") == 302]
    assert redirected and all(r["authorization"] for r in redirected)  # GitLab's own API got the token

    iid = gitlab_server.candidate_iid(run.run_id)
    proxied = await api(f"backends/{seed.name}/mlflow/api/2.0/mlflow-artifacts/artifacts/candidate:{iid}/weights.bin")
    assert proxied.body == WEIGHTS


async def test_promotion_copies_the_file_not_the_redirect_notice(api, seed, gitlab_server):
    gitlab_server.supports_run_promotion = False  # the GitLab fallback: the candidate is copied onto the version
    run = seed.run(params={"lr": "0.1"}, files={"weights.bin": WEIGHTS})
    gitlab_server.object_storage = True
    name = seed.model()
    got = (
        await api(model_path(seed.name, name, "versions"), method="POST", body={"run_id": run.run_id}, expect=201)
    ).json
    assert got["path"] == "copy", got
    version = got["version"]["version"]
    page = (await api(got["version"]["route"])).json
    assert [(a["path"], a["file_size"]) for a in page["artifacts"]] == [("weights.bin", len(WEIGHTS))]
    down = await api(
        model_path(seed.name, name, "versions", version, "artifacts", "download"), query={"path": "weights.bin"}
    )
    assert down.body == WEIGHTS
    assert all(not r["authorization"] for r in _storage_requests(gitlab_server))


async def test_snapshot_reads_follow_object_storage(jp_fetch, jp_root_dir, seed, gitlab_server):
    from .test_views_snapshots import call, snap, write_nb

    write_nb(jp_root_dir, "work/train.ipynb", "x = 41")
    run = seed.run()
    await call(jp_fetch, *snap(seed.name, run.run_id), method="POST", body={"path": "work/train.ipynb"})
    gitlab_server.object_storage = True
    got = await call(jp_fetch, *snap(seed.name, run.run_id))
    assert got["notebook"]["cells"][0]["source"] == "x = 41" and got["snapshot"]["path"] == "work/train.ipynb"
    assert _storage_requests(gitlab_server), "the snapshot was not read through the object storage redirect"

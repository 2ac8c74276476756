"""Registry routes against MLflow and the GitLab stand-in: models of every backend, model and version
pages, linked items, "use in notebook" code that really loads the version, streamed upload/download
with the size cap answered before the upload."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from .issue4_support import BOTH, Seeder, api, assert_error, model_path, seed, uniq  # noqa: F401


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


THREE = [
    lambda r: [
        r.getfixturevalue("mlflow_backend"),
        r.getfixturevalue("gitlab_backend"),
        {"name": "dead", "kind": "mlflow", "url": f"http://127.0.0.1:{_closed_port()}"},
    ]
]


@pytest.mark.parametrize("mlops_backends", THREE, indirect=True)
async def test_models_of_every_backend_in_one_table(api, mlflow_server, gitlab_server):
    from jupyterlab_mlops.client import Backend

    tag = uniq("agg")
    ml = Seeder(Backend.from_uri(mlflow_server.url, name="default"))
    gl = Seeder(Backend.from_uri(gitlab_server.tracking_uri, name="gitlab", token=gitlab_server.token))
    try:
        names = {"default": ml.model(f"{tag}-ml"), "gitlab": gl.model(f"{tag}-gl")}
        for s in (ml, gl):
            run = s.run(params={"a": "1"})
            await api(
                model_path(s.name, names[s.name], "versions"),
                method="POST",
                body={"run_id": run.run_id, "version": "3.1.4"},
                expect=201,
            )
    finally:
        ml.close()
        gl.close()
    got = (await api("models", query={"search": tag.upper()})).json
    rows = {m["backend"]: m for m in got["models"]}
    assert set(rows) == {"default", "gitlab"} and {m["name"] for m in got["models"]} == set(names.values())
    for row in rows.values():
        assert row["latest_version"]["semver"] == "3.1.4" and row["version_count"] == 1
        assert row["last_updated_timestamp"] > 1_600_000_000_000  # ms on both dialects
    assert rows["gitlab"]["backend_kind"] == "gitlab" and rows["gitlab"]["web_url"].startswith("http")
    assert [e["backend"] for e in got["errors"]] == ["dead"] and got["errors"][0]["error"] == "backend_unreachable"


@BOTH
async def test_model_page_lists_versions_highest_first(api, seed):
    name = seed.model()
    runs = [seed.run() for _ in range(3)]
    for run, v in zip(runs, ("1.0.0", "1.10.0", "1.2.0")):
        await api(
            model_path(seed.name, name, "versions"),
            method="POST",
            body={"run_id": run.run_id, "version": v},
            expect=201,
        )
    page = (await api(model_path(seed.name, name))).json
    assert [v["semver"] for v in page["versions"]] == ["1.10.0", "1.2.0", "1.0.0"]
    assert runs[1].run_name  # both dialects name runs
    assert page["versions"][0]["candidate"] == {
        "backend": seed.name,
        "run_id": runs[1].run_id,
        "run_name": runs[1].run_name,
    }
    version = (await api(page["versions"][0]["route"])).json
    assert version["candidate"]["run_name"] == runs[1].run_name  # the version page names its candidate too
    assert page["versions"][0]["created"] > 1_600_000_000_000
    assert_error(await api(model_path(seed.name, uniq("missing")), expect=None), 404, reason="model_not_found")
    assert_error(await api(model_path(seed.name, name, "versions", "7.7.7"), expect=None), 404)


@pytest.mark.parametrize("mlops_backends", ["gitlab"], indirect=True)
async def test_gitlab_model_name_with_slash(api, seed):
    name = f"team/{uniq('m')}"
    run = seed.run()
    got = (
        await api(
            model_path(seed.name, name, "versions"),
            method="POST",
            body={"run_id": run.run_id, "create_model": True},
            expect=201,
        )
    ).json
    assert "%2F" in got["version"]["route"]
    assert (await api(got["version"]["route"])).json["model"] == name


@BOTH
async def test_linked_items_add_list_remove(api, seed):
    name = seed.model()
    run = seed.run()
    v = (
        await api(model_path(seed.name, name, "versions"), method="POST", body={"run_id": run.run_id}, expect=201)
    ).json["version"]["route"]
    issue = "https://gitlab.example.com/group/proj/-/issues/7"
    mr = "https://gitlab.example.com/group/proj/-/merge_requests/12"
    await api(v + "/links", method="POST", body={"url": issue}, expect=201)
    links = (await api(v + "/links", method="POST", body={"url": mr}, expect=201)).json["links"]
    assert [(link["n"], link["kind"], link["title"]) for link in links] == [
        (1, "issue", "group/proj#7"),
        (2, "merge_request", "group/proj!12"),
    ]
    links = (await api(v + "/links/1", method="DELETE")).json["links"]
    assert [link["n"] for link in links] == [2]
    links = (await api(v + "/links", method="POST", body={"url": "https://example.org/doc"}, expect=201)).json["links"]
    assert [(link["n"], link["kind"]) for link in links] == [(2, "merge_request"), (3, "link")]  # n never reused
    assert [link["url"] for link in (await api(v)).json["links"]] == [mr, "https://example.org/doc"]
    for bad in ("javascript:alert(1)", "ftp://x.org/f", "https://exa mple.org", "", "x" * 3000, None):
        assert_error(await api(v + "/links", method="POST", body={"url": bad}, expect=None), 400, reason="invalid_url")
    assert_error(await api(v + "/links/1", method="DELETE", expect=None), 404, reason="link_not_found")


def _pyfunc_files(tmp_path: Path) -> dict[str, bytes]:
    import mlflow.pyfunc

    class Doubler(mlflow.pyfunc.PythonModel):  # local class: pickled by value, loads anywhere
        def predict(self, context, model_input, params=None):  # noqa: ANN001
            return [x * 2 for x in model_input]

    out = tmp_path / "model"
    mlflow.pyfunc.save_model(str(out), python_model=Doubler())
    return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}


def _run_snippet(code: str, seed: Seeder, gitlab_server) -> str:  # noqa: ANN001
    env = {**os.environ, "MLFLOW_TRACKING_URI": seed.backend.url, "MLFLOW_DISABLE_TELEMETRY": "true"}
    if seed.gitlab:
        env["MLFLOW_TRACKING_TOKEN"] = gitlab_server.token
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@BOTH
async def test_use_in_notebook_snippet_loads_the_version(api, seed, tmp_path, request):
    gitlab_server = request.getfixturevalue("gitlab_server") if seed.gitlab else None
    files = _pyfunc_files(tmp_path)
    prefix = "" if seed.gitlab else "model/"  # GitLab takes flat names only
    run = seed.run(
        params={"lr": "0.01", "layers": "[64, 32]", "name": "resnet"}, files={prefix + k: v for k, v in files.items()}
    )
    name = seed.model()
    promoted = (
        await api(model_path(seed.name, name, "versions"), method="POST", body={"run_id": run.run_id}, expect=201)
    ).json
    page = (await api(promoted["version"]["route"])).json
    snip = page["use_snippet"]
    assert snip["kind"] == "pyfunc" and "pyfunc.load_model" in snip["code"]
    assert "'lr': 0.01" in snip["params_code"] and "'layers': [64, 32]" in snip["params_code"]
    assert "'name': 'resnet'" in snip["params_code"]
    out = _run_snippet(
        snip["code"] + snip["params_code"] + "print(model.predict([1, 2]), params['lr'])\n", seed, gitlab_server
    )
    assert "[2, 4] 0.01" in out
    # plain files: download_artifacts
    run2 = seed.run(files={"weights.txt": b"w=1"})
    v2 = (
        await api(model_path(seed.name, name, "versions"), method="POST", body={"run_id": run2.run_id}, expect=201)
    ).json["version"]["route"]
    snip2 = (await api(v2)).json["use_snippet"]
    assert snip2["kind"] == "files" and "download_artifacts" in snip2["code"]
    out2 = _run_snippet(snip2["code"] + "import os; print(sorted(os.listdir(model_dir)))\n", seed, gitlab_server)
    assert "weights.txt" in out2


@BOTH
async def test_upload_and_download_streamed(api, seed):
    name = seed.model()
    run = seed.run(files={"a.txt": b"alpha"})
    v = (
        await api(model_path(seed.name, name, "versions"), method="POST", body={"run_id": run.run_id}, expect=201)
    ).json["version"]["route"]
    page = (await api(v)).json
    assert page["upload"]["max_bytes"] == 10 * 1024**3 and page["upload"]["flat_names"] is seed.gitlab
    data = os.urandom(3 * 1024 * 1024 + 17)
    got = (await api(v + "/artifacts/big.bin", method="PUT", body=data, expect=201)).json
    assert got["size"] == len(data) and {"a.txt", "big.bin"} <= {a["path"] for a in got["artifacts"]}
    down = await api(v + "/artifacts/download", query={"path": "big.bin"})
    assert down.body == data and down.headers["X-Content-Type-Options"] == "nosniff"
    assert down.headers["Content-Type"] == "application/octet-stream"
    assert (await api(v + "/artifacts/download", query={"path": "a.txt"})).body == b"alpha"
    assert_error(await api(v + "/artifacts/download", query={"path": "../../etc/passwd"}, expect=None), 400)
    assert (await api(v + "/artifacts/download", query={"path": "nope.bin"}, expect=None)).code == 404
    if seed.gitlab:
        assert_error(
            await api(v + "/artifacts/" + "bad%3Cname%3E.bin", method="PUT", body=b"x", expect=None),
            400,
            reason="invalid_artifact_name",
        )


@BOTH
async def test_upload_too_large_refused_before_the_body(api, seed, jp_serverapp):
    app = jp_serverapp.extension_manager.extension_apps["jupyterlab_mlops"]
    next(iter(app)).max_upload_bytes = 1000
    name = seed.model()
    run = seed.run()
    v = (
        await api(model_path(seed.name, name, "versions"), method="POST", body={"run_id": run.run_id}, expect=201)
    ).json["version"]["route"]
    assert (await api(v)).json["upload"]["max_bytes"] == 1000
    # Expect: 100-continue: the client sends no byte of the body, the 413 comes from the headers alone
    reply = await api(v + "/artifacts/huge.bin", method="PUT", body=b"x" * 5000, expect=None, expect_100_continue=True)
    data = assert_error(reply, 413, reason="too_large", contains="limit is 1,000 bytes")
    assert data["max_bytes"] == 1000
    files = (await api(v)).json["artifacts"]
    assert "huge.bin" not in {f["path"] for f in files}


@pytest.mark.parametrize("mlops_backends", ["mlflow"], indirect=True)
async def test_upload_requires_authentication(jp_serverapp, http_server_client, jp_base_url):
    from jupyter_server.utils import url_path_join

    url = url_path_join(jp_base_url, "jupyterlab-mlops", "backends/default/models/m/versions/1/artifacts/f.bin")
    with pytest.raises(HTTPClientError) as err:
        await http_server_client.fetch(url, method="PUT", body=b"x")
    assert err.value.code in (401, 403)


@pytest.mark.parametrize("mlops_backends", ["mlflow"], indirect=True)
async def test_abandoned_upload_is_cleaned_up(api, seed, jp_http_port, jp_auth_header, jp_base_url):
    import asyncio

    name = seed.model()
    run = seed.run()
    v = (
        await api(model_path(seed.name, name, "versions"), method="POST", body={"run_id": run.run_id}, expect=201)
    ).json["version"]["route"]
    reader, writer = await asyncio.open_connection("127.0.0.1", jp_http_port)
    auth = "".join(f"{k}: {val}\r\n" for k, val in jp_auth_header.items())
    writer.write(
        f"PUT {jp_base_url}jupyterlab-mlops/{v}/artifacts/partial.bin HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{jp_http_port}\r\n{auth}"
        f"Content-Length: 1000000\r\nExpect: 100-continue\r\n\r\n".encode()
    )
    # tornado says "100 Continue" once prepare() is done: the upload to the backend is open
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    assert head.startswith(b"HTTP/1.1 100"), head + await reader.read(200)
    writer.write(b"x" * 100_000)
    await writer.drain()
    writer.write_eof()  # the browser goes away mid-body
    assert await asyncio.wait_for(reader.read(), 30) == b""  # the server noticed and closed the connection
    writer.close()
    files = {f["path"] for f in (await api(v)).json["artifacts"]}
    assert "partial.bin" not in files  # the backend saw a short body and stored nothing
    got = (await api(v + "/artifacts/whole.bin", method="PUT", body=b"y" * 10, expect=201)).json
    assert got["size"] == 10

"""One output path scrubs secrets (DESIGN §9): a backend whose data and errors echo the configured token
never gets it into a response body, a header or a log line, on every route of the extension.

The backend entry carries ``"token": SECRET`` (the real MLflow server ignores tokens); the seeded run has
the token in its name, a param value and key, a tag, a metric key, an artifact's name and content, and
its notebook snapshot; the experiment and the model version carry it too. No request puts the token in
its URL (Jupyter's access log records URLs as sent), so every occurrence in an answer came from the backend.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any
from urllib.parse import urlencode

import nbformat
import pytest
from jupyter_server.utils import url_path_join

from jupyterlab_mlops.client.redact import MARK, Redactor
from jupyterlab_mlops.server.routes import handlers
from jupyterlab_mlops.snapshot.scrub import Scrubber

from .mlflow_fixture import MlflowRest

SECRET = f"s3cr3t-{uuid.uuid4().hex}"
BACKEND = {"name": "default", "kind": "mlflow", "url": "{mlflow}", "token": SECRET}
HOSTILE = pytest.mark.parametrize("mlops_backends", [BACKEND], indirect=True)


# -- the scrubber itself -----------------------------------------------------------------------------
def test_one_scrubber_for_text_json_and_bytes() -> None:
    r = Redactor([SECRET, "short"])
    doc = {"a": f'x{SECRET}"y', SECRET: [1, "glpat-" + "a" * 20, {"k": f"\\{SECRET}\u00e9"}], "n": 1.5}
    out = r.dumps(doc)
    assert SECRET not in out and "glpat-" not in out
    assert json.loads(out) == {"a": f'x{MARK}"y', MARK: [1, MARK, {"k": f"\\{MARK}\u00e9"}], "n": 1.5}
    clean = json.dumps({"runs": [{"name": "short", "v": 0.1}]})
    assert r.json(clean) is clean  # nothing found: the text itself, not a copy
    raw = b"\x00\xff" + SECRET.encode() + b"\xfe"  # binary: replaced without decoding
    assert r.body(raw, "application/octet-stream") == b"\x00\xff" + MARK.encode() + b"\xfe"
    assert json.loads(r.body(json.dumps({"m": f"echo {SECRET}"}).encode(), "application/json")) == {"m": f"echo {MARK}"}
    assert r.text(f"Authorization: Bearer {SECRET}") == f"Authorization: Bearer {MARK}"
    # snapshots keep their marks and counts, on the same rules
    s = Scrubber.with_secrets([SECRET])
    assert s.text(f"{SECRET} glpat-{'b' * 20}") == "[REDACTED:configured_token] [REDACTED:gitlab_token]"
    assert s.counts == {"configured_token": 1, "gitlab_token": 1}


# -- every route, against a backend that echoes the token ---------------------------------------------
@pytest.fixture
def hostile(mlflow_server, jp_root_dir) -> dict[str, Any]:
    """An experiment, two runs and a model version whose data contain SECRET (written straight to MLflow)."""
    rest = MlflowRest(mlflow_server.url)
    tag = uuid.uuid4().hex[:8]
    exp_name = f"exp-{tag}-{SECRET}"
    exp = rest.create_experiment(exp_name, tags={"note": SECRET})
    runs = []
    for i in range(2):
        run = rest.create_run(exp, run_name=f"run-{SECRET}-{i}", tags={"t": f"tag {SECRET}"})
        rid = run["info"]["run_id"]
        rest.log_batch(
            rid,
            metrics={"loss": 0.5 + i, f"m-{SECRET}": 1.0},
            params={"p": f"x{SECRET}y", f"k-{SECRET}": "v", "lr": str(i)},
        )
        rest.upload_artifact(run, "notes.txt", f"the token is {SECRET}\n".encode())
        rest.upload_artifact(run, f"{SECRET}.txt", b"named after the token")
        nb = nbformat.v4.new_notebook()
        nb.cells.append(nbformat.v4.new_code_cell(f"token = '{SECRET}'  # cell {i}", id=f"c{i}"))
        rest.upload_artifact(run, "notebook.ipynb", nbformat.writes(nb).encode())
        record = {"format": 1, "path": f"work/{SECRET}.ipynb", "sha256": "0" * 64, "run_id": rid}
        rest.upload_artifact(run, "snapshot.json", json.dumps(record).encode())
        runs.append(rid)
    model = f"model-{tag}"
    rest.post(
        "registered-models/create",
        {"name": model, "description": f"about {SECRET}", "tags": [{"key": "t", "value": SECRET}]},
    )
    rest.post(
        "model-versions/create",
        {"name": model, "run_id": runs[0], "source": f"runs:/{runs[0]}/model", "description": f"v1 {SECRET}"},
    )
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"t = '{SECRET}'", id="x")]),
        str(jp_root_dir / "local.ipynb"),
    )
    return {"exp": exp, "exp_name": exp_name, "runs": runs, "model": model}


def _requests(h: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(method, path?query, JSON body): together they reach every route of ``routes.handlers()``."""
    r0, r1, m = h["runs"][0], h["runs"][1], h["model"]
    run, model = f"backends/default/runs/{r0}", f"backends/default/models/{m}"
    exp = f"backends/default/experiments/{h['exp']}"
    ver = f"{model}/versions/1"
    mlflow = "backends/default/mlflow/api/2.0/mlflow"
    both = urlencode({"run": [f"default:{r0}", f"default:{r1}"], "metric": "loss"}, doseq=True)
    return [
        ("GET", "status", None),
        ("POST", f"{mlflow}/runs/search", {"experiment_ids": [h["exp"]]}),
        ("GET", f"{mlflow}/experiments/get?experiment_id={h['exp']}", None),
        ("POST", f"{mlflow}/experiments/create", {"name": h["exp_name"]}),  # MLflow's error echoes the name
        ("GET", "backends/default/experiments?max_results=1000", None),
        ("GET", f"backends/default/experiments/{h['exp']}/summary", None),
        ("GET", f"backends/default/experiments/{h['exp']}/runs?columns=params.p,tags.t", None),
        ("GET", run, None),
        ("GET", f"{run}/metrics/loss", None),
        ("GET", f"{run}/artifacts", None),
        ("GET", f"{run}/artifacts/download?path=missing.txt", None),
        ("GET", f"compare?{both}", None),
        ("GET", f"compare.csv?{both}", None),
        ("GET", f"{model}/next-version", None),
        ("POST", f"{model}/versions", {"run_id": r1, "description": f"promoted {SECRET}"}),
        ("POST", f"{model}/versions", {"run_id": SECRET}),  # the backend's error echoes it
        ("GET", f"{model}/champion?run_id={r1}", None),
        ("GET", "models", None),
        ("GET", model, None),
        ("GET", ver, None),
        ("POST", f"{model}/aliases", {"alias": "champion", "version": "1"}),
        ("POST", f"{model}/aliases", {"alias": SECRET, "version": "1"}),  # a refused alias echoes it
        ("DELETE", f"{model}/aliases/champion", None),
        ("POST", f"{ver}/links", {"url": f"https://gitlab.example/g/p/-/issues/1#{SECRET}"}),
        ("DELETE", f"{ver}/links/0", None),
        ("PUT", f"{ver}/artifacts/notes.txt", b"uploaded"),
        ("GET", f"{ver}/artifacts/download?path=missing.txt", None),
        ("GET", f"{run}/snapshot", None),
        ("POST", f"{run}/snapshot", {"path": "local.ipynb"}),
        ("POST", f"{run}/snapshot", {"path": f"{SECRET}.ipynb"}),  # our own error echoes it
        ("POST", f"{run}/snapshot/restore", {}),
        ("GET", f"snapshots/diff?{urlencode({'a': f'default:{r0}', 'b': f'default:{r1}'})}", None),
        ("POST", "backends/default/restart", {}),  # not embedded here: 400
        ("GET", "backends/default/log?lines=10", None),
        # edits: values carrying the token come back in the answers (scrubbed)
        (
            "PATCH",
            f"backends/default/runs/{r1}/edit",
            {"description": f"about {SECRET}", "tags": {"set": {"k": SECRET}}},
        ),
        ("POST", f"{exp}/runs/delete", {"run_ids": [r1]}),
        ("GET", f"{exp}/runs/deleted", None),
        ("POST", f"{exp}/runs/restore", {"run_ids": [r1]}),
        ("PATCH", f"{exp}/edit", {"description": f"exp {SECRET}", "tags": {"set": {"k": SECRET}}}),
        ("PATCH", model, {"description": f"model {SECRET}", "set_tags": {"k": SECRET}}),
        ("PATCH", ver, {"description": f"version {SECRET}"}),
        ("POST", "models", {"backend": "default", "name": f"bad name {SECRET}"}),  # the refusal may echo it
        ("DELETE", ver, None),
        ("DELETE", f"{model}?confirm={m}", None),
        ("POST", f"{exp}/delete", None),
        ("GET", "backends/default/experiments/deleted", None),
        ("POST", f"{exp}/restore", None),
    ]


def _route(path: str) -> type:
    """The handler tornado picks for a path (first pattern that matches, as in ``routes.handlers()``)."""
    return next(h for p, h in handlers() if re.fullmatch(p, path.split("?", 1)[0]))


@HOSTILE
async def test_no_route_leaks_the_token(hostile, jp_serverapp, http_server_client, jp_auth_header, jp_base_url, caplog):
    reqs = _requests(hostile)
    assert {_route(path) for _, path, _ in reqs} == {h for _, h in handlers()}, "every route is exercised"
    logger = jp_serverapp.log
    logger.addHandler(caplog.handler)  # the server's logger does not propagate to the root logger
    caplog.set_level(logging.DEBUG)
    answers: dict[tuple[str, str, str], tuple[int, str]] = {}
    try:
        for method, path, body in reqs:
            data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
            if data is None and method in ("POST", "PUT"):
                data = b""
            resp = await http_server_client.fetch(
                url_path_join(jp_base_url, "jupyterlab-mlops", path),
                method=method,
                body=data,
                raise_error=False,
                headers={**jp_auth_header, "Content-Type": "application/json"},
                allow_nonstandard_methods=True,
                request_timeout=120,
            )
            text = resp.body.decode("utf-8", "replace")
            assert SECRET not in text, f"{method} {path}: {resp.code} {text[:500]}"
            for name, value in resp.headers.get_all():
                assert SECRET not in value, f"{method} {path}: header {name}: {value}"
            assert resp.code < 500 or resp.code == 502, f"{method} {path}: {resp.code} {text[:300]}"
            if "json" in resp.headers.get("Content-Type", ""):
                json.loads(resp.body)  # scrubbing kept it valid JSON
            answers[(method, path, repr(body))] = (resp.code, text)
        # httpx's own INFO lines show outgoing URLs (here with the run id the test posted), never headers
        logged = "\n".join(caplog.handler.format(r) for r in caplog.records if not r.name.startswith("http"))
    finally:
        logger.removeHandler(caplog.handler)
    got = {k[:2]: v for k, v in answers.items() if k[2] == repr(None)}
    r0 = hostile["runs"][0]
    detail = json.loads(got[("GET", f"backends/default/runs/{r0}")][1])
    assert detail["params"]["p"] == f"x{MARK}y" and f"k-{MARK}" in detail["params"]
    assert detail["info"]["run_name"] == f"run-{MARK}-0" and f"m-{MARK}" in detail["metrics"]
    assert f"{MARK}.txt" in {f["path"] for f in detail["artifacts"]["files"]}
    csv = next(t for (m, p), (c, t) in got.items() if p.startswith("compare.csv"))
    assert f"x{MARK}y" in csv
    snapshot = json.loads(got[("GET", f"backends/default/runs/{r0}/snapshot")][1])
    assert "".join(snapshot["notebook"]["cells"][0]["source"]) == f"token = '{MARK}'  # cell 0"
    echoing = (repr({"run_id": SECRET}), repr({"path": f"{SECRET}.ipynb"}), repr({"name": hostile["exp_name"]}))
    echoes = [(code, text) for (m, p, b), (code, text) in answers.items() if b in echoing]
    assert len(echoes) == 3 and all(code >= 400 and MARK in text for code, text in echoes), echoes
    assert "-> 404" in logged  # the error lines were captured...
    assert SECRET not in logged  # ...and scrubbed


@HOSTILE
async def test_download_of_an_artifact_is_byte_exact(hostile, jp_fetch):
    """Streamed file downloads are the backend's bytes as stored (DESIGN §8 P8): a file is never rewritten.

    Their headers still pass the scrubber (the base handler's ``flush``)."""
    resp = await jp_fetch(
        "jupyterlab-mlops",
        "backends",
        "default",
        "runs",
        hostile["runs"][0],
        "artifacts",
        "download",
        params={"path": "notes.txt"},
    )
    assert resp.body == f"the token is {SECRET}\n".encode()
    assert all(SECRET not in v for _, v in resp.headers.get_all())
    named = await jp_fetch(
        "jupyterlab-mlops",
        "backends",
        "default",
        "runs",
        hostile["runs"][0],
        "artifacts",
        "download",
        params={"path": f"{SECRET}.txt"},
    )  # the file name goes into a header
    assert named.body == b"named after the token" and MARK in named.headers["Content-Disposition"]
    assert all(SECRET not in v for _, v in named.headers.get_all())


@HOSTILE
async def test_uncaught_error_and_its_traceback_are_scrubbed(hostile, jp_serverapp, jp_fetch, caplog, monkeypatch):
    from jupyterlab_mlops.server.views import registry

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"backend said {SECRET}")

    monkeypatch.setattr(registry.rv, "model_page", boom)
    jp_serverapp.log.addHandler(caplog.handler)
    try:
        with pytest.raises(Exception) as err:
            await jp_fetch("jupyterlab-mlops", "backends", "default", "models", hostile["model"])
    finally:
        jp_serverapp.log.removeHandler(caplog.handler)
    resp = err.value.response
    assert resp.code == 500 and json.loads(resp.body)["error"] == "internal_error"
    assert "Traceback" in caplog.text and "RuntimeError: backend said [redacted]" in caplog.text
    assert SECRET not in caplog.text and SECRET.encode() not in resp.body

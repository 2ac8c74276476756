"""Generated code takes every name, version, run id, URI and tag as a literal: hostile text from a
shared backend (newlines, CR, quotes, backslashes, ``#``, triple quotes, unicode, control characters)
goes through the one "use in notebook" generator (``views/snippets.use_snippet``: version page and
``mlops.models()`` widget) and the code still parses to exactly the intended calls."""

from __future__ import annotations

import ast
import io
import json
import subprocess
import sys
import tokenize
import uuid

import pytest

from jupyterlab_mlops.client import Backend
from jupyterlab_mlops.client.models import FileInfo, ModelVersion
from jupyterlab_mlops.client.sync import SyncClient
from jupyterlab_mlops.views import version_page as vp
from jupyterlab_mlops.views import snippets
from jupyterlab_mlops.widgets._common import esc

from .kernel_support import use_backend

PAYLOAD = "open('pwned','w').write('pwned')"
HOSTILE = [
    f"1.0.0\n{PAYLOAD}  #",
    f"x\r{PAYLOAD}",
    f"x\r\n{PAYLOAD}",
    f"it's'); {PAYLOAD}; ('",
    f'say "hi"); {PAYLOAD}; ("',
    "back\\slash\\",
    f"# {PAYLOAD}",
    f'"""\n{PAYLOAD}\n"""',
    f"'''\n{PAYLOAD}\n'''",
    "ünï©ødé \u202e\u2028\u2029\x85",
    "\x01\x07\x0b\x0c\x1b[31m\x7f",
    f"x\\\n{PAYLOAD}",
    f"{{{PAYLOAD}}}",
    "\\N{x}\\u0041 \\x00",
]


def _call_names(tree: ast.AST) -> set[str]:
    return {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}


def check_code(snip: dict, *, uri: str, url: str) -> None:
    """The snippet parses to exactly the intended statements and calls, its strings are ours and its
    comments one printable line each."""
    code = snip["code"]
    tree = ast.parse(code)
    pyfunc = snip["kind"] == "pyfunc"
    want = ["Import"] + ([] if snip["kernel_ready"] else ["Expr"]) + ["Assign"] + ([] if pyfunc else ["Expr"])
    assert [type(s).__name__ for s in tree.body] == want, code
    calls = {"mlflow.pyfunc.load_model"} if pyfunc else {"mlflow.artifacts.download_artifacts", "print"}
    assert _call_names(tree) == calls | (set() if snip["kernel_ready"] else {"mlflow.set_tracking_uri"}), code
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    assert sorted(strings) == sorted([uri] + ([] if snip["kernel_ready"] else [url])), code
    assert snip["uri"] == uri
    comments = [t.string for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type == tokenize.COMMENT]
    assert comments and all(c.isprintable() for c in comments), comments
    assert len(code.splitlines()) == len(want) + 1  # + the comment line: no line smuggled in
    params = ast.parse(snip["params_code"])
    assert [type(s).__name__ for s in params.body] == ["Assign"] and not _call_names(params)


def check_params(snip: dict, params: dict[str, str]) -> dict:
    got = ast.literal_eval(snip["params_code"].split("=", 1)[1].strip())
    assert set(got) == set(params)
    return got


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("kind", ["mlflow", "gitlab"])
def test_pure_generator_with_hostile_inputs(hostile, kind):
    backend = Backend(name=hostile, url=f"http://h/{hostile}", kind=kind)
    mv = ModelVersion(
        name=hostile,
        version=hostile,
        version_id=hostile,
        semver=hostile,
        run_id=hostile,
        source=hostile,
        tags={hostile: hostile, "gitlab.version": hostile},
        aliases=[hostile],
    )
    params = {
        hostile: hostile,
        "lr": "0.01",
        "inf": "1e999",
        "nested": f"[1, {hostile!r}]",
        "big": "9" * 5000,
        "deep": "[" * 500 + "]" * 500,
        "set": "{1, 2}",
        "call": f"__import__('os').system({hostile!r})",
    }
    for files in ([], [FileInfo(path="MLmodel", is_dir=False, file_size=1)]):
        for ready in (True, False):
            snip = snippets.use_snippet(backend, hostile, mv, files, params, kernel_ready=ready)
            check_code(snip, uri=f"models:/{hostile}/{hostile}", url=backend.url)
            got = check_params(snip, params)
            assert got[hostile] == hostile and got["lr"] == 0.01 and got["inf"] == "1e999"
            assert got["nested"] == [1, hostile] and got["call"] == params["call"] and got["set"] == "{1, 2}"


def _hostile_version(mlflow_rest, name: str, semver: str) -> tuple[str, str]:
    exp = mlflow_rest.create_experiment()
    run_id = mlflow_rest.create_run(exp)["info"]["run_id"]
    mlflow_rest.log_batch(run_id, params={"p": semver, "q": "[1, 2]"})
    mlflow_rest.create_registered_model(name)
    mv = mlflow_rest.post(
        "model-versions/create",
        {
            "name": name,
            "run_id": run_id,
            "source": f"runs:/{run_id}/model",
            "tags": [{"key": "gitlab.version", "value": semver}, {"key": "note", "value": semver}],
        },
    )
    return run_id, mv["model_version"]["version"]


def test_version_page_of_a_hostile_version_on_the_real_server(mlflow_server, mlflow_rest, tmp_path):
    tag = uuid.uuid4().hex[:8]
    client = SyncClient(Backend.from_uri(mlflow_server.url, name="default"), timeout=60)
    codes = []
    try:
        for i, hostile in enumerate(HOSTILE[:9]):
            name = f"{tag}-{i}-{hostile}"
            _run_id, version = _hostile_version(mlflow_rest, name, hostile)
            page = client.drive(
                vp.version_page(client.api, client.backend, name, version, kernel_ready=False, max_upload=None)
            )
            snip = page["use_snippet"]
            assert page["semver"] == hostile and snip["kind"] == "files"
            check_code(snip, uri=f"models:/{name}/{version}", url=mlflow_server.url)
            assert check_params(snip, page["params"]) == {"p": hostile, "q": [1, 2]}
            codes.append(snip["code"])
    finally:
        client.close()
    # the inserted cells really run: loading fails (the versions have no files), the colleague's code never does
    runner = (
        "import json, sys\nfor c in json.load(sys.stdin):\n    try: exec(c, {})\n    except Exception as e: print(e)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", runner],
        input=json.dumps(codes),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"MLFLOW_DISABLE_TELEMETRY": "true", "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0 and proc.stdout.count("\n") >= len(codes), proc.stderr[-2000:]
    assert not (tmp_path / "pwned").exists()


def test_models_widget_uses_the_same_generator(mlflow_server, mlflow_rest, tmp_path):
    api = use_backend(mlflow_server.url, spool_dir=tmp_path)
    name = f"{uuid.uuid4().hex[:8]}-{HOSTILE[0]}"
    _hostile_version(mlflow_rest, name, HOSTILE[0])
    browser = api.models()
    browser.filter.value = name
    assert browser.models.value == name and browser.selected_version().semver == HOSTILE[0]
    snip = browser.snippet
    check_code(snip, uri=f"models:/{name}/1", url=mlflow_server.url)
    assert snip["kernel_ready"] is snippets.kernel_points_at(api._S.client.backend)
    assert esc(snip["code"]) in browser.details.value  # shown as text

"""Snapshot building blocks: scrubbing, caps, canonical form, git info, diff, environment, kernel hook."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat
import pytest

from jupyterlab_mlops.client.errors import InvalidInput
from jupyterlab_mlops.kernel import snapshot_hook
from jupyterlab_mlops.server.views.snapshots import kernel_env
from jupyterlab_mlops.snapshot import environment, gitinfo
from jupyterlab_mlops.snapshot.diff import diff_notebooks
from jupyterlab_mlops.snapshot.notebook import Options, parse_notebook, prepare, validate
from jupyterlab_mlops.snapshot.record import restore_candidates, source_tags
from jupyterlab_mlops.snapshot.scrub import Scrubber

GLPAT = "glpat-" + "Ab3dEf6hIj9kLm2nOp5q"
AWS_ID = "AKIA" + "IOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
GCP = "AIza" + "SyA1234567890abcdefghijklmnopqrstuv"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1234567890\n-----END RSA PRIVATE KEY-----"


def notebook(*cells: dict[str, Any]) -> dict[str, Any]:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.from_dict(c) for c in cells]
    return json.loads(nbformat.writes(nb))  # the on-disk form: lists of lines


def code(source: str, *outputs: dict[str, Any], tags: tuple[str, ...] = ()) -> dict[str, Any]:
    cell = nbformat.v4.new_code_cell(source, outputs=[nbformat.from_dict(o) for o in outputs])
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def stream(text: str) -> dict[str, Any]:
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def display(data: dict[str, Any]) -> dict[str, Any]:
    return nbformat.v4.new_output("display_data", data=data)


# -- scrubbing ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, kind",
    [
        (f"token = '{GLPAT}'", "gitlab_token"),
        (f"key={AWS_ID}", "aws_access_key"),
        (f"aws_secret_access_key = {AWS_SECRET}", "aws_secret_key"),
        (f"maps key {GCP}", "gcp_api_key"),
        (PEM, "private_key"),
        ("DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abcdefghijklmnopqrstuvwxyz012345==;", "azure_key"),
        ("curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig'", "bearer_token"),
        ("ghp_" + "a" * 36, "github_token"),
    ],
)
def test_scrub_patterns(text: str, kind: str) -> None:
    s = Scrubber.with_secrets([])
    out = s.text(text)
    assert f"[REDACTED:{kind}]" in out and s.counts == {kind: 1}, (out, s.counts)


def test_scrub_configured_tokens_and_keeps_ordinary_text() -> None:
    s = Scrubber.with_secrets(["my-backend-token-123", "short", None])
    assert (
        s.text("x my-backend-token-123 y my-backend-token-123")
        == "x [REDACTED:configured_token] y [REDACTED:configured_token]"
    )
    plain = "global glob bearer of news, AKIA is a word, secret recipe"
    assert s.text(plain) == plain and s.counts == {"configured_token": 2}


def test_scrub_tree_skips_binary_mime_values() -> None:
    blob = "AKIA" + "ABCDEFGHIJKLMNOP"  # looks like a key, but inside base64 image data it is not text
    tree = {"data": {"image/png": blob, "text/plain": GLPAT}, "text": [GLPAT, "ok"]}
    s = Scrubber.with_secrets([])
    s.tree(tree)
    assert tree["data"]["image/png"] == blob
    assert GLPAT not in json.dumps(tree) and s.counts == {"gitlab_token": 2}


# -- prepare -----------------------------------------------------------------------------------------
def test_prepare_excludes_scrubs_and_hashes_canonically() -> None:
    nb = notebook(
        code("a = 1\nprint(a)", stream(f"{GLPAT}\n")),
        code("secret = 'x'", tags=("mlops-exclude",)),
        nbformat.v4.new_markdown_cell("# Title"),
    )
    p = prepare(nb, Options(secrets=("a-configured-token",)))
    assert p.excluded_cells == 1 and p.cells == 2 and p.scrubbed == {"gitlab_token": 1}
    assert p.sha256 == hashlib.sha256(p.data).hexdigest() and p.kernel["name"] == "python3"
    text = p.data.decode()
    assert GLPAT not in text and "secret = 'x'" not in text
    back = validate(parse_notebook(p.data))
    assert back["cells"][0]["source"] == "a = 1\nprint(a)"  # lines joined
    nbformat.reads(p.data.decode(), as_version=4)  # readable by nbformat itself


def test_prepare_is_deterministic() -> None:
    def make() -> dict[str, Any]:
        nb = notebook(code("x = 1", display({"text/plain": "1", "text/html": "<b>1</b>"})))
        nb["cells"][0]["id"] = "fixed"
        return nb

    assert prepare(make()).sha256 == prepare(make()).sha256


def test_output_cap_replaces_large_outputs_with_a_note() -> None:
    nb = notebook(code("big()", stream("x" * 50_000), stream("small\n")))
    p = prepare(nb, Options(output_max_bytes=10_000))
    outs = json.loads(p.data)["cells"][0]["outputs"]
    assert p.outputs_truncated == 1 and "left out of the snapshot" in outs[0]["text"] and outs[1]["text"] == "small\n"


def test_size_cap_drops_largest_outputs_then_refuses() -> None:
    nb = notebook(code("a()", stream("a" * 20_000)), code("b()", stream("b" * 8_000)), code("c()", stream("ok\n")))
    p = prepare(nb, Options(max_bytes=15_000))
    assert p.size <= 15_000 and p.outputs_dropped == 1
    outs = [c["outputs"] for c in json.loads(p.data)["cells"]]
    assert "dropped" in outs[0][0]["text"] and outs[1][0]["text"] == "b" * 8_000 and outs[2][0]["text"] == "ok\n"
    with pytest.raises(InvalidInput) as err:
        prepare(notebook(code("x" * 20_000, stream("out"))), Options(max_bytes=10_000))
    assert err.value.reason == "snapshot_too_large" and "without outputs" in err.value.message


def test_invalid_notebooks_are_clear_errors() -> None:
    for bad in (b"not json", b"[1, 2]", b'{"nbformat": 4, "cells": "x"}', b'{"nbformat": 9, "cells": []}'):
        with pytest.raises(InvalidInput) as err:
            parse_notebook(bad)
        assert err.value.reason == "invalid_notebook"
    for cells in (
        [{"cell_type": "code", "outputs": 2.5}],
        [{"cell_type": "code", "attachments": True}],
        [{"cell_type": "code", "source": [1]}],
        [{"cell_type": "code", "outputs": [{"text": "x"}]}],
        [{"cell_type": "code", "outputs": [{"output_type": "stream", "data": []}]}],
        [3],
    ):
        with pytest.raises(InvalidInput, match="not a valid notebook"):
            parse_notebook(json.dumps({"nbformat": 4, "cells": cells}))
    broken = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": 3}]}
    with pytest.raises(InvalidInput, match="not a valid notebook"):
        validate(broken)


# -- git -----------------------------------------------------------------------------------------------
def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_git_info_in_a_dirty_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "nbs").mkdir(parents=True)
    _git(repo, "init")
    (repo / "train.py").write_text("lr = 0.1\n")
    (repo / "nbs" / "nb.ipynb").write_text("{}")
    _git(repo, "add", ".")
    _git(repo, "commit", "-m", "first")
    _git(repo, "remote", "add", "origin", f"https://oauth2:{GLPAT}@gitlab.example.com/g/p.git")
    (repo / "train.py").write_text("lr = 0.2\n")
    (repo / "nbs" / "nb.ipynb").write_text('{"changed": true}')
    (repo / "new.txt").write_text("x")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    info = gitinfo.git_info(repo / "nbs" / "nb.ipynb")
    assert info["commit"] == head and info["branch"] == "main"
    assert info["remote"] == "https://gitlab.example.com/g/p.git"
    assert info["dirty"] is True and info["untracked"] == ["new.txt"] and info["path_in_repo"] == "nbs/nb.ipynb"
    assert "+lr = 0.2" in info["diff"] and "changed" not in info["diff"]  # the notebook's own diff is left out
    capped = gitinfo.git_info(repo / "nbs" / "nb.ipynb", diff_max_bytes=20)
    assert capped["diff_truncated"] is True and len(capped["diff"]) == 20


def test_git_info_outside_a_repository_is_empty(tmp_path: Path) -> None:
    (tmp_path / "nb.ipynb").write_text("{}")
    assert gitinfo.git_info(tmp_path / "nb.ipynb") == gitinfo.empty()
    assert gitinfo.git_info(tmp_path / "missing" / "nb.ipynb") == gitinfo.empty()


# -- diff, restore names, tags -----------------------------------------------------------------------
def test_diff_finds_exactly_the_changed_cell() -> None:
    a = notebook(code("x = 1"), code("y = 2", stream("2\n")), code("z = 3"))
    b = notebook(code("x = 1"), code("y = 20", stream("20\n")), code("z = 3"))
    for nb_b in (b, json.loads(prepare(b).data)):  # on-disk (lines) and canonical (joined) forms agree
        d = diff_notebooks(a, nb_b)
        assert d["summary"] == {"unchanged": 2, "modified": 1, "added": 0, "removed": 0}
        mod = [c for c in d["cells"] if c["status"] == "modified"][0]
        assert (mod["a_index"], mod["b_index"]) == (1, 1) and "-y = 2" in mod["source_diff"]
        assert "+y = 20" in mod["source_diff"] and mod["outputs_changed"] and "+20" in mod["outputs_diff"]


def test_diff_added_removed_and_output_only_changes() -> None:
    a = notebook(code("a", stream("1")), code("gone"))
    b = notebook(code("a", stream("2")), code("new1"), code("new2"))
    d = diff_notebooks(a, b)
    statuses = [c["status"] for c in d["cells"]]
    assert statuses[0] == "modified" and d["cells"][0]["source_diff"] == "" and d["cells"][0]["outputs_changed"]
    assert d["summary"]["added"] + d["summary"]["modified"] == 3 and len(d["cells"]) == 3


def test_restore_candidates_never_repeat() -> None:
    gen = restore_candidates("work/nb.ipynb", "0123456789abcdef")
    assert [next(gen) for _ in range(3)] == [
        "work/nb-01234567.ipynb",
        "work/nb-01234567-1.ipynb",
        "work/nb-01234567-2.ipynb",
    ]
    assert next(restore_candidates("nb.ipynb", "abc", "")) == "nb-abc.ipynb"


def test_source_tags() -> None:
    tags = source_tags(
        {
            "path": "a/nb.ipynb",
            "sha256": "f" * 64,
            "user": "ana",
            "git": {"commit": "c" * 40, "branch": "main", "remote": ""},
        }
    )
    assert tags == {
        "mlflow.source.name": "a/nb.ipynb",
        "mlflow.source.type": "NOTEBOOK",
        "mlflow.source.git.commit": "c" * 40,
        "mlflow.source.git.branch": "main",
        "mlflow.user": "ana",
        "mlops.snapshot.sha256": "f" * 64,
    }


# -- environment, kernel env, hook ------------------------------------------------------------------------
def test_packages_and_interpreter() -> None:
    pkgs = environment.packages()
    assert "nbformat" in pkgs and pkgs["nbformat"] == nbformat.__version__
    assert environment.same_interpreter(["python", "-m", "ipykernel_launcher"])
    assert environment.same_interpreter([sys.executable])
    assert not environment.same_interpreter(["/opt/other/bin/python3.99"]) and not environment.same_interpreter([])
    assert environment.clean_packages({"a": 1, 2: "x", "b" * 300: "1"}) == {"a": "1"}


def test_kernel_env() -> None:
    app = SimpleNamespace(
        sock="", ip="", certfile="", port=8888, base_url="/user/ana/", identity_provider=SimpleNamespace(token="tok")
    )
    assert kernel_env(app) == {"MLOPS_SERVER_URL": "http://127.0.0.1:8888/user/ana/", "MLOPS_SERVER_TOKEN": "tok"}
    app.ip, app.certfile = "::", "/c.pem"
    assert kernel_env(app)["MLOPS_SERVER_URL"] == "https://[::1]:8888/user/ana/"
    app.sock = "/tmp/j.sock"
    assert kernel_env(app) == {}


def test_hook_outside_a_kernel_does_nothing() -> None:
    hooks: list[Any] = []
    snapshot_hook.register(hooks)
    snapshot_hook.register(hooks)
    assert hooks == [snapshot_hook.on_run_end]
    assert snapshot_hook.request("r1") is None
    assert snapshot_hook._known_backend("http://h/base/jupyterlab-mlops/backends/team/mlflow") == "team"

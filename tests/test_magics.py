"""``%mlops`` / ``%%mlops`` in a real IPython ``InteractiveShell`` against the real MLflow server and the
GitLab-dialect server: every verb, the bad input of issue 5, and a backend outage."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from .kernel_support import api_on, get_run, history, kv, use_backend

ROOT = Path(__file__).resolve().parents[1]


def uniq(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def shell():
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "jupyterlab_mlops")
    return ip


@pytest.fixture(params=["mlflow", "gitlab"])
def backend(request, tmp_path):
    yield from api_on(request, tmp_path)


@pytest.fixture
def mlflow_only(mlflow_server, tmp_path):
    api = use_backend(mlflow_server.url, spool_dir=tmp_path / "spool")
    yield api
    for run in list(reversed(api.session().stack)):
        run.end()


def run(shell, capsys, source: str) -> tuple[str, str]:
    shell.run_cell(source, store_history=False)
    out = capsys.readouterr()
    return out.out, out.err


def test_load_ext_is_light():
    """No mlflow, no requests at ``%load_ext`` (its time is P6 in benchmarks/p6_load_ext.py)."""
    code = textwrap.dedent("""
        import sys
        from IPython.core.interactiveshell import InteractiveShell
        ip = InteractiveShell.instance()
        ip.run_line_magic("load_ext", "jupyterlab_mlops")
        assert "mlops" in ip.magics_manager.magics["line"] and "mlops" in ip.magics_manager.magics["cell"]
        print("mlflow" in sys.modules, "requests" in sys.modules)
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MLFLOW_TRACKING_URI": ""}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    mlflow_loaded, requests_loaded = out.stdout.split()
    assert mlflow_loaded == "False" and requests_loaded == "False"


def test_help(shell, capsys):
    out, err = run(shell, capsys, "%mlops --help")
    assert "%mlops log metric k=v" in out and "%%mlops run" in out and "starts one" in out and not err
    out, err = run(shell, capsys, "%mlops")
    assert "%mlops experiment NAME" in out
    for verb in ("log metric", "start", "promote", "end", "flush", "log artifact", "configure"):
        out, err = run(shell, capsys, f"%mlops {verb} --help")
        assert f"usage: %mlops {verb}" in out and not err, verb


def test_every_line_verb(shell, capsys, backend, mlflow_server, tmp_path):
    api, kind = backend
    name = uniq("magic")
    out, err = run(shell, capsys, f"%mlops experiment {name}")
    assert f"experiment {name!r} (id " in out and not err
    out, err = run(shell, capsys, "%mlops start --name first --tag team=ds")
    assert "started run first" in out and not err
    run_id = api.active_run().run_id
    out, err = run(shell, capsys, '%mlops log param lr=1e-3 depth=5 "note=two words"')
    assert "param lr=0.001, depth=5, note=two words" in out and not err
    shell.user_ns["val"] = 0.25
    out, err = run(shell, capsys, "%mlops log metric loss={val} acc=0.9 --step 3")
    assert "metric loss=0.25, acc=0.9 (step 3)" in out and not err
    out, err = run(shell, capsys, "%mlops log tag stage=dev")
    assert "tag stage=dev" in out
    f = tmp_path / "report.txt"
    f.write_text("hello")
    out, err = run(shell, capsys, f"%mlops log artifact {f}")
    assert "as artifact 'report.txt'" in out and not err
    out, err = run(shell, capsys, "%mlops status")
    assert f"({kind})" in out and "state:      online" in out and name in out
    out, err = run(shell, capsys, "%mlops flush")
    assert "everything delivered" in out
    out, err = run(shell, capsys, "%mlops flush --retry-set-aside")
    assert "0 set-aside item(s) put back in line" in out and "everything delivered" in out
    out, err = run(shell, capsys, "%mlops end --status killed")
    assert "ended run first" in out and "KILLED" in out and "all data sent" in out and not err
    data = get_run(mlflow_server.url, run_id)
    assert data["info"]["status"] == "KILLED"
    assert kv(data["data"]["params"]) == {"lr": "0.001", "depth": "5", "note": "two words"}
    assert kv(data["data"]["tags"])["team"] == "ds" and kv(data["data"]["tags"])["stage"] == "dev"
    assert history(mlflow_server.url, run_id, "loss")[0] == {
        "key": "loss",
        "value": 0.25,
        "timestamp": history(mlflow_server.url, run_id, "loss")[0]["timestamp"],
        "step": 3,
    }


BAD = [
    ("%mlops log metric loss=abc", "mlops: metric 'loss' needs a number, got 'abc'"),
    ("%mlops log metric ok=1 loss=abc", "mlops: metric 'loss' needs a number, got 'abc'"),
    ("%mlops log param lr", "mlops: expected param as key=value, got 'lr'"),
    ("%mlops log metric loss=1 --step x", "argument --step/-s: invalid int value: 'x'"),
    ("%mlops log bogus a=1", "mlops: unknown verb 'log bogus'"),
    ("%mlops frobnicate", "mlops: unknown verb 'frobnicate'"),
    ("%mlops experiment", "the following arguments are required: name"),
    ("%mlops end --status weird", "invalid choice: 'WEIRD'"),
    ("%mlops log param 'unbalanced=1", "mlops: cannot parse the arguments"),
    ("%mlops log metric bad$key=1", "invalid metric name"),
    (
        "%mlops promote --model my-model --version v1.0.0",
        "mlops: Invalid version 'v1.0.0': a version must be a semantic version MAJOR.MINOR.PATCH",
    ),
    ("%mlops promote --model 'bad name' --version 1.0.0", "Invalid model name 'bad name'"),
    ("%mlops log artifact /no/such/file.bin", "mlops: artifact '/no/such/file.bin' is not a file"),
]


@pytest.mark.parametrize("line,message", BAD, ids=[b[0].split(" ", 1)[1][:30] for b in BAD])
def test_bad_input_is_one_line_and_sends_nothing(shell, capsys, mlflow_only, mlflow_server, line, message):
    api = mlflow_only
    api.experiment(uniq("bad"))
    api.start_run(name="target")
    run_id = api.active_run().run_id
    out, err = run(shell, capsys, line)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("mlops: ") and message in lines[0], err
    assert "Traceback" not in out + err
    api.end_run()
    data = get_run(mlflow_server.url, run_id)["data"]
    assert not data.get("metrics") and not data.get("params")


def test_end_without_run(shell, capsys, mlflow_only):
    out, err = run(shell, capsys, "%mlops end")
    assert err.strip() == "mlops: no active run to end"


def test_log_without_run_starts_one_once(shell, capsys, backend, mlflow_server):
    api, _ = backend
    name = uniq("auto")
    run(shell, capsys, f"%mlops experiment {name}")
    out, err = run(shell, capsys, "%mlops log metric a=1")
    assert err.count("no active run: started run") == 1 and name in err and "%mlops end" in err
    out, err = run(shell, capsys, "%mlops log metric a=2 --step 1")
    assert "no active run" not in err
    run_id = api.active_run().run_id
    out, err = run(shell, capsys, "%mlops end")
    assert "ended run" in out
    assert len(history(mlflow_server.url, run_id, "a")) == 2


def test_backend_down_warns_once_and_spools(shell, capsys, gitlab_server, mlflow_server, tmp_path):
    api = use_backend(gitlab_server.tracking_uri, gitlab_server.token, spool_dir=tmp_path)
    run(shell, capsys, f"%mlops experiment {uniq('down')}")
    run(shell, capsys, "%mlops start --name during-outage")
    run_id = api.active_run().run_id
    gitlab_server.outage = 502
    errs = ""
    for i in range(3):
        out, err = run(shell, capsys, f"%mlops log metric x={i} --step {i}")
        errs += err
        assert "metric x=" in out
    out, err = run(shell, capsys, "%mlops flush")
    errs += err
    assert "spooled" in out
    out, err = run(shell, capsys, "%mlops status")
    assert "offline" in out and "3 spooled" in out
    assert errs.count("mlops: ") == 1 and "logging continues offline" in errs and "Traceback" not in errs
    gitlab_server.reset_knobs()
    out, err = run(shell, capsys, "%mlops end")
    assert "all data sent" in out
    assert sorted(p["step"] for p in history(mlflow_server.url, run_id, "x")) == [0, 1, 2]


def test_promote_verb(shell, capsys, backend):
    api, kind = backend
    api.experiment(uniq("prom"))
    model = uniq("model")
    run(shell, capsys, "%mlops start --name to-promote")
    rid = api.active_run().run_id
    out, err = run(shell, capsys, f"%mlops promote --model {model} --version 2.0.0 -d 'the first'")
    assert f"run {rid} promoted to model {model!r} version 2.0.0" in out and not err
    run(shell, capsys, "%mlops end")
    out, err = run(shell, capsys, f"%mlops promote {rid} --model {model}")
    assert err.startswith("mlops: ") and "already version 2.0.0" in err and len(err.strip().splitlines()) == 1
    run(shell, capsys, "%mlops start --name second")
    out, err = run(shell, capsys, f"%mlops promote --model {model}")  # the active run, next patch
    assert "version 2.0.1" in out and not err
    if kind == "gitlab":  # not in the model's experiment: GitLab copies the candidate, and says so
        assert "own run" in out and "Copied" in out
    out, err = run(shell, capsys, f"%mlops promote {rid} --model {model} --version 2.0.0")
    assert err.startswith("mlops: ") and len(err.strip().splitlines()) == 1


def test_cell_run(shell, capsys, backend, mlflow_server):
    api, _ = backend
    exp = uniq("cells")
    out, err = run(shell, capsys, f"%%mlops run --experiment {exp} --name good\nimport time\nmlops_x = 41 + 1\n")
    assert "started run good" in out and "ended run good" in out and "FINISHED" in out
    good = api.session().status()  # noqa: F841 - the run is over; find it through the experiment
    result = shell.run_cell("%%mlops run --name bad\nraise ValueError('nope')\n", store_history=False)
    out, err = capsys.readouterr()
    assert "ValueError" in out + err and "FAILED" in out
    # the cell itself fails (Run All stops here), with one line under the body's own traceback
    assert not result.success and type(result.error_in_exec).__name__ == "CellFailed"
    assert (out + err).count("Traceback") <= 1 and "mlops: the cell raised ValueError; run bad" in out + err
    client = api.session().client
    exp_id = client.run(client.api.get_experiment_by_name(exp)).experiment_id
    runs = {r.run_name: r for r in client.run(client.api.search_runs([exp_id])).items}
    assert runs["good"].status == "FINISHED" and runs["bad"].status == "FAILED"
    assert runs["bad"].tags["mlops.error"] == "ValueError: nope"
    assert history(mlflow_server.url, runs["good"].run_id, "mlops.cell_duration_s")[0]["value"] >= 0
    assert shell.user_ns["mlops_x"] == 42


def test_cell_log_params_and_metrics(shell, capsys, mlflow_only, mlflow_server):
    api = mlflow_only
    api.experiment(uniq("cellog"))
    api.start_run()
    rid = api.active_run().run_id
    out, err = run(
        shell, capsys, "%%mlops log params\nlr = 0.1\nopt = 'adam'\nfor i in range(3):\n    pass\ndata = [1, 2]\n"
    )
    assert "param lr=0.1, opt=adam" in out and "i=" not in out and "data" not in out
    out, err = run(shell, capsys, "%%mlops log metrics --step 7\nloss = 0.25\nacc, f1 = 0.9, 0.8\nname = 'x'\n")
    assert "metric loss=0.25, acc=0.9, f1=0.8" in out
    out, err = run(shell, capsys, "%%mlops log metrics\nlabel = 'no numbers here'\n")
    assert err.strip() == "mlops: the cell assigned no numeric variables: nothing was logged"
    result = shell.run_cell("%%mlops log params\nboom = 1 / 0\n", store_history=False)
    out, err = capsys.readouterr()
    assert not result.success and "mlops: the cell raised ZeroDivisionError: nothing was logged" in out + err
    api.end_run()
    data = get_run(mlflow_server.url, rid)["data"]
    assert kv(data["params"]) == {"lr": "0.1", "opt": "adam"}
    assert history(mlflow_server.url, rid, "f1")[0]["step"] == 7


def test_configure_verb(shell, capsys, gitlab_server, mlflow_server, tmp_path, monkeypatch):
    use_backend(mlflow_server.url, spool_dir=tmp_path)
    monkeypatch.setenv("MY_GITLAB_TOKEN", gitlab_server.token)
    out, err = run(shell, capsys, f"%mlops configure {gitlab_server.tracking_uri} --token-env MY_GITLAB_TOKEN")
    assert "(gitlab)" in out and not err
    out, err = run(shell, capsys, "%mlops status")
    assert gitlab_server.token not in out
    out, err = run(shell, capsys, f"%mlops configure {mlflow_server.url} --token-env NOT_SET_ANYWHERE")
    assert err.strip() == "mlops: environment variable NOT_SET_ANYWHERE is not set"


def test_output_levels_and_a_quiet_log_loop(shell, capsys, mlflow_only, mlflow_server):
    """Information on stdout, nothing on stderr in normal use; a loop of ``%mlops log`` prints three
    confirmations and says once that the rest are quiet; the next cell confirms again."""
    api = mlflow_only
    exp = uniq("levels")
    api.experiment(exp)
    out, err = run(shell, capsys, "%mlops start --name loud\n")
    assert "started run loud" in out and f"in experiment {exp!r}" in out and not err
    out, err = run(shell, capsys, "for i in range(50):\n    %mlops log metric loss={i} --step {i}\n")
    lines = out.strip().splitlines()
    assert len(lines) == 4 and lines[-1].startswith("mlops: further log confirmations are not printed"), lines
    assert not err
    out, err = run(shell, capsys, "%mlops log param depth=3\n")
    assert out.strip() == "mlops: param depth=3" and not err
    out, err = run(shell, capsys, "%mlops end\n")
    assert "ended run loud" in out and not err
    rid = api.session().client.run(api.session().client.api.search_runs([api.session().experiment_id])).items[0].run_id
    assert len(history(mlflow_server.url, rid, "loss")) == 50  # quiet, not dropped

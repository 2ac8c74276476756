"""Interactive verbs never block on a hanging backend (one that accepts connections and never answers): each
returns within 2 s, goes offline, and what was logged is spooled and delivered once a real backend is there."""

from __future__ import annotations

import time
import uuid
from typing import Any, Iterator

import pytest
from IPython.core.interactiveshell import InteractiveShell

from .kernel_support import TcpProxy, get_run, history, use_backend, wait_for

INTERACTIVE_BOUND_S = 2.0  # the promise for start, experiment, log and end


@pytest.fixture
def hanging(mlflow_server: Any) -> Iterator[TcpProxy]:
    """The real MLflow server behind a proxy that accepts connections and never answers, until ``up()``."""
    proxy = TcpProxy(mlflow_server.url)
    proxy.hang()
    yield proxy
    proxy.close()


@pytest.fixture(scope="module")
def shell() -> InteractiveShell:
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "jupyterlab_mlops")
    return ip


def timed(shell: InteractiveShell, line: str) -> tuple[float, Any]:
    t = time.monotonic()
    result = shell.run_cell(line, store_history=False)
    return time.monotonic() - t, result


def test_verbs_return_within_two_seconds_and_data_arrives_later(
    shell: InteractiveShell, hanging: TcpProxy, tmp_path: Any, capsys: Any, mlflow_server: Any
) -> None:
    api = use_backend(hanging.url, spool_dir=tmp_path / "spool")
    name = f"hang-{uuid.uuid4().hex[:6]}"
    for line in (
        f"%mlops experiment {name}",
        "%mlops start --name hung",
        "%mlops log param lr=0.1",
        "%mlops log metric loss=0.5 --step 1",
        "%mlops log metric loss=0.25 --step 2",
        "%mlops end",
    ):
        took, result = timed(shell, line)
        assert result.success, line
        assert took < INTERACTIVE_BOUND_S, f"{line!r} took {took:.1f} s against a hanging backend"
    out = capsys.readouterr()
    assert "offline" in out.out + out.err
    status = api.status()
    assert status.state.startswith("offline") and status.queued + status.spooled >= 3, status
    hanging.up()  # the backend answers again (the request in flight is cut: one more failure, then a retry)
    wait_for(lambda: api.flush(10).delivered, timeout=90)
    client = api.session().client
    exp = client.run(client.api.get_experiment_by_name(name))
    (run,) = client.run(client.api.search_runs([exp.experiment_id])).items
    assert run.run_name == "hung" and run.status == "FINISHED"
    assert get_run(mlflow_server.url, run.run_id)["data"]["params"] == [{"key": "lr", "value": "0.1"}]
    assert [p["value"] for p in history(mlflow_server.url, run.run_id, "loss")] == [0.5, 0.25]


def test_cell_run_against_a_hanging_backend_returns(shell: InteractiveShell, hanging: TcpProxy, tmp_path: Any) -> None:
    use_backend(hanging.url, spool_dir=tmp_path / "spool")
    took, result = timed(shell, "%%mlops run --name cell\nx = 1 + 1\n")
    assert result.success and shell.user_ns["x"] == 2
    assert took < 2 * INTERACTIVE_BOUND_S  # start and end, each bounded

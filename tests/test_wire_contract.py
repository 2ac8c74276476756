"""The API contract: every JSON route of the extension, answered by a real Jupyter server on a real MLflow server
(and the GitLab stand-in), checked against its ``TypedDict`` of :mod:`jupyterlab_mlops.views.wire`; the answers are
recorded in ``src/__tests__/recorded/`` where ``src/__tests__/wire.spec.ts`` checks them against the TypeScript
interfaces of ``src/api/``.

The check is pydantic's (``TypeAdapter.validate_json``, strict, every ``TypedDict`` closed with
``extra="forbid"``): a missing key, a key the type does not declare, a wrong type or a value outside a ``Literal``
fails. ``MLOPS_RECORD_WIRE=1`` writes the recorded answers again; otherwise the recorded files must still pass.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from pydantic import ConfigDict, TypeAdapter
from typing_extensions import is_typeddict

from jupyterlab_mlops.server.routes import handlers
from jupyterlab_mlops.views.wire import compare, edits, registry, runs, snapshots, status

from .edit_wire import EDITS_NO_GITLAB, exercise_edits
from .issue4_support import Seeder, api, model_path, seed, uniq  # noqa: F401
from .test_views_snapshots import write_nb

RECORDED = Path(__file__).resolve().parent.parent / "src" / "__tests__" / "recorded"
RECORD = os.environ.get("MLOPS_RECORD_WIRE") == "1"
RUN = r"backends/(?P<backend>[^/]+)/runs/(?P<run_id>[^/]+)"
EXPERIMENT = r"backends/(?P<backend>[^/]+)/experiments/(?P<experiment_id>[^/]+)"
MODEL = r"backends/(?P<backend>[^/]+)/models/(?P<name>[^/]+)"
VERSION = MODEL + r"/versions/(?P<version>[^/]+)"

#: recorded name -> (method, URL pattern of ``server/routes.py``, the answer's type); keep in step with wire.spec.ts
CONTRACT: dict[str, tuple[str, str, Any]] = {
    "status": ("GET", r"status", status.Status),
    "experiments": ("GET", r"backends/(?P<backend>[^/]+)/experiments", runs.ExperimentsPage),
    "experiment_summary": (
        "GET",
        r"backends/(?P<backend>[^/]+)/experiments/(?P<experiment_id>[^/]+)/summary",
        runs.ExperimentRow,
    ),
    "runs": ("GET", r"backends/(?P<backend>[^/]+)/experiments/(?P<experiment_id>[^/]+)/runs", runs.RunsPage),
    "run": ("GET", RUN, runs.RunDetail),
    "metric_history": ("GET", RUN + r"/metrics/(?P<key>.+)", runs.MetricHistory),
    "artifacts": ("GET", RUN + r"/artifacts", runs.ArtifactList),
    "compare": ("GET", r"compare", compare.CompareResult),
    "next_version": ("GET", MODEL + r"/next-version", registry.NextVersion),
    "promote": ("POST", MODEL + r"/versions", registry.PromoteResult),
    "champion": ("GET", MODEL + r"/champion", registry.ChampionCheck),
    "models": ("GET", r"models", registry.ModelsList),
    "model": ("GET", MODEL, registry.ModelPage),
    "set_alias": ("POST", MODEL + r"/aliases", registry.ModelAliases),
    "remove_alias": ("DELETE", MODEL + r"/aliases/(?P<alias>[^/]+)", registry.ModelAliases),
    "version": ("GET", VERSION, registry.VersionPage),
    "add_link": ("POST", VERSION + r"/links", registry.VersionLinks),
    "remove_link": ("DELETE", VERSION + r"/links/(?P<n>[^/]+)", registry.VersionLinks),
    "upload": ("PUT", VERSION + r"/artifacts/(?P<file>[^/]+)", registry.UploadResult),
    "take_snapshot": ("POST", RUN + r"/snapshot", snapshots.SnapshotResult),
    "snapshot": ("GET", RUN + r"/snapshot", snapshots.SnapshotView),
    "restore": ("POST", RUN + r"/snapshot/restore", snapshots.RestoreResult),
    "snapshot_diff": ("GET", r"snapshots/diff", snapshots.SnapshotDiff),
    "restart": ("POST", r"backends/(?P<backend>[^/]+)/restart", status.RestartAnswer),
    "backend_log": ("GET", r"backends/(?P<backend>[^/]+)/log", status.BackendLog),
    "edit_run": ("PATCH", RUN + r"/edit", edits.RunEdit),
    "delete_runs": ("POST", EXPERIMENT + r"/runs/delete", edits.RunsChanged),
    "restore_runs": ("POST", EXPERIMENT + r"/runs/restore", edits.RunsChanged),
    "deleted_runs": ("GET", EXPERIMENT + r"/runs/deleted", edits.DeletedRuns),
    "edit_experiment": ("PATCH", EXPERIMENT + r"/edit", runs.ExperimentRow),
    "delete_experiment": ("POST", EXPERIMENT + r"/delete", edits.ExperimentChanged),
    "restore_experiment": ("POST", EXPERIMENT + r"/restore", edits.ExperimentChanged),
    "deleted_experiments": ("GET", r"backends/(?P<backend>[^/]+)/experiments/deleted", edits.DeletedExperiments),
}
#: routes whose answer is no JSON document of ours: MLflow's own API, file downloads, CSV
NOT_JSON = {
    r"backends/(?P<backend>[^/]+)/mlflow/(?P<path>.*)",
    RUN + r"/artifacts/download",
    r"compare\.csv",
}
#: routes of the embedded backend only (recorded by TestEmbedded)
EMBEDDED = ["restart", "backend_log"]
#: MLflow only: GitLab has no aliases (refused with a 400, tests/test_aliases.py)
NO_GITLAB = ["set_alias", "remove_alias", *EDITS_NO_GITLAB]
#: answers recorded in more than one setting (``<name>.<variant>.json``): the GitLab stand-in's own shapes
#: (emulation notes, candidate links, promotion by copy), the embedded backend's supervisor fields in status
VARIANTS = {
    "gitlab": [n for n in CONTRACT if n not in ("status", "models", *EMBEDDED, *NO_GITLAB)],
    "embedded": ["status"],
}


def _closed(*modules: Any) -> None:
    """Every ``TypedDict`` of the wire modules refuses keys it does not declare (pydantic reads this config)."""
    for module in modules:
        for value in vars(module).values():
            if is_typeddict(value):
                value.__pydantic_config__ = ConfigDict(extra="forbid", strict=True)


_closed(status, runs, compare, registry, snapshots, edits)
ADAPTERS = {name: TypeAdapter(kind) for name, (_m, _p, kind) in CONTRACT.items()}


def check(name: str, body: bytes) -> None:
    """The answer of route ``name`` matches its type exactly (strict: no coercion, no extra keys)."""
    ADAPTERS[name].validate_json(body, strict=True)


def test_every_json_route_has_a_wire_type() -> None:
    patterns = {pattern for pattern, _handler in handlers()}
    covered = {pattern for _m, pattern, _t in CONTRACT.values()}
    assert patterns - NOT_JSON - covered == set(), "a route without a wire type: add it to CONTRACT"
    assert covered - patterns == set(), "CONTRACT names a route the server does not have"


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_recorded_answers_still_match(name: str) -> None:
    files = [RECORDED / f"{name}.json"] + [
        RECORDED / f"{name}.{v}.json" for v, names in VARIANTS.items() if name in names
    ]
    for path in files:
        assert path.is_file(), f"{path} is missing: record with MLOPS_RECORD_WIRE=1"
        check(name, path.read_bytes())


def test_a_key_the_type_does_not_declare_fails() -> None:
    body = json.loads((RECORDED / "artifacts.json").read_text())
    check("artifacts", json.dumps(body).encode())
    for bad in (
        {**body, "extra": 1},
        {**body, "files": [{**body["files"][0], "mode": "rw"}]},
        {k: v for k, v in body.items() if k != "note"},
        {**body, "path": 3},
    ):
        with pytest.raises(ValueError):
            check("artifacts", json.dumps(bad).encode())


class Calls:
    """Calls every route on one backend, checks each answer and keeps it for recording."""

    def __init__(self, api: Any, variant: str = "", only: tuple[str, ...] = ()) -> None:
        """``variant``: recorded as ``<name>.<variant>.json`` (only the names in ``only`` when given)."""
        self.api, self.variant, self.only = api, variant, only
        self.answers: dict[str, bytes] = {}

    async def __call__(self, name: str, path: str, *, expect: int = 200, **kw: Any) -> Any:
        method = CONTRACT[name][0]
        reply = await self.api(path, method=method, expect=expect, **kw)
        check(name, reply.body)
        self.answers[name] = reply.body
        return reply.json

    def record(self) -> None:
        for name, body in self.answers.items():
            text = json.dumps(json.loads(body), indent=2, ensure_ascii=False) + "\n"
            suffix = f".{self.variant}" if self.variant and (not self.only or name in self.only) else ""
            (RECORDED / f"{name}{suffix}.json").write_text(text, encoding="utf-8")


async def exercise(api: Any, seed: Seeder, root: Path, gitlab: bool) -> None:
    b = seed.name
    call = Calls(api, "gitlab" if gitlab else "")
    exp = seed.experiment(uniq("wire"))
    metrics = {"loss": 0.25, "acc": 0.9}
    run_a = seed.run(
        exp,
        params={"lr": "0.1"},
        metrics=metrics,
        tags={"team": "ml"},
        files={"notes.txt": b"hi"},
        history={"curve": [float(i % 7) for i in range(40)]},
    )
    run_b = seed.run(
        exp,
        params={"lr": "0.2"},
        metrics={"loss": 0.5, "acc": 0.8 if gitlab else float("nan")},
        history={"curve": [1.0, 2.0, 3.0]},
    )
    if not gitlab:
        await call("status", "status")
    await call("experiment_summary", f"backends/{b}/experiments/{exp}/summary")
    await call("experiments", f"backends/{b}/experiments", query={"search": "wire"})
    query = {"columns": "params.lr,metrics.loss,tags.team", "order_by": "metrics.loss ASC"}
    await call("runs", f"backends/{b}/experiments/{exp}/runs", query={**query, "filter": "metrics.loss < 1"})
    await call("run", f"backends/{b}/runs/{run_a.run_id}")
    await call("metric_history", f"backends/{b}/runs/{run_a.run_id}/metrics/curve", query={"max_points": 5})
    await call("artifacts", f"backends/{b}/runs/{run_a.run_id}/artifacts")
    await call("compare", "compare", query={"run": [f"{b}:{run_a.run_id}", f"{b}:{run_b.run_id}"], "max_points": 10})
    name = seed.model(uniq("wire-model"))
    await call("next_version", model_path(b, name, "next-version"), query={"bump": "minor"})
    promoted = await call(
        "promote",
        model_path(b, name, "versions"),
        expect=201,
        body={"run_id": run_a.run_id, "version": "1.2.0", "description": "the first"},
    )
    version = promoted["version"]["version"]
    await call("champion", model_path(b, name, "champion"), query={"run_id": run_b.run_id})
    if not gitlab:
        await call("models", "models", query={"search": "wire-model"})
    if not gitlab:
        aliases = model_path(b, name, "aliases")
        await call("set_alias", aliases, body={"alias": "champion", "version": version})
        await call("remove_alias", aliases + "/champion")
        await call("set_alias", aliases, body={"alias": "champion", "version": version})
    await call("model", model_path(b, name))
    await call(
        "add_link",
        model_path(b, name, "versions", version, "links"),
        expect=201,
        body={"url": "https://gitlab.example.com/group/project/-/issues/7"},
    )
    await call("remove_link", model_path(b, name, "versions", version, "links", "1"))
    await call(
        "upload", model_path(b, name, "versions", version, "artifacts", "weights.bin"), expect=201, body=b"\0" * 64
    )
    await call("version", model_path(b, name, "versions", version))
    write_nb(root, "wire/nb.ipynb", "a = 1", "b = 2", outputs=[None, "2\n"])
    body = {"path": "wire/nb.ipynb", "packages": {"numpy": "2.0.0"}, "python": {"version": "3.11.7"}}
    await call("take_snapshot", f"backends/{b}/runs/{run_a.run_id}/snapshot", body=body)
    write_nb(root, "wire/nb.ipynb", "a = 1", "b = 20", outputs=[None, "20\n"])
    await call("take_snapshot", f"backends/{b}/runs/{run_b.run_id}/snapshot", body=body)
    await call("snapshot", f"backends/{b}/runs/{run_a.run_id}/snapshot")
    await call("restore", f"backends/{b}/runs/{run_a.run_id}/snapshot/restore", body={})
    await call("snapshot_diff", "snapshots/diff", query={"a": f"{b}:{run_a.run_id}", "b": f"{b}:{run_b.run_id}"})
    await exercise_edits(call, seed, gitlab)
    wanted = VARIANTS["gitlab"] if gitlab else [n for n in CONTRACT if n not in EMBEDDED]
    assert set(call.answers) == set(wanted), "a route was not called"
    if RECORD:
        call.record()


async def test_every_route_answers_its_wire_type_on_mlflow(api, seed, jp_root_dir):
    await exercise(api, seed, jp_root_dir, gitlab=False)


@pytest.mark.parametrize("mlops_backends", ["gitlab"], indirect=True)
async def test_every_route_answers_its_wire_type_on_gitlab(api, seed, jp_root_dir, gitlab_server):
    await exercise(api, seed, jp_root_dir, gitlab=True)


class TestEmbedded:
    """The embedded backend: its supervisor's fields in status, its log and restart routes."""

    @pytest.fixture
    def mlops_backends(self) -> list[dict[str, Any]]:
        return []

    @pytest.fixture
    def mlops_embedded(self) -> bool:
        return True

    @pytest.fixture
    def mlops_app_config(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
        for var in ("MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_TOKEN", "MLOPS_EMBEDDED_URI"):
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")
        monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        return {"embedded_data_dir": str(tmp_path / "embedded")}

    async def test_every_route_answers_its_wire_type(self, api):
        call = Calls(api, "embedded", only=("status",))
        name = (await call("status", "status"))["default_backend"]
        await call("backend_log", f"backends/{name}/log", query={"lines": 20})
        await call("restart", f"backends/{name}/restart", body={})
        assert set(call.answers) == {"status", *EMBEDDED}
        if RECORD:
            call.record()

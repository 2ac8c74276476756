"""Editing runs and experiments (logic in ``views/run_edits.py`` and ``views/experiment_edits.py``): rename,
description, tags, delete and restore, the deleted ones. Each write drops the caches it touched and announces a
change event, so open views follow."""

from __future__ import annotations

from typing import Any, Optional

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...views import experiment_edits as xe
from ...views import run_edits as re_
from ...views.compare import RunRef
from ..events import Change, announce
from ._common import ViewHandler, experiment_id_arg

BACKEND = r"backends/(?P<backend>[^/]+)"
EXPERIMENT = BACKEND + r"/experiments/(?P<experiment_id>[^/]+)"


class EditHandler(ViewHandler):
    """Shared: after a write, forget what the caches hold and tell the open views."""

    def changed(
        self, backend: str, kind: str, experiment_id: str, change: str, run_id: Optional[str] = None, name: Any = None
    ) -> None:
        self.caches.runs.run_lists.clear()
        if run_id:
            self.caches.series.forget_run(RunRef(backend, run_id))
        self.caches.experiments.lists.clear()
        self.caches.experiments.forget(backend, experiment_id)
        short = name[:200] if isinstance(name, str) and name else None
        announce(self.settings, Change(backend, kind, experiment_id, change, run_id, short))


class RunEditHandler(EditHandler):
    """``PATCH backends/{b}/runs/{run_id}/edit {run_name?, description?, tags?: {set, remove}}``."""

    @web.authenticated
    @authorized
    async def patch(self, backend: str, run_id: str) -> None:
        api = self.registry.client(backend).api
        run = await self.drive(backend, re_.edit_run(api, run_id, self.json_body()))
        self.changed(backend, "run", run["experiment_id"], "edited", run["run_id"], run["run_name"])
        self.write_json(run)


class RunsDeleteHandler(EditHandler):
    """``POST .../experiments/{id}/runs/delete {run_ids}``: soft on MLflow, for good on GitLab."""

    @web.authenticated
    @authorized
    async def post(self, backend: str, experiment_id: str) -> None:
        api = self.registry.client(backend).api
        ids = self.json_body().get("run_ids")
        done = await self.drive(backend, re_.delete_runs(api, experiment_id_arg(experiment_id), ids))
        for run in done["runs"]:
            self.changed(backend, "run", done["experiment_id"], "deleted", run["run_id"], run["run_name"])
        self.write_json(done)


class RunsRestoreHandler(EditHandler):
    """``POST .../experiments/{id}/runs/restore {run_ids}`` (MLflow only)."""

    @web.authenticated
    @authorized
    async def post(self, backend: str, experiment_id: str) -> None:
        api = self.registry.client(backend).api
        ids = self.json_body().get("run_ids")
        done = await self.drive(backend, re_.restore_runs(api, experiment_id_arg(experiment_id), ids))
        for run in done["runs"]:
            self.changed(backend, "run", done["experiment_id"], "restored", run["run_id"], run["run_name"])
        self.write_json(done)


class DeletedRunsHandler(ViewHandler):
    """``GET .../experiments/{id}/runs/deleted``."""

    @web.authenticated
    @authorized
    async def get(self, backend: str, experiment_id: str) -> None:
        api = self.registry.client(backend).api
        self.write_json(await self.drive(backend, re_.deleted_runs(api, experiment_id_arg(experiment_id))))


class ExperimentEditHandler(EditHandler):
    """``PATCH .../experiments/{id}/edit {name?, description?, tags?: {set, remove}}``."""

    @web.authenticated
    @authorized
    async def patch(self, backend: str, experiment_id: str) -> None:
        api = self.registry.client(backend).api
        row = await self.drive(backend, xe.edit_experiment(api, experiment_id_arg(experiment_id), self.json_body()))
        self.changed(backend, "experiment", row["experiment_id"], "edited", name=row["name"])
        self.write_json(row)


class ExperimentDeleteHandler(EditHandler):
    """``POST .../experiments/{id}/delete``: soft on MLflow (restorable), for good on GitLab."""

    @web.authenticated
    @authorized
    async def post(self, backend: str, experiment_id: str) -> None:
        api = self.registry.client(backend).api
        done = await self.drive(backend, xe.delete_experiment(api, experiment_id_arg(experiment_id)))
        self.changed(backend, "experiment", done["experiment_id"], "deleted", name=done["name"])
        self.write_json(done)


class ExperimentRestoreHandler(EditHandler):
    """``POST .../experiments/{id}/restore`` (MLflow only)."""

    @web.authenticated
    @authorized
    async def post(self, backend: str, experiment_id: str) -> None:
        api = self.registry.client(backend).api
        done = await self.drive(backend, xe.restore_experiment(api, experiment_id_arg(experiment_id)))
        self.changed(backend, "experiment", done["experiment_id"], "restored", name=done["name"])
        self.write_json(done)


class DeletedExperimentsHandler(ViewHandler):
    """``GET backends/{b}/experiments/deleted``."""

    @web.authenticated
    @authorized
    async def get(self, backend: str) -> None:
        api = self.registry.client(backend).api
        self.write_json(await self.drive(backend, xe.deleted_experiments(api)))


ROUTES = [
    (BACKEND + r"/runs/(?P<run_id>[^/]+)/edit", RunEditHandler),
    (EXPERIMENT + r"/runs/delete", RunsDeleteHandler),
    (EXPERIMENT + r"/runs/restore", RunsRestoreHandler),
    (EXPERIMENT + r"/runs/deleted", DeletedRunsHandler),
    (BACKEND + r"/experiments/deleted", DeletedExperimentsHandler),
    (EXPERIMENT + r"/edit", ExperimentEditHandler),
    (EXPERIMENT + r"/delete", ExperimentDeleteHandler),
    (EXPERIMENT + r"/restore", ExperimentRestoreHandler),
]

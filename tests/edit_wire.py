"""The edit routes' part of the API contract run (``tests/test_wire_contract.py``): each route called once on a
fresh experiment, on MLflow and on the GitLab stand-in (which has no rename and no restore)."""

from __future__ import annotations

from typing import Any

from .issue4_support import Seeder, uniq

#: MLflow only: GitLab deletes for good (refused with a 400, tests/test_edit_gitlab.py)
EDITS_NO_GITLAB = ["restore_runs", "restore_experiment"]


async def exercise_edits(call: Any, seed: Seeder, gitlab: bool) -> None:
    b = seed.name
    exp = seed.experiment(uniq("wire-edit"))
    run = seed.run(exp, name="to-edit", tags={"team": "ml"})
    body: dict[str, Any] = {"tags": {"set": {"owner": "ana"}}, "description": "first"}
    if not gitlab:
        body["run_name"] = "edited"
    await call("edit_run", f"backends/{b}/runs/{run.run_id}/edit", body=body)
    runs = {"run_ids": [run.run_id]}
    await call("delete_runs", f"backends/{b}/experiments/{exp}/runs/delete", body=runs)
    await call("deleted_runs", f"backends/{b}/experiments/{exp}/runs/deleted")
    if not gitlab:
        await call("restore_runs", f"backends/{b}/experiments/{exp}/runs/restore", body=runs)
    await call("edit_experiment", f"backends/{b}/experiments/{exp}/edit", body={"tags": {"set": {"owner": "ana"}}})
    await call("delete_experiment", f"backends/{b}/experiments/{exp}/delete", body={})
    await call("deleted_experiments", f"backends/{b}/experiments/deleted")
    if not gitlab:
        await call("restore_experiment", f"backends/{b}/experiments/{exp}/restore", body={})

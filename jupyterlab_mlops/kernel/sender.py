"""The requests that deliver one batch, by the rules of :mod:`.delivery`: ``runs/log-batch`` with
bisection on a 400, read-back before resending a batch whose outcome is unknown (GitLab), the CI-job
tag checks, and run creation that finds a run an earlier attempt created instead of making another."""

from __future__ import annotations

import json
from typing import Any, Callable, Optional

from ..client import flows
from ..client.backend import Backend
from ..client.errors import BackendError, BackendTimeout, BackendUnreachable, InvalidInput, NotFound
from ..client.models import Metric
from ..spool import LOCAL_PREFIX
from . import delivery, notify
from .batching import Batch
from .delivery import JOB_TAG, MARKER_TAG, JobCheck, Part, Transient, drop_failed_job, drop_unknown_job
from .notices import Notices

Refused = list[tuple[str, str, int]]  # (what, the backend's message, item count)
BISECT_BUDGET = 64  # log-batch requests one batch may take while isolating refused items


class BatchSender:
    """Sends batches with its own client (made on first use, in the sender thread) and counts what
    was sent, dropped (refused for good) and skipped (NaN/Inf on GitLab)."""

    def __init__(self, backend: Backend, make_client: Callable[[], Any], notices: Notices) -> None:
        self.backend = backend
        self.notices = notices
        self.jobs = JobCheck()
        self.check_jobs = True  # look gitlab.CI_JOB_ID up before sending it (where the token may)
        self.sent = 0
        self.dropped = 0
        self.skipped = 0  # NaN/Inf points GitLab cannot store
        self._make_client = make_client
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self._make_client()
        return self._client

    @property
    def gitlab(self) -> bool:
        return self.backend.kind == "gitlab"

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            except Exception:  # noqa: BLE001
                pass

    def drop(self, n: int, message: str) -> None:
        """``n`` items can never be delivered: count them and say why (once per message)."""
        self.dropped += n
        self.notices.warn(message)

    # -- one batch ------------------------------------------------------------------------------------
    def deliver(self, batch: Batch, run_map: dict[str, str], unsure: Any = False) -> Optional[tuple[str, str]]:
        """Send one batch. Returns a (local ref, run id) pair when it created a run. Raises
        :class:`Transient` when it should be retried; drops refused items (with a warning) that can
        never succeed. ``unsure``: the batch may have arrived already (read back first on GitLab)."""
        if batch.kind == "c":
            return self._create_run(batch, run_map)
        run_id = run_map.get(batch.run, batch.run) if batch.run.startswith(LOCAL_PREFIX) else batch.run
        if run_id.startswith(LOCAL_PREFIX):
            self.drop(len(batch.items), f"run {batch.run} was never created; {len(batch.items)} item(s) dropped")
            return None
        api = self.client.api
        try:
            if batch.kind == "u":
                self._call(api.update_run(run_id, status=batch.items[0][2], end_time=batch.items[0][3]))
                self.sent += 1
                notify.run_finished(self.backend.url, run_id)
            else:
                self._send_log(run_id, batch, unsure)
                notify.delivered(self.backend.url, run_id)
        except (InvalidInput, NotFound) as exc:
            self.drop(
                len(batch.items), f"the backend refused {len(batch.items)} item(s) for run {run_id}: {exc.message}"
            )
        return None

    def _call(self, call: Any) -> Any:
        try:
            return self.client.run(call)
        except (BackendUnreachable, BackendTimeout, BackendError) as exc:  # includes Unauthorized
            raise Transient(exc) from None

    def _drive(self, flow: Any) -> Any:
        try:
            return self.client.drive(flow)
        except (BackendUnreachable, BackendTimeout, BackendError) as exc:
            raise Transient(exc) from None

    # -- log batches ----------------------------------------------------------------------------------
    def _send_log(self, run_id: str, batch: Batch, unsure: Any) -> None:
        """Deliver a log batch; refused items are reported in one warning."""
        part = Part(list(batch.metrics), dict(batch.params), dict(batch.tags))
        if self.gitlab:
            self.skipped += delivery.skip_unstorable(part, self.notices.once)
            if JOB_TAG in part.tags and self.check_jobs:
                drop_unknown_job(part.tags, self.jobs, self.client, self.notices.warn, f"run {run_id}")
        refused: Refused = []
        state: dict[str, Any] = {"run": None, "budget": BISECT_BUDGET, "delivered": False, "scan": unsure == "scan"}
        try:
            self._deliver_part(run_id, part, bool(unsure) and self.gitlab, refused, state)
        except Transient as exc:
            exc.partial = state["delivered"] or state["scan"]  # read back point by point next time
            raise
        n_refused = sum(n for _, _, n in refused)
        self.sent += max(0, len(batch.items) - n_refused)
        if refused:
            self.dropped += n_refused
            shown = "; ".join(f"{what}: {msg}" for what, msg, _ in refused[:5])
            more = f" and {len(refused) - 5} more" if len(refused) > 5 else ""
            self.notices(
                f"the backend refused {n_refused} item(s) of run {run_id} ({shown}{more}); the rest was delivered"
            )

    def _deliver_part(self, run_id: str, part: Part, unsure: bool, refused: Refused, state: dict[str, Any]) -> None:
        """Send ``part``; on a 400 split it until the refused items are alone (bounded by a budget
        of requests per batch), on GitLab's 500 for an unknown CI job drop that tag and send the rest."""
        if part.size == 0:
            return
        api = self.client.api
        if unsure:
            run = self._call(api.get_run(run_id))
            part = delivery.unsent_part(part, run, lambda key: self._history(run_id, key), scan=state["scan"])
            if part.size == 0:
                return
        try:
            message = self._send_part(run_id, part, state)
        except Transient as exc:
            if self.gitlab and drop_failed_job(
                part.tags,
                self.jobs,
                exc.error,
                self.notices.warn,
                f"run {run_id}",
                "; the rest is sent without duplicating what it stored",
            ):
                self._deliver_part(run_id, part, True, refused, state)
                return
            raise
        if message is None:
            return
        # 400: on GitLab a refusal may come after the metrics were inserted: read back from here on
        unsure_next = self.gitlab and bool(part.metrics) and bool(part.params or part.tags)
        if state["run"] is None:
            state["run"] = run = self._call(api.get_run(run_id))  # NotFound: the whole batch is dropped
            if run.lifecycle_stage != "active":  # nothing of it can be stored: no bisecting
                refused.append((f"{part.size} item(s)", message, part.size))
                return
        if part.params and not state.get("params_checked"):
            state["params_checked"] = True
            _drop_stored_params(part, state["run"], refused)
            if part.size == 0:
                return
            if unsure_next:
                self._deliver_part(run_id, part, True, refused, state)
                return
            message = self._send_part(run_id, part, state)
            if message is None:
                return
        if part.size == 1 or state["budget"] <= 0:
            what = part.describe() if part.size == 1 else f"{part.size} item(s) from {part.describe()}"
            refused.append((what, message, part.size))
            return
        first, second = part.halves()
        self._deliver_part(run_id, first, unsure_next, refused, state)
        self._deliver_part(run_id, second, unsure_next, refused, state)

    def _send_part(self, run_id: str, part: Part, state: dict[str, Any]) -> Optional[str]:
        """One ``log-batch`` of ``part`` (counted against the batch's budget): None once delivered, else the
        backend's 400 message; other errors are raised."""
        state["budget"] -= 1
        try:
            self._call(self.client.api.log_batch(run_id, metrics=part.metrics, params=part.params, tags=part.tags))
        except InvalidInput as exc:
            return exc.message
        state["delivered"] = True
        return None

    def _history(self, run_id: str, key: str) -> Optional[list[Metric]]:
        try:
            return self._drive(flows.metric_history(self.client.api, run_id, key))
        except NotFound:
            self.notices.once(
                "no-history",
                "this GitLab has no metrics/get-history: a batch whose delivery is "
                "uncertain is sent again (its points may be stored twice)",
            )
            return None

    # -- runs created offline -----------------------------------------------------------------------
    def _create_run(self, batch: Batch, run_map: dict[str, str]) -> Optional[tuple[str, str]]:
        """Create the run of a ``c`` item, or find the one an earlier attempt created (by the
        ``mlops.local_id`` marker tag): a timeout or GitLab's 500 after creating leaves no orphan."""
        ref = batch.run
        if ref in run_map:
            return None
        payload = json.loads(batch.items[0][2])
        api = self.client.api
        try:
            exp_id = payload.get("experiment_id")
            if not exp_id:
                exp = self._drive(flows.get_or_create_experiment(api, payload.get("experiment_name") or "Default"))
                exp_id = exp.experiment_id
            tags = dict(payload.get("tags") or {})
            tags[MARKER_TAG] = ref
            if self.gitlab and JOB_TAG in tags and self.check_jobs:
                drop_unknown_job(
                    tags, self.jobs, self.client, self.notices.warn, f"run {payload.get('run_name') or ref}"
                )
            found = self._find_created(api, exp_id, ref, payload)
            if found is None:

                def create() -> Any:  # again after dropping the CI-job tag: built from ``tags`` as they are then
                    return self._call(
                        api.create_run(
                            exp_id, run_name=payload.get("run_name"), tags=tags, start_time=payload.get("start_time")
                        )
                    )

                try:
                    run = create()
                except Transient as exc:
                    if not (self.gitlab and drop_failed_job(tags, self.jobs, exc.error, self.notices.warn)):
                        raise
                    found = self._find_created(api, exp_id, ref, payload)
                    run = found or create()
            else:
                run = found
            if found is not None:  # created by an attempt whose answer was lost: complete its tags
                missing = {k: v for k, v in tags.items() if k not in found.tags}
                if missing:
                    self._send_log(run.run_id, Batch("log", run.run_id, tags=missing), unsure=False)
        except (InvalidInput, NotFound) as exc:
            self.drop(1, f"could not create run {payload.get('run_name') or ref}: {exc.message}")
            return None
        run_map[ref] = run.run_id  # persisted by Spool.delete_through(map_run=...) when replayed
        self.sent += 1
        notify.run_created(self.backend.url, exp_id, run.run_id, payload.get("run_name"))
        return (ref, run.run_id)

    def _find_created(self, api: Any, exp_id: str, ref: str, payload: dict[str, Any]) -> Any:
        """The run an earlier attempt created: by the marker tag, or on GitLab (whose runs/create can
        fail after creating the run and before storing its tags, C4) by run name and start time."""
        found = self._drive(flows.find_run_by_tag(api, exp_id, MARKER_TAG, ref))
        if found is not None or not self.gitlab or not payload.get("start_time"):
            return found
        page = self._call(api.search_runs([exp_id], order_by=["created_at DESC"], max_results=200))
        name, start = payload.get("run_name"), int(payload["start_time"])
        return next(
            (
                r
                for r in page.items
                if r.start_time == start and MARKER_TAG not in r.tags and (not name or r.run_name == name)
            ),
            None,
        )


def _drop_stored_params(part: Part, run: Any, refused: Refused) -> None:
    """Params are write-once: those the run already holds leave ``part``; a different value is refused."""
    for k in list(part.params):
        old = run.params.get(k)
        if old is None:
            continue
        if old != part.params[k]:
            refused.append((f"param {k!r}", f"already {old!r} (params are write-once), {part.params[k]!r} dropped", 1))
        del part.params[k]

"""Runs: the candidates table of an experiment, one run in full, one metric's history for charts.

Shapes: ``.notes/API_ISSUE3.md`` §2-§4. The logic lives in ``client/runs_view.py``,
``client/links.py`` and ``client/downsample.py``; handlers parse, call, write.
"""
from __future__ import annotations

import asyncio
from typing import Any, Optional

from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import ensure_async
from tornado import web

from ...client import flows
from ...client import runs_view as rv
from ...client import users
from ...client.downsample import METHODS, downsample, finite
from ...client.errors import InvalidInput, MlopsError, NotFound, Unauthorized
from ...client.experiments_view import runs_refused, system_tags, user_tags
from ...client.links import JOB_TAG, job_call, project_call, project_web_root, run_links
from ...client.models import Run
from ..transport import AsyncClient
from ._common import ViewHandler, background, experiment_id_arg, failed

GITLAB_LOOKUP_TIMEOUT = 3.0


async def get_live_run(client: AsyncClient, run_id: str) -> Run:
    """``runs/get``, with a run deleted meanwhile (MLflow keeps it as ``deleted``) as a 404."""
    run: Run = await client.run(client.api.get_run(run_id))
    if run.lifecycle_stage == "deleted":
        raise NotFound(f"Run {run_id} was deleted.", reason="deleted")
    return run


class RunsHandler(ViewHandler):
    """GET: one page of runs with only the requested columns; filter/order emulated on GitLab."""

    @web.authenticated
    @authorized
    async def get(self, backend: str, experiment_id: str) -> None:
        exp_id = experiment_id_arg(experiment_id)
        client = self.registry.client(backend)
        columns = rv.parse_columns(self.arg("columns"))
        filt = self.arg("filter") or ""
        orders = rv.parse_order_by([o for o in self.get_query_arguments("order_by") if o.strip()])
        max_results = self.int_arg("max_results", 100, 1, 1000)
        token = self.arg("page_token") or None
        native: Optional[list[str]] = [o.mlflow() for o in orders]
        if client.api.dialect.is_gitlab:
            order = None if filt else rv.gitlab_order(orders)
            native = None if order is None else [order]
        try:
            if native is not None:
                runs, nxt, total = await self._native(client, exp_id, filt, native, max_results, token)
            else:
                runs, nxt, total = await self._emulated(client, backend, exp_id, filt, orders, max_results, token)
        except Unauthorized as exc:
            raise runs_refused(exc, client.api.dialect) from None
        seen = self.caches.columns.get((backend, exp_id)) or {"params": set(), "metrics": set(), "tags": set()}
        for kind, keys in rv.keys_seen(runs).items():
            seen[kind] |= keys
        self.caches.columns.put((backend, exp_id), seen)
        emulated = native is None
        rows = [rv.project(r, columns) for r in runs]  # + user_name: GitLab's user ids by name (C11)
        users.annotate(rows, await client.drive(users.user_names(client.api, (r.user_id for r in runs))))
        self.write_json({
            "experiment_id": exp_id,
            "runs": rows,
            "columns": [f"{kind}.{key}" for kind, key in columns],
            "available_columns": {k: sorted(v) for k, v in seen.items()},
            "next_page_token": nxt, "total": total,
            "emulated": {"filter": emulated and bool(filt), "order": emulated and bool(orders),
                         "reason": rv.emulation_reason(bool(filt), bool(orders)) if emulated else None},
            "order_note": rv.GITLAB_UPLOAD_ORDER if native and native[0].startswith("created_at") else None,
        })

    async def _native(self, client: AsyncClient, exp_id: str, filt: str, order: list[str], max_results: int,
                      token: Optional[str]) -> tuple[list[Run], Optional[str], Optional[int]]:
        page = await client.run(client.api.search_runs([exp_id], filter=filt or None, order_by=order or None,
                                                       max_results=max_results, page_token=rv.backend_token(token)))
        if not page.items and not token:
            await client.run(client.api.get_experiment(exp_id))  # MLflow answers {} for an unknown id
        return page.items, page.next_page_token, None

    async def _emulated(self, client: AsyncClient, backend: str, exp_id: str, filt: str, orders: list[rv.Order],
                        max_results: int, token: Optional[str]) -> tuple[list[Run], Optional[str], Optional[int]]:
        query = rv.fingerprint(backend, exp_id, filt, [o.mlflow() for o in orders])
        offset = rv.decode_token(token, query)
        loop = asyncio.get_running_loop()
        if filt:  # a bad filter is a 400 before any backend page is read (first use imports mlflow)
            await loop.run_in_executor(None, rv.check_filter, filt)
        key = (backend, query)
        task = self.caches.run_lists.get(key, max_age=None if token else 5.0)
        if task is None or failed(task):
            task = self.caches.run_lists.put(key, background(self._materialize(client, backend, exp_id, filt,
                                                                               orders)))
        matching: list[Run] = await asyncio.shield(task)
        end = offset + max_results
        return matching[offset:end], (rv.encode_token(end, query) if end < len(matching) else None), len(matching)

    async def _materialize(self, client: AsyncClient, backend: str, exp_id: str, filt: str,
                           orders: list[rv.Order]) -> list[Run]:
        runs: list[Run] = await client.drive(rv.all_runs(client.api, exp_id))
        seen = rv.keys_seen(runs)
        self.caches.columns.put((backend, exp_id), seen)
        if filt:
            runs = await asyncio.get_running_loop().run_in_executor(None, rv.filter_runs, runs, filt)
        return rv.sort_runs(runs, orders)


class RunHandler(ViewHandler):
    """GET: one run in full: info, params, latest metrics, tags, links, top-level artifacts."""

    @web.authenticated
    @authorized
    async def get(self, backend: str, run_id: str) -> None:
        entry = self.registry.get(backend)
        client = entry.client
        run = await get_live_run(client, run_id)
        self.caches.artifact_uris.put((backend, run_id), run.artifact_uri)
        artifacts, (project_web, job), source_ok = await asyncio.gather(
            self._artifacts(client, run), self._gitlab_lookups(client, backend, run),
            self._source_exists(run))
        links = run_links(kind=entry.backend.kind, tracking_uri=entry.backend.url, run_id=run.run_id,
                          experiment_id=run.experiment_id, artifact_uri=run.artifact_uri, tags=run.tags,
                          project_web=project_web, job=job, root_dir=self._root_dir(),
                          embedded=entry.backend.embedded)
        if links["source"] and not source_ok:
            links["source"]["path"] = None
        info = {f: getattr(run, f) for f in ("run_id", "run_name", "experiment_id", "status", "start_time",
                                              "end_time", "user_id", "artifact_uri", "lifecycle_stage")}
        users.annotate([info], await client.drive(users.user_names(client.api, [run.user_id])))  # C11
        self.write_json({
            "info": info, "params": run.params,
            "metrics": {k: {"value": rv.num(m.value), "step": m.step, "timestamp": m.timestamp}
                        for k, m in run.metrics.items()},
            "tags": user_tags(run.tags), "system_tags": system_tags(run.tags),
            "links": links, "artifacts": artifacts,
        })

    async def _artifacts(self, client: AsyncClient, run: Run) -> dict[str, Any]:
        try:
            files = await client.run(client.api.list_artifacts(run.artifact_uri, ""))
        except NotFound:
            return {"files": [], "note": None}  # GitLab: no package yet = no artifacts
        except MlopsError as exc:  # not served by the tracking server, or a backend failure
            return {"files": [], "note": exc.message}
        return {"files": [f.to_json() for f in files], "note": None}

    def _root_dir(self) -> Optional[str]:
        cm = getattr(self, "contents_manager", None)
        return getattr(cm, "root_dir", None) or self.settings.get("server_root_dir")

    async def _source_exists(self, run: Run) -> bool:
        from ...client.links import source_path

        path = source_path(run.tags.get("mlflow.source.name"), self._root_dir())
        if not path:
            return False
        try:
            return bool(await ensure_async(self.contents_manager.file_exists(path)))
        except Exception:  # noqa: BLE001 - a contents manager that cannot tell: do not link
            return False

    async def _gitlab_lookups(self, client: AsyncClient, backend: str, run: Run) -> tuple[Any, Any]:
        """Best-effort GitLab project web URL and CI job (cached 10 minutes; failures ignored)."""
        url = client.backend.url
        if client.backend.kind != "gitlab":
            return None, None

        async def lookup(name: str, call: Any) -> Any:
            if call is None:
                return None
            task = self.caches.gitlab.get((backend, name))
            if task is None or failed(task):
                task = self.caches.gitlab.put((backend, name), background(client.run(call)))
            try:
                return await asyncio.wait_for(asyncio.shield(task), GITLAB_LOOKUP_TIMEOUT)
            except (MlopsError, asyncio.TimeoutError):
                return None

        job_id = run.tags.get(JOB_TAG)
        web_call = None if project_web_root(url) else project_call(url)
        web, job = await asyncio.gather(lookup("project", web_call),
                                        lookup(f"job:{job_id}", job_call(url, job_id) if job_id else None))
        return web, job


class MetricHistoryHandler(ViewHandler):
    """GET: one metric's history as ``[[x, y], ...]``, downsampled to at most ``max_points``."""

    @web.authenticated
    @authorized
    async def get(self, backend: str, run_id: str, key: str) -> None:
        client = self.registry.client(backend)
        max_points = self.int_arg("max_points", 500, 2, 10000)
        x = self.arg("x") or "step"
        method = self.arg("method") or "lttb"
        if x not in ("step", "time"):
            raise InvalidInput(f"x must be 'step' or 'time', got {x!r}.", reason="invalid_x")
        if method not in METHODS:
            raise InvalidInput(f"method must be one of {', '.join(METHODS)}, got {method!r}.", reason="invalid_method")
        if client.api.dialect.is_gitlab:  # get-history (paged); without it (older GitLab: 404) the latest value
            run = await get_live_run(client, run_id)
            history, source = await client.drive(flows.series_history(client.api, run, key))
        else:  # MLflow keeps deleted runs' histories: check the run too
            history, _ = await asyncio.gather(client.drive(flows.metric_history(client.api, run_id, key)),
                                              get_live_run(client, run_id))
            source = "history"
        pts = sorted(((m.step if x == "step" else m.timestamp), m.value, m.step, m.timestamp) for m in history)
        series, skipped = finite([(float(p[0]), p[1]) for p in pts])
        out = downsample(series, max_points, method)
        self.write_json({
            "run_id": run_id, "key": key, "x": x, "points": [[int(a) if a.is_integer() else a, b] for a, b in out],
            "total": len(series), "skipped": skipped, "downsampled": len(out) < len(series),
            "method": method if len(out) < len(series) else "none", "source": source,
        })


ROUTES = [
    (r"backends/(?P<backend>[^/]+)/experiments/(?P<experiment_id>[^/]+)/runs", RunsHandler),
    (r"backends/(?P<backend>[^/]+)/runs/(?P<run_id>[^/]+)", RunHandler),
    (r"backends/(?P<backend>[^/]+)/runs/(?P<run_id>[^/]+)/metrics/(?P<key>.+)", MetricHistoryHandler),
]

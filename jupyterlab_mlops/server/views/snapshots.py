"""Notebook snapshots over HTTP (DESIGN §5): take, fetch, restore, diff.

The logic lives in :mod:`jupyterlab_mlops.views.snapshots`; this module adapts HTTP and Jupyter's
services to it. Notebooks are found through the kernel's session (never a path the kernel guesses) and
read and written only through the contents manager (it confines paths to the server root).
"""

from __future__ import annotations

import os
import time
from typing import Any, Optional

from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import ensure_async
from tornado import web

from ...client.errors import InvalidInput, NotFound
from ...snapshot.notebook import Options, check_notebook
from ...snapshot.record import fetch_flow
from ...views import snapshots as sv
from ...views.snapshots import api_path, run_id_arg
from ._common import ViewHandler

RUN = r"backends/(?P<backend>[^/]+)/runs/(?P<run_id>[^/]+)"
#: Files larger than this many times ``snapshot_max_bytes`` are not even read.
READ_FACTOR = 4
SECRET_ENV = ("MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_PASSWORD", "MLOPS_SERVER_TOKEN", "JUPYTERHUB_API_TOKEN")


def kernel_env(serverapp: Any) -> dict[str, str]:
    """``MLOPS_SERVER_URL`` / ``MLOPS_SERVER_TOKEN`` for kernels, so the kernel-side snapshot hook can
    call back (loopback; empty for a unix-socket server)."""
    if getattr(serverapp, "sock", ""):
        return {}
    ip = str(getattr(serverapp, "ip", "") or "")
    if ip in ("", "0.0.0.0", "*", "localhost"):
        host = "127.0.0.1"
    elif ip == "::":
        host = "[::1]"
    else:
        host = f"[{ip}]" if ":" in ip else ip
    scheme = "https" if getattr(serverapp, "certfile", "") else "http"
    provider = getattr(serverapp, "identity_provider", None)
    token = str(getattr(provider, "token", "") or "")
    return {"MLOPS_SERVER_URL": f"{scheme}://{host}:{serverapp.port}{serverapp.base_url}", "MLOPS_SERVER_TOKEN": token}


class SnapshotBase(ViewHandler):
    @property
    def snapshots(self) -> sv.Snapshots:
        """This server's snapshot state (per-run upload locks, the restore lock)."""
        return self.caches.snapshots

    def option(self, name: str) -> int:
        """A ``c.MlopsApp.snapshot_*`` trait."""
        return int(getattr(self.extensionapp, name))

    def secrets(self) -> tuple[str, ...]:
        provider = getattr(self.serverapp, "identity_provider", None)
        found = [*self.registry.secrets(), str(getattr(provider, "token", "") or "")]
        found += [os.environ.get(k, "") for k in SECRET_ENV]
        return tuple(s for s in found if s)

    @property
    def contents(self) -> Any:
        return self.serverapp.contents_manager

    async def cm(self, what: str, path: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call the contents manager, turning its HTTP errors into typed ones."""
        try:
            return await ensure_async(getattr(self.contents, method)(*args, **kwargs))
        except web.HTTPError as exc:
            if exc.status_code == 404:
                raise NotFound(f"{what} {path!r} was not found on the server.", reason="not_found") from None
            raise InvalidInput(f"{what} {path!r}: {exc.log_message or exc.reason}.", reason="contents_error") from None

    async def exists(self, path: str) -> bool:
        return bool(await self.cm("Path", path, "exists", path))

    async def dir_exists(self, path: str) -> bool:
        return bool(await self.cm("Directory", path, "dir_exists", path))

    async def save(self, model: dict[str, Any], path: str) -> Any:
        return await self.cm("Notebook", path, "save", model, path)


class SnapshotHandler(SnapshotBase):
    """``POST`` takes a snapshot of a notebook for a run; ``GET`` returns the run's snapshot."""

    @web.authenticated
    @authorized
    async def get(self, backend: str, run_id: str) -> None:
        client = self.registry.client(backend)
        record, notebook, run = await client.drive(fetch_flow(client.api, run_id_arg(run_id)))
        self.write_json(
            {"backend": backend, "run_id": run_id, "run_name": run.run_name, "snapshot": record, "notebook": notebook}
        )

    @web.authenticated
    @authorized
    async def post(self, backend: str, run_id: str) -> None:
        body = self.json_body()
        self.request.body = b""  # the live notebook may be megabytes: keep one copy only
        client = self.registry.client(backend)
        run_id = run_id_arg(run_id)
        started = time.perf_counter()
        path, kernel, argv = await self._resolve(body)
        content = body.pop("content", None)
        if content is not None:
            origin, box = "frontend", [check_notebook(content, "'content'")]
        else:
            origin, box = "disk", [await self._read(path)]
        del content
        read = time.perf_counter()
        opts = Options(
            output_max_bytes=self.option("snapshot_output_max_bytes"),
            max_bytes=self.option("snapshot_max_bytes"),
            secrets=self.secrets(),
        )
        src = sv.Source(box, path, origin, kernel=kernel, os_path=self._os_path(path), argv=argv)
        del box
        taken = await self.snapshots.take(
            self.drive,
            client.api,
            backend,
            run_id,
            src,
            opts,
            git_diff_max_bytes=self.option("snapshot_git_diff_max_bytes"),
            packages=body.get("packages"),
            python=body.get("python"),
        )
        self.log.info(
            "snapshot of %s for run %s on %s: %d bytes, %s in %.2f s (read %.2f, build %.2f, upload %.2f)",
            path,
            run_id,
            backend,
            taken.size,
            "uploaded" if taken.uploaded else taken.reason,
            time.perf_counter() - started,
            read - started,
            taken.seconds["build"],
            taken.seconds["upload"],
        )
        self.write_json(taken.answer)

    async def _resolve(self, body: dict[str, Any]) -> tuple[str, dict[str, Any], Optional[list[str]]]:
        """Notebook path, kernel facts and kernelspec argv: from the kernel's session when given."""
        kernel_id = body.get("kernel_id")
        if kernel_id:
            if not isinstance(kernel_id, str):
                raise InvalidInput("'kernel_id' must be a string.", reason="invalid_kernel_id")
            sessions = await ensure_async(self.serverapp.session_manager.list_sessions())
            for s in sessions:
                kernel = s.get("kernel") or {}
                if kernel.get("id") == kernel_id:
                    if s.get("type") not in (None, "notebook") or not s.get("path"):
                        raise InvalidInput(
                            f"Kernel {kernel_id} runs a {s.get('type')}, not a notebook: "
                            "there is no notebook to snapshot.",
                            reason="not_a_notebook",
                        )
                    return api_path(s["path"]), {"id": kernel_id, "name": kernel.get("name")}, self._argv(kernel_id)
            raise NotFound(
                f"No notebook session uses kernel {kernel_id}: open the notebook in JupyterLab (or pass 'path').",
                reason="no_session",
            )
        if not body.get("path"):
            raise InvalidInput(
                "Give 'kernel_id' (the notebook's kernel) or 'path' (relative to the server root).",
                reason="missing_path",
            )
        return api_path(body["path"]), {}, None

    def _argv(self, kernel_id: str) -> Optional[list[str]]:
        try:
            return list(self.serverapp.kernel_manager.get_kernel(kernel_id).kernel_spec.argv)
        except Exception:  # noqa: BLE001 - unknown kernel or spec: packages stay "unavailable"
            return None

    async def _read(self, path: str) -> Any:
        """The notebook's text (``.ipynb``) or parsed content (other formats, e.g. jupytext)."""
        what = "Notebook"
        try:
            meta = await self.cm(what, path, "get", path, content=False)
        except NotFound:
            raise NotFound(
                f"Notebook {path!r} was not found on the server: save it first.", reason="notebook_not_found"
            ) from None
        if meta.get("type") == "directory":
            raise InvalidInput(f"{path!r} is a directory, not a notebook.", reason="not_a_notebook")
        limit = READ_FACTOR * self.option("snapshot_max_bytes")
        if isinstance(meta.get("size"), int) and meta["size"] > limit:
            raise InvalidInput(
                f"Notebook {path!r} is {meta['size']:,} bytes; snapshots read at most {limit:,}.",
                reason="snapshot_too_large",
            )
        if path.endswith(".ipynb"):
            model = await self.cm(what, path, "get", path, content=True, type="file", format="text")
            return model.pop("content")
        model = await self.cm(what, path, "get", path, content=True, type="notebook")
        return check_notebook(dict(model.pop("content")), f"Notebook {path!r}")

    def _os_path(self, path: str) -> Optional[str]:
        getter = getattr(self.contents, "_get_os_path", None)
        try:
            return str(getter(path)) if getter else None
        except Exception:  # noqa: BLE001 - a non-file contents manager: no git info
            return None


class RestoreHandler(SnapshotBase):
    """``POST``: write the snapshot as a new notebook next to the original (never overwriting)."""

    @web.authenticated
    @authorized
    async def post(self, backend: str, run_id: str) -> None:
        body = self.json_body()
        api = self.registry.client(backend).api
        self.write_json(await self.snapshots.restore(self.drive, api, backend, run_id, self, body.get("dir")))


class DiffHandler(SnapshotBase):
    """``GET snapshots/diff?a=<backend>:<run_id>&b=<backend>:<run_id>``: cell-level diff."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        default = self.registry.default_name
        refs = [sv.run_ref(self.get_query_argument(n, None), n, default) for n in ("a", "b")]
        apis = {b: self.registry.client(b).api for b, _ in refs}
        self.write_json(await sv.diff(self.drive, apis, refs))


ROUTES = [
    (RUN + r"/snapshot", SnapshotHandler),
    (RUN + r"/snapshot/restore", RestoreHandler),
    (r"snapshots/diff", DiffHandler),
]

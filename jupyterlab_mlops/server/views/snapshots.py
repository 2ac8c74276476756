"""Notebook snapshots over HTTP (DESIGN §5): take, fetch, restore, diff.

The logic lives in :mod:`jupyterlab_mlops.snapshot`; this module adapts HTTP to it. Notebooks are
found through the kernel's session (never a path the kernel guesses) and read and written only
through the contents manager (it confines paths to the server root). CPU-heavy work (parsing,
scrubbing, hashing a 20 MB notebook) and ``git`` run in the executor, not on the event loop.
"""
from __future__ import annotations

import asyncio
import os
import posixpath
import re
import time
import weakref
from typing import Any, Optional

from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import ensure_async
from tornado import web

from ...client.errors import InvalidInput, NotFound
from ...snapshot import environment, gitinfo
from ...snapshot.diff import diff_notebooks
from ...snapshot.notebook import Options, check_notebook, parse_notebook, prepare
from ...snapshot.record import build_record, fetch_flow, response, restore_candidates, upload_flow
from ..base import MlopsHandler

RUN = r"backends/(?P<backend>[^/]+)/runs/(?P<run_id>[^/]+)"
RUN_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
#: Files larger than this many times ``snapshot_max_bytes`` are not even read.
READ_FACTOR = 4
SECRET_ENV = ("MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_PASSWORD", "MLOPS_SERVER_TOKEN", "JUPYTERHUB_API_TOKEN")
_run_locks: "weakref.WeakValueDictionary[str, asyncio.Lock]" = weakref.WeakValueDictionary()
_restore_lock: Optional[asyncio.Lock] = None


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


def _run_id(run_id: str) -> str:
    if not RUN_ID_RE.match(run_id or ""):
        raise NotFound(f"No run with id {run_id!r}.", reason="unknown_run")
    return run_id


def _api_path(value: Any, what: str = "path") -> str:
    """A contents-manager path: relative, no ``..`` (the contents manager checks again)."""
    if not isinstance(value, str) or "\x00" in value or "\\" in value:
        raise InvalidInput(f"'{what}' must be a path relative to the server root.", reason="invalid_path")
    parts = [p for p in value.strip().strip("/").split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise InvalidInput(f"'{what}' must stay inside the server root: {value!r}.", reason="path_traversal")
    return "/".join(parts)


def _build(box: list[Any], opts: Options) -> Any:
    """Parse (when text) and prepare; ``box`` hands over the only reference, so memory is freed early."""
    item = box.pop()
    nb = parse_notebook(item) if isinstance(item, (str, bytes)) else item
    del item
    return prepare(nb, opts, release=True)


class SnapshotBase(MlopsHandler):
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


class SnapshotHandler(SnapshotBase):
    """``POST`` takes a snapshot of a notebook for a run; ``GET`` returns the run's snapshot."""

    @web.authenticated
    @authorized
    async def get(self, backend: str, run_id: str) -> None:
        client = self.registry.client(backend)
        record, notebook, _run = await client.drive(fetch_flow(client.api, _run_id(run_id)))
        self.write_json({"backend": backend, "run_id": run_id, "snapshot": record, "notebook": notebook})

    @web.authenticated
    @authorized
    async def post(self, backend: str, run_id: str) -> None:
        body = self.json_body()
        self.request.body = b""  # the live notebook may be megabytes: keep one copy only
        client = self.registry.client(backend)
        run_id = _run_id(run_id)
        started = time.perf_counter()
        path, kernel, argv = await self._resolve(body)
        content = body.pop("content", None)
        if content is not None:
            source, box = "frontend", [check_notebook(content, "'content'")]
        else:
            source, box = "disk", [await self._read(path)]
        del content
        opts = Options(output_max_bytes=self.option("snapshot_output_max_bytes"),
                       max_bytes=self.option("snapshot_max_bytes"), secrets=self.secrets())
        os_path = self._os_path(path)
        loop = asyncio.get_running_loop()
        git_task = loop.run_in_executor(None, lambda: gitinfo.git_info(
            os_path, diff_max_bytes=self.option("snapshot_git_diff_max_bytes")) if os_path else gitinfo.empty())
        read = time.perf_counter()
        prepared = await loop.run_in_executor(None, _build, box, opts)
        built = time.perf_counter()
        git = await git_task
        packages, python, packages_source = await self._environment(body, argv)
        record = build_record(prepared, path=path, run_id=run_id, backend=backend, kernel=kernel, python=python,
                              packages=packages, packages_source=packages_source, git=git, source=source,
                              secrets=opts.secrets)
        lock = _run_locks.setdefault(f"{backend}\0{run_id}", asyncio.Lock())
        async with lock:
            uploaded, reason = await client.drive(upload_flow(client.api, run_id, prepared, record))
        done = time.perf_counter()
        self.log.info("snapshot of %s for run %s on %s: %d bytes, %s in %.2f s (read %.2f, build %.2f, upload %.2f)",
                      path, run_id, backend, prepared.size, "uploaded" if uploaded else reason, done - started,
                      read - started, built - read, done - built)
        self.write_json(response(record, uploaded, reason))

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
                        raise InvalidInput(f"Kernel {kernel_id} runs a {s.get('type')}, not a notebook: "
                                           "there is no notebook to snapshot.", reason="not_a_notebook")
                    return _api_path(s["path"]), {"id": kernel_id, "name": kernel.get("name")}, self._argv(kernel_id)
            raise NotFound(f"No notebook session uses kernel {kernel_id}: open the notebook in JupyterLab (or "
                           "pass 'path').", reason="no_session")
        if not body.get("path"):
            raise InvalidInput("Give 'kernel_id' (the notebook's kernel) or 'path' (relative to the server root).",
                               reason="missing_path")
        return _api_path(body["path"]), {}, None

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
            raise NotFound(f"Notebook {path!r} was not found on the server: save it first.",
                           reason="notebook_not_found") from None
        if meta.get("type") == "directory":
            raise InvalidInput(f"{path!r} is a directory, not a notebook.", reason="not_a_notebook")
        limit = READ_FACTOR * self.option("snapshot_max_bytes")
        if isinstance(meta.get("size"), int) and meta["size"] > limit:
            raise InvalidInput(f"Notebook {path!r} is {meta['size']:,} bytes; snapshots read at most {limit:,}.",
                               reason="snapshot_too_large")
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

    async def _environment(self, body: dict[str, Any],
                           argv: Optional[list[str]]) -> tuple[dict[str, str], dict[str, Any], str]:
        sent = environment.clean_packages(body.get("packages"))
        python = body.get("python") if isinstance(body.get("python"), dict) else {}
        python = {str(k): str(v)[:200] for k, v in list(python.items())[:20]}
        if sent:
            return sent, python, "kernel"
        if argv is not None and environment.same_interpreter(argv):
            pkgs = await asyncio.get_running_loop().run_in_executor(None, environment.server_packages)
            return dict(pkgs), python or environment.python_info(), "server"
        return {}, python, "unavailable"


class RestoreHandler(SnapshotBase):
    """``POST``: write the snapshot as a new notebook next to the original (never overwriting)."""

    @web.authenticated
    @authorized
    async def post(self, backend: str, run_id: str) -> None:
        global _restore_lock
        body = self.json_body()
        client = self.registry.client(backend)
        record, notebook, _run = await client.drive(fetch_flow(client.api, _run_id(run_id)))
        original = _api_path(str(record.get("path") or "notebook.ipynb"), "snapshot path")
        if body.get("dir") is not None:
            folder: Optional[str] = _api_path(body["dir"], "dir")
            if folder and not await self.cm("Directory", folder, "dir_exists", folder):
                raise NotFound(f"Directory {folder!r} was not found on the server.", reason="not_found")
        else:
            folder = posixpath.dirname(original)
            if folder and not await self.cm("Directory", folder, "dir_exists", folder):
                folder = ""
        _restore_lock = _restore_lock or asyncio.Lock()
        async with _restore_lock:
            for n, path in enumerate(restore_candidates(original, run_id, folder)):
                if n > 1000:
                    raise InvalidInput("Too many restored copies of this snapshot already.", reason="restore_taken")
                if not await self.cm("Path", path, "exists", path):
                    break
            model = {"type": "notebook", "format": "json", "content": notebook}
            await self.cm("Notebook", path, "save", model, path)
        self.write_json({"path": path, "name": posixpath.basename(path), "backend": backend, "run_id": run_id,
                         "sha256": record.get("sha256"), "original": original})


def _ref(value: Optional[str], name: str, default: Optional[str]) -> tuple[str, str]:
    if not value:
        raise InvalidInput(f"Query argument '{name}' is required: <backend>:<run_id>.", reason=f"missing_{name}")
    backend, sep, run_id = value.rpartition(":")
    if not sep:
        backend, run_id = default or "", value
    return backend, _run_id(run_id)


class DiffHandler(SnapshotBase):
    """``GET snapshots/diff?a=<backend>:<run_id>&b=<backend>:<run_id>``: cell-level diff."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        default = self.registry.default_name
        refs = [_ref(self.get_query_argument(n, None), n, default) for n in ("a", "b")]

        async def fetch(backend: str, run_id: str) -> Any:
            client = self.registry.client(backend)
            return await client.drive(fetch_flow(client.api, run_id))

        (rec_a, nb_a, _), (rec_b, nb_b, _) = await asyncio.gather(*(fetch(b, r) for b, r in refs))
        result = await asyncio.get_running_loop().run_in_executor(None, diff_notebooks, nb_a, nb_b)
        sides = [{"backend": b, "run_id": r, "path": rec.get("path"), "sha256": rec.get("sha256")}
                 for (b, r), rec in zip(refs, (rec_a, rec_b))]
        self.write_json({"a": sides[0], "b": sides[1], "engine": "difflib", **result})


ROUTES = [
    (RUN + r"/snapshot", SnapshotHandler),
    (RUN + r"/snapshot/restore", RestoreHandler),
    (r"snapshots/diff", DiffHandler),
]

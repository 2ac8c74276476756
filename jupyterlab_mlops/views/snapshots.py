"""Notebook snapshots of runs (DESIGN §5): take, restore, diff, over :mod:`..snapshot`'s record and flows.

The server's handlers find the notebook (the kernel's session, the contents manager) and hand it over;
here the snapshot is built (CPU-heavy work and ``git`` in the executor, not on the event loop), uploaded
once per run at a time, restored as a new notebook next to the original (never overwriting, one restore
at a time) and diffed. Notebooks are read and written only through :class:`Contents`, which the server
backs with its contents manager (it confines paths to the server root).
"""

from __future__ import annotations

import asyncio
import posixpath
import re
import time
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, Protocol

from ..client.api import Api
from ..client.errors import InvalidInput, NotFound
from ..snapshot import environment, gitinfo
from ..snapshot.diff import diff_notebooks
from ..snapshot.notebook import Options, Prepared, parse_notebook, prepare
from ..snapshot.record import build_record, fetch_flow, response, restore_candidates, upload_flow
from .driver import AsyncDrive

if TYPE_CHECKING:
    from .wire.snapshots import RestoreResult, SnapshotDiff, SnapshotResult

RUN_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
#: restored copies of one snapshot in one folder at most (``nb-<run>.ipynb``, ``nb-<run>-1.ipynb``, ...)
MAX_RESTORED = 1000


class Contents(Protocol):
    """What restoring needs of the server's contents manager (errors already typed)."""

    async def exists(self, path: str) -> bool: ...

    async def dir_exists(self, path: str) -> bool: ...

    async def save(self, model: dict[str, Any], path: str) -> Any: ...


def run_id_arg(run_id: str) -> str:
    """A run id as MLflow and GitLab spell them; anything else is an unknown run (404)."""
    if not RUN_ID_RE.match(run_id or ""):
        raise NotFound(f"No run with id {run_id!r}.", reason="unknown_run")
    return run_id


def api_path(value: Any, what: str = "path") -> str:
    """A contents-manager path: relative, no ``..`` (the contents manager checks again)."""
    if not isinstance(value, str) or "\x00" in value or "\\" in value:
        raise InvalidInput(f"'{what}' must be a path relative to the server root.", reason="invalid_path")
    parts = [p for p in value.strip().strip("/").split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise InvalidInput(f"'{what}' must stay inside the server root: {value!r}.", reason="path_traversal")
    return "/".join(parts)


def run_ref(value: Optional[str], name: str, default: Optional[str]) -> tuple[str, str]:
    """``<backend>:<run_id>`` (or a bare run id on the default backend) of the query argument ``name``."""
    if not value:
        raise InvalidInput(f"Query argument '{name}' is required: <backend>:<run_id>.", reason=f"missing_{name}")
    backend, sep, run_id = value.rpartition(":")
    if not sep:
        backend, run_id = default or "", value
    return backend, run_id_arg(run_id)


def build(box: list[Any], opts: Options) -> Prepared:
    """Parse (when text) and prepare; ``box`` hands over the only reference, so memory is freed early."""
    item = box.pop()
    nb = parse_notebook(item) if isinstance(item, (str, bytes)) else item
    del item
    return prepare(nb, opts, release=True)


async def environment_of(
    sent: Any, python: Any, argv: Optional[list[str]]
) -> tuple[dict[str, str], dict[str, Any], str]:
    """``(packages, python, source)``: what the kernel sent, else the server's own packages when the kernel
    runs the server's interpreter, else none (``unavailable``)."""
    packages = environment.clean_packages(sent)
    info = python if isinstance(python, dict) else {}
    info = {str(k): str(v)[:200] for k, v in list(info.items())[:20]}
    if packages:
        return packages, info, "kernel"
    if argv is not None and environment.same_interpreter(argv):
        pkgs = await asyncio.get_running_loop().run_in_executor(None, environment.server_packages)
        return dict(pkgs), info or environment.python_info(), "server"
    return {}, info, "unavailable"


@dataclass
class Taken:
    """A snapshot taken: the route's answer, and what the server logs."""

    answer: SnapshotResult
    size: int
    uploaded: bool
    reason: Optional[str]
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class Source:
    """The notebook to snapshot, as the server found it."""

    box: list[Any]  # its only reference: the text, bytes or parsed notebook (handed over, then freed)
    path: str
    origin: str  # "frontend" (the live notebook sent) or "disk"
    kernel: dict[str, Any] = field(default_factory=dict)
    os_path: Optional[str] = None  # where git looks, when the contents manager is on a file system
    argv: Optional[list[str]] = None  # the kernel's interpreter, for the server's packages


class Snapshots:
    """Snapshot work of one server: one upload per run at a time, one restore at a time."""

    def __init__(self) -> None:
        self._run_locks: "weakref.WeakValueDictionary[str, asyncio.Lock]" = weakref.WeakValueDictionary()
        self._restore_lock = asyncio.Lock()

    async def take(
        self,
        drive: AsyncDrive,
        api: Api,
        backend: str,
        run_id: str,
        src: Source,
        opts: Options,
        *,
        git_diff_max_bytes: int,
        packages: Any = None,
        python: Any = None,
    ) -> Taken:
        """Build the record (git and the notebook in the executor, at once) and upload it unless unchanged."""
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        os_path = src.os_path
        git_task = loop.run_in_executor(
            None, lambda: gitinfo.git_info(os_path, diff_max_bytes=git_diff_max_bytes) if os_path else gitinfo.empty()
        )
        prepared = await loop.run_in_executor(None, build, src.box, opts)
        built = time.perf_counter()
        git = await git_task
        pkgs, python_info, packages_source = await environment_of(packages, python, src.argv)
        record = build_record(
            prepared,
            path=src.path,
            run_id=run_id,
            backend=backend,
            kernel=src.kernel,
            python=python_info,
            packages=pkgs,
            packages_source=packages_source,
            git=git,
            source=src.origin,
            secrets=opts.secrets,
        )
        lock = self._run_locks.setdefault(f"{backend}\0{run_id}", asyncio.Lock())
        async with lock:
            uploaded, reason = await drive(backend, upload_flow(api, run_id, prepared, record))
        done = time.perf_counter()
        return Taken(
            response(record, uploaded, reason),
            prepared.size,
            uploaded,
            reason,
            {"build": built - started, "upload": done - built},
        )

    async def restore(
        self, drive: AsyncDrive, api: Api, backend: str, run_id: str, contents: Contents, folder: Any = None
    ) -> RestoreResult:
        """Write the run's snapshot as a new notebook in ``folder`` (default: next to the original, or the
        root when that folder is gone); returns where."""
        record, notebook, _run = await drive(backend, fetch_flow(api, run_id_arg(run_id)))
        original = api_path(str(record.get("path") or "notebook.ipynb"), "snapshot path")
        if folder is not None:
            folder = api_path(folder, "dir")
            if folder and not await contents.dir_exists(folder):
                raise NotFound(f"Directory {folder!r} was not found on the server.", reason="not_found")
        else:
            folder = posixpath.dirname(original)
            if folder and not await contents.dir_exists(folder):
                folder = ""
        async with self._restore_lock:
            for n, path in enumerate(restore_candidates(original, run_id, folder)):
                if n > MAX_RESTORED:
                    raise InvalidInput("Too many restored copies of this snapshot already.", reason="restore_taken")
                if not await contents.exists(path):
                    break
            await contents.save({"type": "notebook", "format": "json", "content": notebook}, path)
        return {
            "path": path,
            "name": posixpath.basename(path),
            "backend": backend,
            "run_id": run_id,
            "sha256": record.get("sha256"),
            "original": original,
        }


async def diff(drive: AsyncDrive, apis: dict[str, Api], refs: list[tuple[str, str]]) -> SnapshotDiff:
    """Cell-level diff of two runs' snapshots (``refs``: ``(backend, run_id)`` a and b)."""
    (rec_a, nb_a, run_a), (rec_b, nb_b, run_b) = await asyncio.gather(
        *(drive(b, fetch_flow(apis[b], r)) for b, r in refs)
    )
    result = await asyncio.get_running_loop().run_in_executor(None, diff_notebooks, nb_a, nb_b)
    sides = [
        {"backend": b, "run_id": r, "run_name": run.run_name, "path": rec.get("path"), "sha256": rec.get("sha256")}
        for (b, r), rec, run in zip(refs, (rec_a, rec_b), (run_a, run_b))
    ]
    return {"a": sides[0], "b": sides[1], "engine": "difflib", **result}

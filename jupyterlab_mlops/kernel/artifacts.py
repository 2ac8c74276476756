"""Artifact upload from the kernel: streamed from disk, with a progress bar for large files."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from ..client.dialect import check_artifact_name
from ..client.errors import InvalidInput
from ..client.paths import join, safe_relpath

CHUNK = 1 << 20
#: Files at least this big show a progress bar (``MLOPS_PROGRESS_BYTES`` overrides it).
PROGRESS_BYTES = 8 << 20


class ProgressReader:
    """A file body for ``requests``: known length (so Content-Length is sent), read in chunks,
    reporting progress."""

    def __init__(self, path: Path, on_progress: Optional[Callable[[int, int], None]] = None) -> None:
        self._f = open(path, "rb")
        self.total = os.fstat(self._f.fileno()).st_size
        self.done = 0
        self._on_progress = on_progress

    def __len__(self) -> int:
        return self.total

    def read(self, n: int = -1) -> bytes:
        data = self._f.read(CHUNK if n is None or n < 0 else n)
        if data:
            self.done += len(data)
            if self._on_progress:
                self._on_progress(self.done, self.total)
        return data

    def __iter__(self) -> Iterator[bytes]:
        while True:
            data = self.read(CHUNK)
            if not data:
                return
            yield data

    def close(self) -> None:
        self._f.close()


class Progress:
    """An ipywidgets bar in a kernel with a frontend, else a text line on stderr."""

    def __init__(self, label: str, total: int) -> None:
        self.total = max(total, 1)
        self.label = label
        self.bar: Any = None
        self._last = -1
        try:
            from IPython import get_ipython

            ip = get_ipython()
            if ip is not None and getattr(ip, "kernel", None) is not None:
                import ipywidgets as w
                from IPython.display import display

                self.bar = w.FloatProgress(
                    value=0.0, min=0.0, max=1.0, description="upload", layout=w.Layout(width="60%")
                )
                self.text = w.Label(label)
                display(w.HBox([self.bar, self.text]))
        except Exception:  # noqa: BLE001 - no frontend: fall back to text
            self.bar = None

    def __call__(self, done: int, total: int) -> None:
        pct = int(100 * done / self.total)
        if pct == self._last:
            return
        self._last = pct
        if self.bar is not None:
            self.bar.value = done / self.total
            self.text.value = f"{self.label}: {pct}% of {self.total / 1e6:.1f} MB"
        else:
            end = "\n" if done >= total else ""
            print(
                f"\rmlops: uploading {self.label}: {pct:3d}% of {self.total / 1e6:.1f} MB",
                end=end,
                file=sys.stderr,
                flush=True,
            )


def artifact_name(path: Path, artifact_path: Optional[str], gitlab: bool) -> str:
    """Where the file goes in the run's artifacts (GitLab: its package file-name rule in every part)."""
    name = join(safe_relpath(artifact_path or ""), path.name)
    return check_artifact_name(name) if gitlab else name


def upload(
    client: Any,
    artifact_uri: Optional[str],
    path: str,
    artifact_path: Optional[str] = None,
    progress_bytes: Optional[int] = None,
) -> str:
    """Upload one local file; returns its artifact path."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise InvalidInput(f"artifact {path!r} is not a file" + ("" if p.exists() else " (it does not exist)"))
    name = artifact_name(p, artifact_path, client.backend.kind == "gitlab")
    threshold = (
        progress_bytes if progress_bytes is not None else int(os.environ.get("MLOPS_PROGRESS_BYTES", PROGRESS_BYTES))
    )
    size = p.stat().st_size
    progress = Progress(name, size) if size >= threshold else None
    reader = ProgressReader(p, progress)
    try:
        # A streamed body (requests sends Content-Length from len()); an empty file as b"" (a zero
        # length reader would be sent chunked).
        body: Any = reader if size else b""
        client.run(client.api.upload_artifact(artifact_uri, name, body))
    finally:
        reader.close()
    return name

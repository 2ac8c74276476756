"""Git facts about the directory of a notebook: commit, branch, remote, dirty diff.

``git`` runs as a subprocess with a timeout per command, no prompts and no optional locks.
Not a repository, no git, a timeout, "dubious ownership": the fields stay empty, never an error.
The notebook's own diff is left out (the snapshot holds the notebook) and the diff is capped.
"""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit, urlunsplit

TIMEOUT = 5.0
DIFF_MAX_BYTES = 200_000
UNTRACKED_MAX = 100
_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_PAGER": "cat", "LC_ALL": "C"}


def empty() -> dict[str, Any]:
    """The git fields of a notebook that is not in a repository."""
    return {
        "commit": "",
        "branch": "",
        "remote": "",
        "dirty": False,
        "diff": "",
        "diff_truncated": False,
        "untracked": [],
        "path_in_repo": "",
        "error": "",
    }


def _git(cwd: Path, *args: str, timeout: float = TIMEOUT, limit: Optional[int] = None) -> Optional[bytes]:
    """stdout of ``git args`` (at most ``limit + 1`` bytes are read), or None when git fails or times out."""
    try:
        proc = subprocess.Popen(
            ["git", "-C", str(cwd), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **_ENV},
        )
    except OSError:
        return None
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        out = proc.stdout.read() if limit is None else proc.stdout.read(limit + 1)
        cut = limit is not None and len(out) > limit
        if cut:
            proc.kill()
        code = proc.wait()
    finally:
        timer.cancel()
        if proc.stdout is not None:
            proc.stdout.close()
    if cut:
        return out
    return out if code == 0 else None


def _text(out: Optional[bytes]) -> str:
    return out.decode("utf-8", "replace").strip() if out else ""


def clean_remote(url: str) -> str:
    """A remote URL without credentials (``https://user:token@host/x`` -> ``https://host/x``)."""
    if "://" not in url:
        return url  # scp-like git@host:path carries no secret
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def git_info(
    notebook: "str | os.PathLike[str]", *, diff_max_bytes: int = DIFF_MAX_BYTES, timeout: float = TIMEOUT
) -> dict[str, Any]:
    """Git fields for the repository holding ``notebook`` (a file path on this machine)."""
    info = empty()
    path = Path(notebook)
    cwd = path.parent
    if not cwd.is_dir():
        return info
    top = _text(_git(cwd, "rev-parse", "--show-toplevel", timeout=timeout))
    if not top:
        return info
    try:
        rel = os.path.relpath(path.resolve(), Path(top).resolve()).replace(os.sep, "/")
    except ValueError:
        rel = path.name
    info["path_in_repo"] = rel
    info["commit"] = _text(_git(cwd, "rev-parse", "--verify", "-q", "HEAD", timeout=timeout))
    branch = _text(_git(cwd, "symbolic-ref", "--short", "-q", "HEAD", timeout=timeout))
    info["branch"] = branch
    remote_name = _text(_git(cwd, "config", "--get", f"branch.{branch}.remote", timeout=timeout)) if branch else ""
    if not remote_name:
        remotes = _text(_git(cwd, "remote", timeout=timeout)).splitlines()
        remote_name = "origin" if "origin" in remotes else (remotes[0] if remotes else "")
    if remote_name:
        info["remote"] = clean_remote(_text(_git(cwd, "remote", "get-url", remote_name, timeout=timeout)))
    status = _git(cwd, "status", "--porcelain", "--untracked-files=normal", "-z", timeout=timeout)
    if status is None:
        info["error"] = "git status failed"
        return info
    entries = [e for e in status.decode("utf-8", "replace").split("\0") if e]
    info["dirty"] = bool(entries)
    info["untracked"] = [e[3:] for e in entries if e.startswith("?? ")][:UNTRACKED_MAX]
    if info["dirty"] and info["commit"]:
        exclude = f":(top,exclude,literal){rel}"
        diff = _git(
            cwd,
            "diff",
            "HEAD",
            "--no-color",
            "--no-ext-diff",
            "--",
            ":(top)",
            exclude,
            timeout=timeout,
            limit=diff_max_bytes,
        )
        if diff:
            info["diff_truncated"] = len(diff) > diff_max_bytes
            info["diff"] = diff[:diff_max_bytes].decode("utf-8", "replace")
    return info

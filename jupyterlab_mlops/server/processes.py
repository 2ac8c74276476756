"""Processes of the embedded backend: a free port, signals to a process group, what a pid is and who started
it (``/proc``, or ``ps`` without it). Standard library only."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path


def free_port(host: str = "127.0.0.1") -> int:
    """Return a port that was free on ``host`` a moment ago (bind to 0, read, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def killpg(pgid: int, sig: int) -> None:
    """Signal a process group that may be gone already."""
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def proc_info(pid: int) -> tuple[str, int]:
    """(command line, parent pid) of ``pid``; ("", 0) if it is gone or unknown."""
    try:
        if Path("/proc/self").exists():
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
            cmd = raw.replace(b"\0", b" ").decode("utf-8", "replace")
            return cmd, int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        out = subprocess.run(
            ["ps", "-o", "ppid=,command=", "-p", str(pid)], capture_output=True, text=True, timeout=2
        ).stdout.strip()  # no /proc (macOS)
        ppid, _, cmd = out.partition(" ")
        return cmd, int(ppid or 0)
    except (OSError, ValueError, IndexError, subprocess.SubprocessError):
        return "", 0


def kill_now(pid: int) -> None:
    """SIGKILL ``pid``, and its whole group when it leads one (as the server's children do)."""
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def start_guard(pgid: int) -> "subprocess.Popen[bytes]":
    """Start :mod:`.orphan_guard` for the server's group ``pgid`` (it stops the group if Jupyter dies)."""
    return subprocess.Popen(
        [sys.executable, "-m", "jupyterlab_mlops.server.orphan_guard", str(os.getpid()), str(pgid)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop_guard(guard: "subprocess.Popen[bytes] | None") -> None:
    """Stop an orphan guard (the server is being stopped by us)."""
    if guard is not None and guard.poll() is None:
        guard.terminate()
        try:
            guard.wait(2)
        except subprocess.TimeoutExpired:
            guard.kill()

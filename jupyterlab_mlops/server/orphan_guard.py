"""Stop the embedded MLflow server's process group when Jupyter dies, even by SIGKILL.

``python -m jupyterlab_mlops.server.orphan_guard <jupyter pid> <process group id>``. The server
runs in its own session (so Ctrl-C in Jupyter's terminal does not kill it mid-write); this
watcher, started beside it, is what keeps it from outliving Jupyter. Standard library only.
"""

from __future__ import annotations

import os
import signal
import sys
import time


def _alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def main(argv: list[str]) -> int:
    parent, pgid = int(argv[0]), int(argv[1])
    while _alive(pgid):
        if os.getppid() != parent:  # re-parented: Jupyter is gone
            os.killpg(pgid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while _alive(pgid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _alive(pgid):
                os.killpg(pgid, signal.SIGKILL)
            return 0
        time.sleep(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

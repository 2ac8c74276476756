"""The Python environment recorded in ``snapshot.json``: version and installed packages.

Which environment: the *kernel's*. The kernel hook sends ``packages`` and ``python`` it read with
:func:`packages` in the kernel process (the frontend relays them from the comm message). When a
request has none, the server uses its own environment only if the kernel runs the server's
interpreter (jupyter_client starts kernelspecs whose ``argv[0]`` is ``python``/``python3`` with the
server's ``sys.executable``); otherwise the list stays empty with ``packages_source: "unavailable"``.
Import-light: the kernel imports this module.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
from typing import Any, Optional, Sequence

MAX_PACKAGES = 5000
_SERVER_PACKAGES: Optional[dict[str, str]] = None


def packages() -> dict[str, str]:
    """``{name: version}`` of the distributions importable by this interpreter (first on ``sys.path`` wins).

    Read from ``<name>-<version>.dist-info`` directory names (milliseconds, where parsing every
    METADATA file with :mod:`importlib.metadata` takes ~0.5 s); other layouts fall back to it."""
    out: dict[str, str] = {}
    slow = False
    for entry in sys.path or []:
        try:
            with os.scandir(entry or ".") as it:
                names = [e.name for e in it]
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                dist, sep, version = name[:-10].partition("-")
                if sep and dist and dist not in out:
                    out[dist] = version
            elif name.endswith(".egg-info"):
                slow = True
        if len(out) >= MAX_PACKAGES:
            break
    if slow or not out:
        out = {**_metadata_packages(), **out}
    return dict(sorted(out.items(), key=lambda kv: kv[0].lower()))


def _metadata_packages() -> dict[str, str]:
    from importlib import metadata

    out: dict[str, str] = {}
    for dist in metadata.distributions():
        try:
            name = str(dist.metadata["Name"] or "").replace("-", "_")
        except Exception:  # noqa: BLE001 - a broken dist-info must not break a snapshot
            continue
        if name and name not in out:
            out[name] = str(dist.version)
        if len(out) >= MAX_PACKAGES:
            break
    return out


def python_info() -> dict[str, str]:
    return {
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": sys.platform,
    }


def server_packages() -> dict[str, str]:
    """This (server) process's packages, computed once."""
    global _SERVER_PACKAGES
    if _SERVER_PACKAGES is None:
        _SERVER_PACKAGES = packages()
    return _SERVER_PACKAGES


def same_interpreter(argv: Optional[Sequence[str]]) -> bool:
    """True when a kernelspec ``argv`` runs this process's interpreter (jupyter_client's rule)."""
    if not argv:
        return False
    exe = str(argv[0])
    major, minor = sys.version_info[:2]
    if exe in ("python", f"python{major}", f"python{major}.{minor}"):
        return True
    found = shutil.which(exe)
    return bool(found) and os.path.realpath(found) == os.path.realpath(sys.executable)


def clean_packages(value: Any) -> dict[str, str]:
    """A ``packages`` mapping sent by a client, bounded and stringified (never trusted as-is)."""
    if not isinstance(value, dict):
        return {}
    out: dict[str, str] = {}
    for k, v in list(value.items())[:MAX_PACKAGES]:
        if isinstance(k, str) and len(k) <= 200:
            out[k] = str(v)[:100]
    return out

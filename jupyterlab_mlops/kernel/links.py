"""Links that open a run, an experiment or a model version in the user's JupyterLab (issue 13, item 9).

The Jupyter server tells the kernels it starts where its JupyterLab page is (``MLOPS_LAB_URL``, a path
under its ``base_url`` such as ``/user/alice/lab``) and the names it gives its backends
(``MLOPS_LAB_BACKENDS``, JSON ``{backend URL: name}``). A link is then relative, e.g.
``/user/alice/lab?mlops=run/default/<run_id>``: it works in any browser (remote, JupyterHub) and after a
restart of the embedded backend. The frontend's router (``src/common/links.ts``) reads the same form.
Kernels not started by the server (no ``MLOPS_LAB_URL``) get no lab link: callers fall back to the
backend's own page. Standard library only (imported by the server and the kernel).
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Iterable
from typing import Optional
from urllib.parse import quote

#: Path of this server's JupyterLab page, e.g. ``/user/alice/lab``.
LAB_URL_ENV = "MLOPS_LAB_URL"
#: JSON ``{backend URL: backend name}`` of the server's backends.
LAB_BACKENDS_ENV = "MLOPS_LAB_BACKENDS"
#: The query key of a link: ``{lab}?mlops=<kind>/<backend>/<id>...``.
QUERY_KEY = "mlops"


def lab_env(base_url: str, backends: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The environment a server gives its kernels: its lab page under ``base_url`` and its backends'
    ``(name, url)`` pairs (no secrets: names and URLs only)."""
    path = "/" + base_url.strip("/") + "/lab" if base_url.strip("/") else "/lab"
    names = {url.rstrip("/"): name for name, url in backends}
    return {LAB_URL_ENV: path, LAB_BACKENDS_ENV: json.dumps(names, sort_keys=True)}


def _backend_name(backend_url: str) -> Optional[str]:
    try:
        names = json.loads(os.environ.get(LAB_BACKENDS_ENV) or "{}")
    except ValueError:
        return None
    name = names.get(backend_url.rstrip("/")) if isinstance(names, dict) else None
    return name if isinstance(name, str) and name else None


def lab_link(kind: str, backend_url: str, *ids: str) -> Optional[str]:
    """``{lab}?mlops=<kind>/<backend name>/<id>/...`` (each part percent-encoded), or None when this kernel
    was not started by a server of the extension or the server does not know this backend."""
    lab = os.environ.get(LAB_URL_ENV, "")
    name = _backend_name(backend_url) if lab.startswith("/") else None
    if not name or not all(ids):
        return None
    route = "/".join(quote(part, safe="") for part in (kind, name, *ids))
    return f"{lab}?{QUERY_KEY}={route}"


def run_link(backend_url: str, run_id: str) -> Optional[str]:
    """The run's detail tab in JupyterLab (None: see :func:`lab_link`)."""
    return lab_link("run", backend_url, run_id)


def experiment_link(backend_url: str, experiment_id: str) -> Optional[str]:
    """The experiment's page in JupyterLab (None: see :func:`lab_link`)."""
    return lab_link("experiment", backend_url, experiment_id)


def version_link(backend_url: str, model: str, version: str) -> Optional[str]:
    """A model version's page in JupyterLab (None: see :func:`lab_link`)."""
    return lab_link("version", backend_url, model, version)


def is_lab_link(url: str) -> bool:
    """A link into this JupyterLab: a path on this origin (not ``//host``, which leaves it)."""
    return url.startswith("/") and not url.startswith("//")


def anchor_html(url: str, text: str) -> str:
    """An ``<a>`` for a link: a JupyterLab link (a path) opens in this JupyterLab, any other in a new tab."""
    target = "_self" if is_lab_link(url) else "_blank"
    return f'<a href="{html.escape(url)}" target="{target}" rel="noopener">{html.escape(text)}</a>'


def show_link(url: str, text: str, *, indent: str = "  ") -> None:
    """Show a link in a notebook as HTML (clickable; text for plain terminals), else print it."""
    try:
        from IPython.core.interactiveshell import InteractiveShell
        from IPython.display import display
    except ImportError:  # pragma: no cover - the kernel side always has IPython
        InteractiveShell = None  # type: ignore[assignment,misc]
    if InteractiveShell is None or not InteractiveShell.initialized():
        print(f"{indent}{url}")
        return
    bundle = {
        "text/plain": f"{indent}{url}",
        "text/html": f'<div class="jp-mlops-KernelLink">{anchor_html(url, text)}</div>',
    }
    display(bundle, raw=True)

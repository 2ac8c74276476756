"""The server extension: configuration (traitlets), backends, embedded MLflow, routes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_data_dir
from jupyter_server.extension.application import ExtensionApp
from jupyter_server.utils import url_path_join
from traitlets import Bool, Dict, Float, Int, List, Unicode

from .._version import __version__
from ..client.backend import Backend
from ..client.errors import InvalidInput
from . import events as change_events
from .backends import BackendRegistry

NAMESPACE = "jupyterlab-mlops"


def _token(spec: dict[str, Any], name: str) -> str | None:
    """A backend's token from ``token``, ``token_env`` (variable name) or ``token_file``."""
    if spec.get("token"):
        return str(spec["token"])
    if spec.get("token_env"):
        return os.environ.get(str(spec["token_env"])) or None
    if spec.get("token_file"):
        try:
            return Path(str(spec["token_file"])).expanduser().read_text().strip() or None
        except OSError as exc:
            raise InvalidInput(f"Backend {name!r}: cannot read token_file: {exc.strerror}.") from None
    return None


class MlopsApp(ExtensionApp):
    """jupyterlab_mlops server extension (configure as ``c.MlopsApp.<trait>``)."""

    name = "jupyterlab_mlops"
    app_name = "jupyterlab_mlops"
    load_other_extensions = True

    backends = List(
        Dict(),
        default_value=[],
        config=True,
        help="""Named registry backends: [{"name": "team", "kind": "gitlab"|"mlflow" (detected from the URL
        when omitted), "url": "<tracking URI>", "token_env": "VAR" | "token_file": "path" | "token": "..."}].
        When empty, MLFLOW_TRACKING_URI / MLFLOW_TRACKING_TOKEN are used, else the embedded backend.""",
    )
    embedded = Bool(True, config=True, help="Start an embedded MLflow server when no backend is configured.")
    embedded_data_dir = Unicode(
        "", config=True, help="Data dir of the embedded MLflow server (default: <jupyter data dir>/mlops/mlflow)."
    )
    embedded_command = List(
        Unicode(),
        default_value=[],
        config=True,
        help="Command that starts the embedded server (default: this Python's `-m mlflow server ...`).",
    )
    embedded_max_restarts = Int(
        5,
        config=True,
        help="Automatic restarts of the embedded server allowed within embedded_restart_window; "
        "then it stays failed until restarted by hand (the sidebar's button, or POST backends/default/restart).",
    )
    embedded_restart_window = Float(600.0, config=True, help="Window (s) over which embedded_max_restarts is counted.")
    request_timeout = Float(30.0, config=True, help="Timeout (s) of a request to a backend.")
    connect_timeout = Float(5.0, config=True, help="Connect timeout (s) to a backend.")
    spool_dir = Unicode("", config=True, help="Kernel-side spool dir (default: <jupyter data dir>/mlops/spool).")
    max_upload_bytes = Int(
        0,
        config=True,
        help="""Largest request body (bytes) through the tracking-URI proxy and the model-version file upload;
        0: no limit of ours (version files: the backend's own, GitLab 10 GiB). Bodies are streamed either way.""",
    )
    snapshot_max_bytes = Int(
        50_000_000,
        config=True,
        help="Largest notebook snapshot uploaded (bytes): outputs are dropped, largest first, then it is refused.",
    )
    snapshot_output_max_bytes = Int(
        2_000_000, config=True, help="Outputs larger than this (bytes) are replaced by a note in notebook snapshots."
    )
    snapshot_git_diff_max_bytes = Int(
        200_000, config=True, help="Cap (bytes) of the uncommitted git diff stored in snapshot.json."
    )
    series_cache_max_bytes = Int(
        256 * 1024 * 1024,
        config=True,
        help="Disk cache of finished runs' compare series (<jupyter data dir>/mlops/series-cache), bytes; 0: off.",
    )

    def _resolve_backends(self) -> tuple[list[Backend], Any]:
        if self.backends:
            out = []
            for i, spec in enumerate(self.backends):
                name = str(spec.get("name") or f"backend{i + 1}")
                out.append(
                    Backend.from_uri(
                        str(spec.get("url", "")), name=name, kind=spec.get("kind"), token=_token(spec, name)
                    )
                )
            return out, None
        uri = os.environ.get("MLFLOW_TRACKING_URI", "")
        if uri.startswith(("http://", "https://")) and os.environ.get("MLOPS_EMBEDDED_URI") != uri:
            return [Backend.from_uri(uri, token=os.environ.get("MLFLOW_TRACKING_TOKEN"))], None
        if not self.embedded:
            return [], None
        from .embedded import EmbeddedBackend

        data_dir = Path(self.embedded_data_dir or Path(jupyter_data_dir()) / "mlops" / "mlflow")
        embedded = EmbeddedBackend(
            data_dir,
            log=self.log,
            command=list(self.embedded_command) or None,
            max_restarts=self.embedded_max_restarts,
            restart_window=self.embedded_restart_window,
        )
        # Kernels started by this server inherit the URL, so plain ``mlflow`` code logs there.
        os.environ["MLFLOW_TRACKING_URI"] = embedded.url
        os.environ["MLOPS_EMBEDDED_URI"] = embedded.url
        return [Backend.from_uri(embedded.url, name="default", kind="mlflow", embedded=True)], embedded

    def initialize_settings(self) -> None:
        backends, embedded = self._resolve_backends()
        registry = BackendRegistry(
            backends,
            timeout=self.request_timeout,
            connect_timeout=self.connect_timeout,
            embedded=embedded,
            log=self.log,
        )
        spool = self.spool_dir or os.environ.get("MLOPS_SPOOL_DIR") or str(Path(jupyter_data_dir()) / "mlops" / "spool")
        os.environ["MLOPS_SPOOL_DIR"] = spool  # kernels spool where status looks
        self.settings.update({"mlops_registry": registry, "mlops_spool_dir": spool, "mlops_version": __version__})
        self.settings["mlops_series_cache_max_bytes"] = self.series_cache_max_bytes
        self._embedded = embedded
        self._changes = change_events.start(self.serverapp, self.settings, self.log)  # kernels tell, lists follow
        self._lab_backends = [(b.name, b.url) for b in backends]  # kernels link to this JupyterLab (kernel/links.py)
        names = ", ".join(f"{b.name} ({b.kind}{', embedded' if b.embedded else ''})" for b in backends) or "none"
        self.log.info("jupyterlab_mlops %s: backends: %s", __version__, names)
        self._export_kernel_env()

    def _export_kernel_env(self) -> None:
        """Kernels call the snapshot route back with these (server URL and token) and link to this JupyterLab."""
        from ..kernel.links import lab_env
        from .views.snapshots import kernel_env

        os.environ.update(kernel_env(self.serverapp))
        os.environ.update(lab_env(self.serverapp.base_url, getattr(self, "_lab_backends", [])))

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        self._export_kernel_env()  # the port is final only now (port 0, port retries)
        if self._embedded is not None:
            self._embedded.start()
            registry = self.settings.get("mlops_registry")
            if registry is not None:
                registry.warm_embedded_reads()

    async def stop_extension(self) -> None:
        if getattr(self, "_changes", None) is not None:
            self._changes.close(self.serverapp.io_loop.asyncio_loop)
        registry = self.settings.get("mlops_registry")
        if registry is not None:
            await registry.close()
        if getattr(self, "_embedded", None) is not None:
            await self._embedded.stop()

    def initialize_handlers(self) -> None:
        from .routes import handlers

        # ExtensionApp prepends the server's base_url to these patterns.
        self.handlers.extend((url_path_join(NAMESPACE, pattern), handler) for pattern, handler in handlers())

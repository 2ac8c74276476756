"""``%mlops`` / ``%%mlops`` magics (``%load_ext jupyterlab_mlops``).

Loading is cheap: this module imports only IPython and the standard library; the API (and
``requests``) is imported on the first verb, and ``mlflow`` never. Every failure is one line on
stderr starting with ``mlops:``; nothing is sent when an argument is bad.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from typing import Any, Optional

from IPython.core.magic import Magics, line_cell_magic, magics_class

from .magic_args import (
    HelpShown,
    MagicError,
    assigned_names,
    is_number,
    is_param_scalar,
    metric_values,
    param_values,
    parse_line,
    parse_pairs,
)


def _say(message: str) -> None:
    print(f"mlops: {message}")


def _err(message: str) -> None:
    print(f"mlops: {message}", file=sys.stderr)


class CellFailed(Exception):
    """The body of a ``%%mlops`` cell raised: after the run is ended (and snapshotted), the cell fails too, so
    "Run All" stops there. The body's own traceback is already shown: this adds one line, not a second one."""

    def _render_traceback_(self) -> list[str]:  # IPython shows this instead of a traceback
        return [f"mlops: {self}"]


#: confirmations of ``%mlops log ...`` printed per cell before a loop of them goes quiet
LOG_ECHOES = 3
_echoed = {"log": 0}


def _new_cell(*_: Any) -> None:
    _echoed["log"] = 0


def _logged(message: str) -> None:
    """Confirm a ``log`` verb; after :data:`LOG_ECHOES` of them in one cell, say once that further ones are quiet."""
    _echoed["log"] += 1
    if _echoed["log"] <= LOG_ECHOES:
        _say(message)
    if _echoed["log"] == LOG_ECHOES:
        _say("further log confirmations are not printed (%mlops status shows what was sent)")


def _started(run: Any) -> None:
    url = run.url
    from .links import is_lab_link, show_link

    if url and is_lab_link(url):  # clickable HTML in a notebook, text elsewhere
        _say(f"started {run.describe()}")
        show_link(url, f"Open run {run.name or run.run_id} in JupyterLab")
        return
    _say(f"started {run.describe()}" + (f"\n  {url}" if url else ""))


@magics_class
class MlopsMagics(Magics):
    """``%mlops`` (line) and ``%%mlops`` (cell)."""

    @line_cell_magic
    def mlops(self, line: str, cell: Optional[str] = None) -> None:
        from ..client.errors import MlopsError

        try:
            if cell is None:
                self._line(line)
            else:
                self._cell(line, cell)
        except HelpShown:
            pass
        except CellFailed:
            raise
        except (MagicError, MlopsError) as exc:
            _err(str(exc.message if isinstance(exc, MlopsError) else exc))
        except KeyboardInterrupt:
            _err("interrupted")
        except Exception as exc:  # noqa: BLE001 - a bug of ours must not dump a traceback in the cell
            _err(f"unexpected error ({type(exc).__name__}: {exc}); please report it")

    def _line(self, line: str) -> None:
        verb, args = parse_line(line)
        getattr(self, "_do_" + verb.replace(" ", "_"))(args)

    def _cell(self, line: str, cell: str) -> None:
        verb, args = parse_line(line, cell=True)
        if verb == "run":
            self._cell_run(args, cell)
        else:
            self._cell_log(verb, args, cell)

    # -- line verbs -----------------------------------------------------------------------------------
    @staticmethod
    def _api() -> Any:
        from . import api  # imports requests: on the first verb, not at %load_ext

        return api

    def _do_experiment(self, args: argparse.Namespace) -> None:
        exp = self._api().experiment(" ".join(args.name))
        if exp.experiment_id:
            _say(f"experiment {exp.name!r} (id {exp.experiment_id})")
        else:
            _say(f"experiment {exp.name!r} (will be created when the backend is reachable)")

    def _do_start(self, args: argparse.Namespace) -> None:
        tags = parse_pairs(args.tag, "tag")
        _started(self._api().start_run(args.name, tags, experiment=args.experiment, nested=args.nested))

    def _do_log_param(self, args: argparse.Namespace) -> None:
        params = param_values(parse_pairs(args.pairs, "param"))
        self._api().log_params(params)
        _logged("param " + ", ".join(f"{k}={v}" for k, v in params.items()))

    def _do_log_metric(self, args: argparse.Namespace) -> None:
        metrics = metric_values(parse_pairs(args.pairs, "metric"))
        self._api().log_metrics(metrics, step=args.step)
        step = f" (step {args.step})" if args.step is not None else ""
        _logged("metric " + ", ".join(f"{k}={v:g}" for k, v in metrics.items()) + step)

    def _do_log_tag(self, args: argparse.Namespace) -> None:
        tags = parse_pairs(args.pairs, "tag")
        self._api().set_tags(tags)
        _logged("tag " + ", ".join(f"{k}={v}" for k, v in tags.items()))

    def _do_log_artifact(self, args: argparse.Namespace) -> None:
        name = self._api().log_artifact(args.path, args.artifact_path)
        _say(f"uploaded {args.path} as artifact {name!r}")

    def _do_end(self, args: argparse.Namespace) -> None:
        api = self._api()
        run = api.active_run()
        if run is None:
            raise MagicError("no active run to end")
        result = api.end_run(args.status)
        self._report_end(run, result)

    @staticmethod
    def _report_end(run: Any, result: Any, extra: str = "") -> None:
        if result is not None and result.delivered:
            tail = "all data sent"
        elif result is not None and result.pending:
            tail = f"{result.pending} item(s) spooled (backend unreachable), sent when it is back"
        else:
            tail = result.message if result is not None else ""
        _say(f"ended {run.describe()}: {run.status}{extra}; {tail}")

    def _do_status(self, args: argparse.Namespace) -> None:
        print(str(self._api().status()))

    def _do_flush(self, args: argparse.Namespace) -> None:
        if args.retry_set_aside:
            _say(f"{self._api().retry_set_aside()} set-aside item(s) put back in line")
        result = self._api().flush(args.timeout)
        _say(result.message + (f" ({result.sent} item(s) sent in this kernel)" if result.delivered else ""))

    def _do_promote(self, args: argparse.Namespace) -> None:
        session = self._api().session()
        rid = session.run_id_of(args.run)
        mv, out = session.promote(rid, args.model, args.version, args.description)
        _say(f"run {rid} promoted to model {args.model!r} version {mv.semver or mv.version}")
        for note in out.get("notes", []):
            if not note.startswith(("Registered ", "Created model")):
                print(f"  {note}")

    def _do_configure(self, args: argparse.Namespace) -> None:
        token = None
        if args.token_env:
            token = os.environ.get(args.token_env)
            if not token:
                raise MagicError(f"environment variable {args.token_env} is not set")
        status = self._api().configure(args.uri, token)
        b = status.backend
        _say(f"using {b['url']} ({b['kind']})" if b else f"not configured: {status.message}")

    # -- cell verbs -----------------------------------------------------------------------------------
    def _cell_run(self, args: argparse.Namespace, cell: str) -> None:
        api = self._api()
        tags = parse_pairs(args.tag, "tag")
        active = api.active_run()
        nested = active is not None and not active.auto
        run = api.start_run(args.name, tags, experiment=args.experiment, nested=nested)
        _started(run)
        t0 = time.perf_counter()
        result = self.shell.run_cell(cell, store_history=False)
        duration = time.perf_counter() - t0
        error = result.error_before_exec or result.error_in_exec
        s = api.session()
        s.ensure_logger().put(("m", run.ref, "mlops.cell_duration_s", duration, int(time.time() * 1000), 0))
        if run.status == "RUNNING":  # unless the cell ended it itself
            if error is not None:
                s.tag_error(run, error)
            status = "FINISHED" if error is None else "KILLED" if isinstance(error, KeyboardInterrupt) else "FAILED"
            self._report_end(run, s.end_run(status, run=run), f" in {duration:.1f} s")
        if error is not None:
            raise CellFailed(f"the cell raised {type(error).__name__}; {run.describe()} ended {run.status}")

    def _cell_log(self, verb: str, args: argparse.Namespace, cell: str) -> None:
        api = self._api()
        try:
            names = assigned_names(self.shell.transform_cell(cell))
        except SyntaxError:
            names = []
        result = self.shell.run_cell(cell, store_history=False)
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            raise CellFailed(f"the cell raised {type(error).__name__}: nothing was logged")
        ns = self.shell.user_ns
        values = {n: ns[n] for n in names if n in ns and not n.startswith("_")}
        if verb == "log metric":
            picked = {k: float(v) for k, v in values.items() if is_number(v)}
            if not picked:
                raise MagicError("the cell assigned no numeric variables: nothing was logged")
            api.log_metrics(picked, step=args.step)
            _say("metric " + ", ".join(f"{k}={v:g}" for k, v in picked.items()))
        else:
            picked_p = {k: str(v) for k, v in values.items() if is_param_scalar(v)}
            if not picked_p:
                raise MagicError("the cell assigned no scalar variables: nothing was logged")
            api.log_params(picked_p)
            _say("param " + ", ".join(f"{k}={v}" for k, v in picked_p.items()))


def _replay_pending_spools() -> None:
    """Spools left by a previous kernel (restart, crash) are replayed in the background."""
    if not os.environ.get("MLFLOW_TRACKING_URI"):
        return
    try:
        from ..spool import default_dir, has_pending

        if not has_pending(default_dir()):
            return
    except Exception:  # noqa: BLE001
        return

    def work() -> None:
        try:
            from . import api

            api.session().ensure_logger().wake_up()
        except Exception as exc:  # noqa: BLE001
            _err(f"could not replay the spool: {exc}")

    threading.Thread(target=work, name="mlops-replay", daemon=True).start()


def load_ipython_extension(ipython: Any) -> None:
    ipython.register_magics(MlopsMagics)
    if _new_cell not in ipython.events.callbacks.get("pre_run_cell", []):
        ipython.events.register("pre_run_cell", _new_cell)
    _replay_pending_spools()

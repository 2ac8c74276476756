"""``%mlops`` / ``%%mlops`` magics (``%load_ext jupyterlab_mlops``).

Loading is cheap: this module imports only IPython and the standard library; the API (and
``requests``) is imported on the first verb, and ``mlflow`` never. Every failure is one line on
stderr starting with ``mlops:``; nothing is sent when an argument is bad.
"""
from __future__ import annotations

import argparse
import ast
import math
import numbers
import shlex
import sys
import threading
import time
from typing import Any, Optional

from IPython.core.magic import Magics, line_cell_magic, magics_class

HELP = """\
%mlops VERB ...       log to the tracking server (MLflow, or GitLab's MLflow API) from a notebook

  %mlops experiment NAME                      use (create if missing) an experiment for new runs
  %mlops start [--name N] [--experiment E] [--tag k=v ...] [--nested]
  %mlops log param k=v [k=v ...]              params (write-once per run)
  %mlops log metric k=v [k=v ...] [--step N]  metric points; values must be numbers
  %mlops log tag k=v [k=v ...]                run tags
  %mlops log artifact PATH [--path DIR]       upload a file (under DIR in the run's artifacts)
  %mlops end [--status FINISHED|FAILED|KILLED]
  %mlops status                               backend, run, pending and spooled items
  %mlops flush [--timeout S] [--retry-set-aside]
                                              deliver what is queued (or spool it, backend down);
                                              first put back batches set aside after failures
  %mlops promote [RUN] --model M [--version V] [--description D]
                                              RUN defaults to the active run; V is a semantic
                                              version, suggested from the latest one when omitted
  %mlops configure [URI] [--token-env VAR]    another tracking server (token read from $VAR)

  %%mlops run [--experiment E] [--name N]     the cell runs inside a run: FAILED (error as the
                                              'mlops.error' tag) if it raises, else FINISHED;
                                              its duration is the metric 'mlops.cell_duration_s'
  %%mlops log params|metrics [--step N]       log the scalar variables the cell assigns

Values that look like numbers are numbers (lr=1e-3 is the param '0.001'); quote values with
spaces ("name=my model"); {expr} and $var expand as in any magic.
With no active run, '%mlops log ...' starts one in the current experiment ('Default' when none
was chosen) and says so; '%mlops end' ends it.
The backend comes from MLFLOW_TRACKING_URI (set by Jupyter) or '%mlops configure'. When it is
unreachable nothing fails: data is spooled on disk and sent when it is back (see '%mlops status').
'%mlops VERB --help' explains one verb.
"""


class MagicError(Exception):
    """Bad magic arguments: printed as one line."""


class _HelpShown(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise MagicError(f"{self.prog}: {message} (see '{self.prog} --help')")

    def exit(self, status: int = 0, message: Optional[str] = None) -> None:  # type: ignore[override]
        if message:
            raise MagicError(message.strip())
        raise _HelpShown()

    def print_help(self, file: Any = None) -> None:
        print(self.format_help(), end="")


def _parser(verb: str, description: str) -> _Parser:
    return _Parser(prog=f"%mlops {verb}", description=description, add_help=True,
                   formatter_class=argparse.RawDescriptionHelpFormatter)


def _parsers() -> dict[str, _Parser]:
    p: dict[str, _Parser] = {}
    x = p["experiment"] = _parser("experiment", "Use the experiment NAME for the next runs (created when missing).")
    x.add_argument("name", nargs="+", help="experiment name (spaces allowed)")
    x = p["start"] = _parser("start", "Start a run in the current experiment.")
    x.add_argument("--name", "-n", help="run name")
    x.add_argument("--experiment", "-e", help="experiment (default: the current one, else 'Default')")
    x.add_argument("--tag", "-t", action="append", default=[], metavar="K=V", help="run tag (repeatable)")
    x.add_argument("--nested", action="store_true", help="start inside the active run")
    x = p["log param"] = _parser("log param", "Log params to the active run (write-once per key).")
    x.add_argument("pairs", nargs="+", metavar="K=V")
    x = p["log metric"] = _parser("log metric", "Log metric points to the active run; values must be numbers.")
    x.add_argument("pairs", nargs="+", metavar="K=V")
    x.add_argument("--step", "-s", type=int, help="step of these points (default 0)")
    x = p["log tag"] = _parser("log tag", "Set tags on the active run.")
    x.add_argument("pairs", nargs="+", metavar="K=V")
    x = p["log artifact"] = _parser("log artifact", "Upload a file to the active run's artifacts.")
    x.add_argument("path", help="local file")
    x.add_argument("--path", dest="artifact_path", help="directory inside the run's artifacts")
    x = p["end"] = _parser("end", "End the active run after sending what was logged.")
    x.add_argument("--status", default="FINISHED", type=str.upper, choices=["FINISHED", "FAILED", "KILLED"])
    p["status"] = _parser("status", "Backend, state, experiment, run, pending and spooled items.")
    x = p["flush"] = _parser("flush", "Deliver everything queued; with the backend down, spool it on disk.")
    x.add_argument("--timeout", type=float, default=None, help="seconds to wait at most")
    x.add_argument("--retry-set-aside", action="store_true",
                   help="first put back the batches set aside after repeated backend failures")
    x = p["promote"] = _parser("promote", "Promote a run to a new model version.")
    x.add_argument("run", nargs="?", help="run id (default: the active run)")
    x.add_argument("--model", "-m", required=True, help="registered model (created when missing)")
    x.add_argument("--version", "-v", help="semantic version, e.g. 1.2.0 (default: latest with patch + 1)")
    x.add_argument("--description", "-d", default="", help="version description")
    x = p["configure"] = _parser("configure", "Use another tracking server (or, without URI, MLFLOW_TRACKING_URI).")
    x.add_argument("uri", nargs="?", help="MLflow URL or https://<gitlab>/api/v4/projects/<id>/ml/mlflow")
    x.add_argument("--token-env", help="environment variable holding the token (never type a token in a notebook)")
    x = p["run"] = _parser("run", "%%mlops run: the cell runs inside a run (FAILED if it raises).")
    x.add_argument("--experiment", "-e")
    x.add_argument("--name", "-n")
    x.add_argument("--tag", "-t", action="append", default=[], metavar="K=V")
    x = p["log params"] = _parser("log params", "%%mlops log params: log the scalars the cell assigns as params.")
    x = p["log metrics"] = _parser("log metrics", "%%mlops log metrics: log the numbers the cell assigns as metrics.")
    x.add_argument("--step", "-s", type=int)
    return p


_PARSERS: Optional[dict[str, _Parser]] = None


def parsers() -> dict[str, _Parser]:
    global _PARSERS
    if _PARSERS is None:
        _PARSERS = _parsers()
    return _PARSERS


# -- value parsing ---------------------------------------------------------------------------------
def parse_number(text: str) -> Optional[float | int]:
    """``text`` as an int or float when it is one (``1e-3``, ``nan``, ``inf``), else None."""
    t = text.strip()
    try:
        return int(t)
    except ValueError:
        pass
    try:
        return float(t)
    except ValueError:
        return None


def parse_pairs(pairs: list[str], kind: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for token in pairs:
        key, sep, value = token.partition("=")
        if not sep or not key:
            raise MagicError(f"expected {kind} as key=value, got {token!r}")
        out[key] = value
    return out


def metric_values(pairs: dict[str, str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in pairs.items():
        num = parse_number(value)
        if num is None:
            raise MagicError(f"metric {key!r} needs a number, got {value!r}")
        out[key] = float(num)
    return out


def param_values(pairs: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in pairs.items():
        num = parse_number(value)
        out[key] = value if num is None or (isinstance(num, float) and not math.isfinite(num)) else str(num)
    return out


def assigned_names(source: str) -> list[str]:
    """Names a cell assigns (``=``, ``+=``, ``x: T = ...``, ``:=``) in the notebook namespace, in order
    of appearance; loop and ``with`` targets, functions, classes and comprehensions are left out."""
    tree = ast.parse(source)
    names: list[str] = []

    def add_target(t: ast.AST) -> None:
        if isinstance(t, ast.Name):
            if t.id not in names:
                names.append(t.id)
        elif isinstance(t, (ast.Tuple, ast.List)):
            for e in t.elts:
                add_target(e)
        elif isinstance(t, ast.Starred):
            add_target(t.value)

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
                                  ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                continue
            if isinstance(child, ast.Assign):
                for t in child.targets:
                    add_target(t)
            elif isinstance(child, (ast.AugAssign, ast.AnnAssign)):
                if not isinstance(child, ast.AnnAssign) or child.value is not None:
                    add_target(child.target)
            elif isinstance(child, ast.NamedExpr):
                add_target(child.target)
            visit(child)

    visit(tree)
    return names


def is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_param_scalar(value: Any) -> bool:
    return isinstance(value, (str, bool, numbers.Real))


def _say(message: str) -> None:
    print(f"mlops: {message}")


def _err(message: str) -> None:
    print(f"mlops: {message}", file=sys.stderr)


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
        except _HelpShown:
            pass
        except (MagicError, MlopsError) as exc:
            _err(str(exc.message if isinstance(exc, MlopsError) else exc))
        except KeyboardInterrupt:
            _err("interrupted")
        except Exception as exc:  # noqa: BLE001 - a bug of ours must not dump a traceback in the cell
            _err(f"unexpected error ({type(exc).__name__}: {exc}); please report it")

    # -- dispatch -------------------------------------------------------------------------------------
    def _split(self, line: str) -> list[str]:
        try:
            return shlex.split(line, posix=True)
        except ValueError as exc:
            raise MagicError(f"cannot parse the arguments: {exc}") from None

    def _verb(self, argv: list[str], verbs: tuple[str, ...]) -> tuple[str, list[str]]:
        if not argv or argv[0] in ("-h", "--help", "help"):
            print(HELP, end="")
            raise _HelpShown()
        if argv[0] == "log":
            if len(argv) < 2 or argv[1] in ("-h", "--help"):
                print(HELP, end="")
                raise _HelpShown()
            sub = {"params": "param", "metrics": "metric", "tags": "tag", "artifacts": "artifact"}.get(argv[1], argv[1])
            verb = f"log {sub}"
            rest = argv[2:]
        else:
            verb, rest = argv[0], argv[1:]
        if verb not in verbs:
            raise MagicError(f"unknown verb {' '.join(argv[:2]) if argv[0] == 'log' else argv[0]!r}; "
                             "see '%mlops --help'")
        return verb, rest

    def _line(self, line: str) -> None:
        argv = self._split(line)
        verb, rest = self._verb(argv, ("experiment", "start", "log param", "log metric", "log tag", "log artifact",
                                       "end", "status", "flush", "promote", "configure"))
        args = parsers()[verb].parse_args(rest)
        getattr(self, "_do_" + verb.replace(" ", "_"))(args)

    def _cell(self, line: str, cell: str) -> None:
        argv = self._split(line)
        verb, rest = self._verb(argv, ("run", "log param", "log metric"))
        key = {"log param": "log params", "log metric": "log metrics"}.get(verb, verb)
        args = parsers()[key].parse_args(rest)
        if verb == "run":
            self._cell_run(args, cell)
        else:
            self._cell_log(verb, args, cell)

    # -- line verbs -----------------------------------------------------------------------------------
    @staticmethod
    def _api() -> Any:
        from . import api

        return api

    def _do_experiment(self, args: argparse.Namespace) -> None:
        exp = self._api().experiment(" ".join(args.name))
        if exp.experiment_id:
            _say(f"experiment {exp.name!r} (id {exp.experiment_id})")
        else:
            _say(f"experiment {exp.name!r} (will be created when the backend is reachable)")

    def _do_start(self, args: argparse.Namespace) -> None:
        tags = parse_pairs(args.tag, "tag")
        run = self._api().start_run(args.name, tags, experiment=args.experiment, nested=args.nested)
        _say(f"started {run.describe()}" + (f"\n  {run.url}" if run.url else ""))

    def _do_log_param(self, args: argparse.Namespace) -> None:
        params = param_values(parse_pairs(args.pairs, "param"))
        self._api().log_params(params)
        _say("param " + ", ".join(f"{k}={v}" for k, v in params.items()))

    def _do_log_metric(self, args: argparse.Namespace) -> None:
        metrics = metric_values(parse_pairs(args.pairs, "metric"))
        self._api().log_metrics(metrics, step=args.step)
        step = f" (step {args.step})" if args.step is not None else ""
        _say("metric " + ", ".join(f"{k}={v:g}" for k, v in metrics.items()) + step)

    def _do_log_tag(self, args: argparse.Namespace) -> None:
        tags = parse_pairs(args.pairs, "tag")
        self._api().set_tags(tags)
        _say("tag " + ", ".join(f"{k}={v}" for k, v in tags.items()))

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
        api = self._api()
        rid = api._run_id_of(args.run)
        mv, out = api._S.promote(rid, args.model, args.version, args.description)
        _say(f"run {rid} promoted to model {args.model!r} version {mv.semver or mv.version}")
        for note in out.get("notes", []):
            if not note.startswith(("Registered ", "Created model")):
                print(f"  {note}")

    def _do_configure(self, args: argparse.Namespace) -> None:
        import os

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
        _say(f"started {run.describe()}" + (f"\n  {run.url}" if run.url else ""))
        t0 = time.perf_counter()
        result = self.shell.run_cell(cell, store_history=False)
        duration = time.perf_counter() - t0
        error = result.error_before_exec or result.error_in_exec
        s = api._S
        s.ensure_logger().put(("m", run.ref, "mlops.cell_duration_s", duration, int(time.time() * 1000), 0))
        if run.status != "RUNNING":  # the cell ended it itself
            return
        if error is not None:
            s.tag_error(run, error)
            status = "KILLED" if isinstance(error, KeyboardInterrupt) else "FAILED"
        else:
            status = "FINISHED"
        end = s.end_run(status, run=run)
        self._report_end(run, end, f" in {duration:.1f} s")

    def _cell_log(self, verb: str, args: argparse.Namespace, cell: str) -> None:
        api = self._api()
        try:
            names = assigned_names(self.shell.transform_cell(cell))
        except SyntaxError:
            names = []
        result = self.shell.run_cell(cell, store_history=False)
        if not result.success:
            raise MagicError("the cell raised: nothing was logged")
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
    import os

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

            api._S.ensure_logger().wake.set()
        except Exception as exc:  # noqa: BLE001
            _err(f"could not replay the spool: {exc}")

    threading.Thread(target=work, name="mlops-replay", daemon=True).start()


def load_ipython_extension(ipython: Any) -> None:
    ipython.register_magics(MlopsMagics)
    _replay_pending_spools()

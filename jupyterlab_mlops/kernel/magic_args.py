"""Arguments of the ``%mlops`` magics: the help, one ``argparse`` parser per verb, ``key=value`` pairs
and values, and the names a ``%%mlops log`` cell assigns. Standard library only (loaded at ``%load_ext``)."""

from __future__ import annotations

import argparse
import ast
import math
import numbers
import shlex
from typing import Any, Optional

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


class HelpShown(Exception):
    """Help was printed: nothing else to do."""


class Parser(argparse.ArgumentParser):
    """A verb's parser: errors and help end the magic (one line on stderr, or the help) instead of exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise MagicError(f"{self.prog}: {message} (see '{self.prog} --help')")

    def exit(self, status: int = 0, message: Optional[str] = None) -> None:  # type: ignore[override]
        if message:
            raise MagicError(message.strip())
        raise HelpShown()

    def print_help(self, file: Any = None) -> None:
        print(self.format_help(), end="")


def _parser(verb: str, description: str) -> Parser:
    return Parser(
        prog=f"%mlops {verb}",
        description=description,
        add_help=True,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _parsers() -> dict[str, Parser]:
    p: dict[str, Parser] = {}
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
    x.add_argument(
        "--retry-set-aside",
        action="store_true",
        help="first put back the batches set aside after repeated backend failures",
    )
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


_PARSERS: Optional[dict[str, Parser]] = None


def parsers() -> dict[str, Parser]:
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
            if isinstance(
                child,
                (
                    ast.FunctionDef,
                    ast.AsyncFunctionDef,
                    ast.ClassDef,
                    ast.Lambda,
                    ast.ListComp,
                    ast.SetComp,
                    ast.DictComp,
                    ast.GeneratorExp,
                ),
            ):
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


# -- the line: words, verb, arguments --------------------------------------------------------------
LINE_VERBS = (
    "experiment",
    "start",
    "log param",
    "log metric",
    "log tag",
    "log artifact",
    "end",
    "status",
    "flush",
    "promote",
    "configure",
)
CELL_VERBS = ("run", "log param", "log metric")
_CELL_PARSER = {"log param": "log params", "log metric": "log metrics"}


def split_words(line: str) -> list[str]:
    try:
        return shlex.split(line, posix=True)
    except ValueError as exc:
        raise MagicError(f"cannot parse the arguments: {exc}") from None


def split_verb(argv: list[str], verbs: tuple[str, ...]) -> tuple[str, list[str]]:
    """``(verb, rest)``: ``log`` takes a second word (plurals accepted); no verb or ``--help`` prints the help."""
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(HELP, end="")
        raise HelpShown()
    if argv[0] == "log":
        if len(argv) < 2 or argv[1] in ("-h", "--help"):
            print(HELP, end="")
            raise HelpShown()
        sub = {"params": "param", "metrics": "metric", "tags": "tag", "artifacts": "artifact"}.get(argv[1], argv[1])
        verb = f"log {sub}"
        rest = argv[2:]
    else:
        verb, rest = argv[0], argv[1:]
    if verb not in verbs:
        raise MagicError(f"unknown verb {' '.join(argv[:2]) if argv[0] == 'log' else argv[0]!r}; see '%mlops --help'")
    return verb, rest


def parse_line(line: str, *, cell: bool = False) -> tuple[str, argparse.Namespace]:
    """The verb of a ``%mlops`` line (``cell``: of a ``%%mlops`` cell) and its parsed arguments."""
    verb, rest = split_verb(split_words(line), CELL_VERBS if cell else LINE_VERBS)
    return verb, parsers()[_CELL_PARSER.get(verb, verb) if cell else verb].parse_args(rest)

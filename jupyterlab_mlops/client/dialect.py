"""The two dialects we speak: plain MLflow and GitLab's MLflow-compatible API.

Everything that differs between them is decided here (GITLAB_API.md §6), so request builders and
parsers ask the dialect instead of testing URLs themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional
from urllib.parse import quote, urlsplit

from .errors import InvalidInput

#: semver.org's official regex, as GitLab's ``Gitlab::Regex.semver_regex`` (Ruby's ``\d`` is ASCII).
SEMVER_RE = re.compile(
    r"\A(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?\Z",
    re.ASCII,
)
#: GitLab's ml_model_name_regex (= package_name_regex) as Ruby runs it: ``\w`` is ASCII only, the groups
#: are atomic, ``\z`` is the very end (C13). At most 255 characters.
MODEL_NAME_RE = re.compile(r"\A@?(?>(?:[\w\-.+]*/)*[\w\-.]+)@?(?>(?:[\w\-.+]*/)*[\w\-.]*)\Z", re.ASCII)
MODEL_NAME_CHARS = re.compile(r"[A-Za-z0-9_.+/@-]")
#: GitLab's ml_model_file_name_regex for one file-name segment.
ARTIFACT_NAME_RE = re.compile(r"^[A-Za-z0-9._+ -]+$")
GITLAB_PATH_RE = re.compile(r"^(?P<api>.*/api/v4/projects/(?P<project>[^/]+))/ml/mlflow/?$")

SEMVER_RULE = (
    "a version must be a semantic version MAJOR.MINOR.PATCH (e.g. 1.0.0), with an optional "
    "-prerelease and +build suffix and no leading 'v'"
)
MODEL_NAME_RULE = (
    "a model name may contain letters, digits, '_', '-', '.', and '/' between segments, ASCII only "
    "(a-z, A-Z, 0-9: no accents, no spaces); '+' only in a segment before a '/', '@' only at the start "
    "or once between parts; at most 255 characters"
)


def is_semver(version: str) -> bool:
    """True when ``version`` is a semver.org version."""
    return bool(SEMVER_RE.match(version or ""))


def check_semver(version: str) -> str:
    """Return ``version`` or raise :class:`InvalidInput` naming the rule."""
    if not is_semver(version):
        raise InvalidInput(f"Invalid version {version!r}: {SEMVER_RULE}.", reason="invalid_semver")
    return version


SemverKey = tuple[int, int, int, int, tuple[tuple[int, int, str], ...]]
#: sorts below every semver (text that is not one)
NOT_SEMVER: SemverKey = (-1, -1, -1, -1, ())


def semver_key(version: Optional[str]) -> SemverKey:
    """Sort key of semver.org §11 precedence: numbers compared as numbers, a release above its
    prereleases, prerelease identifiers compared one by one (numeric ones numerically and below
    alphanumeric ones, compared in ASCII order; more identifiers win when all before are equal),
    build metadata ignored. Text that is no semver sorts below every version.

    One implementation for the server, kernel and widgets (``src/promote/validation.ts`` has the
    TypeScript twin, ``compareSemver``); written here rather than depending on the ``semver``
    package, which would add a dependency to the kernel side for these few lines."""
    m = SEMVER_RE.match(version or "")
    if not m:
        return NOT_SEMVER
    pre = m.group(4)
    ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")) if pre else ()
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)), 0 if pre else 1, ids)


def gitlab_latest_key(version: Optional[str]) -> tuple[int, int, int]:
    """GitLab's "latest": ``ORDER BY semver_major, semver_minor, semver_patch DESC``, the prerelease
    ignored (``Ml::ModelVersion.latest_by_model``, what ``models:/<name>/latest`` resolves to)."""
    m = SEMVER_RE.match(version or "")
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else (-1, -1, -1)


def next_semver(latest: Optional[str], bump: str = "patch") -> str:
    """The version after ``latest`` (GitLab's IncrementVersionService: first is 1.0.0)."""
    m = SEMVER_RE.match(latest or "")
    if not m:
        return "1.0.0"
    major, minor, patch = (int(m.group(i)) for i in (1, 2, 3))
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    if m.group(4):  # 1.2.0-rc.1 -> 1.2.0
        return f"{major}.{minor}.{patch}"
    return f"{major}.{minor}.{patch + 1}"


def model_name_problem(name: str) -> Optional[str]:
    """What is wrong with ``name`` under GitLab's model-name rule (C13), or None when GitLab takes it.

    GitLab answers a refused name with a misleading 400 ``RESOURCE_ALREADY_EXISTS``, so the rule is
    checked before anything is sent, and the answer says which characters are the problem."""
    if not name:
        return "a model name is required"
    if len(name) > 255:
        return f"it has {len(name)} characters, at most 255 are allowed"
    bad = list(dict.fromkeys(c for c in name if not MODEL_NAME_CHARS.match(c)))
    if bad:
        shown = ", ".join("spaces" if c == " " else repr(c) for c in bad[:6]) + (", ..." if len(bad) > 6 else "")
        return f"{shown} {'is' if bad == [bad[0]] != [' '] else 'are'} not allowed"
    if MODEL_NAME_RE.match(name):
        return None
    if "+" in name.rsplit("/", 1)[-1]:
        return "'+' is allowed only in a segment that a '/' follows, not in the last one"
    if name.count("@") > 2 or "@" in name[1:].replace("@", "", 1):
        return "'@' is allowed only at the start and once between two parts"
    return (
        "the characters are allowed but not in this order (a name needs a segment of letters or digits before any '@')"
    )


def check_model_name(name: str) -> str:
    """Return ``name`` or raise :class:`InvalidInput` saying what is wrong and GitLab's model-name rule."""
    problem = model_name_problem(name)
    if problem:
        raise InvalidInput(f"Invalid model name {name!r}: {problem}; {MODEL_NAME_RULE}.", reason="invalid_model_name")
    return name


def check_artifact_name(name: str) -> str:
    """GitLab's package file names: ``[A-Za-z0-9._+ -]`` in every part; sub-directories allowed (the package
    API takes ``(*path/):file_name``, C8), never an empty, ``.`` or ``..`` part."""
    parts = name.split("/") if name else [""]
    if any(p in ("", ".", "..") or not ARTIFACT_NAME_RE.match(p) for p in parts):
        raise InvalidInput(
            f"Invalid artifact name {name!r}: GitLab takes letters, digits, '.', '_', '+', '-' and spaces in "
            "each part of the path, with '/' between directories and no '.' or '..' parts.",
            reason="invalid_artifact_name",
        )
    return name


@dataclass(frozen=True)
class Dialect:
    """What a backend can do and how it spells it."""

    kind: str  # "mlflow" | "gitlab"

    @property
    def is_gitlab(self) -> bool:
        return self.kind == "gitlab"

    @property
    def registry_seconds(self) -> bool:
        """GitLab's registry timestamps are seconds, MLflow's milliseconds."""
        return self.is_gitlab

    @property
    def server_side_run_filter(self) -> bool:
        return not self.is_gitlab

    @property
    def max_page(self) -> int:
        return 1000 if self.is_gitlab else 50000

    def capabilities(self) -> dict[str, bool]:
        """Advertised to the frontend in ``status``."""
        gl = self.is_gitlab
        return {
            "run_filter": not gl,
            "multi_experiment_search": not gl,
            "order_by_params": not gl,
            "overwrite_tags": not gl,
            "artifact_directories": not gl,
            "semver_versions": gl,
            "model_version_search": not gl,
        }


MLFLOW = Dialect("mlflow")
GITLAB = Dialect("gitlab")


URI_COMPONENT_SAFE = "-_.!~*'()"  # what JavaScript's encodeURIComponent (and Ruby's encode_uri_component) keep
_CGI_ESCAPED_OTHERWISE = frozenset(" !*'()")  # where Ruby's CGI.escape writes a name differently


def gitlab_package_file(api_root: str, ref: str, name: str) -> str:
    """The package API's URL of a file: ``files/(*path/):file_name``, each part written as GitLab stores names
    (``encodeURIComponent``)."""
    return f"{api_root}/packages/ml_models/{quote(ref, safe=':')}/files/{quote(name, safe=URI_COMPONENT_SAFE + '/')}"


def gitlab_download_needs_package_api(name: str) -> bool:
    """GitLab stores a file name ``encodeURIComponent``-ed but its mlflow-artifacts download looks it up
    ``CGI.escape``-d (C7): a name with a space (or ``!*'()``) is found only through the package API. Other
    names keep mlflow-artifacts, which also serves projects whose Package registry is turned off (C9)."""
    return any(c in _CGI_ESCAPED_OTHERWISE for c in name)


def detect_kind(url: str) -> str:
    """``gitlab`` for ``<host>/api/v4/projects/<id>/ml/mlflow``, else ``mlflow``."""
    return "gitlab" if GITLAB_PATH_RE.match(urlsplit(url).path or "") else "mlflow"


def gitlab_api_root(tracking_uri: str) -> Optional[str]:
    """``https://host/api/v4/projects/<id>`` for a GitLab tracking URI (package uploads live there)."""
    parts = urlsplit(tracking_uri)
    m = GITLAB_PATH_RE.match(parts.path or "")
    if not m:
        return None
    return f"{parts.scheme}://{parts.netloc}{m.group('api')}"


def gitlab_web_root(tracking_uri: str) -> Optional[str]:
    """``https://host`` for a GitLab tracking URI (to build CI job / pipeline links)."""
    parts = urlsplit(tracking_uri)
    if not GITLAB_PATH_RE.match(parts.path or ""):
        return None
    prefix = parts.path.split("/api/v4/")[0]
    return f"{parts.scheme}://{parts.netloc}{prefix}"

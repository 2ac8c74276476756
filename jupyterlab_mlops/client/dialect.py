"""The two dialects we speak: plain MLflow and GitLab's MLflow-compatible API.

Everything that differs between them is decided here (GITLAB_API.md §6), so request builders and
parsers ask the dialect instead of testing URLs themselves.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlsplit

from .errors import InvalidInput

#: semver.org's official regex, as GitLab's ``Gitlab::Regex.semver_regex``.
SEMVER_RE = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
#: GitLab's ml_model_name_regex (= package_name_regex), at most 255 characters.
MODEL_NAME_RE = re.compile(
    r"^@?(?:(?:[\w\-.+]*)/)*(?:[\w\-.]+)@?(?:(?:[\w\-.+]*)/)*(?:[\w\-.]*)$"
)
#: GitLab's ml_model_file_name_regex for one file-name segment.
ARTIFACT_NAME_RE = re.compile(r"^[A-Za-z0-9._+ -]+$")
GITLAB_PATH_RE = re.compile(r"^(?P<api>.*/api/v4/projects/(?P<project>[^/]+))/ml/mlflow/?$")

SEMVER_RULE = (
    "a version must be a semantic version MAJOR.MINOR.PATCH (e.g. 1.0.0), with an optional "
    "-prerelease and +build suffix and no leading 'v'"
)
MODEL_NAME_RULE = (
    "a model name may contain letters, digits, '_', '-', '.', and '/' between segments "
    "(no spaces), at most 255 characters"
)


def is_semver(version: str) -> bool:
    """True when ``version`` is a semver.org version."""
    return bool(SEMVER_RE.match(version or ""))


def check_semver(version: str) -> str:
    """Return ``version`` or raise :class:`InvalidInput` naming the rule."""
    if not is_semver(version):
        raise InvalidInput(f"Invalid version {version!r}: {SEMVER_RULE}.", reason="invalid_semver")
    return version


def semver_key(version: str) -> tuple[int, int, int, int, str]:
    """Sort key: releases after their prereleases, like semver.org (prerelease compared as text)."""
    m = SEMVER_RE.match(version or "")
    if not m:
        return (-1, -1, -1, -1, version or "")
    pre = m.group(4)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)), 0 if pre else 1, pre or "")


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


def check_model_name(name: str) -> str:
    """Return ``name`` or raise :class:`InvalidInput` naming GitLab's model-name rule."""
    if not name or len(name) > 255 or not MODEL_NAME_RE.match(name):
        raise InvalidInput(f"Invalid model name {name!r}: {MODEL_NAME_RULE}.", reason="invalid_model_name")
    return name


def check_artifact_name(name: str) -> str:
    """Flat artifact names for GitLab: one segment of ``[A-Za-z0-9._+ -]``, never ``..``."""
    if not name or name in (".", "..") or not ARTIFACT_NAME_RE.match(name):
        raise InvalidInput(
            f"Invalid artifact name {name!r}: use letters, digits, '.', '_', '+', '-' and spaces, "
            "without directories.",
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

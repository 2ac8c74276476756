"""Input checks of the Python API and the magics: bad input raises :class:`InvalidInput` before
anything is queued, so nothing is sent."""

from __future__ import annotations

import posixpath
from typing import Any

from ..client.errors import InvalidInput

#: Keys already checked (the hot path of ``log_metric`` tests membership before calling :func:`check_key`).
VALID_KEYS: set[str] = set()
_KEY_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-. :/")
#: Longest param and tag values each backend stores.
MAX_TEXT = {"param": {"mlflow": 6000, "gitlab": 250}, "tag": {"mlflow": 8000, "gitlab": 5000}}


def check_key(key: Any, kind: str) -> str:
    """MLflow's name rule for metric/param/tag keys (also within GitLab's 250 characters)."""
    if key in VALID_KEYS:
        return key
    if not isinstance(key, str) or not key:
        raise InvalidInput(f"{kind} name must be a non-empty string, got {key!r}")
    bad = [c for c in key if c not in _KEY_CHARS and not c.isalnum()]
    norm = posixpath.normpath(key)
    if bad or norm != key or norm == "." or norm.startswith("..") or norm.startswith("/"):
        raise InvalidInput(
            f"invalid {kind} name {key!r}: use letters, digits, '_', '-', '.', ' ', ':' and '/' "
            "(no leading '/', no '..')"
        )
    if len(key) > 250:
        raise InvalidInput(f"{kind} name {key[:40]!r}... is {len(key)} characters; at most 250 are allowed")
    if len(VALID_KEYS) < 100_000:
        VALID_KEYS.add(key)
    return key


def check_text(kind: str, key: str, value: Any, backend_kind: str) -> str:
    """A param's or tag's (``kind``) key checked and value as text, within the backend's limits."""
    check_key(key, kind)
    text = value if isinstance(value, str) else str(value)
    limit = MAX_TEXT[kind][backend_kind]
    if len(text) > limit:
        raise InvalidInput(
            f"{kind} {key!r} is {len(text)} characters long; "
            f"{'GitLab' if backend_kind == 'gitlab' else 'MLflow'} allows at most {limit}"
        )
    if kind == "tag" and backend_kind == "gitlab" and text == "":
        raise InvalidInput(f"tag {key!r} needs a value (GitLab refuses empty tag values)")
    return text


def metric_value(key: str, value: Any) -> float:
    """A metric point's value as a float, or :class:`InvalidInput`."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"metric {key!r} needs a number, got {value!r}") from None

"""Typed errors of the client; the server's base handler maps them to HTTP statuses once."""

from __future__ import annotations

from typing import Any, Optional


class MlopsError(Exception):
    """Base error: ``status`` is the HTTP status our server answers with, ``error`` a stable code."""

    status: int = 500
    error: str = "internal_error"

    def __init__(self, message: str, *, reason: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.error

    def to_json(self) -> dict[str, str]:
        return {"message": self.message, "reason": self.reason, "error": self.error}


class InvalidInput(MlopsError):
    """The caller sent something invalid (bad semver, bad filter, non-numeric metric...)."""

    status = 400
    error = "invalid_input"


class NotFound(MlopsError):
    """Unknown backend, experiment, run, model, version or path."""

    status = 404
    error = "not_found"


class Conflict(MlopsError):
    """The thing exists already (model version, promoted candidate...)."""

    status = 409
    error = "conflict"


class BackendError(MlopsError):
    """The backend answered with an error we cannot attribute to the caller."""

    status = 502
    error = "backend_error"


class Unauthorized(BackendError):
    """The backend refused our credentials (GitLab: missing ``api`` scope or Developer role)."""

    error = "backend_unauthorized"


class FeatureOff(BackendError):
    """A feature the request needs is turned off in the backend (GitLab: the project's Model registry or
    Package registry); the message names it and where to turn it on, and does not blame the token."""

    error = "backend_feature_off"


class BackendUnreachable(MlopsError):
    """The backend could not be reached (connection refused, DNS, not started yet)."""

    status = 503
    error = "backend_unreachable"


class BackendTimeout(MlopsError):
    """The backend did not answer in time."""

    status = 504
    error = "backend_timeout"


class TooLarge(MlopsError):
    """413: the file is over the backend's (or the configured) upload cap."""

    status = 413
    error = "too_large"

    def __init__(self, size: Optional[int], cap: int) -> None:
        got = f"{size:,} bytes" if size is not None else "more"
        super().__init__(
            f"The file is too large for this backend: {got}, the limit is {cap:,} bytes ({cap / 1024**3:.1f} GiB).",
            reason="too_large",
        )
        self.cap = cap

    def to_json(self) -> dict[str, Any]:  # type: ignore[override]
        return {**super().to_json(), "max_bytes": self.cap}

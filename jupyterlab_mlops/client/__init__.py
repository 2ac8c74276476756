"""MLflow REST protocol and GitLab dialect: pure request builders and parsers, a sync transport.

No Jupyter or tornado imports here: this package is loaded in kernels.
"""

from .api import BATCH_LIMITS, Api
from .backend import Backend
from .calls import Call, Flow, drive_sync, error_for
from .dialect import Dialect, check_model_name, check_semver, detect_kind, is_semver, next_semver
from .errors import (
    BackendError,
    BackendTimeout,
    BackendUnreachable,
    Conflict,
    InvalidInput,
    MlopsError,
    NotFound,
    Unauthorized,
)
from .models import Experiment, FileInfo, Metric, ModelVersion, Page, RegisteredModel, Run

__all__ = [
    "Api",
    "BATCH_LIMITS",
    "Backend",
    "Call",
    "Flow",
    "drive_sync",
    "error_for",
    "Dialect",
    "check_model_name",
    "check_semver",
    "detect_kind",
    "is_semver",
    "next_semver",
    "BackendError",
    "BackendTimeout",
    "BackendUnreachable",
    "Conflict",
    "InvalidInput",
    "MlopsError",
    "NotFound",
    "Unauthorized",
    "Experiment",
    "FileInfo",
    "Metric",
    "ModelVersion",
    "Page",
    "RegisteredModel",
    "Run",
]

"""Delivery rules of the kernel logger (issue 10): what to do with each kind of answer, written
as small functions that :mod:`.sender` (one batch), :mod:`.outbox` (replay) and :mod:`.outage`
(backoff) apply.

* **Unstorable values** (``skip_unstorable``): GitLab declares metric values ``Float`` and refuses
  the whole ``log-batch`` when one is NaN or +-Infinity (GITLAB_API.md C3), so those points are
  skipped before sending, with one warning per key. MLflow stores them (as ``"NaN"`` etc.).
* **400** (``halves``): the batch is bisected until the refused items are isolated; the rest is
  delivered, the refused items are reported in one warning with the backend's message.
* **5xx** (``failure_kind``): 502/503/504 come from a gateway in front of a backend that is down
  (GitLab's workhorse answers 502 "GitLab is not responding" while Rails restarts): treated like a
  connection error, the offline spool keeps everything and replays it. Any other 5xx (500 first of
  all) is the application failing on *this* request: retried a bounded number of times with
  exponential backoff and jitter, then the batch is set aside in the spool with its reason.
* **Unknown outcome** (``unsent_part``): a batch that may have landed (timeout after sending, 5xx
  after a partial write, a kernel killed mid-request) is never resent blindly on GitLab, which
  appends duplicate metric points (C6): what arrived is read back and only the rest is sent.
  MLflow ignores an exact duplicate (key, value, timestamp, step) row and an identical param, so
  there a replay is simply sent again (verified on MLflow 3.17: a 1,000-point batch sent twice is
  stored once, NaN points included).
* **Unknown CI job** (``JOB_TAG``): GitLab answers 500 for a ``gitlab.CI_JOB_ID`` it does not know,
  after writing the rest (C4). The job is looked up first (``GET /projects/:id/jobs/:id``) where the
  token may; an unknown job's tag is dropped with a warning. Where the lookup is not allowed, the
  first 500 on a request carrying the tag drops it and the rest is retried as "unknown outcome".
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ..client.calls import Call
from ..client.dialect import gitlab_api_root
from ..client.errors import BackendError, BackendTimeout, BackendUnreachable, MlopsError, NotFound, Unauthorized
from ..client.models import Metric, Run

JOB_TAG = "gitlab.CI_JOB_ID"
MARKER_TAG = "mlops.local_id"
GATEWAY_STATUSES = (502, 503, 504)
_STATUS_RE = re.compile(r"\((\d{3})\)")

Warn = Callable[[str], None]


# -- classifying failures -------------------------------------------------------------------------
def http_status(exc: MlopsError) -> Optional[int]:
    """The backend's HTTP status of a :class:`BackendError` (``error_for`` writes it as ``(NNN)``)."""
    status = getattr(exc, "http_status", None)
    if isinstance(status, int):
        return status
    m = _STATUS_RE.search(exc.message or "")
    return int(m.group(1)) if m else None


def failure_kind(exc: MlopsError) -> str:
    """``"offline"`` (unreachable, timeout, refused credentials, gateway 502/503/504, busy: keep and
    replay without limit) or ``"failing"`` (the backend itself failed on this request: bounded retries,
    then set aside)."""
    if isinstance(exc, (BackendUnreachable, BackendTimeout, Unauthorized)) or not isinstance(exc, BackendError):
        return "offline"
    status = http_status(exc)
    if status is None or status in GATEWAY_STATUSES or status < 500:
        return "offline"
    return "failing"


def backoff_delay(attempt: int, low: float, high: float) -> float:
    """Exponential backoff with "equal jitter": between half and all of ``low * 2**attempt`` (capped)."""
    base = min(high, low * (2 ** max(0, attempt)))
    return base / 2 + random.uniform(0, base / 2)


class Transient(Exception):
    """The backend could not take the batch now; keep it and retry later. ``kind`` is
    :func:`failure_kind`: ``offline`` (replayed without limit) or ``failing`` (a 5xx of the backend
    itself: bounded retries, then the batch is set aside)."""

    def __init__(self, error: MlopsError) -> None:
        super().__init__(error.message)
        self.error = error
        self.kind = failure_kind(error)
        self.partial = False  # part of the batch was delivered before this failure


# -- batches ----------------------------------------------------------------------------------------
@dataclass
class Part:
    """A piece of a log batch (metrics, params, tags of one run) while it is being delivered."""

    metrics: list[Metric] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.metrics) + len(self.params) + len(self.tags)

    def units(self) -> list[tuple[str, Any, Any]]:
        return (
            [("m", m, None) for m in self.metrics]
            + [("p", k, v) for k, v in self.params.items()]
            + [("t", k, v) for k, v in self.tags.items()]
        )

    @classmethod
    def of(cls, units: list[tuple[str, Any, Any]]) -> "Part":
        part = cls()
        for kind, a, b in units:
            if kind == "m":
                part.metrics.append(a)
            elif kind == "p":
                part.params[a] = b
            else:
                part.tags[a] = b
        return part

    def halves(self) -> tuple["Part", "Part"]:
        units = self.units()
        mid = len(units) // 2
        return Part.of(units[:mid]), Part.of(units[mid:])

    def describe(self) -> str:
        """``metric 'loss' (step 3)`` / ``param 'lr'`` / ``tag 'k'`` for a one-item part."""
        if self.metrics:
            m = self.metrics[0]
            return f"metric {m.key!r} (step {m.step})"
        if self.params:
            return f"param {next(iter(self.params))!r}"
        return f"tag {next(iter(self.tags))!r}" if self.tags else "nothing"


def skip_unstorable(part: Part, warn_key: Callable[[str, str], None]) -> int:
    """GitLab: drop NaN/+-Infinity points (one warning per key); returns how many were dropped."""
    bad: Counter[str] = Counter(m.key for m in part.metrics if not math.isfinite(m.value))
    if not bad:
        return 0
    part.metrics = [m for m in part.metrics if math.isfinite(m.value)]
    for key, n in bad.items():
        warn_key(
            f"nonfinite:{key}",
            f"metric {key!r}: GitLab cannot store NaN or Infinity values; "
            f"such points are skipped ({n} in this batch), the others are sent",
        )
    return sum(bad.values())


# -- reading back what arrived ------------------------------------------------------------------------
def _point(m: Metric) -> tuple[int, int, float]:
    return (int(m.step), int(m.timestamp), float(m.value))


def unsent_part(part: Part, run: Run, history: Callable[[str], Optional[list[Metric]]], scan: bool = False) -> Part:
    """What of ``part`` is not on the backend yet, given the run as read back (``runs/get``).

    Params and tags: those whose key the run lacks (GitLab keeps the first value of a key anyway).
    Metrics: a request's metric points are one bulk insert, all or none. Per key, the run's latest
    point (``data.metrics``) decides cheaply: one of this batch's points -> it arrived; older than the
    batch's newest point -> it did not; otherwise (steps logged out of order, another writer) the key's
    history is read (``history(key)``, None when the backend has no get-history) and matched point by
    point. ``scan``: part of the batch may have arrived without the rest (an outage in the middle of
    splitting it), so every key is matched point by point."""
    out = Part(
        params={k: v for k, v in part.params.items() if k not in run.params},
        tags={k: v for k, v in part.tags.items() if k not in run.tags},
    )
    by_key: dict[str, list[Metric]] = {}
    for m in part.metrics:
        by_key.setdefault(m.key, []).append(m)
    for key, points in by_key.items():
        cur = run.metrics.get(key)
        if cur is None:
            out.metrics.extend(points)
            continue
        mine = {_point(m) for m in points}
        top = max(points, key=lambda m: (m.step, m.timestamp))
        if not scan:
            if _point(cur) in (_point(top), _point(points[-1])):
                continue  # arrived (the latest row by step, or by row id as GitLab's ``latest``, is ours)
            if _point(cur) not in mine and (cur.step, cur.timestamp) < (top.step, top.timestamp):
                out.metrics.extend(points)  # the newest point on the backend is older than this batch
                continue
        stored = history(key)
        if stored is None:
            out.metrics.extend(points)  # cannot tell: losing nothing beats the risk of a duplicate
            continue
        have = Counter(_point(m) for m in stored)
        for m in points:
            p = _point(m)
            if have[p] > 0:
                have[p] -= 1
            else:
                out.metrics.append(m)
    # keep the logging order of the metrics
    order = {id(m): i for i, m in enumerate(part.metrics)}
    out.metrics.sort(key=lambda m: order.get(id(m), 0))
    return out


# -- GitLab CI jobs ----------------------------------------------------------------------------------
class JobCheck:
    """``gitlab.CI_JOB_ID`` values: known, unknown (dropped) or not checkable with this token."""

    def __init__(self) -> None:
        self.known: dict[str, bool] = {}  # job id -> exists
        self.checkable = True  # False once the token was refused (401/403): rely on the 500 rule

    def lookup(self, client: Any, job_id: str) -> Optional[bool]:
        """True/False when GitLab answered, None when it could not be asked (token, network)."""
        job_id = str(job_id).strip()
        if job_id in self.known:
            return self.known[job_id]
        if not self.checkable:
            return None
        root = gitlab_api_root(client.backend.url)
        if root is None:
            return None
        if not job_id.isdigit():
            self.known[job_id] = False
            return False
        try:
            client.run(Call("GET", f"{root}/jobs/{job_id}", absolute=True))
        except NotFound:
            self.known[job_id] = False
            return False
        except Unauthorized:
            self.checkable = False
            return None
        except MlopsError:
            return None
        self.known[job_id] = True
        return True

    def forget(self, job_id: str) -> None:
        """After GitLab's 500 for a request carrying the tag: treat the job as unknown."""
        self.known[str(job_id).strip()] = False


def drop_unknown_job(tags: dict[str, str], check: JobCheck, client: Any, warn: Warn, where: str) -> bool:
    """Remove the ``gitlab.CI_JOB_ID`` tag when GitLab does not know the job; True when removed."""
    job = tags.get(JOB_TAG)
    if job is None:
        return False
    if check.lookup(client, job) is False:
        del tags[JOB_TAG]
        warn(
            f"tag {JOB_TAG}={job!r} of {where} dropped: GitLab knows no CI job {job!r} "
            "(it would refuse the request with a 500)"
        )
        return True
    return False


def drop_failed_job(
    tags: dict[str, str], check: JobCheck, error: MlopsError, warn: Warn, where: str = "", then: str = ""
) -> bool:
    """After GitLab failed (a 5xx of its own) on a request carrying ``gitlab.CI_JOB_ID``: the job is
    taken as unknown and its tag dropped, so the rest can be sent; True when dropped."""
    if JOB_TAG not in tags or failure_kind(error) != "failing":
        return False
    job = tags.pop(JOB_TAG)
    check.forget(job)
    of = f" of {where}" if where else ""
    warn(f"tag {JOB_TAG}={job!r}{of} dropped: GitLab failed on it ({error.message.rstrip('.')}){then}")
    return True

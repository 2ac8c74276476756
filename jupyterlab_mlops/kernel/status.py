"""What the user is told about delivery: :class:`Status` (``mlops.status()``, ``%mlops status``) and
:class:`FlushResult` (``flush()``, ``end_run()``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from ..client.errors import MlopsError
from ..spool import aside_summary, total_depth

if TYPE_CHECKING:
    from .session import Session


@dataclass
class FlushResult:
    """What :func:`flush` achieved: ``pending`` items are safe in the spool, not yet delivered."""

    delivered: bool
    pending: int
    sent: int
    message: str = ""
    set_aside: int = 0  # batches set aside (in this kernel's spools) after repeated backend failures

    def __repr__(self) -> str:
        return f"FlushResult(delivered={self.delivered}, pending={self.pending}, sent={self.sent})"


@dataclass
class Status:
    """What ``mlops.status()`` / ``%mlops status`` report."""

    backend: Optional[dict[str, Any]]
    state: str
    experiment: Optional[str]
    run: Optional[str]
    queued: int = 0
    spooled: int = 0
    spooled_all_kernels: int = 0
    sent: int = 0
    dropped: int = 0
    spool_dir: str = ""
    last_error: Optional[str] = None
    message: str = ""
    set_aside: int = 0  # batches set aside after repeated backend failures (all kernels' spools)
    set_aside_items: int = 0
    set_aside_reasons: list[str] = field(default_factory=list)
    #: warnings not printed after the once-per-message cap (counted, never lost)
    warnings_not_shown: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def lines(self) -> list[str]:
        b = self.backend
        out = [
            f"backend:    {b['url']} ({b['kind']})" if b else f"backend:    not configured ({self.message})",
            f"state:      {self.state}" + (f" - {self.last_error}" if self.last_error else ""),
            f"experiment: {self.experiment or '-'}",
            f"run:        {self.run or '-'}",
            f"pending:    {self.queued} in memory, {self.spooled} spooled"
            + (
                f" ({self.spooled_all_kernels} in {self.spool_dir} for all kernels)"
                if self.spooled_all_kernels != self.spooled
                else ""
            ),
            f"sent:       {self.sent} item(s)" + (f", {self.dropped} dropped" if self.dropped else ""),
        ]
        if self.warnings_not_shown:
            out.append(
                f"warnings:   {self.warnings_not_shown} more warning(s) not printed (over the once-per-message "
                "cap); 'dropped' above counts every item lost"
            )
        if self.set_aside:
            out.append(
                f"set aside:  {self.set_aside} batch(es), {self.set_aside_items} item(s) in {self.spool_dir}: "
                + " | ".join(self.set_aside_reasons or ["repeated backend failures"])
                + "; once the backend is fixed: %mlops flush --retry-set-aside"
            )
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        return str(self)


def session_status(session: "Session") -> Status:
    """The status of ``session``: its backend, logger and run, and every kernel's spools in its directory."""
    try:
        backend = session.backend
    except MlopsError as exc:
        return Status(backend=None, state="not configured", experiment=None, run=None, message=exc.message)
    logger = session.logger
    spool_dir: Path = session.spool_dir()
    active = session.active_run()
    run = active.describe() if active is not None else None
    if run is None:
        mlflow_run = session.mlflow_run_id()
        run = f"{mlflow_run} (mlflow's active run)" if mlflow_run else None
    aside = aside_summary(spool_dir)
    if logger is None:
        state = "idle"
    else:
        state = "offline (spooling)" if logger.offline else "online"
    return Status(
        backend=backend.public(),
        state=state,
        experiment=session.experiment_name or session.experiment_id,
        run=run,
        queued=logger.in_memory if logger else 0,
        spooled=logger.spool_depth if logger else 0,
        spooled_all_kernels=total_depth(spool_dir),
        sent=logger.sent if logger else 0,
        dropped=logger.dropped if logger else 0,
        spool_dir=str(spool_dir),
        last_error=logger.last_error if logger and logger.offline else None,
        set_aside=aside["batches"],
        set_aside_items=aside["items"],
        set_aside_reasons=list(aside["reasons"]),
        warnings_not_shown=session.notices.suppressed + (logger.notices.suppressed if logger else 0),
    )

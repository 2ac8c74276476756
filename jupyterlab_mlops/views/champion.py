"""The champion check before a promotion: the candidate's latest metrics beside those of the version the
``champion`` alias points at (else the latest version), metric by metric, with which one is better."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ..client.api import Api
from ..client.errors import NotFound
from ..client.models import Run
from .aliases import champion_of
from .compare import direction, num
from .registry import load_model, source_run

if TYPE_CHECKING:
    from ..client.calls import Flow
    from .wire.registry import ChampionCheck


def champion(api: Api, name: str, run_id: str, keys: Optional[list[str]] = None) -> Flow[ChampionCheck]:
    """The candidate's metrics beside the champion's: the version the ``champion`` alias points at, else the
    latest (the champion check)."""
    cand: Run = yield api.get_run(run_id)
    _model, versions = yield from load_model(api, name)
    latest, by = yield from champion_of(api, name, versions)
    champ: Optional[Run] = None
    for rid in [latest.run_id, source_run(latest)] if latest else []:
        if rid and (champ is None or not champ.metrics):
            try:
                champ = yield api.get_run(rid)
            except NotFound:
                continue
    keys = keys or sorted(cand.metrics)
    rows = []
    for k in keys:
        c, h = cand.metrics.get(k), (champ.metrics.get(k) if champ else None)
        d = direction(k)
        better = None
        if c and h and c.value == c.value and h.value == h.value:
            better = (
                "equal" if c.value == h.value else "candidate" if (c.value < h.value) == (d == "min") else "champion"
            )
        rows.append(
            {
                "key": k,
                "candidate": num(c.value) if c else None,
                "champion": num(h.value) if h else None,
                "delta": num(c.value - h.value) if c and h else None,
                "direction": d,
                "better": better,
            }
        )
    return {
        "candidate": {
            "run_id": cand.run_id,
            "run_name": cand.run_name,
            "metrics": {k: num(m.value) for k, m in cand.metrics.items()},
        },
        "champion": {
            "version": latest.version,
            "semver": latest.semver,
            "by": by,
            "run_id": champ.run_id if champ else None,
            "metrics": {k: num(m.value) for k, m in champ.metrics.items()} if champ else {},
        }
        if latest
        else None,
        "rows": rows,
    }

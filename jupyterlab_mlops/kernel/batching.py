"""Packing queued items into requests within MLflow's limits (:data:`~..client.api.BATCH_LIMITS`: 1000
metrics, 100 params, 100 tags, 1000 items, 1 MB per ``runs/log-batch``): one run per request, in logging
order. Params are coalesced (first value wins, a different later value is dropped with a warning), tags
too (last value wins)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..client.api import BATCH_LIMITS
from ..client.models import Metric
from ..spool import Item

HEAD = 1100  # items looked at per batch: more than one request can take
_BYTES_MARGIN = 50_000  # JSON framing and escapes the size estimate does not count


@dataclass
class Batch:
    """Items for one request: a log-batch for one run, or one create/update op."""

    kind: str  # "log" | "c" | "u"
    run: str
    items: list[Item] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


def build_batch(items: list[Item], warn: Callable[[str], None]) -> tuple[int, Batch]:
    """Take the longest prefix of ``items`` that fits one request; returns (count used, batch)."""
    first = items[0]
    if first[0] in ("c", "u"):
        return 1, Batch(first[0], first[1], [first])
    run = first[1]
    b = Batch("log", run)
    n_metrics = n_params = n_tags = 0
    size = 64
    max_m, max_p, max_t = BATCH_LIMITS["metrics"], BATCH_LIMITS["params"], BATCH_LIMITS["tags"]
    max_total, max_bytes = BATCH_LIMITS["total"], BATCH_LIMITS["bytes"] - _BYTES_MARGIN
    used = 0
    for item in items:
        kind = item[0]
        if kind in ("c", "u") or item[1] != run:
            break
        if kind == "m":
            if n_metrics >= max_m:
                break
            cost = len(item[2]) + 90
        elif kind == "p":
            if n_params >= max_p and item[2] not in b.params:
                break
            cost = len(item[2]) + len(item[3]) + 40
        else:
            if n_tags >= max_t and item[2] not in b.tags:
                break
            cost = len(item[2]) + len(item[3]) + 40
        if used and (n_metrics + n_params + n_tags >= max_total or size + cost > max_bytes):
            break
        used += 1
        size += cost
        if kind == "m":
            b.metrics.append(Metric(item[2], item[3], item[4], item[5]))
            n_metrics += 1
        elif kind == "p":
            old = b.params.get(item[2])
            if old is None:
                b.params[item[2]] = item[3]
                n_params += 1
            elif old != item[3]:
                warn(
                    f"param {item[2]!r} was logged twice ({old!r}, then {item[3]!r}); params are "
                    f"write-once, {item[3]!r} dropped"
                )
        else:
            if item[2] not in b.tags:
                n_tags += 1
            b.tags[item[2]] = item[3]
        b.items.append(item)
    return used, b

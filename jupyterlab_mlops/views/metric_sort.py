"""A metric sort on MLflow's REST path, answered by a pruned search when that is provably the same page.

MLflow's ``runs/search`` ordered by a metric outer-joins every run of the experiment to that metric and sorts
them all (4.6 s for 10k runs on SQLite), while a filter on the metric joins only the runs that pass (cheap
when few do). So a page of ``ORDER BY metrics.k DESC`` is first asked as the same search with the filter
``metrics.k > t`` (``<`` ascending): ``t`` is the value of a run seen in an unfiltered page, chosen so that
about :data:`PASSES_PER_ROW` times the rows up to the page's end pass. The runs beyond ``t`` come first in the
full sort and in the same order (NaN and missing values sort last), so the filtered order is a prefix of the
full one. The pruned answer is taken only when it proves it: a full page, every run with a non-NaN value
beyond ``t``, and MLflow's offset token for the next page; anything else (too few passed, a NaN stored as 0
passed, a backend with other tokens) asks the unpruned search. A wrong guess costs one cheap search, never
a wrong row.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from ..client.models import Page, Run
from .cache import TtlLru
from .experiments import token_offset
from .runs_table import Order

SAMPLE_RUNS = 2000  # runs whose metric values are kept per experiment
PASSES_PER_ROW = 3  # runs meant to pass the pruning filter per row up to the page's end
MIN_SAMPLE = 30  # fewer runs seen: no estimate
MAX_FRACTION = 0.5  # meant to pass more than this share of the runs: the pruned search saves little
#: the bound is at least the 3rd value seen: the runs beyond the highest of 50 seen out of 10,000 are fewer than
#: a page of 50 about one time in five, beyond the 3rd one time in 500
MIN_RANK = 3


@dataclass(frozen=True)
class Pruned:
    """The pruning filter of one sorted page: ``filter`` (MLflow's grammar) keeps the runs beyond ``bound``."""

    order: Order
    bound: float
    filter: str

    def holds(self, run: Run) -> bool:
        """True when ``run`` has a non-NaN value strictly beyond the bound (MLflow stores NaN as 0)."""
        m = run.metrics.get(self.order.key)
        if m is None or math.isnan(m.value):
            return False
        return m.value < self.bound if self.order.ascending else m.value > self.bound

    def proves(self, page: Page[Run], offset: int, max_results: int) -> bool:
        """True when ``page`` (the pruned search at ``offset``) is the unpruned search's page too."""
        return (
            len(page.items) == max_results
            and all(self.holds(r) for r in page.items)
            and token_offset(page.next_page_token) == offset + max_results
        )


def _literal(value: float) -> Optional[str]:
    """``value`` as MLflow's filter parser reads it back exactly, or None (it rejects ``e+`` exponents)."""
    text = repr(float(value))
    return text if math.isfinite(value) and "e+" not in text and float(text) == value else None


class MetricSamples:
    """Metric values of runs seen in unfiltered pages, per (backend, experiment): bounded, expiring."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._seen: TtlLru[tuple[str, str], dict[str, dict[str, float]]] = TtlLru(64, 600.0, clock)

    def observe(self, backend: str, experiment_id: str, runs: Iterable[Run]) -> None:
        """Keep the latest metric values of ``runs`` (an unfiltered page: a fair sample of the experiment)."""
        seen = self._seen.get((backend, experiment_id)) or {}
        for r in runs:
            if r.run_id in seen or len(seen) < SAMPLE_RUNS:
                seen[r.run_id] = {k: m.value for k, m in r.metrics.items()}
        self._seen.put((backend, experiment_id), seen)

    def prune(
        self, backend: str, experiment_id: str, order: Order, offset: int, max_results: int, count: Optional[int]
    ) -> Optional[Pruned]:
        """The pruning filter for the page at ``offset``, or None when the runs seen cannot choose one.
        ``count``: the experiment's run count when known (it places the bound; at least the 3rd value seen)."""
        if order.kind != "metrics" or "`" in order.key:
            return None
        seen = self._seen.get((backend, experiment_id)) or {}
        if len(seen) < MIN_SAMPLE:
            return None
        values = sorted(
            (v for m in seen.values() if (v := m.get(order.key)) is not None and math.isfinite(v)),
            reverse=not order.ascending,
        )
        wanted = PASSES_PER_ROW * (offset + max_results)
        if count is not None and wanted > MAX_FRACTION * count:
            return None
        rank = MIN_RANK if count is None else max(MIN_RANK, math.ceil(wanted / count * (len(seen) + 1)))
        if rank > len(values) or rank > MAX_FRACTION * len(seen):
            return None
        bound = values[rank - 1]
        literal = _literal(bound)
        if literal is None:
            return None
        op = "<" if order.ascending else ">"
        return Pruned(order, bound, f"metrics.`{order.key}` {op} {literal}")

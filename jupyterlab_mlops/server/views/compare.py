"""``GET compare`` and ``GET compare.csv``: 2..50 runs side by side (logic in ``client/compare.py``).

GET, not POST: it is a read (STYLE), and 50 ``run=<backend>:<run_id>`` parameters (~2.5 KB) fit
in a URL. The CSV is made here too, so the UI and the kernel widgets export the same file.
"""
from __future__ import annotations

from typing import Any, Optional

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...client import compare as cmp
from ...client import compare_series as cs
from ...client.calls import Flow
from ...client.errors import InvalidInput
from ..base import MlopsHandler

CACHE_KEY = "mlops_compare_cache"


def int_arg(handler: MlopsHandler, name: str, default: int) -> int:
    raw = handler.get_argument(name, None)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be an integer, got {raw!r}.", reason=f"invalid_{name}") from None


def flag_arg(handler: MlopsHandler, name: str) -> bool:
    return (handler.get_argument(name, "") or "").lower() in ("1", "true", "yes")


class CompareBase(MlopsHandler):
    """Shared query parsing and the per-server series cache."""

    @property
    def cache(self) -> cs.SeriesCache:
        cache: Optional[cs.SeriesCache] = self.settings.get(CACHE_KEY)
        if cache is None:
            cache = self.settings[CACHE_KEY] = cs.SeriesCache()
        return cache

    async def drive(self, backend: str, flow: Flow[Any]) -> Any:
        return await self.registry.client(backend).drive(flow)

    def refs(self) -> list[cmp.RunRef]:
        refs = cmp.parse_refs(self.get_arguments("run"), self.registry.default_name)
        for ref in refs:
            self.registry.get(ref.backend)  # 404 for an unknown backend
        return refs

    def apis(self, refs: list[cmp.RunRef]) -> dict[str, Any]:
        return {r.backend: self.registry.client(r.backend).api for r in refs}

    def metric_keys(self) -> list[str]:
        keys = [k for v in self.get_arguments("metric") for k in v.split(",") if k]
        if len(keys) > 100:
            raise InvalidInput("At most 100 metric keys can be compared at once.", reason="too_many_metrics")
        return keys


class CompareHandler(CompareBase):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        refs = self.refs()
        result = await cs.compare(
            refs, self.apis(refs), self.drive, self.cache, metrics=self.metric_keys(),
            max_points=int_arg(self, "max_points", cmp.DEFAULT_POINTS), x=self.get_argument("x", "step"),
            only_differences=flag_arg(self, "only_differences"), refresh=flag_arg(self, "refresh"))
        self.write_json(result)


class CompareCsvHandler(CompareBase):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        refs = self.refs()
        fetched, _errors = await cs.fetch_runs(refs, self.apis(refs), cs.limited(self.drive))
        text = cmp.to_csv(fetched, only_differences=flag_arg(self, "only_differences"))
        self.set_header("Content-Disposition", 'attachment; filename="compare.csv"')
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(self.scrub(text).encode("utf-8"), set_content_type="text/csv; charset=utf-8")


ROUTES = [
    (r"compare", CompareHandler),
    (r"compare\.csv", CompareCsvHandler),
]

"""``GET compare`` and ``GET compare.csv``: 2..50 runs side by side (logic in ``views/compare*.py``).

GET, not POST: it is a read (STYLE), and 50 ``run=<backend>:<run_id>`` parameters (~2.5 KB) fit
in a URL. The CSV is made here too, so the UI and the kernel widgets export the same file.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...client.errors import InvalidInput
from ...views import compare as cmp
from ...views import compare_series as cs
from ...views.driver import run_async
from ._common import ViewHandler


class CompareBase(ViewHandler):
    """Shared query parsing (the series cache is :attr:`ViewCaches.series`)."""

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
        result = await run_async(
            cs.compare(
                refs,
                self.apis(refs),
                self.caches.series,
                metrics=self.metric_keys(),
                max_points=self.int_arg("max_points", cmp.DEFAULT_POINTS, 2, cmp.MAX_POINTS),
                x=self.get_argument("x", "step"),
                only_differences=self.bool_arg("only_differences"),
                refresh=self.bool_arg("refresh"),
            ),
            self.drive,
            direct=self.registry.embedded_read,
        )
        self.write_json(result)


class CompareCsvHandler(CompareBase):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        refs = self.refs()
        fetched, _errors = await run_async(cs.fetch_runs(refs, self.apis(refs)), self.drive)
        text = cmp.to_csv(fetched, only_differences=self.bool_arg("only_differences"))
        self.set_header("Content-Disposition", 'attachment; filename="compare.csv"')
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(self.scrub(text).encode("utf-8"), set_content_type="text/csv; charset=utf-8")


ROUTES = [
    (r"compare", CompareHandler),
    (r"compare\.csv", CompareCsvHandler),
]

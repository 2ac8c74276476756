"""Model registry routes (logic in ``views/registry.py`` and ``views/version_links.py``):
models of every backend, a model, a version page, linked items. Artifacts: ``views/version_files.py``.
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...client.errors import NotFound
from ...views import aliases as av
from ...views import registry as rv
from ...views import version_page as vp
from ...views import version_links as vl
from ...views.driver import run_async
from ...views.snippets import kernel_points_at
from ..base import MlopsHandler
from ._common import ViewHandler

MODEL = r"backends/(?P<backend>[^/]+)/models/(?P<name>[^/]+)"
VERSION = MODEL + r"/versions/(?P<version>[^/]+)"


class ModelsHandler(ViewHandler):
    """``GET models?search=``: every backend's models; a failing backend is reported, not fatal."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        backends = {n: (self.registry.client(n).api, self.registry.client(n).backend) for n in self.registry.names}
        self.write_json(
            await run_async(rv.models_across(backends, self.get_argument("search", "").strip()), self.drive)
        )


class ModelHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def get(self, backend: str, name: str) -> None:
        client = self.registry.client(backend)
        self.write_json(await client.drive(rv.model_page(client.api, client.backend, name)))


class VersionHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def get(self, backend: str, name: str, version: str) -> None:
        client = self.registry.client(backend)
        kernel_ready = kernel_points_at(client.backend)
        self.write_json(
            await client.drive(
                vp.version_page(
                    client.api,
                    client.backend,
                    name,
                    version,
                    kernel_ready=kernel_ready,
                    max_upload=self.max_upload_bytes,
                )
            )
        )


class LinksHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def post(self, backend: str, name: str, version: str) -> None:
        url = self.json_body().get("url")
        client = self.registry.client(backend)
        links = await client.drive(vl.add_link(client.api, name, version, url if isinstance(url, str) else ""))
        self.write_json({"links": links}, status=201)


class LinkHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def delete(self, backend: str, name: str, version: str, n: str) -> None:
        if not (n.isascii() and n.isdigit()) or len(n) > 9:
            raise NotFound(f"No linked item {n!r}.", reason="link_not_found")
        client = self.registry.client(backend)
        self.write_json({"links": await client.drive(vl.remove_link(client.api, name, version, int(n)))})


class AliasesHandler(MlopsHandler):
    """``POST .../aliases {alias, version}``: point an alias at a version (moved when it is elsewhere)."""

    @web.authenticated
    @authorized
    async def post(self, backend: str, name: str) -> None:
        body = self.json_body()
        client = self.registry.client(backend)
        self.write_json(await client.drive(av.set_alias(client.api, name, body.get("alias"), body.get("version"))))


class AliasHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def delete(self, backend: str, name: str, alias: str) -> None:
        client = self.registry.client(backend)
        self.write_json(await client.drive(av.remove_alias(client.api, name, alias)))


ROUTES = [
    (r"models", ModelsHandler),
    (MODEL, ModelHandler),
    (MODEL + r"/aliases", AliasesHandler),
    (MODEL + r"/aliases/(?P<alias>[^/]+)", AliasHandler),
    (VERSION, VersionHandler),
    (VERSION + r"/links", LinksHandler),
    (VERSION + r"/links/(?P<n>[^/]+)", LinkHandler),
]

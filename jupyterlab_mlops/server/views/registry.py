"""Model registry routes (logic in ``views/registry.py`` and ``views/version_links.py``):
models of every backend, a model, a version page, linked items. Artifacts: ``views/version_files.py``.
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...client.errors import InvalidInput, NotFound
from ...views import aliases as av
from ...views import registry as rv
from ...views import registry_edits as re_
from ...views import version_page as vp
from ...views import version_links as vl
from ...views.driver import run_async
from ...views.snippets import kernel_points_at
from ..base import MlopsHandler
from ..events import Change, announce
from ._common import ViewHandler

MODEL = r"backends/(?P<backend>[^/]+)/models/(?P<name>[^/]+)"
VERSION = MODEL + r"/versions/(?P<version>[^/]+)"


def model_changed(handler: MlopsHandler, backend: str, change: str, name: object) -> None:
    """Tell the open views (every window of this user) that a model, its versions or aliases changed."""
    short = name[:200] if isinstance(name, str) and name else None
    announce(handler.settings, Change(backend, "model", "", change, None, short))


class ModelsHandler(ViewHandler):
    """``GET models?search=``: every backend's models; a failing backend is reported, not fatal.
    ``POST models {backend, name, description}``: a new model (without versions); its page."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        backends = {n: (self.registry.client(n).api, self.registry.client(n).backend) for n in self.registry.names}
        self.write_json(
            await run_async(rv.models_across(backends, self.get_argument("search", "").strip()), self.drive)
        )

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        backend = body.get("backend")
        if not isinstance(backend, str) or not backend:
            raise InvalidInput("Say on which backend to create the model.", reason="missing_backend")
        client = self.registry.client(backend)
        page = await client.drive(
            re_.create_model(client.api, client.backend, body.get("name"), body.get("description"))
        )
        model_changed(self, backend, "created", body.get("name"))
        self.write_json(page, status=201)


class ModelHandler(MlopsHandler):
    """``GET`` a model's page; ``PATCH`` rename, describe, tag it (``views/registry_edits.py``); ``DELETE`` it
    (``?confirm=<name>`` when it has versions)."""

    @web.authenticated
    @authorized
    async def get(self, backend: str, name: str) -> None:
        client = self.registry.client(backend)
        self.write_json(await client.drive(rv.model_page(client.api, client.backend, name)))

    @web.authenticated
    @authorized
    async def patch(self, backend: str, name: str) -> None:
        client = self.registry.client(backend)
        body = self.json_body()
        page = await client.drive(re_.edit_model(client.api, client.backend, name, body))
        model_changed(self, backend, "edited", body.get("name") or name)
        self.write_json(page)

    @web.authenticated
    @authorized
    async def delete(self, backend: str, name: str) -> None:
        client = self.registry.client(backend)
        confirm = self.get_query_argument("confirm", None)
        deleted = await client.drive(re_.delete_model(client.api, client.backend, name, confirm))
        model_changed(self, backend, "deleted", name)
        self.write_json(deleted)


class VersionHandler(MlopsHandler):
    """``GET`` a version's page; ``PATCH`` describe or tag it; ``DELETE`` it (MLflow only; its run stays)."""

    @web.authenticated
    @authorized
    async def patch(self, backend: str, name: str, version: str) -> None:
        client = self.registry.client(backend)
        edit = re_.edit_version(client.api, client.backend, name, version, self.json_body())
        answer = await client.drive(edit)
        model_changed(self, backend, "edited", name)
        self.write_json(answer)

    @web.authenticated
    @authorized
    async def delete(self, backend: str, name: str, version: str) -> None:
        client = self.registry.client(backend)
        deleted = await client.drive(re_.delete_version(client.api, client.backend, name, version))
        model_changed(self, backend, "edited", name)
        self.write_json(deleted)

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
        answer = await client.drive(av.set_alias(client.api, name, body.get("alias"), body.get("version")))
        model_changed(self, backend, "edited", name)
        self.write_json(answer)


class AliasHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def delete(self, backend: str, name: str, alias: str) -> None:
        client = self.registry.client(backend)
        answer = await client.drive(av.remove_alias(client.api, name, alias))
        model_changed(self, backend, "edited", name)
        self.write_json(answer)


ROUTES = [
    (r"models", ModelsHandler),
    (MODEL, ModelHandler),
    (MODEL + r"/aliases", AliasesHandler),
    (MODEL + r"/aliases/(?P<alias>[^/]+)", AliasHandler),
    (VERSION, VersionHandler),
    (VERSION + r"/links", LinksHandler),
    (VERSION + r"/links/(?P<n>[^/]+)", LinkHandler),
]

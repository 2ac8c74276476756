"""Model registry routes (logic in ``client/registry_view.py`` and ``client/version_links.py``):
models of every backend, a model, a version page, linked items. Artifacts: ``views/version_files.py``.
"""
from __future__ import annotations

import asyncio
import os
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...client import registry_view as rv
from ...client import version_links as vl
from ...client.errors import MlopsError, NotFound
from ..base import MlopsHandler

MODEL = r"backends/(?P<backend>[^/]+)/models/(?P<name>[^/]+)"
VERSION = MODEL + r"/versions/(?P<version>[^/]+)"


class ModelsHandler(MlopsHandler):
    """``GET models?search=``: every backend's models; a failing backend is reported, not fatal."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        search = self.get_argument("search", "").strip()
        names = self.registry.names

        async def one(name: str) -> Any:
            client = self.registry.client(name)
            return await client.drive(rv.backend_models(client.api, client.backend, search))

        results = await asyncio.gather(*(one(n) for n in names), return_exceptions=True)
        models: list[dict[str, Any]] = []
        errors = []
        for name, res in zip(names, results):
            if isinstance(res, MlopsError):
                errors.append({"backend": name, "message": res.message, "error": res.error})
            elif isinstance(res, BaseException):
                raise res
            else:
                models.extend(res)
        if search:
            models = [m for m in models if search.lower() in m["name"].lower()]
        models.sort(key=lambda m: (-(m["last_updated_timestamp"] or 0), m["name"], m["backend"]))
        self.write_json({"models": models, "errors": errors})


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
        kernel_ready = os.environ.get("MLFLOW_TRACKING_URI", "").rstrip("/") == client.backend.url
        self.write_json(await client.drive(rv.version_page(
            client.api, client.backend, name, version, kernel_ready=kernel_ready, max_upload=self.max_upload_bytes)))


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


ROUTES = [
    (r"models", ModelsHandler),
    (MODEL, ModelHandler),
    (VERSION, VersionHandler),
    (VERSION + r"/links", LinksHandler),
    (VERSION + r"/links/(?P<n>[^/]+)", LinkHandler),
]

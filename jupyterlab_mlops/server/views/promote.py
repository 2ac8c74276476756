"""Promotion routes (logic in ``views/promote.py``): next version, promote, champion check.

``{name}`` is URL-encoded by the client (GitLab model names may contain ``/``: send ``%2F``).
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...client.errors import InvalidInput
from ...views import promote as pr
from ...views.champion import champion
from ..base import MlopsHandler
from .registry import model_changed

MODEL = r"backends/(?P<backend>[^/]+)/models/(?P<name>[^/]+)"


class NextVersionHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def get(self, backend: str, name: str) -> None:
        client = self.registry.client(backend)
        self.write_json(await client.drive(pr.next_version(client.api, name, self.get_argument("bump", "patch"))))


class PromoteHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def post(self, backend: str, name: str) -> None:
        body = self.json_body()
        for key, kind in (
            ("run_id", str),
            ("version", str),
            ("description", str),
            ("create_model", bool),
            ("source", str),
        ):
            if body.get(key) is not None and not isinstance(body[key], kind):
                raise InvalidInput(
                    f"{key} must be a {'boolean' if kind is bool else 'string'}.", reason=f"invalid_{key}"
                )
        client = self.registry.client(backend)
        result = await client.drive(
            pr.promote(
                client.api,
                client.backend,
                name,
                (body.get("run_id") or "").strip(),
                version=(body.get("version") or "").strip() or None,
                description=body.get("description") or "",
                create_model=bool(body.get("create_model")),
                source=(body.get("source") or "").strip() or None,
            )
        )
        model_changed(self, backend, "edited", name)  # a new version (and maybe the model)
        self.write_json(result, status=201)


class ChampionHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def get(self, backend: str, name: str) -> None:
        run_id = self.get_argument("run_id", "")
        if not run_id:
            raise InvalidInput("run_id is required.", reason="missing_run_id")
        keys = [k for v in self.get_arguments("metrics") for k in v.split(",") if k]
        client = self.registry.client(backend)
        self.write_json(await client.drive(champion(client.api, name, run_id, keys or None)))


ROUTES = [
    (MODEL + r"/next-version", NextVersionHandler),
    (MODEL + r"/versions", PromoteHandler),
    (MODEL + r"/champion", ChampionHandler),
]

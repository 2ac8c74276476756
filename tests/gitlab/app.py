"""The tornado application that stands where GitLab would: routing, auth, error shapes."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from typing import Any
from urllib.parse import unquote

import tornado.web

from . import artifacts, graphql_api, platform, registry, tracking
from .core import DEVELOPER, ApiError, Ctx, Knobs, State, User, not_found
from .object_store import ObjectStore

LOG = logging.getLogger("gitlab_standin")

MLFLOW_PREFIX = "ml/mlflow/api/2.0/mlflow/"
ARTIFACTS_PREFIX = "ml/mlflow/api/2.0/mlflow-artifacts/artifacts"
PROJECT_RE = re.compile(r"\A/api/v4/projects/([^/]+)(?:/(.*))?\Z")
USER_RE = re.compile(r"\A/api/v4/users/([^/]+)\Z")
JOB_RE = re.compile(r"\Ajobs/([^/]+)\Z")
PACKAGE_RE = re.compile(r"\Apackages/ml_models/([^/]+)/files/(.+)\Z")
ROUTES = {**tracking.ROUTES, **registry.ROUTES}
REGISTRY_ROUTES = set(registry.ROUTES)
FORBIDDEN = {"message": "403 Forbidden"}
INSUFFICIENT_SCOPE = {
    "error": "insufficient_scope",
    "error_description": "The request requires higher privileges than provided by the access token.",
    "scope": "api",
}


class Service:
    """What the handler needs: state, upstream MLflow, knobs, tokens, project identity, request log."""

    def __init__(
        self,
        state: State,
        upstream: Any,
        knobs: Knobs,
        tokens: dict[str, User],
        project_id: int,
        project_path: str,
        store: ObjectStore | None = None,
        requests: list[dict[str, Any]] | None = None,
    ) -> None:
        self.state = state
        self.upstream = upstream
        self.knobs = knobs
        self.tokens = tokens
        self.project_id = project_id
        self.project_path = project_path
        self.requests: list[dict[str, Any]] = [] if requests is None else requests
        self.store = store or ObjectStore(state.files_dir, self.requests)


class GitLabHandler(tornado.web.RequestHandler):
    """One catch-all handler; routing is done by hand on the RAW path (project ids may be %2F-encoded)."""

    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")

    async def get(self, *_: Any) -> None:
        await self.dispatch()

    head = post = put = patch = delete = get

    def check_xsrf_cookie(self) -> None:  # an API, not a browser form
        return None

    def initialize(self, service: Service) -> None:
        self.service = service
        self.entry: dict[str, Any] = {}
        self._t0 = time.monotonic()

    def finish_with(self, status: int, content_type: str, data: bytes | str) -> None:
        """Record the outcome in the request log BEFORE the client can see the answer, then send it."""
        self.entry["status"] = status
        self.entry["seconds"] = round(time.monotonic() - self._t0, 4)
        self.set_status(status)
        self.set_header("Content-Type", content_type)
        self.finish(data)

    def answer(self, status: int, body: Any) -> None:
        self.finish_with(status, "application/json", json.dumps(body))

    def parse_args(self) -> dict[str, Any]:
        """Grape's params: query string merged with a JSON (or form) body."""
        args: dict[str, Any] = {k: v[-1].decode() for k, v in self.request.query_arguments.items()}
        body = self.request.body
        ctype = self.request.headers.get("Content-Type", "")
        if body and self.request.method in ("POST", "PATCH", "DELETE"):
            if "json" in ctype or not ctype:
                try:
                    parsed = json.loads(body)
                except ValueError:
                    raise ApiError(400, {"message": "400 Bad request"}) from None
                if isinstance(parsed, dict):
                    args.update(parsed)
            else:
                args.update({k: v[-1].decode() for k, v in self.request.body_arguments.items()})
        return args

    def user(self) -> User:
        auth = self.request.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else self.request.headers.get("PRIVATE-TOKEN")
        user = self.service.tokens.get(token or "")
        if user is None:
            raise ApiError(401, {"message": "401 Unauthorized"})
        return user

    async def dispatch(self) -> None:
        svc, req = self.service, self.request
        entry = self.entry = {
            "method": req.method,
            "path": req.path,
            "query": req.query,
            "authorization": "Authorization" in req.headers,
            "server": "gitlab",
        }
        svc.requests.append(entry)
        try:
            if svc.knobs.latency:
                await asyncio.sleep(svc.knobs.latency)
            if svc.knobs.outage:
                self.finish_with(
                    svc.knobs.outage,
                    "text/html",
                    f"<html><body><h1>{svc.knobs.outage}</h1>GitLab is not responding</body></html>",
                )
                return
            args = self.parse_args()
            entry["args"] = args
            await self.route(args)
        except ApiError as e:
            self.answer(e.status, e.body)
        except Exception:  # noqa: BLE001 - report, like GitLab's 500
            LOG.exception("stand-in failure on %s %s", req.method, req.path)
            self.answer(500, {"message": "500 Internal Server Error"})

    async def route(self, args: dict[str, Any]) -> None:
        svc, method = self.service, self.request.method or "GET"
        lookup = "GET" if method == "HEAD" else method
        write = method not in ("GET", "HEAD")
        if self.request.path == "/api/graphql":
            await self.graphql(args)
            return
        u = USER_RE.match(self.request.path)
        if u:  # C11: GET /users/:id
            if lookup != "GET":
                raise not_found()
            self.user()
            self.answer(200, platform.user_entity(self.host_url, svc.state, unquote(u.group(1))))
            return
        m = PROJECT_RE.match(self.request.path)
        if not m:
            raise not_found()
        project, rest = unquote(m.group(1)), m.group(2)
        if rest is None or rest == "":  # C12: GET /projects/:id (numeric id or url-encoded path)
            if lookup != "GET":
                raise not_found()
            ctx = self.context(args, project, write=False)
            self.answer(200, platform.project_entity(ctx))
        elif JOB_RE.match(rest):  # C4: GET /projects/:id/jobs/:job_id (read_build: Reporter+)
            if lookup != "GET":
                raise not_found()
            ctx = self.context(args, project, write=False)
            if ctx.user.role < platform.READ_BUILD:
                raise ApiError(403, dict(FORBIDDEN))
            self.answer(200, platform.job_entity(ctx, JOB_RE.match(rest).group(1)))  # type: ignore[union-attr]
        elif rest.startswith(MLFLOW_PREFIX):
            route = (lookup, rest[len(MLFLOW_PREFIX) :])
            endpoint = ROUTES.get(route)
            if endpoint is None:
                raise not_found()
            if route in REGISTRY_ROUTES:  # check_api_write! only on routes marked write (C15, C17)
                role_write = route in registry.WRITE_ROUTES
            else:  # experiments, runs, metrics: check_api_write! on every non-GET (C17)
                role_write = write
            ctx = self.context(args, project, write, role_write=False)
            if route in REGISTRY_ROUTES and not svc.knobs.model_registry_enabled:
                raise not_found()  # check_api_model_registry_read! (C9), before check_api_write!
            if role_write and not ctx.user.developer:
                raise ApiError(401, {"message": "401 Unauthorized"})
            self.answer(200, await endpoint(ctx))
        elif rest == ARTIFACTS_PREFIX or rest.startswith(ARTIFACTS_PREFIX + "/"):
            if lookup != "GET":
                raise not_found()
            ctx = self.context(args, project, write)
            if not svc.knobs.model_registry_enabled:
                raise not_found()  # C9: read_model_registry
            sub = rest[len(ARTIFACTS_PREFIX) + 1 :]
            if not sub:
                self.answer(200, artifacts.list_artifacts(ctx))
            else:
                ref, _, file_path = sub.partition("/")
                self.send_file(artifacts.download_artifact(ctx, unquote(ref), file_path))
        elif PACKAGE_RE.match(rest) and lookup in ("GET", "PUT"):
            ref, file_rest = PACKAGE_RE.match(rest).groups()  # type: ignore[union-attr]
            if file_rest.endswith("/authorize") or file_rest == "authorize":
                raise not_found()
            ctx = self.context(args, project, write, package=True)
            if not svc.knobs.model_registry_enabled:  # after_validation: read_model_registry (C9)
                raise not_found()
            if not svc.knobs.packages_enabled:  # authorize_read_package! / authorize_upload! (C9)
                raise ApiError(403, dict(FORBIDDEN))
            if lookup == "PUT":
                if not ctx.user.developer:  # create_package: Developer+
                    raise ApiError(403, dict(FORBIDDEN))
                body = artifacts.require_multipart_or_raw(self.request.files, self.request.body)
                self.answer(201, artifacts.put_package_file(ctx, unquote(ref), file_rest, body))
            else:
                self.send_file(artifacts.get_package_file(ctx, unquote(ref), file_rest))
        else:
            raise not_found()

    async def graphql(self, args: dict[str, Any]) -> None:
        """``GraphqlController``: a token matching no user is 401 ``Invalid token``; query errors are 200."""
        if not self.service.knobs.graphql_enabled or self.request.method != "POST":
            raise not_found()
        auth = self.request.headers.get("Authorization", "") or self.request.headers.get("PRIVATE-TOKEN", "")
        user = None
        if auth:
            try:
                user = self.user()
            except ApiError:
                raise ApiError(401, {"errors": [{"message": "Invalid token"}]}) from None
        self.answer(200, await graphql_api.execute(self.service, user, args))

    @property
    def host_url(self) -> str:
        return f"{self.request.protocol}://{self.request.host}"

    def context(
        self, args: dict[str, Any], project: str, write: bool, role_write: bool | None = None, package: bool = False
    ) -> Ctx:
        """Authenticate (401), find the project (404), check the token scope (403: any non-GET needs
        ``api``) and the role for writes (401 on MLflow routes; packages check it themselves)."""
        svc = self.service
        user = self.user()
        if project not in (str(svc.project_id), svc.project_path):
            raise ApiError(404, {"message": "404 Project Not Found"})
        if write and "api" not in user.scopes:
            raise ApiError(403, INSUFFICIENT_SCOPE)
        if (write if role_write is None else role_write) and not package and user.role < DEVELOPER:
            raise ApiError(401, {"message": "401 Unauthorized"})
        return Ctx(svc.state, svc.upstream, svc.knobs, user, args, self.host_url, svc.project_id, svc.project_path)

    def send_file(self, f: artifacts.FileBody) -> None:
        if self.service.knobs.object_storage:  # C2: ``present_carrierwave_file!`` redirects to the store
            url = self.service.store.signed_url(f.path, self.service.knobs.signed_url_ttl)
            self.set_header("Location", url)
            self.finish_with(302, "text/plain", f"This resource has been moved temporarily to {url}.")
            return
        self.set_header("Content-Disposition", f'attachment; filename="{f.name}"')
        self.finish_with(200, "application/octet-stream", f.path.read_bytes())


def make_app(service: Service) -> tornado.web.Application:
    return tornado.web.Application([(r"/.*", GitLabHandler, {"service": service})])

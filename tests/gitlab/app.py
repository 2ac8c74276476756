"""The tornado application that stands where GitLab would: routing, auth, error shapes."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import tornado.web

from . import artifacts, registry, tracking
from .core import ApiError, Ctx, Knobs, State, User, not_found

LOG = logging.getLogger("gitlab_standin")

MLFLOW_PREFIX = "ml/mlflow/api/2.0/mlflow/"
ARTIFACTS_PREFIX = "ml/mlflow/api/2.0/mlflow-artifacts/artifacts"
PROJECT_RE = re.compile(r"\A/api/v4/projects/([^/]+)/(.*)\Z")
PACKAGE_RE = re.compile(r"\Apackages/ml_models/([^/]+)/files/(.+)\Z")
OBJECT_STORAGE = "/-/object-storage/"  # served on ``localhost``: another origin than the API's 127.0.0.1
SIGNING_KEY = b"stand-in object storage"
URL_TTL = 60
ROUTES = {**tracking.ROUTES, **registry.ROUTES}
INSUFFICIENT_SCOPE = {"error": "insufficient_scope",
                      "error_description": "The request requires higher privileges than provided by the access token.",
                      "scope": "api"}


class Service:
    """What the handler needs: state, upstream MLflow, knobs, tokens, project identity, request log."""

    def __init__(self, state: State, upstream: Any, knobs: Knobs, tokens: dict[str, User],
                 project_id: int, project_path: str) -> None:
        self.state = state
        self.upstream = upstream
        self.knobs = knobs
        self.tokens = tokens
        self.project_id = project_id
        self.project_path = project_path
        self.requests: list[dict[str, Any]] = []


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
        entry = self.entry = {"method": req.method, "path": req.path, "query": req.query,
                              "authorization": "Authorization" in req.headers}
        svc.requests.append(entry)
        try:
            if svc.knobs.latency:
                await asyncio.sleep(svc.knobs.latency)
            if svc.knobs.outage:
                self.finish_with(svc.knobs.outage, "text/html",
                                 f"<html><body><h1>{svc.knobs.outage}</h1>GitLab is not responding</body></html>")
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
        if self.request.path.startswith(OBJECT_STORAGE):
            self.send_stored_object(self.request.path[len(OBJECT_STORAGE):], args)
            return
        m = PROJECT_RE.match(self.request.path)
        if not m:
            raise not_found()
        project, rest = unquote(m.group(1)), m.group(2)
        lookup = "GET" if method == "HEAD" else method
        write = method not in ("GET", "HEAD")
        if rest.startswith(MLFLOW_PREFIX):
            endpoint = ROUTES.get((lookup, rest[len(MLFLOW_PREFIX):]))
            if endpoint is None:
                raise not_found()
            ctx = self.context(args, project, write, package=False)
            self.answer(200, await endpoint(ctx))
        elif rest == ARTIFACTS_PREFIX or rest.startswith(ARTIFACTS_PREFIX + "/"):
            if lookup != "GET":
                raise not_found()
            ctx = self.context(args, project, write, package=False)
            sub = rest[len(ARTIFACTS_PREFIX) + 1:]
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
            if lookup == "PUT":
                body = artifacts.require_multipart_or_raw(self.request.files, self.request.body)
                self.answer(201, artifacts.put_package_file(ctx, unquote(ref), file_rest, body))
            else:
                self.send_file(artifacts.get_package_file(ctx, unquote(ref), file_rest))
        else:
            raise not_found()

    def context(self, args: dict[str, Any], project: str, write: bool, package: bool) -> Ctx:
        """Authenticate, find the project, check scope (403) and role (401, or 403 for packages)."""
        svc = self.service
        user = self.user()
        if project not in (str(svc.project_id), svc.project_path):
            raise ApiError(404, {"message": "404 Project Not Found"})
        if write and "api" not in user.scopes:
            raise ApiError(403, INSUFFICIENT_SCOPE)
        if write and not user.developer:
            raise ApiError(403, {"message": "403 Forbidden"}) if package else ApiError(401, {"message": "401 Unauthorized"})
        host = f"{self.request.protocol}://{self.request.host}"
        return Ctx(svc.state, svc.upstream, svc.knobs, user, args, host, svc.project_id, svc.project_path)

    def send_file(self, f: artifacts.FileBody) -> None:
        if self.service.knobs.object_storage:  # Grape's ``redirect`` to the file's signed URL
            key = f.path.relative_to(self.service.state.files_dir).as_posix()
            expires = str(int(time.time()) + URL_TTL)
            signature = hmac.new(SIGNING_KEY, f"{key}:{expires}".encode(), hashlib.sha256).hexdigest()
            port = self.request.host.rsplit(":", 1)[-1]
            url = f"http://localhost:{port}{OBJECT_STORAGE}{quote(key)}?expires={expires}&signature={signature}"
            self.set_header("Location", url)
            self.finish_with(302, "text/plain", f"This resource has been moved temporarily to {url}.")
            return
        self.set_header("Content-Disposition", f'attachment; filename="{f.name}"')
        self.finish_with(200, "application/octet-stream", f.path.read_bytes())

    def send_stored_object(self, key: str, args: dict[str, Any]) -> None:
        """The object store behind a signed URL: no GitLab credentials, only the signature."""
        key = unquote(key)
        expected = hmac.new(SIGNING_KEY, f"{key}:{args.get('expires', '')}".encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, str(args.get("signature", ""))) or int(args.get("expires") or 0) < time.time():
            self.finish_with(403, "application/xml", "<Error><Code>AccessDenied</Code></Error>")
            return
        path = self.service.state.files_dir / Path(key)
        if ".." in Path(key).parts or not path.is_file():
            self.finish_with(404, "application/xml", "<Error><Code>NoSuchKey</Code></Error>")
            return
        self.finish_with(200, "application/octet-stream", path.read_bytes())


def make_app(service: Service) -> tornado.web.Application:
    return tornado.web.Application([(r"/.*", GitLabHandler, {"service": service})])

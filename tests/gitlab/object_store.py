"""The object store behind GitLab's direct downloads (GITLAB_API.md C2): a SECOND tornado app on its own
port (and host name, ``localhost``), like the S3/GCS bucket gitlab.com redirects to.

GitLab answers a download with 302 to a short-lived signed URL on the store; the store knows nothing of
GitLab tokens. It checks the HMAC signature and the expiry of the URL only:

- a good, unexpired signature: 200 with the file;
- a bad signature: 403 ``SignatureDoesNotMatch``; an expired URL: 403 ``AccessDenied`` (XML bodies, as S3);
- a request that ALSO carries an ``Authorization`` header: 400 ``InvalidArgument`` ("Only one auth mechanism
  allowed"), as S3 does for a presigned URL sent with credentials.

Its requests go into the same log as GitLab's (``GitLabServer.requests``), with ``server: "object-storage"``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import tornado.web

PREFIX = "/-/object-storage/"
XML = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'


class ObjectStore:
    """Signs URLs for files under ``files_dir`` and serves them on ``base_url`` (set once bound)."""

    def __init__(self, files_dir: Path, requests: list[dict[str, Any]]) -> None:
        self.files_dir = Path(files_dir)
        self.requests = requests
        self.key = secrets.token_bytes(32)
        self.base_url = ""  # http://localhost:PORT

    def signature(self, key: str, expires: str) -> str:
        return hmac.new(self.key, f"{key}:{expires}".encode(), hashlib.sha256).hexdigest()

    def signed_url(self, path: Path, ttl: float) -> str:
        """``<base_url>/-/object-storage/<key>?X-Expires=<unix s>&X-Signature=<hmac>``."""
        key = path.relative_to(self.files_dir).as_posix()
        expires = str(int(time.time() + ttl))
        return f"{self.base_url}{PREFIX}{quote(key)}?X-Expires={expires}&X-Signature={self.signature(key, expires)}"


class ObjectStoreHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET", "HEAD")

    def initialize(self, store: ObjectStore) -> None:
        self.store = store
        self._t0 = time.monotonic()
        self.entry: dict[str, Any] = {}

    def check_xsrf_cookie(self) -> None:
        return None

    def reply(self, status: int, data: bytes | str, ctype: str = "application/xml") -> None:
        self.entry["status"] = status
        self.entry["seconds"] = round(time.monotonic() - self._t0, 4)
        self.set_status(status)
        self.set_header("Content-Type", ctype)
        if self.request.method == "HEAD":
            self.set_header("Content-Length", str(len(data)))
            self.finish()
        else:
            self.finish(data)

    def error(self, status: int, code: str, message: str) -> None:
        self.reply(status, XML.format(code=code, message=message))

    def get(self, *_: Any) -> None:
        req = self.request
        self.entry = {
            "method": req.method,
            "path": req.path,
            "query": req.query,
            "authorization": "Authorization" in req.headers,
            "server": "object-storage",
        }
        self.store.requests.append(self.entry)
        if not req.path.startswith(PREFIX):
            return self.error(404, "NoSuchBucket", "The specified bucket does not exist")
        if "Authorization" in req.headers:
            return self.error(
                400,
                "InvalidArgument",
                "Only one auth mechanism allowed; only the X-Signature query parameter should be specified",
            )
        key = unquote(req.path[len(PREFIX) :])
        expires = self.get_query_argument("X-Expires", "")
        given = self.get_query_argument("X-Signature", "")
        if not hmac.compare_digest(self.store.signature(key, expires), given):
            return self.error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided",
            )
        if not expires.isdigit() or int(expires) < time.time():
            return self.error(403, "AccessDenied", "Request has expired")
        path = self.store.files_dir / key
        if ".." in Path(key).parts or not path.is_file():
            return self.error(404, "NoSuchKey", "The specified key does not exist.")
        # GitLab signs ``response-content-disposition`` into the URL; the stored file name is the row's folder
        self.set_header("Content-Disposition", f'attachment; filename="{path.parent.name}"')
        self.reply(200, path.read_bytes(), "application/octet-stream")

    head = get


def make_object_store_app(store: ObjectStore) -> tornado.web.Application:
    return tornado.web.Application([(r"/.*", ObjectStoreHandler, {"store": store})])

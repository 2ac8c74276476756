"""A configured registry backend: where it is, which dialect, and its (server-side) credentials."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import urlsplit, urlunsplit

from .dialect import Dialect, detect_kind
from .errors import InvalidInput


@dataclass(frozen=True)
class Backend:
    """A tracking URI plus credentials. ``repr`` and ``public()`` never show the secret."""

    name: str
    url: str
    kind: str = "mlflow"
    token: Optional[str] = field(default=None, repr=False)
    basic_auth: Optional[tuple[str, str]] = field(default=None, repr=False)
    embedded: bool = False

    @classmethod
    def from_uri(
        cls,
        uri: str,
        *,
        name: str = "default",
        token: Optional[str] = None,
        kind: Optional[str] = None,
        embedded: bool = False,
    ) -> "Backend":
        """Build from a tracking URI; credentials in the URL move to ``basic_auth``."""
        parts = urlsplit(uri.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput(f"Backend {name!r}: tracking URI must be an http(s) URL, got {uri!r}.")
        basic = None
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        if parts.username:
            basic = (parts.username, parts.password or "")
        clean = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
        kind = kind or detect_kind(clean)
        if kind not in ("mlflow", "gitlab"):
            raise InvalidInput(f"Backend {name!r}: kind must be 'mlflow' or 'gitlab', got {kind!r}.")
        return cls(name=name, url=clean, kind=kind, token=token or None, basic_auth=basic, embedded=embedded)

    @property
    def dialect(self) -> Dialect:
        return Dialect(self.kind)

    def auth_headers(self) -> dict[str, str]:
        """Headers that carry the credentials; added on the server only."""
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        if self.basic_auth:
            raw = f"{self.basic_auth[0]}:{self.basic_auth[1]}".encode()
            return {"Authorization": "Basic " + base64.b64encode(raw).decode()}
        return {}

    def secrets(self) -> list[str]:
        """Secret strings to scrub from anything shown or uploaded."""
        out = [s for s in (self.token, self.basic_auth[1] if self.basic_auth else None) if s]
        return out

    def public(self) -> dict[str, object]:
        """What may be shown to a browser."""
        return {"name": self.name, "kind": self.kind, "url": self.url, "embedded": self.embedded}

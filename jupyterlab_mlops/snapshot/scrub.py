"""Secret scrubbing for notebook snapshots (DESIGN §5, §9: tokens never reach a backend).

The patterns and the matching live in :mod:`jupyterlab_mlops.client.redact`, the one scrubber the server's
outputs use too; here matches become ``[REDACTED:<kind>]``, counted per kind, and notebook trees are walked
(base64 blobs of binary mime types skipped).
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from ..client.redact import MIN_SECRET_LEN, RULES, Redactor, Rule

__all__ = ["BINARY_MIME_PREFIXES", "MIN_SECRET_LEN", "RULES", "Rule", "Scrubber", "is_binary_mime"]

#: Mime types whose values are base64 blobs, not text: never scanned (a secret cannot be read there).
BINARY_MIME_PREFIXES = ("image/", "audio/", "video/", "application/pdf", "application/octet-stream")
TEXT_IMAGE_MIMES = ("image/svg+xml",)


class Scrubber(Redactor):
    """Scrubs strings with :data:`RULES` plus ``secrets`` (the configured backend and server tokens)."""

    def __init__(self, secrets: Iterable[Optional[str]] = ()) -> None:
        super().__init__(secrets)
        self.counts: dict[str, int] = {}

    @classmethod
    def with_secrets(cls, secrets: Iterable[Optional[str]]) -> "Scrubber":
        return cls(secrets)

    def mark(self, kind: str) -> str:
        return f"[REDACTED:{kind}]"

    def count(self, kind: str, n: int) -> None:
        if n:
            self.counts[kind] = self.counts.get(kind, 0) + n

    def tree(self, obj: Any) -> Any:
        """Scrub every string of a JSON-like tree in place (dicts and lists); returns the tree.

        Values of binary mime types (``image/png`` ...) inside a ``data`` bundle are skipped."""
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, dict):
            for key, value in obj.items():
                if isinstance(value, str):
                    new = self.text(value)
                    if new is not value:
                        obj[key] = new
                elif key == "data" and isinstance(value, dict):
                    self._bundle(value)
                elif key == "attachments" and isinstance(value, dict):
                    for bundle in value.values():
                        if isinstance(bundle, dict):
                            self._bundle(bundle)
                elif isinstance(value, (dict, list)):
                    self.tree(value)
        elif isinstance(obj, list):
            for i, value in enumerate(obj):
                if isinstance(value, str):
                    new = self.text(value)
                    if new is not value:
                        obj[i] = new
                elif isinstance(value, (dict, list)):
                    self.tree(value)
        return obj

    def _bundle(self, data: dict[str, Any]) -> None:
        for mime, value in data.items():
            if is_binary_mime(mime):
                continue
            if isinstance(value, str):
                data[mime] = self.text(value)
            elif isinstance(value, (dict, list)):
                self.tree(value)


def is_binary_mime(mime: str) -> bool:
    """True for base64-encoded mime bundle values (images, audio, PDFs...)."""
    return mime.startswith(BINARY_MIME_PREFIXES) and mime not in TEXT_IMAGE_MIMES

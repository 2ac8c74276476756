"""The one secret scrubber (DESIGN §5, §9): configured tokens plus values shaped like tokens.

Notebook snapshots (``snapshot/scrub.py``) and every output of the server (JSON, CSV, proxied bodies,
headers, log lines) go through :class:`Redactor`. It is cheap when nothing is found: configured tokens and
rule *anchors* are looked for with ``in``, and a rule without anchors starts with a literal, which ``re``
finds as fast as ``str.find``. It works on ``str`` and on ``bytes`` (binary bodies are never decoded), and
on JSON text literal by literal, so a secret inside a JSON string becomes ``[redacted]`` and the text
stays valid JSON.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional, TypeVar, Union
from urllib.parse import quote

#: Configured secrets shorter than this are not scrubbed (they would match ordinary text).
MIN_SECRET_LEN = 8
MARK = "[redacted]"
CONFIGURED = "configured_token"
Text = TypeVar("Text", str, bytes)
#: A JSON string literal (valid JSON has no ``"`` outside them).
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_JSON_STRING_B = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)


@dataclass(frozen=True)
class Rule:
    kind: str
    anchors: tuple[str, ...]
    pattern: "re.Pattern[str]"
    group: int  # the group replaced (0 = the whole match)
    bytes_anchors: tuple[bytes, ...]
    bytes_pattern: "re.Pattern[bytes]"


def _rule(kind: str, anchors: Iterable[str], pattern: str, group: int = 0) -> Rule:
    anchors = tuple(anchors)
    return Rule(
        kind, anchors, re.compile(pattern), group, tuple(a.encode() for a in anchors), re.compile(pattern.encode())
    )


RULES: tuple[Rule, ...] = (
    # No anchors: the regex starts with a literal, which ``re`` searches for as fast as ``in``.
    _rule("gitlab_token", [], r"gl(?:pat|dt|ptt|rt|cbt|oas|ffct|soat|imt|ft|agent)-[0-9A-Za-z_\-]{20,}"),
    _rule("github_token", [], r"gh[pousr]_[A-Za-z0-9]{36,}"),
    _rule("github_token", [], r"github_pat_[A-Za-z0-9_]{22,}"),
    _rule("aws_access_key", [], r"A(?:KIA|SIA|ROA|IDA|GPA|NPA|NVA|IPA)[A-Z0-9]{16}(?![A-Z0-9])"),
    _rule(
        "aws_secret_key",
        ["ecret", "ECRET"],
        r"(?i)aws_?secret_?(?:access_?)?key\W{0,5}([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])",
        group=1,
    ),
    _rule("gcp_api_key", [], r"AIza[0-9A-Za-z_\-]{35}"),
    _rule(
        "private_key",
        ["PRIVATE KEY"],
        r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----(?:.|\n)*?-----END (?:[A-Z]+ )*PRIVATE KEY-----",
    ),
    _rule("private_key", ["private_key"], r"\"private_key\"\s*:\s*\"(-----BEGIN[^\"]{20,})\"", group=1),
    _rule(
        "azure_key",
        ["AccountKey=", "SharedAccess"],
        r"(?:AccountKey|SharedAccessKey|SharedAccessSignature)=([^;\s\"']{16,})",
        group=1,
    ),
    _rule("slack_token", [], r"xox[abposr]-[A-Za-z0-9-]{10,}"),
    _rule("bearer_token", ["earer", "EARER"], r"(?i)\bbearer\s+([A-Za-z0-9\-._~+/]{8,}=*)", group=1),
)


def _forms(secret: str) -> set[str]:
    """The ways a secret appears in an output: as is, JSON-escaped, percent-encoded."""
    return {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1], quote(secret, safe="")}


class Redactor:
    """Replaces configured ``secrets`` and :data:`RULES` matches; subclasses pick the mark and count hits."""

    def __init__(self, secrets: Iterable[Optional[str]] = ()) -> None:
        forms: set[str] = set()
        for s in secrets:
            if s and len(s) >= MIN_SECRET_LEN:
                forms |= _forms(s)
        self.secrets: tuple[str, ...] = tuple(sorted(forms, key=len, reverse=True))
        self._bytes_secrets = tuple(s.encode("utf-8", "surrogatepass") for s in self.secrets)

    def mark(self, kind: str) -> str:
        """What replaces a secret of ``kind``."""
        return MARK

    def count(self, kind: str, n: int) -> None:
        """Called with the number of secrets of ``kind`` replaced (nothing to do here)."""

    def hit(self, s: Union[str, bytes]) -> bool:
        """Cheap check: False when ``s`` surely holds no secret."""
        binary = isinstance(s, bytes)
        if any(x in s for x in (self._bytes_secrets if binary else self.secrets)):  # type: ignore[operator]
            return True
        for rule in RULES:
            anchors = rule.bytes_anchors if binary else rule.anchors
            if anchors:
                if any(a in s for a in anchors):  # type: ignore[operator]
                    return True
            elif (rule.bytes_pattern if binary else rule.pattern).search(s):  # type: ignore[arg-type]
                return True
        return False

    def text(self, s: Text) -> Text:
        """``s`` (``str`` or ``bytes``) with every secret replaced; the same object when there is none."""
        binary = isinstance(s, bytes)
        for secret in self._bytes_secrets if binary else self.secrets:
            if secret in s:  # type: ignore[operator]
                self.count(CONFIGURED, s.count(secret))  # type: ignore[arg-type]
                s = s.replace(secret, self._mark(CONFIGURED, binary))  # type: ignore[arg-type]
        for rule in RULES:
            anchors = rule.bytes_anchors if binary else rule.anchors
            if anchors and not any(a in s for a in anchors):  # type: ignore[operator]
                continue
            s = self._apply(rule, s, binary)
        return s

    def _mark(self, kind: str, binary: bool) -> Union[str, bytes]:
        mark = self.mark(kind)
        return mark.encode() if binary else mark

    def _apply(self, rule: Rule, s: Text, binary: bool) -> Text:
        hits = 0
        mark = self._mark(rule.kind, binary)

        def repl(m: "re.Match[Text]") -> Text:
            nonlocal hits
            whole = m.group(0)
            if rule.group and m.group(rule.group) is None:
                return whole
            start = m.start()
            prev = s[start - 1 : start]
            if not rule.anchors and prev and (prev.isalnum() or prev in ("_", b"_")):
                return whole  # inside a longer word: not a token (a \b would defeat re's fast search)
            hits += 1
            if not rule.group:
                return mark  # type: ignore[return-value]
            a, b = m.span(rule.group)
            return whole[: a - start] + mark + whole[b - start :]  # type: ignore[operator]

        out = (rule.bytes_pattern if binary else rule.pattern).sub(repl, s)  # type: ignore[arg-type]
        if hits:
            self.count(rule.kind, hits)
        return out  # type: ignore[return-value]

    def json(self, doc: Text) -> Text:
        """JSON text (``str`` or ``bytes``) scrubbed string by string, so it stays valid JSON."""
        if not self.hit(doc):
            return doc
        binary = isinstance(doc, bytes)
        out = (_JSON_STRING_B if binary else _JSON_STRING).sub(lambda m: self._literal(m.group(0)), doc)  # type: ignore
        if any(x in out for x in (self._bytes_secrets if binary else self.secrets)):
            out = self.text(out)  # not JSON after all (or a secret outside strings): never let it through
        return out  # type: ignore[return-value]

    def _literal(self, literal: Text) -> Text:
        if not self.hit(literal):
            return literal
        try:
            value = json.loads(literal)
        except ValueError:  # e.g. invalid UTF-8: scrub the bytes in place
            return self.text(literal)
        new = self.text(value)
        if new is value:
            return literal
        out = json.dumps(new)
        return out.encode() if isinstance(literal, bytes) else out  # type: ignore[return-value]

    def dumps(self, data: object) -> str:
        """``json.dumps(data)``, scrubbed."""
        return self.json(json.dumps(data))

    def body(self, payload: bytes, content_type: Optional[str]) -> bytes:
        """A response body: JSON literal by literal when its type says JSON, else as bytes (never decoded)."""
        if "json" in (content_type or "").lower():
            return self.json(payload)
        return self.text(payload)


@lru_cache(maxsize=16)
def redactor(secrets: tuple[str, ...]) -> Redactor:
    """The (stateless, shared) redactor of a set of configured secrets."""
    return Redactor(secrets)

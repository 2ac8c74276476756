"""Linked items (issues, MRs, any http(s) URL) of a model version, stored as tags ``mlops.link.<n>`` = URL.

MLflow: model-version tags (``set-tag`` / ``delete-tag``). GitLab has no ``model-versions/set-tag``,
writes version tags only on create, and its run tags can be neither overwritten nor deleted: links
live on the version's backing run, and removing link ``n`` adds ``mlops.link.<n>.removed``
(append-only, so ``n`` is never reused).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..client.api import Api
from ..client.errors import InvalidInput, NotFound
from ..client.models import ModelVersion, Run

if TYPE_CHECKING:
    from ..client.calls import Flow
    from .wire.registry import VersionLink

LINK_PREFIX = "mlops.link."
REMOVED = ".removed"
MAX_LINK = 2000
_ISSUE = re.compile(r"^/(?P<project>.+?)/-/(?P<kind>issues|merge_requests|work_items)/(?P<iid>\d+)")


def check_link(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if (
        len(url) > MAX_LINK
        or parts.scheme not in ("http", "https")
        or not parts.netloc
        or any(ord(c) < 33 or ord(c) == 127 for c in url)
    ):
        raise InvalidInput(
            f"A linked item must be an http(s) URL without spaces (at most {MAX_LINK} characters).",
            reason="invalid_url",
        )
    return url


def describe_link(n: int, url: str) -> VersionLink:
    m = _ISSUE.match(urlsplit(url).path)
    if m:
        kind = "merge_request" if m["kind"] == "merge_requests" else "issue"
        return {
            "n": n,
            "url": url,
            "kind": kind,
            "title": f"{m['project']}{'!' if kind == 'merge_request' else '#'}{m['iid']}",
        }
    return {"n": n, "url": url, "kind": "link", "title": url}


def link_numbers(tags: dict[str, str]) -> tuple[dict[int, str], int]:
    """Live links ``{n: url}`` and the highest ``n`` ever used (removed ones included)."""
    live: dict[int, str] = {}
    removed: set[int] = set()
    for k, v in tags.items():
        if not k.startswith(LINK_PREFIX):
            continue
        rest = k[len(LINK_PREFIX) :]
        num, dead = (rest[: -len(REMOVED)], True) if rest.endswith(REMOVED) else (rest, False)
        if num.isascii() and num.isdigit():
            (removed.add(int(num)) if dead else live.__setitem__(int(num), v))
    used = max(list(live) + list(removed), default=0)
    return {n: u for n, u in sorted(live.items()) if n not in removed}, used


def links_of(tags: dict[str, str]) -> list[VersionLink]:
    return [describe_link(n, u) for n, u in link_numbers(tags)[0].items()]


def link_tags(api: Api, mv: ModelVersion) -> Any:
    """Where this dialect keeps the links of ``mv`` (GitLab: its backing run's tags)."""
    if api.dialect.is_gitlab and mv.run_id:
        run: Run = yield api.get_run(mv.run_id)
        return run.tags
    return mv.tags


def add_link(api: Api, name: str, version: str, url: str) -> Flow[list[VersionLink]]:
    from .registry import resolve_version

    url = check_link(url)
    mv = yield from resolve_version(api, name, version)
    tags = yield from link_tags(api, mv)
    live, used = link_numbers(tags)
    if url in live.values():
        return links_of(tags)
    for attempt in range(1, 4):  # GitLab refuses a taken key: a concurrent add took n, try the next
        key = f"{LINK_PREFIX}{used + attempt}"
        try:
            if api.dialect.is_gitlab:
                if not mv.run_id:
                    raise InvalidInput("This GitLab model version has no backing run to hold links.")
                yield api.set_tag(mv.run_id, key, url)
            else:
                yield api.set_model_version_tag(name, mv.version, key, url)
            tags = {**tags, key: url}
            break
        except InvalidInput:
            if not api.dialect.is_gitlab or attempt == 3:
                raise
    return links_of(tags)


def remove_link(api: Api, name: str, version: str, n: int) -> Flow[list[VersionLink]]:
    from .registry import resolve_version

    mv = yield from resolve_version(api, name, version)
    tags = yield from link_tags(api, mv)
    if n not in link_numbers(tags)[0]:
        raise NotFound(f"Version {version} of {name!r} has no linked item {n}.", reason="link_not_found")
    key = f"{LINK_PREFIX}{n}"
    if api.dialect.is_gitlab:
        yield api.set_tag(mv.run_id or "", key + REMOVED, "1")
        tags = {**tags, key + REMOVED: "1"}
    else:
        yield api.delete_model_version_tag(name, mv.version, key)
        tags = {k: v for k, v in tags.items() if k != key}
    return links_of(tags)

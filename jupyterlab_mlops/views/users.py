"""User names instead of ids: GitLab's ``user_id`` fields are numeric ids as strings (C11), and its
REST ``GET /api/v4/users/:id`` answers ``{id, username, name, ...}``.

:func:`user_names` is a flow (driven sync or async like every other) that maps ids to names, asking
GitLab once per id and keeping the answers in a bounded, expiring cache per backend (the GitLab web
root). A lookup that fails falls back to the id, quietly: an unknown user (or no permission) is
remembered for five minutes, GitLab being down stops the lookups of that flow and is asked again next time.
On MLflow ``user_id`` already is a name: nothing is asked.

Callers that build rows add the names with :func:`annotate` (``user_name`` beside ``user_id``)."""

from __future__ import annotations

import re
from typing import Any, Iterable, Optional

from ..client.api import Api
from ..client.calls import Call
from ..client.dialect import gitlab_web_root
from ..client.errors import MlopsError
from .cache import TtlLru

#: (GitLab web root, user id) -> display name; bounded and expiring (names change rarely)
_NAMES: TtlLru[tuple[str, str], str] = TtlLru(4096, 3600.0)
#: (GitLab web root, user id) whose lookup failed: not asked again for a while
_FAILED: TtlLru[tuple[str, str], bool] = TtlLru(1024, 300.0)
#: at most this many unknown ids are looked up by one flow (a page of runs by 500 people stays fast;
#: the rest show as ids until a later page has them cached)
MAX_LOOKUPS = 25
_ID = re.compile(r"^[1-9][0-9]{0,18}$")


def user_call(web_root: str, user_id: str) -> Call[Optional[str]]:
    """``GET /api/v4/users/:id``: the user's display name (``name``, else ``username``)."""

    def _parse(d: Any) -> Optional[str]:
        if not isinstance(d, dict):
            return None
        name = d.get("name") or d.get("username")
        return str(name)[:255] if name else None

    return Call("GET", f"{web_root}/api/v4/users/{user_id}", absolute=True, parse=_parse)


def cached_name(tracking_uri: str, user_id: Optional[str]) -> Optional[str]:
    """The name of ``user_id`` if it is already known (no request)."""
    web = gitlab_web_root(tracking_uri)
    return _NAMES.get((web, str(user_id))) if web and user_id else None


def user_names(api: Api, ids: Iterable[Optional[str]]) -> Any:
    """Flow: ``{id: name}`` for every id given (a failed or skipped lookup maps the id to itself)."""
    wanted = list(dict.fromkeys(str(i) for i in ids if i))
    out = {i: i for i in wanted}
    web = gitlab_web_root(api.tracking_uri) if api.dialect.is_gitlab else None
    if not web:
        return out
    budget = MAX_LOOKUPS
    for uid in wanted:
        key = (web, uid)
        known = _NAMES.get(key)
        if known is not None:
            out[uid] = known
            continue
        if not _ID.match(uid) or _FAILED.get(key) or budget <= 0:
            continue
        budget -= 1
        try:
            name = yield user_call(web, uid)
        except MlopsError as exc:
            if exc.status >= 500:  # GitLab down or failing: ids this time, no waiting for every other id
                budget = 0
                continue
            name = None  # unknown or blocked user, no permission: remembered for a while
        if name:
            out[uid] = _NAMES.put(key, name)
        else:
            _FAILED.put(key, True)
    return out


def annotate(
    rows: Iterable[dict[str, Any]], names: dict[str, str], *, id_key: str = "user_id", name_key: str = "user_name"
) -> None:
    """Add ``name_key`` (the name, else the id) beside ``id_key`` in each row (in place)."""
    for row in rows:
        uid = row.get(id_key)
        row[name_key] = names.get(str(uid), str(uid)) if uid else None


def forget() -> None:
    """Drop every cached name (tests; a server that wants fresh names)."""
    for cache in (_NAMES, _FAILED):
        cache.clear()

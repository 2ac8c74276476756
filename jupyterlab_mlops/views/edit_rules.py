"""What editing runs and experiments may change, on each backend, checked before anything is sent.

MLflow renames, soft-deletes (restorable), sets, overwrites and deletes tags. GitLab (GITLAB_API.md §2.1) has no
rename, no restore and no tag deletion, refuses a ``set-tag`` on a key already set (400) and deletes for good: what
it cannot do is refused here with a 400 and a ``reason`` ending in ``_unsupported``. ``mlflow.*`` and ``gitlab.*``
tags are the backend's (read-only); the run description is ``mlflow.note.content``, edited on its own.
"""

from __future__ import annotations

from typing import Any, Optional

from ..client.api import Api
from ..client.errors import InvalidInput
from .experiments import SYSTEM_PREFIXES

DESCRIPTION_TAG = "mlflow.note.content"
#: MLflow's limits (``mlflow/utils/validation.py``); GitLab's are lower (250 / 5000, GITLAB_API.md §3.3)
MAX_NAME = 250
MAX_TAG_KEY = 250
MAX_TAG_VALUE = 8000
GITLAB_MAX_TAG_VALUE = 5000
#: ids edited in one request (a selection of the candidates table)
MAX_IDS = 100

NO_RENAME = "GitLab's API cannot rename {what}: rename it in GitLab's web interface."
NO_RESTORE = "GitLab deletes for good: there is nothing to restore."
NO_TAG_CHANGE = (
    "GitLab's API cannot change or remove a tag once it is set (it refuses a second set-tag on the same key): "
    "only new tags can be added."
)
NO_DESCRIPTION_CHANGE = "GitLab's API cannot change a description once it is set (it is a tag GitLab never overwrites)."


def gitlab(api: Api) -> bool:
    return api.dialect.is_gitlab


def refuse_on_gitlab(api: Api, message: str, reason: str) -> None:
    """A 400 with ``reason`` before anything is sent, when the backend is GitLab."""
    if gitlab(api):
        raise InvalidInput(message, reason=reason)


def check_name(value: Any, what: str) -> str:
    """A new name: text, stripped, 1..250 characters, no control characters."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"A {what} name is required.", reason="invalid_name")
    name = value.strip()
    if len(name) > MAX_NAME:
        raise InvalidInput(f"A {what} name has at most {MAX_NAME} characters.", reason="invalid_name")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise InvalidInput(f"A {what} name cannot contain control characters.", reason="invalid_name")
    return name


def check_text(value: Any, api: Api, what: str) -> str:
    """A tag value or description: text within the backend's limit."""
    if not isinstance(value, str):
        raise InvalidInput(f"The {what} must be text.", reason="invalid_value")
    limit = GITLAB_MAX_TAG_VALUE if gitlab(api) else MAX_TAG_VALUE
    if len(value) > limit:
        raise InvalidInput(f"The {what} has at most {limit} characters here.", reason="invalid_value")
    return value


def check_tag_key(key: Any) -> str:
    """A user tag's key: 1..250 characters, not a system tag (``mlflow.*``, ``gitlab.*``: read-only)."""
    if not isinstance(key, str) or not key.strip():
        raise InvalidInput("A tag key is required.", reason="invalid_tag")
    key = key.strip()
    if len(key) > MAX_TAG_KEY:
        raise InvalidInput(f"A tag key has at most {MAX_TAG_KEY} characters.", reason="invalid_tag")
    if key.startswith(SYSTEM_PREFIXES):
        raise InvalidInput(
            f"{key[:80]!r} is a system tag ({', '.join(p + '*' for p in SYSTEM_PREFIXES)}): it is read-only.",
            reason="system_tag",
        )
    return key


def tag_changes(body: Any, api: Api, current: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """``{set: {key: value}, remove: [key]}`` checked against the backend: the tags to set and to remove.

    GitLab: a key already set can be neither changed nor removed (refused before anything is sent)."""
    if body is None:
        return {}, []
    if not isinstance(body, dict) or not set(body) <= {"set", "remove"}:
        raise InvalidInput("tags must be {set: {key: value}, remove: [key]}.", reason="invalid_tags")
    raw_set, raw_remove = body.get("set") or {}, body.get("remove") or []
    if not isinstance(raw_set, dict) or not isinstance(raw_remove, list):
        raise InvalidInput("tags must be {set: {key: value}, remove: [key]}.", reason="invalid_tags")
    to_set = {check_tag_key(k): check_text(v, api, f"value of tag {str(k)[:80]!r}") for k, v in raw_set.items()}
    to_remove = [check_tag_key(k) for k in raw_remove]
    if len(to_set) + len(to_remove) > MAX_IDS:
        raise InvalidInput(f"At most {MAX_IDS} tag changes at once.", reason="invalid_tags")
    if set(to_set) & set(to_remove):
        raise InvalidInput("A tag cannot be set and removed at once.", reason="invalid_tags")
    to_set = {k: v for k, v in to_set.items() if current.get(k) != v}
    to_remove = [k for k in to_remove if k in current]
    if gitlab(api):
        if to_remove or any(k in current for k in to_set):
            raise InvalidInput(NO_TAG_CHANGE, reason="tag_change_unsupported")
        if any(v == "" for v in to_set.values()):
            raise InvalidInput("GitLab refuses empty tag values.", reason="invalid_value")
    return to_set, to_remove


def check_ids(value: Any, what: str) -> list[str]:
    """A non-empty list of distinct ids (strings), at most :data:`MAX_IDS`."""
    if not isinstance(value, list) or not value or not all(isinstance(i, str) and i.strip() for i in value):
        raise InvalidInput(f"{what} must be a non-empty list of ids.", reason="invalid_ids")
    if len(value) > MAX_IDS:
        raise InvalidInput(f"At most {MAX_IDS} {what} at once.", reason="invalid_ids")
    return list(dict.fromkeys(i.strip() for i in value))


def edit_request(api: Api, body: dict[str, Any], name_field: str, what: str) -> tuple[Optional[str], Optional[str]]:
    """The checked new name and description of an edit (None: unchanged); unknown fields and, on GitLab, a
    rename are refused before anything is read."""
    unknown = set(body) - {name_field, "description", "tags"}
    if unknown:
        raise InvalidInput(f"Unknown field {sorted(unknown)[0]!r}.", reason="invalid_field")
    name = body.get(name_field)
    if name is not None:
        refuse_on_gitlab(
            api, NO_RENAME.format(what=f"an {what}" if what[0] in "aeiou" else f"a {what}"), "rename_unsupported"
        )
        name = check_name(name, what)
    text = body.get("description")
    if text is not None:
        text = check_text(text, api, "description")
    return name, text


def description_change(api: Api, text: Optional[str], old: Optional[str]) -> tuple[dict[str, str], list[str]]:
    """The tag writes a new description needs (an empty one removes it); GitLab cannot change one once set."""
    if text is None or text == (old or ""):
        return {}, []
    if old and gitlab(api):
        raise InvalidInput(NO_DESCRIPTION_CHANGE, reason="description_change_unsupported")
    if not text.strip():
        return {}, [DESCRIPTION_TAG] if old else []
    return {DESCRIPTION_TAG: text}, []

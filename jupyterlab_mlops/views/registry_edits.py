"""Editing the model registry as flows: create, describe, rename and delete models; describe and delete
versions; set and remove model and version tags. GitLab's MLflow API can describe and delete models and
describe versions (with a non-empty description) only (GITLAB_API.md §2.2, §2.4): everything else is refused
there with a 400 whose ``reason`` names what is unsupported, before anything is sent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..client.api import Api
from ..client.backend import Backend
from ..client.dialect import MODEL_NAME_RULE, check_model_name
from ..client.errors import Conflict, InvalidInput, NotFound
from ..client.models import ModelVersion
from .edit_rules import check_tag_key, check_text, refuse_on_gitlab
from .registry import HIDDEN_TAG, load_model, model_page, resolve_version, version_web_url

if TYPE_CHECKING:
    from ..client.calls import Flow
    from .wire.registry import DeletedModel, DeletedVersion, ModelPage, VersionEdit

#: GitLab's limit (model.rb, model_version.rb); MLflow's store takes more, but names travel between backends
DESCRIPTION_MAX = 10000

GITLAB_NO_RENAME = "GitLab's model registry API cannot rename a model (there is no registered-models/rename)."
GITLAB_NO_TAGS = "GitLab's model registry API cannot edit tags of models or versions (no set-tag or delete-tag)."
GITLAB_NO_VERSION_DELETE = (
    "GitLab's model registry API cannot delete a model version (only its GraphQL API or web page can)."
)
GITLAB_NO_EMPTY_DESCRIPTION = (
    "GitLab cannot clear a version's description (model-versions/update requires one): write a new one instead."
)


def check_description(description: Any) -> str:
    if description is None:
        return ""
    if not isinstance(description, str):
        raise InvalidInput("description must be text.", reason="invalid_description")
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput(
            f"The description has {len(description)} characters; at most {DESCRIPTION_MAX} are allowed.",
            reason="invalid_description",
        )
    return description


def check_tag(api: Api, key: Any, value: Any = "") -> tuple[str, str]:
    """A tag the backend takes and no one else manages (:mod:`.edit_rules`' rule, and this extension's
    ``mlops.*`` lineage tags), else :class:`InvalidInput` saying why."""
    key = check_tag_key(key)
    if HIDDEN_TAG.match(key):
        raise InvalidInput(
            f"Tag {key!r} is managed by MLflow, GitLab or this extension and cannot be edited here.",
            reason="system_tag",
        )
    return key, check_text(value, api, "tag value")


def _visible(tags: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in sorted(tags.items()) if not HIDDEN_TAG.match(k)}


def _existing_model(api: Api, backend: Backend, name: str) -> Any:
    """Flow: ``(model, versions)`` of an existing model, else :class:`NotFound`."""
    model, versions = yield from load_model(api, name)
    if model is None:
        raise NotFound(f"Model {name!r} does not exist on backend {backend.name!r}.", reason="model_not_found")
    return model, versions


def _new_name(api: Api, backend: Backend, name: Any) -> Any:
    """Flow: ``name`` checked (GitLab's rule, C13, on every backend: names stay portable) and still free."""
    if not isinstance(name, str):
        raise InvalidInput("A model name is required.", reason="invalid_model_name")
    check_model_name(name)
    taken, _ = yield from load_model(api, name)
    if taken is not None:
        raise Conflict(f"Model {name!r} already exists on backend {backend.name!r}.", reason="model_exists")
    return name


# -- models -----------------------------------------------------------------------------------------
def create_model(api: Api, backend: Backend, name: Any, description: Any) -> Flow[ModelPage]:
    """A new model without versions; its page."""
    description = check_description(description)
    name = yield from _new_name(api, backend, name)
    try:
        yield api.create_registered_model(name, description=description)
    except Conflict:
        model, _ = yield from load_model(api, name)
        if model is None:  # GitLab answers RESOURCE_ALREADY_EXISTS to every refusal (C13)
            raise InvalidInput(
                f"Backend {backend.name!r} refused to create model {name!r} although no model of that name exists: "
                f"GitLab answers 'already exists' for any refusal, e.g. a name outside its rule ({MODEL_NAME_RULE}) "
                f"or an experiment '[model]{name}' that exists already.",
                reason="model_refused",
            ) from None
        raise Conflict(f"Model {name!r} already exists on backend {backend.name!r}.", reason="model_exists") from None
    return (yield from model_page(api, backend, name))


def delete_model(api: Api, backend: Backend, name: str, confirm: Optional[str]) -> Flow[DeletedModel]:
    """Delete a model with its versions (GitLab also destroys their packages). A model with versions is
    deleted only when ``confirm`` repeats its name."""
    model, versions = yield from _existing_model(api, backend, name)
    if versions and confirm != name:
        raise InvalidInput(
            f"Model {name!r} has {len(versions)} version(s): repeat its name to confirm deleting them.",
            reason="confirmation_required",
        )
    yield api.delete_registered_model(name)
    return {"name": model.name, "versions_deleted": len(versions)}


def edit_model(api: Api, backend: Backend, name: str, body: dict[str, Any]) -> Flow[ModelPage]:
    """``PATCH`` of a model: any of ``name`` (rename), ``description``, ``set_tags`` ``{key: value}`` and
    ``remove_tags`` ``[key]``; everything is checked before the first write. Answers the model's page."""
    new_name, description = body.get("name"), body.get("description")
    set_tags, remove_tags = _tag_edits(api, body)
    renaming = new_name is not None and new_name != name
    if renaming:
        refuse_on_gitlab(api, GITLAB_NO_RENAME, "rename_unsupported")
    if description is not None:
        description = check_description(description)
    if not (renaming or description is not None or set_tags or remove_tags):
        raise InvalidInput(
            "Nothing to change: send name, description, set_tags or remove_tags.", reason="nothing_to_change"
        )
    model, _ = yield from _existing_model(api, backend, name)
    missing = [k for k in remove_tags if k not in model.tags]
    if missing:
        raise NotFound(f"Model {name!r} has no tag {missing[0]!r}.", reason="tag_not_found")
    if renaming:
        name = yield from _new_name(api, backend, new_name)
        yield api.rename_registered_model(model.name, name)
    if description is not None:
        yield api.update_registered_model(name, description)
    for key, value in set_tags.items():
        yield api.set_registered_model_tag(name, key, value)
    for key in remove_tags:
        yield api.delete_registered_model_tag(name, key)
    return (yield from model_page(api, backend, name))


def _tag_edits(api: Api, body: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """``set_tags`` and ``remove_tags`` of an edit, checked (refused on GitLab)."""
    set_tags, remove_tags = body.get("set_tags") or {}, body.get("remove_tags") or []
    if not isinstance(set_tags, dict) or not isinstance(remove_tags, list):
        raise InvalidInput("set_tags is {key: value} and remove_tags a list of keys.", reason="invalid_tag")
    if set_tags or remove_tags:
        refuse_on_gitlab(api, GITLAB_NO_TAGS, "tags_unsupported")
    checked = dict(check_tag(api, k, v) for k, v in set_tags.items())
    removed = [check_tag(api, k)[0] for k in remove_tags]
    both = set(checked) & set(removed)
    if both:
        raise InvalidInput(f"Tag {sorted(both)[0]!r} is both set and removed.", reason="invalid_tag")
    return checked, removed


# -- versions ---------------------------------------------------------------------------------------
def _version_arg(api: Api, mv: ModelVersion) -> str:
    """How the backend's write calls name a version: GitLab's update takes the semver (§2.2)."""
    return (mv.semver or mv.version) if api.dialect.is_gitlab else mv.version_id


def edit_version(api: Api, backend: Backend, name: str, version: str, body: dict[str, Any]) -> Flow[VersionEdit]:
    """``PATCH`` of a version: any of ``description``, ``set_tags`` and ``remove_tags``, all checked before the
    first write. Answers the version's description and visible tags."""
    description = body.get("description")
    set_tags, remove_tags = _tag_edits(api, body)
    if description is not None:
        description = check_description(description)
        if api.dialect.is_gitlab and not description.strip():
            raise InvalidInput(GITLAB_NO_EMPTY_DESCRIPTION, reason="description_required")
    if description is None and not (set_tags or remove_tags):
        raise InvalidInput("Nothing to change: send description, set_tags or remove_tags.", reason="nothing_to_change")
    mv: ModelVersion = yield from resolve_version(api, name, version)
    missing = [k for k in remove_tags if k not in mv.tags]
    if missing:
        raise NotFound(f"Version {mv.version} of {name!r} has no tag {missing[0]!r}.", reason="tag_not_found")
    if description is not None:
        yield api.update_model_version(name, _version_arg(api, mv), description)
    for key, value in set_tags.items():
        yield api.set_model_version_tag(name, mv.version_id, key, value)
    for key in remove_tags:
        yield api.delete_model_version_tag(name, mv.version_id, key)
    after: ModelVersion = yield from resolve_version(api, name, mv.version)
    return {"version": after.version, "description": after.description, "tags": _visible(after.tags)}


def delete_version(api: Api, backend: Backend, name: str, version: str) -> Flow[DeletedVersion]:
    """Delete a version (its aliases go with it; the run it came from stays)."""
    mv: ModelVersion = yield from resolve_version(api, name, version)
    if api.dialect.is_gitlab:
        url = version_web_url(backend, mv)
        raise InvalidInput(
            GITLAB_NO_VERSION_DELETE + (f" Delete it on its GitLab page: {url}" if url else ""),
            reason="delete_version_unsupported",
        )
    model, _ = yield from _existing_model(api, backend, name)
    aliases = sorted(a for a, vid in model.aliases.items() if vid == mv.version_id)
    yield api.delete_model_version(name, mv.version_id)
    return {"name": name, "version": mv.version, "aliases_removed": aliases, "run_id": mv.run_id}

"""Model aliases (MLflow's ``champion``, ``challenger``, any valid name): read from the versions, set and removed,
and the champion the promote check compares against. GitLab has no aliases (its ``aliases[0]`` is the semver,
GITLAB_API.md §3): nothing is shown there and setting one is refused before anything is sent."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Optional

from ..client.api import Api
from ..client.errors import InvalidInput
from ..client.models import ModelVersion

if TYPE_CHECKING:
    from ..client.calls import Flow
    from .wire.registry import AliasRef, ModelAliases

CHAMPION = "champion"
#: MLflow's rule (``mlflow/utils/validation.py``), letters restricted to ASCII
ALIAS_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
RESERVED_VERSION_ALIAS = re.compile(r"^[vV]\d+$")
NO_ALIASES = (
    "GitLab's model registry has no aliases (its versions are named by semver): the latest version is used instead."
)


def supported(api: Api) -> bool:
    return not api.dialect.is_gitlab


def version_aliases(mv: ModelVersion, *, gitlab: bool) -> list[str]:
    """The aliases pointing at ``mv`` (none on GitLab, whose ``aliases`` holds the semver)."""
    return [] if gitlab else sorted(mv.aliases)


def model_aliases(versions: list[ModelVersion], *, gitlab: bool) -> list[AliasRef]:
    """Every alias of the model with the version it points at, by name."""
    refs: list[AliasRef] = [
        {"alias": a, "version": v.version} for v in versions for a in version_aliases(v, gitlab=gitlab)
    ]
    return sorted(refs, key=lambda r: r["alias"])


def check_alias(alias: Any) -> str:
    """The alias name as MLflow accepts it, else :class:`InvalidInput` saying why."""
    if not isinstance(alias, str) or not alias:
        raise InvalidInput("An alias name is required.", reason="invalid_alias")
    if not ALIAS_RE.match(alias):
        raise InvalidInput(
            f"Invalid alias name {alias[:80]!r}: use letters, digits, '_' and '-' (at most 255).",
            reason="invalid_alias",
        )
    if alias.lower() == "latest":
        raise InvalidInput("'latest' is reserved: it always means the newest version.", reason="invalid_alias")
    if RESERVED_VERSION_ALIAS.match(alias):
        raise InvalidInput(f"{alias!r} is reserved: 'v<number>' names a version.", reason="invalid_alias")
    return alias


def _refuse_on_gitlab(api: Api) -> None:
    if not supported(api):
        raise InvalidInput(NO_ALIASES, reason="aliases_unsupported")


def _answer(api: Api, name: str) -> Any:
    from .registry import load_model

    _model, versions = yield from load_model(api, name)
    return {"aliases": model_aliases(versions, gitlab=api.dialect.is_gitlab)}


def set_alias(api: Api, name: str, alias: Any, version: Any) -> Flow[ModelAliases]:
    """Point ``alias`` at ``version`` (as shown); moves it from another version. Answers the model's aliases."""
    _refuse_on_gitlab(api)
    alias = check_alias(alias)
    if not isinstance(version, str) or not version:
        raise InvalidInput("Say which version the alias points at.", reason="missing_version")
    from .registry import resolve_version

    mv: ModelVersion = yield from resolve_version(api, name, version)
    yield api.set_registered_model_alias(name, alias, mv.version_id)
    return (yield from _answer(api, name))


def remove_alias(api: Api, name: str, alias: str) -> Flow[ModelAliases]:
    _refuse_on_gitlab(api)
    yield api.delete_registered_model_alias(name, check_alias(alias))
    return (yield from _answer(api, name))


def champion_of(api: Api, name: str, versions: list[ModelVersion]) -> Any:
    """Flow: ``(version, by)``: the version the ``champion`` alias points at (``by="alias"``), else the latest
    (``by="latest"``); ``(None, "latest")`` for a model without versions."""
    from .registry import latest_version

    if supported(api):
        held: Optional[ModelVersion] = next((v for v in versions if CHAMPION in v.aliases), None)
        if held is not None:
            return held, "alias"
    return (yield from latest_version(api, name, versions)), "latest"

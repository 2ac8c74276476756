"""Request builders for MLflow's model registry (REST API 2.0) and GitLab's dialect of it: the registry half
of :class:`.api.Api`. Each method returns a :class:`~.calls.Call` (pure: no I/O)."""

from __future__ import annotations

from typing import Any, Optional

from . import filters, parse
from .calls import REST, Call
from .dialect import Dialect
from .models import ModelVersion, Page, RegisteredModel


def tags_list(tags: Optional[dict[str, Any]]) -> list[dict[str, str]]:
    """Tags as MLflow's ``[{key, value}]`` (values as text)."""
    return [{"key": k, "value": str(v)} for k, v in (tags or {}).items()]


class RegistryCalls:
    """Registered models and model versions (mixed into :class:`.api.Api`, which sets ``dialect``)."""

    dialect: Dialect
    tracking_uri: str

    # -- registry ----------------------------------------------------------------------------
    def create_registered_model(
        self, name: str, *, description: str = "", tags: Optional[dict[str, str]] = None
    ) -> Call[RegisteredModel]:
        body: dict[str, Any] = {"name": name}
        if description:
            body["description"] = description
        if tags:
            body["tags"] = tags_list(tags)
        return Call(
            "POST",
            REST + "registered-models/create",
            json=body,
            parse=lambda d: parse.registered_model(d.get("registered_model", {}), self.dialect),
        )

    def get_registered_model(self, name: str) -> Call[RegisteredModel]:
        return Call(
            "GET",
            REST + "registered-models/get",
            params={"name": name},
            parse=lambda d: parse.registered_model(d.get("registered_model", {}), self.dialect),
        )

    def search_registered_models(
        self,
        *,
        name_contains: Optional[str] = None,
        max_results: int = 100,
        page_token: Optional[str] = None,
    ) -> Call[Page[RegisteredModel]]:
        """One page; ``name_contains`` (case-insensitive) is matched exactly here: the server's filter
        is a superset (MLflow's ``%``/``_`` wildcards, GitLab's ``=`` split)."""
        params: dict[str, Any] = {"max_results": min(max_results, 1000)}
        flt = filters.name_contains(name_contains, self.dialect) if name_contains else None
        if flt:
            params["filter"] = flt
        if page_token:
            params["page_token"] = page_token
        return Call(
            "GET",
            REST + "registered-models/search",
            params=params,
            parse=lambda d: parse.page(
                [
                    m
                    for m in (parse.registered_model(m, self.dialect) for m in d.get("registered_models", []))
                    if not name_contains or filters.matches(m.name, name_contains)
                ],
                d.get("next_page_token"),
            ),
        )

    def update_registered_model(self, name: str, description: str) -> Call[dict[str, Any]]:
        return Call("PATCH", REST + "registered-models/update", json={"name": name, "description": description})

    def delete_registered_model(self, name: str) -> Call[dict[str, Any]]:
        return Call("DELETE", REST + "registered-models/delete", json={"name": name})

    def rename_registered_model(self, name: str, new_name: str) -> Call[RegisteredModel]:
        """MLflow only (GitLab has no rename): versions, aliases and tags move with the model."""
        return Call(
            "POST",
            REST + "registered-models/rename",
            json={"name": name, "new_name": new_name},
            parse=lambda d: parse.registered_model(d.get("registered_model", {}), self.dialect),
        )

    def set_registered_model_tag(self, name: str, key: str, value: str) -> Call[dict[str, Any]]:
        return Call("POST", REST + "registered-models/set-tag", json={"name": name, "key": key, "value": value})

    def delete_registered_model_tag(self, name: str, key: str) -> Call[dict[str, Any]]:
        return Call("DELETE", REST + "registered-models/delete-tag", json={"name": name, "key": key})

    def get_latest_versions(self, name: str) -> Call[list[ModelVersion]]:
        return Call(
            "POST",
            REST + "registered-models/get-latest-versions",
            json={"name": name},
            parse=lambda d: [
                parse.model_version(v, self.dialect) for v in d.get("model_versions") or [] if isinstance(v, dict)
            ],
        )  # GitLab: [null] when there is no version (C15)

    def create_model_version(
        self,
        name: str,
        *,
        source: Optional[str] = None,
        run_id: Optional[str] = None,
        semver: Optional[str] = None,
        description: str = "",
        tags: Optional[dict[str, str]] = None,
    ) -> Call[ModelVersion]:
        """Create a version; ``semver`` travels as the ``gitlab.version`` tag on both dialects."""
        all_tags = dict(tags or {})
        if semver:
            all_tags["gitlab.version"] = semver
        body: dict[str, Any] = {"name": name}
        if source:
            body["source"] = source
        if run_id:
            body["run_id"] = run_id
        if description:
            body["description"] = description
        if all_tags:
            body["tags"] = tags_list(all_tags)
        return Call(
            "POST",
            REST + "model-versions/create",
            json=body,
            parse=lambda d: parse.model_version(d.get("model_version", {}), self.dialect),
        )

    def get_model_version(self, name: str, version: str) -> Call[ModelVersion]:
        """``version`` as shown in :class:`ModelVersion.version` (semver on GitLab)."""
        return Call(
            "GET",
            REST + "model-versions/get",
            params={"name": name, "version": version},
            parse=lambda d: parse.model_version(d.get("model_version", {}), self.dialect),
        )

    def update_model_version(self, name: str, version: str, description: str) -> Call[dict[str, Any]]:
        return Call(
            "PATCH", REST + "model-versions/update", json={"name": name, "version": version, "description": description}
        )

    def delete_model_version(self, name: str, version: str) -> Call[dict[str, Any]]:
        """MLflow only (GitLab deletes versions through GraphQL alone); the version's run stays."""
        return Call("DELETE", REST + "model-versions/delete", json={"name": name, "version": version})

    def search_model_versions(
        self, name: str, *, max_results: int = 1000, page_token: Optional[str] = None
    ) -> Call[Page[ModelVersion]]:
        """Versions of exactly ``name`` (the filter may be a ``LIKE`` superset: checked here)."""
        params: dict[str, Any] = {"filter": filters.equals("name", name), "max_results": max_results}
        if page_token:
            params["page_token"] = page_token
        return Call(
            "GET",
            REST + "model-versions/search",
            params=params,
            parse=lambda d: parse.page(
                [
                    v
                    for v in (parse.model_version(v, self.dialect) for v in d.get("model_versions", []))
                    if v.name == name
                ],
                d.get("next_page_token"),
            ),
        )

    def set_model_version_tag(self, name: str, version: str, key: str, value: str) -> Call[dict[str, Any]]:
        return Call(
            "POST", REST + "model-versions/set-tag", json={"name": name, "version": version, "key": key, "value": value}
        )

    def delete_model_version_tag(self, name: str, version: str, key: str) -> Call[dict[str, Any]]:
        return Call("DELETE", REST + "model-versions/delete-tag", json={"name": name, "version": version, "key": key})

    def set_registered_model_alias(self, name: str, alias: str, version: str) -> Call[dict[str, Any]]:
        """Point ``alias`` at ``version`` (the backend's integer id); moves it when it points elsewhere."""
        return Call("POST", REST + "registered-models/alias", json={"name": name, "alias": alias, "version": version})

    def delete_registered_model_alias(self, name: str, alias: str) -> Call[dict[str, Any]]:
        return Call("DELETE", REST + "registered-models/alias", json={"name": name, "alias": alias})

    def get_model_version_by_alias(self, name: str, alias: str) -> Call[ModelVersion]:
        return Call(
            "GET",
            REST + "registered-models/alias",
            params={"name": name, "alias": alias},
            parse=lambda d: parse.model_version(d.get("model_version", {}), self.dialect),
        )

    def get_download_uri(self, name: str, version_id: str) -> Call[str]:
        return Call(
            "GET",
            REST + "model-versions/get-download-uri",
            params={"name": name, "version": version_id},
            parse=lambda d: d.get("artifact_uri", ""),
        )

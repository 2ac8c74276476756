"""``mlops.models()``: the model registry: models, their versions, one version's details."""

from __future__ import annotations

from typing import Any, Optional

import ipywidgets as w

from ..client import flows
from ..client.models import ModelVersion, RegisteredModel
from ..views import registry as rv
from ..views import version_page as vp
from ..views.snippets import kernel_points_at
from ._common import Panel, esc, fmt_time, table


class ModelsBrowser(Panel):
    """Filter + models list, a versions table, and a version picker with its details.
    ``models_list`` / ``versions_list`` hold the records shown, ``snippet`` the selected version's
    "use in notebook" code (:func:`~..views.snippets.use_snippet`, as on the version page)."""

    def __init__(self, session: Any = None) -> None:
        super().__init__(session)
        self.filter = w.Text(placeholder="filter models by name", layout=w.Layout(width="240px"))
        self.refresh = w.Button(description="Refresh", icon="refresh")
        self.models = w.Select(options=[], rows=8, description="Models", layout=w.Layout(width="420px"))
        self.versions_table = w.HTML("")
        self.version = w.Dropdown(description="Version", options=[])
        self.details = w.HTML("")
        self.models_list: list[RegisteredModel] = []
        self.versions_list: list[ModelVersion] = []
        self.snippet: Optional[dict[str, Any]] = None
        self.refresh.on_click(lambda _: self.load())
        self.filter.observe(lambda _: self.load(), names="value")
        self.models.observe(lambda _: self.load_versions(), names="value")
        self.version.observe(lambda _: self._show_version(), names="value")
        self.children = [
            w.HBox([self.filter, self.refresh]),
            self.message,
            self.models,
            self.versions_table,
            self.version,
            self.details,
        ]
        self.load()

    def load(self) -> None:
        if self.guard(lambda: self.client) is None:
            return
        api = self.client.api
        needle = self.filter.value.strip() or None
        models = self.guard(
            self.client.drive,
            flows.all_pages(lambda tok: api.search_registered_models(name_contains=needle, page_token=tok), limit=1000),
        )
        if models is None:
            return
        self.models_list = sorted(models, key=lambda m: m.name.lower())
        current = self.models.value
        self.models.options = [m.name for m in self.models_list]
        self.say(
            f"{len(models)} model(s)"
            if models
            else "no registered models yet: promote a run with mlops.promote(run, model=...)"
        )
        if current in self.models.options:
            self.models.value = current
        elif self.models.options:
            self.models.value = self.models.options[0]
        else:
            self.versions_table.value = self.details.value = ""
            self.version.options = []

    def load_versions(self) -> None:
        name = self.models.value
        if not name:
            return
        versions = self.guard(self.client.drive, flows.model_versions(self.client.api, name))
        if versions is None:
            return
        self.versions_list = rv.sort_versions(versions)  # semver.org precedence, as the registry pages
        rows = [
            [
                v.semver or v.version,
                fmt_time(v.creation_timestamp),
                v.run_id or "",
                v.status,
                (v.description or "")[:80],
            ]
            for v in self.versions_list
        ]
        self.versions_table.value = table(["version", "created", "run", "status", "description"], rows)
        before = self.version.value
        self.version.options = [(v.semver or v.version, v.version) for v in self.versions_list]
        if not self.versions_list:
            self.details.value = ""
        elif self.version.value == before == self.versions_list[0].version:
            self._show_version()  # the same value under another model fires no change
        else:
            self.version.value = self.versions_list[0].version

    def selected_version(self) -> Optional[ModelVersion]:
        return next((v for v in self.versions_list if v.version == self.version.value), None)

    def _show_version(self) -> None:
        mv = self.selected_version()
        self.snippet = None
        if mv is None:
            self.details.value = ""
            return
        backend = self.client.backend
        self.snippet = self.guard(
            self.client.drive, vp.version_snippet(self.client.api, backend, mv, kernel_ready=kernel_points_at(backend))
        )
        rows = [
            ("name", mv.name),
            ("version", mv.semver or mv.version),
            ("id", mv.version_id),
            ("run", mv.run_id or ""),
            ("created", fmt_time(mv.creation_timestamp)),
            ("description", mv.description),
            ("source", mv.source or ""),
        ]
        rows += [(f"tag {k}", v) for k, v in sorted(mv.tags.items())]
        code = self.snippet["code"] if self.snippet else ""
        self.details.value = (
            table(["", "value"], rows) + f"<div>use in a notebook:</div><pre style='user-select: all'>{esc(code)}</pre>"
        )

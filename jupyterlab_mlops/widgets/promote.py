"""``mlops.promote(run)``: a form to register a run as a new model version."""

from __future__ import annotations

from typing import Any, Optional

import ipywidgets as w

from ..client import flows
from ..client.dialect import check_model_name, check_semver, next_semver
from ..client.errors import InvalidInput, MlopsError
from ..client.models import ModelVersion
from ..kernel.links import version_link
from ..views.registry import version_web_url
from ._common import Panel, esc, link_html, message_html


class PromoteForm(Panel):
    """Run, model (pick or type a new one), semver suggested from the model's latest version,
    description, Submit (the server's promote flow, ``views/promote.py``). After a submit,
    ``result`` is the new :class:`ModelVersion` and ``notes`` what the flow did."""

    def __init__(self, run_id: Optional[str] = None, session: Any = None) -> None:
        super().__init__(session)
        self.result: Optional[ModelVersion] = None
        self.notes: list[str] = []
        self.run = w.Text(value=run_id or "", description="Run", placeholder="run id", layout=w.Layout(width="420px"))
        self.model = w.Combobox(
            description="Model",
            placeholder="pick or type a new model name",
            ensure_option=False,
            options=[],
            layout=w.Layout(width="420px"),
        )
        self.version = w.Text(description="Version", placeholder="1.0.0", layout=w.Layout(width="240px"))
        self.description = w.Textarea(description="Description", layout=w.Layout(width="420px", height="60px"))
        self.submit = w.Button(description="Promote", button_style="primary", icon="check")
        self.result_html = w.HTML("")
        self.model.observe(lambda _: self.suggest_version(), names="value")
        self.submit.on_click(lambda _: self.do_submit())
        self.children = [
            self.run,
            self.model,
            self.version,
            self.description,
            self.submit,
            self.message,
            self.result_html,
        ]
        names = self.guard(self._model_names)
        if names is not None:
            self.model.options = names

    def _model_names(self) -> list[str]:
        api = self.client.api
        models = self.client.drive(
            flows.all_pages(lambda tok: api.search_registered_models(page_token=tok), limit=1000)
        )
        return sorted(m.name for m in models)

    def suggest_version(self) -> Optional[str]:
        """Fill ``version`` with the latest version of the chosen model + 1 patch (1.0.0 for a new one)."""
        from ..views import promote as flow

        name = self.model.value.strip()
        if not name:
            return None
        self.say("")
        answer = self.guard(self.client.drive, flow.next_version(self.client.api, name))
        if answer is not None:
            self.version.value = answer["suggested"]
        return self.version.value

    def do_submit(self) -> Optional[ModelVersion]:
        self.result_html.value = ""
        self.say("")
        try:
            run_id = self.run.value.strip()
            if not run_id:
                raise InvalidInput("pick a run to promote")
            model = check_model_name(self.model.value.strip())
            version = self.version.value.strip()
            if version:
                check_semver(version)
        except MlopsError as exc:
            self.message.value = message_html(exc.message)
            return None
        self.submit.disabled = True
        try:
            out = self.guard(self.session.promote, run_id, model, version or None, self.description.value)
        finally:
            self.submit.disabled = False
        if out is None:
            return None
        mv, answer = out
        self.result, self.notes = mv, list(answer.get("notes", []))
        shown = mv.semver or mv.version
        notes = " ".join(n for n in self.notes if not n.startswith(("Registered ", "Created model")))
        self.result_html.value = (
            message_html(f"Created version {shown} of {model} from run {run_id}.", "ok")
            + " "
            + link_html(self._url(mv), "open")
            + (f"<div>{esc(notes)}</div>" if notes else "")
        )
        if model not in self.model.options:
            self.model.options = sorted([*self.model.options, model])
        self.version.value = next_semver(shown) if mv.semver else ""
        return mv

    def _url(self, mv: ModelVersion) -> Optional[str]:
        """The version's page in this JupyterLab (kernel/links.py), else on the backend as the registry pages
        link it (GitLab's ``source`` checked)."""
        return version_link(self.client.backend.url, mv.name, mv.version) or version_web_url(self.client.backend, mv)

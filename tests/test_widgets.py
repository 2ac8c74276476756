"""The notebook widgets, built and clicked without a browser, against the real MLflow server and the
GitLab-dialect server."""

from __future__ import annotations

import uuid

import pytest

from .kernel_support import use_backend

XSS = "<img src=x onerror=alert(1)>"


def uniq(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(params=["mlflow", "gitlab"])
def seeded(request, tmp_path):
    """Three finished runs in a fresh experiment (one param differs, one metric curve each)."""
    if request.param == "mlflow":
        api = use_backend(request.getfixturevalue("mlflow_server").url, spool_dir=tmp_path)
    else:
        gl = request.getfixturevalue("gitlab_server")
        api = use_backend(gl.tracking_uri, gl.token, spool_dir=tmp_path)
    name = uniq("widgets")
    api.experiment(name)
    runs = []
    for i in range(3):
        with api.start_run(name=f"run{i}") as r:
            api.log_params({"lr": 0.1 * (i + 1), "depth": 5})
            for s in range(40):
                api.log_metric("loss", 1.0 / (s + 1 + i), step=s)
            api.log_metric("acc", 0.5 + i / 10)
        runs.append(r.run_id)
    return api, request.param, name, runs


def test_experiments_browser(seeded):
    api, kind, name, runs = seeded
    browser = api.experiments()
    assert name in [label for label, _ in browser.experiment.options]
    browser.filter.value = name
    assert browser.experiment.options == ((name, api._S.experiment_id),)
    assert {v for _, v in browser.runs.options} == set(runs)
    assert browser.compare_button.disabled
    browser.runs.value = (runs[0],)
    assert "lr" in browser.details.value and "run0" in browser.details.value
    browser.runs.value = tuple(runs[:2])
    assert browser.selected == runs[:2] and not browser.compare_button.disabled
    browser.compare_button.click()
    view = browser.output.children[0]
    assert {r.run_id for r in view.runs} == set(runs[:2])
    browser.promote_button.click()
    form = browser.output.children[0]
    assert form.run.value in runs[:2]
    browser.refresh.click()
    assert browser.experiment.value == api._S.experiment_id


def test_compare_highlights_differences_and_plots(seeded):
    api, kind, name, runs = seeded
    view = api.compare(runs)
    rows = {k: (values, differs) for k, values, differs in view.rows}
    assert rows["lr"][1] is True and rows["depth"] == (["5", "5", "5"], False)
    assert view.params_table.value.count("warn-color3") == 1  # only the differing row is highlighted
    view.diff_only.value = True
    assert "depth" not in view.params_table.value and "lr" in view.params_table.value
    assert set(view.metric.options) == {"acc", "loss"}
    view.metric.value = "loss"
    labels = [view.labels[r] for r in runs]  # the compare view's legend labels: name (run id prefix)
    assert [label.split(" ")[0] for label in labels] == ["run0", "run1", "run2"]
    assert set(view.series) == set(labels)
    assert [x for x, _ in view.series[labels[0]]] == [float(s) for s in range(40)]
    assert view.chart.value.startswith("<svg") and view.chart.value.count("<polyline") == 3
    by_name = api.compare(name, metrics=["acc"])  # an experiment name: its runs
    assert len(by_name.runs) == 3 and list(by_name.metric.options) == ["acc"]
    assert "<circle" in by_name.chart.value
    missing = api.compare(["0" * 32])
    assert "not found" in missing.message.value.lower() or "does not exist" in missing.message.value.lower()


def test_promote_form(seeded):
    api, kind, name, runs = seeded
    model = uniq("wmodel")
    form = api.promote(runs[0])
    assert form.run.value == runs[0]
    form.model.value = model
    assert form.version.value == "1.0.0"  # a new model starts at 1.0.0
    form.version.value = "v2"
    form.submit.click()
    assert "semantic version" in form.message.value and form.result is None
    form.model.value = "bad name"
    form.version.value = "1.0.0"
    form.submit.click()
    assert "model name" in form.message.value and form.result is None
    form.model.value = model
    form.version.value = "1.0.0"
    form.description.value = "from the widget"
    form.submit.click()
    assert form.result is not None and form.result.semver == "1.0.0", form.message.value
    assert "Created version 1.0.0" in form.result_html.value and form.version.value == "1.0.1"
    again = api.promote(runs[1])
    again.model.value = model
    assert again.version.value == "1.0.1"  # suggested from the latest version
    again.submit.click()
    assert again.result.semver == "1.0.1"
    dup = api.promote(runs[2])
    dup.model.value = model
    dup.version.value = "1.0.0"
    dup.submit.click()
    assert dup.result is None and dup.message.value  # the version exists: shown, not raised


def test_models_browser(seeded):
    api, kind, name, runs = seeded
    model = uniq("reg")
    api.promote(runs[0], model=model, version="1.0.0", description="one")
    api.promote(runs[1], model=model, version="1.1.0", description="two")
    browser = api.models()
    browser.filter.value = model
    assert browser.models.options == (model,) and browser.models.value == model
    assert [v.semver for v in browser.versions_list] == ["1.1.0", "1.0.0"]
    assert "1.1.0" in browser.versions_table.value and "two" in browser.versions_table.value
    assert browser.selected_version().semver == "1.1.0"
    snip = browser.snippet  # the version page's generator: no MLmodel among the files, so download them
    assert snip["kind"] == "files" and snip["uri"] == f"models:/{model}/{browser.versions_list[0].version_id}"
    assert "mlflow.artifacts.download_artifacts(artifact_uri=&#x27;models:/" in browser.details.value
    browser.version.value = browser.versions_list[1].version
    assert "one" in browser.details.value
    browser.refresh.click()
    assert browser.models.value == model


def test_names_are_rendered_as_text(tmp_path, mlflow_server):
    api = use_backend(mlflow_server.url, spool_dir=tmp_path)
    api.experiment(XSS + uniq(""))
    with api.start_run(name=XSS) as r:
        api.log_param("p", XSS)
        api.set_tag("t", XSS)
    browser = api.experiments()
    browser.runs.value = (r.run_id,)
    view = api.compare([r.run_id])
    html = browser.details.value + view.params_table.value + view.chart.value + view.metrics_table.value
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_widgets_show_backend_errors(tmp_path):
    api = use_backend("http://127.0.0.1:9", spool_dir=tmp_path)
    browser = api.experiments()
    assert "unreachable" in browser.message.value
    models = api.models()
    assert "unreachable" in models.message.value


def test_every_widget_displays(seeded):
    """What the notebook does to show a widget (its repr and its mime bundle), for all four, without a
    TypeError from a name that shadows one of ipywidgets' own."""
    api, kind, name, runs = seeded
    for widget in (api.experiments(), api.compare(runs[:2]), api.promote(runs[0]), api.models()):
        bundle = widget._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle, type(widget).__name__
        assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == widget.model_id
        assert type(widget).__name__ in repr(widget) or repr(widget)


def test_no_widget_method_shadows_ipywidgets():
    """A method of ours with the name of one of ipywidgets' or traitlets' (``Widget._compare(a, b)`` was one)
    breaks the widget in ways only a display shows."""
    import inspect

    import ipywidgets
    import traitlets

    from jupyterlab_mlops.widgets import _common, compare, experiments, models, promote

    theirs = {
        n
        for cls in (ipywidgets.Widget, ipywidgets.DOMWidget, ipywidgets.Box, ipywidgets.VBox, traitlets.HasTraits)
        for n in vars(cls)
    }
    generated = {
        "_instance_inits",
        "_traits",
        "_all_trait_default_generators",
        "_static_immutable_initial_values",
        "_descriptors",
        "_trait_default_generators",
    }
    for mod in (_common, compare, experiments, models, promote):
        for _, cls in inspect.getmembers(mod, inspect.isclass):
            if cls.__module__ == mod.__name__ and issubclass(cls, ipywidgets.Widget):
                clashes = {n for n in vars(cls) if n in theirs and not n.startswith("__")} - generated
                assert not clashes, (cls.__name__, clashes)

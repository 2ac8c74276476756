"""Search filters are built by one quoting function (``client/filters.py``): names with quotes,
backslashes, ``=``, ``%``, ``_``, spaces and unicode are read back by MLflow's own parser, found exactly
on the real MLflow server and the GitLab stand-in, and the registry routes work for them."""

from __future__ import annotations

import json
import uuid
from urllib.parse import parse_qs

import pytest

from jupyterlab_mlops.client import Backend, flows
from jupyterlab_mlops.client import filters
from jupyterlab_mlops.client.dialect import GITLAB, MLFLOW
from jupyterlab_mlops.client.sync import SyncClient

from .issue4_support import BOTH, api, assert_error, model_path, seed, uniq  # noqa: F401

HOSTILE = [
    "it's",
    'say "hi"',
    "both ' and \"",
    "trailing\\",
    "back\\slash",
    "a=b",
    "50%_off",
    "with space",
    "ünï©ødé",
    "'lead",
    'tail"',
    "tab\tnew\nline",
    "x' OR name LIKE '%",
    "--;#",
]


def _mlflow_reads(flt: str) -> list[tuple[str, str, object]]:
    from mlflow.utils.search_utils import SearchModelUtils, SearchModelVersionUtils

    got = [
        [(c["key"], c["comparator"], c["value"]) for c in cls.parse_search_filter(flt)]
        for cls in (SearchModelUtils, SearchModelVersionUtils)
    ]
    assert got[0] == got[1]
    return got[0]


@pytest.mark.parametrize("value", HOSTILE)
def test_mlflow_parser_reads_the_literal_back(value):
    literal = filters.quote(value)
    if literal is None:
        assert ("'" in value and '"' in value) or value.endswith("\\")
    else:
        assert _mlflow_reads(f"name = {literal}") == [("name", "=", value)]
        assert _mlflow_reads(f"name = {literal} AND tags.k = {literal}") == [("name", "=", value), ("k", "=", value)]
    comparator = "=" if literal else "LIKE"
    assert [c[:2] for c in _mlflow_reads(filters.equals("name", value))] == [("name", comparator)]
    ((_, op, pattern),) = _mlflow_reads(filters.name_contains(value, MLFLOW))
    assert op == "ILIKE" and pattern.startswith("%") and "'" not in pattern and "\\" not in pattern


def test_gitlab_reading_and_tag_keys():
    assert filters.name_contains("a_b", GITLAB) == "name='a_b'"
    assert filters.name_contains("it's", GITLAB) == "name='it's'"  # GitLab strips only the outer quotes
    assert filters.name_contains("ab=cdef", GITLAB) == "name='cdef'"  # the longest piece it reads whole
    assert filters.name_contains("=", GITLAB) is None and filters.quote("a\nb", GITLAB) is None
    assert filters.tag_key("mlops.local_id") == "tags.`mlops.local_id`"
    with pytest.raises(Exception, match="backtick"):
        filters.tag_key("a`b")


@pytest.fixture
def ml(mlflow_server):
    client = SyncClient(Backend.from_uri(mlflow_server.url, name="default"), timeout=60)
    yield client
    client.close()


def _model_with_version(mlflow_rest, name: str) -> str:
    run_id = mlflow_rest.create_run(mlflow_rest.create_experiment())["info"]["run_id"]
    mlflow_rest.create_registered_model(name)
    mlflow_rest.create_model_version(name, run_id)
    return run_id


def test_client_filters_on_the_real_mlflow_server(ml, mlflow_rest):
    api = ml.api
    tag = uuid.uuid4().hex[:8]
    names = [f"{tag}-{h}" for h in HOSTILE] + [f"{h}-{tag}" for h in ("'lead", "50%_off", "trailing\\")]
    decoys = [f"{tag}-50XYoff", f"{tag}-both X and Y", f"{tag}-trailing\\more", f"{tag}-IT'S"]
    runs = {n: _model_with_version(mlflow_rest, n) for n in names + decoys}
    for name in names + decoys:  # exact versions, even where the filter had to be a LIKE superset
        versions = ml.drive(flows.model_versions(api, name))
        assert [(v.name, v.run_id) for v in versions] == [(name, runs[name])], name

    def search(needle: str) -> set[str]:
        found = ml.drive(
            flows.all_pages(lambda tok: api.search_registered_models(name_contains=needle, page_token=tok))
        )
        return {m.name for m in found if tag in m.name}

    assert search("50%_off") == {f"{tag}-50%_off", f"50%_off-{tag}"}
    assert search(f"{tag}-it's") == {f"{tag}-it's", f"{tag}-IT'S"}  # case-insensitive, as MLflow's ILIKE
    for h in HOSTILE:
        assert search(h) == {n for n in names + decoys if h.lower() in n.lower()}, h

    exp_names = {h: f"{tag}-exp-{h}" for h in ("it's", "50%_off", "both ' and \"", "ünï©ødé")}
    for n in [*exp_names.values(), f"{tag}-exp-50XYoff"]:
        mlflow_rest.create_experiment(n)
    for h, n in exp_names.items():
        page = ml.run(api.search_experiments(name_contains=f"{tag}-exp-{h}", max_results=100))
        assert [e.name for e in page.items] == [n], h

    exp = mlflow_rest.create_experiment()
    for value in ("x'y", 'x"y', "x'\"y", "x\\"):
        run_id = mlflow_rest.create_run(exp, tags={"mlops.local_id": value})["info"]["run_id"]
        page = ml.run(api.search_runs([exp], filter=filters.equals(filters.tag_key("mlops.local_id"), value)))
        assert run_id in [r.run_id for r in page.items if r.tags.get("mlops.local_id") == value], value


def test_gitlab_model_filter_means_what_it_says(gitlab_server):
    client = SyncClient(Backend.from_uri(gitlab_server.tracking_uri, name="gitlab", token=gitlab_server.token))
    api = client.api
    tag = uuid.uuid4().hex[:8]
    for n in (f"{tag}-a_b", f"{tag}-aXb", f"{tag}-ab"):
        client.run(api.create_registered_model(n))

    def search(needle: str) -> tuple[set[str], list[str]]:
        gitlab_server.clear_requests()
        found = client.drive(
            flows.all_pages(lambda tok: api.search_registered_models(name_contains=needle, page_token=tok))
        )
        sent = [
            parse_qs(r["query"]).get("filter", [None])[0]
            for r in gitlab_server.requests
            if r["path"].endswith("registered-models/search")
        ]
        return {m.name for m in found if tag in m.name}, sent

    try:
        assert search(f"{tag}-a_b") == ({f"{tag}-a_b"}, [f"name='{tag}-a_b'"])
        assert search(f"{tag}-ab=zz") == (set(), [f"name='{tag}-ab'"])  # GitLab would read "name='<tag>-ab"
        for h in HOSTILE:
            assert search(h)[0] == set(), h
    finally:
        client.close()


@BOTH
async def test_model_page_of_a_name_with_a_quote(api, seed):
    if seed.gitlab:  # GitLab refuses such names (GITLAB_API.md C13): a clean 404, never a 400 or 500
        assert_error(await api(model_path(seed.name, uniq("it's")), expect=None), 404, reason="model_not_found")
        name = uniq("it_s.v-1")
    else:
        name = uniq("it's") + ' "quoted" \\'
    seed.model(name)
    run = seed.run()
    await api(model_path(seed.name, name, "versions"), method="POST", body={"run_id": run.run_id}, expect=201)
    page = (await api(model_path(seed.name, name))).json
    assert page["name"] == name and [v["semver"] for v in page["versions"]] == ["1.0.0"]
    version = (await api(page["versions"][0]["route"])).json
    assert version["model"] == name and version["lineage"]["source_run"] == run.run_id


@BOTH
async def test_search_finds_exactly_the_name(api, seed):
    tag = uniq("s")
    pct = "_" if seed.gitlab else "%_"  # GitLab names take no '%'
    target, decoy = seed.model(f"{tag}-50{pct}off"), seed.model(f"{tag}-50XYoff")
    if not seed.gitlab:
        seed.model(f"{tag}-it's")
    for needle, want in (
        (f"50{pct}off", {target}),
        (f"{tag}-50XY", {decoy}),
        ("it's", set() if seed.gitlab else {f"{tag}-it's"}),
    ):
        got = (await api("models", query={"search": needle})).json
        assert not got["errors"] and {m["name"] for m in got["models"] if tag in m["name"]} == want, needle
    for needle in HOSTILE:
        assert (await api("models", query={"search": needle})).code == 200


@pytest.mark.parametrize("value", ["it's", 'say "hi"', "both ' and \"", "50%_off", "back\\slash\\"])
def test_find_run_by_tag_finds_the_exact_value(ml, mlflow_rest, value):
    exp = mlflow_rest.create_experiment(uniq("tagged"))
    wanted = mlflow_rest.create_run(exp, tags={"mlops.key": value})["info"]["run_id"]
    mlflow_rest.create_run(exp, tags={"mlops.key": value + "x"})  # a near miss a pattern would also match
    found = ml.drive(flows.find_run_by_tag(ml.api, exp, "mlops.key", value))
    assert found is not None and found.run_id == wanted


async def test_experiment_search_finds_exactly_the_name(jp_fetch, mlflow_rest):
    tag = uuid.uuid4().hex[:8]
    for name in (f"{tag}-50%_off", f"{tag}-50XYoff", f"{tag}-it's"):
        mlflow_rest.create_experiment(name)
    for search, expected in ((f"{tag}-50%_off", [f"{tag}-50%_off"]), (f"{tag}-it's", [f"{tag}-it's"])):
        resp = await jp_fetch("jupyterlab-mlops", "backends", "default", "experiments", params={"search": search})
        assert [e["name"] for e in json.loads(resp.body)["experiments"]] == expected

"""Handlers fuzzed with generated inputs (DESIGN §9): never a 500, always a JSON error with a message.

Every route and method of the extension (walked from tornado's router, as the security test does) gets
generated path parameters (unicode, lone surrogates, ``..``, ``%2F``, very long, empty, and the real ids of
a seeded experiment, so requests also get past the first checks), query arguments and bodies (each route's
valid request with fields replaced, any JSON, deep nesting, huge numbers, NaN, surrogate escapes, non-JSON
bytes, form and multipart types). One Jupyter server answers them all: hypothesis runs in a worker thread
with a keep-alive ``http.client`` connection (it sends paths byte for byte) while the test's loop serves.

A 502/503/504 is allowed (the backend's answer: generated input may make MLflow fail); the proxy
(``backends/{b}/mlflow/...``) passes MLflow's own answers on, whatever their status, so there only our
own errors are checked. ``MLOPS_FUZZ_EXAMPLES`` scales the examples per route and method.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import quote, urlsplit

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jupyter_server.utils import url_path_join
from tornado import web

from jupyterlab_mlops.server.routes import handlers

from .mlflow_fixture import MlflowRest
from .test_server_security import _our_rules

EXAMPLES = int(os.environ.get("MLOPS_FUZZ_EXAMPLES", "70"))  # per route and implemented method
OTHER_EXAMPLES = max(EXAMPLES // 7, 3)  # per route, with a method it does not implement
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
SETTINGS = dict(
    deadline=None, derandomize=True, database=None, print_blob=False, suppress_health_check=list(HealthCheck)
)
QUERY_NAMES = (
    "search",
    "page_token",
    "order_by",
    "max_results",
    "columns",
    "filter",
    "path",
    "run",
    "metric",
    "metrics",
    "max_points",
    "x",
    "method",
    "only_differences",
    "refresh",
    "bump",
    "run_id",
    "a",
    "b",
    "experiment_id",
    "artifact_path",
)
BODY_KEYS = (
    "run_id",
    "version",
    "description",
    "create_model",
    "url",
    "kernel_id",
    "path",
    "content",
    "packages",
    "python",
    "dir",
    "name",
    "experiment_id",
    "experiment_ids",
    "filter",
    "max_results",
    "metrics",
    "params",
)
WEIRD = (
    "",
    ".",
    "..",
    "%2F",
    "%2e%2e",
    "a%2Fb",
    "%00",
    "%ED%BF%BF",
    "%FF%FE",
    "%",
    "%zz",
    "-1",
    "0",
    "1e309",
    "NaN",
    "99999999999999999999999",
    "x" * 5000,
    "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
    "%252e%252e",
    "a%5Cb",
    "%E2%80%AE",
    "default:",
    ":",
    "%20",
)


def enc(s: str) -> str:
    """Percent-encode any text, lone surrogates included (as the invalid UTF-8 a hostile client sends)."""
    return quote(s.encode("utf-8", "surrogatepass"), safe="")


chars = st.one_of(st.characters(), st.sampled_from(["\x00", "\ud800", "\udfff", "\u202e", "/", "\\", ".", "%"]))
hostile = st.sampled_from(
    [
        "\udfff",
        "\ud800x",
        "a\x00b",
        "x" * 5000,
        "..",
        "../../etc/passwd",
        "",
        " ",
        "\u202e",
        "NaN",
        "-1",
        "1e999",
        "9" * 5000,
        "%2F",
        "a/b",
        "<img src=x onerror=alert(1)>",
        "'\"",
        "\\",
    ]
)
texts = st.one_of(st.text(chars, max_size=30), hostile)


@dataclass
class Seeded:
    exp: str
    runs: list[str]
    model: str
    values: dict[str, list[str]] = field(default_factory=dict)
    queries: dict[str, dict[str, Any]] = field(default_factory=dict)
    bodies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@pytest.fixture
def seeded(mlflow_server, jp_root_dir) -> Seeded:
    """An experiment with two runs (params, metrics, files, snapshots), a model with a version; and for each
    route the values, query and bodies of a valid request, which the strategies mutate."""
    rest = MlflowRest(mlflow_server.url)
    exp = rest.create_experiment(f"fuzz-{uuid.uuid4().hex[:8]}")
    runs = []
    for i in range(2):
        run = rest.create_run(exp, run_name=f"fuzz-{i}")
        rid = run["info"]["run_id"]
        rest.log_batch(rid, metrics={"loss": 0.5 + i, "acc": i}, params={"lr": str(i)}, tags={"team": "a"})
        rest.upload_artifact(run, "notes.txt", b"notes")
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"x = {i}", id=f"c{i}")])
        rest.upload_artifact(run, "notebook.ipynb", nbformat.writes(nb).encode())
        rest.upload_artifact(run, "snapshot.json", json.dumps({"format": 1, "path": "nb.ipynb"}).encode())
        runs.append(rid)
    model = rest.create_registered_model(f"fuzz-model-{uuid.uuid4().hex[:8]}")
    rest.create_model_version(model, runs[0])
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1", id="a")])
    nbformat.write(nb, str(jp_root_dir / "nb.ipynb"))
    r0, r1 = runs
    # The proxy's paths: real endpoints (reads, and writes to this test's own runs only), and refused ones.
    api = [
        "api/2.0/mlflow/experiments/search",
        f"api/2.0/mlflow/experiments/get?experiment_id={exp}",
        f"api/2.0/mlflow/runs/get?run_id={r0}",
        "api/2.0/mlflow/runs/search",
        f"api/2.0/mlflow/metrics/get-history?run_id={r0}&metric_key=loss",
        "api/2.0/mlflow/runs/log-batch",
        "api/2.0/mlflow/registered-models/search",
        f"api/2.0/mlflow-artifacts/artifacts/{exp}/{r1}/artifacts/f.bin",
        f"api/2.0/mlflow-artifacts/artifacts?path={exp}/{r0}/artifacts",
        "api/3.0/mlflow/traces/search",
        "version",
        "ajax-api/2.0/mlflow/x",
        "api/2.0/mlflow/../x",
        "api/2.0/mlflow//x",
        "health",
        "api/2.0/mlflow/users/list",
    ]
    values = {
        "backend": ["default"],
        "experiment_id": [exp],
        "run_id": runs,
        "name": [model],
        "version": ["1"],
        "key": ["loss", "acc"],
        "n": ["0", "1"],
        "file": ["download", "notes.txt"],
        "path": api,
    }
    both = [f"default:{r0}", f"default:{r1}"]
    queries = {
        "ExperimentsHandler": {"max_results": "10", "search": "fuzz", "order_by": "name"},
        "RunsHandler": {
            "columns": "params.lr,metrics.loss,tags.team",
            "order_by": "metrics.loss DESC",
            "filter": "params.lr = '1'",
            "max_results": "10",
        },
        "MetricHistoryHandler": {"max_points": "10", "x": "step", "method": "lttb"},
        "ArtifactsHandler": {"path": ""},
        "ArtifactDownloadHandler": {"path": "notes.txt"},
        "CompareHandler": {"run": both, "metric": "loss,acc", "max_points": "50", "x": "step"},
        "CompareCsvHandler": {"run": both, "only_differences": "1"},
        "NextVersionHandler": {"bump": "minor"},
        "ChampionHandler": {"run_id": r1, "metrics": "loss"},
        "ModelsHandler": {"search": "fuzz"},
        "VersionFileHandler": {"path": "notes.txt"},
        "DiffHandler": {"a": both[0], "b": both[1]},
    }
    bodies = {
        "PromoteHandler": [{"run_id": r1, "version": "2.0.0", "description": "d", "create_model": False}],
        "LinksHandler": [{"url": "https://gitlab.example/g/p/-/issues/1"}],
        "SnapshotHandler": [{"path": "nb.ipynb"}, {"path": "nb.ipynb", "content": json.loads(nbformat.writes(nb))}],
        "RestoreHandler": [{"dir": ""}, {}],
        "ProxyHandler": [
            {"experiment_ids": [exp], "max_results": 5},
            {"run_id": r0, "metrics": [{"key": "loss", "value": 1.0, "timestamp": 0, "step": 1}]},
        ],
    }
    return Seeded(exp, runs, model, values, queries, bodies)


def weird_values(name: str, seeded: Seeded) -> st.SearchStrategy[str]:
    """A path parameter that is not a real value: a real one with something appended, a weird one or any text."""
    real = st.sampled_from(seeded.values.get(name, ["x"]))
    encoded = st.text(chars, max_size=40).map(enc)
    if name == "path":  # the proxy's path may hold slashes; what follows a real endpoint is generated too
        return st.one_of(st.tuples(real, encoded).map("/".join), st.sampled_from(WEIRD), encoded)
    return st.one_of(st.tuples(real, st.sampled_from(WEIRD)).map("".join), st.sampled_from(WEIRD), encoded)


def path_params(names: list[str], seeded: Seeded) -> st.SearchStrategy[dict[str, str]]:
    """Real values for every parameter, with none or one of them (or all) replaced by a generated one."""
    real = st.fixed_dictionaries({n: st.sampled_from(seeded.values.get(n, ["x"])) for n in names})
    weird = st.fixed_dictionaries({n: weird_values(n, seeded) for n in names})
    pick = st.sampled_from([None, None, "*", *names])
    return st.tuples(real, weird, pick).map(
        lambda t: t[1] if t[2] == "*" else {**t[0], **({t[2]: t[1][t[2]]} if t[2] else {})}
    )


def query(handler: str, seeded: Seeded) -> st.SearchStrategy[str]:
    """A query string: the route's valid one with values replaced and pairs added, or generated pairs only."""
    real = st.sampled_from(
        [
            "default:" + seeded.runs[0],
            seeded.runs[0],
            "loss",
            "params.lr",
            "step",
            "time",
            "minmax",
            "1",
            "0",
            "true",
            "major",
            "",
            "attributes.start_time DESC",
            "nope:x",
        ]
    )
    pair = st.tuples(st.one_of(st.sampled_from(QUERY_NAMES), texts), st.one_of(real, texts))
    base = seeded.queries.get(handler, {})
    swap = st.one_of(st.lists(st.one_of(real, texts), max_size=4), texts)
    kept = st.fixed_dictionaries({k: st.one_of(st.just(v), st.just(v), st.just(v), swap) for k, v in base.items()})
    mutated = st.tuples(kept, st.lists(pair, max_size=3)).map(
        lambda t: [(k, x) for k, v in t[0].items() for x in (v if isinstance(v, list) else [v])] + t[1]
    )
    return st.one_of(mutated, mutated, st.lists(pair, max_size=6)).map(
        lambda ps: "&".join(f"{enc(k)}={enc(v)}" for k, v in ps)
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)


def bodies(handler: str, seeded: Seeded) -> st.SearchStrategy[tuple[Optional[bytes], str]]:
    """(body, Content-Type): the route's valid body with fields replaced, generated JSON, hostile bytes."""
    real = st.sampled_from(
        [
            seeded.runs[0],
            seeded.runs[1],
            seeded.exp,
            "1.0.0",
            "nb.ipynb",
            "loss",
            "https://gitlab.example/g/p/-/issues/1",
            [seeded.exp],
        ]
    )
    fields = st.dictionaries(st.sampled_from(BODY_KEYS), st.one_of(real, json_values), max_size=5)
    valid = seeded.bodies.get(handler) or [{}]
    mutated = st.sampled_from(valid).flatmap(
        lambda b: st.fixed_dictionaries(
            {k: st.one_of(st.just(v), st.just(v), hostile, json_values) for k, v in b.items()},
            optional={k: json_values for k in BODY_KEYS if k not in b},
        )
    )
    as_json = st.one_of(mutated, mutated, mutated, fields, json_values).map(lambda v: json.dumps(v).encode())
    deep = st.integers(30, 100_000).flatmap(
        lambda n: st.sampled_from(
            [b"[" * n + b"]" * n, b"[" * n, b'{"run_id": ' + b"[" * n + b"]" * n + b"}", b'{"a":' * n + b"1" + b"}" * n]
        )
    )
    raw = st.sampled_from(
        [
            b'{"run_id": NaN}',
            b'{"version": Infinity}',
            b'{"run_id": 1e999999}',
            b'{"run_id": ' + b"9" * 5000 + b"}",
            b'{"path": "\\udfff"}',
            b'{"url": "\\ud800x"}',
            b'{"run_id": "\\udfff"}',
            b'{"version": "1.0.\\ud800"}',
            b'{"description": "\\udc00"}',
            b'{"content": {"cells": "\\udc00"}}',
            b'{"run_id": "a\\u0000b"}',
            b"\xff\xfe{}",
            b'{"a": 1',
            b"null",
            b"[]",
            b'"x"',
            b"",
            b"{" * 64 + b"}" * 64,
        ]
    )
    body = st.one_of(as_json, as_json, as_json, as_json, deep, raw, st.binary(max_size=300), st.none())
    ctype = st.sampled_from(
        [
            "application/json",
            "application/json",
            "application/json",
            "",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=zz",
            "multipart/form-data",
            "application/octet-stream",
        ]
    )
    return st.tuples(body, ctype)


@dataclass
class Target:
    regex: "re.Pattern[str]"
    handler: type
    method: str
    implemented: bool


def targets(app: Any) -> list[Target]:
    """Every route of ours in tornado's router, with each method it implements and one it does not."""
    out = []
    for pattern, handler in _our_rules(app):
        mine = [m for m in METHODS if getattr(handler, m.lower()) is not getattr(web.RequestHandler, m.lower())]
        out += [Target(re.compile(pattern), handler, m, True) for m in mine]
        out += [Target(re.compile(pattern), handler, m, False) for m in METHODS if m not in mine][:1]
    return out


class Client:
    """One keep-alive connection to the server under test; reconnects when the server closed it."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.headers = parts.hostname, parts.port, headers
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        self.sent = 0

    def fetch(self, method: str, path: str, body: Optional[bytes], ctype: str) -> tuple[int, dict[str, str], bytes]:
        headers = {**self.headers, **({"Content-Type": ctype} if ctype else {})}
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                self.sent += 1
                return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
                if attempt:
                    raise
        raise AssertionError("unreachable")


def problem(routed: Optional[type], code: int, headers: dict[str, str], body: bytes) -> Optional[str]:
    """What is wrong with an answer, or None."""
    if b"Traceback" in body:
        return "a traceback in the body"
    if routed is None:  # the path no longer matches a route of ours: Jupyter's own answer
        return f"status {code}" if code >= 500 else None
    ours: Any = None
    if "json" in headers.get("content-type", "") and body:
        try:
            ours = json.loads(body)
        except ValueError:
            return "a JSON type with a body that is not JSON"
    if routed.__name__ == "ProxyHandler" and not (isinstance(ours, dict) and "error" in ours):
        return None  # MLflow's own answer, passed on
    if isinstance(ours, dict) and ours.get("error") in ("internal_error", "http_500"):
        return f"our own {code} ({ours.get('error')})"
    if code >= 500 and code not in (502, 503, 504):
        return f"status {code}"
    if code >= 400 and not (isinstance(ours, dict) and isinstance(ours.get("message"), str) and ours["message"]):
        return "an error without a JSON message"
    return None


def run_target(
    client: Client, target: Target, all_targets: list[Target], seeded: Seeded, failures: list[str], codes: Counter[str]
) -> None:
    """``max_examples`` generated requests to one route and method (hypothesis, in this worker thread)."""
    pattern = target.regex.pattern.rstrip("$")
    name = target.handler.__name__

    @settings(max_examples=EXAMPLES if target.implemented else OTHER_EXAMPLES, **SETTINGS)
    @given(
        params=path_params(re.findall(r"\(\?P<(\w+)>", pattern), seeded),
        qs=query(name, seeded),
        body=bodies(name, seeded),
        method=st.just(target.method) if target.implemented else st.sampled_from(METHODS),
    )
    def one(params: dict[str, str], qs: str, body: tuple[Optional[bytes], str], method: str) -> None:
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: params[m.group(1)], pattern).replace("\\", "")
        data, ctype = body
        if method in ("GET", "DELETE") and data is not None:
            data = data[:1000]
        if "?" in path:  # a real proxy endpoint with its own query
            path, own = path.split("?", 1)
            qs = f"{own}&{qs}" if qs else own
        routed = next((t.handler for t in all_targets if t.regex.match(path)), None)  # as tornado will route it
        code, headers, resp = client.fetch(method, path + (f"?{qs}" if qs else ""), data, ctype)
        codes[f"{getattr(routed, '__name__', '-')} {method} {code}"] += 1
        why = problem(routed, code, headers, resp)
        if why:
            failures.append(
                f"{why}: {method} {path[:200]}?{qs[:200]} body={(data or b'')[:120]!r} ({ctype}) "
                f"-> {code} {resp[:300]!r}"
            )

    one()


async def test_fuzz_every_route_and_method(seeded, jp_serverapp, http_server_client, jp_auth_header, jp_base_url):
    todo = targets(jp_serverapp.web_app)
    assert {t.handler for t in todo} == {h for _, h in handlers()}, "every route of routes.handlers() is fuzzed"
    client = Client(http_server_client.get_url("/"), jp_auth_header)
    failures: list[str] = []
    codes: Counter[str] = Counter()

    def run_all() -> None:
        for target in todo:
            run_target(client, target, todo, seeded, failures, codes)

    started = time.perf_counter()
    await asyncio.get_running_loop().run_in_executor(None, run_all)  # the loop serves meanwhile
    elapsed = time.perf_counter() - started
    print(f"fuzz: {client.sent} requests over {len(todo)} route/method targets in {elapsed:.1f} s")
    print("\n".join(f"  {k}: {n}" for k, n in sorted(codes.items())))
    assert not failures, f"{len(failures)} bad answers:\n" + "\n".join(dict.fromkeys(failures[:40]))
    assert client.sent >= 2000 or EXAMPLES < 70
    status = await http_server_client.fetch(
        url_path_join(jp_base_url, "jupyterlab-mlops", "status"), headers=jp_auth_header
    )
    assert status.code == 200 and json.loads(status.body)["backends"][0]["name"] == "default"
    page = await http_server_client.fetch(
        url_path_join(jp_base_url, "jupyterlab-mlops", "backends", "default", "experiments", seeded.exp, "runs"),
        headers=jp_auth_header,
    )
    assert {r["run_id"] for r in json.loads(page.body)["runs"]} >= set(seeded.runs)  # and still serving data

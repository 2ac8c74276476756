"""The one body parser and argument decoder of the base handler: hostile input is a 400 with a message.

Deep nesting, lone surrogates, NaN, over-long numbers and bytes that are not text are refused before a
handler sees them, on every route that reads a JSON body; query arguments with NUL or invalid UTF-8 too.
"""

from __future__ import annotations

import json

import pytest
from jupyter_server.utils import url_path_join

BODY_ROUTES = ("models/m/versions", "models/m/versions/1/links", "runs/r1/snapshot", "runs/r1/snapshot/restore")


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"[" * 100_000, "too_deep"),
        (b'{"a": ' + b"[" * 100 + b"]" * 100 + b"}", "too_deep"),
        (b'{"run_id": "\\udfff"}', "invalid_text"),
        (b'{"url": "x\\ud800", "path": "\\ud800"}', "invalid_text"),
        (b'{"run_id": NaN}', "invalid_json"),
        (b'{"run_id": ' + b"9" * 5000 + b"}", "invalid_json"),
        (b"\xff\xfe\x00", "invalid_json"),
        (b"[]", "invalid_json"),
    ],
)
async def test_hostile_bodies_are_400_on_every_route_that_reads_one(jp_fetch, body, reason):
    for route in BODY_ROUTES:
        with pytest.raises(Exception) as err:
            await jp_fetch("jupyterlab-mlops", "backends", "default", *route.split("/"), method="POST", body=body)
        resp = err.value.response
        assert resp.code == 400, (route, resp.code, resp.body[:300])
        answer = json.loads(resp.body)
        assert answer["reason"] == reason and answer["message"], (route, answer)


async def test_surrogate_pairs_and_moderate_nesting_are_fine(jp_fetch):
    """An emoji sent as a surrogate pair is text, 60 levels are allowed: the body reaches the backend."""
    for body in (
        b'{"url": "https://gitlab.example/g/p/-/issues/1#\\ud83d\\ude00"}',
        b'{"url": "https://gitlab.example/", "x": ' + b"[" * 60 + b"]" * 60 + b"}",
    ):
        with pytest.raises(Exception) as err:
            await jp_fetch(
                "jupyterlab-mlops",
                "backends",
                "default",
                "models",
                "no-such-model",
                "versions",
                "1",
                "links",
                method="POST",
                body=body,
            )
        assert err.value.response.code == 404, err.value.response.body  # the model is unknown: parsed fine


@pytest.mark.parametrize("query", ["filter=a%00b", "columns=%ED%BF%BF", "order_by=%FF", "max_results=%00"])
async def test_query_arguments_with_nul_or_invalid_text_are_400(http_server_client, jp_auth_header, jp_base_url, query):
    url = url_path_join(jp_base_url, "jupyterlab-mlops", "backends", "default", "experiments", "0", "runs")
    resp = await http_server_client.fetch(f"{url}?{query}", headers=jp_auth_header, raise_error=False)
    assert resp.code == 400 and json.loads(resp.body)["message"], resp.body

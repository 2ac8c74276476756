"""Promotion routes (next version, promote, champion) against MLflow and the GitLab stand-in,
including every bad-input case of issue 4."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from .issue4_support import BOTH, api, assert_error, model_path, seed, uniq  # noqa: F401

LINEAGE = {"mlops.snapshot.sha256": "ab" * 32, "mlflow.source.git.commit": "c0ffee1234", "gitlab.CI_JOB_ID": "4242"}


@BOTH
async def test_next_version_suggests_semver(api, seed):
    missing = (await api(model_path(seed.name, uniq("new"), "next-version"))).json
    assert missing["exists"] is False and missing["suggested"] == "1.0.0" and missing["latest"] is None
    name = seed.model()
    run = seed.run(params={"lr": 0.1})
    await api(
        model_path(seed.name, name, "versions"),
        method="POST",
        body={"run_id": run.run_id, "version": "1.4.9"},
        expect=201,
    )
    got = (await api(model_path(seed.name, name, "next-version"), query={"bump": "minor"})).json
    assert got["exists"] and got["latest"]["semver"] == "1.4.9"
    assert got["suggested"] == "1.5.0" and got["bumps"] == {"patch": "1.4.10", "minor": "1.5.0", "major": "2.0.0"}
    assert "semantic version" in got["rule"]
    assert_error(
        await api(model_path(seed.name, name, "next-version"), query={"bump": "huge"}, expect=None),
        400,
        reason="invalid_bump",
    )


@BOTH
async def test_promote_records_lineage_and_suggests_version(api, seed, request):
    if seed.gitlab:  # GitLab links gitlab.CI_JOB_ID to a job of the instance: 500 for an unknown one (C4)
        request.getfixturevalue("gitlab_server").add_job(4242)
    run = seed.run(params={"lr": "0.01"}, metrics={"loss": 0.25}, tags=LINEAGE)
    name = uniq("churn")
    got = (
        await api(
            model_path(seed.name, name, "versions"),
            method="POST",
            body={"run_id": run.run_id, "description": "first", "create_model": True},
            expect=201,
        )
    ).json
    assert got["version"]["semver"] == "1.0.0" and got["backend"] == seed.name
    assert got["lineage"] == {
        "mlops.source_run": run.run_id,
        "mlops.source_backend": seed.name,
        "mlops.source_experiment": run.experiment_id,
        "mlops.snapshot_sha256": "ab" * 32,
        "mlops.git_commit": "c0ffee1234",
        "gitlab.CI_JOB_ID": "4242",
    }
    assert got["path"] == ("copy" if seed.gitlab else "registered") and got["notes"]
    page = (await api(got["version"]["route"])).json
    assert page["lineage"]["source_run"] == run.run_id and page["lineage"]["git_commit"] == "c0ffee1234"
    assert page["lineage"]["snapshot_sha256"] == "ab" * 32 and page["lineage"]["ci_job_id"] == "4242"
    assert page["description"] == "first" and page["candidate"]["run_id"] == run.run_id
    assert page["params"] == {"lr": "0.01"} and page["metrics"]["loss"]["value"] == 0.25
    second = seed.run(params={"lr": "0.02"})
    nxt = (
        await api(model_path(seed.name, name, "versions"), method="POST", body={"run_id": second.run_id}, expect=201)
    ).json
    assert nxt["version"]["semver"] == "1.0.1"


@BOTH
async def test_bad_semver_is_400_naming_the_rule(api, seed):
    run = seed.run()
    for bad in ("v1.0.0", "1.0", "01.2.3", "latest"):
        reply = await api(
            model_path(seed.name, uniq("m"), "versions"),
            method="POST",
            body={"run_id": run.run_id, "version": bad, "create_model": True},
            expect=None,
        )
        assert_error(reply, 400, reason="invalid_semver", contains="MAJOR.MINOR.PATCH")


@BOTH
async def test_invalid_model_name_is_400_with_the_rule(api, seed):
    run = seed.run()
    for bad in ("has space", "semi;colon", "x" * 256, "<img src=x onerror=alert(1)>"):
        reply = await api(
            model_path(seed.name, bad, "versions"),
            method="POST",
            body={"run_id": run.run_id, "create_model": True},
            expect=None,
        )
        assert_error(reply, 400, reason="invalid_model_name", contains="letters, digits")
    assert_error(
        await api(model_path(seed.name, "has space", "next-version"), expect=None), 400, reason="invalid_model_name"
    )


@BOTH
async def test_existing_version_is_409_with_its_link(api, seed):
    name = seed.model()
    first, other = seed.run(), seed.run()
    await api(
        model_path(seed.name, name, "versions"),
        method="POST",
        body={"run_id": first.run_id, "version": "2.0.0"},
        expect=201,
    )
    reply = await api(
        model_path(seed.name, name, "versions"),
        method="POST",
        body={"run_id": other.run_id, "version": "2.0.0"},
        expect=None,
    )
    data = assert_error(reply, 409, reason="version_exists", contains="2.0.0")
    existing = data["existing"]
    assert existing["semver"] == "2.0.0" and existing["route"].startswith(f"backends/{seed.name}/models/")
    page = (await api(existing["route"])).json
    assert page["semver"] == "2.0.0" and page["lineage"]["source_run"] == first.run_id
    if seed.gitlab:
        assert existing["web_url"].startswith("http")


@BOTH
async def test_promoting_a_promoted_candidate_is_409(api, seed):
    name = seed.model()
    run = seed.run()
    await api(model_path(seed.name, name, "versions"), method="POST", body={"run_id": run.run_id}, expect=201)
    reply = await api(
        model_path(seed.name, name, "versions"),
        method="POST",
        body={"run_id": run.run_id, "version": "9.9.9"},
        expect=None,
    )
    data = assert_error(reply, 409, reason="already_promoted", contains=run.run_id)
    assert data["existing"]["semver"] == "1.0.0"


@BOTH
async def test_missing_model_unknown_run_and_bad_bodies(api, seed):
    run = seed.run()
    assert_error(
        await api(
            model_path(seed.name, uniq("nomodel"), "versions"), method="POST", body={"run_id": run.run_id}, expect=None
        ),
        404,
        reason="model_not_found",
    )
    name = seed.model()
    assert (
        await api(model_path(seed.name, name, "versions"), method="POST", body={"run_id": "0" * 32}, expect=None)
    ).code == 404
    for body in (b"not json", b"[1]", {"run_id": 5}, {"run_id": run.run_id, "create_model": "yes"}, {}):
        reply = await api(model_path(seed.name, name, "versions"), method="POST", body=body, expect=None)
        assert_error(reply, 400)
    assert (
        await api(model_path("nope", name, "versions"), method="POST", body={"run_id": run.run_id}, expect=None)
    ).code == 404


@pytest.mark.parametrize("mlops_backends", ["gitlab"], indirect=True)
async def test_gitlab_promotion_by_run_id_detected(api, seed, gitlab_server):
    name = seed.model()
    exp = seed.model_experiment(name)
    run = seed.run(exp, params={"lr": "0.3"}, files={"weights.bin": b"\x00\x01"})
    got = (
        await api(model_path(seed.name, name, "versions"), method="POST", body={"run_id": run.run_id}, expect=201)
    ).json
    assert got["path"] == "run" and got["version"]["run_id"] == run.run_id and "run_id" in got["notes"][0]
    page = (await api(got["version"]["route"])).json
    assert [a["path"] for a in page["artifacts"]] == ["weights.bin"] and page["lineage"]["path"] == "run"
    # an instance without promotion through the MLflow API: detected, fallback copies the candidate
    gitlab_server.supports_run_promotion = False
    run2 = seed.run(exp, params={"lr": "0.4"}, metrics={"acc": 0.9}, files={"weights.bin": b"\x02"})
    got2 = (
        await api(model_path(seed.name, name, "versions"), method="POST", body={"run_id": run2.run_id}, expect=201)
    ).json
    assert got2["path"] == "copy" and got2["version"]["run_id"] != run2.run_id
    assert "ignored run_id" in " ".join(got2["notes"])
    page2 = (await api(got2["version"]["route"])).json
    assert page2["params"] == {"lr": "0.4"} and page2["metrics"]["acc"]["value"] == 0.9
    assert [a["path"] for a in page2["artifacts"]] == ["weights.bin"] and page2["lineage"]["path"] == "copy"
    # the copied candidate still counts as promoted
    again = await api(model_path(seed.name, name, "versions"), method="POST", body={"run_id": run2.run_id}, expect=None)
    assert_error(again, 409, reason="already_promoted")


@BOTH
async def test_champion_check_side_by_side(api, seed):
    name = seed.model()
    champ = seed.run(metrics={"loss": 0.5, "acc": 0.8})
    await api(model_path(seed.name, name, "versions"), method="POST", body={"run_id": champ.run_id}, expect=201)
    cand = seed.run(metrics={"loss": 0.4, "acc": 0.7})
    got = (
        await api(model_path(seed.name, name, "champion"), query={"run_id": cand.run_id, "metrics": "loss,acc"})
    ).json
    assert got["champion"]["semver"] == "1.0.0" and got["champion"]["metrics"]["loss"] == 0.5
    rows = {r["key"]: r for r in got["rows"]}
    assert rows["loss"]["better"] == "candidate" and rows["loss"]["direction"] == "min"
    assert rows["acc"]["better"] == "champion" and rows["acc"]["delta"] == pytest.approx(-0.1)
    fresh = (await api(model_path(seed.name, uniq("none"), "champion"), query={"run_id": cand.run_id})).json
    assert fresh["champion"] is None and {r["key"] for r in fresh["rows"]} == {"loss", "acc"}
    assert_error(await api(model_path(seed.name, name, "champion"), expect=None), 400, reason="missing_run_id")


@BOTH
async def test_garbage_never_answers_500(api, seed):
    """Hand-made hostile inputs over every issue-4 route: always a typed JSON error, never a 500."""
    name = seed.model()
    run = seed.run()
    v = (
        await api(model_path(seed.name, name, "versions"), method="POST", body={"run_id": run.run_id}, expect=201)
    ).json["version"]["route"]
    weird = [
        "",
        " ",
        "..",
        "../..",
        "%00",
        "\u202e",
        "'; drop table--",
        "a" * 3000,
        "<img src=x onerror=alert(1)>",
        "1.0.0+" + "x" * 300,
        "²",
        "-1",
        "9" * 40,
    ]
    for w in weird:
        replies = [
            await api("compare", query={"run": [w, w + "2"], "max_points": w, "x": w}, expect=None),
            await api("compare.csv", query={"run": [f"{seed.name}:{w}", run.run_id]}, expect=None),
            await api(model_path(seed.name, w or "x", "next-version"), query={"bump": w}, expect=None),
            await api(
                model_path(seed.name, name, "versions"),
                method="POST",
                body={"run_id": w, "version": w, "description": w},
                expect=None,
            ),
            await api(model_path(seed.name, name, "champion"), query={"run_id": w, "metrics": w}, expect=None),
            await api(model_path(seed.name, w or "x"), expect=None),
            await api(model_path(seed.name, name, "versions", w or "x"), expect=None),
            await api(v + "/links", method="POST", body={"url": w}, expect=None),
            await api(v + "/links/" + quote(w.replace("/", "") or "x", safe=""), method="DELETE", expect=None),
            await api(v + "/artifacts/download", query={"path": w}, expect=None),
            await api("models", query={"search": w}, expect=None),
        ]
        for r in replies:
            assert r.code < 500 or r.code in (502, 503, 504), (w, r.code, r.body[:300])
            if r.code >= 400:
                assert r.body.startswith(b"{"), (w, r.code, r.body[:300])
                assert {"message", "error"} <= set(r.json), r.body

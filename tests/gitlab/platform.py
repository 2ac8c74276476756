"""GitLab REST beyond MLflow that a client may use next to it: ``GET /projects/:id`` (C12), ``GET /users/:id``
(C11) and ``GET /projects/:id/jobs/:job_id`` (C4), in the shapes of GitLab's API entities
(``API::Entities::Project``, ``API::Entities::User``, ``API::Entities::Ci::Job``)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

from .core import REPORTER, ApiError, Ctx, Job, State, User

READ_BUILD = REPORTER  # ``read_build`` on a private project: Reporter+ (a Guest gets 403)
NAMESPACE_ID = 7
CREATED = 1_700_000_000.0


def iso(ts: float) -> str:
    """GitLab's API time format: ``2015-12-24T15:51:21.880Z``."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ts * 1000) % 1000:03d}Z"


def _basic_user(host: str, user: User) -> dict[str, Any]:
    """``UserBasic``: id, username, name, state, locked, avatar_url, web_url."""
    return {
        "id": user.id,
        "username": user.username,
        "name": user.display_name,
        "state": "active",
        "locked": False,
        "avatar_url": f"https://www.gravatar.com/avatar/{hashlib.md5(user.username.encode()).hexdigest()}"
        "?s=80&d=identicon",
        "web_url": f"{host}/{user.username}",
    }


def _user(host: str, user: User) -> dict[str, Any]:
    """``API::Entities::User`` (what ``GET /users/:id`` and a job's ``user`` show)."""
    return {
        **_basic_user(host, user),
        "created_at": iso(CREATED),
        "bio": "",
        "location": "",
        "public_email": "",
        "skype": "",
        "linkedin": "",
        "twitter": "",
        "discord": "",
        "website_url": "",
        "organization": "",
        "job_title": "",
        "pronouns": None,
        "bot": False,
        "work_information": None,
        "followers": 0,
        "following": 0,
        "is_followed": False,
        "local_time": None,
    }


def user_entity(host: str, state: State, ident: str) -> dict[str, Any]:
    """``GET /users/:id``: by numeric id or by username; unknown -> 404 User Not Found."""
    user = (
        state.users.get(int(ident))
        if ident.isdigit()
        else next((u for u in state.users.values() if u.username == ident), None)
    )
    if user is None:
        raise ApiError(404, {"message": "404 User Not Found"})
    return _user(host, user)


def project_entity(ctx: Ctx) -> dict[str, Any]:
    """``GET /projects/:id`` (C12): an API answer, not the web page, which is ``web_url``."""
    group, _, path = ctx.project_path.rpartition("/")
    web = ctx.web_project
    host = ctx.host_url.split("://", 1)[-1]
    enabled = "enabled"
    return {
        "id": ctx.project_id,
        "description": "Stand-in project",
        "name": path.capitalize(),
        "name_with_namespace": f"{group.capitalize()} / {path.capitalize()}",
        "path": path,
        "path_with_namespace": ctx.project_path,
        "created_at": iso(CREATED),
        "default_branch": "main",
        "tag_list": [],
        "topics": [],
        "ssh_url_to_repo": f"git@{host.split(':')[0]}:{ctx.project_path}.git",
        "http_url_to_repo": f"{web}.git",
        "web_url": web,
        "readme_url": f"{web}/-/blob/main/README.md",
        "forks_count": 0,
        "avatar_url": None,
        "star_count": 0,
        "last_activity_at": iso(CREATED),
        "visibility": "private",
        "namespace": {
            "id": NAMESPACE_ID,
            "name": group.capitalize(),
            "path": group,
            "kind": "group",
            "full_path": group,
            "parent_id": None,
            "avatar_url": None,
            "web_url": f"{ctx.host_url}/groups/{group}",
        },
        "_links": {
            "self": ctx.api_project,
            "issues": f"{ctx.api_project}/issues",
            "merge_requests": f"{ctx.api_project}/merge_requests",
            "repo_branches": f"{ctx.api_project}/repository/branches",
            "labels": f"{ctx.api_project}/labels",
            "events": f"{ctx.api_project}/events",
            "members": f"{ctx.api_project}/members",
            "cluster_agents": f"{ctx.api_project}/cluster_agents",
        },
        "packages_enabled": ctx.knobs.packages_enabled,
        "model_experiments_access_level": enabled,
        "model_registry_access_level": enabled if ctx.knobs.model_registry_enabled else "disabled",
        "builds_access_level": enabled,
        "permissions": {
            "project_access": {"access_level": ctx.user.role, "notification_level": 3},
            "group_access": None,
        },
    }


def job_entity(ctx: Ctx, ident: str) -> dict[str, Any]:
    """``GET /projects/:id/jobs/:job_id``: ``user_project.builds.find``; another project's job is 404 here
    (the ``gitlab.CI_JOB_ID`` lookup is instance-wide, this one is not)."""
    job = ctx.state.jobs.get(int(ident)) if ident.isdigit() else None
    if job is None or job.project_id != ctx.project_id:
        raise ApiError(404, {"message": "404 Not found"})
    return job_json(ctx, job)


def job_json(ctx: Ctx, job: Job) -> dict[str, Any]:
    web = ctx.web_project
    sha = hashlib.sha1(f"pipeline-{job.pipeline_id}".encode()).hexdigest()
    user = ctx.state.users.get(job.user_id) or User(job.user_id, f"user{job.user_id}", frozenset())
    t = job.created_at
    source = "merge_request_event" if job.mr_iid is not None else "push"
    return {
        "id": job.id,
        "status": job.status,
        "stage": job.stage,
        "name": job.name,
        "ref": job.ref,
        "tag": False,
        "coverage": None,
        "allow_failure": False,
        "created_at": iso(t),
        "started_at": iso(t + 1),
        "finished_at": iso(t + 61) if job.status in ("success", "failed", "canceled") else None,
        "erased_at": None,
        "duration": 60.0 if job.status in ("success", "failed", "canceled") else None,
        "queued_duration": 1.0,
        "user": _user(ctx.host_url, user),
        "commit": {
            "id": sha,
            "short_id": sha[:8],
            "created_at": iso(t),
            "parent_ids": [],
            "title": "Train",
            "message": "Train\n",
            "author_name": user.display_name,
            "author_email": f"{user.username}@example.com",
            "authored_date": iso(t),
            "committer_name": user.display_name,
            "committer_email": f"{user.username}@example.com",
            "committed_date": iso(t),
            "trailers": {},
            "extended_trailers": {},
            "web_url": f"{web}/-/commit/{sha}",
        },
        "pipeline": {
            "id": job.pipeline_id,
            "iid": job.pipeline_iid,
            "project_id": job.project_id,
            "sha": sha,
            "ref": job.ref,
            "status": job.status,
            "source": source,
            "created_at": iso(t),
            "updated_at": iso(t + 61),
            "web_url": f"{web}/-/pipelines/{job.pipeline_id}",
        },
        **({"failure_reason": "script_failure"} if job.status == "failed" else {}),
        "web_url": f"{web}/-/jobs/{job.id}",
        "project": {"ci_job_token_scope_enabled": False},
        "artifacts": [],
        "runner": None,
        "runner_manager": None,
        "artifacts_expire_at": None,
        "archived": False,
        "tag_list": [],
    }

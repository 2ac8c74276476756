"""Async calls from the GitLab stand-in to the real MLflow server that stores its data."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPClientError

from .core import ApiError, invalid_parameter, resource_not_found


class Upstream:
    """Thin MLflow REST client. MLflow errors are turned into GitLab-shaped ``ApiError``s."""

    def __init__(self, mlflow_url: str, timeout: float = 30.0) -> None:
        self.api = mlflow_url.rstrip("/") + "/api/2.0/mlflow"
        self.timeout = timeout
        self._client: AsyncHTTPClient | None = None

    @property
    def client(self) -> AsyncHTTPClient:
        """Own client instance (created on the stand-in's loop), wider than tornado's default 10."""
        if self._client is None:
            self._client = AsyncHTTPClient(force_instance=True, max_clients=32)
        return self._client

    async def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        url = f"{self.api}/{path}"
        if params:
            url += "?" + urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
        kwargs: dict[str, Any] = {"method": method, "request_timeout": self.timeout, "connect_timeout": 5.0}
        if method != "GET":
            kwargs["body"] = json.dumps(body or {})
            kwargs["headers"] = {"Content-Type": "application/json"}
        try:
            resp = await self.client.fetch(url, **kwargs)
        except HTTPClientError as e:
            if e.code == 599:  # timeout
                raise ApiError(504, {"message": "504 Gateway Timeout"}) from None
            try:
                err = json.loads(e.response.body) if e.response is not None else {}
            except ValueError:
                err = {}
            if e.code == 404 or err.get("error_code") == "RESOURCE_DOES_NOT_EXIST":
                raise resource_not_found() from None
            if err.get("error_code") == "RESOURCE_ALREADY_EXISTS":
                raise ApiError(400, {"error_code": "RESOURCE_ALREADY_EXISTS"}) from None
            if e.code < 500:
                raise invalid_parameter(err.get("message") or str(e)) from None
            raise ApiError(500, {"message": "500 Internal Server Error"}) from None
        except OSError:  # connection refused / reset: MLflow is down
            raise ApiError(502, {"message": "502 Bad Gateway"}) from None
        return json.loads(resp.body or b"{}")

    async def get(self, path: str, **params: Any) -> dict[str, Any]:
        return await self.call("GET", path, params=params)

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self.call("POST", path, body=body)

    # helpers that walk MLflow's own pagination
    async def all_experiments(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        token = None
        while True:
            body: dict[str, Any] = {"max_results": 1000, "view_type": "ACTIVE_ONLY"}
            if token:
                body["page_token"] = token
            r = await self.post("experiments/search", body)
            out.extend(r.get("experiments", []))
            token = r.get("next_page_token")
            if not token:
                return out

    async def all_runs(self, experiment_id: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        token = None
        while True:
            body: dict[str, Any] = {
                "experiment_ids": [experiment_id],
                "max_results": 1000,
                "run_view_type": "ACTIVE_ONLY",
            }
            if token:
                body["page_token"] = token
            r = await self.post("runs/search", body)
            out.extend(r.get("runs", []))
            token = r.get("next_page_token")
            if not token:
                return out

    async def metric_history(self, run_id: str, key: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        token = None
        while True:
            r = await self.get(
                "metrics/get-history", run_id=run_id, metric_key=key, max_results=25000, page_token=token
            )
            out.extend(r.get("metrics", []))
            token = r.get("next_page_token")
            if not token:
                return out

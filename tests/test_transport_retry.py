"""A read sent on a kept-alive connection the backend closed meanwhile is sent again once on a fresh connection;
a write never is (it could be applied twice). A real TCP server plays the backend: its first connection reads the
request and closes without an answer, as a server closing an idle keep-alive connection does."""

from __future__ import annotations

import asyncio

import pytest

from jupyterlab_mlops.client.backend import Backend
from jupyterlab_mlops.client.errors import BackendUnreachable
from jupyterlab_mlops.server.transport import KEEPALIVE_EXPIRY, AsyncClient


class DroppingServer:
    """Closes its first ``drop`` connections after reading a request; answers ``{}`` on the others."""

    def __init__(self, drop: int) -> None:
        self.drop = drop
        self.connections = 0
        self.requests: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        head = await reader.readuntil(b"\r\n\r\n")
        self.requests.append(head.split(b"\r\n", 1)[0])
        if self.connections <= self.drop:
            writer.close()
            return
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        await writer.drain()
        writer.close()

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()
        await self.server.wait_closed()


async def test_a_read_is_sent_again_once_on_a_fresh_connection():
    server = DroppingServer(drop=1)
    async with server as url:
        client = AsyncClient(Backend("b", url))
        try:
            async with client.open("GET", f"{url}/api/2.0/mlflow/experiments/get") as response:
                assert response.status_code == 200 and await response.aread() == b"{}"
        finally:
            await client.close()
    assert server.connections == 2 and server.requests == [b"GET /api/2.0/mlflow/experiments/get HTTP/1.1"] * 2


async def test_a_read_that_fails_twice_is_an_unreachable_backend():
    server = DroppingServer(drop=2)
    async with server as url:
        client = AsyncClient(Backend("b", url))
        try:
            with pytest.raises(BackendUnreachable, match="unreachable"):
                async with client.open("GET", f"{url}/x"):
                    pass
        finally:
            await client.close()
    assert server.connections == 2  # once again, not in a loop


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
async def test_a_write_is_never_sent_twice(method):
    server = DroppingServer(drop=1)
    async with server as url:
        client = AsyncClient(Backend("b", url))
        try:
            with pytest.raises(BackendUnreachable):
                async with client.open(method, f"{url}/api/2.0/mlflow/runs/log-batch", content=b'{"run_id": "r"}'):
                    pass
        finally:
            await client.close()
    assert server.connections == 1


def test_idle_connections_go_before_the_backends_own_keep_alive_ends():
    assert KEEPALIVE_EXPIRY < 5.0  # uvicorn's default timeout_keep_alive (MLflow 3's server)

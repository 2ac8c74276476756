"""Session fixtures of the team test: the shared backend (PostgreSQL + moto S3 + MLflow with 2 workers) and a
JupyterHub with two users whose servers load jupyterlab_mlops against it. Prerequisites: ``tests/team/setup.sh``."""

from __future__ import annotations

from typing import Iterator

import pytest

from .hub import Hub, UserServer
from .services import TeamBackend


@pytest.fixture(scope="session")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TeamBackend]:
    """``.url`` (MLflow), ``.postgres`` (``stop()``/``start()``), ``.s3_relay`` (``down()``/``up()``), ``.moto``."""
    backend = TeamBackend(tmp_path_factory.mktemp("team-backend")).start()
    try:
        yield backend
    finally:
        backend.close()


@pytest.fixture(scope="session")
def hub(team: TeamBackend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """JupyterHub (dummy authenticator, ``SimpleLocalProcessSpawner``) with ``alice`` and ``bob`` running."""
    h = Hub(tmp_path_factory.mktemp("hub"), team.url)
    try:
        h.start()
        yield h
    finally:
        h.stop()


@pytest.fixture(autouse=True)
def _team_restored(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that takes a part of the backend down brings it back even when it fails half-way."""
    yield
    if "team" in request.fixturenames:
        team: TeamBackend = request.getfixturevalue("team")
        if team.postgres is not None and not team.postgres.running:
            team.postgres.start()
        if team.s3_relay is not None:
            team.s3_relay.up()


@pytest.fixture
def alice(hub: Hub) -> UserServer:
    return hub.servers["alice"]


@pytest.fixture
def bob(hub: Hub) -> UserServer:
    return hub.servers["bob"]

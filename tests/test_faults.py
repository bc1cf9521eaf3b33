"""Faults get a clear answer, and service comes back on its own.

A store that cannot be used gives a 503 with one plain line, in the body and
in the server's log, never a traceback; once the store is back, the same
server serves again. A record in the store that is not one of ours counts as
no session. A server error saves nothing. All of it on real stores: a Redis
server that is stopped and started again, SQLite files that are locked,
read-only or corrupt.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Response, session

from demo_server import DEFAULT_USER, RedisStore, SQLiteStore, create_app
from demo_server.learn.redis_server import RedisServer
from demo_server.runner import RunningServer
from wire import LOGGED_OUT, LoopbackClient, replay, session_cookie

GREETING = f"hello {DEFAULT_USER} welcome"
UNAVAILABLE = "the session store is unavailable: "


def assert_unavailable(response: object, srv: RunningServer, reason: str) -> None:
    """A 503 whose body is one line naming ``reason``, and that line in the log, without a traceback."""
    assert response.status_code == 503  # type: ignore[attr-defined]
    body = response.text  # type: ignore[attr-defined]
    assert body.startswith(UNAVAILABLE) and reason in body and "\n" not in body
    assert f"warning: session store unavailable: {body.removeprefix(UNAVAILABLE)}" in srv.log
    assert not [line for line in srv.log if "Traceback" in line or line.startswith("error")]


def login(url: str) -> str:
    with LoopbackClient() as c:
        cookie = session_cookie(c.get(url + "/login"))
    assert cookie is not None
    return cookie.pair


# -- Redis stopped and started again ------------------------------------------------


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A Redis of this test's own, so stopping it disturbs no other test."""
    with RedisServer() as server:
        yield server


def test_redis_down_gives_503_and_up_again_serves_again(serve, own_redis: RedisServer) -> None:
    store = RedisStore(own_redis.url, prefix=f"faults-{uuid.uuid4().hex}:")
    srv = serve(store=store)
    cookie = login(srv.url)
    assert replay(srv.url, cookie).text == GREETING

    own_redis.stop()
    for path in ("/", "/login", "/count", "/session"):
        assert_unavailable(replay(srv.url, cookie, path), srv, "ConnectionError")
    assert replay(srv.url, "", "/static/pages.css").status_code == 200  # no session used: still served

    with RedisServer(port=own_redis.port):  # the same address, an empty Redis
        assert replay(srv.url, cookie).text == LOGGED_OUT  # its session was in the old Redis
        again = login(srv.url)
        assert replay(srv.url, again).text == GREETING
    store.close()


def test_an_unreachable_redis_fails_ping_in_one_line() -> None:
    with RedisServer() as server:
        url = server.url
    from demo_server.stores import StoreUnavailable

    with RedisStore(url) as store, pytest.raises(StoreUnavailable, match="ConnectionError: Error 111"):
        store.ping()


# -- SQLite: locked, read-only, corrupt ------------------------------------------------


def test_sqlite_locked_past_the_timeout_gives_503_then_serves(serve, tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    srv = serve(store=SQLiteStore(path, timeout=0.2))
    cookie = login(srv.url)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")  # another process holding the write lock
        assert replay(srv.url, cookie).text == GREETING  # WAL: reads go on
        assert_unavailable(replay(srv.url, "", "/login"), srv, "database is locked (s.db)")
    finally:
        holder.execute("COMMIT")
        holder.close()
    assert replay(srv.url, login(srv.url)).text == GREETING


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[callable]:
    """Make files read-only, even for root (whom file modes do not stop): the immutable attribute."""
    made: list[Path] = []

    def make(*paths: Path) -> None:
        for path in paths:
            result = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
            if result.returncode:
                pytest.skip(f"cannot make a file read-only here: {result.stderr.strip()}")
            made.append(path)

    yield make
    for path in made:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_sqlite_read_only_gives_503_then_serves_when_writable(serve, tmp_path: Path, read_only) -> None:
    path = tmp_path / "s.db"
    srv = serve(store=SQLiteStore(path))
    cookie = login(srv.url)
    read_only(path, Path(f"{path}-wal"))  # not -shm: SQLite writes it through a memory map
    assert replay(srv.url, cookie).text == GREETING  # reading still works
    assert_unavailable(replay(srv.url, cookie, "/count"), srv, "(s.db)")  # a disk I/O or read-only error
    subprocess.run(["chattr", "-i", str(path), f"{path}-wal"], check=True)
    assert replay(srv.url, cookie, "/count").text == "1"


def test_sqlite_corrupt_gives_503_then_serves_from_a_restored_file(serve, tmp_path: Path) -> None:
    """No pooled connections (``pool_size=0``): each request opens the file afresh and meets the damage."""
    path = tmp_path / "s.db"
    store = SQLiteStore(path, pool_size=0)
    srv = serve(store=store)
    cookie = login(srv.url)
    backup = tmp_path / "backup.db"
    with sqlite3.connect(path) as live, sqlite3.connect(backup) as copy:
        live.backup(copy)
    live.close()
    copy.close()
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    path.write_bytes(b"this is not a database" * 300)
    assert_unavailable(replay(srv.url, cookie), srv, "file is not a database (s.db)")
    shutil.copyfile(backup, path)  # an operator restores the file
    assert replay(srv.url, cookie).text == GREETING


# -- records that are not ours -------------------------------------------------------


GARBAGE = {
    "plain garbage": "garbage",
    "data that is a list": '{"data": [], "created_at": 1, "max_age": null}',
    "an unknown field": '{"data": {}, "created_at": 1, "max_age": null, "admin": true}',
    "created_at as a string": '{"data": {}, "created_at": "yesterday", "max_age": null}',
    "a missing field": '{"data": {}, "created_at": 1}',
}


@pytest.mark.parametrize("record", list(GARBAGE.values()), ids=list(GARBAGE))
def test_an_invalid_sqlite_record_counts_as_no_session(serve, tmp_path: Path, record: str) -> None:
    path = tmp_path / "s.db"
    srv = serve(store=SQLiteStore(path))
    cookie = login(srv.url)
    sid = cookie.split("=")[1].split(".")[0]
    with sqlite3.connect(path) as db:
        db.execute("UPDATE sessions SET record = ? WHERE id = ?", (record, sid))
    db.close()
    answer = replay(srv.url, cookie)
    assert (answer.status_code, answer.text) == (200, LOGGED_OUT)
    assert srv.store.all() == {}  # deleted on the way
    assert len([line for line in srv.log if line.startswith("warning: discarded the invalid session record")]) == 1


def test_an_expiry_that_is_not_a_number_counts_as_no_session(serve, tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    srv = serve(store=SQLiteStore(path))
    cookie = login(srv.url)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE sessions SET expires_at_ms = 'never'")
    db.close()
    assert replay(srv.url, cookie).text == LOGGED_OUT and srv.store.all() == {}


@pytest.mark.parametrize("how", ["garbage", "a hash"])
def test_an_invalid_redis_record_counts_as_no_session(serve, redis_url: str, how: str) -> None:
    store = RedisStore(redis_url, prefix=f"faults-{uuid.uuid4().hex}:")
    srv = serve(store=store)
    cookie = login(srv.url)
    key = store.prefix + cookie.split("=")[1].split(".")[0]
    client = redis.Redis.from_url(redis_url)
    ttl = client.pttl(key)
    client.delete(key)
    if how == "garbage":
        client.set(key, b"\xff\xfe not json", px=ttl)
    else:
        client.hset(key, "data", "{}")
        client.pexpire(key, ttl)
    assert replay(srv.url, cookie).text == LOGGED_OUT
    assert not client.exists(key)
    client.close()
    store.close()


# -- a server error saves nothing ----------------------------------------------------


def test_a_5xx_response_saves_nothing(serve) -> None:
    app = create_app()

    @app.get("/fail")
    def fail() -> Response:
        session["half"] = "written"
        raise RuntimeError("a bug after the session was changed")

    srv = serve(app)
    cookie = login(srv.url)
    failed = replay(srv.url, cookie, "/fail")
    assert failed.status_code == 500 and session_cookie(failed) is None
    assert [record.data for record in srv.store.all().values()] == [{"userinfo": DEFAULT_USER}]
    new_visitor = replay(srv.url, "", "/fail")
    assert session_cookie(new_visitor) is None and len(srv.store.all()) == 1  # nothing created either

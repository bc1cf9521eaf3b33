"""Races that a logout must win, over real HTTP, made deterministic with gates and barriers, never sleeps.

The slow request is ``GET /count?pause=2``: it loads its session, then waits
inside the view until the test has done its part and ends the pause
(:class:`demo_server.app.Pauses`). So "the logout happened while the write was
in flight" is a fact each test establishes, not a timing it hopes for.
Every race runs on every store; the same races against an
:class:`~demo_server.UpsertStore` (how express-session's MemoryStore writes)
show that the tests would catch a resurrection.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests

from demo_server import DEFAULT_USER, MemoryStore, RedisStore, SessionRecord, SessionStore, SQLiteStore, UpsertStore
from demo_server.runner import RunningServer, start_server_process
from demo_server.sessions import SessionInterrupted
from demo_server.stores import store_from_url
from wire import LOGGED_OUT, SetCookie, replay, session_cookie

GREETING = f"hello {DEFAULT_USER} welcome"
INTERRUPTED = SessionInterrupted.description
SECRET = "race-secret-" + "0" * 32


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SessionStore]:
    if request.param == "memory":
        made: SessionStore = MemoryStore()
    elif request.param == "sqlite":
        made = SQLiteStore(tmp_path / "sessions.db")
    else:
        made = RedisStore(request.getfixturevalue("redis_url"), prefix=f"race-{uuid.uuid4().hex}:")
    with made:
        yield made
        made.clear()


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=16) as executor:
        yield executor


def login(url: str, cookie: SetCookie | None = None) -> SetCookie:
    response = replay(url, cookie.pair if cookie else "", "/login")
    assert response.text == "登入成功"
    issued = session_cookie(response)
    assert issued is not None
    return issued


def slow_write(pool: ThreadPoolExecutor, srv: RunningServer, cookie: SetCookie, *, atomic: bool = False,
               ) -> Future[requests.Response]:
    """Start ``/count?pause=2`` with ``cookie`` and return once it has loaded its session and is pausing."""
    path = "/count?pause=2" + ("&atomic=1" if atomic else "")
    in_flight = pool.submit(replay, srv.url, cookie.pair, path)
    srv.pauses.wait_until_paused()
    return in_flight


def assert_interrupted(response: requests.Response) -> None:
    """The in-flight write was refused: a 400 that says so, and no cookie at all."""
    assert (response.status_code, response.text) == (400, INTERRUPTED)
    assert session_cookie(response) is None


@pytest.mark.parametrize("atomic", [False, True], ids=["plain", "atomic"])
def test_logout_during_an_in_flight_write_is_final(serve, store: SessionStore, pool: ThreadPoolExecutor,
                                                   atomic: bool) -> None:
    """The issue's four steps: log in, start a slow write, log out, and the session stays dead."""
    srv = serve(store=store, max_age=60)  # with a max age, a modified session would re-send its cookie
    cookie = login(srv.url)
    in_flight = slow_write(pool, srv, cookie, atomic=atomic)

    logout = replay(srv.url, cookie.pair, "/loginOut")
    assert logout.text == "退出登入" and session_cookie(logout).value == ""
    assert replay(srv.url, cookie.pair).text == LOGGED_OUT  # dead right after the logout ...

    srv.pauses.release()
    assert_interrupted(in_flight.result(10))
    assert replay(srv.url, cookie.pair).text == LOGGED_OUT  # ... and still dead after the write finished
    assert store.get(cookie.sid) is None and store.all() == {}


def test_login_during_an_in_flight_write_leaves_the_old_id_dead(serve, store: SessionStore,
                                                                 pool: ThreadPoolExecutor) -> None:
    srv = serve(store=store, max_age=60)
    old = login(srv.url)
    in_flight = slow_write(pool, srv, old)

    new = login(srv.url, old)  # a login with the old cookie regenerates the id
    assert new.sid != old.sid

    srv.pauses.release()
    assert_interrupted(in_flight.result(10))  # no Set-Cookie: it must not clobber the new login's cookie
    assert replay(srv.url, old.pair).text == LOGGED_OUT
    assert replay(srv.url, new.pair).text == GREETING
    assert store.get(old.sid) is None and list(store.all()) == [new.sid]


def test_an_upsert_store_brings_the_logged_out_session_back(serve, pool: ThreadPoolExecutor) -> None:
    """The control: written the way express-session's MemoryStore writes, the same race resurrects."""
    store = UpsertStore()
    srv = serve(store=store)
    cookie = login(srv.url)
    in_flight = slow_write(pool, srv, cookie)
    replay(srv.url, cookie.pair, "/loginOut")
    assert replay(srv.url, cookie.pair).text == LOGGED_OUT
    srv.pauses.release()
    assert in_flight.result(10).text == "1"
    assert replay(srv.url, cookie.pair).text == GREETING  # alive again
    assert store.get(cookie.sid) is not None


def test_an_idle_renewal_in_flight_during_logout_revives_nothing(serve, store: SessionStore) -> None:
    """A request that only moves the expiry (touch) keeps its answer, sends no cookie, and revives nothing."""
    entered, release = threading.Event(), threading.Event()
    original_touch = store.touch

    def touch_when_released(sid: str, expires_at: float) -> bool:
        entered.set()
        assert release.wait(10)
        return original_touch(sid, expires_at)

    store.touch = touch_when_released  # type: ignore[method-assign]
    srv = serve(store=store, rolling=True)  # rolling: every visit renews the expiry and re-sends the cookie
    cookie = login(srv.url)
    with ThreadPoolExecutor(max_workers=1) as one:
        visit = one.submit(replay, srv.url, cookie.pair)
        assert entered.wait(10)  # the visit has decided to touch, and is about to
        store.destroy(cookie.sid)  # the logout lands first
        release.set()
        answer = visit.result(10)
    assert (answer.status_code, answer.text) == (200, GREETING)  # read before the logout: its answer stands
    assert session_cookie(answer) is None  # but it names no dead id
    assert store.get(cookie.sid) is None


def test_atomic_increments_with_resave_are_never_reverted(serve, store: SessionStore) -> None:
    """1 + 8 concurrent ``/count?atomic=1`` with ``resave``: every request's final whole-record write
    waits until all nine have done their atomic increment, then they all write. The count is 9."""
    requests_in_flight = 9
    all_incremented = threading.Barrier(requests_in_flight, timeout=10)
    original_update = store.update

    def update_waiting_at_save(sid: str, change: Callable, *, known: SessionRecord | None = None) -> Any:
        if known is not None:  # the save at the end of a request passes the record it loaded
            all_incremented.wait()
        return original_update(sid, change, known=known)

    store.update = update_waiting_at_save  # type: ignore[method-assign]
    srv = serve(store=store, resave=True)
    cookie = login(srv.url)
    with ThreadPoolExecutor(max_workers=requests_in_flight) as clients:
        answers = list(clients.map(lambda _: replay(srv.url, cookie.pair, "/count?atomic=1"),
                                   range(requests_in_flight)))
    assert [a.status_code for a in answers] == [200] * requests_in_flight
    assert sorted(int(a.text) for a in answers) == list(range(1, requests_in_flight + 1))
    assert store.get(cookie.sid).data["count"] == requests_in_flight


def test_a_save_never_reverts_a_concurrent_change_to_other_keys(serve, store: SessionStore,
                                                                pool: ThreadPoolExecutor) -> None:
    """A slow request that changed ``count`` saves only ``count``: a login name set meanwhile stays."""
    srv = serve(store=store)
    cookie = login(srv.url)
    in_flight = slow_write(pool, srv, cookie)
    record = store.get(cookie.sid)
    renamed = replace(record, data={"userinfo": "李四"})
    assert store.replace(cookie.sid, renamed, version=record.version) is not None  # another request renames the user
    srv.pauses.release()
    assert in_flight.result(10).text == "1"
    assert store.get(cookie.sid).data == {"userinfo": "李四", "count": 1}


def _load_then_touch(spec: str, sid: str, loaded: Any, destroyed: Any, result: Any) -> None:
    """In another process: load the session, wait while it is destroyed, then try to renew it."""
    with store_from_url(spec) as store:
        found = store.get(sid) is not None
        loaded.wait(20)
        destroyed.wait(20)
        result.put((found, store.touch(sid, time.time() + 600)))


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_touch_in_one_process_never_revives_a_session_destroyed_in_another(kind: str, request: pytest.FixtureRequest,
                                                                           tmp_path: Path) -> None:
    spec = f"sqlite:{tmp_path / 's.db'}" if kind == "sqlite" else request.getfixturevalue("redis_url")
    context = multiprocessing.get_context("spawn")
    loaded, destroyed, result = context.Barrier(2), context.Barrier(2), context.Queue()
    with store_from_url(spec) as store:
        sid = uuid.uuid4().hex
        store.create(sid, SessionRecord(data={"userinfo": DEFAULT_USER}, expires_at=time.time() + 60,
                                        created_at=time.time()))
        other = context.Process(target=_load_then_touch, args=(spec, sid, loaded, destroyed, result))
        other.start()
        try:
            loaded.wait(20)
            store.destroy(sid)
            destroyed.wait(20)
            assert result.get(timeout=20) == (True, False)  # it had loaded the session; its touch was refused
        finally:
            other.join(20)
        assert store.get(sid) is None and store.all() == {}


def test_two_processes_on_one_sqlite_file_never_wait_for_each_others_code(serve, tmp_path: Path,
                                                                           pool: ThreadPoolExecutor) -> None:
    """While a slow atomic update runs in one server, another server process on the same file
    answers atomic updates and a login at once: no file lock is held while caller code runs."""
    path = tmp_path / "shared.db"
    here = serve(store=SQLiteStore(path), secret=SECRET)
    there = start_server_process("--store", f"sqlite:{path}", "--secret", SECRET, name="race-sqlite-there")
    try:
        cookie = login(here.url)
        in_flight = slow_write(pool, here, cookie, atomic=True)  # paused inside the store's update

        counts = [replay(there.url, cookie.pair, "/count?atomic=1") for _ in range(5)]
        newcomer = replay(there.url, "", "/login")
        assert not in_flight.done()  # all of the above was answered while the slow update was still running
        assert [(r.status_code, r.text) for r in counts] == [(200, str(n)) for n in range(1, 6)]
        assert newcomer.status_code == 200 and session_cookie(newcomer) is not None

        here.pauses.release(for_good=True)  # its first try is refused (the other process wrote): it retries
        answer = in_flight.result(10)
        assert (answer.status_code, answer.text) == (200, "6")
        assert replay(there.url, cookie.pair, "/session").json()["data"]["count"] == 6
    finally:
        there.stop()


def test_two_processes_counting_on_one_sqlite_file_lose_nothing(tmp_path: Path) -> None:
    spec = f"sqlite:{tmp_path / 'shared.db'}"
    with ThreadPoolExecutor() as starter:
        a, b = starter.map(lambda name: start_server_process("--store", spec, "--secret", SECRET, name=name),
                           ["race-count-a", "race-count-b"])
    try:
        cookie = login(a.url)
        with ThreadPoolExecutor(max_workers=8) as clients:
            answers = list(clients.map(lambda i: replay((a, b)[i % 2].url, cookie.pair, "/count?atomic=1"),
                                       range(40)))
        assert {r.status_code for r in answers} == {200}
        assert sorted(int(r.text) for r in answers) == list(range(1, 41))
    finally:
        a.stop()
        b.stop()

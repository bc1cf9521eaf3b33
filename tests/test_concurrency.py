"""Many clients at once, and several server processes on one store.

A session must never leak into another client's requests, nor get lost,
however the requests interleave; and with a shared SQLite file, sessions
cross process boundaries and restarts.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from demo_server import DEFAULT_USER, SQLiteStore
from demo_server.runner import start_server_process
from wire import LOGGED_OUT, LoopbackClient, SetCookie, raw_get, session_cookie

#: Every server process of a test shares this secret, so that each accepts the others' cookies.
SECRET = "concurrency-" + "s" * 32
CLIENTS = 32
REQUESTS_PER_CLIENT = 50


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_many_clients_never_see_each_others_sessions(tmp_path: Path, kind: str) -> None:
    """32 clients, each logged in as itself, hammer ``GET /`` at once; each must only ever see itself.

    The server runs in its own process: with 32 client threads in the same
    interpreter, the clients and the server would queue for one GIL and a
    loaded 2-core machine would measure that queue instead of the store.
    """
    path = tmp_path / "sessions.db"
    spec = "memory" if kind == "memory" else f"sqlite:{path}"
    srv = start_server_process("--store", spec, "--secret", SECRET, name=f"test-concurrency-{kind}")
    outcomes: Counter[str] = Counter()
    problems: list[str] = []
    cookies: dict[int, SetCookie] = {}
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def run_client(i: int) -> None:
        me = f"user{i}"
        with LoopbackClient() as c:
            cookie = session_cookie(c.get(srv.url + "/login", params={"user": me}))
            assert cookie is not None and c.get(srv.url + "/").text == f"hello {me} welcome"
        with lock:
            cookies[i] = cookie
        start.wait()  # every session exists before the storm begins
        for _ in range(REQUESTS_PER_CLIENT):
            # The storm sends the jar's cookie with bare http.client: with requests, the
            # client's own CPU cost would dominate on 2 cores and double the run time.
            status, text = raw_get(srv.url, cookie.pair.encode())
            outcome = "ok" if text == f"hello {me} welcome" else "lost" if text == LOGGED_OUT else "leak"
            with lock:
                outcomes[outcome] += 1
                if (status, outcome) != (200, "ok"):
                    problems.append(f"{me} got {status} {text!r}")

    errors: list[BaseException] = []

    def guarded(i: int) -> None:
        try:
            run_client(i)
        except BaseException as error:  # a failure in a thread must fail the test
            errors.append(error)
            start.abort()

    try:
        threads = [threading.Thread(target=guarded, args=(i,)) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, errors[:3]
        assert problems == [], problems[:5]
        assert outcomes == Counter(ok=CLIENTS * REQUESTS_PER_CLIENT)
        sids = {i: cookie.sid for i, cookie in cookies.items()}
        assert len(set(sids.values())) == CLIENTS
        with LoopbackClient() as c:  # afterwards, each session still holds exactly its own data
            for i, cookie in cookies.items():
                shown = c.get(srv.url + "/session", headers={"Cookie": cookie.pair}).json()
                assert (shown["id"], shown["data"]) == (cookie.sid, {"userinfo": f"user{i}"})
    finally:
        srv.stop()
    if kind == "sqlite":  # and the file holds exactly the 32 sessions
        assert {sid: r.data["userinfo"] for sid, r in SQLiteStore(path).all().items()} == {
            sids[i]: f"user{i}" for i in range(CLIENTS)
        }


def test_sqlite_sessions_cross_processes_and_survive_a_restart(tmp_path: Path) -> None:
    db = f"sqlite:{tmp_path / 'sessions.db'}"
    with ThreadPoolExecutor() as pool:  # start-up is mostly imports: start all three at once
        a, b, alone = pool.map(lambda args: start_server_process(*args[1:], name=args[0]), [
            ("test-sqlite-a", "--store", db, "--secret", SECRET),
            ("test-sqlite-b", "--store", db, "--secret", SECRET),
            ("test-memory", "--store", "memory", "--secret", SECRET),
        ])
    try:
        with LoopbackClient() as c:  # one jar for every port: cookies are not tied to ports
            assert session_cookie(c.get(a.url + "/login")) is not None
            assert c.get(a.url + "/").text == f"hello {DEFAULT_USER} welcome"
            r = c.get(b.url + "/")
            assert "sid=" in r.request.headers["Cookie"]
            assert r.text == f"hello {DEFAULT_USER} welcome"
            # The control: same secret, same cookie, but its own memory: it knows nothing.
            assert c.get(alone.url + "/").text == LOGGED_OUT

            a.stop()
            b.stop()
            restarted = start_server_process("--store", db, "--secret", SECRET, name="test-sqlite-a")
            try:
                assert c.get(restarted.url + "/").text == f"hello {DEFAULT_USER} welcome"
            finally:
                restarted.stop()
    finally:
        for process in (a, b, alone):
            process.stop()

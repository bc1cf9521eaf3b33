"""Notebook 08 §5's lost update, over real HTTP: two requests of one session at the same moment.

Each race is made certain, not hoped for: the requests ask for ``?pause=2``
and the test ends the pauses only once the server reports that both are
inside one (:class:`demo_server.app.Pauses`). That also proves :func:`at_once`
sends them together: sent one after the other, they would never both be
pausing, and the wait would time out.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask

from demo_server import MemoryStore, RunningServer, SQLiteStore
from demo_server.learn.client import Exchange, NotebookClient
from demo_server.learn.lost_update import Counter, at_once, start_counter

from conftest import Serve

SECRET = "lost-update-secret-" + "0" * 32
PLAIN = "/count?pause=2"
ATOMIC = "/count?pause=2&atomic=1"


def race(counter: Counter, *requests: tuple[RunningServer, str]) -> list[Exchange]:
    """:func:`at_once`, with the pauses ended as soon as every request is inside one."""
    with ThreadPoolExecutor(max_workers=1) as background:
        in_flight = background.submit(at_once, counter.cookie, *requests)
        servers = [server for server, _ in requests]
        for server in set(servers):
            server.pauses.wait_until_paused(servers.count(server), timeout=3)
        for server in set(servers):  # and all are still pausing: each read the counter before any wrote it
            server.pauses.wait_until_paused(servers.count(server), timeout=0)
        for server in set(servers):
            server.pauses.release(for_good=True)  # for good: an atomic retry runs the change again
        return in_flight.result()


def bodies(exchanges: Sequence[Exchange]) -> list[str]:
    return [exchange.body for exchange in exchanges]


def test_a_counter_starts_at_one_and_is_read_from_the_store(serve: Serve) -> None:
    server = serve()
    counter = start_counter(server, server.store)

    assert counter.first.body == "1" and counter.stored_count() == 1
    assert counter.cookie == f"sid={counter.first.set_session_cookie.value}"
    NotebookClient(server).get("/count", cookie=counter.cookie)
    assert counter.stored_count() == 2  # read from the store, now

    NotebookClient(server).get("/logout", cookie=counter.cookie)
    with pytest.raises(LookupError):
        counter.stored_count()


def test_two_plain_requests_at_once_lose_an_update(serve: Serve, tmp_path: Path) -> None:
    server = serve(store=SQLiteStore(tmp_path / "sessions.db"))  # as in notebook 08
    counter = start_counter(server, server.store)

    exchanges = race(counter, (server, PLAIN), (server, PLAIN))

    assert bodies(exchanges) == ["2", "2"]
    assert counter.stored_count() == 2  # up by one, not two
    assert all(exchange.cookie == counter.cookie for exchange in exchanges)


def test_two_atomic_requests_at_once_lose_nothing(serve: Serve, tmp_path: Path) -> None:
    server = serve(store=SQLiteStore(tmp_path / "sessions.db"))  # no lock while the change runs: both pause
    counter = start_counter(server, server.store)

    exchanges = race(counter, (server, ATOMIC), (server, ATOMIC))

    assert bodies(exchanges) == ["2", "3"]  # sorted by answer
    assert counter.stored_count() == 3


@pytest.mark.parametrize(("path", "answers", "stored"), [(PLAIN, ["2", "2"], 2), (ATOMIC, ["2", "3"], 3)],
                         ids=["plain", "atomic"])
def test_the_same_race_across_two_servers_on_one_file(serve: Serve, tmp_path: Path, path: str,
                                                      answers: list[str], stored: int) -> None:
    a = serve(store=SQLiteStore(tmp_path / "sessions.db"), secret=SECRET)
    b = serve(store=SQLiteStore(tmp_path / "sessions.db"), secret=SECRET)
    counter = start_counter(a, SQLiteStore(tmp_path / "sessions.db"))

    exchanges = race(counter, (a, path), (b, path))

    assert bodies(exchanges) == answers and counter.stored_count() == stored
    assert {exchange.host for exchange in exchanges} == {f"127.0.0.1:{a.port}", f"127.0.0.1:{b.port}"}


def test_a_server_that_does_not_count_is_refused(serve: Serve) -> None:
    app = Flask("not-a-counter")
    app.add_url_rule("/count", view_func=lambda: "7")
    with pytest.raises(RuntimeError, match="should start a session at 1"):
        start_counter(serve(app), MemoryStore())


def test_nothing_to_send_sends_nothing() -> None:
    assert at_once("sid=x") == []

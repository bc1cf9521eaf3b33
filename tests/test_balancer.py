"""Notebook 08's toy round-robin balancer, over real HTTP: servers that do and do not share sessions.

The servers are real (threads, and for :func:`start_pair` child processes);
the balancer's one client is the one cookie jar a browser would have.
"""

from __future__ import annotations

import uuid

import pytest

from demo_server import GREETING, LOGGED_OUT, MemoryStore, RunningServer, ServerProcess
from demo_server.learn.balancer import RoundRobin, print_walk, start_pair, walk
from demo_server.learn.client import split_cookie_value

from conftest import Serve

SECRET = "balancer-secret-" + "0" * 32


def host_of(server: RunningServer) -> str:
    return f"127.0.0.1:{server.port}"


def test_servers_with_their_own_memory_greet_only_every_other_visit(serve: Serve) -> None:
    a, b = serve(), serve()
    balancer = RoundRobin({"a": a, "b": b})

    assert walk(balancer, visits=4) == [LOGGED_OUT, GREETING] * 2
    assert [name for name, _ in balancer.log] == ["a", "b", "a", "b", "a"]
    assert [exchange.host for _, exchange in balancer.log] == [host_of(a), host_of(b)] * 2 + [host_of(a)]
    login = balancer.log[0][1]
    # One jar: a's cookie went to b too, and b, which has no such session, never replaced it.
    assert all(exchange.sent_session_cookie == login.set_session_cookie.value for _, exchange in balancer.log[1:])
    assert all(exchange.set_cookies == () for _, exchange in balancer.log[1:])


def test_servers_sharing_the_store_and_the_secret_greet_every_visit(serve: Serve) -> None:
    store = MemoryStore()
    a, b = serve(store=store, secret=SECRET), serve(store=store, secret=SECRET)
    balancer = RoundRobin({"a": a, "b": b}, store=store)

    assert walk(balancer, visits=4) == [GREETING] * 4
    login_id, _ = split_cookie_value(balancer.log[0][1].set_session_cookie.value)
    last = balancer.log[-1][1]
    assert last.store_after is not None and last.store_after.ids == (login_id,)  # the balancer shows the store


def test_via_picks_the_server_and_the_turn_moves_on(serve: Serve) -> None:
    a, b = serve(), serve()
    balancer = RoundRobin({"a": a, "b": b}, client_name="tab")

    first = balancer.get("/", via="b")
    second = balancer.get("/")  # the turn moved on to b's place
    third = balancer.get("/")

    assert [name for name, _ in balancer.log] == ["b", "b", "a"]
    assert [first.host, second.host, third.host] == [host_of(b), host_of(b), host_of(a)]
    assert [first.client_name, third.client_name] == ["tab, via b", "tab, via a"]
    with pytest.raises(KeyError):
        balancer.get("/", via="c")


def test_a_balancer_needs_a_server() -> None:
    with pytest.raises(ValueError):
        RoundRobin({})


def test_print_walk_lists_each_request_then_the_score(serve: Serve, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = serve(), serve()
    balancer = RoundRobin({"a": a, "b": b})
    walk(balancer, visits=2)

    print_walk(balancer)

    assert capsys.readouterr().out.splitlines() == [
        " #  server  request  cookie sent  Set-Cookie  answer",
        " 1  a       /login   -            sid         登入成功",
        " 2  b       /        sid          -           未登入",
        " 3  a       /        sid          -           hello 张三 welcome",
        "",
        "greeted in 1 of 2 visits",
    ]


def test_start_pair_starts_two_processes_and_a_restart_replaces_them() -> None:
    names = (f"pair-a-{uuid.uuid4().hex[:8]}", f"pair-b-{uuid.uuid4().hex[:8]}")
    started: list[ServerProcess] = []
    try:
        a, b = start_pair("--max-age", "60", names=names)
        started += [a, b]
        assert a.running and b.running and a.port != b.port and a.pid != b.pid
        assert walk(RoundRobin({"a": a, "b": b}), visits=2) == [LOGGED_OUT, GREETING]  # two processes, two dicts

        again = start_pair("--max-age", "60", names=names)  # as a cell run a second time would
        started += again
        assert not a.running and not b.running
        assert all(process.running for process in again)
    finally:
        for process in started:
            process.stop()


def test_start_pair_needs_two_different_names() -> None:
    with pytest.raises(ValueError):
        start_pair(names=("a", "a"))
    with pytest.raises(ValueError):
        start_pair(names=("a", "b", "c"))

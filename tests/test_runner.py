"""start_server: background servers for notebooks that re-run safely, stop cleanly and stay quiet."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask

from demo_server import MemoryStore, create_app, create_cookie_session_app
from demo_server.runner import start_server
from wire import LOGGED_OUT, LoopbackClient, accepts_connections


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def app_that_raises() -> Flask:
    app = create_app()

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("boom in a view")

    return app


def test_port_0_gives_a_url_that_answers(serve) -> None:
    srv = serve()
    assert srv.port > 0 and srv.url == f"http://127.0.0.1:{srv.port}"
    with LoopbackClient() as c:
        r = c.get(srv.url + "/")
    assert r.status_code == 200 and r.text == LOGGED_OUT


def test_same_name_replaces_the_previous_server() -> None:
    name = unique("rerun")
    first = start_server(name=name)
    try:
        second = start_server(name=name)  # re-running the notebook cell
        try:
            assert not first.running
            if second.port != first.port:  # the OS may hand the freed port out again
                assert not accepts_connections(first.port)
            with LoopbackClient() as c:
                assert c.get(second.url + "/").text == LOGGED_OUT
        finally:
            second.stop()
    finally:
        first.stop()


def test_different_names_run_side_by_side(serve) -> None:
    a, b = serve(), serve()
    assert a.running and b.running and a.port != b.port
    with LoopbackClient() as c:
        assert c.get(a.url + "/login").status_code == 200
        assert c.get(a.url + "/").text == "hello 张三 welcome"
        # The jar sends a's cookie to b too (cookies ignore ports); b has its own secret and store.
        assert c.get(b.url + "/").text == LOGGED_OUT


def test_context_manager_stops_the_server() -> None:
    with start_server(name=unique("with")) as srv:
        assert accepts_connections(srv.port)
    assert not srv.running and not accepts_connections(srv.port)


def test_stop_twice_is_safe() -> None:
    srv = start_server(name=unique("twice"))
    srv.stop()
    srv.stop()
    assert not srv.running and not accepts_connections(srv.port)


def test_access_log_has_one_plain_line_per_request(serve) -> None:
    srv = serve()
    with LoopbackClient() as c:
        statuses = [c.get(srv.url + path).status_code for path in ("/", "/login?user=x", "/nope")]
    assert srv.log == [
        f"GET / {statuses[0]}", f"GET /login?user=x {statuses[1]}", f"GET /nope {statuses[2]}",
    ]
    assert statuses == [200, 200, 404]
    assert not any("\x1b" in line for line in srv.log)  # no ANSI colours


def test_a_view_that_raises_gives_a_500_and_prints_nothing(serve, capfd: pytest.CaptureFixture[str]) -> None:
    srv = serve(app_that_raises())
    with LoopbackClient() as c:
        r = c.get(srv.url + "/boom")
        assert c.get(srv.url + "/").status_code == 200  # the server survives
    assert r.status_code == 500
    assert "boom in a view" not in r.text and "Traceback" not in r.text
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    assert "GET /boom 500" in srv.log
    assert any(line.startswith("error:") and "/boom" in line for line in srv.log)


def test_errors_go_to_the_log_of_the_server_that_had_them(serve) -> None:
    """Every demo app shares one logger name; a later server must not capture an earlier one's errors."""
    failing = serve(app_that_raises())
    later = serve()
    with LoopbackClient() as c:
        assert c.get(failing.url + "/boom").status_code == 500
    assert any(line.startswith("error:") and "/boom" in line for line in failing.log)
    assert later.log == []


def test_store_is_the_apps_store(serve) -> None:
    store = MemoryStore()
    srv = serve(store=store)
    assert srv.store is store
    assert srv.store is srv.app.session_interface.store  # type: ignore[attr-defined]
    with LoopbackClient() as c:
        c.get(srv.url + "/login")
    assert len(store.all()) == 1
    assert serve(create_cookie_session_app()).store is None


def test_app_and_options_are_exclusive() -> None:
    with pytest.raises(TypeError):
        start_server(create_app(), name=unique("both"), max_age=60)

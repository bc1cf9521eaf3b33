"""start_server and start_server_process: background servers that re-run safely, stop cleanly and stay quiet."""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import time
import uuid
from typing import Any

import pytest
from flask import Flask

from demo_server import MemoryStore, create_app, create_cookie_session_app
from demo_server.runner import RunningServer, start_server, start_server_process
from wire import LOGGED_OUT, TIMEOUT, LoopbackClient, accepts_connections


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


def raw_exchange(port: int, request: bytes) -> bytes:
    """Send bytes no HTTP client would send, and read the answer until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(4096):
            answer += chunk
    return answer


def still_open(sockets: list[socket.socket], timeout: float) -> list[socket.socket]:
    """Wait until the server has closed each socket (EOF or reset); those it has not by ``timeout``."""
    waiting = set(sockets)
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        for sock in sockets:
            selector.register(sock, selectors.EVENT_READ)
        while waiting and (left := deadline - time.monotonic()) > 0:
            for key, _ in selector.select(left):
                try:
                    closed = key.fileobj.recv(4096) == b""  # type: ignore[union-attr]
                except ConnectionResetError:
                    closed = True
                if closed:
                    selector.unregister(key.fileobj)
                    waiting.discard(key.fileobj)  # type: ignore[arg-type]
    return [sock for sock in sockets if sock in waiting]


def logged_within(srv: RunningServer, line: str, timeout: float) -> bool:
    """Whether ``line`` is in the server's log within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while line not in srv.log:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_half_sent_requests_are_dropped_after_the_timeout() -> None:
    with RunningServer(create_app(), unique("slowloris"), connection_timeout=0.5) as srv:
        stalled = [socket.create_connection((srv.host, srv.port), timeout=TIMEOUT) for _ in range(100)]
        try:
            for sock in stalled:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sid=")  # and nothing more, ever
            with LoopbackClient() as c:
                assert c.get(srv.url + "/").text == LOGGED_OUT  # served while they stall
            assert still_open(stalled, timeout=5.0) == []
            with LoopbackClient() as c:
                assert c.get(srv.url + "/").text == LOGGED_OUT  # and after
        finally:
            for sock in stalled:
                sock.close()
        assert srv.log == ["GET / 200", "GET / 200"]  # a dropped connection is not worth a line


def test_control_characters_in_request_lines_are_escaped_in_the_log(serve) -> None:
    srv = serve()
    answer = raw_exchange(srv.port, b"GET /\x1b[31mred\x9b2J\\ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 404 ")
    assert srv.log == [r"GET /\x1b[31mred\x9b2J\\ 404"]  # a backslash doubles, so an escape is never ambiguous


def test_a_malformed_request_line_gets_a_400_and_an_escaped_log_line(serve, capfd: pytest.CaptureFixture[str]) -> None:
    srv = serve()
    answer = raw_exchange(srv.port, b"\x1b[2J\x1b[H\r\n\r\n")
    assert b"Error code: 400" in answer
    assert r"\x1b[2J\x1b[H 400" in srv.log
    assert not any(char < " " or "\x7f" <= char <= "\x9f" for line in srv.log for char in line)
    assert capfd.readouterr() == ("", "")  # no traceback from the handler thread


def test_an_overlong_request_line_gets_a_414_and_a_log_line(serve, capfd: pytest.CaptureFixture[str]) -> None:
    srv = serve()
    answer = raw_exchange(srv.port, b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n")
    assert b"Error code: 414" in answer
    assert "- 414" in srv.log
    assert capfd.readouterr() == ("", "")


def test_a_crash_outside_flask_is_logged_line_by_line_and_escaped(serve, capfd: pytest.CaptureFixture[str]) -> None:
    app = create_app()

    def crash(environ: dict[str, Any], start_response: Any) -> Any:
        raise RuntimeError(f"no app for {environ['PATH_INFO']}")

    app.wsgi_app = crash  # type: ignore[method-assign]
    srv = serve(app)
    with LoopbackClient() as c:
        assert c.get(srv.url + "/%1b[31mred").status_code == 500
    # Werkzeug logs the crash after it has sent the 500.
    assert logged_within(srv, r"error: RuntimeError: no app for /\x1b[31mred", timeout=5.0)
    assert "error: Traceback (most recent call last):" in srv.log  # one entry per line of the traceback
    assert all("\n" not in line and "\x1b" not in line for line in srv.log)
    assert capfd.readouterr() == ("", "")


def test_control_characters_decoded_from_a_path_are_escaped_in_error_lines(serve) -> None:
    app = create_app()

    @app.get("/boom/<path:rest>")
    def boom(rest: str) -> str:
        raise RuntimeError("boom in a view")

    srv = serve(app)
    with LoopbackClient() as c:
        assert c.get(srv.url + "/boom/%1b[31mred").status_code == 500
    errors = [line for line in srv.log if line.startswith("error:")]
    assert errors and all("\x1b" not in line for line in srv.log)
    assert any(r"/boom/\x1b[31mred" in line for line in errors)


def test_a_bad_store_is_reported_with_the_childs_reason(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(RuntimeError) as failure:
        start_server_process("--store", "bogus", name=unique("bad-store"))
    message = str(failure.value)
    assert message.startswith("demo server did not start (exit code 2): python -m demo_server: error: --store:")
    assert "unknown store 'bogus'" in message and "\n" not in message
    assert capfd.readouterr() == ("", "")


def open_files() -> set[str]:
    """What this process's file descriptors point at now (pipes and files)."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(FileNotFoundError):  # the listing's own descriptor is gone already
            found.add(f"{fd} -> {os.readlink(f'/proc/self/fd/{fd}')}")
    return found


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to list open files")
def test_a_server_process_leaves_no_file_open_when_it_stops_or_fails() -> None:
    before = open_files()
    with start_server_process(name=unique("files")) as child:
        with LoopbackClient() as c:
            assert c.get(child.url + "/").text == LOGGED_OUT
    with pytest.raises(RuntimeError):
        start_server_process("--store", "bogus", name=unique("files-bad"))
    assert open_files() - before == set()


def test_the_childs_access_log_never_reaches_the_parents_output(capfd: pytest.CaptureFixture[str]) -> None:
    with start_server_process(name=unique("quiet")) as child:
        with LoopbackClient() as c:
            for _ in range(3):
                assert c.get(child.url + "/\x1b[31m").status_code == 404
    assert not child.running
    assert capfd.readouterr() == ("", "")

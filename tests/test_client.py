"""NotebookClient records what really went over the wire, against real servers on loopback."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

import pytest
import requests
from flask import Flask, Response, jsonify, redirect, request

from demo_server import create_cookie_session_app
from demo_server.learn.client import (
    USER_AGENT,
    Exchange,
    NotebookClient,
    SetCookie,
    is_signed_session_id,
    parse_cookie_header,
    snapshot_jar,
    split_cookie_value,
    wait,
)
from demo_server.runner import RunningServer

if TYPE_CHECKING:
    from conftest import Serve


@pytest.fixture
def server(serve: Serve) -> RunningServer:
    """The demo app with a 60 s cookie, in a thread."""
    return serve(max_age=60)


@pytest.fixture
def tiny(serve: Serve) -> RunningServer:
    """A tiny app for what the demo app never does: two cookies, a Secure one, a redirect, echoes."""
    app = Flask("tiny")
    expires = datetime.now(timezone.utc) + timedelta(days=1)

    @app.get("/two")
    def two_cookies() -> Response:
        response = Response("two", mimetype="text/plain")
        response.set_cookie("first", "1", expires=expires, path="/")
        response.set_cookie("second", "2", httponly=True)
        return response

    @app.get("/secure")
    def secure_cookie() -> Response:
        response = Response("secure", mimetype="text/plain")
        response.set_cookie("only_https", "x", secure=True)
        response.set_cookie("plain", "y")
        return response

    @app.get("/echo")
    def echo() -> Response:
        return jsonify({key: value for key, value in request.headers.items()})

    @app.post("/echo")
    def echo_post() -> Response:
        return jsonify(form=request.form.to_dict())

    @app.get("/go")
    def go() -> Response:
        return redirect("/echo")

    @app.get("/slow")
    def slow() -> Response:
        time.sleep(0.5)
        return Response("late")

    return serve(app)


def test_the_cookie_sent_after_login_is_the_one_the_server_set(server: RunningServer) -> None:
    client = NotebookClient(server, name="browser A")
    login = client.get("/login")
    (set_cookie,) = login.set_cookie_headers
    home = client.get("/")

    assert login.cookie is None
    assert set_cookie.name == "sid" and is_signed_session_id(set_cookie.value)
    assert login.set_session_cookie == set_cookie
    assert home.cookie == f"sid={set_cookie.value}"
    assert home.sent_session_cookie == set_cookie.value
    assert home.body == "hello 张三 welcome"
    assert client.history == [login, home]


def test_the_exchange_records_request_line_host_status_headers_and_body(server: RunningServer) -> None:
    client = NotebookClient(server.url, name="browser A")
    exchange = client.get("/login", params={"user": "李四"})

    assert exchange.method == "GET"
    assert exchange.path == "/login?user=%E6%9D%8E%E5%9B%9B"  # as sent on the wire
    assert exchange.host == f"127.0.0.1:{server.port}"
    assert (exchange.status, exchange.reason) == (200, "OK")
    assert exchange.body == "登入成功"
    assert exchange.headers == (("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store"))
    assert "Max-Age=60" in exchange.set_cookies[0]


def test_each_set_cookie_header_stays_separate_and_verbatim(tiny: RunningServer) -> None:
    exchange = NotebookClient(tiny).get("/two")

    assert len(exchange.set_cookies) == 2
    first, second = exchange.set_cookies
    assert first.startswith("first=1; Expires=") and first.endswith(" GMT; Path=/")
    assert ", " in first  # the comma in Expires that makes joined headers ambiguous
    assert second == "second=2; HttpOnly; Path=/"
    assert SetCookie.parse(first).attribute("Expires").endswith(" GMT")


def test_a_hand_made_cookie_is_sent_exactly_and_bypasses_the_jar(server: RunningServer) -> None:
    client = NotebookClient(server, name="browser A")
    client.get("/login")
    jar_value = client.jar["sid"]

    forged = client.get("/", cookie="sid=forged")
    relogin = client.get("/login", cookie="sid=forged")  # its Set-Cookie must not reach the jar

    assert forged.cookie == "sid=forged" and forged.cookie_hand_made
    assert forged.body == "未登入"
    assert relogin.set_cookies
    assert client.jar["sid"] == jar_value
    assert forged.jar_before == forged.jar_after
    assert client.get("/").body == "hello 张三 welcome"


def test_the_server_sees_only_the_hand_made_cookie(tiny: RunningServer) -> None:
    client = NotebookClient(tiny)
    client.jar.set("sid", "from-the-jar", domain="127.0.0.1", path="/")

    exchange = client.get("/echo", cookie="sid=by-hand")

    assert exchange.cookie == "sid=by-hand"
    assert '"Cookie":"sid=by-hand"' in exchange.body.replace(" ", "")
    assert client.get("/echo").cookie == "sid=from-the-jar"


def test_cookies_keyword_is_refused_because_it_merges_with_the_jar(server: RunningServer) -> None:
    with pytest.raises(TypeError, match="cookie="):
        NotebookClient(server).get("/", cookies={"sid": "x"})


def test_requests_are_the_same_on_every_machine(tiny: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # trust_env=False must ignore it
    monkeypatch.setenv("NO_PROXY", "")
    exchange = NotebookClient(tiny).get("/echo")
    headers = exchange.body

    assert exchange.status == 200
    assert f'"User-Agent":"{USER_AGENT}"' in headers.replace(" ", "")
    assert '"Accept-Encoding":"identity"' in headers.replace(" ", "")


def test_every_request_has_a_timeout(tiny: RunningServer) -> None:
    with pytest.raises(requests.Timeout):
        NotebookClient(tiny, timeout=0.1).get("/slow")


def test_a_redirect_is_one_exchange_of_its_own(tiny: RunningServer) -> None:
    client = NotebookClient(tiny)
    exchange = client.get("/go")

    assert exchange.status == 302
    assert exchange.header("Location") == "/echo"
    assert len(client.history) == 1
    with pytest.raises(TypeError, match="Location"):
        client.get("/go", allow_redirects=True)


def test_a_post_records_its_body(tiny: RunningServer) -> None:
    exchange = NotebookClient(tiny).post("/echo", data={"user": "张三"})

    assert exchange.method == "POST"
    assert exchange.request_content_type == "application/x-www-form-urlencoded"
    assert exchange.request_body == "user=%E5%BC%A0%E4%B8%89"
    assert json.loads(exchange.body) == {"form": {"user": "张三"}}


def test_the_store_is_snapshotted_around_each_request(server: RunningServer) -> None:
    client = NotebookClient(server, name="browser A")
    login = client.get("/login")
    session_id, _ = split_cookie_value(client.jar["sid"])
    home = client.get("/")
    session_id_forged = ("A" if session_id[0] != "A" else "B") + session_id[1:]
    forged = client.get("/", cookie=f"sid={session_id_forged}.{split_cookie_value(client.jar['sid'])[1]}")
    logout = client.get("/logout")

    assert login.store_before is not None and login.store_before.sessions == ()
    assert login.store_after is not None and login.store_after.ids == (session_id,)
    assert login.store_after.get(session_id).data == {"userinfo": "张三"}
    assert (login.signature_valid, home.signature_valid, forged.signature_valid) == (None, True, False)
    assert logout.store_after is not None and logout.store_after.sessions == ()


def test_the_jar_snapshot_says_which_cookies_the_next_request_carries(tiny: RunningServer,
                                                                      server: RunningServer) -> None:
    client = NotebookClient(tiny)
    exchange = client.get("/secure")
    verdicts = {c.name: (c.sent_next, c.not_sent_because) for c in exchange.jar_after}

    assert verdicts == {"only_https": (False, "Secure, and this is http"), "plain": (True, "")}
    assert client.get("/echo").cookie == "plain=y"

    browser = NotebookClient(server)
    browser.get("/login")
    (now,) = snapshot_jar(browser.jar, browser.base_url)
    (later,) = snapshot_jar(browser.jar, browser.base_url, now=time.time() + 61)
    assert now.sent_next and now.flags == ("HttpOnly", "SameSite=Lax")
    assert (later.sent_next, later.not_sent_because) == (False, "expired")


def test_the_flask_cookie_session_cookie_name_is_read_from_the_app(serve: Serve) -> None:
    client = NotebookClient(serve(create_cookie_session_app()))
    client.get("/login")
    exchange = client.get("/")

    assert client.session_cookie_name == "session"
    assert exchange.sent_session_cookie is not None and exchange.store_after is None


def test_an_exchange_shows_itself_through_the_forms_the_display_registered(
        server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    exchange = NotebookClient(server).get("/login")
    assert repr(exchange).startswith("→ GET /login  (browser)\n  Host: 127.0.0.1:")
    assert exchange._repr_html_().startswith("<div class=\"session-exchange\" style=")

    monkeypatch.setattr(Exchange, "formatters", {})  # a record with no display imported
    assert repr(exchange) == "<Exchange GET /login → 200 OK (browser)>"
    assert exchange._repr_html_() is None


def test_wait_only_sleeps(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The benchmark logs waits from outside (bench/bench_notebooks.py); wait() itself writes nothing."""
    log = tmp_path / "sleeps.txt"
    monkeypatch.setenv("DEMO_SLEEP_LOG", str(log))
    started = time.monotonic()
    wait(0.05)
    wait(0)
    assert time.monotonic() - started >= 0.05
    assert not log.exists()
    with pytest.raises(ValueError, match="negative"):
        wait(-0.1)


# -- the jar counts Max-Age from the moment the cookie arrived, as a browser does -------------


def _sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.time()))


@pytest.mark.parametrize("fraction", [0.1, 0.45, 0.85])
def test_a_max_age_cookie_is_sent_until_exactly_max_age_seconds_after_it_arrived(serve: Serve,
                                                                                 fraction: float) -> None:
    """Max-Age=1: sent 0.8 s after it arrived, not 1.05 s after, wherever in its second the login fell.

    A jar counting whole seconds (int(now) + 1, compared with int(now)) drops it at the next
    full second: at 0.8 s whenever the login came after x.2 s.
    """
    client = NotebookClient(serve(max_age=1))
    _sleep_until(time.time() // 1 + 1 + fraction)
    before = time.time()
    login = client.get("/login")
    after = time.time()
    (cookie,) = login.jar_after
    assert before + 1 <= cookie.expires <= after + 1  # Unix time, to the fraction of a second
    assert client.jar.get("sid") == cookie.value

    _sleep_until(before + 0.8)
    early = client.get("/")
    sent_by = time.time()
    _sleep_until(after + 1.05)
    late = client.get("/")

    assert sent_by < before + 1, "the machine stalled: the request meant for 0.8 s went out after 1 s"
    assert early.cookie == f"sid={cookie.value}" and early.body == "hello 张三 welcome"
    assert [(c.sent_next, c.not_sent_because) for c in early.jar_before] == [(True, "")]
    assert late.cookie is None
    assert [(c.sent_next, c.not_sent_because) for c in late.jar_before] == [(False, "expired")]
    assert client.jar.get("sid") == cookie.value  # kept, and shown as expired, but not sent


def test_an_expires_only_cookie_keeps_its_date(tiny: RunningServer) -> None:
    exchange = NotebookClient(tiny).get("/two")
    first = next(c for c in exchange.jar_after if c.name == "first")
    expires = SetCookie.parse(exchange.set_cookies[0]).attribute("Expires")

    assert first.expires == parsedate_to_datetime(expires).timestamp()
    assert first.sent_next


def test_clearing_the_jar_and_setting_cookies_by_hand_still_work(tiny: RunningServer, server: RunningServer) -> None:
    browser = NotebookClient(server)
    browser.get("/login")
    browser.clear_cookies()
    assert len(browser.jar) == 0 and browser.get("/").cookie is None

    client = NotebookClient(tiny)
    client.jar.set("planted", "by-hand", domain="127.0.0.1", path="/")
    assert client.jar.get("planted") == "by-hand"
    assert client.get("/echo").cookie == "planted=by-hand"
    assert client.get("/echo", cookie="other=1").cookie == "other=1"


def test_cookie_values_come_apart() -> None:
    session_id, signature = "a" * 43, "b" * 43
    assert split_cookie_value(f"{session_id}.{signature}") == (session_id, signature)
    assert is_signed_session_id(f"{session_id}.{signature}")
    assert not is_signed_session_id(f"{session_id}.{signature}x")
    with pytest.raises(ValueError):
        split_cookie_value("no-signature")
    assert parse_cookie_header("sid=good; sid=forged; other=1") == [("sid", "good"), ("sid", "forged"), ("other", "1")]


def test_set_cookie_parsing_knows_a_deletion() -> None:
    deletion = SetCookie.parse("sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/")
    assert (deletion.name, deletion.value) == ("sid", "")
    assert deletion.deletes_cookie
    assert deletion.attribute("httponly") == "" and deletion.attribute("Secure") is None
    assert not SetCookie.parse("sid=x; Max-Age=60").deletes_cookie

"""What Flask users will write (``session.permanent``, ``session.modified``, ``session.clear()``,
``SESSION_COOKIE_*``), and the caching header every session-dependent response needs."""

from __future__ import annotations

from flask import Flask, Response, session

from demo_server import DEFAULT_USER, create_app
from wire import LOGGED_OUT, LoopbackClient, replay, session_cookie

GREETING = f"hello {DEFAULT_USER} welcome"


def app_with(route: str, view: object, **options: object) -> Flask:
    app = create_app(**options)
    app.add_url_rule(route, view_func=view)  # type: ignore[arg-type]
    return app


def login(url: str) -> str:
    with LoopbackClient() as c:
        cookie = session_cookie(c.get(url + "/login"))
    assert cookie is not None
    return cookie.pair


def test_permanent_true_gives_the_cookie_the_longest_max_age(serve) -> None:
    def remember() -> Response:
        session.permanent = True
        return Response(str(session.permanent), mimetype="text/plain")

    srv = serve(app_with("/remember", remember))
    cookie = login(srv.url)
    answer = replay(srv.url, cookie, "/remember")
    sent = session_cookie(answer)
    assert answer.text == "True" and sent is not None and sent.get("max-age") == str(30 * 24 * 3600)


def test_permanent_false_drops_the_sessions_own_max_age(serve) -> None:
    def forget() -> Response:
        session.permanent = False
        return Response(str(session.permanent), mimetype="text/plain")

    srv = serve(app_with("/forget", forget))
    with LoopbackClient() as c:
        remembered = session_cookie(c.get(srv.url + "/login", params={"remember": "600"}))
    answer = replay(srv.url, remembered.pair, "/forget")
    sent = session_cookie(answer)
    assert answer.text == "False" and sent is not None and not sent.has("max-age")


def test_modified_true_saves_an_unchanged_session(serve) -> None:
    def mark() -> Response:
        session.modified = True
        return Response("marked", mimetype="text/plain")

    srv = serve(app_with("/mark", mark, max_age=60))  # with a max age, a saved change re-sends the cookie
    cookie = login(srv.url)
    assert session_cookie(replay(srv.url, cookie)) is None  # an ordinary visit saves nothing
    sent = session_cookie(replay(srv.url, cookie, "/mark"))
    assert sent is not None and sent.pair == cookie


def test_clearing_a_stored_session_ends_it(serve) -> None:
    """As in Flask, an emptied session is over: deleted from the store, and its cookie cleared."""
    def empty() -> Response:
        session.clear()
        return Response("emptied", mimetype="text/plain")

    srv = serve(app_with("/empty", empty))
    cookie = login(srv.url)
    cleared = session_cookie(replay(srv.url, cookie, "/empty"))
    assert cleared is not None and cleared.value == "" and cleared.get("max-age") == "0"
    assert srv.store.all() == {} and replay(srv.url, cookie).text == LOGGED_OUT


def test_every_response_that_read_the_session_varies_on_cookie(serve) -> None:
    srv = serve()
    cookie = login(srv.url)
    for path in ("/", "/login", "/session", "/web/"):
        assert "Cookie" in replay(srv.url, cookie, path).headers.get("Vary", ""), path
    assert "Cookie" not in replay(srv.url, cookie, "/static/pages.css").headers.get("Vary", "")


def test_flasks_cookie_settings_are_refused_with_the_option_to_use(serve) -> None:
    app = create_app()
    app.config["SESSION_COOKIE_NAME"] = "mysession"
    srv = serve(app)
    assert replay(srv.url, "", "/").status_code == 500
    assert any("SESSION_COOKIE_NAME does not apply to server-side sessions: set SessionOptions' cookie_name"
               in line for line in srv.log)

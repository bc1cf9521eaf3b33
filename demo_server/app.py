"""The seed's demo app, in Flask: log in as 张三, be greeted, log out.

The routes follow the seed tutorial's flow and keep its strings, so a reader
of the seed recognises every step:

==============================  ===========================================
route                           what it does
==============================  ===========================================
``GET /``                       ``hello 张三 welcome`` when logged in, else ``未登入``
``GET /login[?user=NAME]``      new session id, stores ``userinfo``, ``登入成功``
``GET /logout``, ``/loginOut``  destroys the session, ``退出登入``
``GET /session``                the session as the server sees it, as JSON
``GET /count``                  adds one to a per-session counter (the lost-update demo)
==============================  ===========================================

The same routes also run on Flask's built-in, client-side cookie session
(:func:`create_cookie_session_app`) so the two models can be compared on the
same requests.
"""

from __future__ import annotations

import math
import secrets
import threading
from collections.abc import Iterable
from typing import Any

from flask import Flask, Response, jsonify, request, session
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

from .pages import add_web_pages
from .sessions import ServerSession, ServerSideSessionInterface, SessionOptions
from .stores import SessionStore

#: The seed's user.
DEFAULT_USER = "张三"

#: The longest ``/count?pause=`` a client may ask for, in seconds.
MAX_PAUSE = 2.0


class Pauses:
    """The deliberate pauses of ``/count?pause=S``, which a notebook or a test can wait for and end.

    A race demo needs "the slow request has loaded its session and is now
    working" to be a fact, not a guess about timing: :meth:`wait_until_paused`
    returns once that many requests are inside their pause, and
    :meth:`release` ends every pause now instead of after ``S`` seconds.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._paused = 0
        self._releases = 0
        self._released_for_good = False

    def pause(self, seconds: float) -> None:
        """Wait ``seconds``, or until :meth:`release` is called."""
        with self._changed:
            if self._released_for_good:
                return
            self._paused += 1
            releases = self._releases
            self._changed.notify_all()
            try:
                self._changed.wait_for(lambda: self._releases != releases, timeout=seconds)
            finally:
                self._paused -= 1

    def wait_until_paused(self, count: int = 1, timeout: float = 5.0) -> None:
        """Block until ``count`` requests are pausing; ``TimeoutError`` if they are not within ``timeout``."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._paused >= count, timeout=timeout):
                raise TimeoutError(f"{count} request(s) should be pausing, {self._paused} are")

    def release(self, *, for_good: bool = False) -> None:
        """End every pause that is running now; ``for_good`` ends every later one at once too."""
        with self._changed:
            self._releases += 1
            self._released_for_good = self._released_for_good or for_good
            self._changed.notify_all()


def pauses_of(app: Flask) -> Pauses:
    """The :class:`Pauses` of an app made by :func:`create_app` or :func:`create_cookie_session_app`."""
    return app.extensions["demo_server.pauses"]


def create_app(*, store: SessionStore | None = None, secret: str | None = None,
               secret_fallbacks: Iterable[str] = (), **options: Any) -> Flask:
    """The demo app with server-side sessions.

    ``options`` are the fields of :class:`SessionOptions` (``max_age``,
    ``rolling``, ``save_uninitialized``, …). Without a ``secret`` a random one
    is made, so cookies from an earlier run of the server stop verifying.
    """
    app = _base_app(secret, secret_fallbacks)
    app.session_interface = ServerSideSessionInterface(store, SessionOptions(**options))
    add_web_pages(app)  # the same routes as HTML pages, under /web/
    return app


def create_cookie_session_app(*, secret: str | None = None) -> Flask:
    """The same routes on Flask's built-in session, which keeps the data *in* the cookie."""
    return _base_app(secret, ())


def _base_app(secret: str | None, secret_fallbacks: Iterable[str]) -> Flask:
    app = Flask("demo_server")
    # Behind jupyter-server-proxy (…/proxy/PORT/) the app sees paths with the prefix
    # stripped, and the prefix itself in X-Forwarded-Prefix. ProxyFix makes it the
    # script root, so url_for() and the cookie Path include it. Trusting the header is
    # safe here: the server listens on loopback, and no response is cached.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=0, x_proto=0, x_host=0, x_port=0, x_prefix=1)  # type: ignore[method-assign]
    app.secret_key = secret or secrets.token_hex(32)
    app.config["SECRET_KEY_FALLBACKS"] = list(secret_fallbacks)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["demo_server.pauses"] = Pauses()
    _add_routes(app)
    return app


def _text(body: str) -> Response:
    return Response(body, mimetype="text/plain")


def _add_routes(app: Flask) -> None:
    @app.after_request
    def never_cache(response: Response) -> Response:
        """Every page here depends on who asks: no shared cache may keep it (OWASP)."""
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(BadRequest)
    def bad_request(error: BadRequest) -> Response:
        """One plain line saying what was wrong, never an HTML page (SessionInterrupted is one of these)."""
        return Response(error.description, status=error.code, mimetype="text/plain")

    @app.get("/")
    def home() -> Response:
        user = session.get("userinfo")
        return _text(f"hello {user} welcome" if user else "未登入")

    @app.get("/login")
    def login() -> Response:
        user = request.args.get("user", DEFAULT_USER)
        if isinstance(session, ServerSession):
            session.regenerate()  # a new id at every privilege change: no session fixation
            remember = request.args.get("remember", type=int)
            if remember is not None and remember > 0:
                session.max_age = remember
        else:
            session.clear()
        session["userinfo"] = user
        return _text("登入成功")

    @app.get("/logout")
    @app.get("/loginOut")
    def logout() -> Response:
        if isinstance(session, ServerSession):
            session.destroy()
        else:
            session.clear()  # all a client-side session can do: ask the client to forget
        return _text("退出登入")

    @app.get("/count")
    def count() -> Response:
        """Add one to this session's counter: the lost-update demo.

        ``?pause=SECONDS`` (at most 2) widens the gap between reading the
        counter and writing it back, so two concurrent requests reliably
        overlap; :class:`Pauses` lets a demo wait for it and end it early.
        ``?atomic=1`` lets the store do read-add-write in one step.
        """
        pause = request.args.get("pause", 0.0, type=float)
        if not math.isfinite(pause):
            raise BadRequest(f"pause must be a number of seconds, not {request.args['pause']!r}")
        pause = min(max(pause, 0.0), MAX_PAUSE)

        def add_one(data: dict[str, Any]) -> dict[str, Any]:
            if pause:
                pauses_of(app).pause(pause)
            return {**data, "count": data.get("count", 0) + 1}

        if request.args.get("atomic") == "1" and isinstance(session, ServerSession):
            session.update_atomically(add_one)
        else:
            session.update(add_one(dict(session)))  # read now, write when the response goes out
        return _text(str(session["count"]))

    @app.get("/session")
    def show_session() -> Response:
        """What the server knows about this request's session."""
        if not isinstance(session, ServerSession):
            return jsonify(kind="cookie", data=dict(session))
        expires = session.expires
        return jsonify(
            kind="server", id=session.id, new=session.new, data=dict(session),
            expires=expires.isoformat(timespec="seconds") if expires else None,
            cookie_max_age=session.cookie_max_age,
        )

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
import re
import secrets
import threading
from collections.abc import Sequence
from typing import Any

from flask import Flask, Response, jsonify, request, session
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from .pages import MAX_USER_LENGTH, add_web_pages
from .seed import DEFAULT_USER, LOGGED_OUT, LOGIN_DONE, LOGOUT_DONE, greeting
from .signing import check_secrets
from .sessions import ServerSession, ServerSideSessionInterface, SessionOptions
from .stores import SessionStore

#: The longest ``/count?pause=`` a client may ask for, in seconds.
MAX_PAUSE = 2.0

#: What a trusted proxy may give as the app's prefix: a plain path of one or more segments.
FORWARDED_PREFIX = re.compile(r"(?:/(?:[A-Za-z0-9._~!$&'()*+;=:@-]|%[0-9A-Fa-f]{2})+)+/?")


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
               secret_fallbacks: Sequence[str] = (), proxy: bool = False, **options: Any) -> Flask:
    """The demo app with server-side sessions.

    ``options`` are the fields of :class:`SessionOptions` (``max_age``,
    ``rolling``, ``save_uninitialized``, …). Without a ``secret`` a random one
    is made, so cookies from an earlier run of the server stop verifying. A
    secret, or an older one in ``secret_fallbacks`` (a list, newest last),
    must have at least 32 characters (:func:`~demo_server.signing.check_secrets`). ``proxy=True``
    trusts the reverse proxy in front of the app (see :class:`TrustedProxy`),
    like express's ``proxy`` option; leave it off when clients reach the app
    directly, or any client could claim to be the proxy.
    """
    app = _base_app(secret, secret_fallbacks, proxy)
    app.session_interface = ServerSideSessionInterface(store, SessionOptions(**options))
    add_web_pages(app)  # the same routes as HTML pages, under /web/
    return app


def create_cookie_session_app(*, secret: str | None = None, proxy: bool = False) -> Flask:
    """The same routes on Flask's built-in session, which keeps the data *in* the cookie."""
    return _base_app(secret, (), proxy)


def _base_app(secret: str | None, secret_fallbacks: Sequence[str], proxy: bool) -> Flask:
    if secret is not None or secret_fallbacks:
        check_secrets(secrets.token_hex(32) if secret is None else secret, secret_fallbacks)
    app = Flask("demo_server")
    if proxy:
        app.wsgi_app = TrustedProxy(app.wsgi_app)  # type: ignore[method-assign]
    app.secret_key = secret or secrets.token_hex(32)
    app.config["SECRET_KEY_FALLBACKS"] = list(secret_fallbacks)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["demo_server.pauses"] = Pauses()
    _add_routes(app)
    return app


class TrustedProxy:
    """What the reverse proxy in front of the app says, believed only because ``proxy=True`` said there is one.

    * ``X-Forwarded-Prefix``: the path the proxy mounts the app under
      (jupyter-server-proxy's ``/proxy/PORT``). It becomes the script root,
      so links and the cookie's ``Path`` include it.
    * ``X-Forwarded-Proto``: ``https`` when the proxy terminated TLS, so that
      ``secure`` cookies are sent and ``secure="auto"`` turns them on.

    Only a plain path is accepted as a prefix, and only ``http`` or ``https``
    as a scheme; anything else (``//evil.example`` would move the page's
    stylesheet and form to another site) is answered with a 400.
    """

    def __init__(self, app: Any) -> None:
        self.app = ProxyFix(app, x_for=0, x_proto=1, x_host=0, x_port=0, x_prefix=1)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        prefix = environ.get("HTTP_X_FORWARDED_PREFIX")
        scheme = environ.get("HTTP_X_FORWARDED_PROTO")
        if prefix is not None and not FORWARDED_PREFIX.fullmatch(prefix):
            error = BadRequest("X-Forwarded-Prefix must be a plain path, such as /proxy/8000")
        elif scheme is not None and scheme not in ("http", "https"):
            error = BadRequest("X-Forwarded-Proto must be http or https")
        else:
            return self.app(environ, start_response)
        return Response(error.description, status=400, mimetype="text/plain")(environ, start_response)


def _text(body: str) -> Response:
    return Response(body, mimetype="text/plain")


def _remember_seconds(cap: int) -> int | None:
    """``?remember=N``: this session's own max age in whole seconds, 1 to ``cap``; a 400 for anything else."""
    text = request.args.get("remember")
    if text is None:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 12 and 0 < int(text) <= cap):
        raise BadRequest(f"remember must be a whole number of seconds from 1 to {cap}")
    return int(text)


def _add_routes(app: Flask) -> None:
    @app.after_request
    def never_cache(response: Response) -> Response:
        """Every page here depends on who asks: no shared cache may keep it (OWASP)."""
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(HTTPException)
    def plain_error(error: HTTPException) -> Response:
        """One plain line saying what was wrong (a 400, 404, 503 …), never an HTML page."""
        return Response(error.description, status=error.code, mimetype="text/plain")

    @app.get("/")
    def home() -> Response:
        user = session.get("userinfo")
        return _text(greeting(user) if user else LOGGED_OUT)

    @app.get("/login")
    def login() -> Response:
        user = request.args.get("user", DEFAULT_USER)
        if not 0 < len(user) <= MAX_USER_LENGTH:
            raise BadRequest(f"user must have 1 to {MAX_USER_LENGTH} characters")
        if isinstance(session, ServerSession):
            remember = _remember_seconds(session.options.max_age_cap)
            session.regenerate()  # a new id at every privilege change: no session fixation
            if remember is not None:
                session.max_age = remember
        else:
            session.clear()
        session["userinfo"] = user
        return _text(LOGIN_DONE)

    @app.get("/logout")
    @app.get("/loginOut")
    def logout() -> Response:
        if isinstance(session, ServerSession):
            session.destroy()
        else:
            session.clear()  # all a client-side session can do: ask the client to forget
        return _text(LOGOUT_DONE)

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

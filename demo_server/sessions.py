"""Server-side sessions for Flask: the server keeps the data, the cookie keeps a key.

Flask's built-in session puts the data itself into the cookie, signed. This
module implements the model the seed tutorial teaches with express-session:

* the server keeps each session's ``key:value`` data in a :mod:`store <demo_server.stores>`;
* the cookie carries only a globally unique key, the *session id*: 256
  random bits from :mod:`secrets`, signed with the app's secret through
  :mod:`itsdangerous` so that nobody can forge or guess one.

What happens to the session when the response goes out (the store, the
``Set-Cookie`` header, the expiry) is decided in one pure function,
:func:`demo_server.decision.decide`, whose docstring has the rules table and
the places where we differ from express-session on purpose.

Concurrent requests of one session
----------------------------------
Each request loads its own copy of the session. When it saves, it writes only
the keys it changed, over whatever the store holds by then, through the
store's compare-and-set; so it never reverts another request's change to
other keys, nor an atomic update. And the store refuses to write a session
that is no longer live, so a request that was still running when the session
was destroyed (a logout), regenerated (a login) or expired can never bring it
back.

Such a request is *interrupted*. It saves nothing and sends no ``Set-Cookie``:
a cookie naming the dead id would be wrong, and clearing the cookie could
delete the new one that a concurrent login just set. If it had changes to
save, it answers **400** ("the session ended before this request completed;
nothing was saved"), as Django does, because a 200 would claim a write that
was dropped. If it had only an expiry to move, its answer stands.

When things go wrong
--------------------
* A store that cannot be used (Redis down; an SQLite file locked, read-only or
  corrupt) gives a **503** with one plain line, in the body and in the log,
  as soon as the request uses its session; a request that never touches the
  session is served. Nothing needs restarting once the store is back.
* A record in the store that is not one of ours is treated as no session: it
  is deleted and one line is logged.
* A server error (5xx) saves nothing, except a destroy.
* Flask's ``SESSION_COOKIE_*`` settings do not apply here: setting one is
  refused with an error naming the :class:`SessionOptions` field to use.
"""


from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from flask import Flask, Request, Response, has_request_context
from flask import request as current_request
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.exceptions import BadRequest, HTTPException, NotFound, ServiceUnavailable

from .decision import CookieAction, SaveDecision, SessionOptions, SessionState, StoreAction, decide, outlived
from .signing import SESSION_ID_BYTES, SESSION_ID_PATTERN, SessionIdSigner, Verified, new_session_id
from .stores import MemoryStore, SessionRecord, SessionStore, StoreUnavailable

__all__ = ["SESSION_ID_BYTES", "SESSION_ID_PATTERN", "ServerSession", "ServerSideSessionInterface",
           "SessionInterrupted", "SessionOptions", "SessionStoreUnavailable"]

#: How many fresh ids a new session may try before giving up; a clash of
#: 256-bit random ids does not happen, but the store's refusal is still honoured.
CREATE_ATTEMPTS = 3

#: Flask's cookie settings, and the :class:`SessionOptions` field that takes each one's place.
FLASK_COOKIE_SETTINGS = {
    "SESSION_COOKIE_NAME": "cookie_name", "SESSION_COOKIE_DOMAIN": "domain", "SESSION_COOKIE_PATH": "path",
    "SESSION_COOKIE_HTTPONLY": "httponly", "SESSION_COOKIE_SECURE": "secure",
    "SESSION_COOKIE_SAMESITE": "samesite", "SESSION_COOKIE_PARTITIONED": "partitioned",
}


class SessionInterrupted(BadRequest):
    """The session ended (logout, new login, expiry) while this request ran; its changes were dropped."""

    description = "the session ended before this request completed; nothing was saved"


class SessionStoreUnavailable(ServiceUnavailable):
    """The session store cannot be used right now (503); the description says why, in one line."""

    def __init__(self, error: StoreUnavailable) -> None:
        super().__init__(f"the session store is unavailable: {error}")


class SessionOutsidePath(NotFound):
    """A session written outside the cookie's path, where express-session has no session either (404)."""


# Every dict method that reads or writes the data: each marks the session accessed (so
# the response gets Vary: Cookie) and, when the store could not be read, answers 503.
_DATA_METHODS = ("__getitem__", "__setitem__", "__delitem__", "__contains__", "__iter__", "__len__", "get",
                 "setdefault", "pop", "popitem", "update", "clear", "keys", "items", "values", "copy")


class ServerSession(dict[str, Any], SessionMixin):
    """The data of one session, as a dict, plus what the server knows about it.

    ``modified`` compares the data with what was loaded, so writing the same
    value again is not a change, and changes inside nested values count.
    """

    def __init__(self, interface: ServerSideSessionInterface, sid: str, *, record: SessionRecord | None = None,
                 unavailable: StoreUnavailable | None = None) -> None:
        super().__init__(record.data if record else {})
        self._interface = interface
        self._loaded = record
        self._loaded_json = _canonical_json(self._data())
        self._marked_modified = False
        self._max_age: int | None = record.max_age if record else None  # type: ignore[assignment]
        self.id = sid
        #: True when this request started the session (no valid cookie came in).
        self.new = record is None
        #: Set by every read or write of the data: the response then varies with the Cookie header.
        self.accessed = False
        self.created_at: float = record.created_at if record else interface.now()
        self.destroyed = False
        self.regenerated = False
        self.touched = False
        #: True when the cookie verified only with an older secret: it is re-signed now.
        self.signed_with_old_secret = False
        #: True once the store refused a write because the session had ended meanwhile.
        self.interrupted = False
        #: Why the store could not be read, if it could not: using the session then answers 503.
        self.unavailable = unavailable

    def _use(self) -> None:
        self.accessed = True
        if self.unavailable is not None:
            raise SessionStoreUnavailable(self.unavailable)

    def _data(self) -> dict[str, Any]:
        """The data as a plain dict, without counting as an access."""
        return dict(dict.items(self))

    @property
    def options(self) -> SessionOptions:
        """The options of the interface this session belongs to."""
        return self._interface.options

    @property
    def modified(self) -> bool:  # type: ignore[override]
        """Whether the data differs from what the store held at the start of the request.

        ``session.modified = True`` (Flask's idiom) saves the session even if it looks unchanged.
        """
        return self._marked_modified or _canonical_json(self._data()) != self._loaded_json

    @modified.setter
    def modified(self, value: bool) -> None:
        self._marked_modified = bool(value)

    @property
    def max_age(self) -> int | None:
        """This session's own max age in seconds ("remember me"); ``None`` uses the app's."""
        return self._max_age

    @max_age.setter
    def max_age(self, seconds: int | None) -> None:
        cap = self.options.max_age_cap
        if seconds is not None and not (isinstance(seconds, int) and 0 < seconds <= cap):
            raise ValueError(f"a session's max_age must be 1 to {cap} seconds (max_age_cap), or None")
        self._max_age = seconds

    @property
    def max_age_changed(self) -> bool:
        """Whether this request changed the session's own max age."""
        return self._max_age != (self._loaded.max_age if self._loaded else None)

    @property
    def stored(self) -> bool:
        """Whether the store holds this session's current id (it came with the request's cookie)."""
        return not self.new and not self.regenerated

    @property
    def permanent(self) -> bool:  # type: ignore[override]
        """Flask's word for "the cookie has a max age".

        Setting it ``True`` gives a session without one the longest allowed
        (``max_age_cap``), as Flask's permanent sessions get its
        ``PERMANENT_SESSION_LIFETIME``; ``False`` drops this session's own
        max age, so that it follows the app's again.
        """
        return self.cookie_max_age is not None

    @permanent.setter
    def permanent(self, value: bool) -> None:
        if value and self.cookie_max_age is None:
            self.max_age = self.options.max_age_cap
        elif not value:
            self.max_age = None

    @property
    def cookie_max_age(self) -> int | None:
        """The max age this session's cookie gets: its own, else the app's."""
        return self._max_age if self._max_age is not None else self.options.max_age

    @property
    def expires_at(self) -> float | None:
        """When the server will stop serving this session (Unix time), or ``None`` if not stored."""
        return self._loaded.expires_at if self.stored and self._loaded else None

    @property
    def expires(self) -> datetime | None:
        """:attr:`expires_at` as a UTC datetime, for people."""
        at = self.expires_at
        return None if at is None else datetime.fromtimestamp(at, timezone.utc)

    @property
    def state(self) -> SessionState:
        """The facts :func:`~demo_server.decision.decide` needs about this session."""
        loaded_data = self._loaded.data if self._loaded else {}
        return SessionState(
            stored=self.stored, expires_at=self.expires_at, created_at=self.created_at,
            cookie_max_age=self.cookie_max_age, modified=self.modified, max_age_changed=self.max_age_changed,
            touched=self.touched, regenerated=self.regenerated, destroyed=self.destroyed,
            emptied=self.stored and bool(loaded_data) and not dict.__len__(self),
            signed_with_old_secret=self.signed_with_old_secret,
        )

    def destroy(self) -> None:
        """End the session: it is deleted from the store, and the cookie cleared, when the response goes out.

        Like express-session's ``req.session.destroy()``, but the response
        also expires the cookie, so the browser forgets the dead id too.
        """
        self.clear()
        self.destroyed = True

    def regenerate(self, *, keep_data: bool = False) -> None:
        """Move to a fresh id and kill the old one now (defeats session fixation).

        express-session's ``regenerate()`` always empties the data; pass
        ``keep_data=True`` to carry it over to the new id. Without it the new
        session is fresh in every way: no "remember me" max age of the old
        one, and its absolute timeout counts from now.
        """
        self._use()
        if self.stored:
            self._interface.store_call(self._interface.store.destroy, self.id)
        if not keep_data:
            self.clear()
            self._max_age = None
            self.created_at = self._interface.now()
        self.id = self._interface.new_session_id()
        self.regenerated = True
        self.destroyed = False

    def update_atomically(self, change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        """Change the stored data in one atomic step, then carry on with the result.

        A plain ``session["count"] += 1`` reads at the start of the request and
        writes at the end, so two concurrent requests both write the same
        count and one increment is lost. This instead lets the store apply
        ``change`` to the newest stored data and write the result only if
        nobody wrote in between, retrying otherwise. So ``change`` must be
        quick and pure: it may run more than once. The session then holds the
        stored result; changes made earlier in this request that were not saved
        yet are replaced by it, so call this before any other change. A session
        not stored yet is changed in memory and saved as usual.

        Raises :class:`SessionInterrupted` (a 400) if the session ended while
        this request ran.
        """
        self._use()
        if not self.stored:
            new_data = change(self._data())
            dict.clear(self)
            dict.update(self, new_data)
            return
        stored = self._interface.store_call(
            self._interface.store.update, self.id, lambda record: replace(record, data=change(dict(record.data))))
        if stored is None:
            self.interrupted = True
            raise SessionInterrupted()
        dict.clear(self)
        dict.update(self, stored.data)
        self._loaded = stored
        self._loaded_json = _canonical_json(self._data())

    def touch(self) -> None:
        """Renew the expiry now and re-send the cookie (express ``req.session.touch()``)."""
        self.touched = True

    def _merged_into(self, current: SessionRecord, expires_at: float) -> SessionRecord:
        """``current`` (the store's newest record) with this request's changes on top.

        Only the keys this request set, changed or deleted are written; other
        keys keep what the store holds now, so a save never reverts another
        request's change, atomic or not.
        """
        loaded = self._loaded.data if self._loaded else {}
        mine = self._data()
        data = dict(current.data)
        for key in loaded.keys() - mine.keys():
            data.pop(key, None)
        for key, value in mine.items():
            if key not in loaded or _canonical_json(value) != _canonical_json(loaded[key]):
                data[key] = value
        max_age = self._max_age if self.max_age_changed else current.max_age
        return replace(current, data=data, expires_at=expires_at, max_age=max_age)

    def __repr__(self) -> str:
        return f"<ServerSession {self.id[:8]}… {self._data()!r}>"


def _tracked(name: str) -> Callable[..., Any]:
    method = getattr(dict, name)

    def tracked(self: ServerSession, *args: Any, **kwargs: Any) -> Any:
        self._use()
        return method(self, *args, **kwargs)

    tracked.__name__ = tracked.__qualname__ = name
    tracked.__doc__ = method.__doc__
    return tracked


for _name in _DATA_METHODS:
    setattr(ServerSession, _name, _tracked(_name))


class NoSession(dict[str, Any], SessionMixin):
    """What a request outside the cookie's path gets: no session, as in express-session.

    It reads as empty and is never saved; writing to it is a 404 that says
    where sessions live, because a cookie for it would never be sent back.
    """

    def __init__(self, cookie_path: str) -> None:
        super().__init__()
        self.cookie_path = cookie_path

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise SessionOutsidePath(f"there are sessions only under {self.cookie_path}")

    __setitem__ = __delitem__ = setdefault = pop = popitem = update = _refuse  # type: ignore[assignment]
    clear = destroy = regenerate = update_atomically = touch = _refuse  # type: ignore[assignment]


class ServerSideSessionInterface(SessionInterface):
    """A Flask session interface that keeps session data in a :class:`SessionStore`.

    Flask calls :meth:`open_session` before each request and
    :meth:`save_session` after it. What to do at save time is decided by
    :func:`~demo_server.decision.decide`; this class only carries it out.
    """

    #: Separates signed cookie values from other uses of the app's secret.
    salt = "demo_server.session"
    #: The HMAC hash. itsdangerous's default is SHA-1; SHA-256 is the modern choice.
    digest_method = staticmethod(hashlib.sha256)
    #: The longest cookie value worth verifying; anything longer is not ours.
    max_cookie_length = 256
    null_session_class = NoSession  # type: ignore[assignment]

    def __init__(self, store: SessionStore | None = None, options: SessionOptions | None = None) -> None:
        self.store = store if store is not None else MemoryStore()
        self.options = options or SessionOptions()
        self._signer_cache: tuple[tuple[str | bytes, ...], SessionIdSigner | None] = ((), None)

    # -- time and randomness: one overridable method each -------------------

    def now(self) -> float:
        """The current time, taken from the store's clock so both agree."""
        return self.store.clock()

    def new_session_id(self) -> str:
        """A fresh, unguessable session id. 256 bits make collisions impossible in practice.

        An override (express's ``genid``) must keep the shape of
        :data:`SESSION_ID_PATTERN`: ids of any other shape are refused when
        they come back, so every request would look logged out.
        """
        return new_session_id()

    # -- the signed cookie value ---------------------------------------------

    def get_signer(self, app: Flask) -> SessionIdSigner:
        """Signs with the newest secret and accepts the fallbacks (secret rotation)."""
        if not app.secret_key:
            raise RuntimeError("server-side sessions need app.secret_key to sign the session id")
        keys = (*(app.config.get("SECRET_KEY_FALLBACKS") or []), app.secret_key)
        cached_keys, signer = self._signer_cache
        if cached_keys != keys or signer is None:  # built once per set of secrets: deriving keys is not free
            signer = SessionIdSigner(keys, salt=self.salt, digest_method=self.digest_method)
            self._signer_cache = (keys, signer)
        return signer

    def sign_session_id(self, app: Flask, sid: str) -> str:
        """The cookie value: ``<id>.<signature>``."""
        return self.get_signer(app).sign(sid)

    def verify_session_id(self, app: Flask, value: str | None) -> Verified | None:
        """The id in a cookie value, and which secret signed it; ``None`` if missing, malformed or forged."""
        return self.get_signer(app).verify(value, max_length=self.max_cookie_length)

    def unsign_session_id(self, app: Flask, value: str | None) -> str | None:
        """The id inside a cookie value, or ``None`` if it is missing, malformed or forged."""
        verified = self.verify_session_id(app, value)
        return None if verified is None else verified.session_id

    # -- the store, with its faults as one-line 503s ---------------------------

    def store_call(self, operation: Callable[..., Any], *args: Any) -> Any:
        """Run a store operation inside a request; a store that cannot be used becomes a 503."""
        try:
            return operation(*args)
        except StoreUnavailable as error:
            _log_unavailable(error)
            raise SessionStoreUnavailable(error) from None

    # -- Flask's two hooks ---------------------------------------------------

    def open_session(self, app: Flask, request: Request) -> ServerSession | None:  # type: ignore[override]
        """Find the session the cookie names, or start a new one.

        An unknown, expired, forged or garbage cookie is never adopted: the
        request gets a brand-new id (OWASP's "strict" session management).
        Outside the cookie's path there is no session (``None``: Flask then
        uses :class:`NoSession`), as in express-session.
        """
        _refuse_flask_cookie_settings(app)
        if not _path_matches(request.script_root + request.path, self.cookie_path()):
            return None
        verified = self.verify_session_id(app, request.cookies.get(self.options.cookie_name))
        if verified is None:
            return ServerSession(self, self.new_session_id())
        try:
            record = self.store.get(verified.session_id)
            if record is not None and outlived(record.created_at, self.options, self.now()):
                self.store.destroy(verified.session_id)  # the absolute timeout in force now has passed
                record = None
        except StoreUnavailable as error:
            _log_unavailable(error, app)
            return ServerSession(self, verified.session_id, unavailable=error)
        if record is None:
            return ServerSession(self, self.new_session_id())
        session = ServerSession(self, verified.session_id, record=record)
        session.signed_with_old_secret = not verified.by_newest_secret
        return session

    def make_null_session(self, app: Flask) -> NoSession:  # type: ignore[override]
        return NoSession(self.cookie_path())

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:  # type: ignore[override]
        """Carry out :meth:`decide`: write to the store, then set or clear the cookie."""
        assert isinstance(session, ServerSession)
        if session.accessed:
            response.vary.add("Cookie")
        if session.interrupted or session.unavailable is not None:  # the view already answered
            return
        now = self.now()
        decision = self.decide(session, response, now)
        try:
            written = self._write(session, decision)
        except StoreUnavailable as error:
            _log_unavailable(error, app)
            _answer(response, SessionStoreUnavailable(error))
            return
        if not written:
            session.interrupted = True
            if decision.store is StoreAction.UPDATE:  # changes were dropped: say so
                _answer(response, SessionInterrupted())
            return  # and no Set-Cookie: see "Concurrent requests" in the module docstring
        if decision.cookie is CookieAction.SET:
            assert decision.expires_at is not None
            self.set_cookie(app, response, session.id, max_age=session.cookie_max_age,
                            expires_at=decision.expires_at, now=now)
        elif decision.cookie is CookieAction.CLEAR:
            self.clear_cookie(response)

    def decide(self, session: ServerSession, response: Response, now: float) -> SaveDecision:
        """The store action, cookie action and expiry for this response (:func:`~demo_server.decision.decide`)."""
        return decide(session.state, self.options, now, failed=response.status_code >= 500,
                      secure_request=current_request.is_secure if has_request_context() else True)

    def _write(self, session: ServerSession, decision: SaveDecision) -> bool:
        """Do the decision's store action; ``False`` if the store refused because the session ended."""
        action, expires_at = decision.store, decision.expires_at
        if action is StoreAction.DELETE:
            self.store.destroy(session.id)
        elif action is StoreAction.TOUCH:
            assert expires_at is not None
            return self.store.touch(session.id, expires_at)
        elif action is StoreAction.UPDATE:
            assert expires_at is not None

            def with_changes(current: SessionRecord) -> SessionRecord:
                return session._merged_into(current, expires_at)  # noqa: SLF001

            # The first try starts from the record this request loaded: no read if nobody wrote since.
            return self.store.update(session.id, with_changes, known=session._loaded) is not None  # noqa: SLF001
        elif action is StoreAction.CREATE:
            assert expires_at is not None
            record = SessionRecord(data=session._data(), expires_at=expires_at,  # noqa: SLF001
                                   created_at=session.created_at, max_age=session.max_age)
            for _ in range(CREATE_ATTEMPTS):
                if self.store.create(session.id, record):
                    return True
                session.id = self.new_session_id()
            raise RuntimeError(f"the store refused {CREATE_ATTEMPTS} fresh session ids in a row")
        return True

    # -- writing the cookie --------------------------------------------------

    def set_cookie(self, app: Flask, response: Response, sid: str, *, max_age: int | None,
                   expires_at: float, now: float) -> None:
        """Send ``Set-Cookie`` with the signed id and the configured attributes."""
        if max_age is not None:  # what is left of it, in whole seconds (+1 ms for the store's rounding)
            max_age = max(0, min(max_age, int(expires_at - now + 0.001)))
        response.set_cookie(
            self.options.cookie_name, self.sign_session_id(app, sid), max_age=max_age,
            path=self.cookie_path(), domain=self.options.domain, secure=self.cookie_secure(),
            httponly=self.options.httponly, samesite=self.options.samesite, partitioned=self.options.partitioned,
        )

    def cookie_secure(self) -> bool:
        """Whether the cookie is marked ``Secure``: as configured, or with ``"auto"``, when the request is HTTPS."""
        if self.options.secure == "auto":
            return current_request.is_secure if has_request_context() else False
        return bool(self.options.secure)

    def cookie_path(self) -> str:
        """``options.path`` under the app's mount point (the request's script root).

        Behind a trusted proxy (``create_app(proxy=True)``) such as
        jupyter-server-proxy, the app lives at ``/proxy/PORT/``, and
        ``X-Forwarded-Prefix`` becomes the script root. ``Path=/`` would send
        the cookie to JupyterLab and to every other app on that host, and two
        demo servers would overwrite each other's ``sid``.
        """
        script_root = current_request.script_root if has_request_context() else ""
        return script_root + self.options.path

    def clear_cookie(self, response: Response) -> None:
        """Send an already-expired cookie, which makes the client delete it."""
        response.delete_cookie(
            self.options.cookie_name, path=self.cookie_path(), domain=self.options.domain,
            secure=self.cookie_secure(), httponly=self.options.httponly, samesite=self.options.samesite,
            partitioned=self.options.partitioned,
        )


def _path_matches(request_path: str, cookie_path: str) -> bool:
    """RFC 6265's path-match: would a browser send a cookie with ``cookie_path`` to ``request_path``?"""
    if request_path == cookie_path or cookie_path == "/":
        return True
    return request_path.startswith(cookie_path) and (cookie_path.endswith("/")
                                                     or request_path[len(cookie_path)] == "/")


def _refuse_flask_cookie_settings(app: Flask) -> None:
    """Flask's ``SESSION_COOKIE_*`` settings would be silently ignored here: refuse them instead."""
    for setting, field in FLASK_COOKIE_SETTINGS.items():
        if setting in app.config and app.config[setting] != Flask.default_config.get(setting):
            message = (f"{setting} does not apply to server-side sessions: set SessionOptions' {field} instead, "
                       f"e.g. create_app({field}=...)")
            app.logger.error(message)
            raise RuntimeError(message)


def _log_unavailable(error: StoreUnavailable, app: Flask | None = None) -> None:
    """One plain line in the app's log, no traceback."""
    from flask import current_app

    logger = (app or current_app).logger
    logger.warning("session store unavailable: %s", error)


def _answer(response: Response, error: HTTPException) -> None:
    """Turn an already-built response into ``error``'s plain-text answer, with no Set-Cookie of ours."""
    response.status_code = error.code or 500
    response.set_data(error.description or "")
    response.mimetype = "text/plain"


def _canonical_json(data: Any) -> str:
    """One spelling per value, so equal data compares equal."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=repr)

"""Server-side sessions for Flask: the server keeps the data, the cookie keeps a key.

Flask's built-in session puts the data itself into the cookie, signed. This
module implements the model the seed tutorial teaches with express-session:

* the server keeps each session's ``key:value`` data in a :mod:`store <demo_server.stores>`;
* the cookie carries only a globally unique key, the *session id*: 256
  random bits from :mod:`secrets`, signed with the app's secret through
  :mod:`itsdangerous` so that nobody can forge or guess one.

When is ``Set-Cookie`` sent? express-session's rules are the baseline:

========================  =====================================================
situation                 cookie sent when
========================  =====================================================
new session               ``save_uninitialized`` is on, or the data was modified
existing session          ``rolling`` is on, or it has a max age and was modified,
                          or :meth:`ServerSession.touch` was called
``regenerate()``          always
``destroy()``             always, as an expired cookie that clears it
========================  =====================================================

Where this differs from express-session, on purpose:

* ``destroy()`` also clears the cookie (OWASP); express-session leaves the
  dead cookie on the client.
* The server's expiry is always the expiry of the last cookie it sent.
  express-session slides the server-side expiry on every request even when
  the cookie is not re-sent, so the two lifetimes drift apart.
* A browser-session cookie (``max_age=None``) still expires on the server
  after ``idle_timeout`` seconds without a request; express-session's
  MemoryStore keeps such sessions forever.
* ``regenerate(keep_data=True)`` can keep the data under the new id.
* The defaults are the secure ones: ``save_uninitialized=False``,
  ``resave=False``, ``SameSite=Lax``, a generic cookie name ``sid``.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal

from flask import Flask, Request, Response, has_request_context
from flask import request as current_request
from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadSignature, Signer

from .stores import MemoryStore, SessionRecord, SessionStore

#: Session ids are this many random bytes: 256 bits, above OWASP's 64-bit floor.
SESSION_ID_BYTES = 32

#: What a session id looks like: ``secrets.token_urlsafe(32)`` gives 43 base64url characters.
SESSION_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class SessionOptions:
    """How sessions behave. Each field names its express-session counterpart."""

    #: express ``name`` (default ``connect.sid``). A generic name does not
    #: tell an attacker which framework runs the site.
    cookie_name: str = "sid"
    #: express ``cookie.maxAge``, but in **seconds**, not milliseconds.
    #: ``None`` makes a browser-session cookie (no Expires, no Max-Age).
    max_age: int | None = None
    #: No express counterpart. How long the server keeps a session whose
    #: cookie has no max age after its last request.
    idle_timeout: int = 1800
    #: No express counterpart. The longest a session may live, however
    #: active it is (OWASP's absolute timeout). ``None`` means no limit.
    absolute_timeout: int | None = None
    #: express ``rolling``: re-send the cookie, with a fresh expiry, on
    #: every response.
    rolling: bool = False
    #: express ``saveUninitialized`` (default true there): store and send a
    #: cookie for a new session that holds no data yet.
    save_uninitialized: bool = False
    #: express ``resave`` (default true there): write the session back to the
    #: store even when nothing changed. It never changes Set-Cookie.
    resave: bool = False
    #: express ``cookie.httpOnly``: keep the cookie away from JavaScript.
    httponly: bool = True
    #: express ``cookie.sameSite`` (unset there): ``"Lax"`` stops the cookie
    #: riding along on cross-site POSTs. ``None`` leaves the attribute out.
    samesite: Literal["Strict", "Lax", "None"] | None = "Lax"
    #: express ``cookie.secure``: send the cookie over HTTPS only. Off by
    #: default because the demo serves plain http on loopback.
    secure: bool = False
    #: express ``cookie.path``.
    path: str = "/"
    #: express ``cookie.domain``. ``None`` ties the cookie to this host only.
    domain: str | None = None

    def __post_init__(self) -> None:
        # Python does not check annotations at run time; a quoted "false" would be true.
        for switch in ("rolling", "save_uninitialized", "resave", "httponly", "secure"):
            value = getattr(self, switch)
            if not isinstance(value, bool):
                raise TypeError(f"{switch} must be True or False, not {value!r}")
        if self.max_age is not None and self.max_age <= 0:
            raise ValueError("max_age must be a positive number of seconds, or None")
        if self.idle_timeout <= 0:
            raise ValueError("idle_timeout must be a positive number of seconds")
        if self.absolute_timeout is not None and self.absolute_timeout <= 0:
            raise ValueError("absolute_timeout must be a positive number of seconds, or None")
        if self.samesite not in ("Strict", "Lax", "None", None):
            raise ValueError("samesite must be 'Strict', 'Lax', 'None' or None")


class ServerSession(dict[str, Any], SessionMixin):
    """The data of one session, as a dict, plus what the server knows about it.

    ``modified`` compares the data with what was loaded, so writing the same
    value again is not a change, and changes inside nested values count.
    """

    def __init__(self, interface: ServerSideSessionInterface, sid: str, *,
                 record: SessionRecord | None = None) -> None:
        super().__init__(record.data if record else {})
        self._interface = interface
        self._loaded = record
        self._loaded_json = _canonical_json(self)
        self.id = sid
        #: True when this request started the session (no valid cookie came in).
        self.new = record is None
        #: This session's own max age ("remember me"); ``None`` uses the app's.
        self.max_age: int | None = record.max_age if record else None
        self.created_at: float = record.created_at if record else interface.now()
        self.destroyed = False
        self.regenerated = False
        self.touched = False

    @property
    def modified(self) -> bool:  # type: ignore[override]
        """Whether the data differs from what the store held at the start of the request."""
        return _canonical_json(self) != self._loaded_json

    @property
    def max_age_changed(self) -> bool:
        """Whether this request changed the session's own max age."""
        return self.max_age != (self._loaded.max_age if self._loaded else None)

    @property
    def permanent(self) -> bool:  # type: ignore[override]
        """Flask's word for "the cookie has a max age"."""
        return self.cookie_max_age is not None

    @property
    def cookie_max_age(self) -> int | None:
        """The max age this session's cookie gets: its own, else the app's."""
        return self.max_age if self.max_age is not None else self._interface.options.max_age

    @property
    def expires_at(self) -> float | None:
        """When the server will stop serving this session (Unix time), or ``None`` if not stored."""
        return None if self._loaded is None else self._loaded.expires_at

    @property
    def expires(self) -> datetime | None:
        """:attr:`expires_at` as a UTC datetime, for people."""
        at = self.expires_at
        return None if at is None else datetime.fromtimestamp(at, timezone.utc)

    def destroy(self) -> None:
        """End the session now: delete it from the store and clear the cookie.

        Like express-session's ``req.session.destroy()``, but the response
        also expires the cookie, so the browser forgets the dead id too.
        """
        self._interface.store.destroy(self.id)
        self.clear()
        self.destroyed = True

    def regenerate(self, *, keep_data: bool = False) -> None:
        """Move to a fresh id and kill the old one (defeats session fixation).

        express-session's ``regenerate()`` always empties the data; pass
        ``keep_data=True`` to carry it over to the new id. Without it the new
        session is fresh in every way: no "remember me" max age of the old
        one, and its absolute timeout counts from now.
        """
        self._interface.store.destroy(self.id)
        if not keep_data:
            self.clear()
            self.max_age = None
            self.created_at = self._interface.now()
        self.id = self._interface.new_session_id()
        self.regenerated = True
        self.destroyed = False

    def update_atomically(self, change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        """Change the stored data in one atomic step, then carry on with the result.

        A plain ``session["count"] += 1`` reads at the start of the request and
        writes at the end, so two concurrent requests both write the same
        count and one increment is lost. This instead lets the store apply
        ``change`` under its own lock or transaction. The session then holds
        the stored result; changes made earlier in this request that were not
        saved yet are replaced by it, so call this before any other change.
        A session not stored yet is changed in memory and saved as usual.
        """
        record = None if self.new else self._interface.store.update(self.id, change)
        if record is None:
            new_data = change(dict(self))
            self.clear()
            self.update(new_data)
            return
        self.clear()
        self.update(record.data)
        self._loaded = record
        self._loaded_json = _canonical_json(self)

    def touch(self) -> None:
        """Renew the expiry now and re-send the cookie (express ``req.session.touch()``)."""
        self.touched = True

    def __repr__(self) -> str:
        return f"<ServerSession {self.id[:8]}… {dict(self)!r}>"


class ServerSideSessionInterface(SessionInterface):
    """A Flask session interface that keeps session data in a :class:`SessionStore`.

    Flask calls :meth:`open_session` before each request and
    :meth:`save_session` after it. The decisions in between have their own
    small, named methods: :meth:`should_save` and :meth:`should_set_cookie`.

    Concurrent requests in the same session each load their own copy and the
    last one to save wins, as with express-session; keep each session's
    writes to one request at a time, or make the store update atomically.
    """

    #: Separates signed cookie values from other uses of the app's secret.
    salt = "demo_server.session"
    #: The HMAC hash. itsdangerous's default is SHA-1; SHA-256 is the modern choice.
    digest_method = staticmethod(hashlib.sha256)
    #: A browser-session cookie's idle expiry moves only once it would move by
    #: this fraction of ``idle_timeout``: at most one store write per step.
    idle_renewal_step = 0.1
    #: The longest cookie value worth verifying; anything longer is not ours.
    max_cookie_length = 256

    def __init__(self, store: SessionStore | None = None, options: SessionOptions | None = None) -> None:
        self.store = store if store is not None else MemoryStore()
        self.options = options or SessionOptions()
        self._signer_cache: tuple[tuple[str | bytes, ...], Signer | None] = ((), None)

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
        return secrets.token_urlsafe(SESSION_ID_BYTES)

    # -- the signed cookie value ---------------------------------------------

    def get_signer(self, app: Flask) -> Signer:
        """Signs with the newest secret and accepts the fallbacks (secret rotation)."""
        if not app.secret_key:
            raise RuntimeError("server-side sessions need app.secret_key to sign the session id")
        keys = (*(app.config.get("SECRET_KEY_FALLBACKS") or []), app.secret_key)
        cached_keys, signer = self._signer_cache
        if cached_keys != keys:  # built once per set of secrets: deriving the key is not free
            signer = Signer(list(keys), salt=self.salt, key_derivation="hmac",
                            digest_method=self.digest_method)
            self._signer_cache = (keys, signer)
        return signer  # type: ignore[return-value]

    def sign_session_id(self, app: Flask, sid: str) -> str:
        """The cookie value: ``<id>.<signature>``."""
        return self.get_signer(app).sign(sid).decode("ascii")

    def unsign_session_id(self, app: Flask, value: str | None) -> str | None:
        """The id inside a cookie value, or ``None`` if it is missing, malformed or forged."""
        if not value or len(value) > self.max_cookie_length:
            return None
        try:
            sid = self.get_signer(app).unsign(value.encode("utf-8", "surrogateescape")).decode("ascii")
        except (BadSignature, UnicodeError):
            return None
        return sid if SESSION_ID_PATTERN.fullmatch(sid) else None

    # -- Flask's two hooks ---------------------------------------------------

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        """Find the session the cookie names, or start a new one.

        An unknown, expired, forged or garbage cookie is never adopted: the
        request gets a brand-new id (OWASP's "strict" session management).
        """
        sid = self.unsign_session_id(app, request.cookies.get(self.options.cookie_name))
        record = self.store.get(sid) if sid else None
        if record is None:
            return ServerSession(self, self.new_session_id())
        return ServerSession(self, sid, record=record)  # type: ignore[arg-type]

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:  # type: ignore[override]
        """Write the session to the store and decide the Set-Cookie header."""
        assert isinstance(session, ServerSession)
        if session.destroyed:
            self.clear_cookie(response)
            return
        now = self.now()
        send_cookie = self.should_set_cookie(app, session)
        expires_at = self.next_expiry(session, now, renew=send_cookie)
        if self.should_save(session):
            record = SessionRecord(
                data=dict(session), expires_at=expires_at, created_at=session.created_at,
                max_age=session.max_age,
            )
            self.store.set(session.id, record)
        elif session.expires_at is not None and expires_at != session.expires_at:
            self.store.touch(session.id, expires_at)
        if send_cookie:
            self.set_cookie(app, response, session.id, max_age=session.cookie_max_age,
                            expires_at=expires_at, now=now)

    # -- the decisions -------------------------------------------------------

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:  # type: ignore[override]
        """express-session's rules, plus: regenerate and touch always send it."""
        assert isinstance(session, ServerSession)
        if session.regenerated or session.touched or session.max_age_changed:
            return True
        if session.new:
            return self.options.save_uninitialized or session.modified
        return self.options.rolling or (session.cookie_max_age is not None and session.modified)

    def should_save(self, session: ServerSession) -> bool:
        """Whether to write the whole record to the store on this response."""
        if session.regenerated or session.max_age_changed:
            return True
        if session.new:  # a cookie for it goes out exactly when it is stored
            return self.options.save_uninitialized or session.modified or session.touched
        return session.modified or self.options.resave

    def next_expiry(self, session: ServerSession, now: float, *, renew: bool) -> float:
        """When the server should stop serving this session.

        It equals the expiry of the last cookie sent: renewed whenever a
        cookie goes out. A browser-session cookie instead slides to
        ``idle_timeout`` after each request (in steps of ``idle_renewal_step``).
        ``absolute_timeout`` caps both.
        """
        lifetime = session.cookie_max_age
        if renew or session.expires_at is None:
            expires_at = now + (lifetime if lifetime is not None else self.options.idle_timeout)
        elif lifetime is None:
            expires_at = now + self.options.idle_timeout
            if expires_at - session.expires_at < self.options.idle_timeout * self.idle_renewal_step:
                expires_at = session.expires_at  # a burst of requests costs one write, not one each
        else:
            expires_at = session.expires_at
        if self.options.absolute_timeout is not None:
            expires_at = min(expires_at, session.created_at + self.options.absolute_timeout)
        return expires_at

    # -- writing the cookie --------------------------------------------------

    def set_cookie(self, app: Flask, response: Response, sid: str, *, max_age: int | None,
                   expires_at: float, now: float) -> None:
        """Send ``Set-Cookie`` with the signed id and the configured attributes."""
        if max_age is not None:
            max_age = max(0, min(max_age, int(expires_at - now)))
        response.set_cookie(
            self.options.cookie_name, self.sign_session_id(app, sid), max_age=max_age,
            path=self.cookie_path(), domain=self.options.domain, secure=self.options.secure,
            httponly=self.options.httponly, samesite=self.options.samesite,
        )

    def cookie_path(self) -> str:
        """``options.path`` under the app's mount point (the request's script root).

        Behind jupyter-server-proxy the app lives at ``/proxy/PORT/`` (ProxyFix turns
        ``X-Forwarded-Prefix`` into the script root). ``Path=/`` would send the cookie
        to JupyterLab and to every other app on that host, and two demo servers would
        overwrite each other's ``sid``.
        """
        script_root = current_request.script_root if has_request_context() else ""
        return script_root + self.options.path

    def clear_cookie(self, response: Response) -> None:
        """Send an already-expired cookie, which makes the client delete it."""
        response.delete_cookie(
            self.options.cookie_name, path=self.cookie_path(), domain=self.options.domain,
            secure=self.options.secure, httponly=self.options.httponly, samesite=self.options.samesite,
        )


def _canonical_json(data: dict[str, Any]) -> str:
    """One spelling per value, so equal data compares equal."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=repr)

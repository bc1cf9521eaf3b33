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
"""


from __future__ import annotations

import hashlib
import json
import math
import re
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from flask import Flask, Request, Response, has_request_context
from flask import request as current_request
from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadSignature, Signer
from werkzeug.exceptions import BadRequest

from .decision import CookieAction, SaveDecision, SessionOptions, SessionState, StoreAction, decide
from .stores import MemoryStore, SessionRecord, SessionStore

__all__ = ["SESSION_ID_BYTES", "SESSION_ID_PATTERN", "ServerSession", "ServerSideSessionInterface",
           "SessionInterrupted", "SessionOptions"]

#: Session ids are this many random bytes: 256 bits, above OWASP's 64-bit floor.
SESSION_ID_BYTES = 32

#: What a session id looks like: ``secrets.token_urlsafe(32)`` gives 43 base64url characters.
SESSION_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")

#: How many fresh ids a new session may try before giving up; a clash of
#: 256-bit random ids does not happen, but the store's refusal is still honoured.
CREATE_ATTEMPTS = 3


class SessionInterrupted(BadRequest):
    """The session ended (logout, new login, expiry) while this request ran; its changes were dropped."""

    description = "the session ended before this request completed; nothing was saved"


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
        #: True once the store refused a write because the session had ended meanwhile.
        self.interrupted = False

    @property
    def modified(self) -> bool:  # type: ignore[override]
        """Whether the data differs from what the store held at the start of the request."""
        return _canonical_json(self) != self._loaded_json

    @property
    def max_age_changed(self) -> bool:
        """Whether this request changed the session's own max age."""
        return self.max_age != (self._loaded.max_age if self._loaded else None)

    @property
    def stored(self) -> bool:
        """Whether the store holds this session's current id (it came with the request's cookie)."""
        return not self.new and not self.regenerated

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
        return self._loaded.expires_at if self.stored and self._loaded else None

    @property
    def expires(self) -> datetime | None:
        """:attr:`expires_at` as a UTC datetime, for people."""
        at = self.expires_at
        return None if at is None else datetime.fromtimestamp(at, timezone.utc)

    @property
    def state(self) -> SessionState:
        """The facts :func:`~demo_server.decision.decide` needs about this session."""
        return SessionState(
            stored=self.stored, expires_at=self.expires_at, created_at=self.created_at,
            cookie_max_age=self.cookie_max_age, modified=self.modified, max_age_changed=self.max_age_changed,
            touched=self.touched, regenerated=self.regenerated, destroyed=self.destroyed,
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
        if self.stored:
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
        ``change`` to the newest stored data and write the result only if
        nobody wrote in between, retrying otherwise. So ``change`` must be
        quick and pure: it may run more than once. The session then holds the
        stored result; changes made earlier in this request that were not saved
        yet are replaced by it, so call this before any other change. A session
        not stored yet is changed in memory and saved as usual.

        Raises :class:`SessionInterrupted` (a 400) if the session ended while
        this request ran.
        """
        if not self.stored:
            new_data = change(dict(self))
            self.clear()
            self.update(new_data)
            return
        stored = self._interface.store.update(self.id, lambda record: replace(record, data=change(dict(record.data))))
        if stored is None:
            self.interrupted = True
            raise SessionInterrupted()
        self.clear()
        self.update(stored.data)
        self._loaded = stored
        self._loaded_json = _canonical_json(self)

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
        data = dict(current.data)
        for key in loaded.keys() - self.keys():
            data.pop(key, None)
        for key, value in self.items():
            if key not in loaded or _canonical_json(value) != _canonical_json(loaded[key]):
                data[key] = value
        max_age = self.max_age if self.max_age_changed else current.max_age
        return replace(current, data=data, expires_at=expires_at, max_age=max_age)

    def __repr__(self) -> str:
        return f"<ServerSession {self.id[:8]}… {dict(self)!r}>"


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
        """Carry out :meth:`decide`: write to the store, then set or clear the cookie."""
        assert isinstance(session, ServerSession)
        if session.interrupted:  # the view already answered SessionInterrupted
            return
        now = self.now()
        decision = self.decide(session, response, now)
        if not self._write(session, decision):
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
        return decide(session.state, self.options, now, failed=response.status_code >= 500)

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
            record = SessionRecord(data=dict(session), expires_at=expires_at, created_at=session.created_at,
                                   max_age=session.max_age)
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
            max_age = max(0, min(max_age, math.floor(expires_at - now + 0.001)))
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


def _answer(response: Response, error: BadRequest) -> None:
    """Turn an already-built response into ``error``'s plain-text answer."""
    response.status_code = error.code or 400
    response.set_data(error.description or "")
    response.mimetype = "text/plain"


def _canonical_json(data: Any) -> str:
    """One spelling per value, so equal data compares equal."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=repr)

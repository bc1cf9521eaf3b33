"""What happens to a session when its response goes out: the options, and one pure decision.

At the end of every request the server decides three things: what to do in
the store, whether to send ``Set-Cookie``, and when the session expires.
:func:`decide` makes that decision from plain facts (:class:`SessionState`),
the :class:`SessionOptions` and the time, and touches nothing, so the whole
policy can be read in one place and tested from a table.

When is ``Set-Cookie`` sent? express-session's rules are the baseline:

========================  =====================================================
situation                 cookie sent when
========================  =====================================================
new session               ``save_uninitialized`` is on, or the data was modified
existing session          ``rolling`` is on, or it has a max age and was modified,
                          or :meth:`~demo_server.sessions.ServerSession.touch`
                          was called, or its own max age changed
``regenerate()``          always
``destroy()``             always, as an expired cookie that clears it
a 5xx response            never (and nothing is saved, as in Django)
========================  =====================================================

And the store: a new session is *created* exactly when its cookie goes out;
an existing one is *updated* when its data or max age changed, or always with
``resave``; otherwise it is *touched* when its expiry moves; a destroyed one
is *deleted*.

Where this differs from express-session, on purpose:

* ``destroy()`` also clears the cookie (OWASP); express-session leaves the
  dead cookie on the client.
* The server's expiry is always the expiry of the last cookie it sent.
  express-session slides the server-side expiry on every request even when
  the cookie is not re-sent, so the two lifetimes drift apart.
* A browser-session cookie (``max_age=None``) still expires on the server
  after ``idle_timeout`` seconds without a request; express-session's
  MemoryStore keeps such sessions forever.
* ``touch()`` re-sends the cookie, and so does a change of the session's own
  max age; express-session waits for ``rolling`` or a data change.
* A request that was still running when its session was destroyed or
  regenerated cannot write it back: the stores refuse to update a session
  that is gone. express-session's stores save with an upsert, so such a
  request brings the session back (notebook 04, "Logout racing a slow request").
* ``regenerate(keep_data=True)`` can keep the data under the new id.
* The defaults are the secure ones: ``save_uninitialized=False``,
  ``resave=False``, ``SameSite=Lax``, a generic cookie name ``sid``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

from .stores.base import from_ms, to_ms


#: The longest cookie lifetime browsers keep (RFC 6265bis): 400 days.
BROWSER_MAX_AGE_LIMIT = 400 * 24 * 3600


@dataclass(frozen=True)
class SessionOptions:
    """How sessions behave. Each field names its express-session counterpart."""

    #: express ``name`` (default ``connect.sid``). A generic name does not
    #: tell an attacker which framework runs the site.
    cookie_name: str = "sid"
    #: express ``cookie.maxAge``, but in **seconds**, not milliseconds.
    #: ``None`` makes a browser-session cookie (no Expires, no Max-Age).
    max_age: int | None = None
    #: express has no such option: there, with ``cookie.maxAge`` set, the
    #: store's ``touch`` slides the server-side expiry on every request (an
    #: idle timeout of ``maxAge``), and a session without one never idles out.
    #: Here: how long the server keeps a session whose cookie has no max age
    #: after its last request. (With a max age, ``rolling`` makes it idle out.)
    idle_timeout: int = 1800
    #: express has no absolute timeout at all. The longest a session may live,
    #: however active it is (OWASP's absolute timeout). ``None`` means no limit.
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
    #: default because the demo serves plain http on loopback. As in
    #: express, a request over plain http then gets no ``Set-Cookie`` at all
    #: (its session is still stored). ``"auto"``: Secure exactly when the
    #: request came over HTTPS (behind a proxy, see ``create_app(proxy=...)``).
    secure: bool | Literal["auto"] = False
    #: express ``cookie.path``.
    path: str = "/"
    #: express ``cookie.domain``. ``None`` ties the cookie to this host only.
    domain: str | None = None
    #: express ``cookie.partitioned`` (CHIPS): a third-party cookie keyed to the
    #: top-level site. Browsers require ``Secure`` with it. (express's
    #: ``cookie.priority`` has no counterpart: Werkzeug cannot emit it.)
    partitioned: bool = False
    #: No express counterpart. The longest max age any one session may get,
    #: in seconds, e.g. through "remember me" (``/login?remember=N``).
    #: Browsers clip cookie lifetimes at 400 days; 30 days is the default.
    max_age_cap: int = 30 * 24 * 3600

    def __post_init__(self) -> None:
        # Python does not check annotations at run time; a quoted "false" would be true.
        for switch in ("rolling", "save_uninitialized", "resave", "httponly", "partitioned"):
            value = getattr(self, switch)
            if not isinstance(value, bool):
                raise TypeError(f"{switch} must be True or False, not {value!r}")
        if not isinstance(self.secure, bool) and self.secure != "auto":
            raise TypeError(f"secure must be True, False or 'auto', not {self.secure!r}")
        if not 0 < self.max_age_cap <= BROWSER_MAX_AGE_LIMIT:
            raise ValueError(f"max_age_cap must be 1 to {BROWSER_MAX_AGE_LIMIT} seconds "
                             "(400 days, the browsers' limit)")
        if self.max_age is not None and not 0 < self.max_age <= self.max_age_cap:
            raise ValueError(f"max_age must be 1 to max_age_cap ({self.max_age_cap}) seconds, or None")
        if self.idle_timeout <= 0:
            raise ValueError("idle_timeout must be a positive number of seconds")
        if self.absolute_timeout is not None and self.absolute_timeout <= 0:
            raise ValueError("absolute_timeout must be a positive number of seconds, or None")
        if self.samesite not in ("Strict", "Lax", "None", None):
            raise ValueError("samesite must be 'Strict', 'Lax', 'None' or None")
        if self.partitioned and self.secure is False:
            raise ValueError("partitioned cookies must be Secure: browsers ignore them otherwise")
        if not self.path.startswith("/"):
            raise ValueError(f"path must start with '/', not {self.path!r}")


class StoreAction(Enum):
    """What the response does in the store."""

    NONE = "none"
    TOUCH = "touch"  # move the expiry only; the data stays as stored
    UPDATE = "update"  # write this request's changes over the stored record
    CREATE = "create"  # store a session that was not stored before
    DELETE = "delete"  # forget the session


class CookieAction(Enum):
    """What the response does to the session cookie."""

    NONE = "none"
    SET = "set"
    CLEAR = "clear"


@dataclass(frozen=True)
class SessionState:
    """The facts about one request's session that the decision needs, and nothing else."""

    #: The session came from the store (a valid cookie named a live session).
    stored: bool
    #: Its expiry in the store when it was loaded; ``None`` if not stored.
    expires_at: float | None
    #: When it began (Unix time); the absolute timeout counts from here.
    created_at: float
    #: The max age its cookie gets: its own ("remember me"), else the app's; ``None`` for a browser session.
    cookie_max_age: int | None
    modified: bool = False
    max_age_changed: bool = False
    touched: bool = False
    regenerated: bool = False
    destroyed: bool = False
    #: A stored session whose data this request emptied (``session.clear()``): it ends, as in Flask.
    emptied: bool = False
    #: The cookie verified only with an older secret: it is re-signed with the newest one now.
    signed_with_old_secret: bool = False


@dataclass(frozen=True)
class SaveDecision:
    """What to do when the response goes out."""

    store: StoreAction
    cookie: CookieAction
    #: The session's new expiry (Unix time), for the store and the cookie; ``None`` if nothing is stored.
    expires_at: float | None = None


#: A browser-session cookie's idle expiry moves only once it would move by this
#: fraction of ``idle_timeout``: a burst of requests costs one store write, not one each.
IDLE_RENEWAL_STEP = 0.1

_NOTHING = SaveDecision(StoreAction.NONE, CookieAction.NONE)


def decide(state: SessionState, options: SessionOptions, now: float, *, failed: bool = False,
           secure_request: bool = True) -> SaveDecision:
    """The store action, the cookie action and the expiry for a session whose response goes out now.

    ``failed`` means the response is a server error (5xx): nothing the request
    did to the session is kept, except a destroy, which is always safe.
    ``secure_request`` says whether the request came over HTTPS: with
    ``secure=True`` a plain-http response carries no ``Set-Cookie`` at all,
    though the session is still stored, as in express-session.
    """
    decision = _decide(state, options, now, failed=failed)
    if options.secure is True and not secure_request and decision.cookie is not CookieAction.NONE:
        return SaveDecision(decision.store, CookieAction.NONE, decision.expires_at)
    return decision


def _decide(state: SessionState, options: SessionOptions, now: float, *, failed: bool) -> SaveDecision:
    if state.destroyed or state.emptied:
        return SaveDecision(StoreAction.DELETE if state.stored else StoreAction.NONE, CookieAction.CLEAR)
    if failed:
        return _NOTHING
    if not state.stored:  # new, or regenerated: the id is not in the store yet
        wanted = (state.regenerated or options.save_uninitialized or state.modified or state.touched
                  or state.max_age_changed)
        if not wanted:
            return _NOTHING
        return SaveDecision(StoreAction.CREATE, CookieAction.SET, next_expiry(state, options, now, renew=True))
    send_cookie = (state.touched or state.max_age_changed or options.rolling or state.signed_with_old_secret
                   or (state.cookie_max_age is not None and state.modified))
    expires_at = next_expiry(state, options, now, renew=send_cookie)
    if state.modified or state.max_age_changed or options.resave:
        store = StoreAction.UPDATE
    elif expires_at != state.expires_at:
        store = StoreAction.TOUCH
    else:
        store = StoreAction.NONE
    return SaveDecision(store, CookieAction.SET if send_cookie else CookieAction.NONE, expires_at)


def outlived(created_at: float, options: SessionOptions, now: float) -> bool:
    """Whether a session begun at ``created_at`` is past the absolute timeout in force now.

    Checked when a session is loaded, so lowering ``absolute_timeout`` ends
    sessions that are already live, not only those written afterwards.
    """
    return options.absolute_timeout is not None and now >= created_at + options.absolute_timeout


def next_expiry(state: SessionState, options: SessionOptions, now: float, *, renew: bool) -> float:
    """When the server should stop serving this session.

    It equals the expiry of the last cookie sent: renewed whenever a cookie
    goes out. A browser-session cookie instead slides to ``idle_timeout``
    after each request (in steps of :data:`IDLE_RENEWAL_STEP`).
    ``absolute_timeout`` caps both, and so does the session's lifetime under
    the options in force now: a stored expiry from before a timeout was
    lowered is brought down on the session's next request.
    """
    lifetime = state.cookie_max_age if state.cookie_max_age is not None else options.idle_timeout
    if renew or state.expires_at is None:
        expires_at = now + lifetime
    elif state.cookie_max_age is None:
        expires_at = now + options.idle_timeout
        if expires_at - state.expires_at < options.idle_timeout * IDLE_RENEWAL_STEP:
            expires_at = min(state.expires_at, now + lifetime)
    else:
        expires_at = min(state.expires_at, now + lifetime)
    if options.absolute_timeout is not None:
        expires_at = min(expires_at, state.created_at + options.absolute_timeout)
    return from_ms(to_ms(expires_at))  # to the millisecond, as every store keeps it

"""The save decision, as a pure function: a table of cases, notebook 06's sixteen servers, and properties.

:func:`demo_server.decision.decide` takes plain facts and returns plain
values, so every rule is checked here without a server. The HTTP tests in
``test_sessions.py`` check that the server carries the decisions out.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from demo_server.decision import (
    IDLE_RENEWAL_STEP, CookieAction, SaveDecision, SessionOptions, SessionState, StoreAction, decide, outlived,
)

NOW = 1_000_000.0
NONE, TOUCH, UPDATE, CREATE, DELETE = (StoreAction.NONE, StoreAction.TOUCH, StoreAction.UPDATE,
                                       StoreAction.CREATE, StoreAction.DELETE)
KEEP, SET, CLEAR = CookieAction.NONE, CookieAction.SET, CookieAction.CLEAR


def new(**facts: object) -> SessionState:
    """A session this request started: no valid cookie came in."""
    return replace(SessionState(stored=False, expires_at=None, created_at=NOW, cookie_max_age=None), **facts)


def stored(expires_in: float, *, age: float = 100.0, **facts: object) -> SessionState:
    """A session loaded from the store, ``age`` seconds old, expiring ``expires_in`` seconds from now."""
    return replace(SessionState(stored=True, expires_at=NOW + expires_in, created_at=NOW - age, cookie_max_age=None),
                   **facts)


IDLE = SessionOptions().idle_timeout  # 1800

CASES = [
    # A new session: stored, and its cookie sent, exactly when one of these asks for it.
    ("new, untouched", new(), {}, SaveDecision(NONE, KEEP)),
    ("new, save_uninitialized", new(), {"save_uninitialized": True}, SaveDecision(CREATE, SET, NOW + IDLE)),
    ("new, modified", new(modified=True), {}, SaveDecision(CREATE, SET, NOW + IDLE)),
    ("new, modified, max_age", new(modified=True, cookie_max_age=60), {"max_age": 60},
     SaveDecision(CREATE, SET, NOW + 60)),
    ("new, touched", new(touched=True), {}, SaveDecision(CREATE, SET, NOW + IDLE)),
    ("new, remember me", new(modified=True, max_age_changed=True, cookie_max_age=120), {},
     SaveDecision(CREATE, SET, NOW + 120)),
    ("regenerated, empty, without save_uninitialized", new(regenerated=True), {},
     SaveDecision(CREATE, SET, NOW + IDLE)),
    ("resave and rolling do nothing for an untouched new session", new(), {"resave": True, "rolling": True},
     SaveDecision(NONE, KEEP)),
    # Destroyed: deleted if it was stored, and the cookie cleared either way.
    ("destroyed", stored(60, destroyed=True), {}, SaveDecision(DELETE, CLEAR)),
    ("destroyed before it was ever stored", new(destroyed=True), {}, SaveDecision(NONE, CLEAR)),
    # A server error keeps nothing, except a destroy.
    ("5xx, modified", stored(60, modified=True, cookie_max_age=60), {"max_age": 60}, "failed"),
    ("5xx, new and modified", new(modified=True), {}, "failed"),
    ("5xx, destroyed", stored(60, destroyed=True), {}, SaveDecision(DELETE, CLEAR)),
    # An existing session with a max age: express-session's rules.
    ("max age, unmodified", stored(30, cookie_max_age=60), {"max_age": 60}, SaveDecision(NONE, KEEP, NOW + 30)),
    ("max age, modified", stored(30, modified=True, cookie_max_age=60), {"max_age": 60},
     SaveDecision(UPDATE, SET, NOW + 60)),
    ("max age, rolling", stored(30, cookie_max_age=60), {"max_age": 60, "rolling": True},
     SaveDecision(TOUCH, SET, NOW + 60)),
    ("max age, resave", stored(30, cookie_max_age=60), {"max_age": 60, "resave": True},
     SaveDecision(UPDATE, KEEP, NOW + 30)),
    ("max age, touched", stored(30, cookie_max_age=60, touched=True), {"max_age": 60},
     SaveDecision(TOUCH, SET, NOW + 60)),
    ("own max age changed", stored(30, cookie_max_age=600, max_age_changed=True), {},
     SaveDecision(UPDATE, SET, NOW + 600)),
    # A browser-session cookie: never re-sent for a data change; the server's idle expiry slides.
    ("browser session, modified", stored(IDLE - 1, modified=True), {}, SaveDecision(UPDATE, KEEP, NOW + IDLE - 1)),
    ("browser session, a moment later", stored(IDLE - 1), {}, SaveDecision(NONE, KEEP, NOW + IDLE - 1)),
    ("browser session, a step later", stored(IDLE * (1 - IDLE_RENEWAL_STEP)), {},
     SaveDecision(TOUCH, KEEP, NOW + IDLE)),
    ("browser session, rolling", stored(IDLE - 1), {"rolling": True}, SaveDecision(TOUCH, SET, NOW + IDLE)),
    # OWASP's absolute timeout caps every expiry, counted from the session's start.
    ("absolute timeout caps a renewal", stored(30, age=100, cookie_max_age=60), {"max_age": 60, "rolling": True,
                                                                                  "absolute_timeout": 120},
     SaveDecision(TOUCH, SET, NOW + 20)),
    ("absolute timeout caps a new session", new(modified=True), {"absolute_timeout": 60},
     SaveDecision(CREATE, SET, NOW + 60)),
    # Timeouts lowered since the expiry was stored: the expiry comes down on the next request.
    ("idle timeout lowered", stored(IDLE * 2), {}, SaveDecision(TOUCH, KEEP, NOW + IDLE)),
    ("max age lowered", stored(600, cookie_max_age=60), {"max_age": 60}, SaveDecision(TOUCH, KEEP, NOW + 60)),
    # Flask's session.clear() on a stored session ends it, as a destroy does.
    ("emptied", stored(60, modified=True, emptied=True), {}, SaveDecision(DELETE, CLEAR)),
    # A cookie that only an old secret verified goes out again, signed with the newest.
    ("signed with an old secret", stored(30, cookie_max_age=60, signed_with_old_secret=True), {"max_age": 60},
     SaveDecision(TOUCH, SET, NOW + 60)),
]


@pytest.mark.parametrize(("state", "options", "expected"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_decision_table(state: SessionState, options: dict, expected: SaveDecision | str) -> None:
    failed = expected == "failed"
    decision = decide(state, SessionOptions(**options), NOW, failed=failed)
    assert decision == (SaveDecision(NONE, KEEP) if failed else expected)


def test_a_secure_cookie_is_not_sent_over_plain_http_but_the_session_is_stored() -> None:
    secure = SessionOptions(secure=True)
    assert decide(new(modified=True), secure, NOW, secure_request=False) == SaveDecision(CREATE, KEEP, NOW + IDLE)
    assert decide(new(modified=True), secure, NOW, secure_request=True) == SaveDecision(CREATE, SET, NOW + IDLE)
    auto = SessionOptions(secure="auto")  # Secure follows the request, and the cookie always goes out
    assert decide(new(modified=True), auto, NOW, secure_request=False).cookie is SET


def test_outlived_checks_the_absolute_timeout_in_force_now() -> None:
    assert not outlived(NOW - 100, SessionOptions(), NOW)
    assert not outlived(NOW - 100, SessionOptions(absolute_timeout=101), NOW)
    assert outlived(NOW - 100, SessionOptions(absolute_timeout=100), NOW)


@pytest.mark.parametrize(("save_uninitialized", "resave", "rolling", "max_age"),
                         list(itertools.product([False, True], [False, True], [False, True], [None, 60])))
def test_the_sixteen_servers_of_notebook_06(save_uninitialized: bool, resave: bool, rolling: bool,
                                            max_age: int | None) -> None:
    """First visit, login, revisit: the three steps notebook 06 measures on sixteen live servers."""
    options = SessionOptions(save_uninitialized=save_uninitialized, resave=resave, rolling=rolling, max_age=max_age)
    first = decide(new(cookie_max_age=max_age), options, NOW)
    assert first == (SaveDecision(CREATE, SET, NOW + (max_age or IDLE)) if save_uninitialized
                     else SaveDecision(NONE, KEEP))

    login = decide(new(regenerated=True, modified=True, cookie_max_age=max_age), options, NOW)
    assert (login.store, login.cookie) == (CREATE, SET)  # a new id always goes out

    later = NOW + 1
    revisit_state = replace(new(cookie_max_age=max_age), stored=True, expires_at=login.expires_at)
    revisit = decide(revisit_state, options, later)
    assert revisit.cookie is (SET if rolling else KEEP)
    assert revisit.store is (UPDATE if resave else TOUCH if rolling else NONE)
    assert revisit.expires_at == (later + (max_age or IDLE) if rolling else login.expires_at)


# -- properties over every state -------------------------------------------------

states = st.builds(
    SessionState,
    stored=st.booleans(),
    expires_at=st.one_of(st.none(), st.floats(NOW - 10, NOW + 4000).map(lambda t: round(t, 3))),
    created_at=st.floats(NOW - 5000, NOW),
    cookie_max_age=st.one_of(st.none(), st.integers(1, 4000)),
    modified=st.booleans(), max_age_changed=st.booleans(), touched=st.booleans(),
    regenerated=st.booleans(), destroyed=st.booleans(), emptied=st.booleans(), signed_with_old_secret=st.booleans(),
).filter(lambda s: s.stored == (s.expires_at is not None) and not (s.stored and s.regenerated)
         and not (s.emptied and not s.stored))
options = st.builds(SessionOptions, save_uninitialized=st.booleans(), resave=st.booleans(), rolling=st.booleans(),
                    absolute_timeout=st.one_of(st.none(), st.integers(1, 6000)))


@given(states, options, st.booleans())
def test_what_every_decision_obeys(state: SessionState, opts: SessionOptions, failed: bool) -> None:
    decision = decide(state, opts, NOW, failed=failed)
    if state.destroyed or state.emptied:  # a destroy always clears, and deletes what was stored
        assert decision == SaveDecision(DELETE if state.stored else NONE, CLEAR)
        return
    if failed:  # a server error keeps nothing
        assert decision == SaveDecision(NONE, KEEP)
        return
    if not state.stored:  # a new id: stored exactly when its cookie goes out
        assert decision.store in (NONE, CREATE) and (decision.store is CREATE) == (decision.cookie is SET)
    else:  # an existing id is never created again, nor deleted without a destroy
        assert decision.store in (NONE, TOUCH, UPDATE)
    if decision.cookie is SET or decision.store is not NONE:
        assert decision.expires_at is not None
    if decision.store is NONE and decision.cookie is SET:
        # The cookie's expiry must be the one the store already holds: the two never drift apart.
        assert decision.expires_at == state.expires_at
    if opts.absolute_timeout is not None and decision.expires_at is not None:
        assert decision.expires_at <= round(state.created_at + opts.absolute_timeout, 3) + 0.0005
    if state.stored and decision.store is NONE and decision.cookie is KEEP:
        assert decision.expires_at in (None, state.expires_at)

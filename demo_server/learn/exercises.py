"""Checks for the workshop exercises in ``notebooks/exercises/``.

Each ``exercise_N_M`` function checks exercise M of notebook N and returns a
:class:`Feedback`: ``✓`` with the reason it works, or ``✗ … not yet`` with a
specific hint. A notebook imports them as::

    from demo_server.learn import exercises as check
    check.exercise_3_2(rolling_server, active)

The checks never raise: a learner's half-finished answer (``None``, a wrong
type, a stopped server) gets a sentence in plain words, not a stack trace.
Where an exercise is about the wire, the check looks at real exchanges, or
makes its own real requests, rather than trusting what the learner says.
"""

from __future__ import annotations

import base64
import functools
import html
import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Real
from typing import Any
from urllib.parse import urlsplit

import requests

from ..seed import DEFAULT_USER, GREETING, LOGGED_OUT, LOGIN_DONE
from ..stores import SessionRecord
from .client import Exchange, NotebookClient, split_cookie_value


#: Width the feedback text is wrapped to.
WIDTH = 88

#: The seed's ``cookie: { maxAge: 7*24*30 }``: express reads it as milliseconds.
SEED_MAX_AGE_MS = 7 * 24 * 30

#: The choices of exercise 2.2 ("why was the forged cookie refused?").
FORGERY_REASONS = {
    "a": "the id is not in the store",
    "b": "the signature does not match the id under the server's secret",
    "c": "the cookie lacks the HttpOnly flag",
}

#: The choices of exercise 7.1 ("which attack does HttpOnly stop?").
HTTPONLY_CHOICES = {
    "a": "a script injected into the page reading document.cookie and sending it away",
    "b": "another site making your browser send a request to this site (CSRF)",
    "c": "someone on the network reading the cookie as it travels over plain http",
    "d": "all three",
}


@dataclass(frozen=True)
class Feedback:
    """What a check found: shown as text (and HTML in JupyterLab), true when it passed."""

    exercise: str
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def text(self) -> str:
        head = f"✓ Exercise {self.exercise}: solved." if self.passed else f"✗ Exercise {self.exercise}, not yet:"
        lines = [head]
        for paragraph in self.message.split("\n"):
            lines.extend(textwrap.wrap(paragraph, WIDTH, initial_indent="  ", subsequent_indent="  ") or [""])
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())

    def _repr_html_(self) -> str:
        colour = "#2e7d32" if self.passed else "#b26a00"
        return (f'<div style="border-left: 4px solid {colour}; padding: 4px 10px; '
                f'white-space: pre-wrap; font-family: monospace">{html.escape(self.text())}</div>')


class NotYet(Exception):
    """Raised inside a check: the answer is not there yet, and the message says why."""


def _exercise(number: str) -> Callable[[Callable[..., str]], Callable[..., Feedback]]:
    """Turn a check that returns its success message (or raises :class:`NotYet`) into one returning Feedback."""

    def decorate(check: Callable[..., str]) -> Callable[..., Feedback]:
        @functools.wraps(check)
        def run(*args: Any, **kwargs: Any) -> Feedback:
            try:
                return Feedback(number, True, check(*args, **kwargs))
            except NotYet as not_yet:
                return Feedback(number, False, str(not_yet))
            except requests.RequestException as error:
                return Feedback(number, False, (
                    f"the check could not reach the server ({type(error).__name__}). Is it still "
                    "running? Re-run the cell that starts it, then your cells after it."))
            except Exception as error:  # noqa: BLE001 - a learner's input must never end in a traceback
                if _under_pytest():
                    raise  # ... but a bug in a check must reach its author
                return Feedback(number, False, (
                    f"the check could not make sense of what it was given ({type(error).__name__}: "
                    f"{error}). Compare your cell with the instructions above it."))

        return run

    return decorate


def _under_pytest() -> bool:
    """Whether a test runs this check: pytest sets the variable, and kernels it starts inherit it."""
    return "PYTEST_CURRENT_TEST" in os.environ


# -- small helpers ---------------------------------------------------------------


def _require(condition: object, message: str) -> None:
    if not condition:
        raise NotYet(message)


def _prediction(value: object) -> bool:
    """A True/False prediction, or a NotYet saying how to write one."""
    _require(value is not None, "write your prediction first: set prediction = True or False, then run "
                                "that cell and the ones after it.")
    _require(isinstance(value, bool), f"prediction should be True or False, not {value!r}.")
    return bool(value)


def _verdict(guess: bool, actual: bool, *, predicted: str, observed: str, why: str) -> str:
    """Judge a True/False prediction by what really came back, and explain it either way."""
    if guess != actual:
        raise NotYet(f"you predicted {predicted}, but {observed}: look at the exchange above.\n{why}")
    return f"Right. {why}"


def _greeting_prediction(prediction: object, exchange: object, name: str, hint: str) -> tuple[bool, Exchange, bool]:
    """A prediction about a request that carried a session cookie: (the guess, the exchange, greeted?)."""
    guess = _prediction(prediction)
    checked = _exchange(exchange, name)
    _require(checked.sent_session_cookie, f"{name} should be {hint}")
    return guess, checked, checked.body == GREETING


def _choice(value: object, choices: dict[str, str]) -> str:
    letters = ", ".join(repr(letter) for letter in choices)
    _require(value is not None, f"set answer to one of {letters}.")
    _require(isinstance(value, str) and value.strip().lower() in choices,
             f"answer should be one of {letters}, not {value!r}.")
    return str(value).strip().lower()


def _exchange(value: object, name: str) -> Exchange:
    _require(isinstance(value, Exchange), f"{name} should be the exchange a request returned, e.g. "
                                          f"{name} = browser.get('/'), not {type(value).__name__}.")
    assert isinstance(value, Exchange)
    return value


def _client(value: object, name: str) -> NotebookClient:
    _require(isinstance(value, NotebookClient), f"{name} should be a NotebookClient, not {type(value).__name__}.")
    assert isinstance(value, NotebookClient)
    return value


def _server(value: object, name: str) -> Any:
    _require(value is not None, f"start a server first: {name} = start_server(name=..., ...).")
    _require(isinstance(getattr(value, "url", None), str),
             f"{name} should be a server that start_server() returned, not {type(value).__name__}.")
    _require(getattr(value, "running", True), f"{name} has been stopped: start it again.")
    return value


def _in_process_server(value: object, name: str) -> Any:
    """A server running in this kernel, whose store and secret the check can look at."""
    server = _server(value, name)
    _require(_interface(server) is not None, f"{name} should be a server started in this notebook with "
                                             "start_server(...), so that the check can look inside it.")
    return server


def _interface(server: Any) -> Any:
    """The server's session interface, when it runs in this process (else None)."""
    return getattr(getattr(server, "app", None), "session_interface", None)


def _cookie_name(server: Any) -> str:
    options = getattr(_interface(server), "options", None)
    return getattr(options, "cookie_name", "sid")


def _unsign(server: Any, value: str) -> str | None:
    interface = _interface(server)
    return interface.unsign_session_id(server.app, value) if interface is not None else None


def _probe(server: Any, path: str, *, cookie: str | None = None, name: str = "check") -> Exchange:
    """One real request from a client with an empty jar of its own."""
    with NotebookClient(server, name=name) as probe:
        return probe.get(path, cookie=cookie)


def _jar_value(client: NotebookClient) -> str | None:
    for cookie in client.jar:
        if cookie.name == client.session_cookie_name:
            return cookie.value
    return None


def _id_of(value: str) -> str:
    return split_cookie_value(value)[0]


# -- 01 · cookie issuance ----------------------------------------------------------


@_exercise("1.1")
def exercise_1_1(prediction: object, visit: object) -> str:
    """Predict: does a first visit to ``/`` get a ``Set-Cookie``?"""
    guess = _prediction(prediction)
    visit = _exchange(visit, "visit")
    _require(visit.cookie is None, "visit should be a first visit, from a client that sends no cookie: "
                                   "re-run the cell that starts the server and the client.")
    got_cookie = visit.set_session_cookie is not None
    why = ("No Set-Cookie: the session was new and held no data, and this server does not store empty sessions "
           "(save_uninitialized=False), so there was nothing to remember and no cookie to send. "
           "express-session's saveUninitialized defaults to true: it would have stored an empty "
           "session and sent a cookie to every visitor, crawlers included."
           if not got_cookie else
           "A Set-Cookie: this server stores even empty sessions (save_uninitialized=True), so every first visit "
           "gets a session in the store and a cookie for it.")
    return _verdict(guess, got_cookie, predicted="a Set-Cookie" if guess else "no Set-Cookie",
                    observed="one came back" if got_cookie else "none came back", why=why)


@_exercise("1.2")
def exercise_1_2(server: object, browser: object, session_id: object, stored: object) -> str:
    """Code: take the id out of the session cookie, and find the data stored under it."""
    server = _in_process_server(server, "server")
    browser = _client(browser, "browser")
    value = _jar_value(browser)
    _require(value is not None, "browser has no session cookie yet: log in first with browser.get('/login').")
    assert value is not None
    real_id = _unsign(server, value)
    _require(real_id is not None, "the browser's cookie is not from this server (was the server restarted?): "
                                  "run browser.get('/login') again.")
    _require(session_id is not None, "set session_id to the id inside the cookie value: the part before the dot.")
    _require(session_id != value, "that is the whole cookie value, id *and* signature: keep only the part "
                                  "before the dot (split_cookie_value(value) returns both parts).")
    _require(session_id == real_id, f"{session_id!r} is not the id in the browser's cookie. The cookie value "
                                    "is <id>.<signature>: take the part before the dot.")
    record = server.store.get(real_id)
    _require(record is not None, "the store holds nothing under that id: has the session ended? Log in again.")
    _require(stored is not None, "now set stored to what the store keeps under that id: "
                                 "server.store.get(session_id) returns a record, and its .data is the "
                                 "key:value data.")
    data = stored.data if isinstance(stored, SessionRecord) else stored
    _require(data == record.data, f"stored should be the data the store keeps under the id, {record.data}, "
                                  f"not {data!r}.")
    _require(DEFAULT_USER not in value, "the cookie itself contains the user's name: that is not a "
                                        "server-side session.")
    return (f"The cookie carries only the key: a random id and its signature, no {DEFAULT_USER}. "
            f"The data, {record.data}, stays in the server's store under that key: the seed's "
            "key:value on the server, with only the key in the cookie.")


@_exercise("1.3")
def exercise_1_3(seed_like: object) -> str:
    """Code: start a server that, like the seed, sends a cookie on the very first visit."""
    seed_like = _server(seed_like, "seed_like")
    visit = _probe(seed_like, "/", name="first-time visitor")
    issued = visit.set_session_cookie
    _require(issued is not None, "a first visit to seed_like still gets no Set-Cookie. Which of our options "
                                 "is express-session's saveUninitialized? (Notebook 05 has the table.)")
    assert issued is not None
    _require(visit.body == LOGGED_OUT, f"a first visit should answer {LOGGED_OUT}, not {visit.body!r}.")
    store = getattr(seed_like, "store", None)
    if store is not None:
        record = store.get(_id_of(issued.value))
        _require(record is not None and record.data == {},
                 "the cookie went out, but the store holds no empty session for it.")
    return ("A first visit now gets a cookie, and the store keeps an empty session for it: the seed's "
            "saveUninitialized: true. Every visitor, bots and health checks included, now costs a stored "
            "session and gets a cookie before they have done anything. That is why our server waits for "
            "the first data (save_uninitialized=False), and why express-session's own documentation "
            "recommends false for login sessions.")


# -- 02 · session lookup -------------------------------------------------------------


@_exercise("2.1")
def exercise_2_1(prediction: object, bob_visit: object) -> str:
    """Predict: Bob sends a copy of Alice's cookie. Is he greeted as 张三?"""
    guess, bob_visit, greeted = _greeting_prediction(
        prediction, bob_visit, "bob_visit", "Bob's request carrying Alice's copied cookie: bob.get('/', cookie=...).")
    why = (f"Bob got {bob_visit.body!r}. The server looked up the key that arrived and found Alice's data; "
           "it has no way to tell who sent the key. The session cookie is a bearer token: whoever holds it "
           "*is* the user. That is why it must be unguessable, HttpOnly, sent only over HTTPS in production, "
           "and short-lived (notebook 07)."
           if greeted else
           f"Bob got {bob_visit.body!r}: the copied key did not lead to Alice's session here.")
    return _verdict(guess, greeted, predicted="a greeting" if guess else LOGGED_OUT,
                    observed=f"Bob got {bob_visit.body!r}", why=why)


@_exercise("2.2")
def exercise_2_2(server: object, forged: object, answer: object) -> str:
    """Code: forge a cookie for Alice's id without the server's secret. Why is it refused?"""
    server = _in_process_server(server, "server")
    _require(forged is not None, "set forged to a cookie value of the form '<id>.<signature>': "
                                 "alice_id above is the id you know.")
    _require(isinstance(forged, str), f"forged should be a string, not {type(forged).__name__}.")
    assert isinstance(forged, str)
    name = _cookie_name(server)
    value = forged.removeprefix(f"{name}=")
    _require("." in value, "a cookie value of ours is '<id>.<signature>': put a dot between the id and your "
                           "signature.")
    visit = _probe(server, "/", cookie=f"{name}={value}", name="forger")
    _require(visit.status == 200, f"the server answered {visit.status}; it should answer 200 {LOGGED_OUT}.")
    verified_id = _unsign(server, value)
    if verified_id is not None:
        if visit.body == GREETING:
            raise NotYet("that cookie is genuine: its signature was made with the server's own secret. A copy "
                         "of Alice's cookie is theft (exercise 2.1), not forgery; and if you signed with "
                         "server.app.secret_key, you used the one thing an attacker never has: the secret "
                         "never leaves the server. Try without it.")
        raise NotYet("your signature verifies, so you must have used the server's own secret, which an "
                     "attacker never has. Try without it.")
    _require(visit.body == LOGGED_OUT, f"the server answered {visit.body!r} to a cookie it cannot verify.")
    choice = _choice(answer, FORGERY_REASONS)
    in_store = server.store.get(value.rpartition(".")[0]) is not None
    if choice == "a":
        raise NotYet("the server refused before it looked in the store: the signature check comes first. "
                     + ("And the id you used *is* in the store: it is Alice's." if in_store else
                        "(Try Alice's real id with your own signature: it is refused all the same.)"))
    if choice == "c":
        raise NotYet("HttpOnly only decides whether JavaScript in a page may read a cookie. It says nothing "
                     "about what a client may send, and a server never sees the flag.")
    respelled = (" You changed only how the signature is spelled (its last base64 character carries two spare "
                 "bits): itsdangerous alone would accept that, because it decodes before it compares; this "
                 "server, like express-session, accepts only the exact text it made." if _respells(server, value)
                 else "")
    return ("Refused, answering 未登入: the part after the dot is an HMAC (SHA-256, via itsdangerous) of the id "
            "under the server's secret. Without the secret you cannot compute it, guessing it is hopeless, "
            "and the server throws away a cookie with a bad signature before it looks in the store. So an "
            "attacker needs a real cookie, not a made-up one. The seed's secret 'keyboard cat' is printed in "
            "every copy of its tutorial: a real server needs a long random secret of its own." + respelled)


def _respells(server: Any, value: str) -> bool:
    """Whether ``value`` is the server's own signature for its id, spelled differently (same decoded bytes)."""
    session_id, _, signature = value.rpartition(".")
    genuine = _interface(server).sign_session_id(server.app, session_id).rpartition(".")[2]
    try:
        return signature != genuine and _b64(signature) == _b64(genuine)
    except (ValueError, TypeError):
        return False


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# -- 03 · maxAge and expiry ------------------------------------------------------------


@_exercise("3.1")
def exercise_3_1(seconds: object) -> str:
    """Predict: how long does the seed's ``maxAge: 7*24*30`` last in express, in seconds?"""
    _require(seconds is not None, "set seconds to a number: how long the seed's cookie lives.")
    _require(isinstance(seconds, Real) and not isinstance(seconds, bool),
             f"seconds should be a number, not {seconds!r}.")
    assert isinstance(seconds, Real)
    expected = SEED_MAX_AGE_MS / 1000
    if abs(float(seconds) - SEED_MAX_AGE_MS) < 0.5:
        raise NotYet(f"{SEED_MAX_AGE_MS} would be right if maxAge counted seconds. Which unit does "
                     "express-session's cookie.maxAge use? (Notebook 05 compares the options.)")
    _require(abs(float(seconds) - expected) < 0.01,
             f"{seconds} is not it. Work out 7*24*30 first, then mind the unit of cookie.maxAge in "
             "express-session.")
    return (f"7*24*30 = {SEED_MAX_AGE_MS}, and express-session reads cookie.maxAge in milliseconds: "
            f"{expected} seconds. The seed's users are logged out about five seconds after logging in. "
            "Our server's max_age counts seconds, like the Max-Age attribute on the wire; notebook 03 "
            "shows max_age=5040 as 84 minutes.")


@_exercise("3.2")
def exercise_3_2(rolling_server: object, active: object) -> str:
    """Code: a rolling session keeps an active user logged in for longer than max_age."""
    server = _in_process_server(rolling_server, "rolling_server")
    active = _client(active, "active")
    options = _interface(server).options
    max_age = options.max_age
    _require(max_age is not None, "give the server a max_age (2 seconds is good): without one the cookie "
                                  "has no expiry to roll forward.")
    _require(max_age <= 10, f"max_age={max_age} is long for a demo: use 2, so that your visits can outlast "
                            "it within a few seconds.")
    history = [e for e in active.history if e.host == urlsplit(server.url).netloc]
    logins = [i for i, e in enumerate(history) if e.path.startswith("/login") and e.body == LOGIN_DONE]
    _require(logins, "log in with the active client first, on rolling_server: active.get('/login').")
    login = history[logins[-1]]
    visits = [e for e in history[logins[-1] + 1:] if e.method == "GET" and e.path == "/"]
    _require(visits, "after logging in, visit '/' a few times with wait(1) between the visits.")
    previous = login
    for number, visit in enumerate(visits, start=1):
        gap = (visit.sent_at or 0) - (previous.sent_at or 0)
        if visit.body != GREETING:
            reason = ("without rolling=True the cookie's expiry is fixed at login, so it ran out however "
                      "active you were" if not options.rolling else
                      f"that visit came {gap:.1f} s after the one before, longer than max_age: rolling "
                      "renews the expiry on each visit, but a longer pause still ends the session")
            raise NotYet(f"visit {number} after the login answered {visit.body!r}: {reason}.")
        previous = visit
    span = (visits[-1].sent_at or 0) - (login.sent_at or 0)
    _require(span > max_age, f"your visits end {span:.1f} s after the login, within max_age ({max_age} s), "
                             "where even a fixed expiry keeps you logged in. Keep visiting for longer.")
    _require(options.rolling, "your visits outlasted max_age, but the server is not rolling: did you log "
                              "in again in between? Start the server with rolling=True.")
    renewed = [visit.set_session_cookie for visit in visits]
    _require(all(cookie is not None and cookie.attribute("Max-Age") == str(max_age) for cookie in renewed),
             "some visits came back without a fresh Set-Cookie: the expiry did not roll on every response.")
    login_cookie = login.set_session_cookie
    assert login_cookie is not None
    _require(all(visit.sent_session_cookie == login_cookie.value for visit in visits),
             "the session id changed between visits: keep one session from the login on.")
    return (f"Every visit came back with a fresh Set-Cookie (Max-Age={max_age}), so the expiry moved forward "
            f"each time: the user stayed logged in for longer than max_age ({max_age} s), on one session id. "
            "With a fixed expiry the same visits end at max_age (notebook 03). Rolling expiry means "
            "'log out after max_age of inactivity'; pair it with an absolute limit (absolute_timeout, "
            "notebook 07) so that a stolen cookie cannot be kept alive for ever.")


# -- 04 · destroy ------------------------------------------------------------------------


@_exercise("4.1")
def exercise_4_1(prediction: object, replay: object) -> str:
    """Predict: after logout, does a replayed copy of the old cookie still log in?"""
    guess, replay, greeted = _greeting_prediction(
        prediction, replay, "replay", "the request that sends the saved copy: browser.get('/', cookie=...).")
    why = (f"{LOGGED_OUT}: /loginOut destroyed the session in the store, so the key in the copy leads "
           "nowhere. The logout also sent a Set-Cookie that deletes the cookie from the browser, but that "
           "is a courtesy: the deletion that matters happened on the server."
           if not greeted else
           "the copy still logs in: this server did not destroy the session at logout.")
    return _verdict(guess, greeted, predicted="that the copy still logs in" if guess else "that the copy is dead",
                    observed=f"the server answered {replay.body!r}", why=why)


@_exercise("4.2")
def exercise_4_2(server: object, browser: object, stolen: object) -> str:
    """Code: make a stolen copy of the session cookie useless."""
    server = _in_process_server(server, "server")
    browser = _client(browser, "browser")
    _require(isinstance(stolen, str) and "." in stolen,
             "stolen should be the cookie value saved above; re-run the cells above this one.")
    assert isinstance(stolen, str)
    stolen_id = _unsign(server, stolen)
    _require(stolen_id is not None, "this server no longer accepts the stolen cookie's signature: did you "
                                    "restart it? A restart with a new secret logs *everyone* out. End just "
                                    "this session instead: re-run the cells from the top and try again.")
    replay = _probe(server, "/", cookie=f"{_cookie_name(server)}={stolen}", name="thief")
    if replay.body == GREETING:
        if _jar_value(browser) is None:
            raise NotYet("the stolen copy still logs in as 张三. You removed the cookie from the browser, but "
                         "the session is still in the server's store, and the copy still points at it. Only "
                         "the server can end a session: ask it to.")
        raise NotYet("the stolen copy still logs in as 张三: the session is still in the server's store. "
                     "What does the seed's /loginOut do?")
    _require(replay.body == LOGGED_OUT, f"the replay answered {replay.body!r}.")
    _require(server.store.get(stolen_id) is None, "the replay is refused, but the store still holds the session.")
    return ("The copy is dead: /loginOut destroyed the session in the store, so its id leads nowhere, "
            "whoever holds it. Logging out has to happen on the server; deleting the cookie in one browser "
            "leaves every copy working.")


# -- 07 · the security checklist -------------------------------------------------------------


@_exercise("7.1")
def exercise_7_1(answer: object, login: object) -> str:
    """Predict: which attack does HttpOnly stop?"""
    choice = _choice(answer, HTTPONLY_CHOICES)
    login = _exchange(login, "login")
    cookie = login.set_session_cookie
    _require(cookie is not None and cookie.attribute("HttpOnly") is not None,
             "login should be the login exchange above, whose Set-Cookie carries HttpOnly.")
    assert cookie is not None
    samesite = cookie.attribute("SameSite")
    wrong = {
        "b": ("cross-site requests are SameSite's business: the browser still attaches an HttpOnly cookie "
              "to every request it sends. " + (f"This cookie also has SameSite={samesite}, which is what "
                                               "limits them." if samesite else "")),
        "c": ("on plain http the cookie travels as readable text, HttpOnly or not. Only HTTPS protects it "
              "on the network, and the Secure flag keeps it off plain http."),
        "d": "HttpOnly stops only one of the three.",
    }
    if choice in wrong:
        raise NotYet(wrong[choice])
    return ("HttpOnly keeps the cookie out of document.cookie, so a script injected into the page (XSS) "
            "cannot read the session id and send it away. It is one layer, not security on its own: it does "
            "not stop cross-site requests (SameSite does), it does not protect the cookie on the network "
            "(HTTPS and Secure do), and an injected script can still send requests *as* the user while the "
            "page is open. It only stops it carrying the key away.")


@_exercise("7.2")
def exercise_7_2(attacker: object, victim: object) -> str:
    """Code: try session fixation. Plant an id before the victim logs in, then use it."""
    attacker = _client(attacker, "attacker")
    victim = _client(victim, "victim")
    planted = {cookie.value for e in attacker.history if (cookie := e.set_session_cookie) is not None
               and not cookie.deletes_cookie}
    _require(planted, "step 1: the attacker needs a session id of their own first: attacker.get('/') "
                      "(this server stores new sessions, so it hands one out).")
    logins = [e for e in victim.history if e.path.startswith("/login") and e.body == LOGIN_DONE]
    _require(logins, "step 3: the victim logs in: victim.get('/login').")
    login = logins[-1]
    _require(login.sent_session_cookie in planted,
             "the victim's login did not carry the attacker's cookie. Step 2, before the login: copy it into "
             "the victim's jar, victim.jar.update(attacker.jar).")
    assert login.sent_session_cookie is not None
    new_cookie = login.set_session_cookie
    _require(new_cookie is not None, "the login sent no new cookie, so the victim is logged in on the "
                                     "attacker's id: this server is open to session fixation.")
    assert new_cookie is not None
    planted_id = _id_of(login.sent_session_cookie)
    _require(_id_of(new_cookie.value) != planted_id, "the login kept the planted id: session fixation works "
                                                     "on this server.")
    attempts = [e for e in attacker.history if (e.sent_at or 0) > (login.sent_at or 0) and e.path == "/"
                and e.sent_session_cookie == login.sent_session_cookie]
    _require(attempts, "step 4: the attacker now tries the planted id: attacker.get('/').")
    attempt = attempts[-1]
    _require(attempt.body == LOGGED_OUT, f"the attacker got {attempt.body!r} with the planted id: the attack "
                                         "worked, so this server does not regenerate the id at login.")
    return ("The victim's login answered with a new id and destroyed the old one, so the id the attacker "
            f"planted leads nowhere: the attacker gets {LOGGED_OUT}. Changing the id whenever privilege "
            "changes (login, logout, sudo) is OWASP's rule against session fixation. Notebook 06 runs the "
            "same attack against a login that keeps the id, and there it works.")


# -- 08 · scaling out -----------------------------------------------------------------------------


@_exercise("8.1")
def exercise_8_1(prediction: object, on_b: object) -> str:
    """Predict: a login on server A, then the same cookie to server B. Is B logged in?"""
    guess, on_b, greeted = _greeting_prediction(
        prediction, on_b, "on_b", "the request to server B that carries A's cookie.")
    why = (f"B answered {LOGGED_OUT}: the session lives in A's memory, and B has a store and a secret of its "
           "own, so to B the cookie is a stranger's. Behind a load balancer that alternates between them, "
           "every other request would be logged out."
           if not greeted else "B greeted you: the two servers share their sessions.")
    return _verdict(guess, greeted, predicted="a greeting" if guess else LOGGED_OUT,
                    observed=f"B answered {on_b.body!r}", why=why)


@_exercise("8.2")
def exercise_8_2(server_a: object, server_b: object) -> str:
    """Code: two servers that share sessions, so a login on one counts on the other."""
    server_a = _server(server_a, "server_a")
    server_b = _server(server_b, "server_b")
    _require(server_a.url != server_b.url, "server_a and server_b are the same server: start two, with "
                                           "different names.")
    login = _probe(server_a, "/login", name="browser, on A")
    cookie = login.set_session_cookie
    _require(login.body == LOGIN_DONE and cookie is not None, "logging in on server_a failed.")
    assert cookie is not None
    on_b = _probe(server_b, "/", cookie=f"{_cookie_name(server_b)}={cookie.value}", name="browser, on B")
    if on_b.body != GREETING:
        if _interface(server_b) is None:
            raise NotYet("B does not know A's session: give both the same store and the same secret.")
        if _unsign(server_b, cookie.value) is None:
            raise NotYet("B cannot verify A's cookie: the two servers sign with different secrets. Give both "
                         "the same secret=... (and, if not yet, the same store).")
        raise NotYet("B accepts A's signature but finds no session under the id: each server has its own "
                     "store. Give both the same store object: store=shared.")
    return ("Logged in on A, greeted on B: both servers read the same store, and both verify signatures with "
            "the same secret. Neither alone is enough (notebook 08 shows a shared store with different "
            "secrets failing too). In production the store is Redis or a database every server reaches, and "
            "the secret comes from the environment or a secret manager, never from the code.")


__all__ = [
    "FORGERY_REASONS", "HTTPONLY_CHOICES", "Feedback", "NotYet",
    "exercise_1_1", "exercise_1_2", "exercise_1_3", "exercise_2_1", "exercise_2_2", "exercise_3_1",
    "exercise_3_2", "exercise_4_1", "exercise_4_2", "exercise_7_1", "exercise_7_2", "exercise_8_1",
    "exercise_8_2",
]

"""The checks of notebook 03, maxAge and expiry: the seed's unit slip, and a rolling session."""

from __future__ import annotations

from numbers import Real
from urllib.parse import urlsplit

from ...i18n import _
from ...seed import GREETING, LOGIN_DONE
from .feedback import NotYet, _client, _exercise, _in_process_server, _interface, _require

#: The seed's ``cookie: { maxAge: 7*24*30 }``: express reads it as milliseconds.
SEED_MAX_AGE_MS = 7 * 24 * 30

#: The seed's expression for it, as the hints quote it.
SEED_MAX_AGE_EXPRESSION = "7*24*30"


@_exercise("3.1")
def exercise_3_1(seconds: object) -> str:
    """Predict: how long does the seed's ``maxAge: 7*24*30`` last in express, in seconds?"""
    _require(seconds is not None, _("set {name} to a number: how long the seed's cookie lives.").format(
        name="seconds"))
    _require(isinstance(seconds, Real) and not isinstance(seconds, bool),
             _("{name} should be a number, not {value}.").format(name="seconds", value=repr(seconds)))
    assert isinstance(seconds, Real)
    expected = SEED_MAX_AGE_MS / 1000
    if abs(float(seconds) - SEED_MAX_AGE_MS) < 0.5:
        # Translators: {milliseconds} is 5040; {short} and {option} are express-session's option, maxAge and
        # cookie.maxAge.
        raise NotYet(_("{milliseconds} would be right if {short} counted seconds. Which unit does "
                       "express-session's {option} use? (Notebook 05 compares the options.)").format(
            milliseconds=SEED_MAX_AGE_MS, short="maxAge", option="cookie.maxAge"))
    # Translators: {seconds} is the learner's number; {expression} is the seed's 7*24*30; {option} cookie.maxAge.
    _require(abs(float(seconds) - expected) < 0.01,
             _("{seconds} is not it. Work out {expression} first, then mind the unit of {option} in "
               "express-session.").format(seconds=seconds, expression=SEED_MAX_AGE_EXPRESSION,
                                          option="cookie.maxAge"))
    # Translators: {expression} = {milliseconds} is 7*24*30 = 5040; {option} is express-session's cookie.maxAge,
    # {our_option} our max_age, and {example} a setting of it, max_age=5040.
    return _("{expression} = {milliseconds}, and express-session reads {option} in milliseconds: {seconds} seconds. "
             "The seed's users are logged out about five seconds after logging in. Our server's {our_option} "
             "counts seconds, like the Max-Age attribute on the wire; notebook 03 shows {example} as 84 "
             "minutes.").format(expression=SEED_MAX_AGE_EXPRESSION, milliseconds=SEED_MAX_AGE_MS,
                                option="cookie.maxAge", seconds=expected, our_option="max_age",
                                example="max_age=5040")


@_exercise("3.2")
def exercise_3_2(rolling_server: object, active: object) -> str:
    """Code: a rolling session keeps an active user logged in for longer than max_age."""
    server = _in_process_server(rolling_server, "rolling_server")
    active = _client(active, "active")
    options = _interface(server).options
    max_age = options.max_age
    # Translators: {option} is our server's option, max_age.
    _require(max_age is not None, _("give the server a {option} (2 seconds is good): without one the cookie has no "
                                    "expiry to roll forward.").format(option="max_age"))
    # Translators: {setting} is the learner's setting, e.g. max_age=60.
    _require(max_age <= 10, _("{setting} is long for a demo: use 2, so that your visits can outlast it within a "
                              "few seconds.").format(setting=f"max_age={max_age}"))
    history = [e for e in active.history if e.host == urlsplit(server.url).netloc]
    logins = [i for i, e in enumerate(history) if e.path.startswith("/login") and e.body == LOGIN_DONE]
    # Translators: {name} is the learner's client, active; {server} their server, rolling_server.
    _require(logins, _("log in with the {name} client first, on {server}: {code}.").format(
        name="active", server="rolling_server", code="active.get('/login')"))
    login = history[logins[-1]]
    visits = [e for e in history[logins[-1] + 1:] if e.method == "GET" and e.path == "/"]
    # Translators: {path} is the page to visit, '/'; {code} the pause between visits, wait(1).
    _require(visits, _("after logging in, visit {path} a few times with {code} between the visits.").format(
        path="'/'", code="wait(1)"))
    previous = login
    for number, visit in enumerate(visits, start=1):
        gap = (visit.sent_at or 0) - (previous.sent_at or 0)
        if visit.body != GREETING:
            if not options.rolling:
                # Translators: completes "visit 2 after the login answered '未登入': …"; {option} is
                # rolling=True.
                reason = _("without {option} the cookie's expiry is fixed at login, so it ran out however active "
                           "you were").format(option="rolling=True")
            else:
                # Translators: completes "visit 2 after the login answered '未登入': …"; {gap} is e.g. 2.1;
                # {option} is our server's option, max_age.
                reason = _("that visit came {gap} s after the one before, longer than {option}: rolling renews "
                           "the expiry on each visit, but a longer pause still ends the session").format(
                    gap=f"{gap:.1f}", option="max_age")
            # Translators: {number} counts the visits; {body} is the answer, e.g. '未登入'; {reason} says why.
            raise NotYet(_("visit {number} after the login answered {body}: {reason}.").format(
                number=number, body=repr(visit.body), reason=reason))
        previous = visit
    span = (visits[-1].sent_at or 0) - (login.sent_at or 0)
    # Translators: {span} is e.g. 1.5; {option} is our server's option max_age, and {max_age} its value.
    _require(span > max_age, _("your visits end {span} s after the login, within {option} ({max_age} s), where even "
                               "a fixed expiry keeps you logged in. Keep visiting for longer.").format(
        span=f"{span:.1f}", option="max_age", max_age=max_age))
    # Translators: {option} is our server's option max_age; {setting} is rolling=True.
    _require(options.rolling, _("your visits outlasted {option}, but the server is not rolling: did you log in "
                                "again in between? Start the server with {setting}.").format(
        option="max_age", setting="rolling=True"))
    renewed = [visit.set_session_cookie for visit in visits]
    _require(all(cookie is not None and cookie.attribute("Max-Age") == str(max_age) for cookie in renewed),
             _("some visits came back without a fresh Set-Cookie: the expiry did not roll on every response."))
    login_cookie = login.set_session_cookie
    assert login_cookie is not None
    _require(all(visit.sent_session_cookie == login_cookie.value for visit in visits),
             _("the session id changed between visits: keep one session from the login on."))
    # Translators: {attribute} is the cookie attribute, e.g. Max-Age=2; {option} our server's option max_age and
    # {max_age} its value in seconds; {absolute_option} the option absolute_timeout.
    return _("Every visit came back with a fresh Set-Cookie ({attribute}), so the expiry moved forward each time: "
             "the user stayed logged in for longer than {option} ({max_age} s), on one session id. With a fixed "
             "expiry the same visits end at {option} (notebook 03). Rolling expiry means 'log out after {option} "
             "of inactivity'; pair it with an absolute limit ({absolute_option}, notebook 07) so that a stolen "
             "cookie cannot be kept alive for ever.").format(
        attribute=f"Max-Age={max_age}", option="max_age", max_age=max_age, absolute_option="absolute_timeout")

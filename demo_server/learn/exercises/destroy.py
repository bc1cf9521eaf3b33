"""The checks of notebook 04, destroy: only the server can end a session, and every copy of its cookie with it."""

from __future__ import annotations

from ...i18n import _
from ...seed import DEFAULT_USER, GREETING, LOGGED_OUT
from .feedback import (NotYet, _client, _cookie_name, _exercise, _greeting_prediction, _in_process_server,
                       _jar_value, _probe, _require, _unsign, _verdict)

#: The seed's logout route, as the feedback names it.
LOGOUT_ROUTE = "/loginOut"


@_exercise("4.1")
def exercise_4_1(prediction: object, replay: object) -> str:
    """Predict: after logout, does a replayed copy of the old cookie still log in?"""
    # Translators: completes "replay should be …"; {code} is the request to make.
    hint = _("the request that sends the saved copy: {code}.").format(code="browser.get('/', cookie=...)")
    guess, replay, greeted = _greeting_prediction(prediction, replay, "replay", hint)
    if not greeted:
        # Translators: {logged_out} is the seed's answer, 未登入; {route} the seed's logout route, /loginOut.
        why = _("{logged_out}: {route} destroyed the session in the store, so the key in the copy leads nowhere. "
                "The logout also sent a Set-Cookie that deletes the cookie from the browser, but that is a "
                "courtesy: the deletion that matters happened on the server.").format(
            logged_out=LOGGED_OUT, route=LOGOUT_ROUTE)
    else:
        why = _("the copy still logs in: this server did not destroy the session at logout.")
    # Translators: what the learner predicted, completing "you predicted …".
    predicted = _("that the copy still logs in") if guess else _("that the copy is dead")
    # Translators: what really happened, completing "you predicted that the copy is dead, but …".
    observed = _("the server answered {body}").format(body=repr(replay.body))
    return _verdict(guess, greeted, predicted=predicted, observed=observed, why=why)


@_exercise("4.2")
def exercise_4_2(server: object, browser: object, stolen: object) -> str:
    """Code: make a stolen copy of the session cookie useless."""
    server = _in_process_server(server, "server")
    browser = _client(browser, "browser")
    _require(isinstance(stolen, str) and "." in stolen,
             _("{name} should be the cookie value saved above; re-run the cells above this one.").format(
                 name="stolen"))
    assert isinstance(stolen, str)
    stolen_id = _unsign(server, stolen)
    _require(stolen_id is not None, _("this server no longer accepts the stolen cookie's signature: did you restart "
                                      "it? A restart with a new secret logs *everyone* out. End just this session "
                                      "instead: re-run the cells from the top and try again."))
    replay = _probe(server, "/", cookie=f"{_cookie_name(server)}={stolen}", name="thief")
    if replay.body == GREETING:
        if _jar_value(browser) is None:
            # Translators: {user} is the seed's user, 张三.
            raise NotYet(_("the stolen copy still logs in as {user}. You removed the cookie from the browser, but "
                           "the session is still in the server's store, and the copy still points at it. Only the "
                           "server can end a session: ask it to.").format(user=DEFAULT_USER))
        # Translators: {user} is the seed's user, 张三; {route} the seed's logout route, /loginOut.
        raise NotYet(_("the stolen copy still logs in as {user}: the session is still in the server's store. What "
                       "does the seed's {route} do?").format(user=DEFAULT_USER, route=LOGOUT_ROUTE))
    _require(replay.body == LOGGED_OUT, _("the replay answered {body}.").format(body=repr(replay.body)))
    _require(server.store.get(stolen_id) is None,
             _("the replay is refused, but the store still holds the session."))
    # Translators: {route} is the seed's logout route, /loginOut.
    return _("The copy is dead: {route} destroyed the session in the store, so its id leads nowhere, whoever holds "
             "it. Logging out has to happen on the server; deleting the cookie in one browser leaves every copy "
             "working.").format(route=LOGOUT_ROUTE)

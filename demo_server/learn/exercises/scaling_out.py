"""The checks of notebook 08, scaling out: two servers share sessions only through one store and one secret."""

from __future__ import annotations

from ...i18n import _
from ...seed import GREETING, LOGGED_OUT, LOGIN_DONE
from .feedback import (NotYet, _cookie_name, _exercise, _greeting_prediction, _interface, _probe, _require, _server,
                       _unsign, _verdict)


@_exercise("8.1")
def exercise_8_1(prediction: object, on_b: object) -> str:
    """Predict: a login on server A, then the same cookie to server B. Is B logged in?"""
    # Translators: completes "on_b should be …".
    hint = _("the request to server B that carries A's cookie.")
    guess, on_b, greeted = _greeting_prediction(prediction, on_b, "on_b", hint)
    if not greeted:
        # Translators: {logged_out} is the seed's answer, 未登入.
        why = _("B answered {logged_out}: the session lives in A's memory, and B has a store and a secret of its "
                "own, so to B the cookie is a stranger's. Behind a load balancer that alternates between them, "
                "every other request would be logged out.").format(logged_out=LOGGED_OUT)
    else:
        why = _("B greeted you: the two servers share their sessions.")
    # Translators: what the learner predicted, completing "you predicted …"; the other prediction is 未登入.
    predicted = _("a greeting") if guess else LOGGED_OUT
    # Translators: what really happened, completing "you predicted a greeting, but …".
    observed = _("B answered {body}").format(body=repr(on_b.body))
    return _verdict(guess, greeted, predicted=predicted, observed=observed, why=why)


@_exercise("8.2")
def exercise_8_2(server_a: object, server_b: object) -> str:
    """Code: two servers that share sessions, so a login on one counts on the other."""
    server_a = _server(server_a, "server_a")
    server_b = _server(server_b, "server_b")
    _require(server_a.url != server_b.url, _("{first} and {second} are the same server: start two, with different "
                                             "names.").format(first="server_a", second="server_b"))
    login = _probe(server_a, "/login", name="browser, on A")
    cookie = login.set_session_cookie
    _require(login.body == LOGIN_DONE and cookie is not None,
             _("logging in on {name} failed.").format(name="server_a"))
    assert cookie is not None
    on_b = _probe(server_b, "/", cookie=f"{_cookie_name(server_b)}={cookie.value}", name="browser, on B")
    if on_b.body != GREETING:
        if _interface(server_b) is None:
            raise NotYet(_("B does not know A's session: give both the same store and the same secret."))
        if _unsign(server_b, cookie.value) is None:
            # Translators: {setting} is the option to give both servers, secret=...
            raise NotYet(_("B cannot verify A's cookie: the two servers sign with different secrets. Give both the "
                           "same {setting} (and, if not yet, the same store).").format(setting="secret=..."))
        # Translators: {setting} is the option to give both servers, store=shared.
        raise NotYet(_("B accepts A's signature but finds no session under the id: each server has its own store. "
                       "Give both the same store object: {setting}.").format(setting="store=shared"))
    return _("Logged in on A, greeted on B: both servers read the same store, and both verify signatures with the "
             "same secret. Neither alone is enough (notebook 08 shows a shared store with different secrets "
             "failing too). In production the store is Redis or a database every server reaches, and the secret "
             "comes from the environment or a secret manager, never from the code.")

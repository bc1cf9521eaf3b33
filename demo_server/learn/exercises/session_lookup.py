"""The checks of notebook 02, session lookup: a copied cookie is the user, a forged one is nobody."""

from __future__ import annotations

import base64
from typing import Any

from ...i18n import _
from ...seed import GREETING, LOGGED_OUT
from .feedback import (NotYet, _choice, _cookie_name, _exercise, _greeting_prediction, _in_process_server,
                       _interface, _probe, _require, _unsign, _verdict)

#: The choices of exercise 2.2 ("why was the forged cookie refused?"), as the notebook lists them.
#: Only the letters are read here: the notebook's own text, translated with it, shows the choices.
FORGERY_REASONS = {
    "a": "the id is not in the store",
    "b": "the signature does not match the id under the server's secret",
    "c": "the cookie lacks the HttpOnly flag",
}

#: How a cookie value of ours looks, in the hints.
COOKIE_VALUE_SHAPE = "'<id>.<signature>'"


@_exercise("2.1")
def exercise_2_1(prediction: object, bob_visit: object) -> str:
    """Predict: Bob sends a copy of Alice's cookie. Is he greeted as 张三?"""
    # Translators: completes "bob_visit should be …"; {code} is the request to make.
    hint = _("Bob's request carrying Alice's copied cookie: {code}.").format(code="bob.get('/', cookie=...)")
    guess, bob_visit, greeted = _greeting_prediction(prediction, bob_visit, "bob_visit", hint)
    body = repr(bob_visit.body)
    if greeted:
        # Translators: {body} is the answer Bob got, 'hello 张三 welcome'.
        why = _("Bob got {body}. The server looked up the key that arrived and found Alice's data; it has no way "
                "to tell who sent the key. The session cookie is a bearer token: whoever holds it *is* the user. "
                "That is why it must be unguessable, HttpOnly, sent only over HTTPS in production, and "
                "short-lived (notebook 07).").format(body=body)
    else:
        why = _("Bob got {body}: the copied key did not lead to Alice's session here.").format(body=body)
    # Translators: what the learner predicted, completing "you predicted …"; the other prediction is 未登入.
    predicted = _("a greeting") if guess else LOGGED_OUT
    # Translators: what really happened, completing "you predicted a greeting, but …".
    observed = _("Bob got {body}").format(body=body)
    return _verdict(guess, greeted, predicted=predicted, observed=observed, why=why)


@_exercise("2.2")
def exercise_2_2(server: object, forged: object, answer: object) -> str:
    """Code: forge a cookie for Alice's id without the server's secret. Why is it refused?"""
    server = _in_process_server(server, "server")
    # Translators: {shape} is a cookie value's form, '<id>.<signature>'; {known} a variable of the notebook.
    _require(forged is not None, _("set {name} to a cookie value of the form {shape}: {known} above is the id you "
                                   "know.").format(name="forged", shape=COOKIE_VALUE_SHAPE, known="alice_id"))
    _require(isinstance(forged, str), _("{name} should be a string, not {type}.").format(
        name="forged", type=type(forged).__name__))
    assert isinstance(forged, str)
    name = _cookie_name(server)
    value = forged.removeprefix(f"{name}=")
    _require("." in value, _("a cookie value of ours is {shape}: put a dot between the id and your "
                             "signature.").format(shape=COOKIE_VALUE_SHAPE))
    visit = _probe(server, "/", cookie=f"{name}={value}", name="forger")
    # Translators: {status} is an HTTP status code; {expected} the expected answer, 200 未登入.
    _require(visit.status == 200, _("the server answered {status}; it should answer {expected}.").format(
        status=visit.status, expected=f"200 {LOGGED_OUT}"))
    verified_id = _unsign(server, value)
    if verified_id is not None:
        if visit.body == GREETING:
            # Translators: {secret} is the attribute that holds the server's secret, server.app.secret_key.
            raise NotYet(_("that cookie is genuine: its signature was made with the server's own secret. A copy "
                           "of Alice's cookie is theft (exercise 2.1), not forgery; and if you signed with "
                           "{secret}, you used the one thing an attacker never has: the secret never leaves the "
                           "server. Try without it.").format(secret="server.app.secret_key"))
        raise NotYet(_("your signature verifies, so you must have used the server's own secret, which an "
                       "attacker never has. Try without it."))
    _require(visit.body == LOGGED_OUT, _("the server answered {body} to a cookie it cannot verify.").format(
        body=repr(visit.body)))
    choice = _choice(answer, FORGERY_REASONS)
    in_store = server.store.get(value.rpartition(".")[0]) is not None
    if choice == "a":
        hint = _("the server refused before it looked in the store: the signature check comes first.")
        if in_store:
            # Translators: {hint} is the sentence "the server refused before it looked in the store: …".
            raise NotYet(_("{hint} And the id you used *is* in the store: it is Alice's.").format(hint=hint))
        # Translators: {hint} is the sentence "the server refused before it looked in the store: …".
        raise NotYet(_("{hint} (Try Alice's real id with your own signature: it is refused all the same.)").format(
            hint=hint))
    if choice == "c":
        raise NotYet(_("HttpOnly only decides whether JavaScript in a page may read a cookie. It says nothing "
                       "about what a client may send, and a server never sees the flag."))
    respells = _respells(server, value)
    # Translators: {logged_out} is the seed's answer, 未登入; {seed_secret} the seed's secret, 'keyboard cat'.
    explanation = _("Refused, answering {logged_out}: the part after the dot is an HMAC (SHA-256, via itsdangerous) "
                    "of the id under the server's secret. Without the secret you cannot compute it, guessing it is "
                    "hopeless, and the server throws away a cookie with a bad signature before it looks in the "
                    "store. So an attacker needs a real cookie, not a made-up one. The seed's secret {seed_secret} "
                    "is printed in every copy of its tutorial: a real server needs a long random secret of its "
                    "own.").format(logged_out=LOGGED_OUT, seed_secret="'keyboard cat'")
    if not respells:
        return explanation
    # Translators: {explanation} is the paragraph "Refused, answering 未登入: …"; this sentence follows it.
    return _("{explanation} You changed only how the signature is spelled (its last base64 character carries two "
             "spare bits): itsdangerous alone would accept that, because it decodes before it compares; this "
             "server, like express-session, accepts only the exact text it made.").format(explanation=explanation)


def _respells(server: Any, value: str) -> bool:
    """Whether ``value`` is the server's own signature for its id, spelled differently (same decoded bytes)."""
    session_id, _dot, signature = value.rpartition(".")
    genuine = _interface(server).sign_session_id(server.app, session_id).rpartition(".")[2]
    try:
        return signature != genuine and _b64(signature) == _b64(genuine)
    except (ValueError, TypeError):
        return False


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

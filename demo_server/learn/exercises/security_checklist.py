"""The checks of notebook 07, the security checklist: what HttpOnly stops, and session fixation."""

from __future__ import annotations

from ...i18n import _
from ...seed import LOGGED_OUT, LOGIN_DONE
from .feedback import NotYet, _choice, _client, _exchange, _exercise, _id_of, _require

#: The choices of exercise 7.1 ("which attack does HttpOnly stop?"), as the notebook lists them.
#: Only the letters are read here: the notebook's own text, translated with it, shows the choices.
HTTPONLY_CHOICES = {
    "a": "a script injected into the page reading document.cookie and sending it away",
    "b": "another site making your browser send a request to this site (CSRF)",
    "c": "someone on the network reading the cookie as it travels over plain http",
    "d": "all three",
}


@_exercise("7.1")
def exercise_7_1(answer: object, login: object) -> str:
    """Predict: which attack does HttpOnly stop?"""
    choice = _choice(answer, HTTPONLY_CHOICES)
    login = _exchange(login, "login")
    cookie = login.set_session_cookie
    _require(cookie is not None and cookie.attribute("HttpOnly") is not None,
             _("{name} should be the login exchange above, whose Set-Cookie carries HttpOnly.").format(name="login"))
    assert cookie is not None
    samesite = cookie.attribute("SameSite")
    if choice == "b":
        hint = _("cross-site requests are SameSite's business: the browser still attaches an HttpOnly cookie to "
                 "every request it sends.")
        if samesite:
            # Translators: {hint} is the sentence "cross-site requests are SameSite's business: …"; {attribute}
            # is the cookie's attribute, e.g. SameSite=Lax.
            hint = _("{hint} This cookie also has {attribute}, which is what limits them.").format(
                hint=hint, attribute=f"SameSite={samesite}")
        raise NotYet(hint)
    if choice == "c":
        raise NotYet(_("on plain http the cookie travels as readable text, HttpOnly or not. Only HTTPS protects it "
                       "on the network, and the Secure flag keeps it off plain http."))
    if choice == "d":
        raise NotYet(_("HttpOnly stops only one of the three."))
    # Translators: {property} is the script's view of the cookies, document.cookie.
    return _("HttpOnly keeps the cookie out of {property}, so a script injected into the page (XSS) cannot read the "
             "session id and send it away. It is one layer, not security on its own: it does not stop cross-site "
             "requests (SameSite does), it does not protect the cookie on the network (HTTPS and Secure do), and "
             "an injected script can still send requests *as* the user while the page is open. It only stops it "
             "carrying the key away.").format(property="document.cookie")


@_exercise("7.2")
def exercise_7_2(attacker: object, victim: object) -> str:
    """Code: try session fixation. Plant an id before the victim logs in, then use it."""
    attacker = _client(attacker, "attacker")
    victim = _client(victim, "victim")
    planted = {cookie.value for e in attacker.history if (cookie := e.set_session_cookie) is not None
               and not cookie.deletes_cookie}
    # Translators: {code} is the attacker's request, attacker.get('/').
    _require(planted, _("step 1: the attacker needs a session id of their own first: {code} (this server stores new "
                        "sessions, so it hands one out).").format(code="attacker.get('/')"))
    logins = [e for e in victim.history if e.path.startswith("/login") and e.body == LOGIN_DONE]
    _require(logins, _("step 3: the victim logs in: {code}.").format(code="victim.get('/login')"))
    login = logins[-1]
    # Translators: {code} copies the attacker's cookies into the victim's jar: victim.jar.update(attacker.jar).
    _require(login.sent_session_cookie in planted,
             _("the victim's login did not carry the attacker's cookie. Step 2, before the login: copy it into the "
               "victim's jar, {code}.").format(code="victim.jar.update(attacker.jar)"))
    assert login.sent_session_cookie is not None
    new_cookie = login.set_session_cookie
    _require(new_cookie is not None, _("the login sent no new cookie, so the victim is logged in on the attacker's "
                                       "id: this server is open to session fixation."))
    assert new_cookie is not None
    planted_id = _id_of(login.sent_session_cookie)
    _require(_id_of(new_cookie.value) != planted_id,
             _("the login kept the planted id: session fixation works on this server."))
    attempts = [e for e in attacker.history if (e.sent_at or 0) > (login.sent_at or 0) and e.path == "/"
                and e.sent_session_cookie == login.sent_session_cookie]
    _require(attempts, _("step 4: the attacker now tries the planted id: {code}.").format(code="attacker.get('/')"))
    attempt = attempts[-1]
    # Translators: {body} is the answer the attacker got, e.g. 'hello 张三 welcome'.
    _require(attempt.body == LOGGED_OUT, _("the attacker got {body} with the planted id: the attack worked, so this "
                                           "server does not regenerate the id at login.").format(
        body=repr(attempt.body)))
    # Translators: {logged_out} is the seed's answer, 未登入.
    return _("The victim's login answered with a new id and destroyed the old one, so the id the attacker planted "
             "leads nowhere: the attacker gets {logged_out}. Changing the id whenever privilege changes (login, "
             "logout, sudo) is OWASP's rule against session fixation. Notebook 06 runs the same attack against a "
             "login that keeps the id, and there it works.").format(logged_out=LOGGED_OUT)

"""The checks of notebook 01, cookie issuance: when a cookie goes out, and what it carries."""

from __future__ import annotations

from ...i18n import _
from ...seed import DEFAULT_USER, LOGGED_OUT
from ...stores import SessionRecord
from .feedback import (_client, _exchange, _exercise, _id_of, _in_process_server, _jar_value, _prediction, _probe,
                       _require, _server, _unsign, _verdict)


@_exercise("1.1")
def exercise_1_1(prediction: object, visit: object) -> str:
    """Predict: does a first visit to ``/`` get a ``Set-Cookie``?"""
    guess = _prediction(prediction)
    visit = _exchange(visit, "visit")
    _require(visit.cookie is None, _("{name} should be a first visit, from a client that sends no cookie: re-run "
                                     "the cell that starts the server and the client.").format(name="visit"))
    got_cookie = visit.set_session_cookie is not None
    if not got_cookie:
        # Translators: {option} is our server's setting, save_uninitialized=False; {express_option} and
        # {default} are express-session's option and its default value.
        why = _("No Set-Cookie: the session was new and held no data, and this server does not store empty "
                "sessions ({option}), so there was nothing to remember and no cookie to send. express-session's "
                "{express_option} defaults to {default}: it would have stored an empty session and sent a cookie "
                "to every visitor, crawlers included.").format(
            option="save_uninitialized=False", express_option="saveUninitialized", default="true")
    else:
        why = _("A Set-Cookie: this server stores even empty sessions ({option}), so every first visit gets a "
                "session in the store and a cookie for it.").format(option="save_uninitialized=True")
    # Translators: what the learner predicted, completing "you predicted …".
    predicted = _("a Set-Cookie") if guess else _("no Set-Cookie")
    # Translators: what really happened, completing "you predicted a Set-Cookie, but …".
    observed = _("one came back") if got_cookie else _("none came back")
    return _verdict(guess, got_cookie, predicted=predicted, observed=observed, why=why)


@_exercise("1.2")
def exercise_1_2(server: object, browser: object, session_id: object, stored: object) -> str:
    """Code: take the id out of the session cookie, and find the data stored under it."""
    server = _in_process_server(server, "server")
    browser = _client(browser, "browser")
    value = _jar_value(browser)
    _require(value is not None, _("{name} has no session cookie yet: log in first with {code}.").format(
        name="browser", code="browser.get('/login')"))
    assert value is not None
    real_id = _unsign(server, value)
    _require(real_id is not None, _("the browser's cookie is not from this server (was the server restarted?): "
                                    "run {code} again.").format(code="browser.get('/login')"))
    _require(session_id is not None, _("set {name} to the id inside the cookie value: the part before the "
                                       "dot.").format(name="session_id"))
    _require(session_id != value, _("that is the whole cookie value, id *and* signature: keep only the part "
                                    "before the dot ({code} returns both parts).").format(
        code="split_cookie_value(value)"))
    # Translators: {value} is what the learner wrote; {shape} is the cookie value's form, <id>.<signature>.
    _require(session_id == real_id, _("{value} is not the id in the browser's cookie. The cookie value is {shape}: "
                                      "take the part before the dot.").format(
        value=repr(session_id), shape="<id>.<signature>"))
    record = server.store.get(real_id)
    _require(record is not None, _("the store holds nothing under that id: has the session ended? Log in again."))
    # Translators: {code} returns a record; {attribute} is the record's attribute, .data.
    _require(stored is not None, _("now set {name} to what the store keeps under that id: {code} returns a "
                                   "record, and its {attribute} is the key:value data.").format(
        name="stored", code="server.store.get(session_id)", attribute=".data"))
    data = stored.data if isinstance(stored, SessionRecord) else stored
    _require(data == record.data, _("{name} should be the data the store keeps under the id, {expected}, not "
                                    "{value}.").format(name="stored", expected=record.data, value=repr(data)))
    _require(DEFAULT_USER not in value, _("the cookie itself contains the user's name: that is not a server-side "
                                          "session."))
    # Translators: {user} is the seed's user, 张三; {data} the session data, e.g. {'userinfo': '张三'}.
    return _("The cookie carries only the key: a random id and its signature, no {user}. The data, {data}, stays "
             "in the server's store under that key: the seed's key:value on the server, with only the key in the "
             "cookie.").format(user=DEFAULT_USER, data=record.data)


@_exercise("1.3")
def exercise_1_3(seed_like: object) -> str:
    """Code: start a server that, like the seed, sends a cookie on the very first visit."""
    seed_like = _server(seed_like, "seed_like")
    visit = _probe(seed_like, "/", name="first-time visitor")
    issued = visit.set_session_cookie
    # Translators: {option} is express-session's option, saveUninitialized.
    _require(issued is not None, _("a first visit to {name} still gets no Set-Cookie. Which of our options is "
                                   "express-session's {option}? (Notebook 05 has the table.)").format(
        name="seed_like", option="saveUninitialized"))
    assert issued is not None
    # Translators: {expected} is the seed's answer 未登入; {body} is what came back.
    _require(visit.body == LOGGED_OUT, _("a first visit should answer {expected}, not {body}.").format(
        expected=LOGGED_OUT, body=repr(visit.body)))
    store = getattr(seed_like, "store", None)
    if store is not None:
        record = store.get(_id_of(issued.value))
        _require(record is not None and record.data == {},
                 _("the cookie went out, but the store holds no empty session for it."))
    # Translators: {seed_option} is the seed's setting, saveUninitialized: true; {option} ours,
    # save_uninitialized=False; {value} is express-session's recommended value, false.
    return _("A first visit now gets a cookie, and the store keeps an empty session for it: the seed's "
             "{seed_option}. Every visitor, bots and health checks included, now costs a stored session and gets "
             "a cookie before they have done anything. That is why our server waits for the first data "
             "({option}), and why express-session's own documentation recommends {value} for login "
             "sessions.").format(seed_option="saveUninitialized: true", option="save_uninitialized=False",
                                 value="false")

"""Server-side sessions over real HTTP: issuance, lookup, expiry, destroy, regenerate, Set-Cookie rules.

Server-side expiry is driven by a fake clock handed to the store (the
session interface takes "now" from ``store.clock``); only the test about the
client's own cookie expiry sleeps for real.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

import pytest
from flask import Flask, Response, request, session

from demo_server import DEFAULT_USER, MemoryStore, create_app
from demo_server.stores import CountingStore
from demo_server.sessions import SESSION_ID_PATTERN, ServerSession, ServerSideSessionInterface
from wire import LOGGED_OUT, SetCookie, replay, session_cookie

# -- helpers ------------------------------------------------------------------


def greeting(user: str) -> str:
    """What ``GET /`` answers a logged-in user (the seed's string)."""
    return f"hello {user} welcome"


def interface(app: Flask) -> ServerSideSessionInterface:
    iface = app.session_interface
    assert isinstance(iface, ServerSideSessionInterface)
    return iface


OLD_SECRET, NEW_SECRET = "old-" + "o" * 40, "new-" + "n" * 40


def ms(seconds: float) -> float:
    """A time as the stores keep it: to the millisecond."""
    return round(seconds * 1000) / 1000


def app_with_test_routes(**options: Any) -> Flask:
    """The demo app plus three routes that reach the session API the demo routes do not."""
    app = create_app(**options)

    @app.get("/set")
    def set_value() -> Response:
        session[request.args["key"]] = request.args["value"]
        return Response("ok", mimetype="text/plain")

    @app.get("/touch")
    def touch() -> Response:
        assert isinstance(session, ServerSession)
        session.touch()
        return Response("touched", mimetype="text/plain")

    @app.get("/keep")
    def keep() -> Response:
        assert isinstance(session, ServerSession)
        session.regenerate(keep_data=True)
        return Response("regenerated", mimetype="text/plain")

    return app


def login(c: Any, url: str, **params: Any) -> SetCookie:
    """Log in and return the session cookie the server sent."""
    r = c.get(url + "/login", params=params)
    assert r.status_code == 200 and r.text == "登入成功"
    cookie = session_cookie(r)
    assert cookie is not None, "login must always send the new session's cookie"
    return cookie


# -- issuance and lookup ------------------------------------------------------


def test_login_issues_a_signed_random_id_and_keeps_the_data_on_the_server(serve, client) -> None:
    srv = serve()
    cookie = login(client(), srv.url)
    other = login(client(), srv.url)

    sid, _, signature = cookie.value.partition(".")
    assert SESSION_ID_PATTERN.fullmatch(sid) and signature
    assert interface(srv.app).unsign_session_id(srv.app, cookie.value) == sid
    assert other.sid != sid
    assert srv.store is not None
    record = srv.store.get(sid)
    assert record is not None and record.data == {"userinfo": DEFAULT_USER}
    assert set(srv.store.all()) == {sid, other.sid}
    # Only the key travels: nothing of the data is in the cookie.
    assert "userinfo" not in cookie.raw and DEFAULT_USER not in cookie.raw


def test_lookup_finds_the_session_named_by_the_cookie(serve, client) -> None:
    srv = serve()
    c = client()
    cookie = login(c, srv.url, user="王五")
    r = c.get(srv.url + "/")
    assert r.text == greeting("王五")
    assert r.request.headers["Cookie"] == cookie.pair
    shown = c.get(srv.url + "/session").json()
    assert shown["id"] == cookie.sid and shown["new"] is False


def test_logged_out_before_login(serve, client) -> None:
    srv = serve()
    r = client().get(srv.url + "/")
    assert r.status_code == 200 and r.text == LOGGED_OUT


# -- expiry -------------------------------------------------------------------


def test_server_side_expiry_gives_a_fresh_session(serve, client, clock) -> None:
    store = MemoryStore(clock=clock)
    srv = serve(store=store, max_age=60)
    c = client()
    cookie = login(c, srv.url)

    clock.advance(59)
    assert c.get(srv.url + "/").text == greeting(DEFAULT_USER)

    clock.advance(2)  # 61 s after login: the jar still sends it (no real time passed)
    r = c.get(srv.url + "/")
    assert r.request.headers["Cookie"] == cookie.pair
    assert r.text == LOGGED_OUT
    assert store.get(cookie.sid) is None and cookie.sid not in store.all()

    replayed = replay(srv.url, cookie.pair, "/session").json()
    assert replayed["new"] is True and replayed["id"] != cookie.sid and replayed["data"] == {}
    assert replay(srv.url, cookie.pair).text == LOGGED_OUT


def test_client_drops_the_cookie_at_max_age(serve, client) -> None:
    """The one real wait: the subject is the client's jar, which runs on real time."""
    srv = serve(max_age=1)
    c = client()
    cookie = login(c, srv.url)
    assert cookie.get("max-age") == "1"
    time.sleep(1.5)
    r = c.get(srv.url + "/")
    assert "Cookie" not in r.request.headers
    assert r.text == LOGGED_OUT
    assert replay(srv.url, cookie.pair).text == LOGGED_OUT  # and the server expired it too


def test_absolute_timeout_ends_even_an_active_session(serve, client, clock) -> None:
    store = MemoryStore(clock=clock)
    srv = serve(store=store, max_age=60, rolling=True, absolute_timeout=100)
    c = client()
    cookie = login(c, srv.url)
    for _ in range(2):  # t = 45, 90: active well within max_age
        clock.advance(45)
        r = c.get(srv.url + "/")
        assert r.text == greeting(DEFAULT_USER)
    record = store.get(cookie.sid)
    assert record is not None
    assert record.expires_at == ms(record.created_at + 100)  # capped, not now + 60
    sent = session_cookie(r)
    assert sent is not None and sent.get("max-age") == str(round(record.expires_at - clock.now))

    clock.advance(15)  # t = 105: 15 s idle, but past the absolute limit
    r = c.get(srv.url + "/")
    assert r.request.headers["Cookie"] == cookie.pair
    assert r.text == LOGGED_OUT


def test_idle_timeout_expires_a_browser_session_cookie_on_the_server(serve, client, clock) -> None:
    store = MemoryStore(clock=clock)
    srv = serve(store=store, idle_timeout=30)
    c = client()
    cookie = login(c, srv.url)
    assert not cookie.has("max-age") and not cookie.has("expires")
    for _ in range(3):  # each request slides the idle deadline
        clock.advance(29)
        assert c.get(srv.url + "/").text == greeting(DEFAULT_USER)
    clock.advance(31)
    r = c.get(srv.url + "/")
    assert r.request.headers["Cookie"] == cookie.pair
    assert r.text == LOGGED_OUT
    assert store.get(cookie.sid) is None


def test_remember_gives_this_session_its_own_max_age(serve, client, clock) -> None:
    store = MemoryStore(clock=clock)
    srv = serve(store=store)
    plain = login(client(), srv.url)
    assert not plain.has("max-age") and not plain.has("expires")

    c = client()
    cookie = login(c, srv.url, remember=120)
    assert cookie.get("max-age") == "120" and cookie.has("expires")
    record = store.get(cookie.sid)
    assert record is not None and record.max_age == 120 and record.expires_at == ms(clock.now + 120)
    assert c.get(srv.url + "/session").json()["cookie_max_age"] == 120

    clock.advance(119)
    assert c.get(srv.url + "/").text == greeting(DEFAULT_USER)
    clock.advance(2)
    assert c.get(srv.url + "/").text == LOGGED_OUT


@pytest.mark.parametrize("remember", ["0", "-5", "soon", "1e3", " 60", "2592001", "10000000000", "9" * 400])
def test_remember_refuses_anything_but_seconds_up_to_the_cap(serve, client, remember: str) -> None:
    """A 400 with a one-line reason, and nothing stored: not a 500, not a session that lives for centuries."""
    srv = serve()
    r = client().get(srv.url + "/login", params={"remember": remember})
    assert (r.status_code, r.text) == (400, "remember must be a whole number of seconds from 1 to 2592000")
    assert session_cookie(r) is None and srv.store.all() == {}


def test_remember_up_to_the_cap_is_accepted_and_the_cap_is_an_option(serve, client) -> None:
    assert login(client(), serve().url, remember="2592000").get("max-age") == "2592000"
    capped = serve(max_age_cap=3600)
    assert client().get(capped.url + "/login", params={"remember": "3601"}).status_code == 400
    assert login(client(), capped.url, remember="3600").get("max-age") == "3600"


@pytest.mark.parametrize("user", ["", "x" * 41])
def test_user_names_are_bounded(serve, client, user: str) -> None:
    srv = serve()
    r = client().get(srv.url + "/login", params={"user": user})
    assert (r.status_code, r.text) == (400, "user must have 1 to 40 characters")
    assert srv.store.all() == {}


# -- destroy and regenerate ---------------------------------------------------


@pytest.mark.parametrize("path", ["/logout", "/loginOut"])
def test_logout_destroys_the_session_and_clears_the_cookie(serve, client, path: str) -> None:
    srv = serve(max_age=60)
    assert srv.store is not None
    c = client()
    cookie = login(c, srv.url)
    assert srv.store.get(cookie.sid) is not None

    r = c.get(srv.url + path)
    assert r.status_code == 200 and r.text == "退出登入"
    cleared = session_cookie(r)
    assert cleared is not None and cleared.value == ""
    assert cleared.get("max-age") == "0" and "1970" in (cleared.get("expires") or "")
    assert cleared.get("path") == cookie.get("path")
    assert srv.store.get(cookie.sid) is None and srv.store.all() == {}
    assert len(c.cookies) == 0

    assert c.get(srv.url + "/").text == LOGGED_OUT
    assert replay(srv.url, cookie.pair).text == LOGGED_OUT
    assert srv.store.all() == {}  # the dead id was not revived


def test_login_regenerates_the_id(serve, client) -> None:
    srv = serve(save_uninitialized=True)
    assert srv.store is not None
    c = client()
    before = session_cookie(c.get(srv.url + "/"))  # an anonymous session, as a fixation attacker plants
    assert before is not None and srv.store.get(before.sid) is not None
    first = login(c, srv.url)
    second = login(c, srv.url, user="李四")

    assert len({before.sid, first.sid, second.sid}) == 3
    assert srv.store.get(before.sid) is None and srv.store.get(first.sid) is None
    assert set(srv.store.all()) == {second.sid}
    assert c.get(srv.url + "/").text == greeting("李四")
    assert replay(srv.url, first.pair).text == LOGGED_OUT
    assert replay(srv.url, before.pair, "/session").json()["id"] != before.sid


def test_a_new_login_does_not_inherit_remember_me(serve, client) -> None:
    """Someone else logging in on the same browser must not get the last user's persistent cookie."""
    srv = serve()
    c = client()
    remembered = login(c, srv.url, remember=3600)
    assert remembered.get("max-age") == "3600"
    plain = login(c, srv.url, user="李四")
    assert not plain.has("max-age") and not plain.has("expires")
    assert c.get(srv.url + "/session").json()["cookie_max_age"] is None


def test_absolute_timeout_counts_from_the_login_not_the_anonymous_visit(serve, client, clock) -> None:
    store = MemoryStore(clock=clock)
    srv = serve(store=store, save_uninitialized=True, rolling=True, max_age=60, absolute_timeout=100)
    c = client()
    anonymous = session_cookie(c.get(srv.url + "/"))  # browsing anonymously first, kept alive
    assert anonymous is not None
    for _ in range(2):
        clock.advance(45)
        assert session_cookie(c.get(srv.url + "/")) is not None
    assert store.get(anonymous.sid) is not None  # still live at t = 90, when the user logs in
    cookie = login(c, srv.url)  # a fresh session: its own 100 s start now
    assert cookie.get("max-age") == "60"
    clock.advance(50)
    assert c.get(srv.url + "/").text == greeting(DEFAULT_USER)


def test_lowering_the_absolute_timeout_ends_sessions_already_live(serve, client, clock) -> None:
    """The limit is checked when a session is loaded, against its start, not only when an expiry is written."""
    store = MemoryStore(clock=clock)
    before = serve(store=store, max_age=3600, secret=OLD_SECRET)
    cookie = login(client(), before.url)
    clock.advance(120)
    assert replay(before.url, cookie.pair).text == greeting(DEFAULT_USER)
    stricter = serve(store=store, max_age=3600, absolute_timeout=60, secret=OLD_SECRET)  # redeployed
    assert replay(stricter.url, cookie.pair).text == LOGGED_OUT
    assert store.get(cookie.sid) is None  # and deleted, not just refused


def test_lowering_a_lifetime_brings_the_stored_expiry_down_on_the_next_visit(serve, client, clock) -> None:
    store = MemoryStore(clock=clock)
    before = serve(store=store, idle_timeout=1800, secret=OLD_SECRET)
    cookie = login(client(), before.url)
    assert store.get(cookie.sid).expires_at == ms(clock.now + 1800)
    stricter = serve(store=store, idle_timeout=60, secret=OLD_SECRET)
    assert replay(stricter.url, cookie.pair).text == greeting(DEFAULT_USER)
    assert store.get(cookie.sid).expires_at == ms(clock.now + 60)
    clock.advance(61)
    assert replay(stricter.url, cookie.pair).text == LOGGED_OUT


def test_regenerate_keep_data_moves_the_data_to_a_new_id(serve, client) -> None:
    srv = serve(app_with_test_routes())
    assert srv.store is not None
    c = client()
    old = login(c, srv.url, user="赵六", remember=120)
    r = c.get(srv.url + "/keep")
    new = session_cookie(r)
    assert new is not None and new.sid != old.sid
    assert new.get("max-age") == "120"  # the same session under a new name: remember-me stays
    assert srv.store.get(old.sid) is None
    record = srv.store.get(new.sid)
    assert record is not None and record.data == {"userinfo": "赵六"}
    assert c.get(srv.url + "/").text == greeting("赵六")
    assert replay(srv.url, old.pair).text == LOGGED_OUT


def test_a_validly_signed_unknown_id_is_not_adopted(serve) -> None:
    srv = serve(save_uninitialized=True)
    assert srv.store is not None
    iface = interface(srv.app)
    forged_sid = iface.new_session_id()
    forged = f"sid={iface.sign_session_id(srv.app, forged_sid)}"

    shown = replay(srv.url, forged, "/session").json()
    assert shown["new"] is True and shown["id"] != forged_sid
    r = replay(srv.url, forged)
    issued = session_cookie(r)
    assert r.text == LOGGED_OUT
    assert issued is not None and issued.sid != forged_sid
    assert forged_sid not in srv.store.all() and srv.store.get(forged_sid) is None


def test_secret_rotation_accepts_old_cookies_and_signs_with_the_new_secret(serve, client) -> None:
    store = MemoryStore()
    old_srv = serve(store=store, secret=OLD_SECRET)
    c = client()
    cookie = login(c, old_srv.url)

    without_fallback = serve(store=store, secret=NEW_SECRET)
    assert replay(without_fallback.url, cookie.pair).text == LOGGED_OUT

    rotated = serve(store=store, secret=NEW_SECRET, secret_fallbacks=[OLD_SECRET])
    assert replay(rotated.url, cookie.pair).text == greeting(DEFAULT_USER)

    fresh = login(c, rotated.url, user="李四")
    only_new, only_old = create_app(secret=NEW_SECRET), create_app(secret=OLD_SECRET)
    assert interface(only_new).unsign_session_id(only_new, fresh.value) == fresh.sid
    assert interface(only_old).unsign_session_id(only_old, fresh.value) is None


# -- when Set-Cookie is sent: one test per row of the table in sessions.py -----


def test_new_session_with_save_uninitialized_gets_a_cookie(serve, client) -> None:
    srv = serve(save_uninitialized=True)
    assert srv.store is not None
    cookie = session_cookie(client().get(srv.url + "/"))
    assert cookie is not None
    assert set(srv.store.all()) == {cookie.sid}


def test_new_session_without_save_uninitialized_gets_no_cookie(serve, client) -> None:
    srv = serve()
    assert srv.store is not None
    r = client().get(srv.url + "/")
    assert r.text == LOGGED_OUT and session_cookie(r) is None
    assert srv.store.all() == {}


def test_new_session_that_was_modified_gets_a_cookie(serve, client) -> None:
    srv = serve(app_with_test_routes())
    assert srv.store is not None
    cookie = session_cookie(client().get(srv.url + "/set", params={"key": "lang", "value": "zh"}))
    assert cookie is not None
    record = srv.store.get(cookie.sid)
    assert record is not None and record.data == {"lang": "zh"}


def test_existing_session_with_rolling_gets_a_cookie_on_every_response(serve, client, clock) -> None:
    store = MemoryStore(clock=clock)
    srv = serve(store=store, rolling=True, max_age=60)
    c = client()
    cookie = login(c, srv.url)
    for _ in range(3):
        clock.advance(10)
        r = c.get(srv.url + "/")
        sent = session_cookie(r)
        assert sent is not None and sent.sid == cookie.sid and sent.get("max-age") == "60"
        record = store.get(cookie.sid)
        assert record is not None and record.expires_at == ms(clock.now + 60)


def test_existing_session_with_max_age_that_was_modified_gets_a_cookie(serve, client, clock) -> None:
    store = MemoryStore(clock=clock)
    srv = serve(app_with_test_routes(store=store, max_age=60))
    c = client()
    cookie = login(c, srv.url)
    clock.advance(10)
    sent = session_cookie(c.get(srv.url + "/set", params={"key": "lang", "value": "zh"}))
    assert sent is not None and sent.sid == cookie.sid and sent.get("max-age") == "60"
    record = store.get(cookie.sid)
    # The server's expiry moves with the cookie it just sent.
    assert record is not None and record.expires_at == ms(clock.now + 60)


def test_existing_session_with_max_age_unmodified_gets_no_cookie(serve, client, clock) -> None:
    store = MemoryStore(clock=clock)
    srv = serve(store=store, max_age=60)
    c = client()
    cookie = login(c, srv.url)
    record = store.get(cookie.sid)
    assert record is not None
    clock.advance(10)
    r = c.get(srv.url + "/")
    assert r.text == greeting(DEFAULT_USER) and session_cookie(r) is None
    after = store.get(cookie.sid)
    # No cookie went out, so the server's expiry did not move either (no drift).
    assert after is not None and after.expires_at == record.expires_at


def test_existing_session_without_max_age_that_was_modified_gets_no_cookie(serve, client) -> None:
    srv = serve(app_with_test_routes())
    assert srv.store is not None
    c = client()
    cookie = login(c, srv.url)
    r = c.get(srv.url + "/set", params={"key": "lang", "value": "zh"})
    assert r.text == "ok" and session_cookie(r) is None
    record = srv.store.get(cookie.sid)
    assert record is not None and record.data == {"userinfo": DEFAULT_USER, "lang": "zh"}


@pytest.mark.parametrize("resave", [False, True])
def test_resave_writes_the_store_but_never_changes_set_cookie(serve, client, resave: bool) -> None:
    store = CountingStore()
    srv = serve(store=store, max_age=60, resave=resave)
    c = client()
    login(c, srv.url)
    store.writes.clear()
    for _ in range(3):
        r = c.get(srv.url + "/")
        assert r.text == greeting(DEFAULT_USER) and session_cookie(r) is None
    assert store.writes == (["update"] * 3 if resave else [])

    fresh = client().get(srv.url + "/")  # a new, empty session is not resaved either
    assert session_cookie(fresh) is None and len(store.all()) == 1


def test_touch_sends_the_cookie_and_renews_the_expiry(serve, client, clock) -> None:
    store = MemoryStore(clock=clock)
    srv = serve(app_with_test_routes(store=store, max_age=60))
    c = client()
    cookie = login(c, srv.url)
    clock.advance(50)
    sent = session_cookie(c.get(srv.url + "/touch"))
    assert sent is not None and sent.sid == cookie.sid and sent.get("max-age") == "60"
    record = store.get(cookie.sid)
    assert record is not None and record.expires_at == ms(clock.now + 60)
    clock.advance(50)  # 100 s after login, 50 after the touch
    assert c.get(srv.url + "/").text == greeting(DEFAULT_USER)


def test_writing_the_same_value_again_is_not_a_modification(serve, client, clock) -> None:
    store = CountingStore(clock=clock)
    srv = serve(app_with_test_routes(store=store, max_age=60))
    c = client()
    cookie = login(c, srv.url)
    store.writes.clear()
    same = c.get(srv.url + "/set", params={"key": "userinfo", "value": DEFAULT_USER})
    assert same.text == "ok" and session_cookie(same) is None and store.writes == []

    changed = c.get(srv.url + "/set", params={"key": "userinfo", "value": "李四"})
    assert session_cookie(changed) is not None and store.writes == ["update"]
    record = store.get(cookie.sid)
    assert record is not None and record.data == {"userinfo": "李四"}


def test_regenerate_always_sends_a_cookie(serve, client) -> None:
    """Even with every other rule off: no save_uninitialized, no max_age, no rolling."""
    srv = serve(save_uninitialized=False, max_age=None, rolling=False)
    c = client()
    first = login(c, srv.url)
    second = login(c, srv.url)
    assert first.sid != second.sid


# -- cookie attributes --------------------------------------------------------


def test_cookie_attributes_by_default(serve, client) -> None:
    srv = serve()
    cookie = login(client(), srv.url)
    assert cookie.name == "sid"
    assert cookie.has("httponly")
    assert cookie.get("samesite") == "Lax"
    assert cookie.get("path") == "/"
    assert not cookie.has("secure") and not cookie.has("domain")
    assert not cookie.has("max-age") and not cookie.has("expires")


HTTPS = {"X-Forwarded-Proto": "https"}  # what a TLS-terminating proxy adds


def test_a_secure_cookie_is_not_sent_over_plain_http_but_the_session_is_stored(serve, client) -> None:
    """As express-session does: over plain http, ``secure=True`` means no Set-Cookie at all."""
    srv = serve(secure=True)
    r = client().get(srv.url + "/login")
    assert r.text == "登入成功" and session_cookie(r) is None
    assert [record.data for record in srv.store.all().values()] == [{"userinfo": DEFAULT_USER}]


def test_a_secure_cookie_goes_out_over_https_behind_a_trusted_proxy(serve, client) -> None:
    srv = serve(secure=True, proxy=True)
    c = client()
    cookie = session_cookie(c.get(srv.url + "/login", headers=HTTPS))
    assert cookie is not None and cookie.has("secure")
    cleared = session_cookie(c.get(srv.url + "/logout", headers={**HTTPS, "Cookie": cookie.pair}))
    assert cleared is not None and cleared.has("secure") and cleared.value == ""


def test_the_proto_header_is_ignored_without_proxy_trust(serve, client) -> None:
    srv = serve(secure=True)  # no proxy=True: any client could claim HTTPS
    assert session_cookie(client().get(srv.url + "/login", headers=HTTPS)) is None


def test_secure_auto_follows_the_request(serve, client) -> None:
    srv = serve(secure="auto", proxy=True)
    assert not login(client(), srv.url).has("secure")
    assert session_cookie(client().get(srv.url + "/login", headers=HTTPS)).has("secure")


def test_partitioned_cookies(serve, client) -> None:
    srv = serve(secure=True, partitioned=True, proxy=True)
    cookie = session_cookie(client().get(srv.url + "/login", headers=HTTPS))
    assert cookie is not None and cookie.has("partitioned") and cookie.has("secure")
    with pytest.raises(ValueError, match="partitioned cookies must be Secure"):
        serve(partitioned=True)


def test_cookie_carries_domain_when_configured(serve, client) -> None:
    srv = serve(domain="sessions.example")
    c = client()
    cookie = login(c, srv.url)
    assert cookie.get("domain") == "sessions.example"
    # The clearing cookie must name the same domain and path, or the browser keeps the old one.
    cleared = session_cookie(c.get(srv.url + "/logout", headers={"Cookie": cookie.pair}))
    assert cleared is not None and cleared.value == "" and cleared.get("domain") == "sessions.example"


def test_no_session_outside_the_cookie_path(serve, client) -> None:
    """As express-session: outside ``path`` no session is read or stored, and writing to one is a 404."""
    srv = serve(path="/web")
    c = client()
    form = c.get(srv.url + "/web/login")  # inside: the form's token is kept in a new session
    cookie = session_cookie(form)
    assert form.status_code == 200 and cookie is not None and cookie.get("path") == "/web"
    assert len(srv.store.all()) == 1

    outside = c.get(srv.url + "/", headers={"Cookie": cookie.pair})
    assert (outside.text, session_cookie(outside)) == (LOGGED_OUT, None)  # the session is not even read
    refused = c.get(srv.url + "/login")
    assert (refused.status_code, refused.text) == (404, "there are sessions only under /web")
    assert session_cookie(refused) is None and len(srv.store.all()) == 1


# -- the demo routes ----------------------------------------------------------


def test_session_json_shows_what_the_server_knows(serve, client, clock) -> None:
    store = MemoryStore(clock=clock)
    srv = serve(store=store, max_age=60)
    c = client()
    anonymous = c.get(srv.url + "/session")
    assert anonymous.headers["Content-Type"].startswith("application/json")
    before = anonymous.json()
    assert before["kind"] == "server" and before["new"] is True
    assert before["data"] == {} and before["expires"] is None and before["cookie_max_age"] == 60

    cookie = login(c, srv.url)
    r = c.get(srv.url + "/session")
    shown = r.json()
    record = store.get(cookie.sid)
    assert record is not None
    assert shown == {
        "kind": "server", "id": cookie.sid, "new": False, "data": {"userinfo": DEFAULT_USER},
        "expires": datetime.fromtimestamp(record.expires_at, timezone.utc).isoformat(timespec="seconds"),
        "cookie_max_age": 60,
    }
    assert DEFAULT_USER in r.text  # not \u-escaped


def test_login_with_a_user_greets_that_user(serve, client) -> None:
    srv = serve()
    c = client()
    login(c, srv.url, user="李四")
    assert c.get(srv.url + "/").text == greeting("李四")


def test_login_without_a_user_greets_the_seeds_user(serve, client) -> None:
    srv = serve()
    c = client()
    login(c, srv.url)
    r = c.get(srv.url + "/")
    assert r.text == greeting("张三") and r.headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("path", ["/", "/login", "/session", "/logout", "/no-such-page"])
def test_no_server_header_and_no_caching(serve, client, path: str) -> None:
    srv = serve()
    r = client().get(srv.url + path)
    assert "Server" not in r.headers
    assert r.headers["Cache-Control"] == "no-store"


def test_cookie_path_follows_the_proxy_prefix(serve, client) -> None:
    """Behind jupyter-server-proxy the cookie must stay under /proxy/PORT/, not leak to all of Jupyter."""
    srv = serve(proxy=True)
    prefix = f"/proxy/{srv.port}"
    c = client()
    r = c.get(srv.url + "/login", headers={"X-Forwarded-Prefix": prefix})
    cookie = session_cookie(r)
    assert cookie is not None and cookie.get("path") == prefix + "/"
    cleared = session_cookie(c.get(srv.url + "/logout", headers={"X-Forwarded-Prefix": prefix,
                                                                  "Cookie": cookie.pair}))
    assert cleared is not None and cleared.value == "" and cleared.get("path") == prefix + "/"

"""sequence_for tells what happened from the recorded facts alone: exchanges built by hand, no server, no HTML.

tests/test_display.py checks the same arrows on real exchanges; here each
branch gets the one fact that decides it, so a wrong arrow points at its rule.
"""

from __future__ import annotations

from typing import Any

import pytest

from demo_server.learn.client import Exchange, JarCookie, StoreSnapshot
from demo_server.learn.display.sequence import Arrow, actors_for, sequence_for, status_tone
from demo_server.stores import SessionRecord

ID_A, ID_B = "a" * 43, "b" * 43
SIGNATURE = "s" * 43
#: When the store snapshots after the request were taken (Unix time, made up).
AFTER = 1_000.0


def signed(session_id: str) -> str:
    return f"{session_id}.{SIGNATURE}"


def exchange(**facts: Any) -> Exchange:
    """A GET / with no cookie, no Set-Cookie and empty jars, changed by ``facts``."""
    plain = dict(client_name="browser A", method="GET", path="/", host="127.0.0.1:5000", cookie=None,
                 cookie_hand_made=False, request_content_type=None, request_body=None, status=200, reason="OK",
                 set_cookies=(), headers=(), body="", session_cookie_name="sid", jar_before=(), jar_after=())
    return Exchange(**{**plain, **facts})


def jar(value: str, expires: float | None = None, name: str = "sid") -> tuple[JarCookie, ...]:
    return (JarCookie(name, value, "127.0.0.1", "/", expires, False, (), True, ""),)


def store(*sessions: tuple[str, SessionRecord], taken_at: float = AFTER) -> StoreSnapshot:
    return StoreSnapshot("MemoryStore", tuple(sessions), taken_at)


def record(data: dict[str, str] | None = None, expires_at: float = AFTER + 60) -> SessionRecord:
    return SessionRecord(data={"userinfo": "张三"} if data is None else data, expires_at=expires_at,
                         created_at=AFTER - 10)


def story(arrows: list[Arrow]) -> list[str]:
    return [f"{a.sender}>{a.receiver}: {a.label}" + (f" ({a.detail})" if a.detail else "") for a in arrows]


# -- the request, and what the server makes of its cookie ------------------------------------


def test_a_first_visit_without_a_store_has_four_arrows_on_two_lifelines() -> None:
    first = exchange(path="/login?user=%E6%9D%8E%E5%9B%9B", set_cookies=(f"sid={signed(ID_A)}; Path=/",),
                     jar_after=jar(signed(ID_A)))

    assert story(sequence_for(first)) == [
        "browser>server: GET /login?user=李四 (no Cookie header)",  # decoded: the diagram summarises
        "server>server: no sid cookie (so a new, empty session)",
        "server>browser: 200 OK (Set-Cookie: sid, a new id)",
        "browser>browser: jar stores sid",
    ]
    assert actors_for(first) == ["browser", "server"]


def test_the_request_arrow_names_the_cookies_sent_and_who_wrote_them() -> None:
    from_jar = exchange(cookie=f"sid={signed(ID_A)}; theme=dark")
    by_hand = exchange(cookie="sid=forged", cookie_hand_made=True)

    assert sequence_for(from_jar)[0] == Arrow("browser", "server", "GET /", "Cookie: sid, theme", "call", "request")
    assert sequence_for(by_hand)[0].detail == "hand-made Cookie: sid"


def test_without_the_secret_or_the_store_the_client_only_says_the_cookie_was_read() -> None:
    unchecked = exchange(cookie=f"sid={signed(ID_A)}", signature_valid=None,
                         store_before=store(), store_after=store())
    unobserved = exchange(cookie=f"sid={signed(ID_A)}", signature_valid=True)

    assert story(sequence_for(unchecked))[1] == "server>server: reads the sid cookie"
    assert story(sequence_for(unobserved))[1] == "server>server: reads the sid cookie"
    assert actors_for(unobserved) == ["browser", "server"]


def test_a_bad_signature_is_ignored_before_any_lookup() -> None:
    forged = exchange(cookie=f"sid={signed(ID_A)}", signature_valid=False,
                      store_before=store((ID_A, record())), store_after=store((ID_A, record())))
    arrows = sequence_for(forged)

    assert arrows[1] == Arrow("server", "server", "signature does not match",
                              "cookie ignored: a new, empty session", "note", "error")
    assert not any(a.label == "look up the session id" for a in arrows)


def test_a_value_of_another_shape_is_not_looked_up() -> None:
    odd = exchange(cookie="sid=short.value", signature_valid=True, store_before=store(), store_after=store())

    assert story(sequence_for(odd))[1] == "server>server: not a signed session id (cookie ignored: a new, empty session)"


def test_the_lookup_finds_the_session_the_store_held_before_the_request() -> None:
    found = exchange(cookie=f"sid={signed(ID_A)}", signature_valid=True,
                     store_before=store((ID_A, record())), store_after=store((ID_A, record())))
    missing = exchange(cookie=f"sid={signed(ID_B)}", signature_valid=True,
                       store_before=store((ID_A, record())), store_after=store((ID_A, record())))

    assert story(sequence_for(found))[1:4] == ["server>store: look up the session id",
                                               'store>server: found ({"userinfo": "张三"})',
                                               "server>server: store unchanged"]
    assert sequence_for(missing)[2] == Arrow("store", "server", "not found",
                                             "unknown or expired: a new, empty session", "reply", "error")
    assert actors_for(found) == ["browser", "server", "store"]


# -- what changed in the store ---------------------------------------------------------------


@pytest.mark.parametrize(("before", "after", "change"), [
    ((), ((ID_A, record()),), 'server>store: save a new session ({"userinfo": "张三"})'),
    (((ID_A, record()),), ((ID_A, record({"userinfo": "李四"})),), 'server>store: update the data ({"userinfo": "李四"})'),
    (((ID_A, record()),), ((ID_A, record(expires_at=AFTER + 90)),), "server>store: renew the expiry"),
    (((ID_A, record()),), (), "server>store: delete the session"),
    (((ID_A, record(expires_at=AFTER)),), (), "store>store: a session expired"),  # due by the time of the snapshot
    (((ID_A, record()),), ((ID_A, record()),), "server>server: store unchanged"),
])
def test_store_changes_are_what_changed_not_every_call(before: tuple, after: tuple, change: str) -> None:
    arrows = sequence_for(exchange(store_before=store(*before), store_after=store(*after)))

    assert story(arrows)[2:-2] == [change]


def test_two_sessions_changing_at_once_show_as_two_arrows() -> None:
    rotated = exchange(store_before=store((ID_A, record())), store_after=store((ID_B, record())))

    assert story(sequence_for(rotated))[2:4] == ["server>store: delete the session",
                                                 'server>store: save a new session ({"userinfo": "张三"})']


# -- the response, and what the jar did with it ------------------------------------------------


def test_the_response_says_which_cookies_it_sets_and_whether_the_id_is_new() -> None:
    headers = (f"sid={signed(ID_A)}; Path=/", "sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/",
               "theme=dark; Path=/", f"sid={signed(ID_B)}; Path=/")
    response = sequence_for(exchange(cookie=f"sid={signed(ID_A)}", set_cookies=headers))[-2]

    assert response.detail == ("Set-Cookie: sid, same id; Set-Cookie: sid, deleting it; Set-Cookie: theme; "
                               "Set-Cookie: sid, a new id")
    assert sequence_for(exchange())[-2].detail == "no Set-Cookie"


@pytest.mark.parametrize(("status", "reason", "label", "tone"), [
    (200, "OK", "200 OK", "ok"), (302, "FOUND", "302 FOUND", "redirect"), (400, "", "400", "error"),
    (503, "SERVICE UNAVAILABLE", "503 SERVICE UNAVAILABLE", "error"),
])
def test_the_response_arrow_is_coloured_by_its_status(status: int, reason: str, label: str, tone: str) -> None:
    response = sequence_for(exchange(status=status, reason=reason))[-2]

    assert (response.sender, response.receiver, response.kind) == ("server", "browser", "reply")
    assert (response.label, response.tone) == (label, tone)
    assert status_tone(status) == tone


@pytest.mark.parametrize(("before", "after", "note"), [
    ((), jar("x"), "jar stores sid"),
    (jar("x"), (), "jar deletes sid"),
    (jar("x"), jar("y"), "jar replaces sid"),
    (jar("x", expires=AFTER + 1.25), jar("x", expires=AFTER + 1.75), "jar new expiry for sid"),  # same second
    (jar("x", expires=AFTER + 1.25), jar("x", expires=AFTER + 1.25), "jar unchanged"),
    (jar("x") + jar("1", name="theme"), jar("y") + jar("2", name="theme"), "jar replaces sid, replaces theme"),
])
def test_the_jar_note_compares_the_jar_before_and_after(before: tuple, after: tuple, note: str) -> None:
    last = sequence_for(exchange(jar_before=before, jar_after=after))[-1]

    assert last == Arrow("browser", "browser", note, "", "note")


def test_a_hand_made_request_leaves_the_jar_untouched_whatever_came_back() -> None:
    by_hand = exchange(cookie="sid=forged", cookie_hand_made=True, set_cookies=(f"sid={signed(ID_A)}",),
                       jar_before=jar("x"), jar_after=jar("x"))

    assert story(sequence_for(by_hand))[-1] == "browser>browser: jar untouched (hand-made request)"

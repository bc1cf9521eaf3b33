"""Bad cookies never hurt: each gets a 200 and a fresh session, never a 5xx, never an error in the log.

Every bad value is sent by hand in a ``Cookie`` header (or as raw bytes), so
the client's jar cannot clean it up first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from demo_server import DEFAULT_USER
from demo_server.runner import RunningServer
from wire import LOGGED_OUT, LoopbackClient, SetCookie, error_lines, raw_get, replay, session_cookie


@pytest.fixture
def logged_in(serve) -> Iterator[tuple[RunningServer, SetCookie]]:
    """A server and the valid cookie of a logged-in session on it."""
    srv = serve()
    with LoopbackClient() as c:
        cookie = session_cookie(c.get(srv.url + "/login"))
    assert cookie is not None
    assert replay(srv.url, cookie.pair).text == f"hello {DEFAULT_USER} welcome"  # the control: it works
    yield srv, cookie


def assert_quiet_log(srv: RunningServer, requests_made: int) -> None:
    """The log recorded the requests (so it is being written) and no error among them."""
    assert len([line for line in srv.log if line.endswith(" 200")]) >= requests_made
    assert error_lines(srv.log) == []


def _change(char: str) -> str:
    """Another base64url character, always different from ``char``."""
    return "A" if char != "A" else "B"


def tampered_signature(value: str) -> str:
    sid, sig = value.rsplit(".", 1)
    middle = len(sig) // 2  # the last character carries padding bits; a middle one never does
    return f"sid={sid}.{sig[:middle]}{_change(sig[middle])}{sig[middle + 1:]}"


def tampered_id(value: str) -> str:
    return f"sid={_change(value[0])}{value[1:]}"


BAD_COOKIES: dict[str, Callable[[str], str]] = {
    "tampered signature": tampered_signature,
    "tampered id": tampered_id,
    "garbage": lambda value: "sid=garbage!@#$%^&*()",
    "empty value": lambda value: "sid=",
    "no value at all": lambda value: "sid",
    "bad percent-escape": lambda value: "sid=%zz",
    "8 KB cookie": lambda value: "sid=" + "A" * 8192,
    "8 KB cookie that starts with the valid one": lambda value: f"sid={value}" + "A" * 8192,
    "id without signature": lambda value: "sid=" + value.rsplit(".", 1)[0],
    "quoted value": lambda value: f'sid="{value}x"',
}


@pytest.mark.parametrize("make_header", BAD_COOKIES.values(), ids=BAD_COOKIES.keys())
def test_bad_cookie_gets_a_fresh_session(logged_in, make_header: Callable[[str], str]) -> None:
    srv, cookie = logged_in
    header = make_header(cookie.value)
    assert header != cookie.pair

    r = replay(srv.url, header)
    assert r.status_code == 200 and r.text == LOGGED_OUT

    shown = replay(srv.url, header, "/session")
    assert shown.status_code == 200
    assert shown.json()["new"] is True and shown.json()["id"] != cookie.sid
    assert_quiet_log(srv, 4)


def test_duplicate_name_uses_the_first_cookie(logged_in) -> None:
    srv, cookie = logged_in
    assert replay(srv.url, f"{cookie.pair}; sid=garbage").text == f"hello {DEFAULT_USER} welcome"
    assert_quiet_log(srv, 3)


def test_duplicate_name_ignores_a_valid_second_cookie(logged_in) -> None:
    srv, cookie = logged_in
    r = replay(srv.url, f"sid=garbage; {cookie.pair}")
    assert r.status_code == 200 and r.text == LOGGED_OUT
    assert_quiet_log(srv, 3)


def test_non_utf8_bytes_in_the_session_cookie(logged_in) -> None:
    srv, cookie = logged_in
    status, body = raw_get(srv.url, b"sid=\xff\xfe\x80" + cookie.value.encode())
    assert (status, body) == (200, LOGGED_OUT)
    assert_quiet_log(srv, 3)


def test_non_utf8_bytes_in_another_cookie_leave_the_session_alone(logged_in) -> None:
    srv, cookie = logged_in
    status, body = raw_get(srv.url, cookie.pair.encode() + b"; other=\xff\xc3(")
    assert (status, body) == (200, f"hello {DEFAULT_USER} welcome")
    status, body = raw_get(srv.url, b"\xff\xfe=\x80; " + cookie.pair.encode())
    assert (status, body) == (200, f"hello {DEFAULT_USER} welcome")
    assert_quiet_log(srv, 4)

"""No request a client can send gets a 5xx, leaves a session nobody holds a cookie for, or grows the store
without bound: Hypothesis sends arbitrary requests to a real server over real HTTP.

Each request has a method, one of the app's paths (or none of them), a query
string built from the parameters the app reads (``remember``, ``pause``,
``user``, ``atomic``) with arbitrary values, an arbitrary ``Cookie`` header
(nothing, a real cookie, a tampered one, garbage, duplicates, 8 KB), an
arbitrary proxy prefix (the server trusts a proxy, so it must check the
prefix's shape), and sometimes a form body. Under CI the examples are the same
on every run (conftest.py).
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo_server.runner import RunningServer, start_server
from wire import TIMEOUT, parse_set_cookie

#: The app's routes, weighted towards those that read parameters, then some that are not routes.
PATHS = ["/login"] * 4 + ["/count"] * 3 + ["/", "/session", "/logout", "/loginOut", "/web/", "/web/login",
                                          "/web/logout", "/web/cookies", "/static/pages.css", "/nowhere",
                                          "//login", "/login/", "/%00"]
#: Mostly GET, which every route answers, then the rest.
METHODS = ["GET"] * 6 + ["POST"] * 2 + ["HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"]
#: Characters a client can put in a header (latin-1, no CR or LF).
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=60)
ANY_TEXT = st.text(max_size=30)
#: Numbers as a client may write them: edges of every bound the app has, and then anything.
NUMBERS_AS_TEXT = st.one_of(
    st.sampled_from(["0", "-1", "1", "2", "2.5", "60", "2592000", "2592001", "10000000000", "250000000000",
                     "1e3", "nan", "-inf", "inf", " 5", "9" * 400]),
    st.integers().map(str), st.floats().map(str), ANY_TEXT)


class Fuzzer:
    """One server, and every session id it has ever named in a Set-Cookie."""

    def __init__(self, server: RunningServer) -> None:
        self.server = server
        self.issued: set[str] = set()
        self.cookies: list[str] = []
        self.requests = 0

    def send(self, method: str, path: str, headers: dict[str, bytes], body: bytes | None) -> tuple[int, list[str]]:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=TIMEOUT)
        try:
            connection.putrequest(method, path, skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Type", "application/x-www-form-urlencoded")
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            response.read()
            self.requests += 1
            return response.status, response.headers.get_all("Set-Cookie") or []
        finally:
            connection.close()

    def note(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            cookie = parse_set_cookie(header)
            if cookie.name == "sid" and cookie.value:
                self.issued.add(cookie.sid)
                self.cookies.append(cookie.value)


@pytest.fixture(scope="module")
def fuzzer() -> Iterator[Fuzzer]:
    server = start_server(name="fuzz", proxy=True, max_age=60)
    server.pauses.release(for_good=True)  # a fuzzed pause must not make the run wait
    yield Fuzzer(server)
    server.stop()


@st.composite
def cookie_headers(draw: st.DrawFn, fuzzer: Fuzzer) -> bytes | None:
    kind = draw(st.sampled_from(["none", "issued", "tampered", "garbage", "duplicate", "huge", "raw bytes"]))
    pick = draw(st.integers(0, 10_000))  # drawn whatever the state, so every example draws the same way
    issued = fuzzer.cookies[pick % len(fuzzer.cookies)] if fuzzer.cookies else "x.y"
    if kind == "none":
        return None
    if kind == "issued":
        value = issued
    elif kind == "tampered":
        position = draw(st.integers(0, 86)) % len(issued)
        value = issued[:position] + draw(st.sampled_from("A_-.=+/ ")) + issued[position + 1:]
    elif kind == "garbage":
        value = draw(HEADER_TEXT)
    elif kind == "duplicate":
        return f"sid={draw(HEADER_TEXT)}; sid={issued}".encode("latin-1")
    elif kind == "huge":
        return ("sid=" + "A" * draw(st.integers(200, 8192))).encode()
    else:
        return b"sid=" + draw(st.binary(max_size=40)).replace(b"\r", b"").replace(b"\n", b"")
    return f"sid={value}".encode("latin-1")


@st.composite
def requests_(draw: st.DrawFn, fuzzer: Fuzzer) -> tuple[str, str, dict[str, bytes], bytes | None]:
    method = draw(st.sampled_from(METHODS))
    path = draw(st.sampled_from(PATHS))
    params = draw(st.dictionaries(st.sampled_from(["remember", "pause", "user", "atomic"]),
                                  st.one_of(NUMBERS_AS_TEXT, ANY_TEXT), max_size=4))
    query = urlencode(params)
    headers: dict[str, bytes] = {}
    cookie = draw(cookie_headers(fuzzer))
    if cookie is not None:
        headers["Cookie"] = cookie
    if draw(st.booleans()):
        headers["X-Forwarded-Prefix"] = draw(st.one_of(st.just("/proxy/8000"), HEADER_TEXT)).encode("latin-1")
    if draw(st.booleans()):
        headers["X-Forwarded-Proto"] = draw(st.sampled_from(["http", "https", "ftp", ""])).encode()
    body = None
    if method == "POST" and draw(st.booleans()):
        body = urlencode(draw(st.dictionaries(st.sampled_from(["user", "csrf_token"]), ANY_TEXT, max_size=2))).encode()
    return method, path + ("?" + query if query else ""), headers, body


@settings(max_examples=500, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_request_gets_a_5xx_or_leaves_an_orphan(fuzzer: Fuzzer, data: st.DataObject) -> None:
    method, path, headers, body = data.draw(requests_(fuzzer))
    status, set_cookies = fuzzer.send(method, path, headers, body)
    fuzzer.note(set_cookies)
    assert status < 500, (method, path, headers)
    stored = set(fuzzer.server.store.all())
    assert stored <= fuzzer.issued, "a session in the store that no Set-Cookie ever named"
    assert len(stored) <= fuzzer.requests, "the store grew faster than the requests that could fill it"

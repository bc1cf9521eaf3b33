"""What travels on the wire: loopback HTTP clients and Set-Cookie parsing, shared by the tests.

Every test talks to a real server over real HTTP; these helpers keep the
client identical on every machine (FIELD-NOTES §2) and read Set-Cookie from
the raw headers, where repeated headers stay separate. It parses Set-Cookie
itself, on purpose, beside ``demo_server.learn.client.SetCookie``: the tests
must not trust the code they check.
"""

from __future__ import annotations

import http.client
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

#: Seconds any single request may take before the test fails instead of hanging.
TIMEOUT = 10.0
#: The seed's two answers from ``GET /``.
LOGGED_OUT = "未登入"


class LoopbackClient(requests.Session):
    """A cookie-jar client that ignores proxies and .netrc and never waits forever."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False  # an HTTP_PROXY or ~/.netrc must not change the requests
        self.headers.update({"User-Agent": "sessions-tutorial-tests", "Accept-Encoding": "identity"})

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(method, url, *args, **kwargs)


@dataclass
class SetCookie:
    """One parsed ``Set-Cookie`` header: name, value and attributes (names lower-cased)."""

    name: str
    value: str
    attributes: dict[str, str | None] = field(default_factory=dict)
    raw: str = ""

    def has(self, attribute: str) -> bool:
        return attribute.lower() in self.attributes

    def get(self, attribute: str) -> str | None:
        return self.attributes.get(attribute.lower())

    @property
    def sid(self) -> str:
        """The session id part of a signed ``<id>.<signature>`` value."""
        return self.value.rsplit(".", 1)[0]

    @property
    def pair(self) -> str:
        """``name=value``, ready for a hand-made ``Cookie`` header."""
        return f"{self.name}={self.value}"


def parse_set_cookie(header: str) -> SetCookie:
    """Split one Set-Cookie header into its pair and its attributes."""
    pair, *attrs = [part.strip() for part in header.split(";")]
    name, _, value = pair.partition("=")
    attributes: dict[str, str | None] = {}
    for attr in attrs:
        key, eq, val = attr.partition("=")
        attributes[key.strip().lower()] = val.strip() if eq else None
    return SetCookie(name, value, attributes, header)


def set_cookies(response: requests.Response) -> list[SetCookie]:
    """Every Set-Cookie header of a response, each parsed, in order."""
    return [parse_set_cookie(h) for h in response.raw.headers.getlist("Set-Cookie")]


def session_cookie(response: requests.Response, name: str = "sid") -> SetCookie | None:
    """The one Set-Cookie for the session cookie, or None; more than one is a bug."""
    found = [c for c in set_cookies(response) if c.name == name]
    assert len(found) <= 1, f"several Set-Cookie headers for {name}: {found}"
    return found[0] if found else None


def replay(url: str, cookie_header: str, path: str = "/") -> requests.Response:
    """Send a hand-made Cookie header from a fresh client with an empty jar."""
    with LoopbackClient() as client:
        return client.get(url + path, headers={"Cookie": cookie_header})


def raw_get(url: str, cookie_header: bytes, path: str = "/") -> tuple[int, str]:
    """GET with a Cookie header sent as raw bytes (requests would refuse non-UTF-8)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)
    try:
        conn.putrequest("GET", path)
        conn.putheader("Cookie", cookie_header)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        conn.close()


def accepts_connections(port: int, host: str = "127.0.0.1") -> bool:
    """Whether anything listens on ``host:port`` right now."""
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def error_lines(log: list[str]) -> list[str]:
    """The lines of an access log that report an error."""
    return [line for line in log if "error" in line.lower()]

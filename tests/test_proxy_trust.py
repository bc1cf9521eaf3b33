"""Proxy headers are trusted only when the app is told a proxy is in front (``proxy=True``), and even then
only in a plain shape: any client can send them."""

from __future__ import annotations

import pytest

from wire import LoopbackClient, session_cookie


@pytest.mark.parametrize("prefix", ["//evil.example", "/a//b", "/proxy/1,/evil", "javascript:x", "/a b", "/x\\y"])
def test_a_prefix_that_is_not_a_plain_path_is_refused(serve, prefix: str) -> None:
    srv = serve(proxy=True)
    with LoopbackClient() as c:
        page = c.get(srv.url + "/web/login", headers={"X-Forwarded-Prefix": prefix})
    assert (page.status_code, page.text) == (400, "X-Forwarded-Prefix must be a plain path, such as /proxy/8000")


def test_a_plain_prefix_moves_links_and_the_cookie_path(serve) -> None:
    srv = serve(proxy=True)
    with LoopbackClient() as c:
        page = c.get(srv.url + "/web/login", headers={"X-Forwarded-Prefix": "/proxy/8000"})
    assert page.status_code == 200 and 'action="/proxy/8000/web/login"' in page.text
    assert session_cookie(page).get("path") == "/proxy/8000/"


def test_without_proxy_trust_the_headers_change_nothing(serve) -> None:
    """The default: a client's X-Forwarded-Prefix cannot move the page's stylesheet and form elsewhere."""
    srv = serve()
    with LoopbackClient() as c:
        page = c.get(srv.url + "/web/login", headers={"X-Forwarded-Prefix": "//evil.example",
                                                       "X-Forwarded-Proto": "https"})
    assert page.status_code == 200 and "evil.example" not in page.text
    cookie = session_cookie(page)
    assert cookie.get("path") == "/" and not cookie.has("secure")


@pytest.mark.parametrize("scheme", ["ftp", "https, http", "HTTPS"])
def test_a_scheme_other_than_http_or_https_is_refused(serve, scheme: str) -> None:
    srv = serve(proxy=True)
    with LoopbackClient() as c:
        answer = c.get(srv.url + "/", headers={"X-Forwarded-Proto": scheme})
    assert (answer.status_code, answer.text) == (400, "X-Forwarded-Proto must be http or https")

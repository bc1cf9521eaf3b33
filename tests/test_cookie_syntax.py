"""RFC 6265's cookie-value grammar (notebook 01 §9.1), against its prose and against our server's real cookie."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from demo_server.learn.client import NotebookClient
from demo_server.learn.cookie_syntax import cookie_value_of, is_valid_cookie_value

from conftest import Serve

#: RFC 6265 §4.1.1 in words: US-ASCII characters excluding CTLs, whitespace, DQUOTE, comma, semicolon and backslash.
ALLOWED = {chr(code) for code in range(0x21, 0x7F)} - {'"', ",", ";", "\\"}


def test_each_character_is_allowed_exactly_when_the_rfc_says() -> None:
    wrong = [f"U+{code:04X}" for code in range(0x100)
             if is_valid_cookie_value(chr(code)) != (chr(code) in ALLOWED)
             or is_valid_cookie_value(f'"{chr(code)}"') != (chr(code) in ALLOWED)]  # quotes change nothing inside
    assert wrong == []


@pytest.mark.parametrize("value", ["", '""', "abc", '"abc"', quote("张三"), "a=b"])
def test_valid_values(value: str) -> None:
    assert is_valid_cookie_value(value)


@pytest.mark.parametrize("value", ["张三", '"张三"', '"abc', 'abc"', '""abc""', '"\\345\\274\\240"', "a b", "a\tb"])
def test_invalid_values(value: str) -> None:
    assert not is_valid_cookie_value(value)


def test_cookie_value_of_takes_the_value_with_or_without_the_header_name() -> None:
    assert cookie_value_of('Set-Cookie: userinfo="张三"') == '"张三"'
    assert cookie_value_of("userinfo=a=b; Path=/; HttpOnly") == "a=b"  # the first = splits name from value


def test_our_session_cookie_is_valid_as_it_stands(serve: Serve) -> None:
    login = NotebookClient(serve(), name="browser").get("/login")
    [header] = login.set_cookies  # verbatim, as it came over the wire

    value = cookie_value_of(header)

    assert value == login.jar_after[0].value  # what the jar keeps
    assert is_valid_cookie_value(value)

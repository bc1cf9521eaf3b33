"""What RFC 6265 allows in a cookie value, checked character by character.

RFC 6265 §4.1.1 gives the grammar a server must follow::

    cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE )
    cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E

That is printable US-ASCII without spaces, double quotes, commas, semicolons
and backslashes, optionally wrapped in one pair of double quotes. No escapes
are defined, so a value outside it (a user's name such as 张三, say) only
works by a convention both sides share. Notebook 01 §9.1 checks what two
Python libraries make of ``userinfo=张三``, and our ``sid``, against it.
"""

from __future__ import annotations

import re

from .client import SetCookie

#: Any number of RFC 6265 cookie-octets: ``%x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E``.
COOKIE_OCTETS = r"[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*"

#: RFC 6265's ``cookie-value``: cookie-octets, bare or inside one pair of double quotes.
COOKIE_VALUE = re.compile(f'{COOKIE_OCTETS}|"{COOKIE_OCTETS}"')


def is_valid_cookie_value(value: str) -> bool:
    """Whether ``value`` fits RFC 6265's ``cookie-value``, so that every client reads it the same way."""
    return COOKIE_VALUE.fullmatch(value) is not None


def cookie_value_of(header: str) -> str:
    """The value in a ``Set-Cookie`` header, ``name=value; attributes``, with or without ``Set-Cookie: `` before it."""
    return SetCookie.parse(header.removeprefix("Set-Cookie: ")).value

"""What each part of a cookie means, in words: the tooltips, and the values as a reader sees them.

Shared by the text and HTML forms, so both say the same thing: a cookie
value split into the parts a learner should tell apart (our ``<id>.<signature>``,
Flask's ``<data>.<timestamp>.<signature>``), the meaning of each
``Set-Cookie`` attribute and shown header, and times and session data in the
one format every display uses.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from datetime import datetime, timezone
from typing import Any, Literal

from ...i18n import N_, _
from ...signing import SIGNED_SESSION_ID
from ..client import JarCookie

# -- plain values ----------------------------------------------------------------


def format_utc(epoch: float) -> str:
    """A Unix time as ``YYYY-MM-DD HH:MM:SS UTC``, the one format for times we compute."""
    return datetime.fromtimestamp(int(epoch), timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_data(data: dict[str, Any]) -> str:
    """Session data as JSON with sorted keys and readable non-ASCII (张三, not \\u5f20\\u4e09)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def cookie_expiry(cookie: JarCookie) -> str:
    """When the jar drops ``cookie``, in words."""
    # Translators: when a cookie without Expires or Max-Age leaves the jar.
    return format_utc(cookie.expires) if cookie.expires is not None else _("when the browser closes")


def cookie_flags(cookie: JarCookie) -> list[str]:
    """The attributes a jar cookie carries besides name, value, domain, path and expiry."""
    return (["Secure"] if cookie.secure else []) + list(cookie.flags)


# -- what each part of a cookie means ---------------------------------------------

# The meanings below are English constants, marked with N_ for the extractor; the functions
# that look them up translate them (the language is chosen after import).

#: One-line meanings of Set-Cookie attributes, shown as tooltips.
ATTRIBUTE_MEANINGS = {
    "expires": N_("When the browser deletes this cookie (HTTP date, GMT); with neither Expires nor "
                  "Max-Age it lasts until the browser closes"),
    "max-age": N_("Seconds until the browser deletes this cookie; wins over Expires"),
    "httponly": N_("JavaScript cannot read this cookie (document.cookie)"),
    "secure": N_("Sent only over HTTPS (browsers count localhost as secure)"),
    "path": N_("Sent only with requests for this path and the paths below it"),
    "domain": N_("Sent to this domain and its subdomains; without Domain, only to the host that set it"),
    "samesite=lax": N_("Not sent with cross-site POSTs or embedded requests; sent when the user "
                       "follows a link to this site"),
    "samesite=strict": N_("Never sent with a request that starts on another site"),
    "samesite=none": N_("Sent with cross-site requests too; browsers demand Secure with it"),
    "partitioned": N_("Kept separately for each top-level site (CHIPS)"),
    "priority": N_("A Chrome-only hint of which cookies to evict first"),
}

#: Tooltips for the header names shown (request and response).
HEADER_MEANINGS = {
    "host": N_("The server the request is for (taken from the URL)"),
    "cookie": N_("Every cookie the client holds for this URL (name=value pairs)"),
    "content-type": N_("What the body is, and its character encoding"),
    "cache-control": N_("Whether caches may keep this response; no-store: never, the page depends on who asks"),
    "location": N_("Where the redirect points; the client makes a second request there"),
    "set-cookie": N_("Asks the client to store (or, with a past date, delete) one cookie"),
}

#: Tooltips for the parts of a cookie value (see :func:`cookie_value_parts`); "data" has its own.
PART_MEANINGS = {
    "id": N_("session id: 256 random bits (secrets.token_urlsafe(32)), the key to this session's data in "
             "the server's store"),
    "signature": N_("HMAC-SHA256 signature of the id, keyed with the server's secret: change one character "
                    "of the id and it no longer matches"),
    "timestamp": N_("When the server signed this value (itsdangerous timestamp)"),
    "flask-signature": N_("HMAC-SHA1 signature: it stops anyone changing the data, not reading it"),
}

Role = Literal["id", "signature", "data", "timestamp", "flask-signature", "value"]


def cookie_value_parts(value: str) -> list[tuple[str, Role | None]]:
    """Split a cookie value into its meaningful parts; separators get role ``None``.

    Two shapes are recognised: our server's ``<id>.<signature>``, and Flask's
    built-in cookie session ``<data>.<timestamp>.<signature>``. Anything else
    is one opaque value.
    """
    signed = SIGNED_SESSION_ID.fullmatch(value)
    if signed:
        return [(signed.group("id"), "id"), (".", None), (signed.group("signature"), "signature")]
    data, timestamp, signature = _flask_session_parts(value)
    if data:
        return [(data, "data"), (".", None), (timestamp, "timestamp"), (".", None), (signature, "flask-signature")]
    return [(value, "value")]


def part_meaning(part: str, role: Role) -> str:
    """The tooltip of one part of a cookie value; Flask's data part shows the JSON inside it."""
    if role == "data":
        return _("The session data itself, base64 JSON that anyone can decode: {json}").format(
            json=decode_flask_data(part))
    if role == "value":
        return _("cookie value")
    return _(PART_MEANINGS[role])


def _flask_session_parts(value: str) -> tuple[str, str, str]:
    """``(data, timestamp, signature)`` of an itsdangerous URLSafeTimedSerializer value, else empty."""
    head, _dot, signature = value.rpartition(".")
    data, _dot, timestamp = head.rpartition(".")
    if len(signature) == 27 and len(timestamp) == 6 and decode_flask_data(data) is not None:
        return data, timestamp, signature
    return "", "", ""


def decode_flask_data(data: str) -> str | None:
    """The JSON inside a Flask session cookie's data part, or ``None`` if it is not one."""
    compressed = data.startswith(".")
    raw = data[1:] if compressed else data
    try:
        payload = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        if compressed:
            payload = zlib.decompress(payload)
        text = payload.decode("utf-8")
        json.loads(text)
    except (binascii.Error, ValueError, zlib.error):
        return None
    return text


def attribute_meaning(name: str, value: str | None) -> str:
    """The tooltip of one ``Set-Cookie`` attribute; a deletion says so."""
    key = name.lower()
    if key == "samesite":
        meaning = ATTRIBUTE_MEANINGS.get(f"samesite={(value or '').lower()}")
        return _(meaning) if meaning else _("Unknown SameSite value")
    if key == "max-age" and value is not None and value.strip() == "0":
        return _("0 seconds: the browser deletes this cookie now")
    if key == "expires" and value is not None and " 1970 " in value:
        return _("A date long past: the browser deletes this cookie now")
    meaning = ATTRIBUTE_MEANINGS.get(key)
    return _(meaning) if meaning else _("An attribute this tutorial does not cover")


def header_meaning(name: str) -> str:
    """The tooltip of a shown header name."""
    meaning = HEADER_MEANINGS.get(name.lower())
    return _(meaning) if meaning else _("A response header")

"""Show exchanges, cookie jars and session stores in a notebook, as text and as HTML.

Every display object here has two forms carrying the same facts:

* **text/plain** reads like a raw HTTP transcript, so a notebook still makes
  sense in a diff, on GitHub or in a terminal;
* **text/html** adds colour, layout and tooltips, and no new facts.

Both forms are deterministic once ``notebooks/sanitize.cfg`` has masked session
ids, signatures, dates and ports: no memory addresses, no dependence on dict
order, one date format (HTTP dates exactly as received; times we compute as
``YYYY-MM-DD HH:MM:SS UTC``), and ports only inside ``Host``.

The HTML has to look the same in a notebook a learner has just cloned, which
JupyterLab does not trust and so sanitizes. JupyterLab 4.6 keeps tables,
divs, spans, ``title`` and inline styles whose values are literal (colours as
``#hex`` or ``rgba()``, lengths in px or %). It drops ``<script>``,
``<style>``, ``<svg>``, ``id`` and ``name`` attributes, ``var(--jp-…)`` and
gradients. Hence: layout with tables, arrows drawn with CSS borders, text in
the theme's own colour (never set here), and accents as translucent tints that
read on light and dark themes alike.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape
from typing import Any, Literal
from urllib.parse import unquote

from .client import (
    SIGNED_SESSION_ID, Exchange, JarCookie, NotebookClient, SetCookie, StoreSnapshot, parse_cookie_header,
    snapshot_jar,
)
from ..stores import SessionStore

#: Bodies longer than this many lines are cut in both forms (with a note saying so).
BODY_PREVIEW_LINES = 25

# -- plain values ----------------------------------------------------------------


def format_utc(epoch: float) -> str:
    """A Unix time as ``YYYY-MM-DD HH:MM:SS UTC``, the one format for times we compute."""
    return datetime.fromtimestamp(int(epoch), timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_data(data: dict[str, Any]) -> str:
    """Session data as JSON with sorted keys and readable non-ASCII (张三, not \\u5f20\\u4e09)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


# -- what each part of a cookie means ---------------------------------------------

#: One-line meanings of Set-Cookie attributes, shown as tooltips.
ATTRIBUTE_MEANINGS = {
    "expires": "When the browser deletes this cookie (HTTP date, GMT); with neither Expires nor "
               "Max-Age it lasts until the browser closes",
    "max-age": "Seconds until the browser deletes this cookie; wins over Expires",
    "httponly": "JavaScript cannot read this cookie (document.cookie)",
    "secure": "Sent only over HTTPS (browsers count localhost as secure)",
    "path": "Sent only with requests for this path and the paths below it",
    "domain": "Sent to this domain and its subdomains; without Domain, only to the host that set it",
    "samesite=lax": "Not sent with cross-site POSTs or embedded requests; sent when the user "
                    "follows a link to this site",
    "samesite=strict": "Never sent with a request that starts on another site",
    "samesite=none": "Sent with cross-site requests too; browsers demand Secure with it",
    "partitioned": "Kept separately for each top-level site (CHIPS)",
    "priority": "A Chrome-only hint of which cookies to evict first",
}

#: Tooltips for the header names shown (request and response).
HEADER_MEANINGS = {
    "host": "The server the request is for (taken from the URL)",
    "cookie": "Every cookie the client holds for this URL (name=value pairs)",
    "content-type": "What the body is, and its character encoding",
    "cache-control": "Whether caches may keep this response; no-store: never, the page depends on who asks",
    "location": "Where the redirect points; the client makes a second request there",
    "set-cookie": "Asks the client to store (or, with a past date, delete) one cookie",
}

_PART_MEANINGS = {
    "id": "session id: 256 random bits (secrets.token_urlsafe(32)), the key to this session's data in "
          "the server's store",
    "signature": "HMAC-SHA256 signature of the id, keyed with the server's secret: change one character "
                 "of the id and it no longer matches",
    "timestamp": "When the server signed this value (itsdangerous timestamp)",
    "flask-signature": "HMAC-SHA1 signature: it stops anyone changing the data, not reading it",
}

Role = Literal["id", "signature", "data", "timestamp", "flask-signature", "value"]


def cookie_value_parts(value: str) -> list[tuple[str, Role | None]]:
    """Split a cookie value into its meaningful parts; separators get role ``None``.

    Two shapes are recognised: our server's ``<id>.<signature>``, and Flask's
    built-in cookie session ``<data>.<timestamp>.<signature>``. Anything else
    is one opaque value.
    """
    if SIGNED_SESSION_ID.fullmatch(value):
        session_id, signature = value.split(".")
        return [(session_id, "id"), (".", None), (signature, "signature")]
    data, timestamp, signature = _flask_session_parts(value)
    if data:
        return [(data, "data"), (".", None), (timestamp, "timestamp"), (".", None), (signature, "flask-signature")]
    return [(value, "value")]


def _flask_session_parts(value: str) -> tuple[str, str, str]:
    """``(data, timestamp, signature)`` of an itsdangerous URLSafeTimedSerializer value, else empty."""
    head, _, signature = value.rpartition(".")
    data, _, timestamp = head.rpartition(".")
    if len(signature) == 27 and len(timestamp) == 6 and _decode_flask_data(data) is not None:
        return data, timestamp, signature
    return "", "", ""


def _decode_flask_data(data: str) -> str | None:
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


def _attribute_meaning(name: str, value: str | None) -> str:
    key = name.lower()
    if key == "samesite":
        return ATTRIBUTE_MEANINGS.get(f"samesite={(value or '').lower()}", "Unknown SameSite value")
    if key == "max-age" and value is not None and value.strip() == "0":
        return "0 seconds: the browser deletes this cookie now"
    if key == "expires" and value is not None and " 1970 " in value:
        return "A date long past: the browser deletes this cookie now"
    return ATTRIBUTE_MEANINGS.get(key, "An attribute this tutorial does not cover")


# -- text forms ------------------------------------------------------------------


def _indent(text: str, prefix: str = "  ") -> list[str]:
    return [prefix + line if line else "" for line in text.split("\n")]


def _body_preview(body: str) -> tuple[str, int]:
    """The first :data:`BODY_PREVIEW_LINES` lines of a body, and how many lines were left out."""
    lines = body.rstrip("\n").split("\n")
    if len(lines) <= BODY_PREVIEW_LINES:
        return "\n".join(lines), 0
    return "\n".join(lines[:BODY_PREVIEW_LINES]), len(lines) - BODY_PREVIEW_LINES


def format_exchange(exchange: Exchange) -> str:
    """The exchange as a compact raw-HTTP-like transcript: ``→`` request, ``←`` response."""
    lines = [f"→ {exchange.method} {exchange.path}  ({exchange.client_name})",
             f"  Host: {exchange.host}"]
    if exchange.cookie is None:
        lines.append("  (no Cookie header)")
    else:
        lines.append(f"  Cookie: {exchange.cookie}")
        if exchange.cookie_hand_made:
            lines.append("  (Cookie header written by hand; the jar was not used)")
    if exchange.request_body:
        if exchange.request_content_type:
            lines.append(f"  Content-Type: {exchange.request_content_type}")
        lines += ["", *_indent(exchange.request_body)]
    lines.append(f"← {exchange.status} {exchange.reason}".rstrip())
    lines += [f"  Set-Cookie: {header}" for header in exchange.set_cookies]
    lines += [f"  {name}: {value}" for name, value in exchange.headers]
    lines.append("")
    if exchange.body:
        preview, left_out = _body_preview(exchange.body)
        lines += _indent(preview)
        if left_out:
            lines.append(f"  … ({left_out} more lines)")
    else:
        lines.append("  (empty body)")
    return "\n".join(lines)


def _jar_text(owner: str, cookies: Sequence[JarCookie]) -> str:
    if not cookies:
        return f"Cookie jar of {owner}: (empty)"
    lines = [f"Cookie jar of {owner}:"]
    for cookie in cookies:
        details = [f"domain {cookie.domain}", f"path {cookie.path}", f"expires {_cookie_expiry(cookie)}",
                   *_cookie_flags(cookie)]
        sent = "yes" if cookie.sent_next else f"no, {cookie.not_sent_because}"
        lines += [f"  {cookie.name}={cookie.value}",
                  f"    {', '.join(details)}",
                  f"    sent on the next request: {sent}"]
    return "\n".join(lines)


def _store_text(snapshot: StoreSnapshot | None) -> str:
    if snapshot is None:
        return "Session store: (not observed)"
    if not snapshot.sessions:
        return f"Session store ({snapshot.store_kind}): (empty)"
    lines = [f"Session store ({snapshot.store_kind}):"]
    for session_id, record in snapshot.sessions:
        lines += [f"  {session_id}",
                  f"    data     {format_data(record.data)}",
                  f"    expires  {format_utc(record.expires_at)}"]
    return "\n".join(lines)


# -- the sequence of one step -------------------------------------------------------

Actor = Literal["browser", "server", "store"]


@dataclass(frozen=True)
class Arrow:
    """One arrow of a sequence diagram, or a note on one lifeline when ``sender == receiver``."""

    sender: Actor
    receiver: Actor
    label: str
    detail: str = ""
    #: "call" arrows are solid, "reply" arrows dashed.
    kind: Literal["call", "reply", "note"] = "call"
    tone: Literal["request", "store", "ok", "redirect", "error", "neutral"] = "neutral"


def sequence_for(exchange: Exchange) -> list[Arrow]:
    """What happened between browser, server and store, as far as the exchange shows it.

    Derived only from recorded facts: the Cookie sent, the signature check,
    the store's contents before and after, the Set-Cookie headers, and the jar
    before and after. Store changes are what changed, not every call made: a
    write of identical data shows as "store unchanged".
    """
    arrows = [_request_arrow(exchange)]
    observed = exchange.store_before is not None and exchange.store_after is not None
    arrows += _cookie_check_arrows(exchange, store_observed=observed)
    if observed:
        arrows += _store_change_arrows(exchange)
    arrows.append(_response_arrow(exchange))
    arrows.append(_jar_change_note(exchange))
    return arrows


def _request_arrow(exchange: Exchange) -> Arrow:
    names = [name for name, _ in exchange.sent_cookies]
    if exchange.cookie is None:
        detail = "no Cookie header"
    elif exchange.cookie_hand_made:
        detail = "hand-made Cookie: " + ", ".join(names)
    else:
        detail = "Cookie: " + ", ".join(names)
    # The diagram summarises, so it shows the path decoded (/login?user=李四); the transcript keeps the wire form.
    return Arrow("browser", "server", f"{exchange.method} {unquote(exchange.path)}", detail, "call", "request")


def _cookie_check_arrows(exchange: Exchange, *, store_observed: bool) -> list[Arrow]:
    value = exchange.sent_session_cookie
    name = exchange.session_cookie_name
    if value is None:
        return [Arrow("server", "server", f"no {name} cookie", "so a new, empty session", "note")]
    if exchange.signature_valid is False:
        return [Arrow("server", "server", "signature does not match",
                      "cookie ignored: a new, empty session", "note", "error")]
    if not store_observed or exchange.signature_valid is None:
        # Without the server's secret this client cannot tell a valid cookie from a
        # forged one, so it cannot say what the server's lookup found either.
        return [Arrow("server", "server", f"reads the {name} cookie", "", "note")]
    if not SIGNED_SESSION_ID.fullmatch(value):
        return [Arrow("server", "server", "not a signed session id",
                      "cookie ignored: a new, empty session", "note", "error")]
    session_id = value.split(".")[0]
    assert exchange.store_before is not None
    record = exchange.store_before.get(session_id)
    found = (Arrow("store", "server", "found", format_data(record.data), "reply", "store") if record
             else Arrow("store", "server", "not found", "unknown or expired: a new, empty session",
                        "reply", "error"))
    return [Arrow("server", "store", "look up the session id", "", "call", "store"), found]


def _store_change_arrows(exchange: Exchange) -> list[Arrow]:
    before, after = exchange.store_before, exchange.store_after
    assert before is not None and after is not None
    arrows = []
    for session_id, record in before.sessions:
        if after.get(session_id) is None:
            if record.expires_at <= after.taken_at:
                arrows.append(Arrow("store", "store", "a session expired", "", "note", "store"))
            else:
                arrows.append(Arrow("server", "store", "delete the session", "", "call", "store"))
    for session_id, record in after.sessions:
        old = before.get(session_id)
        if old is None:
            arrows.append(Arrow("server", "store", "save a new session", format_data(record.data), "call", "store"))
        elif old.data != record.data:
            arrows.append(Arrow("server", "store", "update the data", format_data(record.data), "call", "store"))
        elif old.expires_at != record.expires_at:
            arrows.append(Arrow("server", "store", "renew the expiry", "", "call", "store"))
    if not arrows:
        arrows.append(Arrow("server", "server", "store unchanged", "", "note"))
    return arrows


def _response_arrow(exchange: Exchange) -> Arrow:
    details = []
    sent = exchange.sent_session_cookie
    sent_id = sent.split(".")[0] if sent and SIGNED_SESSION_ID.fullmatch(sent) else None
    for header in exchange.set_cookie_headers:
        if header.deletes_cookie:
            details.append(f"Set-Cookie: {header.name}, deleting it")
        elif header.name == exchange.session_cookie_name and SIGNED_SESSION_ID.fullmatch(header.value):
            same = sent_id is not None and header.value.split(".")[0] == sent_id
            details.append(f"Set-Cookie: {header.name}, {'same id' if same else 'a new id'}")
        else:
            details.append(f"Set-Cookie: {header.name}")
    if not details:
        details.append("no Set-Cookie")
    label = f"{exchange.status} {exchange.reason}".rstrip()
    return Arrow("server", "browser", label, "; ".join(details), "reply", _tone(exchange.status))


def _jar_change_note(exchange: Exchange) -> Arrow:
    if exchange.cookie_hand_made:
        return Arrow("browser", "browser", "jar untouched", "hand-made request", "note")
    before = {(c.domain, c.path, c.name): c for c in exchange.jar_before}
    after = {(c.domain, c.path, c.name): c for c in exchange.jar_after}
    changes = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        name = key[2]
        if old is None:
            changes.append(f"stores {name}")
        elif new is None:
            changes.append(f"deletes {name}")
        elif old.value != new.value:
            changes.append(f"replaces {name}")
        elif old.expires != new.expires:
            changes.append(f"new expiry for {name}")
    if not changes:
        return Arrow("browser", "browser", "jar unchanged", "", "note")
    return Arrow("browser", "browser", "jar " + ", ".join(changes), "", "note")


def _sequence_text(exchange: Exchange, arrows: Sequence[Arrow]) -> str:
    names = {"browser": exchange.client_name, "server": "server", "store": "store"}
    width = max(len(name) for name in names.values())
    lines = ["Sequence:"]
    for arrow in arrows:
        sender = names[arrow.sender].ljust(width)
        if arrow.kind == "note":
            head = f"{sender}   {'':{width}}"
        else:
            head = f"{sender} → {names[arrow.receiver]:{width}}"
        detail = f"  ({arrow.detail})" if arrow.detail else ""
        lines.append(f"  {head}  {arrow.label}{detail}".rstrip())
    return "\n".join(lines)


# -- HTML building blocks ------------------------------------------------------------
# Literal colours only (JupyterLab drops var(--jp-…) from untrusted outputs).
# Text keeps the theme's colour; accents are mid-tone borders and translucent tints.

_COLOURS = {
    "request": "#3b82f6", "store": "#a855f7", "ok": "#16a34a", "redirect": "#0ea5e9",
    "error": "#dc2626", "neutral": "#8a8a8a",
}
_TINTS = {
    "id": ("rgba(59,130,246,0.18)", "#3b82f6"),
    "signature": ("rgba(245,158,11,0.22)", "#f59e0b"),
    "data": ("rgba(168,85,247,0.18)", "#a855f7"),
    "timestamp": ("rgba(128,128,128,0.18)", "#8a8a8a"),
    "flask-signature": ("rgba(245,158,11,0.22)", "#f59e0b"),
}
_BORDER = "1px solid rgba(128,128,128,0.45)"
_MONO = "font-family:monospace;font-size:12px"
_CAPTION = "font-size:11px;opacity:0.7;margin:0 0 3px 0"
_CARD = f"border:{_BORDER};border-radius:6px;padding:6px 8px;margin:4px 0;line-height:1.45"
_CHIP = "border:1px solid rgba(128,128,128,0.55);border-radius:3px;padding:0 3px;cursor:help"
# JupyterLab styles output tables (right-aligned, zebra rows, centred): undo it inline.
_TABLE = "border-collapse:collapse;border-spacing:0;margin:0;width:100%;table-layout:fixed"
_ROW = "background-color:transparent"
_CELL = "text-align:left;vertical-align:top;border:none;padding:2px 6px"
_SPAN_CELL = "text-align:left;vertical-align:top;border:none;padding:0"
_BLOCK = "border-left:3px solid rgba(128,128,128,0.45);padding:1px 0 1px 6px;margin:0 0 6px 0"


def _el(tag: str, content: str = "", *, style: str = "", title: str | None = None, colspan: int = 1) -> str:
    """One element; ``content`` is HTML already, attribute values are escaped here."""
    attributes = f' colspan="{colspan}"' if colspan > 1 else ""
    if style:
        attributes += f' style="{escape(style)}"'
    if title is not None:
        attributes += f' title="{escape(title)}"'
    return f"<{tag}{attributes}>{content}</{tag}>"


def _tone(status: int) -> Literal["ok", "redirect", "error"]:
    return "ok" if status < 300 else "redirect" if status < 400 else "error"


def _text(text: str) -> str:
    return escape(text, quote=False)


def _value_html(value: str) -> str:
    """A cookie value with its id, signature or data parts tinted and explained."""
    spans = []
    for part, role in cookie_value_parts(value):
        if role is None:
            spans.append(_text(part))
        elif role == "value":
            spans.append(_el("span", _text(part), title="cookie value"))
        else:
            background, underline = _TINTS[role]
            meaning = (_PART_MEANINGS[role] if role != "data"
                       else f"The session data itself, base64 JSON that anyone can decode: {_decode_flask_data(part)}")
            spans.append(_el("span", _text(part), title=meaning,
                             style=f"background-color:{background};border-bottom:2px solid {underline};cursor:help"))
    return _el("span", "".join(spans), style="word-break:break-all")


def _header_name(name: str) -> str:
    return _el("span", _text(name + ":"), style="opacity:0.7",
               title=HEADER_MEANINGS.get(name.lower(), "A response header"))


def _line(content: str, style: str = "") -> str:
    return _el("div", content, style=f"{_MONO};word-break:break-all;{style}".rstrip(";"))


def _set_cookie_html(header: str) -> str:
    cookie = SetCookie.parse(header)
    parts = [_el("span", _text(cookie.name), title="cookie name", style="font-weight:bold"), "=",
             _value_html(cookie.value)]
    for name, value in cookie.attributes:
        shown = name if value is None else f"{name}={value}"
        parts += ["; ", _el("span", _text(shown), style=f"{_CHIP};white-space:nowrap",
                            title=_attribute_meaning(name, value))]
    return _line(_header_name("Set-Cookie") + " " + "".join(parts))


def _cookie_header_html(header: str) -> str:
    return "; ".join(_el("span", _text(name), title="cookie name", style="font-weight:bold") + "=" + _value_html(value)
                     for name, value in parse_cookie_header(header))


def _status_badge(status: int, reason: str) -> str:
    badge = _el("span", str(status), style=f"background-color:{_COLOURS[_tone(status)]};color:#ffffff;"
                                          "border-radius:3px;padding:0 5px;font-weight:bold")
    return _line(f"{badge} {_text(reason)}")


def _body_html(body: str) -> str:
    if not body:
        return _line(_el("span", "(empty body)", style="opacity:0.6"), "margin-top:4px")
    preview, left_out = _body_preview(body)
    more = _el("div", f"… ({left_out} more lines)", style="opacity:0.6") if left_out else ""
    return _el("div", _text(preview) + more,
               style=f"{_MONO};white-space:pre-wrap;overflow-wrap:break-word;margin-top:4px;"
                     f"padding-top:4px;border-top:1px dashed rgba(128,128,128,0.45)")


def _request_html(exchange: Exchange) -> str:
    lines = [_el("div", f"→ request from {_text(exchange.client_name)}", style=_CAPTION),
             _line(_el("span", _text(exchange.method), style="font-weight:bold") + " " + _text(exchange.path)),
             _line(_header_name("Host") + " " + _text(exchange.host))]
    if exchange.cookie is None:
        lines.append(_line(_el("span", "(no Cookie header)", style="opacity:0.6")))
    else:
        lines.append(_line(_header_name("Cookie") + " " + _cookie_header_html(exchange.cookie)))
        if exchange.cookie_hand_made:
            lines.append(_el("div", "written by hand; the jar was not used",
                             style=f"font-size:11px;color:{_COLOURS['error']};font-weight:bold"))
    if exchange.request_body:
        if exchange.request_content_type:
            lines.append(_line(_header_name("Content-Type") + " " + _text(exchange.request_content_type)))
        lines.append(_body_html(exchange.request_body))
    return _el("div", "".join(lines), style=f"border-left:3px solid {_COLOURS['request']};padding-left:8px")


def _response_html(exchange: Exchange) -> str:
    lines = [_el("div", "← response from the server", style=_CAPTION),
             _status_badge(exchange.status, exchange.reason)]
    lines += [_set_cookie_html(header) for header in exchange.set_cookies]
    lines += [_line(_header_name(name) + " " + _text(value)) for name, value in exchange.headers]
    lines.append(_body_html(exchange.body))
    accent = _COLOURS[_tone(exchange.status)]
    return _el("div", "".join(lines), style=f"border-left:3px solid {accent};padding-left:8px")


def _side_by_side(cells: Iterable[tuple[str, str]]) -> str:
    """One table row of ``(width, html)`` cells, top-aligned."""
    tds = "".join(_el("td", html, style=f"{_SPAN_CELL};width:{width};padding-right:8px") for width, html in cells)
    return _el("table", _el("tbody", _el("tr", tds, style=_ROW)), style=_TABLE)


def _exchange_html(exchange: Exchange) -> str:
    return _side_by_side([("50%", _request_html(exchange)), ("50%", _response_html(exchange))])


def _panel(title: str, content: str) -> str:
    return _el("div", _el("div", _text(title), style="font-size:12px;font-weight:bold;margin-bottom:2px") + content,
               style="margin:0 0 8px 0")


def _grid(headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[str]) -> str:
    """A small data table: header cells are text, row cells HTML."""
    head = "".join(_el("th", _text(h), style=f"{_CELL};width:{w};font-size:11px;opacity:0.75;font-weight:normal;"
                                             f"border-bottom:{_BORDER}")
                   for h, w in zip(headers, widths))
    body = "".join(_el("tr", "".join(_el("td", cell, style=f"{_CELL};{_MONO};border-bottom:{_BORDER}")
                                     for cell in row), style=_ROW) for row in rows)
    return _el("table", _el("thead", _el("tr", head, style=_ROW)) + _el("tbody", body), style=_TABLE)


def _muted(text: str) -> str:
    return _el("div", _text(text), style="opacity:0.6;font-size:12px")


def _jar_html(owner: str, cookies: Sequence[JarCookie], *, compact: bool = False) -> str:
    """The jar as a table, or (``compact``) as one small block per cookie for narrow columns."""
    title = f"Cookie jar of {owner}"
    if not cookies:
        return _panel(title, _muted("(empty)"))
    if compact:
        blocks = [_el("div", _line(_cookie_name(c.name) + "=" + _value_html(c.value))
                      + _el("div", _cookie_details(c), style="font-size:11px"), style=_BLOCK)
                  for c in cookies]
        return _panel(title, "".join(blocks))
    rows = [[_cookie_name(c.name), _value_html(c.value), _text(f"{c.domain} {c.path}"),
             _text(_cookie_expiry(c)) + "".join("<br>" + _jar_flag(f) for f in _cookie_flags(c)),
             _sent_next(c)] for c in cookies]
    return _panel(title, _grid(["name", "value", "domain, path", "expires, flags", "sent next?"], rows,
                               ["12%", "38%", "16%", "20%", "14%"]))


def _cookie_name(name: str) -> str:
    return _el("span", _text(name), title="cookie name", style="font-weight:bold")


def _cookie_expiry(cookie: JarCookie) -> str:
    return format_utc(cookie.expires) if cookie.expires is not None else "when the browser closes"


def _cookie_flags(cookie: JarCookie) -> list[str]:
    return (["Secure"] if cookie.secure else []) + list(cookie.flags)


def _jar_flag(flag: str) -> str:
    return _el("span", _text(flag), style="opacity:0.7",
               title="The jar keeps this attribute but ignores it; a browser obeys it")


def _sent_next(cookie: JarCookie) -> str:
    if cookie.sent_next:
        return _el("span", "yes", style=f"color:{_COLOURS['ok']};font-weight:bold",
                   title="The next request to this server carries this cookie")
    return _el("span", _text(f"no, {cookie.not_sent_because}"), style=f"color:{_COLOURS['error']};font-weight:bold",
               title="The next request to this server leaves this cookie out")


def _cookie_details(cookie: JarCookie) -> str:
    parts = [_text(f"{cookie.domain} {cookie.path}"), _text(f"expires {_cookie_expiry(cookie)}"),
             *(_jar_flag(f) for f in _cookie_flags(cookie)), "sent next: " + _sent_next(cookie)]
    return " · ".join(parts)


def _session_id_html(session_id: str) -> str:
    background, underline = _TINTS["id"]
    return _el("span", _text(session_id), title=_PART_MEANINGS["id"],
               style=f"background-color:{background};border-bottom:2px solid {underline};word-break:break-all")


def _store_html(snapshot: StoreSnapshot | None, *, compact: bool = False) -> str:
    """The store as a table, or (``compact``) as one small block per session for narrow columns."""
    if snapshot is None:
        return _panel("Session store", _muted("(not observed)"))
    title = f"Session store ({snapshot.store_kind})"
    if not snapshot.sessions:
        return _panel(title, _muted("(empty)"))
    if compact:
        blocks = [_el("div", _line(_session_id_html(session_id))
                      + _el("div", _text(f"{format_data(record.data)} · expires {format_utc(record.expires_at)}"),
                            style="font-size:11px"), style=_BLOCK)
                  for session_id, record in snapshot.sessions]
        return _panel(title, "".join(blocks))
    rows = [[_session_id_html(session_id), _text(format_data(record.data)), _text(format_utc(record.expires_at))]
            for session_id, record in snapshot.sessions]
    return _panel(title, _grid(["session id", "data", "expires"], rows, ["45%", "30%", "25%"]))


# -- the sequence diagram in HTML ---------------------------------------------------------
# A table whose columns are [left half, right half] per actor with a gap between
# actors; each lifeline is the right border of an actor's left half, so an arrow
# spanning from one lifeline to the next is a single cell with colspan.

_HALF = 50
_GAP = 96
_LIFELINE = "2px solid rgba(128,128,128,0.6)"


def _column_widths(actors: int) -> list[int]:
    return [(_GAP if c % 3 == 2 else _HALF) for c in range(3 * actors - 1)]


def _diagram_width(actors: int) -> int:
    return sum(_column_widths(actors))


def _arrow_line(colour: str, dashed: bool, rightwards: bool) -> str:
    head_side = "left" if rightwards else "right"
    anchor = "right:-1px" if rightwards else "left:-1px"
    head = _el("span", "", style=f"position:absolute;{anchor};top:-7px;width:0;height:0;"
                                 "border-top:6px solid transparent;border-bottom:6px solid transparent;"
                                 f"border-{head_side}:9px solid {colour}")
    style = "dashed" if dashed else "solid"
    return _el("div", head, style=f"position:relative;height:0;border-top:2px {style} {colour};margin:2px 0 7px 0")


def _arrow_label(arrow: Arrow) -> str:
    label = _el("div", _text(arrow.label), style="font-size:12px;font-weight:bold;word-break:break-all")
    detail = _el("div", _text(arrow.detail), style="font-size:11px;opacity:0.8") if arrow.detail else ""
    return _el("div", label + detail, style="text-align:center;padding:2px 12px 0 12px;line-height:1.3")


def _diagram_html(exchange: Exchange, arrows: Sequence[Arrow], actors: Sequence[Actor]) -> str:
    widths = _column_widths(len(actors))
    columns = len(widths)
    lifelines = {3 * i for i in range(len(actors))}
    index = {actor: i for i, actor in enumerate(actors)}

    def cell(content: str = "", *, first: int, span: int = 1, style: str = "") -> str:
        """A cell over columns first…first+span-1; it draws the lifeline its right edge lies on."""
        lifeline = f";border-right:{_LIFELINE}" if first + span - 1 in lifelines else ""
        return _el("td", content, style=f"{_SPAN_CELL}{lifeline}{style}", colspan=span)

    def row(first: int, span: int, content: str) -> str:
        cells = [cell(first=c) for c in range(first)] + [cell(content, first=first, span=span)]
        cells += [cell(first=c) for c in range(first + span, columns)]
        return _el("tr", "".join(cells), style=_ROW)

    # A first, empty row fixes the column widths (table-layout:fixed reads them from it).
    sizing = "".join(_el("td", "", style=f"{_SPAN_CELL};width:{w}px;height:0") for w in widths)
    names = {"browser": exchange.client_name, "server": "server", "store": "store"}
    heads = []
    for i, actor in enumerate(actors):
        box = _el("div", _text(names[actor]),
                  style=f"display:inline-block;border:{_BORDER};border-radius:4px;padding:1px 6px;"
                        "font-size:11px;font-weight:bold;white-space:nowrap")
        heads.append(_el("td", box, style=f"{_SPAN_CELL};text-align:center;padding-bottom:4px", colspan=2))
        if i < len(actors) - 1:
            heads.append(_el("td", "", style=_SPAN_CELL))
    rows = [_el("tr", sizing, style=_ROW), _el("tr", "".join(heads), style=_ROW)]
    for arrow in arrows:
        colour = _COLOURS[arrow.tone]
        if arrow.kind == "note":
            at = index[arrow.sender]
            last = at == len(actors) - 1
            # A note sits just right of its lifeline; the last actor's, left of the lifeline before it.
            first = 3 * at - 2 if last else 3 * at + 1
            note = _el("div", _text(arrow.label) + (" · " + _text(arrow.detail) if arrow.detail else ""),
                       style=f"display:inline-block;font-size:11px;border:{_BORDER};border-left:3px solid {colour};"
                             "border-radius:3px;padding:0 6px;margin:3px 6px")
            rows.append(row(first, 2, _el("div", note, style=f"text-align:{'right' if last else 'left'}")))
            continue
        low, high = sorted((index[arrow.sender], index[arrow.receiver]))
        rightwards = index[arrow.receiver] > index[arrow.sender]
        content = _arrow_label(arrow) + _arrow_line(colour, dashed=arrow.kind == "reply", rightwards=rightwards)
        rows.append(row(3 * low + 1, 3 * (high - low), content))
    return _el("table", _el("tbody", "".join(rows)),
               style=f"border-collapse:collapse;border-spacing:0;margin:0;table-layout:fixed;"
                     f"width:{_diagram_width(len(actors))}px")


# -- the display objects ------------------------------------------------------------------


class _RichDisplay:
    """Both forms of one display: ``text()`` for text/plain, ``html()`` for text/html."""

    def text(self) -> str:
        raise NotImplementedError

    def html(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())

    def _repr_html_(self) -> str:
        return self.html()


class ExchangeView(_RichDisplay):
    """One exchange: request and response side by side, every cookie part explained."""

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange

    def text(self) -> str:
        return format_exchange(self.exchange)

    def html(self) -> str:
        return _el("div", _exchange_html(self.exchange), style=_CARD)


class JarView(_RichDisplay):
    """A client's cookie jar at one moment, and what the next request would send."""

    def __init__(self, owner: str, cookies: Sequence[JarCookie]) -> None:
        self.owner = owner
        self.cookies = tuple(cookies)

    def text(self) -> str:
        return _jar_text(self.owner, self.cookies)

    def html(self) -> str:
        return _el("div", _jar_html(self.owner, self.cookies), style=_CARD)


class StoreView(_RichDisplay):
    """A server's session store at one moment: id → data and expiry."""

    def __init__(self, snapshot: StoreSnapshot | None) -> None:
        self.snapshot = snapshot

    def text(self) -> str:
        return _store_text(self.snapshot)

    def html(self) -> str:
        return _el("div", _store_html(self.snapshot), style=_CARD)


class StepView(_RichDisplay):
    """One step of a demo: the exchange, its sequence diagram, and the jar and store after it."""

    def __init__(self, exchange: Exchange, jar: JarView, store: StoreView | None) -> None:
        self.exchange = exchange
        self.arrows = sequence_for(exchange)
        self.jar = jar
        self.store = store

    @property
    def actors(self) -> list[Actor]:
        """The diagram's lifelines: the store only when the exchange observed it."""
        if self.exchange.store_after is None:
            return ["browser", "server"]
        return ["browser", "server", "store"]

    def text(self) -> str:
        sections = [format_exchange(self.exchange), _sequence_text(self.exchange, self.arrows), self.jar.text()]
        if self.store is not None:
            sections.append(self.store.text())
        return "\n\n".join(sections)

    def html(self) -> str:
        panels = _jar_html(self.jar.owner, self.jar.cookies, compact=True)
        if self.store is not None:
            panels += _store_html(self.store.snapshot, compact=True)
        diagram = _panel("What happened", _diagram_html(self.exchange, self.arrows, self.actors))
        diagram_width = f"{_diagram_width(len(self.actors)) + 16}px"
        lower = _side_by_side([(diagram_width, diagram), ("auto", panels)])
        return _el("div", _exchange_html(self.exchange)
                   + _el("div", lower, style=f"margin-top:8px;padding-top:6px;border-top:{_BORDER}"), style=_CARD)


# -- what notebook authors call -------------------------------------------------------------


def show_exchange(exchange: Exchange) -> ExchangeView:
    """Display one exchange (a cell ending in ``client.get(...)`` does this by itself)."""
    return ExchangeView(exchange)


def show_jar(client: NotebookClient | Exchange) -> JarView:
    """A client's cookie jar now, or as it was right after an exchange."""
    if isinstance(client, Exchange):
        return JarView(client.client_name, client.jar_after)
    return JarView(client.name, snapshot_jar(client.jar, client.base_url))


def show_store(store: SessionStore | StoreSnapshot | Any) -> StoreView:
    """A server's session store now; pass a store, a running server, or a snapshot."""
    if isinstance(store, StoreSnapshot):
        return StoreView(store)
    store = getattr(store, "store", store)  # a RunningServer or a NotebookClient
    if not isinstance(store, SessionStore):
        raise TypeError(f"not a session store: {type(store).__name__}")
    return StoreView(StoreSnapshot.of(store))


def show_step(exchange: Exchange, *, client: NotebookClient | None = None,
              store: SessionStore | StoreSnapshot | Any | None = None) -> StepView:
    """The exchange, a sequence diagram of it, and the jar and store beside it.

    By default the jar and store are shown as they were right after the
    exchange; pass ``client`` or ``store`` to show them as they are now.
    """
    jar = show_jar(client) if client is not None else show_jar(exchange)
    if store is not None:
        store_view: StoreView | None = show_store(store)
    elif exchange.store_after is not None:
        store_view = StoreView(exchange.store_after)
    else:
        store_view = None
    return StepView(exchange, jar, store_view)


# -- small tables ----------------------------------------------------------------------------


def _text_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: CJK characters such as 张三 take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


class TableView(_RichDisplay):
    """A small table of plain-text cells: aligned columns as text, a plain table as HTML."""

    def __init__(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str | None = None,
                 mono_columns: Sequence[int] = ()) -> None:
        self.headers = tuple(str(h) for h in headers)
        self.rows = tuple(tuple(str(cell) for cell in row) for row in rows)
        if any(len(row) != len(self.headers) for row in self.rows):
            raise ValueError("every row needs one cell per header")
        self.title = title
        self.mono_columns = frozenset(mono_columns)

    def text(self) -> str:
        widths = [max(_text_width(cell) for cell in column) for column in zip(self.headers, *self.rows)]

        def line(cells: Sequence[str]) -> str:
            return "  ".join(cell + " " * (width - _text_width(cell)) for cell, width in zip(cells, widths)).rstrip()

        lines = [self.title + ":"] if self.title else []
        lines += [line(self.headers), line(["-" * width for width in widths])]
        lines += [line(row) for row in self.rows]
        return "\n".join(lines)

    def html(self) -> str:
        def cell(tag: str, text: str, column: int, style: str) -> str:
            styles = [_CELL, f"border-bottom:{_BORDER}", style]
            if column in self.mono_columns and tag == "td":
                styles.append(_MONO)
            return _el(tag, _text(text), style=";".join(s for s in styles if s))

        head = "".join(cell("th", h, i, "font-size:12px;font-weight:bold") for i, h in enumerate(self.headers))
        body = "".join(_el("tr", "".join(cell("td", c, i, "") for i, c in enumerate(row)), style=_ROW)
                       for row in self.rows)
        table = _el("table", _el("thead", _el("tr", head, style=_ROW)) + _el("tbody", body),
                    style="border-collapse:collapse;border-spacing:0;margin:0;table-layout:auto")
        return _el("div", _panel(self.title, table) if self.title else table, style=_CARD)


def show_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str | None = None,
               mono_columns: Sequence[int] = ()) -> TableView:
    """Display rows of plain values as a table; ``mono_columns`` (indexes) are shown as code."""
    return TableView(headers, rows, title=title, mono_columns=mono_columns)

"""The text/plain forms: transcripts that still make sense in a diff, on GitHub or in a terminal.

An exchange reads like raw HTTP (``→`` request, ``←`` response), a jar and a
store as indented lists, the sequence of a step as one line per arrow, and a
table as aligned columns. Each carries the same facts as its HTML form in
:mod:`.html`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from ..client import Exchange, JarCookie, StoreSnapshot
from .explain import cookie_expiry, cookie_flags, format_data, format_utc
from .sequence import Arrow

#: Bodies longer than this many lines are cut in both forms (with a note saying so).
BODY_PREVIEW_LINES = 25


def body_preview(body: str) -> tuple[str, int]:
    """The first :data:`BODY_PREVIEW_LINES` lines of a body, and how many lines were left out."""
    lines = body.rstrip("\n").split("\n")
    if len(lines) <= BODY_PREVIEW_LINES:
        return "\n".join(lines), 0
    return "\n".join(lines[:BODY_PREVIEW_LINES]), len(lines) - BODY_PREVIEW_LINES


def _indent(text: str, prefix: str = "  ") -> list[str]:
    return [prefix + line if line else "" for line in text.split("\n")]


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
        preview, left_out = body_preview(exchange.body)
        lines += _indent(preview)
        if left_out:
            lines.append(f"  … ({left_out} more lines)")
    else:
        lines.append("  (empty body)")
    return "\n".join(lines)


def jar_text(owner: str, cookies: Sequence[JarCookie]) -> str:
    """A client's jar: each cookie, where it goes, when it expires, and whether the next request carries it."""
    if not cookies:
        return f"Cookie jar of {owner}: (empty)"
    lines = [f"Cookie jar of {owner}:"]
    for cookie in cookies:
        details = [f"domain {cookie.domain}", f"path {cookie.path}", f"expires {cookie_expiry(cookie)}",
                   *cookie_flags(cookie)]
        sent = "yes" if cookie.sent_next else f"no, {cookie.not_sent_because}"
        lines += [f"  {cookie.name}={cookie.value}",
                  f"    {', '.join(details)}",
                  f"    sent on the next request: {sent}"]
    return "\n".join(lines)


def store_text(snapshot: StoreSnapshot | None) -> str:
    """A server's store: each session id, its data and its expiry."""
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


def sequence_text(exchange: Exchange, arrows: Sequence[Arrow]) -> str:
    """The arrows of one step, one line each: ``sender → receiver  label  (detail)``."""
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


def text_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: CJK characters such as 张三 take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def table_text(headers: Sequence[str], rows: Sequence[Sequence[str]], title: str | None) -> str:
    """Aligned columns under a dashed rule, counting wide characters as two columns."""
    widths = [max(text_width(cell) for cell in column) for column in zip(headers, *rows)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell + " " * (width - text_width(cell)) for cell, width in zip(cells, widths)).rstrip()

    lines = [title + ":"] if title else []
    lines += [line(headers), line(["-" * width for width in widths])]
    lines += [line(row) for row in rows]
    return "\n".join(lines)

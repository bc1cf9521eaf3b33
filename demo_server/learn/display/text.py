"""The text/plain forms: transcripts that still make sense in a diff, on GitHub or in a terminal.

An exchange reads like raw HTTP (``→`` request, ``←`` response), a jar and a
store as indented lists, the sequence of a step as one line per arrow, and a
table as aligned columns. Each carries the same facts as its HTML form in
:mod:`.html`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from ...i18n import _
from ..client import Exchange, JarCookie, StoreSnapshot, translated
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


def more_lines(left_out: int) -> str:
    """The note under a cut body: how many lines were left out."""
    # Translators: under a body cut short; {count} is the number of lines not shown.
    return _("… ({count} more lines)").format(count=left_out)


def padded(text: str, width: int) -> str:
    """``text`` and spaces up to ``width`` terminal columns (a CJK character takes two)."""
    return text + " " * (width - text_width(text))


def _indent(text: str, prefix: str = "  ") -> list[str]:
    return [prefix + line if line else "" for line in text.split("\n")]


def format_exchange(exchange: Exchange) -> str:
    """The exchange as a compact raw-HTTP-like transcript: ``→`` request, ``←`` response."""
    lines = [f"→ {exchange.method} {exchange.path}  ({exchange.client_name})",
             f"  Host: {exchange.host}"]
    if exchange.cookie is None:
        lines.append("  " + _("(no Cookie header)"))
    else:
        lines.append(f"  Cookie: {exchange.cookie}")
        if exchange.cookie_hand_made:
            lines.append("  " + _("(Cookie header written by hand; the jar was not used)"))
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
            lines.append("  " + more_lines(left_out))
    else:
        lines.append("  " + _("(empty body)"))
    return "\n".join(lines)


def jar_text(owner: str, cookies: Sequence[JarCookie]) -> str:
    """A client's jar: each cookie, where it goes, when it expires, and whether the next request carries it."""
    title = jar_title(owner)
    if not cookies:
        return title + ": " + _("(empty)")
    lines = [f"{title}:"]
    for cookie in cookies:
        # Translators: where a cookie in the jar goes and when it leaves; {domain} and {path} are its attributes.
        details = [_("domain {domain}").format(domain=cookie.domain), _("path {path}").format(path=cookie.path),
                   expires_text(cookie_expiry(cookie)), *cookie_flags(cookie)]
        lines += [f"  {cookie.name}={cookie.value}",
                  f"    {', '.join(details)}",
                  "    " + _("sent on the next request: {answer}").format(answer=sent_next_text(cookie))]
    return "\n".join(lines)


def jar_title(owner: str) -> str:
    """The heading of a client's jar, in the text and in the HTML."""
    return _("Cookie jar of {owner}").format(owner=owner)


def store_title(snapshot: StoreSnapshot | None) -> str:
    """The heading of a server's store, with the kind of store once it has been observed."""
    if snapshot is None:
        return _("Session store")
    # Translators: {kind} is the store's class name, such as MemoryStore.
    return _("Session store ({kind})").format(kind=snapshot.store_kind)


def expires_text(when: str) -> str:
    """When a cookie or a session expires; ``when`` is a time or "when the browser closes"."""
    return _("expires {when}").format(when=when)


def sent_next_text(cookie: JarCookie) -> str:
    """Whether the next request carries ``cookie``: "yes", or "no" and why."""
    if cookie.sent_next:
        return _("yes")
    # Translators: {reason} says why the next request leaves the cookie out, e.g. "expired".
    return _("no, {reason}").format(reason=translated(cookie.not_sent_because))


def store_text(snapshot: StoreSnapshot | None) -> str:
    """A server's store: each session id, its data and its expiry."""
    title = store_title(snapshot)
    if snapshot is None:
        return title + ": " + _("(not observed)")
    if not snapshot.sessions:
        return title + ": " + _("(empty)")
    lines = [f"{title}:"]
    data_label, expires_label = _("data"), _("expires")
    width = max(text_width(data_label), text_width(expires_label)) + 2
    for session_id, record in snapshot.sessions:
        lines += [f"  {session_id}",
                  f"    {padded(data_label, width)}{format_data(record.data)}",
                  f"    {padded(expires_label, width)}{format_utc(record.expires_at)}"]
    return "\n".join(lines)


def sequence_text(exchange: Exchange, arrows: Sequence[Arrow]) -> str:
    """The arrows of one step, one line each: ``sender → receiver  label  (detail)``."""
    names = actor_names(exchange)
    width = max(text_width(name) for name in names.values())
    # Translators: the heading of the transcript's sequence of arrows (browser → server …).
    lines = [_("Sequence") + ":"]
    for arrow in arrows:
        sender = padded(names[arrow.sender], width)
        if arrow.kind == "note":
            head = f"{sender}   {'':{width}}"
        else:
            head = f"{sender} → {padded(names[arrow.receiver], width)}"
        detail = f"  ({translated(arrow.detail)})" if arrow.detail else ""
        lines.append(f"  {head}  {translated(arrow.label)}{detail}".rstrip())
    return "\n".join(lines)


def actor_names(exchange: Exchange) -> dict[str, str]:
    """The names of a sequence's lifelines: the client's own, and "server" and "store"."""
    # Translators: the names of two lifelines of the sequence diagram (the third is the client's name).
    return {"browser": exchange.client_name, "server": _("server"), "store": _("store")}


def text_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: CJK characters such as 张三 take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


#: What a line may break between: runs of spaces, words of other scripts, and any single wide character;
#: an opening bracket or quote stays with what follows it (Chinese line-breaking rules).
_WRAP_TOKENS = re.compile(r"\s+|[（「『《〈“‘]*(?:[^\s\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef“‘]+|.)")
#: Wide punctuation that must not begin a line (Chinese line-breaking rules).
_NO_LINE_START = set("，。、；：！？）」』》〉”’")


def wrap_text(paragraph: str, width: int, indent: str = "") -> list[str]:
    """``textwrap.wrap`` by columns: Chinese, which has no spaces, breaks between characters, never inside code."""
    lines: list[str] = []
    line = indent
    for token in _WRAP_TOKENS.findall(paragraph):
        if token.isspace():
            line += " " if line.strip() else ""
            continue
        fits = text_width(line) + text_width(token) <= width or token in _NO_LINE_START or not line.strip()
        if not fits:
            lines.append(line.rstrip())
            line = indent
        line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


def table_text(headers: Sequence[str], rows: Sequence[Sequence[str]], title: str | None) -> str:
    """Aligned columns under a dashed rule, counting wide characters as two columns."""
    widths = [max(text_width(cell) for cell in column) for column in zip(headers, *rows)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell + " " * (width - text_width(cell)) for cell, width in zip(cells, widths)).rstrip()

    lines = [title + ":"] if title else []
    lines += [line(headers), line(["-" * width for width in widths])]
    lines += [line(row) for row in rows]
    return "\n".join(lines)

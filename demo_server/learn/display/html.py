"""The text/html forms: cards of tables, divs and spans that survive JupyterLab's sanitizer.

The HTML adds colour, layout and tooltips to the text forms of :mod:`.text`,
and no new facts. It has to look the same in a notebook a learner has just
cloned, which JupyterLab does not trust and so sanitizes. JupyterLab 4.6
keeps tables, divs, spans, ``title`` and inline styles whose values are
literal (colours as ``#hex`` or ``rgba()``, lengths in px or %). It drops
``<script>``, ``<style>``, ``<svg>``, ``id`` and ``name`` attributes,
``var(--jp-…)`` and gradients. Hence: layout with tables, arrows drawn with
CSS borders, text in the theme's own colour (never set here), and accents as
translucent tints that read on light and dark themes alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from ...i18n import _
from ...stores import SessionRecord
from ..client import Exchange, JarCookie, SetCookie, StoreSnapshot, parse_cookie_header, translated
from .explain import (
    attribute_meaning, cookie_expiry, cookie_flags, cookie_value_parts, format_data, format_utc, header_meaning,
    part_meaning,
)
from .sequence import Actor, Arrow, status_tone
from .text import actor_names, body_preview, expires_text, jar_title, more_lines, sent_next_text, store_title

# -- building blocks ---------------------------------------------------------------
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


def _el(tag: str, content: str = "", *, style: str = "", title: str | None = None, colspan: int = 1,
        role: str | None = None) -> str:
    """One element; ``content`` is HTML already, attribute values are escaped here.

    ``role`` becomes a ``session-…`` class naming what the element shows (a request, the jar…), so a
    test driving JupyterLab can find each part of a card; the sanitizer keeps classes.
    """
    attributes = f' class="session-{role}"' if role else ""
    attributes += f' colspan="{colspan}"' if colspan > 1 else ""
    if style:
        attributes += f' style="{escape(style)}"'
    if title is not None:
        attributes += f' title="{escape(title)}"'
    return f"<{tag}{attributes}>{content}</{tag}>"


def _text(text: str) -> str:
    return escape(text, quote=False)


def _value_html(value: str) -> str:
    """A cookie value with its id, signature or data parts tinted and explained."""
    spans = []
    for part, role in cookie_value_parts(value):
        if role is None:
            spans.append(_text(part))
        elif role == "value":
            spans.append(_el("span", _text(part), title=part_meaning(part, role)))
        else:
            background, underline = _TINTS[role]
            spans.append(_el("span", _text(part), title=part_meaning(part, role),
                             style=f"background-color:{background};border-bottom:2px solid {underline};cursor:help"))
    return _el("span", "".join(spans), style="word-break:break-all")


def _header_name(name: str) -> str:
    return _el("span", _text(name + ":"), style="opacity:0.7", title=header_meaning(name))


def _line(content: str, style: str = "") -> str:
    return _el("div", content, style=f"{_MONO};word-break:break-all;{style}".rstrip(";"))


def _set_cookie_html(header: str) -> str:
    cookie = SetCookie.parse(header)
    parts = [_cookie_name(cookie.name), "=", _value_html(cookie.value)]
    for name, value in cookie.attributes:
        shown = name if value is None else f"{name}={value}"
        parts += ["; ", _el("span", _text(shown), style=f"{_CHIP};white-space:nowrap",
                            title=attribute_meaning(name, value))]
    return _line(_header_name("Set-Cookie") + " " + "".join(parts))


def _cookie_header_html(header: str) -> str:
    return "; ".join(_cookie_name(name) + "=" + _value_html(value) for name, value in parse_cookie_header(header))


def _status_badge(status: int, reason: str) -> str:
    badge = _el("span", str(status), style=f"background-color:{_COLOURS[status_tone(status)]};color:#ffffff;"
                                          "border-radius:3px;padding:0 5px;font-weight:bold")
    return _line(f"{badge} {_text(reason)}")


def _body_html(body: str) -> str:
    if not body:
        return _line(_el("span", _text(_("(empty body)")), style="opacity:0.6"), "margin-top:4px")
    preview, left_out = body_preview(body)
    more = _el("div", _text(more_lines(left_out)), style="opacity:0.6") if left_out else ""
    return _el("div", _text(preview) + more,
               style=f"{_MONO};white-space:pre-wrap;overflow-wrap:break-word;margin-top:4px;"
                     f"padding-top:4px;border-top:1px dashed rgba(128,128,128,0.45)")


def _request_html(exchange: Exchange) -> str:
    # Translators: the caption over the request's half of an exchange card; {client} is the client's name.
    caption = _("request from {client}").format(client=exchange.client_name)
    lines = [_el("div", "→ " + _text(caption), style=_CAPTION),
             _line(_el("span", _text(exchange.method), style="font-weight:bold") + " " + _text(exchange.path)),
             _line(_header_name("Host") + " " + _text(exchange.host))]
    if exchange.cookie is None:
        lines.append(_line(_el("span", _text(_("(no Cookie header)")), style="opacity:0.6")))
    else:
        lines.append(_line(_header_name("Cookie") + " " + _cookie_header_html(exchange.cookie)))
        if exchange.cookie_hand_made:
            lines.append(_el("div", _text(_("written by hand; the jar was not used")),
                             style=f"font-size:11px;color:{_COLOURS['error']};font-weight:bold"))
    if exchange.request_body:
        if exchange.request_content_type:
            lines.append(_line(_header_name("Content-Type") + " " + _text(exchange.request_content_type)))
        lines.append(_body_html(exchange.request_body))
    return _el("div", "".join(lines), style=f"border-left:3px solid {_COLOURS['request']};padding-left:8px",
               role="request")


def _response_html(exchange: Exchange) -> str:
    lines = [_el("div", "← " + _text(_("response from the server")), style=_CAPTION),
             _status_badge(exchange.status, exchange.reason)]
    lines += [_set_cookie_html(header) for header in exchange.set_cookies]
    lines += [_line(_header_name(name) + " " + _text(value)) for name, value in exchange.headers]
    lines.append(_body_html(exchange.body))
    accent = _COLOURS[status_tone(exchange.status)]
    return _el("div", "".join(lines), style=f"border-left:3px solid {accent};padding-left:8px", role="response")


def _side_by_side(cells: Iterable[tuple[str, str]]) -> str:
    """One table row of ``(width, html)`` cells, top-aligned."""
    tds = "".join(_el("td", html, style=f"{_SPAN_CELL};width:{width};padding-right:8px") for width, html in cells)
    return _el("table", _el("tbody", _el("tr", tds, style=_ROW)), style=_TABLE)


def _exchange_html(exchange: Exchange) -> str:
    return _side_by_side([("50%", _request_html(exchange)), ("50%", _response_html(exchange))])


def _panel(title: str, content: str, role: str | None = None) -> str:
    return _el("div", _el("div", _text(title), style="font-size:12px;font-weight:bold;margin-bottom:2px") + content,
               style="margin:0 0 8px 0", role=role)


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


def jar_panel(owner: str, cookies: Sequence[JarCookie], *, compact: bool = False) -> str:
    """The jar as a table, or (``compact``) as one small block per cookie for narrow columns."""
    title = jar_title(owner)
    if not cookies:
        return _panel(title, _muted(_("(empty)")), "jar")
    if compact:
        blocks = [_el("div", _line(_cookie_name(c.name) + "=" + _value_html(c.value))
                      + _el("div", _cookie_details(c), style="font-size:11px"), style=_BLOCK)
                  for c in cookies]
        return _panel(title, "".join(blocks), "jar")
    rows = [[_cookie_name(c.name), _value_html(c.value), _text(f"{c.domain} {c.path}"),
             _text(cookie_expiry(c)) + "".join("<br>" + _jar_flag(f) for f in cookie_flags(c)),
             _sent_next(c)] for c in cookies]
    # Translators: the column headings of a cookie jar's table.
    headers = [_("name"), _("value"), _("domain, path"), _("expires, flags"), _("sent next?")]
    return _panel(title, _grid(headers, rows, ["12%", "38%", "16%", "20%", "14%"]), "jar")


def _cookie_name(name: str) -> str:
    return _el("span", _text(name), title=_("cookie name"), style="font-weight:bold")


def _jar_flag(flag: str) -> str:
    return _el("span", _text(flag), style="opacity:0.7",
               title=_("The jar keeps this attribute but ignores it; a browser obeys it"))


def _sent_next(cookie: JarCookie) -> str:
    if cookie.sent_next:
        return _el("span", _text(sent_next_text(cookie)), style=f"color:{_COLOURS['ok']};font-weight:bold",
                   title=_("The next request to this server carries this cookie"))
    return _el("span", _text(sent_next_text(cookie)), style=f"color:{_COLOURS['error']};font-weight:bold",
               title=_("The next request to this server leaves this cookie out"))


def _cookie_details(cookie: JarCookie) -> str:
    # Translators: precedes "yes", or "no" and why, in a narrow jar panel.
    sent_next = _text(_("sent next: {answer}")).format(answer=_sent_next(cookie))
    parts = [_text(f"{cookie.domain} {cookie.path}"), _text(expires_text(cookie_expiry(cookie))),
             *(_jar_flag(f) for f in cookie_flags(cookie)), sent_next]
    return " · ".join(parts)


def _session_id_html(session_id: str) -> str:
    background, underline = _TINTS["id"]
    return _el("span", _text(session_id), title=part_meaning(session_id, "id"),
               style=f"background-color:{background};border-bottom:2px solid {underline};word-break:break-all")


def _session_summary(record: SessionRecord) -> str:
    return _text(f"{format_data(record.data)} · {expires_text(format_utc(record.expires_at))}")


def store_panel(snapshot: StoreSnapshot | None, *, compact: bool = False) -> str:
    """The store as a table, or (``compact``) as one small block per session for narrow columns."""
    title = store_title(snapshot)
    if snapshot is None:
        return _panel(title, _muted(_("(not observed)")), "store")
    if not snapshot.sessions:
        return _panel(title, _muted(_("(empty)")), "store")
    if compact:
        blocks = [_el("div", _line(_session_id_html(session_id)) + _el("div", _session_summary(record),
                                                                          style="font-size:11px"), style=_BLOCK)
                  for session_id, record in snapshot.sessions]
        return _panel(title, "".join(blocks), "store")
    rows = [[_session_id_html(session_id), _text(format_data(record.data)), _text(format_utc(record.expires_at))]
            for session_id, record in snapshot.sessions]
    # Translators: the column headings of a session store's table.
    return _panel(title, _grid([_("session id"), _("data"), _("expires")], rows, ["45%", "30%", "25%"]), "store")


# -- the sequence diagram ---------------------------------------------------------------
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
    label = _el("div", _text(translated(arrow.label)), style="font-size:12px;font-weight:bold;word-break:break-all")
    detail = _el("div", _text(translated(arrow.detail)), style="font-size:11px;opacity:0.8") if arrow.detail else ""
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
    names = actor_names(exchange)
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
            detail = " · " + _text(translated(arrow.detail)) if arrow.detail else ""
            note = _el("div", _text(translated(arrow.label)) + detail,
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
                     f"width:{_diagram_width(len(actors))}px", role="sequence")


# -- the cards the views show ----------------------------------------------------------------


def exchange_card(exchange: Exchange) -> str:
    """One exchange: request and response side by side, every cookie part explained."""
    return _el("div", _exchange_html(exchange), style=_CARD, role="exchange")


def jar_card(owner: str, cookies: Sequence[JarCookie]) -> str:
    """A client's jar as a table, with what the next request would send."""
    return _el("div", jar_panel(owner, cookies), style=_CARD)


def store_card(snapshot: StoreSnapshot | None) -> str:
    """A server's store as a table."""
    return _el("div", store_panel(snapshot), style=_CARD)


def step_card(exchange: Exchange, arrows: Sequence[Arrow], actors: Sequence[Actor], side_panels: str) -> str:
    """The exchange on top; below it the sequence diagram, and ``side_panels`` (jar, store) beside it."""
    # Translators: the heading of the sequence diagram under an exchange.
    diagram = _panel(_("What happened"), _diagram_html(exchange, arrows, actors))
    diagram_width = f"{_diagram_width(len(actors)) + 16}px"
    lower = _side_by_side([(diagram_width, diagram), ("auto", side_panels)])
    return _el("div", _exchange_html(exchange)
               + _el("div", lower, style=f"margin-top:8px;padding-top:6px;border-top:{_BORDER}"), style=_CARD,
               role="step")


def table_card(headers: Sequence[str], rows: Sequence[Sequence[str]], title: str | None,
               mono_columns: frozenset[int]) -> str:
    """A plain table of text cells, under ``title`` if given; ``mono_columns`` (indexes) as code."""
    def cell(tag: str, text: str, column: int, style: str) -> str:
        styles = [_CELL, f"border-bottom:{_BORDER}", style]
        if column in mono_columns and tag == "td":
            styles.append(_MONO)
        return _el(tag, _text(text), style=";".join(s for s in styles if s))

    head = "".join(cell("th", h, i, "font-size:12px;font-weight:bold") for i, h in enumerate(headers))
    body = "".join(_el("tr", "".join(cell("td", c, i, "") for i, c in enumerate(row)), style=_ROW)
                   for row in rows)
    table = _el("table", _el("thead", _el("tr", head, style=_ROW)) + _el("tbody", body),
                style="border-collapse:collapse;border-spacing:0;margin:0;table-layout:auto")
    return _el("div", _panel(title, table) if title else table, style=_CARD)

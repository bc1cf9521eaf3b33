"""What happened between browser, server and store in one exchange, as a list of arrows.

Pure logic over an :class:`~demo_server.learn.client.Exchange`: no text, no
HTML. The transcript (:mod:`.text`) and the diagram (:mod:`.html`) both draw
the same arrows, so they cannot disagree about what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

from ...signing import SIGNED_SESSION_ID
from ..client import Exchange
from .explain import format_data

Actor = Literal["browser", "server", "store"]
Tone = Literal["request", "store", "ok", "redirect", "error", "neutral"]


@dataclass(frozen=True)
class Arrow:
    """One arrow of a sequence diagram, or a note on one lifeline when ``sender == receiver``."""

    sender: Actor
    receiver: Actor
    label: str
    detail: str = ""
    #: "call" arrows are solid, "reply" arrows dashed.
    kind: Literal["call", "reply", "note"] = "call"
    tone: Tone = "neutral"


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


def actors_for(exchange: Exchange) -> list[Actor]:
    """The diagram's lifelines: the store only when the exchange observed it."""
    if exchange.store_after is None:
        return ["browser", "server"]
    return ["browser", "server", "store"]


def status_tone(status: int) -> Literal["ok", "redirect", "error"]:
    """How a response status reads: success, a redirect, or an error."""
    return "ok" if status < 300 else "redirect" if status < 400 else "error"


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
    signed = SIGNED_SESSION_ID.fullmatch(value)
    if not signed:
        return [Arrow("server", "server", "not a signed session id",
                      "cookie ignored: a new, empty session", "note", "error")]
    assert exchange.store_before is not None
    record = exchange.store_before.get(signed.group("id"))
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
    sent = SIGNED_SESSION_ID.fullmatch(exchange.sent_session_cookie or "")
    sent_id = sent.group("id") if sent else None
    for header in exchange.set_cookie_headers:
        set_signed = SIGNED_SESSION_ID.fullmatch(header.value)
        if header.deletes_cookie:
            details.append(f"Set-Cookie: {header.name}, deleting it")
        elif header.name == exchange.session_cookie_name and set_signed:
            same = sent_id is not None and set_signed.group("id") == sent_id
            details.append(f"Set-Cookie: {header.name}, {'same id' if same else 'a new id'}")
        else:
            details.append(f"Set-Cookie: {header.name}")
    if not details:
        details.append("no Set-Cookie")
    label = f"{exchange.status} {exchange.reason}".rstrip()
    return Arrow("server", "browser", label, "; ".join(details), "reply", status_tone(exchange.status))


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

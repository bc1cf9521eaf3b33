"""What happened between browser, server and store in one exchange, as a list of arrows.

Pure logic over an :class:`~demo_server.learn.client.Exchange`: no layout, no
HTML. The transcript (:mod:`.text`) and the diagram (:mod:`.html`) both draw
the same arrows, so they cannot disagree about what happened. Labels are
English :class:`~demo_server.learn.client.Translatable` text, because notebooks
compare them (``arrow.label == "found"``); the text and the diagram show them
in the current language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

from ...i18n import N_
from ...signing import SIGNED_SESSION_ID
from ..client import Exchange, Translatable
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
    names = ", ".join(name for name, _value in exchange.sent_cookies)
    if exchange.cookie is None:
        detail: str = Translatable(N_("no Cookie header"))
    elif exchange.cookie_hand_made:
        # Translators: {names} lists the cookie names sent in a Cookie header written by hand, not by the jar.
        detail = Translatable(N_("hand-made Cookie: {names}"), names=names)
    else:
        detail = "Cookie: " + names
    # The diagram summarises, so it shows the path decoded (/login?user=李四); the transcript keeps the wire form.
    return Arrow("browser", "server", f"{exchange.method} {unquote(exchange.path)}", detail, "call", "request")


def _cookie_check_arrows(exchange: Exchange, *, store_observed: bool) -> list[Arrow]:
    value = exchange.sent_session_cookie
    name = exchange.session_cookie_name
    ignored = Translatable(N_("cookie ignored: a new, empty session"))
    if value is None:
        # Translators: a note on the server's lifeline; {name} is the session cookie's name, such as sid.
        return [Arrow("server", "server", Translatable(N_("no {name} cookie"), name=name),
                      Translatable(N_("so a new, empty session")), "note")]
    if exchange.signature_valid is False:
        return [Arrow("server", "server", Translatable(N_("signature does not match")), ignored, "note", "error")]
    if not store_observed or exchange.signature_valid is None:
        # Without the server's secret this client cannot tell a valid cookie from a
        # forged one, so it cannot say what the server's lookup found either.
        return [Arrow("server", "server", Translatable(N_("reads the {name} cookie"), name=name), "", "note")]
    signed = SIGNED_SESSION_ID.fullmatch(value)
    if not signed:
        return [Arrow("server", "server", Translatable(N_("not a signed session id")), ignored, "note", "error")]
    assert exchange.store_before is not None
    record = exchange.store_before.get(signed.group("id"))
    # Translators: the store's reply to "look up the session id": a session was found, or not.
    found = (Arrow("store", "server", Translatable(N_("found")), format_data(record.data), "reply", "store")
             if record else
             Arrow("store", "server", Translatable(N_("not found")),
                   Translatable(N_("unknown or expired: a new, empty session")), "reply", "error"))
    look_up = Arrow("server", "store", Translatable(N_("look up the session id")), "", "call", "store")
    return [look_up, found]


def _store_change_arrows(exchange: Exchange) -> list[Arrow]:
    before, after = exchange.store_before, exchange.store_after
    assert before is not None and after is not None
    arrows = []
    for session_id, record in before.sessions:
        if after.get(session_id) is None:
            if record.expires_at <= after.taken_at:
                arrows.append(Arrow("store", "store", Translatable(N_("a session expired")), "", "note", "store"))
            else:
                arrows.append(Arrow("server", "store", Translatable(N_("delete the session")), "", "call", "store"))
    for session_id, record in after.sessions:
        old = before.get(session_id)
        data = format_data(record.data)
        if old is None:
            arrows.append(Arrow("server", "store", Translatable(N_("save a new session")), data, "call", "store"))
        elif old.data != record.data:
            arrows.append(Arrow("server", "store", Translatable(N_("update the data")), data, "call", "store"))
        elif old.expires_at != record.expires_at:
            arrows.append(Arrow("server", "store", Translatable(N_("renew the expiry")), "", "call", "store"))
    if not arrows:
        arrows.append(Arrow("server", "server", Translatable(N_("store unchanged")), "", "note"))
    return arrows


def _response_arrow(exchange: Exchange) -> Arrow:
    details: list[str] = []
    sent = SIGNED_SESSION_ID.fullmatch(exchange.sent_session_cookie or "")
    sent_id = sent.group("id") if sent else None
    for header in exchange.set_cookie_headers:
        set_signed = SIGNED_SESSION_ID.fullmatch(header.value)
        if header.deletes_cookie:
            # Translators: {name} is the cookie's name; the header tells the client to delete it.
            details.append(Translatable(N_("Set-Cookie: {name}, deleting it"), name=header.name))
        elif header.name == exchange.session_cookie_name and set_signed:
            same = sent_id is not None and set_signed.group("id") == sent_id
            details.append(Translatable(N_("Set-Cookie: {name}, same id"), name=header.name) if same
                           else Translatable(N_("Set-Cookie: {name}, a new id"), name=header.name))
        else:
            details.append(f"Set-Cookie: {header.name}")
    if not details:
        details.append(Translatable(N_("no Set-Cookie")))
    label = f"{exchange.status} {exchange.reason}".rstrip()
    return Arrow("server", "browser", label, Translatable.joined("; ", details), "reply",
                 status_tone(exchange.status))


def _jar_change_note(exchange: Exchange) -> Arrow:
    if exchange.cookie_hand_made:
        return Arrow("browser", "browser", Translatable(N_("jar untouched")), Translatable(N_("hand-made request")),
                     "note")
    before = {(c.domain, c.path, c.name): c for c in exchange.jar_before}
    after = {(c.domain, c.path, c.name): c for c in exchange.jar_after}
    changes: list[str] = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        name = key[2]
        if old is None:
            # Translators: what the cookie jar did with the cookie {name}; listed after "jar".
            changes.append(Translatable(N_("stores {name}"), name=name))
        elif new is None:
            changes.append(Translatable(N_("deletes {name}"), name=name))
        elif old.value != new.value:
            changes.append(Translatable(N_("replaces {name}"), name=name))
        elif old.expires != new.expires:
            changes.append(Translatable(N_("new expiry for {name}"), name=name))
    if not changes:
        return Arrow("browser", "browser", Translatable(N_("jar unchanged")), "", "note")
    # Translators: a note on the browser's lifeline; {changes} lists what the jar did, e.g. "stores sid".
    return Arrow("browser", "browser", Translatable(N_("jar {changes}"), changes=Translatable.joined(", ", changes)),
                 "", "note")

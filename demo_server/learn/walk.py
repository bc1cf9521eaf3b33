"""A walk of requests as a table (session ids named ``id 1``, ``id 2`` … in order of appearance), or as a timeline.

Ids are random, so a table that printed them would differ on every run; the
labels do not, and they still show which requests shared a session.
"""

from __future__ import annotations

from collections.abc import Sequence

from .client import Exchange, split_cookie_value
from .display import TableView, show_table


class IdLabels:
    """Names each session id by the order it first appeared in: ``id 1``, ``id 2``, …"""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}

    def __call__(self, cookie_value: str) -> str:
        session_id, _ = split_cookie_value(cookie_value)
        return self.labels.setdefault(session_id, f"id {len(self.labels) + 1}")

    def cookie_sent(self, exchange: Exchange) -> str:
        """The session cookie a request carried, as ``sid=id N``, or ``(none)``."""
        value = exchange.sent_session_cookie
        return "(none)" if value is None else f"{exchange.session_cookie_name}={self(value)}"

    def cookie_set(self, exchange: Exchange) -> str:
        """The session cookie a response set, as ``sid=id N``, a deletion, or ``(none)``."""
        cookie = exchange.set_session_cookie
        if cookie is None:
            return "(none)"
        if cookie.deletes_cookie:
            return f"{cookie.name} deleted (Max-Age={cookie.attribute('Max-Age')})"
        return f"{cookie.name}={self(cookie.value)}"


def walk_table(walk: Sequence[Exchange], labels: IdLabels, *, title: str) -> TableView:
    """One row per request: what was sent, what came back, with the ids labelled."""
    rows = [[f"{e.method} {e.path}", labels.cookie_sent(e), e.status, e.body, labels.cookie_set(e)] for e in walk]
    return show_table(["request", "Cookie sent", "status", "body", "Set-Cookie"], rows, title=title,
                      mono_columns=[0, 1, 4])


def timeline_row(when: str, exchange: Exchange) -> str:
    """One request of a timeline as a line: when, what, the cookie sent, the cookie received, the answer."""
    sent = "sends sid" if exchange.sent_session_cookie else "no cookie"
    received = exchange.set_session_cookie
    back = f"Set-Cookie Max-Age={received.attribute('Max-Age')}" if received else "no Set-Cookie"
    return f"  {when}  {exchange.method} {exchange.path:<7} {sent:<10} {back:<22} {exchange.body}"

"""A walk of requests as a table (session ids named ``id 1``, ``id 2`` … in order of appearance), or as a timeline.

Ids are random, so a table that printed them would differ on every run; the
labels do not, and they still show which requests shared a session. The labels
are the same in every language (the notebooks write them as code, ``id 1``);
"(none)" and "deleted" stay English for the notebooks to compare, and the table
shows them translated (:class:`~demo_server.learn.client.Translatable`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..i18n import N_, _
from .client import Exchange, Translatable, split_cookie_value
from .display import TableView, show_table
from .display.text import padded


class IdLabels:
    """Names each session id by the order it first appeared in: ``id 1``, ``id 2``, …"""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}

    def __call__(self, cookie_value: str) -> str:
        session_id, _signature = split_cookie_value(cookie_value)
        return self.labels.setdefault(session_id, f"id {len(self.labels) + 1}")

    def cookie_sent(self, exchange: Exchange) -> str:
        """The session cookie a request carried, as ``sid=id N``, or ``(none)``."""
        value = exchange.sent_session_cookie
        return _none() if value is None else f"{exchange.session_cookie_name}={self(value)}"

    def cookie_set(self, exchange: Exchange) -> str:
        """The session cookie a response set, as ``sid=id N``, a deletion, or ``(none)``."""
        cookie = exchange.set_session_cookie
        if cookie is None:
            return _none()
        if cookie.deletes_cookie:
            # Translators: a walk table's cell: the response deleted the cookie {name}; Max-Age is the attribute.
            return Translatable(N_("{name} deleted (Max-Age={max_age})"), name=cookie.name,
                                max_age=str(cookie.attribute("Max-Age")))
        return f"{cookie.name}={self(cookie.value)}"


def _none() -> Translatable:
    """No session cookie: English in the value, translated in the table."""
    # Translators: a walk table's cell: no session cookie was sent, or none came back.
    return Translatable(N_("(none)"))


def walk_table(walk: Sequence[Exchange], labels: IdLabels, *, title: str) -> TableView:
    """One row per request: what was sent, what came back, with the ids labelled."""
    rows = [[f"{e.method} {e.path}", labels.cookie_sent(e), e.status, e.body, labels.cookie_set(e)] for e in walk]
    # Translators: the column headings of a walk table; "Cookie" and "Set-Cookie" are the headers' names.
    headers = [_("request"), _("Cookie sent"), _("status"), _("body"), "Set-Cookie"]
    return show_table(headers, rows, title=title, mono_columns=[0, 1, 4])


def timeline_row(when: str, exchange: Exchange) -> str:
    """One request of a timeline as a line: when, what, the cookie sent, the cookie received, the answer."""
    # Translators: a timeline's column: whether the request carried the session cookie (sid) or no cookie.
    sent = _("sends sid") if exchange.sent_session_cookie else _("no cookie")
    received = exchange.set_session_cookie
    back = f"Set-Cookie Max-Age={received.attribute('Max-Age')}" if received else _("no Set-Cookie")
    return f"  {when}  {exchange.method} {exchange.path:<7} {padded(sent, 10)} {padded(back, 22)} {exchange.body}"

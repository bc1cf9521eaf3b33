"""Two requests of one session at the same moment: the lost update, made visible.

``GET /count`` adds one to a counter in the session. With ``?pause=S`` the
server waits ``S`` seconds between reading the counter and writing it back,
so two requests sent together overlap: each loads the session when it
starts and saves it when it ends, and the last writer wins. ``&atomic=1``
hands read, add and write to the store as one step, and no update is lost.

Notebook 08 §5 starts a counter with :func:`start_counter` and sends two
requests with :func:`at_once`, to one server or to two that share a store.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..i18n import _
from ..stores import SessionStore
from .client import Exchange, NotebookClient, ServerLike, split_cookie_value

#: Seconds each thread waits at the starting line for the others before giving up.
START_TIMEOUT = 5.0


@dataclass(frozen=True)
class Counter:
    """A session whose counter the server has set to 1, and the store to read the counter from."""

    #: The ``GET /count`` that started the session: its answer is ``1``.
    first: Exchange
    #: The ``Cookie`` header that carries the session, ``sid=<id>.<signature>``, to send by hand.
    cookie: str
    session_id: str
    #: Where the server keeps the session: the count is read here, not from any response.
    store: SessionStore

    def stored_count(self) -> int:
        """The counter as the store holds it now; ``LookupError`` if the session is gone."""
        record = self.store.get(self.session_id)
        if record is None:
            raise LookupError(_("the store holds no session {id}").format(id=self.session_id))
        return int(record.data["count"])


def start_counter(server: ServerLike, store: SessionStore) -> Counter:
    """A new session on ``server`` whose counter is 1; ``store`` is the store that server keeps it in.

    ``RuntimeError`` if the server does not answer ``1`` with a session cookie:
    then there is no fresh counter to race on.
    """
    first = NotebookClient(server.url, name=_("browser")).get("/count")
    issued = first.set_session_cookie
    if first.body != "1" or issued is None:
        # Translators: {body} is the response's body in quotes, {cookie} the Set-Cookie it carried (or None).
        raise RuntimeError(_("GET /count should start a session at 1, got {body} and cookie {cookie}").format(
            body=repr(first.body), cookie=issued))
    session_id, _signature = split_cookie_value(issued.value)
    return Counter(first, f"{issued.name}={issued.value}", session_id, store)


def at_once(cookie: str, *requests: tuple[ServerLike, str]) -> list[Exchange]:
    """Send each ``(server, path)`` from its own thread, all at the same moment, with the same ``Cookie`` header.

    The exchanges come back sorted by answer, because which thread finishes
    first varies from run to run.
    """
    if not requests:
        return []
    starting_line = threading.Barrier(len(requests), timeout=START_TIMEOUT)

    def send(request: tuple[ServerLike, str]) -> Exchange:
        server, path = request
        client = NotebookClient(server.url, name=_("browser"))  # made before the start, so the start is the request
        starting_line.wait()
        return client.get(path, cookie=cookie)

    with ThreadPoolExecutor(len(requests)) as pool:
        return sorted(pool.map(send, requests), key=lambda exchange: exchange.body)

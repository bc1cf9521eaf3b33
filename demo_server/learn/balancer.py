"""A toy round-robin load balancer: one cookie jar, several servers, each request to the next in turn.

Notebook 08 §3.3 and §4 put two servers behind it and count how many visits still
find the session. A real balancer is one address that forwards each request;
this one switches its client's base URL instead. For cookies that is the same
thing, because cookies ignore ports: the one jar sends the same ``sid`` to
every server, as a browser behind a real balancer would.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from ..i18n import _
from ..runner import ServerProcess, start_server_process
from ..seed import GREETING
from ..stores import SessionStore
from .client import Exchange, NotebookClient, ServerLike
from .display.text import padded, text_width


class RoundRobin:
    """Sends each request to the next server in turn, through one cookie jar, and logs who answered.

    ``servers`` maps a short name (``"a"``) to a running server; the turn goes
    through them in that order. ``store`` lets every exchange show the store
    the servers share, as ``NotebookClient(store=...)`` does.
    """

    def __init__(self, servers: Mapping[str, ServerLike], *, store: SessionStore | None = None,
                 client_name: str | None = None) -> None:
        if not servers:
            raise ValueError(_("a balancer needs at least one server"))
        self.servers = dict(servers)
        self.client_name = _("browser") if client_name is None else client_name
        #: How many requests the balancer has handed on: the next one goes to server ``turn % len(servers)``.
        self.turn = 0
        #: The one client, so the one cookie jar, that every request goes through.
        self.client = NotebookClient(next(iter(self.servers.values())).url, name=client_name, store=store)
        #: ``(server name, exchange)`` for every request, in the order they were made.
        self.log: list[tuple[str, Exchange]] = []

    def get(self, path: str, *, via: str | None = None) -> Exchange:
        """``GET path`` on the next server in turn, or on the server named ``via``; the turn moves on either way."""
        name = via if via is not None else list(self.servers)[self.turn % len(self.servers)]
        server = self.servers[name]  # a KeyError names the unknown server
        self.turn += 1
        self.client.base_url = server.url
        # Translators: the client's name on each exchange through the balancer: {server} is the server that answered.
        self.client.name = _("{client}, via {server}").format(client=self.client_name, server=name)
        exchange = self.client.get(path)
        self.log.append((name, exchange))
        return exchange


def walk(balancer: RoundRobin, visits: int = 10) -> list[str]:
    """Log in, then visit ``/`` ``visits`` times; the answers to the visits, in order."""
    balancer.get("/login")
    return [balancer.get("/").body for _visit in range(visits)]


def print_walk(balancer: RoundRobin) -> None:
    """Print the balancer's log as a table (which server, what was sent and set, the answer), then the score."""
    # Translators: the headings of the balancer's log; Set-Cookie is the header's name.
    headings, answer = [_("server"), _("request"), _("cookie sent")], _("answer")
    widths = [max(width, text_width(heading)) for width, heading in zip((6, 7, 11), headings)]

    def columns(*cells: str) -> str:
        return "  ".join(padded(cell, width) for cell, width in zip(cells, widths))

    print(f" #  {columns(*headings)}  Set-Cookie  {answer}")
    for number, (name, exchange) in enumerate(balancer.log, 1):
        sent = "sid" if exchange.sent_session_cookie else "-"
        issued = "sid" if exchange.set_session_cookie else "-"
        print(f"{number:2}  {columns(name, exchange.path, sent)}  {issued:10}  {exchange.body}")
    visits = [exchange.body for _name, exchange in balancer.log if exchange.path == "/"]
    # Translators: the balancer's score: {greeted} of the {visits} visits to / found the session.
    print("\n" + _("greeted in {greeted} of {visits} visits").format(greeted=visits.count(GREETING),
                                                                     visits=len(visits)))


def start_pair(*args: str, names: Sequence[str] = ("a", "b")) -> tuple[ServerProcess, ServerProcess]:
    """Start two ``python -m demo_server ARGS`` processes side by side: each takes a moment to start.

    As with :func:`~demo_server.start_server_process`, a name already in use
    stops the process started under it first, so re-running a cell leaves no orphan.
    """
    if len(names) != 2 or names[0] == names[1]:
        raise ValueError(_("a pair needs two different names, not {names}").format(names=repr(tuple(names))))
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(lambda name: start_server_process(*args, name=name), names)
    return first, second

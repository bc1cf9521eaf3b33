"""The objects a notebook cell ends with, and the ``show_*`` functions that make them.

Every view has two forms carrying the same facts: ``text()`` for text/plain
(from :mod:`.text`) and ``html()`` for text/html (from :mod:`.html`).
Importing this module also makes every :class:`~demo_server.learn.client.Exchange`
show itself this way (:attr:`Exchange.formatters <demo_server.learn.client.Exchange.formatters>`):
the client records exchanges and knows nothing of how they look.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...i18n import _
from ...stores import SessionStore
from ..client import Exchange, JarCookie, NotebookClient, StoreSnapshot, Translatable, snapshot_jar, translated
from .html import exchange_card, jar_card, jar_panel, step_card, store_card, store_panel, table_card
from .sequence import Actor, actors_for, sequence_for
from .text import format_exchange, jar_text, sequence_text, store_text, table_text


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
        return exchange_card(self.exchange)


class JarView(_RichDisplay):
    """A client's cookie jar at one moment, and what the next request would send."""

    def __init__(self, owner: str, cookies: Sequence[JarCookie]) -> None:
        self.owner = owner
        self.cookies = tuple(cookies)

    def text(self) -> str:
        return jar_text(self.owner, self.cookies)

    def html(self) -> str:
        return jar_card(self.owner, self.cookies)


class StoreView(_RichDisplay):
    """A server's session store at one moment: id → data and expiry."""

    def __init__(self, snapshot: StoreSnapshot | None) -> None:
        self.snapshot = snapshot

    def text(self) -> str:
        return store_text(self.snapshot)

    def html(self) -> str:
        return store_card(self.snapshot)


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
        return actors_for(self.exchange)

    def text(self) -> str:
        sections = [format_exchange(self.exchange), sequence_text(self.exchange, self.arrows), self.jar.text()]
        if self.store is not None:
            sections.append(self.store.text())
        return "\n\n".join(sections)

    def html(self) -> str:
        side_panels = jar_panel(self.jar.owner, self.jar.cookies, compact=True)
        if self.store is not None:
            side_panels += store_panel(self.store.snapshot, compact=True)
        return step_card(self.exchange, self.arrows, self.actors, side_panels)


class TableView(_RichDisplay):
    """A small table of plain-text cells: aligned columns as text, a plain table as HTML.

    Title, headers and cells that are :class:`~demo_server.learn.client.Translatable` are shown
    in the language current when the table is made.
    """

    def __init__(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str | None = None,
                 mono_columns: Sequence[int] = ()) -> None:
        self.headers = tuple(_cell(h) for h in headers)
        self.rows = tuple(tuple(_cell(cell) for cell in row) for row in rows)
        if any(len(row) != len(self.headers) for row in self.rows):
            raise ValueError(_("every row needs one cell per header"))
        self.title = None if title is None else translated(title)
        self.mono_columns = frozenset(mono_columns)

    def text(self) -> str:
        return table_text(self.headers, self.rows, self.title)

    def html(self) -> str:
        return table_card(self.headers, self.rows, self.title, self.mono_columns)


def _cell(value: Any) -> str:
    return translated(value) if isinstance(value, Translatable) else str(value)


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
        raise TypeError(_("not a session store: {type}").format(type=type(store).__name__))
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


def show_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str | None = None,
               mono_columns: Sequence[int] = ()) -> TableView:
    """Display rows of plain values as a table; ``mono_columns`` (indexes) are shown as code."""
    return TableView(headers, rows, title=title, mono_columns=mono_columns)


# An exchange at the end of a cell shows itself as an ExchangeView would.
Exchange.formatters["text"] = format_exchange
Exchange.formatters["html"] = exchange_card

"""The options matrix: sixteen servers, one per combination of the options that decide Set-Cookie.

``save_uninitialized``, ``resave`` and ``rolling`` are each on or off, and the
cookie has a max age (60 s) or none: 2 × 2 × 2 × 2 servers. Each runs the
tutorial's three steps (a first visit, a login, a revisit) on a
:class:`~demo_server.stores.CountingStore`, and :class:`Outcome` records
what each step sent back and wrote. Notebook 06 compares the sixteen
outcomes with rules written down as code, ours and express-session's.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields

from ..i18n import N_, _
from ..runner import start_server
from ..stores import CountingStore
from .client import Exchange, NotebookClient
from .display import TableView, show_table

#: One combination: (save_uninitialized, resave, rolling, max_age).
Combination = tuple[bool, bool, bool, "int | None"]
#: Every combination, in the order the tables list them.
COMBINATIONS: list[Combination] = list(itertools.product([False, True], [False, True], [False, True], [None, 60]))
OPTION_HEADERS = ["save_uninitialized", "resave", "rolling", "max_age"]


@dataclass(frozen=True)
class Outcome:
    """What one server did in the three steps."""

    first_cookie: bool  # Set-Cookie on the first visit
    first_store: str  # what the first visit wrote: "create" or "-"
    login_cookie: bool  # Set-Cookie at login
    revisit_cookie: bool  # Set-Cookie on the plain revisit
    revisit_store: str  # what the revisit wrote: "update", "touch" or "-"


#: Column titles, by :class:`Outcome` field: English, translated where a table shows them.
COLUMNS = {"first_cookie": N_("1st visit: cookie"), "first_store": N_("1st visit: store"),
           "login_cookie": N_("login: cookie"), "revisit_cookie": N_("revisit: cookie"),
           "revisit_store": N_("revisit: store")}


def writes_during(store: CountingStore, request: Callable[[], Exchange]) -> tuple[Exchange, str]:
    """Make one request; return its exchange and the store's writes during it (``"-"`` for none)."""
    before = len(store.writes)
    exchange = request()
    return exchange, "+".join(store.writes[before:]) or "-"


def measure(combination: Combination) -> tuple[Outcome, tuple[Exchange, Exchange, Exchange]]:
    """Start a server with these options, walk first visit, login, revisit; stop it."""
    save_uninitialized, resave, rolling, max_age = combination
    store = CountingStore()
    server = start_server(name="matrix", store=store, save_uninitialized=save_uninitialized, resave=resave,
                          rolling=rolling, max_age=max_age)
    try:
        browser = NotebookClient(server)
        first, first_writes = writes_during(store, lambda: browser.get("/"))
        login = browser.get("/login")
        revisit, revisit_writes = writes_during(store, lambda: browser.get("/"))
    finally:
        server.stop()
    outcome = Outcome(first.set_session_cookie is not None, first_writes, login.set_session_cookie is not None,
                      revisit.set_session_cookie is not None, revisit_writes)
    return outcome, (first, login, revisit)


def yes(flag: bool) -> str:
    return _("yes") if flag else "-"


def option_cells(combination: Combination) -> list[object]:
    save_uninitialized, resave, rolling, max_age = combination
    return [yes(save_uninitialized), yes(resave), yes(rolling), "-" if max_age is None else max_age]


def _shown(value: bool | str) -> str:
    return yes(value) if isinstance(value, bool) else value


def outcome_table(outcomes: Mapping[Combination, Outcome], *, title: str) -> TableView:
    """One row per combination: the options, then each :class:`Outcome` column."""
    names = [field.name for field in fields(Outcome)]
    return show_table(OPTION_HEADERS + [_(COLUMNS[name]) for name in names],
                      [option_cells(key) + [_shown(getattr(outcome, name)) for name in names]
                       for key, outcome in outcomes.items()], title=title)


def differences(ours: Mapping[Combination, Outcome], theirs: Callable[..., Outcome]) -> dict[Combination, list[str]]:
    """For each combination, the :class:`Outcome` fields where ``theirs(*combination)`` differs from ours."""
    return {key: [name for name in COLUMNS if getattr(ours[key], name) != getattr(theirs(*key), name)]
            for key in ours}


def difference_table(ours: Mapping[Combination, Outcome], theirs: Callable[..., Outcome], *, label: str,
                     title: str) -> TableView:
    """One row per combination: where ``theirs`` differs from ours, column by column, or "(same)"."""
    differing = differences(ours, theirs)
    # Translators: one difference in a table cell; {label} names the other rules, e.g. "express-session 1.19".
    difference = _("{column}: ours {ours}, {label} {theirs}")
    rows = [option_cells(key) + ["; ".join(
        difference.format(column=_(COLUMNS[name]), ours=_shown(getattr(ours[key], name)), label=label,
                          theirs=_shown(getattr(theirs(*key), name)))
        for name in differing[key]) or _("(same)")] for key in ours]
    return show_table(OPTION_HEADERS + [_("where {label} differs").format(label=label)], rows, title=title)

"""A Flask demo of server-side HTTP sessions, for the tutorial notebooks.

The server keeps each session's ``key:value`` data; the cookie carries only a
signed, globally unique key. The package has two halves. The server, one
module per idea:

* :mod:`demo_server.sessions`: the session object and Flask session interface;
* :mod:`demo_server.decision`: the options, and what happens to a session when its response goes out;
* :mod:`demo_server.signing`: the signed cookie value, and the rules for secrets;
* :mod:`demo_server.stores`: where the data lives (memory, SQLite, Redis), one module each;
* :mod:`demo_server.app` and :mod:`demo_server.pages`: the seed's routes, as text and as HTML pages;
* :mod:`demo_server.runner`: background servers for notebooks and tests;
* :mod:`demo_server.cli`: ``python -m demo_server``.

And :mod:`demo_server.learn`, the learner's tools that watch the server at
work: the notebook client, the displays, the exercises' checks, the install
check (``python -m demo_server.learn.check``).

The names below are imported on first use, not when the package is imported:
the install check must be able to run, and report a missing Flask or an old
Python in one line, on a machine where importing Flask would fail.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app, create_cookie_session_app
    from .runner import RunningServer, ServerProcess, start_server, start_server_process, stop_all_servers
    from .decision import SessionOptions
    from .seed import DEFAULT_USER, GREETING, LOGGED_OUT, LOGIN_DONE, LOGOUT_DONE, greeting
    from .sessions import ServerSession, ServerSideSessionInterface, SessionInterrupted
    from .stores import (
        MemoryStore, RedisStore, SessionRecord, SessionStore, SQLiteStore, UpsertStore, store_from_url,
    )

#: Public name -> the submodule that defines it.
_EXPORTS = {
    "DEFAULT_USER": "seed", "GREETING": "seed", "LOGGED_OUT": "seed", "LOGIN_DONE": "seed", "LOGOUT_DONE": "seed",
    "greeting": "seed",
    "create_app": "app", "create_cookie_session_app": "app",
    "RunningServer": "runner", "ServerProcess": "runner", "start_server": "runner",
    "start_server_process": "runner", "stop_all_servers": "runner",
    "ServerSession": "sessions", "ServerSideSessionInterface": "sessions", "SessionInterrupted": "sessions",
    "SessionOptions": "decision",
    "MemoryStore": "stores", "RedisStore": "stores", "SessionRecord": "stores", "SessionStore": "stores",
    "SQLiteStore": "stores", "UpsertStore": "stores", "store_from_url": "stores",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import a public name from its submodule the first time it is asked for."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])

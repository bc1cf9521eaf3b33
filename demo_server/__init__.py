"""A Flask demo of server-side HTTP sessions, for the tutorial notebooks.

The server keeps each session's ``key:value`` data; the cookie carries only a
signed, globally unique key. One module per idea:

* :mod:`demo_server.sessions`: the session object and Flask session interface;
* :mod:`demo_server.stores`: where the data lives (memory, SQLite, Redis);
* :mod:`demo_server.app`: the seed's routes (``/``, ``/login``, ``/logout``);
* :mod:`demo_server.runner`: background servers for notebooks and tests;
* :mod:`demo_server.cli`: ``python -m demo_server``.
"""

from .app import DEFAULT_USER, create_app, create_cookie_session_app
from .runner import RunningServer, ServerProcess, start_server, start_server_process, stop_all_servers
from .sessions import ServerSession, ServerSideSessionInterface, SessionOptions
from .stores import MemoryStore, RedisStore, SessionRecord, SessionStore, SQLiteStore, store_from_url

__all__ = [
    "DEFAULT_USER", "MemoryStore", "RedisStore", "RunningServer", "SQLiteStore", "ServerProcess",
    "ServerSession", "ServerSideSessionInterface", "SessionOptions", "SessionRecord", "SessionStore",
    "create_app", "create_cookie_session_app", "start_server", "start_server_process",
    "stop_all_servers", "store_from_url",
]

"""Session stores: where the server keeps each session's ``key:value`` data.

The cookie carries only the session id; everything else lives here, keyed by
that id. All stores keep one contract, :class:`SessionStore` (in
:mod:`~demo_server.stores.base`), so the session machinery never needs to
know which one it talks to:

===============  ===================================  ============================
store            lives in                             pick it when
===============  ===================================  ============================
MemoryStore      one process's memory                 a single process, demos
SQLiteStore      one file on disk                     several processes, restarts
RedisStore       a Redis server                       several machines
===============  ===================================  ============================

:class:`~demo_server.stores.counting.CountingStore` notes every write, for
the notebooks that show what a request wrote.
:class:`~demo_server.stores.upsert.UpsertStore` is the counter-example: a
store that writes the way express-session's MemoryStore does, so that a
logout can be undone by a request that was still running.
"""

from __future__ import annotations

from .base import Clock, InvalidRecord, RecordChange, SessionRecord, SessionStore, StoreUnavailable
from .counting import CountingStore
from .memory import MemoryStore
from .redis import RedisStore
from .sqlite import SQLiteStore
from .upsert import UpsertStore


def store_from_url(spec: str) -> SessionStore:
    """Build a store from a CLI-style spec: ``memory``, ``sqlite:PATH`` or ``redis://…``."""
    if spec == "memory":
        return MemoryStore()
    if spec.startswith("sqlite:"):
        path = spec.removeprefix("sqlite:")
        if not path:
            raise ValueError("sqlite store needs a path, as in sqlite:sessions.db")
        return SQLiteStore(path)
    if spec.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(spec)
    raise ValueError(f"unknown store {spec!r}: use memory, sqlite:PATH or redis://HOST:PORT/DB")


__all__ = ["Clock", "CountingStore", "InvalidRecord", "MemoryStore", "RecordChange", "RedisStore", "SQLiteStore",
           "SessionRecord", "SessionStore", "StoreUnavailable", "UpsertStore", "store_from_url"]

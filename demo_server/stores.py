"""Session stores: where the server keeps each session's ``key:value`` data.

The cookie carries only the session id; everything else lives here, keyed by
that id. All stores share one small contract, :class:`SessionStore`, so the
session machinery never needs to know which one it talks to:

===============  ===================================  ============================
store            lives in                             pick it when
===============  ===================================  ============================
MemoryStore      one process's memory                 a single process, demos
SQLiteStore      one file on disk                     several processes, restarts
RedisStore       a Redis server                       several machines
===============  ===================================  ============================

Expiry is the store's job as much as the session's: :meth:`SessionStore.get`
never returns an expired record, whatever the caller does with the cookie.
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

Clock = Callable[[], float]
#: A function from a session's data to its new data, for :meth:`SessionStore.update`.
DataChange = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class SessionRecord:
    """What the server keeps for one session id.

    ``expires_at`` and ``created_at`` are Unix timestamps (seconds).
    ``max_age`` is this session's own cookie lifetime when it differs from
    the app's default ("remember me"), else ``None``.
    """

    data: dict[str, Any] = field(default_factory=dict)
    expires_at: float = 0.0
    created_at: float = 0.0
    max_age: float | None = None

    def is_expired(self, now: float) -> bool:
        return self.expires_at <= now

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> SessionRecord:
        return cls(**json.loads(text))


class SessionStore(ABC):
    """The contract every store keeps.

    Ids passed in are already verified (signature checked); stores never see
    a raw cookie. ``get`` must not return an expired record, and may delete
    it on the way. Session data must be JSON-serialisable: stores never
    pickle, so a store cannot be tricked into running code.
    """

    #: Where "now" comes from. Tests and demos may pass their own clock.
    clock: Clock = staticmethod(time.time)

    @abstractmethod
    def get(self, sid: str) -> SessionRecord | None:
        """The live record for ``sid``, or ``None`` if unknown or expired."""

    @abstractmethod
    def set(self, sid: str, record: SessionRecord) -> None:
        """Create or replace the record for ``sid``."""

    @abstractmethod
    def destroy(self, sid: str) -> None:
        """Forget ``sid``. Unknown ids are not an error."""

    @abstractmethod
    def touch(self, sid: str, expires_at: float) -> None:
        """Move the expiry of ``sid`` without rewriting its data."""

    @abstractmethod
    def update(self, sid: str, change: DataChange) -> SessionRecord | None:
        """Apply ``change`` to the data of ``sid`` atomically; return the new record.

        No other write to ``sid`` can land between the read and the write, in
        any thread or process, so concurrent updates are never lost. Returns
        ``None`` (and changes nothing) if ``sid`` is not live. ``change`` must
        not call the store itself.
        """

    @abstractmethod
    def clear(self) -> None:
        """Forget every session."""

    @abstractmethod
    def all(self) -> dict[str, SessionRecord]:
        """Every live session, by id (for teaching and debugging)."""

    @abstractmethod
    def purge_expired(self) -> int:
        """Delete expired records now; return how many were deleted."""

    def __len__(self) -> int:
        """How many live sessions the store holds."""
        return len(self.all())

    def __bool__(self) -> bool:
        """A store is a thing, not a collection: an empty store is still a store (``if store:``)."""
        return True

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {len(self)} live session(s)>"


class MemoryStore(SessionStore):
    """A dict guarded by a lock, for a single process.

    Unlike express-session's MemoryStore, expired entries are purged (on
    reads of that id and, at most once per ``purge_interval`` seconds, on
    writes), so memory stays bounded by the number of *live* sessions.
    Records go in and come out as JSON copies, like from any other store: a
    request never shares a nested list with the store or with another
    request, and data that SQLite or Redis would refuse is refused here too.
    """

    def __init__(self, *, clock: Clock | None = None, purge_interval: float = 60.0) -> None:
        if clock is not None:
            self.clock = clock
        self.purge_interval = purge_interval
        self._records: dict[str, SessionRecord] = {}
        self._lock = threading.Lock()
        self._last_purge = self.clock()

    def get(self, sid: str) -> SessionRecord | None:
        with self._lock:
            record = self._records.get(sid)
            if record is not None and record.is_expired(self.clock()):
                del self._records[sid]
                return None
        return None if record is None else _copy(record)

    def set(self, sid: str, record: SessionRecord) -> None:
        record = _copy(record)
        with self._lock:
            self._records[sid] = record
            self._purge_if_due()

    def destroy(self, sid: str) -> None:
        with self._lock:
            self._records.pop(sid, None)

    def touch(self, sid: str, expires_at: float) -> None:
        with self._lock:
            record = self._records.get(sid)
            if record is not None:
                self._records[sid] = replace(record, expires_at=expires_at)

    def update(self, sid: str, change: DataChange) -> SessionRecord | None:
        with self._lock:  # the one lock every write takes
            record = self._records.get(sid)
            if record is None or record.is_expired(self.clock()):
                return None
            record = _copy(replace(record, data=change(_copy(record).data)))
            self._records[sid] = record
        return _copy(record)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def all(self) -> dict[str, SessionRecord]:
        now = self.clock()
        with self._lock:
            live = {sid: r for sid, r in self._records.items() if not r.is_expired(now)}
        return {sid: _copy(r) for sid, r in live.items()}

    def purge_expired(self) -> int:
        with self._lock:
            return self._purge()

    def _purge_if_due(self) -> None:
        if self.clock() - self._last_purge >= self.purge_interval:
            self._purge()

    def _purge(self) -> int:
        now = self.clock()
        self._last_purge = now
        dead = [sid for sid, r in self._records.items() if r.is_expired(now)]
        for sid in dead:
            del self._records[sid]
        return len(dead)


def _copy(record: SessionRecord) -> SessionRecord:
    """A deep copy that holds only what JSON can hold."""
    return SessionRecord.from_json(record.to_json())


class SQLiteStore(SessionStore):
    """One SQLite file, shared safely by threads and processes.

    Threads share a small pool of connections; SQLite's file locking (in WAL mode)
    serialises writers across processes, and ``busy_timeout`` makes a writer
    wait instead of failing. The file outlives the server, so sessions
    survive a restart.
    """

    _SCHEMA = """
        CREATE TABLE IF NOT EXISTS sessions (
            id         TEXT PRIMARY KEY,
            record     TEXT NOT NULL,
            expires_at REAL NOT NULL
        )
    """

    def __init__(self, path: str | Path, *, clock: Clock | None = None) -> None:
        if clock is not None:
            self.clock = clock
        self.path = Path(path)
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._write_lock = threading.Lock()
        with self._connection() as db:
            db.execute(self._SCHEMA)
            db.execute("CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at)")
        with self._borrow() as db:
            # Outside any transaction: inside one, SQLite ignores this on a new file
            # and raises on an existing one. WAL mode is then kept in the file itself.
            db.execute("PRAGMA journal_mode=WAL")

    @contextmanager
    def _borrow(self) -> Iterator[sqlite3.Connection]:
        """A connection for this thread's use until the block ends.

        Connections are pooled, not kept per thread: the threaded server starts
        a thread per connection, so a per-thread connection would be opened
        (and its pragmas run) for nearly every request. Outside a transaction
        it is in autocommit mode, so one SELECT is its own snapshot.
        """
        try:
            db = self._idle.get_nowait()
        except queue.Empty:
            db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA busy_timeout = 10000")
            # In WAL mode NORMAL is still crash-safe (a power cut may lose the
            # last commits, never corrupt the file) and skips an fsync per write.
            db.execute("PRAGMA synchronous = NORMAL")
        try:
            yield db
        finally:
            self._idle.put(db)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A connection inside a write transaction."""
        # Threads of this process queue on a lock instead of in SQLite's busy
        # handler, which sleeps between retries; other processes still wait on
        # the file lock that BEGIN IMMEDIATE takes.
        with self._write_lock, self._borrow() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def get(self, sid: str) -> SessionRecord | None:
        # A plain read: in WAL mode readers never wait for writers, nor for each other.
        with self._borrow() as db:
            row = db.execute("SELECT record, expires_at FROM sessions WHERE id = ?", (sid,)).fetchone()
        if row is None:
            return None
        if row[1] <= self.clock():
            with self._connection() as db:  # only if it is still the expired record
                db.execute("DELETE FROM sessions WHERE id = ? AND expires_at <= ?", (sid, self.clock()))
            return None
        return SessionRecord.from_json(row[0])

    def set(self, sid: str, record: SessionRecord) -> None:
        with self._connection() as db:
            db.execute(
                "INSERT OR REPLACE INTO sessions (id, record, expires_at) VALUES (?, ?, ?)",
                (sid, record.to_json(), record.expires_at),
            )

    def destroy(self, sid: str) -> None:
        with self._connection() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (sid,))

    def touch(self, sid: str, expires_at: float) -> None:
        with self._connection() as db:
            row = db.execute("SELECT record FROM sessions WHERE id = ?", (sid,)).fetchone()
            if row is not None:
                record = replace(SessionRecord.from_json(row[0]), expires_at=expires_at)
                db.execute(
                    "UPDATE sessions SET record = ?, expires_at = ? WHERE id = ?",
                    (record.to_json(), expires_at, sid),
                )

    def update(self, sid: str, change: DataChange) -> SessionRecord | None:
        # BEGIN IMMEDIATE (in _connection) takes the file's write lock before the
        # read, so no other thread or process can write in between.
        with self._connection() as db:
            row = db.execute(
                "SELECT record FROM sessions WHERE id = ? AND expires_at > ?", (sid, self.clock())
            ).fetchone()
            if row is None:
                return None
            record = SessionRecord.from_json(row[0])
            record = replace(record, data=change(dict(record.data)))
            db.execute("UPDATE sessions SET record = ? WHERE id = ?", (record.to_json(), sid))
            return record

    def clear(self) -> None:
        with self._connection() as db:
            db.execute("DELETE FROM sessions")

    def all(self) -> dict[str, SessionRecord]:
        with self._borrow() as db:
            rows = db.execute(
                "SELECT id, record FROM sessions WHERE expires_at > ? ORDER BY id", (self.clock(),)
            ).fetchall()
        return {sid: SessionRecord.from_json(text) for sid, text in rows}

    def purge_expired(self) -> int:
        with self._connection() as db:
            return db.execute("DELETE FROM sessions WHERE expires_at <= ?", (self.clock(),)).rowcount


class RedisStore(SessionStore):
    """Records in Redis, expired by Redis itself (``PEXPIREAT``).

    Every server process, on any machine, that points at the same Redis sees
    the same sessions. Redis deletes a key the moment its expiry passes, so
    :meth:`purge_expired` has nothing to do. Redis keeps its own clock, so a
    custom ``clock`` only affects the expiry timestamps written here.
    """

    def __init__(self, url_or_client: Any = "redis://127.0.0.1:6379/0", *, prefix: str = "session:",
                 clock: Clock | None = None) -> None:
        import redis  # imported here so the other stores work without redis-py

        if clock is not None:
            self.clock = clock
        if isinstance(url_or_client, str):
            self.redis = redis.Redis.from_url(url_or_client)
        else:
            self.redis = url_or_client
        self.prefix = prefix

    def _key(self, sid: str) -> str:
        return self.prefix + sid

    def get(self, sid: str) -> SessionRecord | None:
        text = self.redis.get(self._key(sid))
        if text is None:
            return None
        record = SessionRecord.from_json(text)
        # Redis's clock and ours can differ by a few ms: trust the stricter one.
        return None if record.is_expired(self.clock()) else record

    def set(self, sid: str, record: SessionRecord) -> None:
        if record.is_expired(self.clock()):
            self.destroy(sid)
            return
        self.redis.set(self._key(sid), record.to_json(), pxat=int(record.expires_at * 1000))

    def destroy(self, sid: str) -> None:
        self.redis.delete(self._key(sid))

    def touch(self, sid: str, expires_at: float) -> None:
        record = self.get(sid)
        if record is not None:
            self.set(sid, replace(record, expires_at=expires_at))

    def update(self, sid: str, change: DataChange) -> SessionRecord | None:
        """Optimistic locking: WATCH the key, and retry if another client wrote it first."""
        key = self._key(sid)
        result: list[SessionRecord | None] = [None]

        def read_change_write(pipe: Any) -> None:
            text = pipe.get(key)
            record = None if text is None else SessionRecord.from_json(text)
            if record is None or record.is_expired(self.clock()):
                result[0] = None
                return
            record = replace(record, data=change(dict(record.data)))
            pipe.multi()
            pipe.set(key, record.to_json(), pxat=int(record.expires_at * 1000))
            result[0] = record

        self.redis.transaction(read_change_write, key)
        return result[0]

    def clear(self) -> None:
        keys = list(self.redis.scan_iter(match=self.prefix + "*"))
        if keys:
            self.redis.delete(*keys)

    def all(self) -> dict[str, SessionRecord]:
        found: dict[str, SessionRecord] = {}
        for key in sorted(self.redis.scan_iter(match=self.prefix + "*")):
            sid = key.decode()[len(self.prefix):]
            record = self.get(sid)
            if record is not None:
                found[sid] = record
        return found

    def purge_expired(self) -> int:
        return 0


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

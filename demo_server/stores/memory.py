"""MemoryStore: sessions in one process's memory, for a single server and for demos."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .base import Clock, RecordChange, SessionRecord, SessionStore, decode, encode, new_version, to_ms


@dataclass(frozen=True)
class _Entry:
    """One stored session: its text (as any other store would keep it), its expiry and its version."""

    text: str
    expires_at_ms: int
    version: int

    def record(self) -> SessionRecord:
        return decode(self.text, expires_at_ms=self.expires_at_ms, version=self.version)


class SessionLocks:
    """One lock per session id, made on demand and dropped once nobody holds or waits for it.

    A slow change to one session then waits only for other changes to that
    same session, never for the rest of the store.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, list[int]]] = {}

    @contextmanager
    def hold(self, sid: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.setdefault(sid, (threading.Lock(), [0]))
            users[0] += 1
        try:
            with lock:
                yield
        finally:
            with self._guard:
                users[0] -= 1
                if users[0] == 0:
                    del self._locks[sid]

    def __len__(self) -> int:
        """How many ids have a lock right now (zero when nobody is updating)."""
        with self._guard:
            return len(self._locks)


class MemoryStore(SessionStore):
    """A dict guarded by a lock, for a single process.

    The lock is held only to look up or swap an entry, never while caller
    code runs; :meth:`update` queues changes per session instead. Unlike
    express-session's MemoryStore, expired entries are purged (on reads of
    that id and, at most once per ``purge_interval`` seconds, on writes), so
    memory stays bounded by the number of *live* sessions. Records are kept as
    JSON text, as any other store keeps them: a request never shares a nested
    list with the store or with another request, and data that SQLite or Redis
    would refuse is refused here too.
    """

    def __init__(self, *, clock: Clock | None = None, purge_interval: float = 60.0) -> None:
        if clock is not None:
            self.clock = clock
        self.purge_interval = purge_interval
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._session_locks = SessionLocks()
        self._last_purge = self.clock()

    def _live(self, sid: str) -> _Entry | None:
        """The entry of ``sid`` if it is live; an expired one is dropped. Call with the lock held."""
        entry = self._entries.get(sid)
        if entry is not None and entry.expires_at_ms <= to_ms(self.clock()):
            del self._entries[sid]
            return None
        return entry

    def get(self, sid: str) -> SessionRecord | None:
        with self._lock:
            entry = self._live(sid)
        return None if entry is None else entry.record()

    def all(self) -> dict[str, SessionRecord]:
        now_ms = to_ms(self.clock())
        with self._lock:
            live = {sid: e for sid, e in self._entries.items() if e.expires_at_ms > now_ms}
        return {sid: entry.record() for sid, entry in sorted(live.items())}

    def create(self, sid: str, record: SessionRecord) -> bool:
        entry = _Entry(encode(record), to_ms(record.expires_at), new_version())
        with self._lock:
            if self._live(sid) is not None:
                return False
            self._entries[sid] = entry
        self._purge_if_due()
        return True

    def replace(self, sid: str, record: SessionRecord, *, version: int,
                keep_expiry: bool = False) -> SessionRecord | None:
        text = encode(record)
        with self._lock:
            current = self._live(sid)
            if current is None or current.version != version:
                return None
            expires_at_ms = current.expires_at_ms if keep_expiry else to_ms(record.expires_at)
            entry = self._entries[sid] = _Entry(text, expires_at_ms, new_version())
        return entry.record()

    def touch(self, sid: str, expires_at: float) -> bool:
        with self._lock:
            current = self._live(sid)
            if current is None:
                return False
            self._entries[sid] = _Entry(current.text, to_ms(expires_at), current.version)
            return True

    def update(self, sid: str, change: RecordChange, *, known: SessionRecord | None = None) -> SessionRecord | None:
        """As :meth:`SessionStore.update`; changes to one session take turns, so they rarely retry."""
        with self._session_locks.hold(sid):
            return super().update(sid, change, known=known)

    def destroy(self, sid: str) -> None:
        with self._lock:
            self._entries.pop(sid, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def purge_expired(self) -> int:
        now_ms = to_ms(self.clock())
        with self._lock:
            self._last_purge = self.clock()
            dead = [sid for sid, entry in self._entries.items() if entry.expires_at_ms <= now_ms]
            for sid in dead:
                del self._entries[sid]
        return len(dead)

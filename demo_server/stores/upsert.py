"""UpsertStore: how *not* to write a session store, kept for the lesson on logout races.

express-session's ``MemoryStore.set`` is ``this.sessions[id] = JSON.stringify(session)``,
and Flask-Session saves with a plain Redis ``SET``: every save is an upsert. A
request that loaded a session before a logout then writes it back when it
finishes, and the destroyed session is alive again. Notebook 04 and the race
tests run the same requests against this store and against ours.
"""

from __future__ import annotations

from .base import SessionRecord, encode, new_version, to_ms
from .memory import MemoryStore, _Entry


class UpsertStore(MemoryStore):
    """A MemoryStore whose writes never check anything: the last save wins, even over a logout."""

    def create(self, sid: str, record: SessionRecord) -> bool:
        with self._lock:
            self._entries[sid] = _Entry(encode(record), to_ms(record.expires_at), new_version())
        return True

    def replace(self, sid: str, record: SessionRecord, *, version: int,
                keep_expiry: bool = False) -> SessionRecord | None:
        with self._lock:  # no "is it still there?", no "did anyone write since?": just write
            entry = self._entries[sid] = _Entry(encode(record), to_ms(record.expires_at), new_version())
        return entry.record()


"""CountingStore: a MemoryStore that notes every write, so a notebook or a test can see what a request wrote."""

from __future__ import annotations

from typing import Any

from .base import SessionRecord
from .memory import MemoryStore


class CountingStore(MemoryStore):
    """A MemoryStore that appends each write it is asked for to :attr:`writes`.

    The names are the save decision's store actions: ``"create"`` (a new
    session), ``"update"`` (a compare-and-set of the data), ``"touch"`` (the
    expiry only) and ``"delete"``. ``Set-Cookie`` is visible on the wire; a
    store write is not, and this makes it visible.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.writes: list[str] = []

    def create(self, sid: str, record: SessionRecord) -> bool:
        self.writes.append("create")
        return super().create(sid, record)

    def replace(self, sid: str, record: SessionRecord, *, version: int,
                keep_expiry: bool = False) -> SessionRecord | None:
        self.writes.append("update")
        return super().replace(sid, record, version=version, keep_expiry=keep_expiry)

    def touch(self, sid: str, expires_at: float) -> bool:
        self.writes.append("touch")
        return super().touch(sid, expires_at)

    def destroy(self, sid: str) -> None:
        self.writes.append("delete")
        super().destroy(sid)

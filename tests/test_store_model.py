"""The store contract, proved against a model: Hypothesis drives each real store and a dict side by side.

Hypothesis's stateful testing runs random sequences of every operation
(create, replace with a fresh or a stale version, atomic update, touch,
destroy, purge, and the passage of time on a controllable clock) against a
MemoryStore, an SQLiteStore on a real file and a RedisStore on a real Redis,
and against :class:`Model`, a plain dict that says what the contract
promises. After every step the store must hold exactly what the model holds.
On a failure Hypothesis prints the shortest sequence of steps that breaks it.

Under CI the runs are derandomized (conftest.py), so every run tries the same
sequences and a failure reproduces.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from demo_server import SessionRecord, SessionStore
from test_stores import make_store

if TYPE_CHECKING:
    from conftest import FakeClock

#: Few ids, so that operations keep meeting the same sessions.
SIDS = st.sampled_from(["a", "b", "c"])
#: Lifetimes in seconds of the fake clock. At least a minute (or none at all), so that Redis,
#: which also expires keys on its real clock, never beats the fake clock during a run.
LIFETIMES = st.one_of(st.integers(60, 600), st.integers(-5, 0))
DATA = st.dictionaries(st.sampled_from(["userinfo", "count", "cart"]),
                       st.one_of(st.integers(-3, 3), st.text(max_size=3), st.lists(st.booleans(), max_size=2)),
                       max_size=3)


@dataclass(frozen=True)
class Entry:
    """What the model keeps for one id: the record, and the version the store gave its last data write."""

    record: SessionRecord
    version: int


class StoreMachine(RuleBasedStateMachine):
    """One real store and the model, driven through the same steps."""

    make: staticmethod  # set by each test: () -> (store, clock)

    def __init__(self) -> None:
        super().__init__()
        self.store, self.clock = self.make()
        self.model: dict[str, Entry] = {}
        #: Versions and records a "request" read earlier, to replay as stale ones.
        self.seen: list[tuple[str, SessionRecord]] = []

    def teardown(self) -> None:
        self.store.clear()
        self.store.close()

    # -- the model ---------------------------------------------------------------

    def live(self, sid: str) -> Entry | None:
        entry = self.model.get(sid)
        return entry if entry is not None and not entry.record.is_expired(self.clock.now) else None

    def record(self, data: dict, lifetime: int) -> SessionRecord:
        return SessionRecord(data=data, expires_at=self.clock.now + lifetime, created_at=self.clock.now,
                             max_age=None)

    def remember_read(self, sid: str) -> None:
        got = self.store.get(sid)
        if got is not None:
            self.seen.append((sid, got))

    # -- rules -------------------------------------------------------------------

    @rule(sid=SIDS, data=DATA, lifetime=LIFETIMES)
    def create(self, sid: str, data: dict, lifetime: int) -> None:
        rec = self.record(data, lifetime)
        expected = self.live(sid) is None
        assert self.store.create(sid, rec) is expected
        if expected:
            self.model[sid] = Entry(rec, -1)
            stored = self.store.get(sid)
            if stored is not None:
                self.model[sid] = Entry(rec, stored.version)
                self.seen.append((sid, stored))

    @rule(sid=SIDS, data=DATA, lifetime=LIFETIMES, keep_expiry=st.booleans())
    def replace_fresh(self, sid: str, data: dict, lifetime: int, keep_expiry: bool) -> None:
        """A request reads the session and writes it back at once: it must succeed if the session lives."""
        current = self.store.get(sid)
        assert (current is None) == (self.live(sid) is None)
        if current is None:
            return
        rec = replace(self.record(data, lifetime), created_at=current.created_at)
        stored = self.store.replace(sid, rec, version=current.version, keep_expiry=keep_expiry)
        assert stored is not None and stored.version != current.version
        expected = replace(rec, expires_at=current.expires_at) if keep_expiry else rec
        assert stored == expected
        self.model[sid] = Entry(expected, stored.version)

    @precondition(lambda self: self.seen)
    @rule(pick=st.integers(0, 1000), data=DATA)
    def replace_with_an_old_read(self, pick: int, data: dict) -> None:
        """A request that read the session earlier saves now: only if nothing was written since."""
        sid, read = self.seen[pick % len(self.seen)]
        entry = self.live(sid)
        expected = entry is not None and entry.version == read.version
        stored = self.store.replace(sid, replace(read, data=data), version=read.version)
        assert (stored is not None) is expected
        if stored is not None:
            self.model[sid] = Entry(replace(read, data=data, expires_at=read.expires_at), stored.version)

    @rule(sid=SIDS, amount=st.integers(1, 3), from_old_read=st.booleans())
    def update_atomically(self, sid: str, amount: int, from_old_read: bool) -> None:
        known = next((rec for seen_sid, rec in reversed(self.seen) if seen_sid == sid), None) if from_old_read else None

        def add(rec: SessionRecord) -> SessionRecord:
            count = rec.data.get("count")
            return replace(rec, data={**rec.data, "count": (count if isinstance(count, int) else 0) + amount})

        entry = self.live(sid)
        stored = self.store.update(sid, add, known=known)
        if entry is None:
            assert stored is None
            return
        expected = add(entry.record)
        assert stored == expected
        self.model[sid] = Entry(expected, stored.version)

    @rule(sid=SIDS, lifetime=LIFETIMES)
    def touch(self, sid: str, lifetime: int) -> None:
        entry = self.live(sid)
        assert self.store.touch(sid, self.clock.now + lifetime) is (entry is not None)
        if entry is not None:  # the expiry moves, the version does not
            self.model[sid] = Entry(replace(entry.record, expires_at=self.clock.now + lifetime), entry.version)

    @rule(sid=SIDS)
    def destroy(self, sid: str) -> None:
        self.store.destroy(sid)
        self.model.pop(sid, None)

    @rule(sid=SIDS)
    def read(self, sid: str) -> None:
        self.remember_read(sid)

    @rule()
    def purge(self) -> None:
        expired = [sid for sid in self.model if self.live(sid) is None]
        purged = self.store.purge_expired()
        # Redis may already have deleted some itself, and never stores a record born expired.
        assert 0 <= purged <= len(expired)
        for sid in expired:
            del self.model[sid]

    @rule(seconds=st.one_of(st.integers(0, 700), st.floats(0, 2)))
    def time_passes(self, seconds: float) -> None:
        self.clock.advance(seconds)

    # -- after every step --------------------------------------------------------

    @invariant()
    def store_holds_what_the_model_holds(self) -> None:
        expected = {sid: entry.record for sid in sorted(self.model) if (entry := self.live(sid)) is not None}
        assert self.store.all() == expected
        for sid in ("a", "b", "c"):
            assert self.store.get(sid) == expected.get(sid)


@pytest.mark.parametrize("kind", ["memory", "sqlite", "redis", "redis-6.2"])
def test_store_matches_the_model(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    from conftest import FakeClock

    def make() -> tuple[SessionStore, FakeClock]:
        clock = FakeClock()
        return make_store(kind, request, clock, tmp_path), clock

    machine = type(f"StoreMachine_{kind.replace('-', '_').replace('.', '_')}", (StoreMachine,),
                   {"make": staticmethod(make)})
    run_state_machine_as_test(machine, settings=settings(max_examples=40, stateful_step_count=30))


def test_the_model_catches_a_store_that_writes_back_blindly() -> None:
    """The proof can fail: a store that upserts, as express-session's MemoryStore does, is caught."""
    from conftest import FakeClock

    from demo_server import UpsertStore

    def make() -> tuple[SessionStore, FakeClock]:
        clock = FakeClock()
        return UpsertStore(clock=clock), clock

    machine = type("StoreMachine_upsert", (StoreMachine,), {"make": staticmethod(make)})
    # Finding the bug is the proof; shrinking it to the smallest example would add seconds and prove nothing more.
    with pytest.raises(AssertionError):
        run_state_machine_as_test(machine, settings=settings(max_examples=40, stateful_step_count=30,
                                                             report_multiple_bugs=False,
                                                             phases=(Phase.explicit, Phase.generate)))

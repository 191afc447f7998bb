"""An I/O thread that finishes a record starts the next ready one itself (fanout.Group).

A fake Pusher stands in for the calls and the database: each test scripts the order in
which records finish (events, no sleeping) and checks which record a thread may take:
only one whose parents have all finished, never once the group must stop, and not
forever while another group waits for a slot.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from thred_django.engine import fanout
from thred_django.engine.context import Share
from thred_django.exceptions import ThredRateLimitError


@dataclass(eq=False)
class Rec:
    id: int
    rank: int = 1
    tenant_id: str = ""  # no business: no pause is read from the database


class Log:
    def due(self) -> bool:
        return False

    def flush(self) -> None:
        pass


class FakePusher:
    """What Group asks of a Pusher; ``behave[id](pusher)`` runs as the record's push."""

    def __init__(self, state: dict, share: Share | None = None) -> None:
        self.state = state
        self.share = share or Share()
        self.token = uuid.uuid4()
        self.log = Log()
        self.last_error: Exception | None = None

    @property
    def failures(self) -> int:
        return self.share.failures

    def fork(self) -> FakePusher:
        return FakePusher(self.state, self.share)

    def preload(self, records, keep_parents=False) -> None:
        pass

    def taken(self, record_id: int) -> bool:
        return self.share.taken(record_id)

    def push(self, record: Rec) -> bool:
        if not self.share.take(record.id):
            return False
        state = self.state
        with state["lock"]:
            missing = state["parents"].get(record.id, set()) - state["finished"]
            if missing:
                state["violations"].append((record.id, sorted(missing)))
            state["started"].append(record.id)
        state["behave"].get(record.id, lambda pusher: None)(self)
        with state["lock"]:
            state["finished"].add(record.id)
        self.share.finish(record.id, record)  # type: ignore[arg-type]
        return True


class CountingPool(fanout.IOPool):
    def __init__(self, size: int, contended: bool = False) -> None:
        super().__init__(size)
        self.submitted = 0
        self._always_contended = contended

    def submit(self, task: Callable[[], None]) -> None:
        self.submitted += 1
        super().submit(task)

    def contended(self) -> bool:
        return self._always_contended or super().contended()


@pytest.fixture
def group_of(settings, monkeypatch):
    """Build a Group of ``records`` with the dependencies ``parents`` (id -> ids)."""
    pools: list[fanout.IOPool] = []
    released: list[int] = []
    monkeypatch.setattr(
        fanout.claim, "release", lambda record, token, next_attempt_at: released.append(record.id)
    )

    def make(records, parents, window, behave=None, contended=False):
        settings.THRED = {**settings.THRED, "BUSINESS_MAX_IN_FLIGHT": window}
        monkeypatch.setattr(fanout, "START_WINDOW", window)
        monkeypatch.setattr(
            fanout,
            "dependencies",
            lambda pusher, new, claim: {r.id: set(parents.get(r.id, ())) for r in new},
        )
        fanout._windows.clear()
        state = {
            "lock": threading.Lock(),
            "parents": parents,
            "finished": set(),
            "started": [],
            "violations": [],
            "behave": behave or {},
            "released": released,
        }
        pool = CountingPool(window, contended=contended)
        pools.append(pool)
        group = fanout.Group(records, FakePusher(state), pool, deadline=None)  # type: ignore[arg-type]
        return group, pool, state

    yield make
    for pool in pools:
        pool.close()
    fanout._windows.clear()


def test_a_thread_takes_the_next_record_only_once_its_parents_finished(group_of):
    # P and X1 start; C needs P, which finishes only after every X: the thread of X1
    # must push X2..X6 in a row and leave C alone until P is done.
    xs = [Rec(i) for i in range(10, 16)]
    p, c = Rec(1), Rec(2, rank=2)
    all_x_done = threading.Event()
    behave = {
        p.id: lambda pusher: all_x_done.wait(10),
        xs[-1].id: lambda pusher: all_x_done.set(),
    }
    group, pool, state = group_of([p, c, *xs], {c.id: {p.id}}, window=2, behave=behave)

    group.run()

    assert state["violations"] == []
    assert set(state["started"]) == {p.id, c.id, *(x.id for x in xs)}
    assert state["started"].index(c.id) > state["started"].index(xs[-1].id)
    # The claim's thread started two; the I/O threads the other six (C after P).
    assert pool.submitted == 2


def test_chained_records_keep_the_order_of_a_deep_graph(group_of):
    # A lattice of 60 records, each needing up to three earlier ones: whichever thread
    # starts a record, its parents have finished.
    records = [Rec(i, rank=1 + i // 10) for i in range(60)]
    parents = {
        r.id: {q for q in (r.id - 10, r.id - 11, r.id - 3) if q >= 0 and q // 10 < r.id // 10}
        for r in records
    }
    group, pool, state = group_of(records, parents, window=4)

    group.run()

    assert state["violations"] == []
    assert sorted(state["started"]) == list(range(60))
    assert pool.submitted < 60


def test_a_failed_call_stops_the_chain_and_the_paused_business_gives_the_rest_back(
    group_of, monkeypatch
):
    records = [Rec(i) for i in range(1, 6)]

    def rate_limited(pusher: FakePusher) -> None:
        pusher.last_error = ThredRateLimitError("slow down")
        pusher.share.failed_call()

    paused: list[int] = []

    def paused_until(tenant_id):
        paused.append(1)
        return "until later" if group.pusher.failures else None

    monkeypatch.setattr(fanout, "_paused", paused_until)
    group, pool, state = group_of(records, {}, window=1, behave={1: rate_limited})

    group.run()

    assert state["started"] == [1]  # nothing chained after the 429
    assert state["released"] == [2, 3, 4, 5]  # given back untouched
    assert pool.submitted == 1


def test_a_thread_gives_its_slot_back_after_a_few_records_while_others_wait(group_of, monkeypatch):
    monkeypatch.setattr(fanout, "CHAIN_WHILE_CONTENDED", 3)
    records = [Rec(i) for i in range(7)]
    group, pool, state = group_of(records, {}, window=1, contended=True)

    group.run()

    assert state["started"] == list(range(7))
    assert pool.submitted == 3  # 3 + 3 + 1 records per task


def test_a_share_wakes_whoever_waits_for_a_record_when_it_finishes():
    share = Share()
    assert share.wait(1, timeout=0)  # never taken: nothing to wait for
    assert share.take(1) and not share.take(1)  # pushed by one thread only
    assert not share.wait(1, timeout=0)  # taken, not finished
    waiting = threading.Event()
    results: list[bool] = []

    def waiter() -> None:
        waiting.set()
        results.append(share.wait(1, timeout=30))

    thread = threading.Thread(target=waiter)
    thread.start()
    waiting.wait(30)
    record = Rec(1)
    share.finish(1, record)  # type: ignore[arg-type]
    thread.join(30)
    assert results == [True]
    assert share.pushed(1) is record
    assert share.wait(1, timeout=0)  # finished: at once

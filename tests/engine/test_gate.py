"""Concurrency only while it hides a wait (``engine.gate``): the CPU meter, the gate of
the claim threads, a business's window, and a run that shows both."""

from __future__ import annotations

import threading

import pytest

from tests.testapp import models as m
from thred_django.engine import fanout, gate, runner
from thred_django.engine.gate import INTERVAL, CpuMeter, Gate
from thred_django.models import SyncRecord


@pytest.fixture
def no_enqueue(monkeypatch):
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: None)


class Clocks:
    """A wall clock and a process CPU clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0
        self.cpu = 0.0
        self._lock = threading.Lock()

    def wall(self) -> float:
        with self._lock:
            return self.now

    def used(self) -> float:
        with self._lock:
            return self.cpu

    def spend(self, share: float, seconds: float = 2 * INTERVAL) -> None:
        """``seconds`` pass, with ``share`` of one core used meanwhile."""
        with self._lock:
            self.now += seconds
            self.cpu += share * seconds


def meter(clocks: Clocks) -> CpuMeter:
    return CpuMeter(cpu=clocks.used, clock=clocks.wall)


def test_the_meter_reads_the_process_cpu_once_per_interval():
    clocks = Clocks()
    cpu = meter(clocks)
    assert cpu.trend() == 0  # no reading yet
    clocks.spend(0.5, INTERVAL * 0.6)
    assert (cpu.trend(), cpu.readings) == (0, 0)  # too soon for a reading
    clocks.spend(0.5, INTERVAL * 0.6)
    assert cpu.trend() == 1 and cpu.readings == 1  # half a core: CPU to spare
    assert cpu.used == pytest.approx(0.5)
    clocks.spend(1.0)
    assert cpu.trend() == -1  # a whole core: busy
    clocks.spend((gate.SPARE + gate.BUSY) / 2)
    assert cpu.trend() == 0  # in between: as it is
    assert cpu.readings == 3
    assert cpu.trend() == 0 and cpu.readings == 3  # the same reading until the next


def enter_in_thread(door: Gate, over=lambda: False) -> tuple[threading.Thread, list[bool]]:
    result: list[bool] = []
    thread = threading.Thread(target=lambda: result.append(door.enter(over)))
    thread.start()
    return thread, result


def test_the_gate_lets_more_threads_in_only_while_the_process_has_cpu_to_spare():
    clocks = Clocks()
    door = Gate(4, meter(clocks))
    assert door.enter(lambda: False)
    assert (door.limit, door.active) == (1, 1)

    clocks.spend(1.0)  # the one thread keeps a core busy: a second would only take turns
    second, admitted = enter_in_thread(door)
    second.join(timeout=3 * INTERVAL)
    assert second.is_alive() and not admitted and door.limit == 1

    clocks.spend(0.1)  # it waits on Thred now: CPU to spare, a thread waiting
    second.join(timeout=30)
    assert admitted == [True]
    assert (door.limit, door.active) == (2, 2)

    clocks.spend(0.1)
    door.leave()  # a reading with nobody waiting: no more places than wanted
    assert door.limit == 2

    clocks.spend(1.0)  # busy again: one fewer (never below one)
    door.leave()
    assert (door.limit, door.active) == (1, 0)
    clocks.spend(1.0)
    assert door.enter(lambda: False)
    door.leave()
    assert door.limit == 1


def test_the_gate_never_opens_past_its_size_and_a_waiter_leaves_when_the_run_is_over():
    clocks = Clocks()
    door = Gate(2, meter(clocks))
    assert door.enter(lambda: False)
    clocks.spend(0.0)
    second, admitted = enter_in_thread(door)
    second.join(timeout=30)
    assert admitted == [True] and door.limit == 2

    over = threading.Event()
    clocks.spend(0.0)  # CPU to spare, but the gate is as wide as the run has threads
    third, result = enter_in_thread(door, over.is_set)
    third.join(timeout=3 * INTERVAL)
    assert third.is_alive() and door.limit == 2
    over.set()
    third.join(timeout=30)
    assert result == [False] and door.active == 2


def test_a_window_shrinks_while_the_process_is_busy_and_holds_in_between():
    window = fanout.Window(ceiling=16, start=4)
    for _ in range(4):
        window.succeeded(trend=0)
    assert window.size == 4
    for _ in range(4):
        window.succeeded(trend=-1)
    assert 2.8 < window.size < 3.0  # about one fewer after a window of busy successes
    for _ in range(50):
        window.succeeded(trend=-1)
    assert window.limit == 1 and window.size == 1.0  # never below one
    window.succeeded(trend=1)
    assert window.limit == 2  # CPU to spare again: it grows again


class Spy:
    """How many claims were being pushed at once, at most."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0
        self.lock = threading.Lock()
        self.overlapped = threading.Event()

    def around(self, real):
        def push_claim(run, batch):
            with self.lock:
                self.now += 1
                self.most = max(self.most, self.now)
                if self.most > 1:
                    self.overlapped.set()
            try:
                return real(run, batch)
            finally:
                with self.lock:
                    self.now -= 1

        return push_claim


def businesses(n: int) -> list[m.Shop]:
    shops = [m.Shop.objects.create(name=f"Shop {i}") for i in range(n)]
    for shop in shops:
        for i in range(3):
            m.Client.objects.create(shop=shop, name=f"{shop.name} client {i}")
    return shops


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("busy", [True, False])
def test_a_run_pushes_businesses_at_once_only_while_the_cpu_has_room(
    thred, settings, no_enqueue, monkeypatch, busy
):
    """With the process's CPU busy the run's threads push one business at a time; while
    their calls wait on Thred, they push several at once. Every record is synced either
    way."""
    settings.THRED = {**settings.THRED, "CONCURRENCY": 4, "BATCH_SIZE": 2}
    businesses(4)
    clocks = Clocks()

    class Meter(CpuMeter):
        def __init__(self) -> None:
            super().__init__(cpu=clocks.used, clock=clocks.wall)

    monkeypatch.setattr(runner, "CpuMeter", Meter)
    spy = Spy()
    monkeypatch.setattr(runner, "_push_claim", spy.around(runner._push_claim))
    overlapped = spy.overlapped
    first = threading.Lock()
    real = thred.handle_request

    def handle_request(request):
        # Every call: an interval passes, with the process busy, or waiting on Thred
        # (the first of those waits until another business is pushed meanwhile).
        clocks.spend(1.0 if busy else 0.05)
        if not busy and first.acquire(blocking=False):
            overlapped.wait(timeout=30)
        return real(request)

    monkeypatch.setattr(thred, "handle_request", handle_request)
    runner.push_due()

    assert SyncRecord.objects.exclude(state="synced").count() == 0
    assert SyncRecord.objects.count() == 4 + 12
    if busy:
        assert spy.most == 1
    else:
        assert spy.most > 1


def fixed_meter(trend: int) -> type[CpuMeter]:
    class Fixed(CpuMeter):
        def trend(self) -> int:
            return trend

    return Fixed


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("busy", [True, False])
def test_a_business_down_to_one_call_at_a_time_goes_out_on_the_claims_thread(
    thred, settings, no_enqueue, monkeypatch, busy
):
    """Its window down to one (the process busy, or Thred congested), a claim is pushed
    one record at a time on the claim's own thread, without a hand-off per record; once
    an answer comes with CPU to spare the window opens and the rest go out on the I/O
    threads. In order either way: every customer after its business."""
    settings.THRED = {**settings.THRED, "CONCURRENCY": 1, "BUSINESS_MAX_IN_FLIGHT": 16}
    shop = m.Shop.objects.create(name="Shop")
    for i in range(8):
        m.Client.objects.create(shop=shop, name=f"Client {i}")
    monkeypatch.setitem(fanout._windows, str(shop.pk), fanout.Window(16, start=1))
    monkeypatch.setattr(runner, "CpuMeter", fixed_meter(-1 if busy else 1))
    threads: list[str] = []
    real = thred.handle_request

    def handle_request(request):
        if "oauth2" not in request.url.path:
            threads.append(threading.current_thread().name)
        return real(request)

    monkeypatch.setattr(thred, "handle_request", handle_request)
    runner.push_due()

    assert SyncRecord.objects.exclude(state="synced").count() == 0
    here = threading.current_thread().name
    window = fanout._windows[str(shop.pk)]
    if busy:
        assert threads == [here] * 9  # the business and its 8 customers, all here
        assert window.limit == 1
    else:
        assert threads[0] == here  # the business, one at a time: then the window opened
        assert set(threads[1:]) and not {here} & set(threads[1:])
        assert all(name.startswith("thred-io-") for name in threads[1:])
        assert window.limit > 1
    sent = [r.url.path for r in thred.calls("POST")]
    assert len(sent) == 9 and all(path.endswith("/customers/") for path in sent[1:])
    assert not sent[0].endswith("/customers/")  # the business first


def test_a_group_down_to_one_call_at_a_time_claims_no_more_of_its_business():
    claimed: list[int] = []

    class Shell(fanout.Group):
        def __init__(self) -> None:  # only what _top_up reads
            self.window = fanout.Window(16, start=1)
            self.more = self.claim
            self.order = []

        def claim(self, n: int) -> list[SyncRecord]:
            claimed.append(n)
            return []

    group = Shell()
    group._top_up()
    assert claimed == [] and group.more is None  # the next claim goes out one at a time
    group = Shell()
    group.window = fanout.Window(16, start=2)
    group._top_up()
    assert len(claimed) == 1  # a window of two: it claims more


def test_a_business_first_seen_while_the_process_is_busy_starts_at_one_call(settings, monkeypatch):
    settings.THRED = {**settings.THRED, "BUSINESS_MAX_IN_FLIGHT": 16}
    monkeypatch.setattr(fanout, "_windows", {})
    assert fanout.window_for("busy-shop", busy=True).limit == 1
    assert fanout.window_for("idle-shop").limit == fanout.START_WINDOW
    assert fanout.window_for("busy-shop").limit == 1  # kept: not started again


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("until_idle", [False, True])
def test_once_a_claim_finds_nothing_left_the_threads_without_a_business_leave(
    thred, settings, no_enqueue, monkeypatch, until_idle
):
    """A run's threads that hold no business leave once a claim found nothing left to
    do (nothing due; with until_idle, nothing pending or in flight at all), instead of
    each passing the gate in turn, on a connection of its own, to claim nothing again."""
    settings.THRED = {**settings.THRED, "CONCURRENCY": 8}
    businesses(2)
    monkeypatch.setattr(runner, "CpuMeter", fixed_meter(-1))  # the gate stays at one
    claims: list[tuple[str, str | None, int]] = []
    real = runner.claim.claim_business

    def claim_business(limit, **kwargs):
        batch = real(limit, **kwargs)
        name = threading.current_thread().name
        claims.append((name, kwargs.get("tenant_id"), len(batch.records)))
        return batch

    monkeypatch.setattr(runner.claim, "claim_business", claim_business)
    runner.push_due(until_idle=until_idle)

    assert SyncRecord.objects.exclude(state="synced").count() == 0
    empty = [(name, tenant) for name, tenant, n in claims if n == 0 and tenant is None]
    assert len(empty) == 1, claims  # one claim found nothing: no other thread tried


def test_a_busy_reading_ends_the_slow_start():
    window = fanout.Window(ceiling=16, start=2)
    window.succeeded(trend=1)
    assert window.size == 3.0  # slow start: one more per success
    window.succeeded(trend=-1)
    assert window.size == 3.0 - 1 / 3  # busy: one fewer per window, and no slow start
    for _ in range(3):
        window.succeeded(trend=1)
    assert 3.6 < window.size < 3.8  # one more per window from now on


def test_calls_answered_within_a_millisecond_make_a_busy_reading():
    """However idle the process, calls that come back at once hide no wait."""
    clocks = Clocks()
    cpu = meter(clocks)
    for ms in (0, 0, 1, 0):  # 0.25 ms on average
        cpu.called(ms)
    clocks.spend(0.2)
    assert (cpu.trend(), cpu.fast) == (-1, True)  # CPU to spare, yet busy
    for ms in (0, 0, 100):  # one call that waited is enough
        cpu.called(ms)
    clocks.spend(0.2)
    assert (cpu.trend(), cpu.fast) == (1, False)
    clocks.spend(0.2)  # no call at all meanwhile: the CPU alone says
    assert (cpu.trend(), cpu.fast) == (1, False)
    cpu.called(0)
    clocks.spend(0.2)
    assert cpu.trend() == -1


@pytest.mark.django_db(transaction=True)
def test_a_business_whose_calls_wait_on_nothing_goes_out_on_the_claims_thread(
    thred, settings, no_enqueue, monkeypatch
):
    """Calls answered at once (a stand-in in the process, a stub) hide no wait: however
    idle the process, the business's window closes to one and its next claim goes out
    one record at a time on the claim's thread, without a hand-off per record."""
    settings.THRED = {**settings.THRED, "CONCURRENCY": 1, "BUSINESS_MAX_IN_FLIGHT": 16}
    shop = m.Shop.objects.create(name="Shop")
    for i in range(8):
        m.Client.objects.create(shop=shop, name=f"Client {i}")
    window = fanout.Window(16, start=4)
    monkeypatch.setitem(fanout._windows, str(shop.pk), window)
    clocks = Clocks()

    class Meter(CpuMeter):
        def __init__(self) -> None:
            super().__init__(cpu=clocks.used, clock=clocks.wall)

    monkeypatch.setattr(runner, "CpuMeter", Meter)
    monkeypatch.setattr(gate, "FAST_CALL_MS", 60_000)  # every call here counts as fast
    threads: list[str] = []
    real = thred.handle_request

    def handle_request(request):
        clocks.spend(0.05)  # a reading per call, with CPU to spare
        if "oauth2" not in request.url.path:
            threads.append(threading.current_thread().name)
        return real(request)

    monkeypatch.setattr(thred, "handle_request", handle_request)
    runner.push_due()
    assert window.limit == 1  # nine answers, each one fewer per window, from four
    assert any(name.startswith("thred-io-") for name in threads)  # the window was open

    threads.clear()
    for i in range(5):
        m.Client.objects.create(shop=shop, name=f"Later client {i}")
    runner.push_due()

    assert SyncRecord.objects.exclude(state="synced").count() == 0
    assert threads == [threading.current_thread().name] * 5
    assert window.limit == 1

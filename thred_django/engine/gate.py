"""Concurrency only while it hides a wait: the run's CPU meter, and the gate of its
claim threads (``runner.drain``).

Python runs one thread at a time. A thread whose call waits on Thred (or on a remote
database) leaves the interpreter to the others, so with a real API's latency many
businesses, and many calls of each, go out at once. When the calls come back at once (a
fast server, a local stand-in) the threads only take turns on the interpreter lock at
every database round trip: the same records for ~20 % more CPU each, and fewer per
second (benchmarks/README.md §7).

``CpuMeter`` reads the process's CPU time against the clock, at most once per
``INTERVAL``: below ``SPARE`` of one core the process waits on something and more
concurrency may help; above ``BUSY`` it does not (the interpreter's most is one core).
Nor does it when the calls answered since the last reading took under ``FAST_CALL_MS``
on average: they waited on nothing another thread could use (a stub, a stand-in in the
process), and what the process waits on is its own database round trips, which more
threads only interleave (such a reading counts as busy).
``Gate`` lets that many of the run's claim threads start a claim: one at first, twice as
many after a reading with CPU to spare while threads wait to start one (up to
THRED["CONCURRENCY"]), one fewer after a busy one. A business's window of calls in
flight (``fanout.Window``) grows only with CPU to spare, and shrinks while busy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# Seconds between two readings of the process's CPU time.
INTERVAL = 0.2
# Share of one core in use below which more concurrency may help, and above which less
# does as much.
SPARE = 0.7
BUSY = 0.85
# Milliseconds: calls answered faster than this on average hide no wait.
FAST_CALL_MS = 1


class CpuMeter:
    """The process's CPU use as a share of one core, read at most once per INTERVAL."""

    def __init__(
        self,
        *,
        cpu: Callable[[], float] = time.process_time,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cpu = cpu
        self._clock = clock
        self._lock = threading.Lock()
        self._mark = (clock(), cpu())
        self.used: float | None = None  # the last reading (None: none yet)
        self.readings = 0
        self.fast = False  # the last reading's calls waited on nothing (``FAST_CALL_MS``)
        self._calls = 0  # calls answered since the last reading
        self._call_ms = 0  # and the milliseconds they took

    def called(self, ms: int) -> None:
        """A call came back after ``ms`` milliseconds."""
        with self._lock:
            self._calls += 1
            self._call_ms += ms

    def trend(self) -> int:
        """1: CPU to spare (more concurrency may help), -1: busy or the calls fast (less
        does as much), 0: in between, or no reading yet."""
        if self._clock() - self._mark[0] >= INTERVAL:
            self._read()
        used = self.used
        if used is None:
            return 0
        if self.fast:
            return -1
        return 1 if used < SPARE else -1 if used > BUSY else 0

    def _read(self) -> None:
        with self._lock:
            now, cpu = self._clock(), self._cpu()
            elapsed = now - self._mark[0]
            if elapsed >= INTERVAL:  # not read by another thread meanwhile
                self.used = (cpu - self._mark[1]) / elapsed
                self.fast = self._calls > 0 and self._call_ms < self._calls * FAST_CALL_MS
                self._calls = self._call_ms = 0
                self._mark = (now, cpu)
                self.readings += 1


class Gate:
    """At most ``limit`` of ``size`` threads between ``enter`` and ``leave``; the limit
    follows the ``meter`` (see the module doc). A thread waits here only between
    claims, holding no lease, no transaction and nothing another thread waits for."""

    def __init__(self, size: int, meter: CpuMeter) -> None:
        self.size = max(1, size)
        self.meter = meter
        self.limit = 1
        self.active = 0
        self._waiting = 0
        self._seen = meter.readings
        self._cond = threading.Condition()

    def enter(self, over: Callable[[], bool]) -> bool:
        """Wait for a place; False (and no place) once ``over()`` says the run is over."""
        with self._cond:
            self._waiting += 1  # asking for a place: a reason to open the gate wider
            try:
                while True:
                    self._adapt()
                    if self.active < self.limit:
                        break
                    if over():
                        return False
                    self._cond.wait(INTERVAL)
            finally:
                self._waiting -= 1
            self.active += 1
            return True

    def leave(self) -> None:
        with self._cond:
            self.active -= 1
            self._adapt()
            self._cond.notify()

    def _adapt(self) -> None:
        """Under the lock: once per reading of the meter, the limit it calls for."""
        trend = self.meter.trend()
        if self.meter.readings == self._seen:
            return
        self._seen = self.meter.readings
        if trend > 0 and self._waiting and self.limit < self.size:
            self.limit = min(self.size, self.limit * 2)
            self._cond.notify(max(0, self.limit - self.active))
        elif trend < 0 and self.limit > 1:
            self.limit -= 1

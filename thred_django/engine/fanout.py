"""Pushing one claim's records concurrently, in dependency order.

A claim holds records of one business (``claim.claim_business``), parents first. Here
they go out on a shared pool of I/O threads, several at a time, with their order kept:

* a record starts once every record of the claim it depends on has finished: the parents
  its host object points at (``parents.parent_keys``), those its payload read last time
  (``SyncDependency``) and the business record — each when it ranks before it;
* a delete, void, cancel or archive (ranked children first) starts once every record
  ranked before it in the claim has finished (a barrier: children first, always);
* a parent found only while the payload is built is pushed inline (pulled forward) or,
  when another thread of the claim is pushing it right now, waited for
  (``push.Pusher.resolve_record``); each record is pushed once, by one thread
  (``push.Share``), so two revisions of one record never overlap.

How many go out at once is the business's ``Window`` (additive increase, multiplicative
decrease: one more per window of successes, after a slow start of one more per success;
half on a 429, a 5xx or a timeout; up to THRED["BUSINESS_MAX_IN_FLIGHT"]), within the
process-wide THRED["MAX_IN_FLIGHT"] (``IOPool``). A 429 pauses the business until its
Retry-After (``outcome.api_error``): the claim's records not started yet are given back
untouched, no attempt used.

The claim's thread (``Group.run``) starts records on free I/O threads; an I/O thread
that finishes a record marks its dependents ready and, while the window and the pool
allow it, starts the next ready record itself (never one whose parents are not all
finished), so the claim's thread wakes only when there is something for it to do: more
threads to start, a top-up, a batch of outcomes to write, a failed call to check for a
pause, the end.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

from thred_django.conf import thred_settings
from thred_django.engine import claim, health
from thred_django.engine.gate import CpuMeter
from thred_django.engine.graph import DELETE_RANKS, dependencies
from thred_django.engine.iopool import IOPool
from thred_django.engine.push import PARENT_WAIT_SECONDS, Pusher
from thred_django.exceptions import (
    ThredError,
    ThredRateLimitError,
    ThredServerError,
    ThredTimeoutError,
)
from thred_django.models import SyncRecord

__all__ = ["DELETE_RANKS", "Group", "IOPool", "Window", "dependencies", "window_for"]

logger = logging.getLogger("thred_django.engine")

# How often a business's pause (429, breaker, set by any worker) is read while pushing
# it; a failed call of its own triggers a read at once.
PAUSE_CHECK_SECONDS = 1.0
# A window starts here (never above the ceiling).
START_WINDOW = 4
# A group claims more of its business once fewer than 2 x its window + this many of its
# records are left to start, up to this many records in all.
TOP_UP_MARGIN = 8
MAX_GROUP = 2_000
# An I/O thread pushes up to this many ready records of its group in a row before it
# gives its slot back while another group waits for one (no limit when none waits).
CHAIN_WHILE_CONTENDED = 16


class Window:
    """A business's concurrency, found by AIMD (Thred documents no rate limit), with a
    slow start: until its first cut or busy reading it grows by one per success (it
    doubles per window of them, as TCP's does), so a business reaches its ceiling within
    a few round trips rather than after a hundred successes."""

    def __init__(self, ceiling: int, start: int | None = None) -> None:
        self.ceiling = max(1, ceiling)
        self.size = float(min(START_WINDOW if start is None else start, self.ceiling))
        self._lock = threading.Lock()
        self._since_cut = 1 << 30  # calls answered since the last cut (none yet)
        self._slow_start = True

    @property
    def limit(self) -> int:
        return max(1, int(self.size))

    def succeeded(self, trend: int = 1) -> None:
        """One more per window of successes while the process has CPU to spare (``trend``
        1, from ``gate.CpuMeter``; one more per success in the slow start), one fewer
        while it is busy (-1: the calls wait on the interpreter, not on Thred; it ends
        the slow start), the same in between."""
        with self._lock:
            self._since_cut += 1
            if trend < 0:
                self._slow_start = False
            step = trend if self._slow_start else trend / self.size
            self.size = min(float(self.ceiling), max(1.0, self.size + step))

    def answered(self, error: ThredError | None, meter: CpuMeter | None) -> None:
        """A call of this business came back: ``error`` is its failure (None: it
        succeeded), ``meter`` the run's (None: as if the process had CPU to spare)."""
        if congestion(error):
            self.congested()
        elif error is None:
            self.succeeded(meter.trend() if meter is not None else 1)

    def congested(self) -> None:
        """A 429, a 5xx or a timeout: halve, at most once per window of answers (the
        calls in flight with this one answer the same and are not counted twice)."""
        with self._lock:
            self._slow_start = False
            if self._since_cut >= self.limit:
                self.size = max(1.0, self.size / 2)
                self._since_cut = 0
            else:
                self._since_cut += 1


_windows: dict[str, Window] = {}
_windows_lock = threading.Lock()
MAX_WINDOWS = 10_000


def window_for(tenant_id: str, busy: bool = False) -> Window:
    """The process's window of ``tenant_id`` (kept across claims and runs); a new one
    starts at one call at a time when the process is ``busy`` (``gate.CpuMeter``)."""
    ceiling = int(thred_settings.BUSINESS_MAX_IN_FLIGHT)
    with _windows_lock:
        window = _windows.get(tenant_id)
        if window is None or window.ceiling != ceiling:
            if len(_windows) >= MAX_WINDOWS:
                _windows.clear()
            window = _windows[tenant_id] = Window(ceiling, start=1 if busy else None)
        return window


def congestion(exc: ThredError | None) -> bool:
    return isinstance(exc, ThredRateLimitError | ThredServerError | ThredTimeoutError)


class Group:
    """One claim's records, pushed concurrently in dependency order (see module doc).

    ``more(n)`` claims up to n more due records of the business under the same lease
    token: called while the group runs low, so the calls of a business do not drain to
    none between claims (at most ``MAX_GROUP`` records per group, for flat memory).
    ``meter`` (the run's) says whether the window may grow (``Window.succeeded``).

    The scheduling state (``_ready``, ``_left``, ``_waiting``, ``_running``) changes
    under ``_cond`` only, by the claim's thread and by the I/O threads (``_finish``).
    """

    def __init__(
        self,
        records: list[SyncRecord],
        pusher: Pusher,
        pool: IOPool,
        deadline: float | None,
        more: Callable[[int], list[SyncRecord]] | None = None,
        meter: CpuMeter | None = None,
    ) -> None:
        self.records: dict[int, SyncRecord] = {}  # not finished yet
        self.order: list[int] = []  # every record's id, in claim order
        self.pusher = pusher
        self.pool = pool
        self.deadline = deadline
        self.more = more
        self.meter = meter
        self.tenant_id = records[0].tenant_id
        self.window = window_for(self.tenant_id)
        self._cond = threading.Condition()
        self._running = 0
        self._error: BaseException | None = None
        self._done: set[int] = set()  # finished
        self._waiting: dict[int, int] = {}  # unfinished parents, of every record
        self._dependents: dict[int, list[int]] = {}
        self._ready: deque[int] = deque()  # not started, every parent finished
        self._left: set[int] = set()  # not started yet
        self._stopped = False  # paused, past the deadline or failed: start nothing more
        self._wake = False  # an I/O thread has something for the claim's thread
        self._failures = pusher.failures  # as of the last pause check
        self._initial = records

    def _add(self, records: list[SyncRecord]) -> None:
        """Schedule ``records`` (their objects preloaded, their dependencies found
        among the records not finished yet: a finished one holds nothing back)."""
        with self._cond:
            for record in records:
                self.records[record.id] = record
                self.order.append(record.id)
                self._waiting[record.id] = 0
            claimed = list(self.records.values())
        self.pusher.preload(records, keep_parents=True)
        deps = dependencies(self.pusher, records, claimed)
        with self._cond:
            for record in records:
                self._left.add(record.id)
                parents = {p for p in deps[record.id] if p not in self._done}
                self._waiting[record.id] = len(parents)
                for parent in parents:
                    self._dependents.setdefault(parent, []).append(record.id)
                if not parents:
                    self._ready.append(record.id)

    def _top_up(self) -> None:
        """Claim more of this business while the group runs low."""
        if self.more is None:
            return
        if self.window.limit <= 1:  # one at a time now: the next claim goes out on the
            self.more = None  # claim's thread (``runner._push_claim``), no group needed
            return
        room = MAX_GROUP - len(self.order)
        extra = self.more(min(room, int(thred_settings.BATCH_SIZE))) if room > 0 else []
        seen = [r for r in extra if r.id in self._waiting]  # claimed before
        if seen or not extra or room <= 0:
            self.more = None  # nothing more, or records we pushed were marked again
        for record in seen:  # pushed again by the next claim, with a new lease
            claim.release(record, self.pusher.token, next_attempt_at=timezone.now())
        fresh = [r for r in extra if r.id not in self._waiting]
        if fresh:
            self._add(fresh)

    def _low(self) -> bool:
        return self.more is not None and len(self._left) < 2 * self.window.limit + TOP_UP_MARGIN

    def run(self) -> None:
        started = time.monotonic()
        pusher = self.pusher
        self._add(self._initial)
        stop_at: datetime | None = None
        checked_at: float | None = None
        try:
            while True:
                now = time.monotonic()
                if (
                    checked_at is None
                    or now - checked_at >= PAUSE_CHECK_SECONDS
                    or pusher.failures != self._failures
                ):
                    failures = pusher.failures
                    stop_at, checked_at = _paused(self.tenant_id), now
                    self._failures = failures
                over = self.deadline is not None and now >= self.deadline
                if self._left and (stop_at is not None or over or self._error is not None):
                    with self._cond:  # from here on no thread starts a record
                        self._stopped = True
                        left = set(self._left)
                        self._left.clear()
                        self._ready.clear()
                    if self._error is None:  # the database failing: leases lapse
                        self._give_back(left, stop_at)
                    self.more = None
                if pusher.log.due():
                    pusher.log.flush()
                if self._low():
                    self._top_up()
                with self._cond:
                    if not self._left and not self._running:
                        break
                    if not self._ready and not self._running:
                        self._ready.append(next(i for i in self.order if i in self._left))
                    if not (self._ready and self._running < self.window.limit):
                        if not self._wake:
                            self._cond.wait(PAUSE_CHECK_SECONDS)
                        self._wake = False
                        continue
                if not self.pool.slot(timeout=PAUSE_CHECK_SECONDS):
                    continue  # the process is at MAX_IN_FLIGHT
                record_id = self._start()
                if record_id is None:  # an I/O thread took it meanwhile
                    self.pool.slots.release()
                    continue
                self.pool.submit(self._task(record_id))
        finally:
            with self._cond:
                self._stopped = True
                while self._running:
                    self._cond.wait()
            pusher.log.flush()
            logger.debug(
                "Pushed %s records of business %s in %.2f s (window %s)",
                len(self.order),
                self.tenant_id,
                time.monotonic() - started,
                self.window.limit,
            )
        if self._error is not None:
            raise self._error

    def _start(self) -> int | None:
        """The next ready record, now running (None: none, or the window is full)."""
        with self._cond:
            if self._stopped or not self._ready or self._running >= self.window.limit:
                return None
            record_id = self._ready.popleft()
            self._left.discard(record_id)
            self._running += 1
            return record_id

    def _finish(self, record_id: int, mine: Pusher, chained: int) -> int | None:
        """``record_id`` is finished (on an I/O thread): its dependents whose parents
        are all finished become ready, and the next ready record is returned for this
        thread to push (None: it gives its slot back), while the window, the pool and
        the group allow it. The claim's thread is woken only when it has work."""
        with self._cond:
            self._running -= 1
            self._done.add(record_id)
            self.records.pop(record_id, None)
            ready, left = self._ready, self._left
            for child in self._dependents.pop(record_id, ()):
                self._waiting[child] -= 1
                if not self._waiting[child] and child in left:
                    ready.append(child)
            limit = self.window.limit
            trouble = (
                self._error is not None
                or mine.last_error is not None
                or self.pusher.failures != self._failures
                or (self.deadline is not None and time.monotonic() >= self.deadline)
            )
            following: int | None = None
            if (
                ready
                and not trouble
                and not self._stopped
                and self._running < limit
                and (chained < CHAIN_WHILE_CONTENDED or not self.pool.contended())
            ):
                following = ready.popleft()
                left.discard(following)
                self._running += 1
            if (
                trouble
                or not self._running
                or (ready and self._running < limit)
                or self._low()
                or self.pusher.log.due()
            ):
                self._wake = True
                self._cond.notify_all()
            return following

    def _task(self, record_id: int) -> Callable[[], None]:
        def task() -> None:
            mine = self.pusher.fork()
            chained = 0
            following: int | None = record_id
            while following is not None:
                record = self.records[following]  # not finished: still there
                mine.last_error = None
                try:
                    if not mine.push(record):  # pulled forward by another thread: wait
                        mine.share.wait(record.id, PARENT_WAIT_SECONDS)
                    self.window.answered(mine.last_error, self.meter)
                except BaseException as exc:  # re-raised by run() in the claim's thread
                    self._error = self._error or exc
                finally:
                    chained += 1
                    following = self._finish(record.id, mine, chained)

        return task

    def _give_back(self, left: set[int], stop_at: datetime | None) -> None:
        """Paused, or past the deadline: the records not started go back untouched."""
        self.pusher.log.flush()  # what is done is written before any record goes back
        for record_id in self.order:
            if record_id in left and not self.pusher.taken(record_id):
                record = self.records[record_id]  # never started: still there
                claim.release(record, self.pusher.token, next_attempt_at=stop_at or timezone.now())


def _paused(tenant_id: str) -> datetime | None:
    return health.paused_until(tenant_id) if tenant_id else None

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
decrease: one more per window of successes, half on a 429, a 5xx or a timeout, up to
THRED["BUSINESS_MAX_IN_FLIGHT"]), within the process-wide THRED["MAX_IN_FLIGHT"]
(``IOPool``). A 429 pauses the business until its Retry-After (``outcome.api_error``):
the claim's records not started yet are given back untouched, no attempt used.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.utils import timezone

from thred_django import tenancy
from thred_django.conf import thred_settings
from thred_django.engine import claim, health
from thred_django.engine.known import key_of
from thred_django.engine.parents import parent_keys
from thred_django.engine.push import PARENT_WAIT_SECONDS, Pusher
from thred_django.exceptions import (
    ThredError,
    ThredRateLimitError,
    ThredServerError,
    ThredTimeoutError,
)
from thred_django.mappings import registry
from thred_django.models import SyncDependency, SyncRecord
from thred_django.resources import Resource

logger = logging.getLogger("thred_django.engine")

# Ranks from here on are deletes and deactivations (resources.claim_rank: 100 - rank).
DELETE_RANKS = 50
# How often a business's pause (429, breaker, set by any worker) is read while pushing
# it; a failed call of its own triggers a read at once.
PAUSE_CHECK_SECONDS = 1.0
# A window starts here (never above the ceiling).
START_WINDOW = 4
# A group claims more of its business once fewer than 2 x its window + this many of its
# records are left to start, up to this many records in all.
TOP_UP_MARGIN = 8
MAX_GROUP = 2_000


class Window:
    """A business's concurrency, found by AIMD (Thred documents no rate limit)."""

    def __init__(self, ceiling: int, start: int | None = None) -> None:
        self.ceiling = max(1, ceiling)
        self.size = float(min(START_WINDOW if start is None else start, self.ceiling))
        self._lock = threading.Lock()
        self._since_cut = 1 << 30  # calls answered since the last cut (none yet)

    @property
    def limit(self) -> int:
        return max(1, int(self.size))

    def succeeded(self) -> None:
        """One more per window of successes."""
        with self._lock:
            self._since_cut += 1
            self.size = min(float(self.ceiling), self.size + 1.0 / self.size)

    def congested(self) -> None:
        """A 429, a 5xx or a timeout: halve, at most once per window of answers (the
        calls in flight with this one answer the same and are not counted twice)."""
        with self._lock:
            if self._since_cut >= self.limit:
                self.size = max(1.0, self.size / 2)
                self._since_cut = 0
            else:
                self._since_cut += 1


_windows: dict[str, Window] = {}
_windows_lock = threading.Lock()
MAX_WINDOWS = 10_000


def window_for(tenant_id: str) -> Window:
    """The process's window of ``tenant_id`` (kept across claims and runs)."""
    ceiling = int(thred_settings.BUSINESS_MAX_IN_FLIGHT)
    with _windows_lock:
        window = _windows.get(tenant_id)
        if window is None or window.ceiling != ceiling:
            if len(_windows) >= MAX_WINDOWS:
                _windows.clear()
            window = _windows[tenant_id] = Window(ceiling)
        return window


def congestion(exc: ThredError | None) -> bool:
    return isinstance(exc, ThredRateLimitError | ThredServerError | ThredTimeoutError)


class IOPool:
    """Threads for the calls of one ``push_due`` run: at most ``size`` tasks at once
    (``slot`` before ``submit``). Each thread has its own database connections (Django's
    are per thread), closed when the pool closes."""

    def __init__(self, size: int, initializer: Callable[[], None] | None = None) -> None:
        self.size = max(1, size)
        self._initializer = initializer
        self.slots = threading.BoundedSemaphore(self.size)
        self._tasks: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._lock = threading.Lock()
        self._entry = tenancy.bound(self._work)  # in the run's schema (django-tenants)

    def slot(self, timeout: float) -> bool:
        return self.slots.acquire(timeout=timeout)

    def submit(self, task: Callable[[], None]) -> None:
        """Run ``task`` (its slot taken) on a free thread; it gives the slot back."""
        with self._lock:
            if self._idle == 0 and len(self._threads) < self.size:
                thread = threading.Thread(
                    target=self._entry, name=f"thred-io-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            else:
                self._idle -= 1
        self._tasks.put(task)

    def _work(self) -> None:
        try:
            if self._initializer is not None:
                self._initializer()
            while True:
                task = self._tasks.get()
                if task is None:
                    return
                try:
                    task()
                finally:
                    self.slots.release()
                    with self._lock:
                        self._idle += 1
        finally:
            connections.close_all()

    def close(self) -> None:
        for _ in self._threads:
            self._tasks.put(None)
        for thread in self._threads:
            thread.join()
        self._threads.clear()


def dependencies(
    pusher: Pusher, records: list[SyncRecord], claim: list[SyncRecord] | None = None
) -> dict[int, set[int]]:
    """For each of ``records``, the records of the claim (``claim``, which holds them;
    default: ``records`` alone) that must finish before it starts (its host objects
    preloaded into ``pusher`` first). A group that claims more finds the new records'
    dependencies only: those of its earlier records are found already."""
    claim = records if claim is None else claim
    by_key = {key_of(r): r for r in claim}
    by_object: dict[tuple[int, str], list[SyncRecord]] = {}
    for r in claim:
        by_object.setdefault((r.content_type_id, r.object_id), []).append(r)
    stored: dict[int, set[tuple[int, str]]] = {}
    for child, ct, pk in SyncDependency.objects.filter(
        child_id__in=[r.id for r in records]
    ).values_list("child_id", "parent_type_id", "parent_id"):
        stored.setdefault(child, set()).add((ct, pk))
    business = next((r for r in claim if r.resource == Resource.BUSINESS), None)
    rank = {r.id: r.rank for r in claim}
    deps: dict[int, set[int]] = {}
    before: dict[int, set[int]] = {}  # by rank: the records ranked before it (read only)
    for record in records:
        if record.rank >= DELETE_RANKS:  # children first: after everything ranked before
            if record.rank not in before:
                before[record.rank] = {r.id for r in claim if r.rank < record.rank}
            deps[record.id] = before[record.rank]
            continue
        parents: set[int] = set()
        if business is not None and business is not record:
            parents.add(business.id)
        for ct, pk in stored.get(record.id, ()):
            parents.update(r.id for r in by_object.get((ct, pk), ()))
        obj = pusher.peek(record)
        if obj is not None:
            for model, pk in parent_keys(obj):
                mapping = registry.for_model(model)
                ct = ContentType.objects.get_for_model(mapping.model).pk
                parent = by_key.get((ct, str(pk), mapping.resource))
                if parent is not None:
                    parents.add(parent.id)
        deps[record.id] = {p for p in parents if p != record.id and rank[p] < record.rank}
    return deps


class Group:
    """One claim's records, pushed concurrently in dependency order (see module doc).

    ``more(n)`` claims up to n more due records of the business under the same lease
    token: called while the group runs low, so the calls of a business do not drain to
    none between claims (at most ``MAX_GROUP`` records per group, for flat memory).
    """

    def __init__(
        self,
        records: list[SyncRecord],
        pusher: Pusher,
        pool: IOPool,
        deadline: float | None,
        more: Callable[[int], list[SyncRecord]] | None = None,
    ) -> None:
        self.records: dict[int, SyncRecord] = {}
        self.order: list[int] = []
        self.pusher = pusher
        self.pool = pool
        self.deadline = deadline
        self.more = more
        self.tenant_id = records[0].tenant_id
        self.window = window_for(self.tenant_id)
        self._cond = threading.Condition()
        self._running = 0
        self._finished: set[int] = set()
        self._error: BaseException | None = None
        self._done: set[int] = set()  # finished, as seen by run()
        self._waiting: dict[int, int] = {}
        self._dependents: dict[int, list[int]] = {}
        self._ready: deque[int] = deque()
        self._left: set[int] = set()  # not started yet
        self._initial = records

    def _add(self, records: list[SyncRecord]) -> None:
        """Schedule ``records`` (their objects preloaded, their dependencies found)."""
        for record in records:
            self.records[record.id] = record
            self.order.append(record.id)
            self._left.add(record.id)
        self.pusher.preload(records)
        deps = dependencies(self.pusher, records, list(self.records.values()))
        for record in records:
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
        room = MAX_GROUP - len(self.order)
        extra = self.more(min(room, int(thred_settings.BATCH_SIZE))) if room > 0 else []
        seen = [r for r in extra if r.id in self.records]
        if seen or not extra or room <= 0:
            self.more = None  # nothing more, or records we pushed were marked again
        for record in seen:  # pushed again by the next claim, with a new lease
            claim.release(record, self.pusher.token, next_attempt_at=timezone.now())
        fresh = [r for r in extra if r.id not in self.records]
        if fresh:
            self._add(fresh)

    def run(self) -> None:
        started = time.monotonic()
        pusher = self.pusher
        self._add(self._initial)
        ready, left = self._ready, self._left
        stop_at: datetime | None = None
        checked_at: float | None = None
        failures = pusher.failures
        try:
            while left or self._running:
                now = time.monotonic()
                if (
                    checked_at is None
                    or now - checked_at >= PAUSE_CHECK_SECONDS
                    or pusher.failures != failures
                ):
                    stop_at, checked_at = _paused(self.tenant_id), now
                    failures = pusher.failures
                over = self.deadline is not None and now >= self.deadline
                if left and (stop_at is not None or over or self._error is not None):
                    if self._error is None:  # the database failing: leases lapse
                        self._give_back(left, stop_at)
                    left.clear()
                    ready.clear()
                    self.more = None
                    continue
                if pusher.log.due():
                    pusher.log.flush()
                if self.more is not None and len(left) < 2 * self.window.limit + TOP_UP_MARGIN:
                    self._top_up()
                with self._cond:
                    for done in self._drain_finished():
                        self._done.add(done)
                        for child in self._dependents.pop(done, ()):
                            self._waiting[child] -= 1
                            if not self._waiting[child] and child in left:
                                ready.append(child)
                    if not ready and not self._running and left:
                        ready.append(next(i for i in self.order if i in left))  # never stall
                    if ready and self._running < self.window.limit:
                        pass  # start one below, outside the condition
                    else:
                        self._cond.wait(PAUSE_CHECK_SECONDS)
                        continue
                if not self.pool.slot(timeout=PAUSE_CHECK_SECONDS):
                    continue  # the process is at MAX_IN_FLIGHT
                record_id = ready.popleft()
                left.discard(record_id)
                with self._cond:
                    self._running += 1
                self.pool.submit(self._task(self.records[record_id]))
        finally:
            with self._cond:
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

    def _drain_finished(self) -> list[int]:
        finished, self._finished = list(self._finished), set()
        return finished

    def _task(self, record: SyncRecord) -> Callable[[], None]:
        def task() -> None:
            mine = self.pusher.fork()
            try:
                if not mine.push(record):  # pulled forward by another thread: wait
                    mine.share.wait(record.id, PARENT_WAIT_SECONDS)
                if congestion(mine.last_error):
                    self.window.congested()
                elif mine.last_error is None:
                    self.window.succeeded()
            except BaseException as exc:  # re-raised by run() in the claim's thread
                self._error = self._error or exc
            finally:
                with self._cond:
                    self._running -= 1
                    self._finished.add(record.id)
                    self._cond.notify_all()

        return task

    def _give_back(self, left: set[int], stop_at: datetime | None) -> None:
        """Paused, or past the deadline: the records not started go back untouched."""
        self.pusher.log.flush()  # what is done is written before any record goes back
        for record_id in self.order:
            if record_id in left and not self.pusher.taken(record_id):
                record = self.records[record_id]
                claim.release(record, self.pusher.token, next_attempt_at=stop_at or timezone.now())


def _paused(tenant_id: str) -> datetime | None:
    return health.paused_until(tenant_id) if tenant_id else None

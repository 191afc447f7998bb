"""Draining the outbox: claim a business, push its records in order, claim again.

``push_due`` is what the queue task, the eager mode, the sweep and ``thred_sync`` run.
Its THRED['CONCURRENCY'] threads each claim one whole business at a time
(``claim.claim_business``: never one another worker holds), push its records in
dependency order, and claim again without waiting for each other, so N threads, or N
worker processes, push N businesses at once (``gate``: more threads only while the
process has CPU to spare). The calls of a claim go out on the run's pool of I/O
threads (``fanout``): up to THRED['BUSINESS_MAX_IN_FLIGHT'] per business (found by
AIMD), THRED['MAX_IN_FLIGHT'] for the process; a business down to one call at a time is
pushed on its claim's thread. A business paused by a 429 or an open breaker gives its
remaining records back untouched.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, connections
from django.db.models import Min, QuerySet
from django.utils import timezone

from thred_django import tenancy
from thred_django.client import get_client
from thred_django.conf import thred_settings
from thred_django.engine import claim, health, outcome
from thred_django.engine.fanout import Group, IOPool, Window, window_for
from thred_django.engine.gate import CpuMeter, Gate
from thred_django.engine.push import Known, Pusher
from thred_django.models import BusinessHealth, SyncRecord
from thred_django.resources import CLAIMABLE, State

logger = logging.getLogger("thred_django.engine")

_local = threading.local()

Progress = Callable[[int], None]

# Host objects loaded per query, ahead of their push, one call at a time (a fan-out
# claim loads all of its records at once). One edited meanwhile is pushed as loaded,
# and again with its new data: its outcome finds the record marked since its claim.
PRELOAD = 100
# How often a business's pause (429, breaker, set by any worker) is read while pushing
# it; our own failed calls trigger a read at once.
PAUSE_CHECK_SECONDS = 1.0


@dataclass
class RunStats:
    claimed: int = 0
    rounds: int = 0  # claims made
    states: Counter[str] = field(default_factory=Counter)


class _Run:
    """One ``push_due`` call, shared by its threads: scope, deadline, what is known in
    Thred (for as long as a lease), the counts, and a stop flag raised by the first
    thread that fails."""

    def __init__(
        self,
        *,
        tenant_id: str | None,
        resource: str | None,
        deadline: float | None,
        until_idle: bool,
        on_progress: Progress | None,
    ) -> None:
        self.tenant_id = tenant_id
        self.resource = resource
        self.deadline = deadline
        self.until_idle = until_idle
        self.on_progress = on_progress
        self.known = Known(seconds=float(thred_settings.LEASE_SECONDS))
        self.stats = RunStats()
        self.stop = threading.Event()
        # Set by a claim that found nothing left to do while no other thread of the run
        # pushed a claim: the threads without a business then leave, instead of each
        # opening a connection of its own to find nothing too.
        self.drained = threading.Event()
        self.pushing = 0  # claims being pushed by the run's threads
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self.pool: IOPool | None = None  # the calls' threads (None: one call at a time)
        self.meter = CpuMeter()  # whether more concurrency may help (``gate``)
        self.gate: Gate | None = None  # how many threads push at once (None: one thread)
        self.candidates = claim.Candidates()  # the businesses to claim next

    def over(self) -> bool:
        return self.stop.is_set() or (
            self.deadline is not None and time.monotonic() >= self.deadline
        )

    def claimed(self, n: int) -> None:
        with self._lock:
            self.stats.rounds += 1
            self.stats.claimed += n
            if self.on_progress:
                self.on_progress(n)

    @contextmanager
    def pushing_claim(self) -> Iterator[None]:
        with self._lock:
            self.pushing += 1
        try:
            yield
        finally:
            with self._lock:
                self.pushing -= 1

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            self.errors.append(exc)
        self.stop.set()


def freeze_startup_objects() -> None:
    """For a process that exists to push (``thred_sync``): what start-up built (Django,
    the apps, the mappings, the client) lives as long as the process, so the garbage
    collector's full passes stop walking it (``gc.freeze``, after collecting what is
    garbage already). Pushing allocates enough to trigger full passes every few hundred
    records: ~0.03 ms of CPU per record (benchmarks/README.md §7). Not for a process the
    host shares (a web worker, a task queue's worker): it changes the whole process."""
    gc.collect()
    gc.freeze()


def push_due(
    *,
    tenant_id: str | None = None,
    resource: str | None = None,
    time_limit: float | None = None,
    until_idle: bool = False,
    on_progress: Progress | None = None,
) -> RunStats:
    """Push everything due now (and, with ``until_idle``, wait out backoffs too).

    THRED["CONCURRENCY"] threads each claim one business at a time (``drain``), push
    its records in order and claim again, until nothing they may take is due: a thread
    never waits for the others to finish a round.
    """
    if getattr(_local, "running", False):
        return RunStats()  # re-entered from a signal handler: the outer loop picks it up
    _local.running = True
    run = _Run(
        tenant_id=tenant_id,
        resource=resource,
        deadline=time.monotonic() + time_limit if time_limit else None,
        until_idle=until_idle,
        on_progress=on_progress,
    )
    try:
        size = int(thred_settings.CONCURRENCY)
        # Threads have their own connections and cannot see an open transaction's rows.
        if int(thred_settings.BUSINESS_MAX_IN_FLIGHT) > 1 and not connection.in_atomic_block:
            run.pool = IOPool(int(thred_settings.MAX_IN_FLIGHT), initializer=_mark_running)
        if size <= 1 or tenant_id is not None or connection.in_atomic_block:
            drain(run)
        else:
            # A thread's connection starts in the public schema (django-tenants): run
            # there in the schema of this run.
            run.gate = Gate(size, run.meter)
            entry = tenancy.bound(thread_main)
            threads = [
                threading.Thread(target=entry, args=(run,), name=f"thred-push-{i}")
                for i in range(size)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        if run.errors:
            raise run.errors[0]
    finally:
        if run.pool is not None:
            run.pool.close()
        _local.running = False
    return run.stats


def _mark_running() -> None:
    """In an I/O thread: a push_due called from a signal handler there is a re-entry."""
    _local.running = True


def thread_main(run: _Run) -> None:
    """The body of every push thread (one function, to wrap for per-thread setup)."""
    try:
        drain(run)
    except BaseException as exc:  # re-raised by push_due in the calling thread
        run.failed(exc)
    finally:
        connections.close_all()  # this thread's connections


def drain(run: _Run) -> None:
    """Claim a business, push its records in order, claim again — the same business
    first while it has due records, then any other no worker holds — until none is
    left (with ``until_idle``: until nothing is pending or retrying). With several
    threads, each claim waits for its place in the run's ``gate``; once a claim found
    nothing left (``_Run.drained``), a thread without a business of its own leaves."""
    previous: str | None = None

    def over() -> bool:
        return run.over() or (previous is None and run.drained.is_set())

    while not over():
        if run.gate is not None and not run.gate.enter(over):
            return
        wait: float | None = None
        try:
            if previous is None and run.drained.is_set():
                return  # let in as the flag was set
            batch = claim.claim_business(
                thred_settings.BATCH_SIZE,
                tenant_id=run.tenant_id or previous,
                resource=run.resource,
                queue=run.candidates,
            )
            if batch.records:
                previous = batch.records[0].tenant_id
                with run.pushing_claim():
                    _push_claim(run, batch)
            elif previous and run.tenant_id is None:
                previous = None  # its business is done: any other
            elif not run.until_idle:
                if not run.pushing:  # nor for the others (a claim pushed meanwhile
                    run.drained.set()  # may free its business's waiting children)
                return
            else:
                wait = seconds_until_due(tenant_id=run.tenant_id, resource=run.resource)
                if wait is None:
                    run.drained.set()  # nothing pending, retrying or in flight anywhere
                    return
        finally:  # (after the drained flag: a thread let in next sees it)
            if run.gate is not None:
                run.gate.leave()
        if wait is not None:
            run.stop.wait(min(max(wait, 0.01), 5.0))


def _push_claim(run: _Run, batch: claim.Claim) -> None:
    """Push a claim: on the I/O threads while its business's window is open (``Group``),
    one at a time on this thread while it is down to one (the process busy, or Thred
    congested), handing the rest to a ``Group`` as soon as it opens again."""
    run.claimed(len(batch.records))
    tenant_id = batch.records[0].tenant_id
    pusher = Pusher(get_client(), batch.token, run.known, meter=run.meter)
    records: list[SyncRecord] = batch.records
    window = None
    if run.pool is not None and len(records) > 1:
        window = window_for(tenant_id, busy=run.meter.trend() < 0)
    if window is None or window.limit <= 1:
        records = _push_group(records, pusher, run.deadline, window, run.meter)
    if records and run.pool is not None:
        more = _more(run, tenant_id, batch.token)
        Group(records, pusher, run.pool, run.deadline, more, run.meter).run()
    outcome.unblock_children()


def _more(run: _Run, tenant_id: str, token: uuid.UUID) -> Callable[[int], list[SyncRecord]]:
    """Claim up to n more due records of this business into the claim ``token``."""

    def more(n: int) -> list[SyncRecord]:
        if run.over():
            return []
        records = claim.claim_business(
            n, tenant_id=tenant_id, resource=run.resource, token=token
        ).records
        if records:
            run.claimed(len(records))
        return records

    return more


def _push_group(
    records: list[SyncRecord],
    pusher: Pusher,
    deadline: float | None,
    window: Window | None = None,
    meter: CpuMeter | None = None,
) -> list[SyncRecord]:
    """One business's records, one at a time in order; stop early when it gets paused.
    With the business's ``window``: each answer resizes it (``fanout.Window``), and
    once it opens past one the records not pushed yet are returned, for a ``Group``."""
    tenant_id = records[0].tenant_id
    stop_at: datetime | None = None
    checked_at: float | None = None
    failures = 0
    preloaded = 0
    try:
        for i, record in enumerate(records):
            if pusher.taken(record.id):
                continue
            now = time.monotonic()
            if (
                checked_at is None
                or now - checked_at >= PAUSE_CHECK_SECONDS
                or pusher.failures != failures
            ):
                stop_at, checked_at, failures = _paused(tenant_id), now, pusher.failures
            if stop_at is not None or (deadline is not None and now >= deadline):
                pusher.log.flush()  # what is done is written before any record goes back
                claim.release(record, pusher.token, next_attempt_at=stop_at or timezone.now())
                continue
            if window is not None and window.limit > 1:
                return [r for r in records[i:] if not pusher.taken(r.id)]
            if i >= preloaded:
                preloaded = i + PRELOAD
                pusher.preload(records[i:preloaded])
            pusher.last_error = None
            pusher.push(record)
            if window is not None:
                window.answered(pusher.last_error, meter)
            if pusher.log.due():
                pusher.log.flush()
    finally:
        pusher.log.flush()
    return []


def _paused(tenant_id: str) -> datetime | None:
    return health.paused_until(tenant_id) if tenant_id else None


def seconds_until_due(*, tenant_id: str | None = None, resource: str | None = None) -> float | None:
    """Seconds until the next record becomes claimable; None when nothing is left.

    One read per state, each the first entry of an index on (state, next_attempt_at)
    (``thred_sr_due``, ``thred_sr_tenant_due``): one over the states at once would read
    every pending record. A record in flight counts as due now: its claim may end at any
    moment, freeing its business and its children (then, as for a due record held
    elsewhere, the answer is half a second).
    """
    qs = SyncRecord.objects.all()
    if tenant_id is not None:
        qs = qs.filter(tenant_id=tenant_id)
    if resource is not None:
        qs = qs.filter(resource=resource)
    now = timezone.now()
    soonest = _soonest(qs, now)
    if soonest is None:
        return None
    if soonest > now:
        return (soonest - now).total_seconds()
    # Due but not claimable: held by another worker, or its business is paused.
    pauses = BusinessHealth.objects.filter(paused_until__gt=now).aggregate(p=Min("paused_until"))
    return max((pauses["p"] - now).total_seconds(), 0.0) if pauses["p"] else 0.5


def _soonest(qs: QuerySet[SyncRecord], now: datetime) -> datetime | None:
    """When the first record of ``qs`` not settled becomes due (``now``: in flight)."""
    if qs.filter(state=State.IN_FLIGHT).exists():
        return now  # due now: the other states cannot make the answer sooner
    times = [qs.filter(state=s).aggregate(t=Min("next_attempt_at"))["t"] for s in CLAIMABLE]
    candidates = [t for t in times if t is not None]
    if candidates:
        return min(candidates)
    # Each read above is a statement of its own: a record claimed or given back between
    # two of them (pending -> in flight -> pending) was in none of them. Nothing is left
    # only if one statement, one snapshot, sees nothing; else look again soon.
    return now if qs.filter(state__in=(*CLAIMABLE, State.IN_FLIGHT)).exists() else None

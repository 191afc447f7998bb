"""Draining the outbox: claim due records, push them business by business.

``push_due`` is what the queue task, the eager mode, the sweep and ``thred_sync`` run.
It claims batches (parents first), splits each batch by business and pushes businesses
in parallel threads (THRED['CONCURRENCY']) while each business's records go one at a
time in order. A business paused by a 429 or an open breaker gives its remaining
records back untouched.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from django.db import close_old_connections, connection, connections
from django.db.models import Min, Q
from django.utils import timezone

from thred_django import tenancy
from thred_django.client import get_client
from thred_django.conf import thred_settings
from thred_django.engine import claim, health, outcome
from thred_django.engine.push import Known, Pusher
from thred_django.models import BusinessHealth, SyncRecord
from thred_django.resources import CLAIMABLE, State

logger = logging.getLogger("thred_django.engine")

_local = threading.local()

Progress = Callable[[int], None]

# Host objects loaded per query, ahead of their push (a few seconds of work at most),
# and success attempts written per INSERT.
PRELOAD = 25
# How often a business's pause (429, breaker, set by any worker) is read while pushing
# it; our own failed calls trigger a read at once.
PAUSE_CHECK_SECONDS = 1.0


@dataclass
class RunStats:
    claimed: int = 0
    rounds: int = 0
    states: Counter[str] = field(default_factory=Counter)


def push_due(
    *,
    tenant_id: str | None = None,
    resource: str | None = None,
    time_limit: float | None = None,
    until_idle: bool = False,
    on_progress: Progress | None = None,
) -> RunStats:
    """Push everything due now (and, with ``until_idle``, wait out backoffs too)."""
    stats = RunStats()
    if getattr(_local, "running", False):
        return stats  # re-entered from a signal handler: the outer loop picks it up
    _local.running = True
    workers = _Workers()
    # What this run learns is in Thred, shared by its threads, for as long as a lease.
    known = Known(seconds=float(thred_settings.LEASE_SECONDS))
    try:
        deadline = time.monotonic() + time_limit if time_limit else None
        while deadline is None or time.monotonic() < deadline:
            batch = claim.claim_due(
                thred_settings.BATCH_SIZE, tenant_id=tenant_id, resource=resource
            )
            if not batch.records:
                if not until_idle:
                    break
                wait = seconds_until_due(tenant_id=tenant_id, resource=resource)
                if wait is None:
                    break
                time.sleep(min(max(wait, 0.01), 5.0))
                continue
            if tenant_id is None and workers.size > 1 and not connection.in_atomic_block:
                _top_up(batch, workers.size, resource)
            stats.rounds += 1
            claimed = len(batch.records) + _push_batch(batch, deadline, workers, known, resource)
            stats.claimed += claimed
            outcome.unblock_children()
            if on_progress:
                on_progress(claimed)
    finally:
        _local.running = False
        workers.shutdown()
    return stats


def _top_up(batch: claim.Claim, workers: int, resource: str | None) -> None:
    """Claim for more businesses until the batch has one per thread.

    Claims go by rank, and one business's records often fill a whole claim (rows are
    marked business by business): its thread would work alone while the others wait
    for the next batch. Each extra claim leaves out the businesses already in the
    batch, so a business's records still come from a single claim, in rank order.
    """
    tenants = {record.tenant_id for record in batch.records}
    while len(tenants) < workers:
        more = claim.claim_due(
            thred_settings.BATCH_SIZE,
            resource=resource,
            token=batch.token,
            exclude_tenants=tenants,
        )
        if not more.records:
            return
        batch.records.extend(more.records)
        tenants.update(record.tenant_id for record in more.records)


class _Workers:
    """The threads of one ``push_due`` run, kept (with their database connections)
    from one batch to the next instead of a new pool, and new connections, per batch."""

    def __init__(self) -> None:
        self.size = int(thred_settings.CONCURRENCY)
        self.pool: ThreadPoolExecutor | None = None

    def run(
        self,
        groups: list[list[SyncRecord]],
        token,
        deadline: float | None,
        known: Known | None,
        resource: str | None,
    ) -> int:
        """Push the groups in parallel; returns how many more records the threads
        claimed while draining their businesses."""
        if self.pool is None:
            self.pool = ThreadPoolExecutor(self.size, thread_name_prefix="thred-push")
        # A thread's connection starts in the public schema (django-tenants): run there
        # in the schema of this run.
        entry = tenancy.bound(_push_group_in_thread)
        futures = [
            self.pool.submit(entry, records, token, deadline, known, resource) for records in groups
        ]
        return sum(future.result() for future in futures)

    def shutdown(self) -> None:
        if self.pool is None:
            return
        # One closing task per thread: each waits at the barrier until all have closed,
        # so no thread takes two and every thread's connections get closed.
        barrier = threading.Barrier(self.size)

        def close() -> None:
            try:
                connections.close_all()
            finally:
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait(timeout=30)

        try:
            for future in [self.pool.submit(close) for _ in range(self.size)]:
                future.result()
        finally:
            self.pool.shutdown(wait=True)
            self.pool = None


def _push_batch(
    batch: claim.Claim,
    deadline: float | None,
    workers: _Workers,
    known: Known | None = None,
    resource: str | None = None,
) -> int:
    """Push a claim, business by business; returns how many more records were claimed
    (and pushed) by threads draining their businesses."""
    groups: dict[str, list[SyncRecord]] = defaultdict(list)
    for record in batch.records:
        groups[record.tenant_id].append(record)
    # Threads have their own connections and cannot see an open transaction's rows.
    if min(workers.size, len(groups)) <= 1 or connection.in_atomic_block:
        for records in groups.values():
            _push_group(records, batch.token, deadline, known)
        return 0
    return workers.run(list(groups.values()), batch.token, deadline, known, resource)


def _push_group_in_thread(
    records: list[SyncRecord],
    token,
    deadline: float | None,
    known: Known | None,
    resource: str | None,
) -> int:
    try:
        _push_group(records, token, deadline, known)
        return _drain(records[0].tenant_id, resource, deadline, known)
    finally:
        close_old_connections()  # the connection stays open for the next batch if healthy


def _drain(
    tenant_id: str, resource: str | None, deadline: float | None, known: Known | None
) -> int:
    """Go on with this business's due records, claim after claim, until it has none.

    Claims go by rank, so one business's records often fill most of a batch while the
    others have a handful, and a round ends only when its last group is done: without
    this, a thread whose group was small would sit idle until then, its business's other
    records waiting for the next round. Each claim is the business's own, in rank order,
    so its records still go one at a time in order. Returns how many were claimed.
    """
    claimed = 0
    while deadline is None or time.monotonic() < deadline:
        batch = claim.claim_due(thred_settings.BATCH_SIZE, tenant_id=tenant_id, resource=resource)
        if not batch.records:
            break
        claimed += len(batch.records)
        _push_group(batch.records, batch.token, deadline, known)
    return claimed


def _push_group(
    records: list[SyncRecord], token, deadline: float | None, known: Known | None = None
) -> None:
    """One business's records, in order; stop early when it gets paused."""
    pusher = Pusher(get_client(), token, known)
    tenant_id = records[0].tenant_id
    stop_at: datetime | None = None
    checked_at: float | None = None
    failures = 0
    preloaded = 0
    try:
        for i, record in enumerate(records):
            if record.id in pusher.done:
                continue
            now = time.monotonic()
            if (
                checked_at is None
                or now - checked_at >= PAUSE_CHECK_SECONDS
                or pusher.failures != failures
            ):
                stop_at, checked_at, failures = _paused(tenant_id), now, pusher.failures
            if stop_at is not None or (deadline is not None and now >= deadline):
                claim.release(record, token, next_attempt_at=stop_at or timezone.now())
                continue
            if i >= preloaded:
                pusher.log.flush()
                preloaded = i + PRELOAD
                pusher.preload(records[i:preloaded])
            pusher.push(record)
    finally:
        pusher.log.flush()


def _paused(tenant_id: str) -> datetime | None:
    return health.paused_until(tenant_id) if tenant_id else None


def seconds_until_due(*, tenant_id: str | None = None, resource: str | None = None) -> float | None:
    """Seconds until the next record becomes claimable; None when nothing is left."""
    qs = SyncRecord.objects.filter(Q(state__in=CLAIMABLE) | Q(state=State.IN_FLIGHT))
    if tenant_id is not None:
        qs = qs.filter(tenant_id=tenant_id)
    if resource is not None:
        qs = qs.filter(resource=resource)
    agg = qs.aggregate(next_at=Min("next_attempt_at"), lease=Min("lease_until"))
    candidates = [t for t in (agg["next_at"], agg["lease"]) if t is not None]
    if not candidates:
        return None
    now = timezone.now()
    soonest = min(candidates)
    pauses = BusinessHealth.objects.filter(paused_until__gt=now).aggregate(p=Min("paused_until"))
    if soonest <= now:
        # Due but not claimable: held by another worker, or its business is paused.
        return max((pauses["p"] - now).total_seconds(), 0.0) if pauses["p"] else 0.5
    return (soonest - now).total_seconds()

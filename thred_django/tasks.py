"""django-q2 entry points. Thin: each calls the engine.

* ``push`` — enqueued on commit after marks (queue mode); drains what is due for at most
  THRED['TASK_TIME_LIMIT'] seconds, well under the cluster's timeout.
* ``sweep`` — scheduled every THRED['SWEEP_MINUTES']: pushes anything due (a lost
  enqueue, retries after backoff, lapsed leases) and prunes the attempt log.
* ``reconcile`` — scheduled every THRED['RECONCILE_MINUTES'] (daily): compares Thred with
  the outbox and the host, stores each business's result, sends ``drift_found``;
  repairs too when THRED['RECONCILE_FIX'] is on. Returns the summary.

Both keep the cluster's workers busy while anything is due, instead of leaving work to
the next sweep: a task that finds more free businesses than its threads take enqueues
another push first (so an idle worker joins in), and one that stops at its time limit
with work left enqueues its successor — each only when no task is already waiting in
the broker, so the queue holds at most one spare push.

Attempts and backoff live in the outbox, not in django-q2's retry: a task that fails
or is killed loses nothing, because the SyncRecord rows are the truth.

With django-tenants a push carries the schema it was enqueued from, and the sweep (or a
push without one) works through every tenant schema in turn (``tenancy``); a failure in
one schema is logged and the others go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from thred_django import tenancy
from thred_django.conf import thred_settings
from thred_django.engine.claim import free_businesses
from thred_django.engine.dispatch import enqueue_push, push_started, push_waiting
from thred_django.engine.reconcile import reconcile as reconcile_all
from thred_django.engine.runner import push_due
from thred_django.models import SyncAttempt


def push(schema: str | None = None) -> int:
    push_started(schema)
    return _in_each_schema(_push, schema)


def sweep(schema: str | None = None) -> int:
    return _in_each_schema(_sweep, schema)


def _push(deadline: float) -> int:
    threads = max(1, int(thred_settings.CONCURRENCY))
    schema = tenancy.current_schema()
    if free_businesses(threads + 1) > threads and not push_waiting():
        enqueue_push(schema)  # more than this task will take: another worker may join in
    claimed = push_due(time_limit=max(deadline - time.monotonic(), 0.001)).claimed
    if free_businesses(1) and not push_waiting():
        enqueue_push(schema)  # stopped at the time limit (or work came late): go on
    return claimed


def _sweep(deadline: float) -> int:
    claimed = _push(deadline)
    SyncAttempt.prune()
    return claimed


def _in_each_schema(work: Callable[[float], int], schema: str | None) -> int:
    """``work(deadline)`` in ``schema``, or in every schema with an outbox, all within
    one TASK_TIME_LIMIT shared fairly (a schema with nothing due passes its share on);
    raises when any schema failed, after the others ran."""
    deadline = time.monotonic() + thred_settings.TASK_TIME_LIMIT
    if schema:
        with tenancy.activated(schema):
            return work(deadline)
    left = len(tenancy.schemas())

    def share() -> int:
        nonlocal left
        budget = max(deadline - time.monotonic(), 0.0) / max(left, 1)
        left -= 1
        return work(time.monotonic() + budget)

    runs = tenancy.for_each_schema(share)
    failed = [run for run in runs if run.error is not None]
    if failed:
        names = ", ".join(run.schema for run in failed)
        raise RuntimeError(f"Thred work failed in schema(s) {names}") from failed[0].error
    return sum(run.result or 0 for run in runs)


def reconcile() -> dict[str, Any]:
    """Reconcile in every schema with an outbox (django-tenants), else in place. Returns
    the summary, or with several schemas ``{schema: summary or {"error": …}}``."""
    repair = bool(thred_settings.RECONCILE_FIX)
    runs = tenancy.for_each_schema(lambda: reconcile_all(repair=repair).as_dict())
    if len(runs) == 1 and not runs[0].schema:
        return runs[0].result or {}
    return {
        run.schema: run.result if run.error is None else {"error": str(run.error)} for run in runs
    }

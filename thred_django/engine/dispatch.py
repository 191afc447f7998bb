"""Asking django-q2 to run a push, at most one queued request at a time per cache.

A burst of saves must not enqueue one task per save: the first save sets a flag in
Django's cache and enqueues; later saves see the flag and rely on that task. The task
clears the flag *before* it claims anything, so a save that skipped enqueueing is always
committed before the task looks for due records.

The flag lives PUSH_DEBOUNCE_SECONDS at most. With a cache shared by web and worker
processes (database, Redis, memcached) the task lifts it as it starts; with a
per-process cache (LocMemCache) it simply expires, so a save that skipped enqueueing
right after a task finished waits for the next save's enqueue or the sweep (check
thred_django.W003 says so).
"""

from __future__ import annotations

import logging

from django.core.cache import cache

from thred_django.conf import thred_settings

logger = logging.getLogger("thred_django.engine")

PUSH_QUEUED_KEY = "thred_django:push-queued"
PUSH_TASK = "thred_django.tasks.push"
SWEEP_TASK = "thred_django.tasks.sweep"


def _queued_key(schema: str | None) -> str:
    # One flag per tenant schema (django-tenants): a task waiting for one tenant must
    # not swallow another tenant's request.
    return f"{PUSH_QUEUED_KEY}:{schema}" if schema else PUSH_QUEUED_KEY


def enqueue_push(schema: str | None = None) -> None:
    """Enqueue one push task (for ``schema``, with django-tenants) unless one is
    already waiting to start."""
    key = _queued_key(schema)
    # Read before add: while a task waits, every save lands here, and a refused add is
    # far dearer than a read (the database cache does a COUNT, then an INSERT that
    # fails inside a transaction). Seeing the flag is as safe as a refused add: the
    # waiting task has not cleared it yet, so it has not claimed yet either.
    if cache.get(key) is not None:
        return
    if not cache.add(key, 1, timeout=thred_settings.PUSH_DEBOUNCE_SECONDS):
        return
    from django_q.tasks import async_task

    options = {"task_name": "thred push", "group": "thred_django"}
    if thred_settings.Q_CLUSTER_NAME:
        options["cluster"] = thred_settings.Q_CLUSTER_NAME
    args = (schema,) if schema else ()
    try:
        async_task(PUSH_TASK, *args, q_options=options)
    except Exception:
        # The outbox row is committed; the periodic sweep will push it.
        cache.delete(key)
        logger.exception("Could not enqueue a Thred push; the sweep will pick it up")


def push_waiting() -> bool:
    """True when the broker holds a task no worker has started yet (a push that will
    take what is due): a task then calls in no other. False when it cannot tell."""
    try:
        from django_q.brokers import get_broker

        return get_broker(thred_settings.Q_CLUSTER_NAME or None).queue_size() > 0
    except Exception:  # a broker that cannot count: enqueue (a spare task costs little)
        logger.debug("Could not read the django-q queue size", exc_info=True)
        return False


def push_started(schema: str | None = None) -> None:
    """Called by the task before it claims: later saves may enqueue again."""
    cache.delete(_queued_key(schema))

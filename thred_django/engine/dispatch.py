"""Asking for a push after a commit, and asking django-q2 to run it, at most one queued
request at a time per cache.

``request_push`` (called by marking and the operator actions) pushes once the current
transaction commits: in the process (SYNC_MODE "eager", ``runner.push_due``) or through
a django-q2 task ("queue", ``enqueue_push``), in the schema the marks were written to.

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
import threading

from django.core.cache import cache
from django.db import transaction

from thred_django import tenancy
from thred_django.conf import thred_settings
from thred_django.engine.runner import push_due

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


class _Request:
    """One push request for the commits of one connection and schema: called by each
    ``on_commit`` it was registered with, it pushes at the first call and does nothing
    at the others (the same commit's)."""

    __slots__ = ("done", "schema")

    def __init__(self, schema: str | None) -> None:
        self.schema = schema
        self.done = False

    def __call__(self) -> None:
        if self.done:
            return
        self.done = True
        push_after_commit(self.schema)


# Per thread (Django's connections are per thread): the open request of each
# (database alias, schema).
_open = threading.local()


def request_push(using: str) -> None:
    """After the current transaction commits, push (eager) or enqueue a push (queue),
    in the schema the marks were written to (django-tenants); at once in autocommit.

    Every call registers an ``on_commit`` (a rolled-back savepoint drops those made in
    it), and all the calls of one transaction share one ``_Request``: its first run,
    after the commit, pushes; the others return at once. A request whose transaction
    rolled back never ran and serves the next transaction.
    """
    schema = tenancy.current_schema()
    requests: dict[tuple[str, str | None], _Request] = _open.__dict__.setdefault("requests", {})
    request = requests.get((using, schema))
    if request is None or request.done:
        request = requests[(using, schema)] = _Request(schema)
    transaction.on_commit(request, using=using)


def push_after_commit(schema: str | None = None) -> None:
    """What a committed mark asks for, per ``THRED["SYNC_MODE"]``."""
    mode = thred_settings.SYNC_MODE
    if mode == "eager":
        with tenancy.activated(schema):
            push_due()
    elif mode == "queue":
        if schema:
            enqueue_push(schema)
        else:
            enqueue_push()

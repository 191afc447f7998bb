"""The I/O threads of one ``push_due`` run (``fanout``): at most THRED["MAX_IN_FLIGHT"]
calls at once, for every business of the process.

An I/O thread spends nearly all of its time waiting on Thred. With Django's connection
pool (PostgreSQL, ``DATABASES[...]["OPTIONS"]["pool"]``) it gives its database
connection back to the pool before each wait (``hand_back``) and takes one again at its
next query, so a worker holds about as many connections as threads using the database
at that moment, not one per call in flight. Without a pool each thread keeps its own.

Inside the host's mapping code a thread keeps its connection (``host_code``), also while
it waits for a parent another thread is pushing: if every pooled connection were kept
by such a wait, the thread pushing that parent could not get one to finish it, and the
run would stall until the pool's timeout failed it. So only so many such waits may keep a
connection at once (``waiting``); beyond that the record waits for its parent outside the
run, as for any parent busy elsewhere.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connections

from thred_django import tenancy
from thred_django.conf import thred_settings

_local = threading.local()


def pool_size(alias: str) -> int | None:
    """The most connections the pool of database ``alias`` opens (psycopg's default
    filled in), or None when it has no pool."""
    options = connections[alias].settings_dict.get("OPTIONS", {}).get("pool")
    if not options:
        return None
    sizes = options if isinstance(options, dict) else {}
    return int(sizes.get("max_size") or sizes.get("min_size", 4))


def hand_back() -> None:
    """On an I/O thread (elsewhere nothing): give this thread's pooled database
    connections back to their pool, unless one is inside a transaction or the host's
    mapping code is running (``host_code``). Called before the thread waits: on Thred's
    answer, on another thread's record, for its next task."""
    if not getattr(_local, "io", False) or int(getattr(_local, "host", 0)) > 0:
        return
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.in_atomic_block and pool_size(conn.alias):
            conn.close()


# Besides the claim threads' (THRED["CONCURRENCY"], each keeps one), the connections of
# a pool that waits in host code leave free: push_due's caller's, and one for the thread
# that is waited for.
_KEPT_ASIDE = 2
_keepers: dict[tuple[str, int, int], threading.BoundedSemaphore] = {}
_keepers_lock = threading.Lock()


def _keepers_of(alias: str, size: int) -> threading.BoundedSemaphore:
    """The places for waits that keep a connection of ``alias``'s pool of ``size``."""
    concurrency = max(1, int(thred_settings.CONCURRENCY))
    with _keepers_lock:
        key = (alias, size, concurrency)
        places = _keepers.get(key)
        if places is None:
            room = max(0, size - concurrency - _KEPT_ASIDE)
            places = _keepers[key] = threading.BoundedSemaphore(room)
        return places


@contextmanager
def waiting() -> Iterator[bool]:
    """Around a wait for another thread's record: hands this thread's connections back
    (``hand_back``) and yields whether it may wait. An I/O thread that keeps a pooled
    connection (inside the host's code, or a transaction) may wait only while fewer than
    the pool's size less what is kept aside (``_KEPT_ASIDE`` and the claim threads) do so
    too: else it yields False, and the caller must not wait. Elsewhere: always True."""
    hand_back()
    kept = []
    if getattr(_local, "io", False):
        kept = [
            (conn.alias, size)
            for conn in connections.all(initialized_only=True)
            if conn.connection is not None and (size := pool_size(conn.alias))
        ]
    taken: list[threading.BoundedSemaphore] = []
    try:
        for alias, size in kept:
            places = _keepers_of(alias, size)
            if not places.acquire(blocking=False):
                break
            taken.append(places)
        yield len(taken) == len(kept)
    finally:
        for places in taken:
            places.release()


@contextmanager
def host_code() -> Iterator[None]:
    """Around the host's mapping code: it may be reading through a cursor of this
    thread's connection (``QuerySet.iterator()``) when it asks for a parent pushed or
    waited for meanwhile, so the connection stays with the thread until it returns."""
    _local.host = getattr(_local, "host", 0) + 1
    try:
        yield
    finally:
        _local.host -= 1


class IOPool:
    """Threads for the calls of one ``push_due`` run: at most ``size`` tasks at once
    (``slot`` before ``submit``). Each thread has its own database connections (Django's
    are per thread), closed when the pool closes.

    A task keeps its slot until it returns, and may push several records in a row
    (``fanout.Group``); ``contended`` says whether another group waits for a slot
    meanwhile, so that it gives its slot back soon."""

    def __init__(self, size: int, initializer: Callable[[], None] | None = None) -> None:
        self.size = max(1, size)
        self._initializer = initializer
        self.slots = threading.BoundedSemaphore(self.size)
        self._tasks: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._waiting = 0  # callers of slot() not served yet
        self._lock = threading.Lock()
        self._entry = tenancy.bound(self._work)  # in the run's schema (django-tenants)

    def slot(self, timeout: float) -> bool:
        if self.slots.acquire(blocking=False):
            return True
        with self._lock:
            self._waiting += 1
        try:
            return self.slots.acquire(timeout=timeout)
        finally:
            with self._lock:
                self._waiting -= 1

    def contended(self) -> bool:
        """Someone waits for a slot right now."""
        return self._waiting > 0

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
        _local.io = True
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
                    hand_back()  # idle until the next task
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

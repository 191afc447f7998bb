"""With Django's connection pool (PostgreSQL), an I/O thread holds no database
connection while Thred answers (engine/iopool.py ``hand_back``): a worker can have many
more calls in flight than its pool has connections."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connections

from tests.testapp import models as m
from thred_django.engine import fanout, iopool, runner
from thred_django.engine.context import Share, mapping_call
from thred_django.models import SyncRecord

pytestmark = pytest.mark.django_db(transaction=True)

POOL = {"min_size": 1, "max_size": 4, "timeout": 10}
IN_FLIGHT = 8  # calls held at once: more than the pool's connections


@pytest.fixture
def pooled_default(transactional_db):
    """The default database behind a pool of POOL["max_size"] connections."""
    conn = connections["default"]
    if conn.vendor != "postgresql":
        pytest.skip("Django's connection pool is PostgreSQL's")
    options, max_age = conn.settings_dict["OPTIONS"], conn.settings_dict["CONN_MAX_AGE"]
    conn.close()
    options["pool"] = POOL
    conn.settings_dict["CONN_MAX_AGE"] = 0  # a pool's connections are not kept per thread
    try:
        yield
    finally:
        conn.close()
        conn.close_pool()
        del options["pool"]
        conn.settings_dict["CONN_MAX_AGE"] = max_age


class Gate:
    """Holds the first ``size`` matching calls until that many wait together (or a
    deadline passes), noting whether each calling thread held a database connection."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.cond = threading.Condition()
        self.waiting = 0
        self.entered = 0
        self.peak = 0
        self.held: list[tuple[str, bool]] = []  # (thread, held a connection)

    def enter(self) -> None:
        with self.cond:
            if self.entered >= self.size:
                return
            self.entered += 1
            held = connections["default"].connection is not None
            self.held.append((threading.current_thread().name, held))
            self.waiting += 1
            self.peak = max(self.peak, self.waiting)
            self.cond.notify_all()
            self.cond.wait_for(lambda: self.peak >= self.size, timeout=20)
            self.waiting -= 1


def test_calls_in_flight_beyond_the_pool_hold_no_connection(
    thred, settings, monkeypatch, pooled_default
):
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: None)  # we push
    settings.THRED = {
        **settings.THRED,
        "CONCURRENCY": 1,  # the claim runs here, on one of the pool's connections
        "MAX_IN_FLIGHT": 16,
        "BUSINESS_MAX_IN_FLIGHT": 16,
    }
    shop = m.Shop.objects.create(name="Pooled")
    m.Client.objects.create(shop=shop, name="First client")
    runner.push_due()  # the business, and its token (a call of its own, to the sandbox
    # here in this process: it would use the database inside the customers' calls)
    for i in range(12):
        m.Client.objects.create(shop=shop, name=f"Client {i}")
    tenant_id = SyncRecord.objects.get(resource="business").tenant_id
    monkeypatch.setitem(fanout._windows, tenant_id, fanout.Window(16, start=16))
    gate = Gate(IN_FLIGHT)
    send = thred.handle_request

    def handle(request):
        if request.method == "POST" and request.url.path.rstrip("/").endswith("/customers"):
            gate.enter()
        return send(request)

    monkeypatch.setattr(thred, "handle_request", handle)

    runner.push_due()

    assert gate.peak == IN_FLIGHT, "the calls in flight were held back by the pool"
    assert [held for _, held in gate.held] == [False] * IN_FLIGHT
    assert all(thread.startswith("thred-io-") for thread, _ in gate.held)
    assert set(SyncRecord.objects.values_list("state", flat=True)) == {"synced"}


def test_no_connection_is_handed_back_while_the_host_mapping_runs(pooled_default):
    # A mapping reading through a cursor (QuerySet.iterator()) may ask for a parent
    # that is pushed, or waited for, meanwhile: its connection must stay with it.
    seen: dict[str, bool] = {}

    def task():
        m.Shop.objects.exists()  # this I/O thread now holds a pooled connection
        conn = connections["default"]

        def mapping_code():
            iopool.hand_back()  # as a parent pushed from inside the mapping would
            seen["inside the mapping"] = conn.connection is not None

        mapping_call(mapping_code)
        iopool.hand_back()
        seen["after it"] = conn.connection is not None

    pool = iopool.IOPool(1)
    assert pool.slot(timeout=5)
    pool.submit(task)
    pool.close()

    assert seen == {"inside the mapping": True, "after it": False}


def test_waits_that_keep_a_connection_leave_the_pool_room(settings, pooled_default):
    # Inside the host's code an I/O thread keeps its connection while it waits for a
    # parent another thread is pushing. Were every connection kept so, the thread pushing
    # that parent could get none to finish it, and the run would stall until the pool's
    # timeout failed it (seen with 64 calls in flight on a pool of 16). So at most the
    # pool's size less the claim threads' connections, the caller's and one spare wait
    # at once; the others do not wait (their record waits for its parent the usual way).
    settings.THRED = {**settings.THRED, "CONCURRENCY": 1}
    room = POOL["max_size"] - 1 - 2
    waiters = room + 2
    share = Share()
    parent = 1
    assert share.take(parent)  # being pushed by a thread that needs a connection to finish
    lock = threading.Condition()
    answers: list[bool] = []
    spare: list[bool] = []

    def wait_for_parent() -> None:
        m.Shop.objects.exists()  # this I/O thread now holds a pooled connection
        answer = mapping_call(lambda: share.wait(parent, timeout=20))
        with lock:
            answers.append(answer)
            lock.notify_all()

    def the_parent_s_thread() -> None:
        try:  # gets a connection while the others wait (or the pool's timeout ends it)
            m.Shop.objects.exists()
            got = True
        except OperationalError:
            got = False
        with lock:
            spare.append(got)
            lock.notify_all()

    m.Shop.objects.exists()  # push_due's caller holds one too
    pool = iopool.IOPool(waiters + 1)
    for _ in range(waiters):
        assert pool.slot(timeout=5)
        pool.submit(wait_for_parent)
    with lock:  # the ones that may not wait answer at once
        assert lock.wait_for(lambda: len(answers) == waiters - room, timeout=20)
    assert answers == [False] * (waiters - room)
    assert pool.slot(timeout=5)
    pool.submit(the_parent_s_thread)
    with lock:
        lock.wait_for(lambda: bool(spare), timeout=POOL["timeout"] + 5)
    share.finish(parent, SyncRecord(id=parent))
    pool.close()

    assert spare == [True], "the pool had no connection left for the parent's thread"
    assert sorted(answers) == [False] * (waiters - room) + [True] * room

"""Scale-out: claims hand out whole businesses, threads never wait for a round, and
the queue keeps workers busy while anything is due."""

from __future__ import annotations

import threading

import pytest

from tests.testapp import models as m
from thred_django import tasks
from thred_django.engine import claim, runner
from thred_django.models import SyncRecord


def clients(shops, n: int) -> None:
    for shop in shops:
        for i in range(n):
            m.Client.objects.create(shop=shop, name=f"{shop.name} client {i}")


@pytest.fixture
def no_enqueue(monkeypatch):
    enqueued: list[str] = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: enqueued.append(func))
    return enqueued


@pytest.mark.django_db
def test_a_claim_takes_one_business_and_leaves_held_ones_alone(thred, no_enqueue):
    shops = [m.Shop.objects.create(name=f"Shop {i}") for i in range(2)]
    clients(shops, 3)

    first = claim.claim_business(2)
    tenants = {r.tenant_id for r in first.records}
    assert len(tenants) == 1 and len(first.records) == 2
    assert [r.rank for r in first.records] == [0, 1]  # parents first: the business
    # Its business is held now: the next claim takes the other one, never its children.
    second = claim.claim_business(100)
    assert {r.tenant_id for r in second.records} != tenants
    assert len({r.tenant_id for r in second.records}) == 1
    assert not claim.claim_business(100).records  # both held; nothing else is due
    assert claim.free_businesses(10) == 0
    # Asked by name, a held business is refused too.
    assert not claim.claim_business(100, tenant_id=next(iter(tenants))).records


@pytest.mark.django_db
def test_a_claim_of_a_named_business_checks_it_without_the_candidates_scan(thred, no_enqueue):
    """``tenant_id`` given (the same business again, a group's top-up): no query over
    every business's due and held rows, and the same answers as that query gave: a
    business held by another claim refused, its own claim's token topped up, one with
    nothing due or paused empty."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from thred_django.engine import health
    from thred_django.models import BusinessHealth

    shops = [m.Shop.objects.create(name=f"Shop {i}") for i in range(2)]
    clients(shops, 3)
    tenant = SyncRecord.objects.get(resource="business", object_id=str(shops[0].pk)).tenant_id

    with CaptureQueriesContext(connection) as queries:
        first = claim.claim_business(2, tenant_id=tenant)
    assert {r.tenant_id for r in first.records} == {tenant} and len(first.records) == 2
    assert not any("GROUP BY" in q["sql"] for q in queries.captured_queries)
    # Held by that claim: another claim is refused, the claim itself tops up.
    assert not claim.claim_business(100, tenant_id=tenant).records
    more = claim.claim_business(100, tenant_id=tenant, token=first.token)
    assert len(more.records) == 2 and {r.tenant_id for r in more.records} == {tenant}
    assert not claim.claim_business(100, tenant_id=tenant, token=first.token).records
    # Nothing due: empty. Paused: empty, though its records are due.
    other = SyncRecord.objects.exclude(tenant_id=tenant).first().tenant_id
    assert not claim.claim_business(100, tenant_id="no-such-business").records
    health.pause(other, 60, "test")
    assert not claim.claim_business(100, tenant_id=other).records
    BusinessHealth.objects.filter(tenant_id=other).update(paused_until=None)
    assert len(claim.claim_business(100, tenant_id=other).records) == 4


@pytest.fixture
def reads(monkeypatch) -> list[int]:
    """How many candidates each read of the due businesses found, in order."""
    found: list[int] = []
    real = claim.candidates

    def counting(*args, **kwargs):
        result = real(*args, **kwargs)
        found.append(len(result))
        return result

    monkeypatch.setattr(claim, "candidates", counting)
    return found


@pytest.mark.django_db
def test_a_runs_claims_take_businesses_from_one_read(thred, no_enqueue, reads):
    """The read of every due record (grouped by business) serves the claims of the
    businesses it found, each business taken once; a business due since is found by
    the read that follows once the list is used up, or once it is ``MAX_AGE`` old."""
    shops = [m.Shop.objects.create(name=f"Shop {i}") for i in range(2)]
    clients(shops, 2)
    queue = claim.Candidates()
    queue.MAX_AGE = 60.0  # young all along, however slow the machine
    first = claim.claim_business(100, queue=queue)
    assert reads == [2]
    late = m.Shop.objects.create(name="Late")
    clients([late], 1)
    second = claim.claim_business(100, queue=queue)  # from the list: no read
    assert reads == [2]
    tenants = [first.records[0].tenant_id, second.records[0].tenant_id]
    shop_tenants = set(
        SyncRecord.objects.filter(resource="business").values_list("tenant_id", flat=True)
    )
    assert len(set(tenants)) == 2 and len(shop_tenants) == 3
    third = claim.claim_business(100, queue=queue)  # used up: read again, the late one
    assert reads == [2, 1]
    assert {r.tenant_id for r in third.records} == shop_tenants - set(tenants)
    assert not claim.claim_business(100, queue=queue).records  # all held
    assert reads == [2, 1, 0]

    # An old list is read again though businesses are left in it.
    SyncRecord.objects.update(lease_token=None, lease_until=None, state="pending")
    queue = claim.Candidates()
    claim.claim_business(100, queue=queue)
    queue.MAX_AGE = 0
    claim.claim_business(100, queue=queue)
    assert reads[-2:] == [3, 2]  # the second claim read again: two left unheld


@pytest.mark.django_db(transaction=True)
def test_a_runs_threads_share_its_candidates(thred, settings, no_enqueue, reads, monkeypatch):
    """Three threads, six businesses: far fewer reads of the due businesses than
    businesses claimed, and every business pushed in full."""
    monkeypatch.setattr(claim.Candidates, "MAX_AGE", 60.0)
    settings.THRED = {**settings.THRED, "CONCURRENCY": 3}
    shops = [m.Shop.objects.create(name=f"Shop {i}") for i in range(6)]
    clients(shops, 2)
    runner.push_due()
    assert SyncRecord.objects.exclude(state="synced").count() == 0
    assert reads[0] == 6
    # After the first read: one per thread at most, finding nothing unheld.
    assert len(reads) <= 1 + 3 and all(n < 6 for n in reads[1:])


@pytest.mark.django_db(transaction=True)
def test_each_thread_holds_its_own_business(thred, settings, no_enqueue, monkeypatch):
    """Three threads claim at once: while all three hold their first claim, no two
    have the same business (and each claim is one business, parents first)."""
    settings.THRED = {**settings.THRED, "BATCH_SIZE": 4, "CONCURRENCY": 3}
    shops = [m.Shop.objects.create(name=f"Shop {i}") for i in range(3)]
    clients(shops, 6)
    together = threading.Barrier(3, timeout=30)
    firsts: dict[str, list[SyncRecord]] = {}
    claims: list[list[SyncRecord]] = []
    real = claim.claim_business

    def spy(*args, **kwargs):
        batch = real(*args, **kwargs)
        name = threading.current_thread().name
        if batch.records:
            claims.append(batch.records)
            if name not in firsts:
                firsts[name] = batch.records
                together.wait()  # hold it until the other threads have theirs
        return batch

    monkeypatch.setattr(claim, "claim_business", spy)
    runner.push_due()

    assert len(firsts) == 3
    assert len({records[0].tenant_id for records in firsts.values()}) == 3
    for records in claims:
        assert len({r.tenant_id for r in records}) == 1
        assert [(r.rank, r.id) for r in records] == sorted((r.rank, r.id) for r in records)
    assert SyncRecord.objects.exclude(state="synced").count() == 0
    names = [r.content.decode() for r in thred.calls("POST", "/customers/")]
    for shop in shops:
        assert len([n for n in names if f"{shop.name} client" in n]) == 6
    waits = [r for r in SyncRecord.objects.all() if r.last_error_code == "waiting_for_parent"]
    assert waits == []


@pytest.mark.django_db(transaction=True)
def test_a_thread_drains_its_business_in_order(thred, settings, no_enqueue):
    # One call at a time per business: claims of one business follow each other in
    # order (records with no dependency between them may overlap otherwise: test_fanout).
    settings.THRED = {
        **settings.THRED,
        "BATCH_SIZE": 5,
        "CONCURRENCY": 3,
        "BUSINESS_MAX_IN_FLIGHT": 1,
    }
    shops = [m.Shop.objects.create(name=f"Shop {i}") for i in range(3)]
    runner.push_due()
    big = [m.Client.objects.create(shop=shops[0], name=f"Big client {i}") for i in range(12)]
    for shop in shops[1:]:
        m.Client.objects.create(shop=shop, name=f"{shop.name} client")

    progress: list[int] = []
    stats = runner.push_due(on_progress=progress.append)

    assert stats.claimed == sum(progress) == 14
    assert SyncRecord.objects.exclude(state="synced").count() == 0
    sent = [r.content.decode() for r in thred.calls("POST", "/customers/")]
    order = [next(i for i, body in enumerate(sent) if f'"{c.name}"' in body) for c in big]
    assert order == sorted(order)


@pytest.mark.django_db
def test_a_task_with_more_businesses_than_threads_calls_in_another_worker(
    thred, settings, no_enqueue
):
    settings.THRED = {**settings.THRED, "CONCURRENCY": 1}
    shops = [m.Shop.objects.create(name=f"Shop {i}") for i in range(3)]
    clients(shops, 1)
    tasks.push()
    assert no_enqueue == ["thred_django.tasks.push"]  # at its start, not at its end
    assert SyncRecord.objects.exclude(state="synced").count() == 0


@pytest.mark.django_db
def test_a_task_stopped_by_its_time_limit_enqueues_its_successor(thred, settings, no_enqueue):
    settings.THRED = {**settings.THRED, "TASK_TIME_LIMIT": 1e-9}
    m.Shop.objects.create(name="Shop")
    tasks.push()
    assert no_enqueue == ["thred_django.tasks.push"]
    assert SyncRecord.objects.get().state == "pending"
    settings.THRED = {**settings.THRED, "TASK_TIME_LIMIT": 50.0}
    tasks.sweep()  # nothing left afterwards: nothing more enqueued
    assert SyncRecord.objects.get().state == "synced"
    assert no_enqueue == ["thred_django.tasks.push"]


@pytest.mark.django_db
def test_no_task_is_called_in_while_one_waits_in_the_broker(
    thred, settings, no_enqueue, monkeypatch
):
    settings.THRED = {**settings.THRED, "CONCURRENCY": 1, "TASK_TIME_LIMIT": 1e-9}
    for i in range(3):
        m.Shop.objects.create(name=f"Shop {i}")
    monkeypatch.setattr("thred_django.tasks.push_waiting", lambda: True)
    tasks.push()
    assert no_enqueue == []


@pytest.mark.django_db
def test_seconds_until_due_reads_each_state_on_its_own(thred, no_enqueue):
    """The soonest of: a pending or retrying record's next attempt; while a record is in
    flight, half a second (its claim may end at any moment, freeing its business and its
    children: an idle thread that slept until the lease's end left them waiting, and a
    fast server's push ran at 0.6 of the bare loop instead of 0.8); each state read by
    itself (an index's first entry: a read over the states at once would read every
    pending record)."""
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    shops = [m.Shop.objects.create(name=f"Shop {i}") for i in range(2)]
    clients(shops, 3)
    now = timezone.now()
    mine = SyncRecord.objects.get(resource="business", object_id=str(shops[0].pk)).tenant_id
    own = SyncRecord.objects.filter(tenant_id=mine)
    SyncRecord.objects.exclude(tenant_id=mine).update(next_attempt_at=now + timedelta(seconds=5))
    ids = list(own.order_by("id").values_list("id", flat=True))
    own.filter(id=ids[0]).update(state="retrying", next_attempt_at=now + timedelta(seconds=30))
    own.filter(id=ids[1]).update(state="in_flight", lease_until=now + timedelta(seconds=20))
    own.filter(id__in=ids[2:]).update(next_attempt_at=now + timedelta(seconds=60))

    def wait(**kwargs):
        with CaptureQueriesContext(connection) as queries:
            seconds = runner.seconds_until_due(**kwargs)
        reads = [q["sql"] for q in queries.captured_queries if "MIN(" in q["sql"]]
        assert reads and all(" IN (" not in sql for sql in reads), reads
        return seconds

    assert wait() == 0.5  # in flight: may end at any moment
    assert wait(tenant_id=mine) == 0.5
    own.filter(id=ids[1]).update(state="synced", lease_until=None)
    assert wait() == pytest.approx(5, abs=1)  # the other business
    assert wait(tenant_id=mine) == pytest.approx(30, abs=1)  # the retry
    own.filter(id=ids[0]).update(state="synced")
    assert wait(tenant_id=mine) == pytest.approx(60, abs=1)
    own.update(state="synced")
    assert wait(tenant_id=mine) is None


@pytest.mark.django_db
def test_seconds_until_due_never_says_done_while_a_record_moves_between_its_reads(
    thred, no_enqueue
):
    """Another worker claims the last pending record right after the in-flight read: the
    per-state reads see it in neither state. Saying "nothing left" (None) there ended a
    ``--until-idle`` run with records pending (the chaos run on PostgreSQL)."""
    from django.db import connection

    shop = m.Shop.objects.create(name="Shop")
    clients([shop], 1)
    SyncRecord.objects.update(state="synced")
    last = SyncRecord.objects.filter(resource="customer").get()
    SyncRecord.objects.filter(pk=last.pk).update(state="pending")
    moved = []

    def claim_after_the_first_read(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not moved:
            moved.append(sql)
            SyncRecord.objects.filter(pk=last.pk).update(state="in_flight")
        return result

    with connection.execute_wrapper(claim_after_the_first_read):
        seconds = runner.seconds_until_due()
    assert len(moved) == 1
    assert seconds == 0.5  # in flight now: look again soon

    SyncRecord.objects.update(state="synced")
    assert runner.seconds_until_due() is None

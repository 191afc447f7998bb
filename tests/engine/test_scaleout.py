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

"""Outcomes written in batches (engine/writer.py), and nothing written before a call.

A claim's outcomes wait in ``writer.Outcomes`` and are written together, fenced by the
lease token. These tests hold the guarantees that the batching must keep: a stale
token's batch writes nothing; a worker killed with outcomes unwritten loses only those,
and the next claim converges through external ids / Idempotency-Keys with Thred holding
each object once; no outcome is left unwritten when a claim ends; and a create writes
nothing to its row before its call. Lease lapses are reached with time-machine.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.engine.test_push import record_of
from tests.reliability.test_database_trouble import (
    RESOURCES,
    assert_all_synced_once,
    both_chains,
    creates,
    held_in_thred,
)
from tests.testapp import models as m
from thred_django.client import get_client
from thred_django.engine import claim, writer
from thred_django.engine.push import Pusher
from thred_django.engine.runner import push_due
from thred_django.models import SyncAttempt, SyncRecord

pytestmark = pytest.mark.django_db


def lapsed(seconds: int = 200) -> time_machine.travel:
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


def push_unwritten(limit: int = 1000) -> tuple[claim.Claim, Pusher]:
    """Claim what is due and push it, parents first, without writing any outcome: a
    worker killed before its first flush."""
    batch = claim.claim_due(limit)
    pusher = Pusher(get_client(), batch.token)
    for record in batch.records:
        pusher.push(record)
    return batch, pusher


def test_a_stale_tokens_batch_writes_nothing(thred, shop):
    client = m.Client.objects.create(shop=shop, name="C")
    sale = m.Sale.objects.create(shop=shop, client=client, number="N-1", amount_cents=100)
    push_due(resource="business")
    old, pusher = push_unwritten()
    assert {r.resource for r in old.records} == {"customer", "invoice"}
    assert len(pusher.log) > 0  # two outcomes and their attempt rows, unwritten
    with lapsed():
        new = claim.claim_due(100)  # the lease lapsed: another worker takes both
    assert {r.id for r in new.records} == {r.id for r in old.records}
    # The new holder knows a create may have landed, with the data the rows hold now.
    assert all(claim.sent_revision(r.sent_hash) == r.revision for r in new.records)

    flushed = pusher.log.flush()  # the old worker comes back and writes its batch

    assert flushed.written == [] and len(flushed.lost) == 2
    for obj in (client, sale):
        rec = record_of(obj)
        assert rec.state == "in_flight" and rec.lease_token == new.token and rec.thred_id == ""
    assert not SyncAttempt.objects.filter(record__in=new.records).exists()

    mine = Pusher(get_client(), new.token)
    for record in new.records:
        mine.push(record)
    assert len(mine.log.flush().written) == 2
    bid = record_of(shop).thred_id
    assert len(list(get_client().list_customers(bid))) == 1  # sent twice, held once
    assert len(list(get_client().list_invoices(bid))) == 1
    assert {record_of(client).state, record_of(sale).state} == {"synced"}


def test_a_worker_killed_with_its_outcomes_unwritten_converges_without_double_effects(thred, shop):
    chain = both_chains(shop)
    push_due(resource="business")
    batch, _ = push_unwritten()
    assert len(batch.records) == len(RESOURCES) - 1
    # Thred holds every object; the outbox knows none of it.
    assert set(SyncRecord.objects.exclude(resource="business").values_list("state", flat=True)) == {
        "in_flight"
    }
    for resource, (key, *_) in RESOURCES.items():
        assert len(held_in_thred(shop, resource, chain[key])) == 1, resource

    push_due()  # the lease is still live: nobody takes the records over
    assert not SyncRecord.objects.filter(state="synced").exclude(resource="business").exists()
    with lapsed():
        push_due()

    assert_all_synced_once(thred, shop, chain)
    for resource, (key, *_) in RESOURCES.items():
        if resource != "business":  # each create sent twice, the second answered by Thred
            assert len(creates(thred, resource, chain[key])) == 2, resource
    keyed = creates(thred, "payment", chain["receipt"])
    assert len({r.headers["Idempotency-Key"] for r in keyed}) == 1


def test_an_edit_after_a_killed_worker_is_compared_with_what_thred_holds(thred, shop):
    """Edited after the kill: the data that went out is not known (SENT_EARLIER), so
    the retry compares what Thred answers with the edit: an updatable payment is
    updated, a customer (no update in Thred) is drifted, never falsely synced."""
    chain = both_chains(shop)
    push_due(resource="business")
    push_unwritten()
    receipt, client = chain["receipt"], chain["client"]
    receipt.amount_cents = 11000
    receipt.save()
    client.name = "Jane Buyer Ltd"
    client.save()
    with lapsed():
        batch = claim.claim_due(1000)
        same = {r.resource: claim.sent_revision(r.sent_hash) == r.revision for r in batch.records}
        assert same["invoice"] and not same["payment"] and not same["customer"]
        for record in batch.records:  # given back unsent: the markers stay
            claim.release(record, batch.token, next_attempt_at=timezone.now())
        push_due()

    bid = record_of(shop).thred_id
    payments = [p for p in get_client().list_payments(bid)]
    assert len(payments) == 1 and payments[0]["total_amount_cents"] == 11000
    assert record_of(receipt).state == "synced"
    customer = record_of(client)
    assert customer.state == "drifted" and customer.last_error_code == "update_not_supported"
    assert len(list(get_client().list_customers(bid))) == 1


@pytest.mark.parametrize("fanout", [False, True], ids=["one-at-a-time", "fanned-out"])
@pytest.mark.django_db(transaction=True)
def test_no_outcome_is_left_unwritten_when_a_claim_ends(thred, settings, monkeypatch, fanout):
    """Flushing by size and time is turned off: only the end of each claim writes."""
    monkeypatch.setattr("thred_django.engine.dispatch.enqueue_push", lambda: None)
    monkeypatch.setattr(writer, "FLUSH_EVERY", 10_000)
    monkeypatch.setattr(writer, "FLUSH_SECONDS", 10_000.0)
    settings.THRED = {
        **settings.THRED,
        "CONCURRENCY": 2,
        "BUSINESS_MAX_IN_FLIGHT": 8 if fanout else 1,
        "BATCH_SIZE": 7,  # several claims per business
    }
    shops = [m.Shop.objects.create(name=f"Shop {i}", email=f"s{i}@example.com") for i in range(2)]
    chains = [both_chains(shop) for shop in shops]
    for shop in shops:
        for i in range(5):
            m.Client.objects.create(shop=shop, name=f"{shop.name} client {i}")
    total = SyncRecord.objects.count()

    push_due()

    assert not SyncRecord.objects.exclude(state="synced").exists()
    assert SyncAttempt.objects.filter(outcome="success").count() == total
    for shop, chain in zip(shops, chains, strict=True):
        assert_all_synced_once(thred, shop, chain)


def test_a_create_writes_nothing_before_its_call(thred, shop):
    push_due(resource="business")
    client = m.Client.objects.create(shop=shop, name="C")
    batch = claim.claim_due(10)
    pusher = Pusher(get_client(), batch.token)
    with CaptureQueriesContext(connection) as queries:
        pusher.push(batch.records[0])
    assert thred.calls("POST", "/customers/")  # the call went out
    writes = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "thred_django_syncrecord"')]
    assert writes == []
    assert record_of(client).state == "in_flight"
    pusher.log.flush()
    rec = record_of(client)
    assert rec.state == "synced" and rec.thred_id and rec.sent_hash and rec.lease_token is None


def test_flushes_come_by_size_and_by_age(thred, shop, monkeypatch):
    now = [100.0]
    monkeypatch.setattr(writer.time, "monotonic", lambda: now[0])
    log = writer.Outcomes()
    record = SyncRecord(id=1)
    assert not log.due()
    log.add(writer.Pending(record, {}))
    assert not log.due()
    now[0] += writer.FLUSH_SECONDS
    assert log.due()  # the oldest waited long enough
    log = writer.Outcomes()
    for i in range(writer.FLUSH_EVERY):
        assert not log.due()
        # a success: its outcome, its attempt row and its edges count as one
        log.add(writer.Pending(SyncRecord(id=i + 1), {}, attempt=SyncAttempt(record_id=i + 1)))
        log.edges(SyncRecord(id=i + 1), {(1, "x")})
    assert log.due()
    log = writer.Outcomes()
    for _ in range(writer.FLUSH_EVERY):
        assert not log.due()
        log.attempt(SyncAttempt(record_id=1))  # attempt rows alone (failed calls)
    assert log.due()


def test_an_edit_after_a_claim_that_sent_nothing_is_compared_too(thred, shop):
    """Killed after the create; the next holder gives the record back unsent (no lease
    token left behind); then the host renames it: the marker still names the revision
    the lost create carried, so the rename is compared with what Thred holds."""
    client = m.Client.objects.create(shop=shop, name="Jane Buyer")
    push_due(resource="business")
    push_unwritten()
    with lapsed():
        batch = claim.claim_due(10)
        claim.release(batch.records[0], batch.token, next_attempt_at=timezone.now())
    client.name = "Jane Buyer Ltd"
    client.save()
    with lapsed(400):
        push_due()
    rec = record_of(client)
    assert rec.state == "drifted" and rec.last_error_code == "update_not_supported"
    held = list(get_client().list_customers(record_of(shop).thred_id))
    assert len(held) == 1 and held[0]["company_name"] == "Jane Buyer"


def test_a_claim_keeps_pushed_records_in_memory_only_until_their_outcomes_are_written(thred, shop):
    client = m.Client.objects.create(shop=shop, name="C")
    m.Sale.objects.create(shop=shop, client=client, number="N-9", amount_cents=100)
    push_due(resource="business")
    batch, pusher = push_unwritten()
    ids = [r.id for r in batch.records]
    # Unwritten: a child waiting for one of them reads it from memory (the row is stale).
    assert all(pusher.share.pushed(i) is not None for i in ids)
    assert set(SyncRecord.objects.filter(id__in=ids).values_list("state", flat=True)) == {
        "in_flight"
    }
    assert pusher.share.pushed(ids[0]).thred_id
    pusher.log.flush()
    # Written: read from the database from now on; nothing of them stays in the claim.
    assert [pusher.share.pushed(i) for i in ids] == [None] * len(ids)
    assert set(SyncRecord.objects.filter(id__in=ids).values_list("state", flat=True)) == {"synced"}
    assert pusher.share.wait(ids[0], timeout=0)  # finished: nobody waits for it

"""Concurrency inside a business (engine/fanout.py): many calls in flight, order kept.

The sandbox answers every call after a fixed latency, so calls overlap for real; its
request log (one row per answered request, written before the answer goes out) is what
the order is checked against: a request sent only after another's answer has a larger
log id.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Q

from tests.engine.conftest import ap_chain, ar_chain
from tests.testapp import models as m
from thred_django.engine import fanout, runner
from thred_django.models import BusinessHealth, SyncAttempt, SyncDependency, SyncRecord
from thred_django.sandbox.models import RequestLog

db = pytest.mark.django_db(transaction=True)


@pytest.fixture
def concurrent(thred, settings, monkeypatch):
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, **kw: None)  # we push
    settings.THRED = {
        **settings.THRED,
        "CONCURRENCY": 2,
        "MAX_IN_FLIGHT": 32,
        "BUSINESS_MAX_IN_FLIGHT": 16,
        "BATCH_SIZE": 500,
    }
    settings.THRED_SANDBOX = {**settings.THRED_SANDBOX, "LATENCY": 0.03, "REQUEST_LOG": True}
    fanout._windows.clear()
    yield thred
    fanout._windows.clear()


def seed(shop: m.Shop, n: int, receipts: str = "completed") -> None:
    ar_chain(shop)
    ap_chain(shop)
    for i in range(n):
        client = m.Client.objects.create(shop=shop, name=f"{shop.name} client {i}")
        sale = m.Sale.objects.create(
            shop=shop, client=client, number=f"{shop.pk}-{i}", amount_cents=1000
        )
        m.Receipt.objects.create(shop=shop, sale=sale, amount_cents=400, status=receipts)
        m.Receipt.objects.create(shop=shop, sale=sale, amount_cents=600, status=receipts)


def answered(action: str) -> list[RequestLog]:
    return list(RequestLog.objects.filter(action=action, status__lt=300).order_by("id"))


def most_in_flight(rows: list[RequestLog]) -> int:
    """The most requests of one business the sandbox was answering at one time."""
    events = []
    for row in rows:
        start = row.timestamp - timedelta(milliseconds=row.duration_ms)
        events += [(start, 1), (row.timestamp, -1)]
    peak = current = 0
    for _, step in sorted(events, key=lambda e: (e[0], e[1])):
        current += step
        peak = max(peak, current)
    return peak


def parents_of(record: SyncRecord) -> list[SyncRecord]:
    """The records whose Thred ids the record's payload carried (its stored edges)."""
    keys = SyncDependency.objects.filter(child=record).values_list("parent_type_id", "parent_id")
    if not keys:
        return []
    match = Q()
    for ct, pk in keys:
        match |= Q(content_type_id=ct, object_id=pk)
    return list(SyncRecord.objects.filter(match))


@db
@pytest.mark.parametrize("batch", [500, 7])
def test_creates_go_out_concurrently_each_after_its_parents(
    concurrent, settings, monkeypatch, batch
):
    # 7: the claim is topped up under its lease token many times while it runs.
    settings.THRED = {**settings.THRED, "BATCH_SIZE": batch}
    topped: list[int] = []
    add = fanout.Group._add
    monkeypatch.setattr(
        fanout.Group,
        "_add",
        lambda self, records: topped.append(len(records)) or add(self, records),
    )
    groups: list[int] = []
    run = fanout.Group.run
    monkeypatch.setattr(fanout.Group, "run", lambda self: groups.append(1) or run(self))
    shops = [m.Shop.objects.create(name=f"Shop {i}") for i in range(2)]
    for shop in shops:
        seed(shop, 12)

    runner.push_due()

    assert SyncRecord.objects.exclude(state="synced").count() == 0
    creates = answered("create")
    for shop_record in SyncRecord.objects.filter(resource="business"):
        business_id = shop_record.thred_id
        rows = [r for r in creates if str(r.business_id) == business_id]
        assert most_in_flight(rows) >= 4, "the calls of one business did not overlap"
    first_create = {}
    for row in creates:
        first_create.setdefault(row.external_id, row.id)
    business_creates = {
        r.tenant_id: first_create[r.external_id]
        for r in SyncRecord.objects.filter(resource="business")
    }
    checked = 0
    for record in SyncRecord.objects.exclude(resource="business"):
        mine = first_create[record.external_id]
        assert business_creates[record.tenant_id] < mine, record
        for parent in parents_of(record):
            assert first_create[parent.external_id] < mine, (record, parent)
            checked += 1
    assert checked >= 2 * 12 * 3  # each sale's client, each receipt's sale, at least
    sent = [r.external_id for r in creates]
    assert len(sent) == len(set(sent)), "a record was created twice"
    if batch == 7:
        assert len(topped) > len(groups) + 4, (topped, groups)  # top-ups into running groups


@db
def test_deletes_go_children_first(concurrent, settings, monkeypatch):
    # Every record of the claim may start at once: only the order rules hold them back.
    settings.THRED = {**settings.THRED, "BUSINESS_MAX_IN_FLIGHT": 32}
    monkeypatch.setattr(fanout, "START_WINDOW", 32)
    shop = m.Shop.objects.create(name="Shop")
    seed(shop, 10, receipts="pending")  # Thred cancels pending payments only
    runner.push_due()
    assert SyncRecord.objects.exclude(state="synced").count() == 0
    sales = list(m.Sale.objects.filter(number__startswith=f"{shop.pk}-"))
    receipts = {
        sale.pk: list(m.Receipt.objects.filter(sale=sale).values_list("pk", flat=True))
        for sale in sales
    }
    assert len(sales) == 10
    first_void = RequestLog.objects.order_by("-id").values_list("id", flat=True).first()
    for sale in sales:
        sale.delete()  # its receipts go with it (cascade): cancel them, then void it
    assert SyncRecord.objects.filter(action="delete").count() == 30

    runner.push_due()

    assert SyncRecord.objects.filter(state="in_flight").count() == 0
    log = list(RequestLog.objects.filter(id__gt=first_void).order_by("id"))
    assert most_in_flight(log) >= 2, "the deletes did not overlap"
    assert {r.status for r in log} == {200}, "a void refused (payments left) or another error"

    def done_at(record: SyncRecord, action: str) -> int:
        """When this was asked of Thred first (a refused try counts)."""
        return next(r.id for r in log if r.action == action and record.thred_id in r.path)

    records = {(r.resource, r.object_id): r for r in SyncRecord.objects.all()}
    for sale_pk, receipt_pks in receipts.items():
        invoice = records[("invoice", str(sale_pk))]
        assert invoice.state == "voided"
        voided = done_at(invoice, "void")
        for pk in receipt_pks:
            payment = records[("payment", str(pk))]
            assert payment.state == "voided", payment
            assert done_at(payment, "cancel") < voided


@db
def test_a_rate_limited_business_pauses_without_failing_or_using_attempts(concurrent):
    """Thred answers one business 429 + Retry-After: its records go back (those refused
    retrying until the pause ends, the rest untouched), no attempt used, nothing failed;
    the other business is pushed meanwhile; after the pause, everything is synced."""
    limited, other = (m.Shop.objects.create(name=f"Shop {i}") for i in range(2))
    runner.push_due()  # the two businesses
    business = SyncRecord.objects.get(resource="business", object_id=str(limited.pk))
    concurrent.answer(
        "POST",
        f"/businesses/{business.thred_id}/",
        429,
        {"error_code": "rate_limited", "message": "Too many requests."},
        times=3,
        headers={"Retry-After": "1"},
    )
    for shop in (limited, other):
        for i in range(20):
            m.Client.objects.create(shop=shop, name=f"{shop.name} client {i}")

    def limited_records() -> list[SyncRecord]:
        return list(
            SyncRecord.objects.filter(tenant_id=str(limited.pk)).exclude(resource="business")
        )

    runner.push_due()

    assert not concurrent.rules, "the 429s were not all met"
    assert SyncRecord.objects.filter(tenant_id=str(other.pk), state="synced").count() == 21
    assert "failed" not in {r.state for r in limited_records()}
    assert {r.attempts for r in limited_records()} == {0}
    assert "retrying" in {r.state for r in limited_records()}
    assert BusinessHealth.objects.get(tenant_id=str(limited.pk)).paused_until is not None

    concurrent.rules.clear()
    runner.push_due(until_idle=True)  # waits out the pause (1 s), then pushes the rest

    assert {r.state for r in limited_records()} == {"synced"}
    assert {r.attempts for r in limited_records()} == {0}
    assert not SyncAttempt.objects.filter(record__in=limited_records(), outcome="failed").exists()


def test_a_window_doubles_until_its_first_cut_then_grows_by_one_per_window_and_halves():
    window = fanout.Window(ceiling=16, start=4)
    for _ in range(4):
        window.succeeded()
    assert window.limit == 8  # slow start: one more per success, twice as many per window
    for _ in range(200):
        window.succeeded()
    assert window.limit == 16  # never above the ceiling
    window.congested()
    assert window.limit == 8
    window.congested()  # the calls in flight with the first answer the same: no new cut
    window.congested()
    assert window.limit == 8
    for _ in range(8):
        window.succeeded()
    window.congested()  # a window of answers later: cut again
    assert window.limit == 4
    for _ in range(20):
        window.congested()
        for _ in range(window.limit):
            window.succeeded()
    assert window.limit >= 1
    window.size = 8.0
    for _ in range(8):
        window.succeeded()
    assert 8.9 < window.size < 9.0  # after a cut: about one more per window (8)


def test_congestion_is_429_5xx_and_timeouts_only():
    from thred_django.exceptions import (
        ThredRateLimitError,
        ThredServerError,
        ThredTimeoutError,
        ThredValidationError,
    )

    assert fanout.congestion(ThredRateLimitError("slow down"))
    assert fanout.congestion(ThredServerError("boom"))
    assert fanout.congestion(ThredTimeoutError("late"))
    assert not fanout.congestion(ThredValidationError("bad"))
    assert not fanout.congestion(None)


@pytest.mark.django_db
def test_a_top_up_finds_the_new_records_dependencies_against_the_whole_claim(thred):
    """What a group that claims more computes for the new records alone is what the
    whole claim's computation gives them (their parents among the earlier records)."""
    import uuid

    from thred_django.client import get_client
    from thred_django.engine.push import Pusher

    shop = m.Shop.objects.create(name="Acme")
    seed(shop, 3)
    records = list(SyncRecord.objects.select_related("content_type").order_by("rank", "id"))
    pusher = Pusher(get_client(), uuid.uuid4())
    pusher.preload(records)
    whole = fanout.dependencies(pusher, records)
    for split in (1, len(records) // 2, len(records) - 1):
        new = records[split:]
        assert fanout.dependencies(pusher, new, records) == {r.id: whole[r.id] for r in new}
    assert any(whole[r.id] & {e.id for e in records[: len(records) // 2]} for r in records)

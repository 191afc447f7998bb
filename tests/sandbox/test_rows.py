"""The sandbox's statements built once (``sandbox.rows``, ``ledger.totals``, the
invoices' outstanding balances) find, sum and store what the ORM forms they stand for
do, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.db.models import F, Model, Sum

from tests.sandbox.conftest import Biz
from thred_django.sandbox import ledger, rows
from thred_django.sandbox.kinds import invoice as invoices
from thred_django.sandbox.models import Business, Customer, Invoice, Payment, PaymentAllocation
from thred_django.sandbox.tables import FaultConfig


def values(objects: list[Model]) -> list[dict[str, Any]]:
    return [
        {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields} for obj in objects
    ]


@pytest.fixture
def ledger_rows(biz: Biz) -> dict[str, Any]:
    """Two customers, three invoices, payments of each status (one cancelled)."""
    ann, bob = biz.customer(), biz.customer()
    first = biz.invoice(ann["id"], unit_price=10_000)
    second = biz.invoice(ann["id"], unit_price=5_000)
    third = biz.invoice(bob["id"], unit_price=2_000)
    paid = biz.payment(ann["id"], first["id"], 3_000)
    biz.payment(ann["id"], first["id"], 1_000, status="pending")
    biz.payment(ann["id"], second["id"], 500, status="failed")
    cancelled = biz.payment(ann["id"], second["id"], 700, status="pending")
    biz.ok(biz.post(f"invoices/payments/{cancelled['id']}/delete/"), 200)
    biz.payment(bob["id"], third["id"], 2_000)
    voided = biz.invoice(bob["id"], unit_price=9_000)
    biz.ok(biz.post(f"invoices/{voided['id']}/void/"), 200)  # owes nothing
    return {"ann": ann, "bob": bob, "invoices": [first, second, third], "paid": paid}


@pytest.mark.django_db
def test_find_finds_what_filter_finds(ledger_rows: dict[str, Any], biz: Biz) -> None:
    business = Business.objects.get(id=biz.id)
    ids = [i["id"] for i in ledger_rows["invoices"]] + ["9c0ffee0-0000-4000-8000-000000000000"]
    orm = Invoice.objects.filter(business=business, id__in=ids).order_by("pk")
    assert values(rows.find(Invoice, business=business, id=ids)) == values(list(orm))
    one = Invoice.objects.filter(business_id=biz.id, id__in=ids[:1])
    assert values(rows.find(Invoice, business=biz.id, id=tuple(ids[:1]))) == values(list(one))
    external = ledger_rows["ann"]["external_id"]
    assert values(rows.find(Customer, business=business, external_id=external)) == values(
        list(Customer.objects.filter(business=business, external_id=external))
    )
    assert rows.find(Invoice, business=business, id=[]) == []
    with transaction.atomic():  # FOR UPDATE on PostgreSQL: the same rows
        locked = rows.find(Invoice, for_update=True, id=ids)
    assert values(locked) == values(list(Invoice.objects.filter(id__in=ids).order_by("pk")))
    found = rows.find(Payment, business=business, external_id=None)
    orm_found = Payment.objects.filter(business=business, external_id=None).order_by("pk")
    assert values(found) == values(list(orm_found)) and len(found) == 5


@pytest.mark.django_db
def test_update_stores_what_queryset_update_stores(ledger_rows: dict[str, Any]) -> None:
    first, second, _ = (Invoice.objects.get(id=i["id"]) for i in ledger_rows["invoices"])
    rows.update(Invoice, ["status", "paid_at", "received_cents"], [(first.pk, "X", None, 1)])
    Invoice.objects.filter(pk=second.pk).update(status="X", paid_at=None, received_cents=1)
    after = Invoice.objects.filter(pk__in=[first.pk, second.pk]).values(
        "status", "paid_at", "received_cents"
    )
    assert list(after) == [{"status": "X", "paid_at": None, "received_cents": 1}] * 2
    rows.update(FaultConfig, ["latency"], [])  # nothing to store: no statement
    rows.update(Customer, ["outstanding_cents"], [(first.customer_id, 7), (second.customer_id, 7)])
    assert Customer.objects.get(pk=first.customer_id).outstanding_cents == 7


@pytest.mark.django_db
def test_totals_sum_what_the_orm_sums(ledger_rows: dict[str, Any]) -> None:
    ids = [i["id"] for i in ledger_rows["invoices"]]
    source = next(s for s in invoices.LEDGER.sources if s.model is PaymentAllocation)

    def orm(exclude: dict[str, Any] | None = None) -> dict[Any, int]:
        found = PaymentAllocation.objects.filter(
            invoice_id__in=ids, payment__status__in=source.statuses
        )
        if exclude:
            found = found.exclude(**exclude)
        grouped = found.values_list("invoice_id").annotate(total=Sum("amount_cents")).order_by()
        return {key: int(total) for key, total in grouped}

    assert (
        ledger.totals(source, ids)
        == orm()
        == {
            Invoice.objects.get(id=ids[0]).pk: 4_000,  # paid + pending; failed, cancelled don't
            Invoice.objects.get(id=ids[2]).pk: 2_000,
        }
    )
    own = {"payment_id": ledger_rows["paid"]["id"]}
    assert ledger.totals(source, ids, own) == orm(own)
    assert ledger.totals(source, ids, own)[Invoice.objects.get(id=ids[0]).pk] == 1_000
    assert ledger.totals(source, []) == {}


@pytest.mark.django_db
def test_outstanding_balances_are_the_orm_aggregate(ledger_rows: dict[str, Any]) -> None:
    customers = {Customer.objects.get(id=ledger_rows[n]["id"]).pk for n in ("ann", "bob")}
    grouped = (
        Invoice.objects.filter(customer_id__in=customers)
        .exclude(status="VOID")
        .values_list("customer_id")
        .annotate(total=Sum(F("total_cents") - F("received_cents")))
        .order_by()
    )
    expected = {key: int(total) for key, total in grouped}
    assert invoices._outstanding(customers) == expected
    Customer.objects.update(outstanding_cents=0)
    invoices.refresh_customers(customers)
    stored = dict(Customer.objects.filter(pk__in=customers).values_list("pk", "outstanding_cents"))
    assert stored == {pk: expected.get(pk, 0) for pk in customers}
    assert stored[Customer.objects.get(id=ledger_rows["ann"]["id"]).pk] == 15_000 - 4_000


@pytest.mark.django_db
def test_insert_stores_what_save_stores(biz: Biz) -> None:
    business = Business.objects.get(id=biz.id)

    def customers(prefix: str) -> list[Customer]:
        return [
            Customer(
                business=business,
                external_id=f"{prefix}-{n}",
                company_name="Ümlaut Ltd",
                data={"metadata": {"z": 1, "a": [None, 2.5]}, "notes": "x"},
                is_archived=bool(n),
            )
            for n in range(3)
        ]

    ours, theirs = customers("rows"), customers("orm")
    assert rows.insert(ours[:1]) == ours[:1]
    assert rows.insert(ours[1:]) == ours[1:]
    assert rows.insert([]) == []
    theirs[0].save(force_insert=True)
    Customer.objects.bulk_create(theirs[1:])

    def stored(prefix: str) -> list[dict[str, Any]]:
        found = Customer.objects.filter(external_id__startswith=prefix).order_by("external_id")
        return [
            {
                k: v
                for k, v in row.items()
                if k not in ("id", "external_id", "created_at", "updated_at")
            }
            for row in found.values()
        ]

    assert stored("rows-") == stored("orm-") and len(stored("rows-")) == 3
    assert values(rows.find(Customer, id=[c.pk for c in ours])) == values(
        sorted(ours, key=lambda c: c.pk)
    )


@pytest.mark.django_db
def test_insert_of_a_model_with_an_auto_key_stores_what_create_stores(biz: Biz) -> None:
    """``IdempotencyRecord`` (an auto-incremented key): stored without a key, as
    ``objects.create`` stores it, the database numbering it."""
    from thred_django.sandbox.tables import IdempotencyRecord

    business = Business.objects.get(id=biz.id)

    def record(key: str) -> IdempotencyRecord:
        return IdempotencyRecord(
            business=business,
            resource="payment",
            key=key,
            request_hash="h" * 64,
            status_code=201,
            body='{"a": "ü"}',
        )

    ours = record("rows")
    assert rows.insert([ours]) == [ours] and ours.pk is None
    record("orm").save()
    rows.insert([record("rows-2"), record("rows-3")])
    stored = {r["key"]: r for r in IdempotencyRecord.objects.values()}
    assert sorted(stored) == ["orm", "rows", "rows-2", "rows-3"]
    assert len({r["id"] for r in stored.values()}) == 4
    skip = ("id", "key", "created_at")
    assert all(
        {k: v for k, v in r.items() if k not in skip}
        == {k: v for k, v in stored["orm"].items() if k not in skip}
        for r in stored.values()
    )
    with pytest.raises(AssertionError, match="keys set"):
        rows.insert([IdempotencyRecord(pk=7, business=business, status_code=1)])

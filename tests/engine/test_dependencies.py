"""Dependencies both ways: rows that touch a mapped object (``touched_by``) and records
whose payloads read another's Thred id (edges learnt from ``ctx.thred_id``)."""

from __future__ import annotations

import json

import pytest
from django.contrib.contenttypes.models import ContentType

from tests.engine.test_push import business_id, record_of
from tests.testapp import models as m
from thred_django.client import get_client
from thred_django.engine.marking import mark_queryset
from thred_django.engine.runner import push_due
from thred_django.models import SyncDependency

pytestmark = pytest.mark.django_db


def non_get(thred, since: int = 0) -> list[str]:
    return [
        f"{r.method} {r.url.path}"
        for r in thred.requests[since:]
        if r.method != "GET" and "oauth2" not in r.url.path
    ]


def lines_in_thred(shop, sale) -> list[tuple[str, int]]:
    data = get_client().get_invoice(business_id(shop), record_of(sale).thred_id).data
    return [(li["description"], li["unit_price"]) for li in data["line_items"]]


@pytest.fixture
def sale(shop):
    client = m.Client.objects.create(shop=shop, name="C")
    sale = m.Sale.objects.create(shop=shop, client=client, number="S-1")
    m.SaleLine.objects.create(sale=sale, description="Beans", unit_price_cents=700)
    return sale


def test_saving_deleting_and_moving_a_line_updates_its_invoice(thred, shop, sale):
    push_due()
    assert lines_in_thred(shop, sale) == [("Beans", 700)]

    line = sale.lines.get()
    line.unit_price_cents = 900  # the invoice itself is not saved
    line.save()
    push_due()
    assert record_of(sale).state == "synced"
    assert lines_in_thred(shop, sale) == [("Beans", 900)]

    m.SaleLine.objects.create(sale=sale, description="Cups", unit_price_cents=100)
    push_due()
    assert lines_in_thred(shop, sale) == [("Beans", 900), ("Cups", 100)]

    sale.lines.get(description="Cups").delete()
    push_due()
    assert lines_in_thred(shop, sale) == [("Beans", 900)]

    other = m.Sale.objects.create(shop=shop, client=sale.client, number="S-2")
    m.SaleLine.objects.create(sale=other, description="Tea", unit_price_cents=300)
    push_due()
    moving = sale.lines.get()
    m.SaleLine.objects.create(sale=sale, description="Milk", unit_price_cents=50)
    moving.sale = other  # the line moves: both invoices change
    moving.save()
    push_due()
    assert lines_in_thred(shop, sale) == [("Milk", 50)]
    assert lines_in_thred(shop, other) == [("Beans", 900), ("Tea", 300)]


def test_lines_changed_by_queryset_update_are_marked_through_mark_queryset(thred, shop, sale):
    push_due()
    m.SaleLine.objects.filter(sale=sale).update(unit_price_cents=1234)  # no signal
    assert mark_queryset(m.SaleLine.objects.filter(sale=sale)) == 1
    push_due()
    assert lines_in_thred(shop, sale) == [("Beans", 1234)]


def test_edges_are_learnt_from_thred_id_calls(thred, shop, sale):
    receipt = m.Receipt.objects.create(shop=shop, sale=sale, amount_cents=700)
    push_due()
    edges = {
        (ContentType.objects.get_for_id(ct).model, pk)
        for ct, pk in SyncDependency.objects.filter(child=record_of(receipt)).values_list(
            "parent_type_id", "parent_id"
        )
    }
    assert edges == {("client", str(sale.client_id)), ("sale", str(sale.pk))}


def test_a_parent_edit_the_child_payload_reads_is_sent_for_the_child(
    thred, shop, sale, monkeypatch
):
    """A payment whose payload reads its invoice's number (a note): saving the invoice
    alone re-marks the payment through its edge, and the rebuilt payload is sent."""
    from tests.testapp.thred_mappings import ReceiptMapping

    real = ReceiptMapping.build_payload

    def with_note(self, obj, ctx):
        return {**real(self, obj, ctx), "note": f"For invoice {obj.sale.number}"}

    monkeypatch.setattr(ReceiptMapping, "build_payload", with_note)
    receipt = m.Receipt.objects.create(shop=shop, sale=sale, amount_cents=700)
    push_due()
    sale.number = "S-1b"
    sale.save()  # only the invoice is saved
    push_due()

    rec = record_of(receipt)
    assert rec.state == "synced"
    assert rec.acked_payload["note"] == "For invoice S-1b"
    patches = thred.calls("PATCH", f"/invoices/payments/{rec.thred_id}/")
    assert len(patches) == 1
    assert json.loads(patches[0].content)["note"] == "For invoice S-1b"


def test_a_parent_saved_unchanged_rebuilds_its_dependents_without_a_call(thred, shop, sale):
    receipt = m.Receipt.objects.create(shop=shop, sale=sale, amount_cents=700)
    push_due()
    since = len(thred.requests)
    sale.client.save()  # re-marks the invoice and the payment (both read the customer)
    assert record_of(sale).state == "pending"
    assert record_of(receipt).state == "pending"
    push_due()
    assert record_of(sale).state == "synced" and record_of(receipt).state == "synced"
    assert non_get(thred, since) == []


def test_moving_a_paid_invoice_is_refused_by_thred_and_never_claimed_synced(thred, shop, sale):
    receipt = m.Receipt.objects.create(shop=shop, sale=sale, amount_cents=700)
    new_client = m.Client.objects.create(shop=shop, name="New owner")
    old_client = sale.client
    push_due()
    sale.client = new_client
    sale.save()
    push_due()
    sale_rec, receipt_rec = record_of(sale), record_of(receipt)
    assert sale_rec.state == "failed"
    assert "customer_id" in sale_rec.last_error_details
    assert receipt_rec.state == "failed"  # re-marked through its edge, refused as well
    assert receipt_rec.acked_payload["customer_id"] == record_of(old_client).thred_id != ""


def test_two_lines_of_one_invoice_marked_at_once_mark_it_once(thred, shop, sale):
    m.SaleLine.objects.create(sale=sale, description="Cups", unit_price_cents=100)
    push_due()
    m.SaleLine.objects.filter(sale=sale).update(unit_price_cents=5)
    assert mark_queryset(m.SaleLine.objects.filter(sale=sale)) == 1
    push_due()
    assert lines_in_thred(shop, sale) == [("Beans", 5), ("Cups", 5)]

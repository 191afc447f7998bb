"""Status-driven lifecycle (``Mapping.is_active``, ``should_sync`` turning False) and
creates whose answer was lost, resolved before a void, cancel, archive or delete."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.engine.conftest import ap_chain
from tests.engine.test_push import business_id, record_of
from tests.testapp import models as m
from thred_django.client import get_client
from thred_django.engine.runner import push_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def slow_backoff(settings):
    """A retry never comes inside the same run; tests travel past it."""
    settings.THRED = {**settings.THRED, "BACKOFF_BASE": 100.0, "BACKOFF_MAX": 100.0}


def later(seconds: float = 300):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


ERROR_500 = {"error": "Internal error", "error_code": "server_error", "details": {}}


def non_get(thred, since: int = 0) -> list[str]:
    return [
        f"{r.method} {r.url.path}"
        for r in thred.requests[since:]
        if r.method != "GET" and "oauth2" not in r.url.path
    ]


def invoice_in_thred(shop, sale) -> dict:
    return get_client().get_invoice(business_id(shop), record_of(sale).thred_id).data


@pytest.mark.parametrize("how", ["status void", "should_sync False"])
def test_an_inactive_invoice_is_voided_in_thred_and_cannot_come_back(thred, shop, how):
    client = m.Client.objects.create(shop=shop, name="C")
    sale = m.Sale.objects.create(shop=shop, client=client, number="S-1")
    push_due()
    sale.status = "void" if how == "status void" else "draft"
    sale.save()
    push_due()
    rec = record_of(sale)
    assert rec.state == "voided", (rec.last_error_code, rec.last_error_message)
    assert rec.inactive_in_thred
    assert invoice_in_thred(shop, sale)["status"] == "VOID"
    assert len(thred.calls("POST", f"/invoices/{rec.thred_id}/void/")) == 1

    since = len(thred.requests)
    sale.save()  # saved again, still void: nothing to do
    push_due()
    assert record_of(sale).state == "voided" and non_get(thred, since) == []

    sale.status = "issued"
    sale.save()
    push_due()
    rec = record_of(sale)
    assert rec.state == "drifted"
    assert rec.last_error_code == "reactivate_not_supported"
    assert "create a new invoice" in rec.last_error_details["hint"]
    assert non_get(thred, since) == []

    sale.status = "void"
    sale.save()
    push_due()
    assert record_of(sale).state == "voided" and non_get(thred, since) == []


def test_an_archived_customer_is_archived_and_unarchived_in_thred(thred, shop):
    client = m.Client.objects.create(shop=shop, name="C")
    push_due()
    client.archived = True
    client.save()
    push_due()
    rec = record_of(client)
    assert rec.state == "voided"
    held = get_client().get_customer(business_id(shop), rec.thred_id).data
    assert held["is_archived"] is True

    # A new invoice for an archived customer still finds its Thred id.
    client.archived = False
    client.save()
    push_due()
    rec = record_of(client)
    assert rec.state == "synced", (rec.last_error_code, rec.last_error_message)
    assert not rec.inactive_in_thred
    held = get_client().get_customer(business_id(shop), rec.thred_id).data
    assert held["is_archived"] is False
    assert len(thred.calls("POST", "/unarchive/")) == 1

    # Unarchived and renamed at once: unarchived, and the rename is drifted.
    client.archived = True
    client.save()
    push_due()
    client.archived = False
    client.name = "C Ltd"
    client.save()
    push_due()
    rec = record_of(client)
    assert rec.state == "drifted" and rec.last_error_code == "update_not_supported"
    assert not rec.inactive_in_thred


def test_cancelled_payment_and_bill_payment_are_cancelled_in_thred(thred, shop):
    client = m.Client.objects.create(shop=shop, name="C")
    sale = m.Sale.objects.create(shop=shop, client=client, number="S-1", amount_cents=500)
    receipt = m.Receipt.objects.create(shop=shop, sale=sale, amount_cents=500, status="pending")
    ap = ap_chain(shop)
    ap["bill_payment"].status = "pending"
    ap["bill_payment"].save()
    push_due()
    receipt.cancelled = True
    receipt.save()
    ap["bill_payment"].voided = True
    ap["bill_payment"].save()
    push_due()
    for obj, path in ((receipt, "/invoices/payments/"), (ap["bill_payment"], "/bills/payments/")):
        rec = record_of(obj)
        assert rec.state == "voided", rec.last_error_message
        assert len(thred.calls("POST", f"{path}{rec.thred_id}/delete/")) == 1
    assert get_client().get_payment(business_id(shop), record_of(receipt).thred_id).data[
        "status"
    ] == ("cancelled")


def test_a_cancel_thred_refuses_is_drifted_with_its_reason(thred, shop):
    """Thred cancels only pending or failed payments: a completed one needs a refund."""
    client = m.Client.objects.create(shop=shop, name="C")
    sale = m.Sale.objects.create(shop=shop, client=client, number="S-1", amount_cents=500)
    receipt = m.Receipt.objects.create(shop=shop, sale=sale, amount_cents=500)
    push_due()
    receipt.cancelled = True
    receipt.save()
    push_due()
    rec = record_of(receipt)
    assert rec.state == "drifted"
    assert rec.last_error_code == "payment_not_cancellable"
    assert "refund" in rec.last_error_details["hint"]
    assert not rec.inactive_in_thred


@pytest.mark.parametrize(("key", "resource"), [("supplier", "vendor"), ("bill", "bill")])
def test_inactive_where_thred_has_no_call_is_drifted_then_back(thred, shop, key, resource):
    obj = ap_chain(shop)[key]
    push_due()
    since = len(thred.requests)
    if key == "supplier":
        obj.active = False
    else:
        obj.status = "void"
    obj.save()
    push_due()
    rec = record_of(obj)
    assert rec.state == "drifted"
    assert rec.last_error_code == "deactivate_not_supported"
    assert f"no void, cancel or archive for a {resource}" in rec.last_error_details["hint"]
    assert non_get(thred, since) == []
    if key == "supplier":
        obj.active = True
    else:
        obj.status = "open"
    obj.save()
    push_due()
    rec = record_of(obj)
    assert rec.state == "synced" and rec.last_error_code == ""
    assert non_get(thred, since) == []


def test_never_synced_inactive_object_is_skipped_without_a_call(thred, shop):
    client = m.Client.objects.create(shop=shop, name="C", archived=True)
    push_due()
    assert record_of(client).state == "skipped"
    assert thred.calls("POST", "/customers/") == []


# --- a create whose answer was lost ------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "path", "then"),
    [
        ("invoice", "/invoices/", "delete"),
        ("invoice", "/invoices/", "void"),
        ("customer", "/customers/", "delete"),
        ("customer", "/customers/", "archive"),
        ("payment", "/invoices/payments/", "delete"),
    ],
)
def test_delete_after_a_lost_create_voids_what_thred_holds(
    thred, shop, slow_backoff, resource, path, then
):
    client = m.Client.objects.create(shop=shop, name="C")
    sale = m.Sale.objects.create(shop=shop, client=client, number="S-1", amount_cents=500)
    receipt = None
    if resource == "payment":
        receipt = m.Receipt.objects.create(shop=shop, sale=sale, amount_cents=500, status="pending")
    obj = {"invoice": sale, "customer": client, "payment": receipt}[resource]
    if resource == "customer":
        sale.delete()
    push_due(resource="business")
    if resource != "customer":
        push_due(resource="customer")
    if resource == "payment":
        push_due(resource="invoice")
    thred.answer("POST", path, 500, ERROR_500, after_sandbox=True)
    push_due(resource=resource)
    rec = record_of(obj)
    assert rec.state == "retrying" and rec.thred_id == "" and rec.sent_hash

    if then == "delete":
        obj.delete()
    elif then == "void":
        obj.status = "void"
        obj.save()
    else:
        obj.archived = True
        obj.save()
    push_due()  # the mark made it due now

    rec.refresh_from_db()
    assert rec.state == "voided", (rec.last_error_code, rec.last_error_message)
    assert rec.thred_id  # learnt from Thred
    verb = {"invoice": "void/", "customer": "archive/", "payment": "delete/"}[resource]
    assert len(thred.calls("POST", f"{rec.thred_id}/{verb}")) == 1
    bid = business_id(shop)
    if resource == "invoice":
        assert get_client().get_invoice(bid, rec.thred_id).data["status"] == "VOID"
    elif resource == "customer":
        assert get_client().get_customer(bid, rec.thred_id).data["is_archived"] is True
    else:
        assert get_client().get_payment(bid, rec.thred_id).data["status"] == "cancelled"


def test_delete_of_an_object_that_never_reached_thred_is_skipped(thred, shop, slow_backoff):
    client = m.Client.objects.create(shop=shop, name="C")
    push_due(resource="business")
    thred.answer("POST", "/customers/", 500, ERROR_500)  # refused before Thred stored it
    push_due(resource="customer")
    rec = record_of(client)
    assert rec.state == "retrying" and rec.sent_hash
    client.delete()
    push_due()  # a 500 says nothing of whether that create lands later: not yet decided
    rec.refresh_from_db()
    assert (rec.state, rec.last_error_code) == ("pending", "answer_awaited")
    with time_machine.travel(rec.next_attempt_at, tick=False):
        push_due()
    rec.refresh_from_db()
    assert rec.state == "skipped"
    assert rec.last_error_message == "Deleted before it reached Thred."


def test_a_void_thred_refused_for_its_payments_follows_once_they_are_cancelled(thred, shop):
    """The host voids an invoice while its (pending) payment is still live: Thred refuses
    the void; once the host cancels the payment too, the invoice is voided."""
    client = m.Client.objects.create(shop=shop, name="C")
    sale = m.Sale.objects.create(shop=shop, client=client, number="S-1", amount_cents=500)
    receipt = m.Receipt.objects.create(shop=shop, sale=sale, amount_cents=500, status="pending")
    push_due()
    sale.status = "void"
    sale.save()
    push_due()
    rec = record_of(sale)
    assert rec.state == "drifted" and rec.last_error_code == "invoice_has_payments"

    receipt.cancelled = True
    receipt.save()
    push_due()
    assert record_of(receipt).state == "voided"
    rec = record_of(sale)
    assert rec.state == "voided", (rec.last_error_code, rec.last_error_message)
    assert invoice_in_thred(shop, sale)["status"] == "VOID"

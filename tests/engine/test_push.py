"""The sync engine against the sandbox: order, idempotency, updates, deletes."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.engine.conftest import ap_chain, ar_chain
from tests.testapp import models as m
from thred_django.client import get_client
from thred_django.engine.runner import push_due
from thred_django.models import SyncRecord

pytestmark = pytest.mark.django_db


def record_of(obj) -> SyncRecord:
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(type(obj))
    return SyncRecord.objects.get(content_type=ct, object_id=str(obj.pk))


def business_id(shop) -> str:
    return record_of(shop).thred_id


def states() -> dict[str, str]:
    return dict(SyncRecord.objects.values_list("external_id", "state"))


def test_full_ar_and_ap_chains_reach_the_sandbox_in_order(thred, shop):
    with transaction.atomic():
        ar = ar_chain(shop)
        ap_chain(shop)
        ar["client"].save()  # a late re-save of a parent in the same transaction
    push_due()

    assert set(states().values()) == {"synced"}, states()
    bid = business_id(shop)
    client = get_client()
    invoices = list(client.list_invoices(bid))
    assert [i["external_id"] for i in invoices] == [record_of(ar["sale"]).external_id]
    assert invoices[0]["customer"]["id"] == record_of(ar["client"]).thred_id
    payouts = list(client.list_payouts(bid))
    assert payouts[0]["paid_out_amount_cents"] == 11500
    assert len(list(client.list_bill_payments(bid))) == 1
    assert len(list(client.list_vendor_credits(bid))) == 1
    # Every create came after the creates of what it references.
    order = [r.url.path for r in thred.calls("POST")]
    first = {
        part: next(i for i, p in enumerate(order) if p.endswith(part))
        for part in (
            "/businesses/",
            "/customers/",
            "/invoices/",
            "/invoices/payments/",
            "/invoices/refunds/",
            "/payouts/",
            "/vendors/",
            "/bills/",
            "/bills/payments/",
        )
    }
    assert first["/businesses/"] < first["/customers/"] < first["/invoices/"]
    assert first["/invoices/"] < first["/invoices/payments/"] < first["/payouts/"]
    assert first["/invoices/payments/"] < first["/invoices/refunds/"]
    assert first["/vendors/"] < first["/bills/"] < first["/bills/payments/"]


def test_child_pushed_first_pulls_its_parents_forward(thred, shop):
    ar = ar_chain(shop)
    push_due(resource="refund_payment")  # only the leaf is claimed …

    # … but it needed its refund, invoice, customer and business, which went first.
    assert record_of(ar["refund_payout"]).state == "synced"
    for key in ("sale", "client", "refund"):
        assert record_of(ar[key]).state == "synced"
    assert record_of(shop).state == "synced"
    assert record_of(ar["settlement"]).state == "pending"  # not needed, not sent


def test_rolled_back_transaction_sends_nothing(thred, shop):
    push_due()
    thred.reset()
    with pytest.raises(RuntimeError), transaction.atomic():
        ar_chain(shop)
        raise RuntimeError("host changes its mind")
    push_due()
    assert SyncRecord.objects.exclude(resource="business").count() == 0
    assert thred.calls() == []


def test_save_without_change_sends_nothing_and_a_change_sends_an_update(thred, shop):
    ar = ar_chain(shop)
    push_due()
    thred.reset()

    sale = ar["sale"]
    sale.save()  # nothing Thred would see changed
    push_due()
    assert thred.calls() == []
    assert record_of(sale).state == "synced"

    sale.amount_cents = 15000
    sale.save()
    push_due()
    puts = thred.calls("PUT", "/invoices/")
    assert len(puts) == 1
    assert thred.bodies("PUT", "/invoices/")[0]["line_items"][0]["unit_price"] == 15000
    rec = record_of(sale)
    assert rec.state == "synced"
    assert rec.acked_payload["line_items"][0]["unit_price"] == 15000


def test_delete_voids_the_invoice_and_cancels_a_pending_payment(thred, shop):
    client = m.Client.objects.create(shop=shop, name="C")
    sale = m.Sale.objects.create(shop=shop, client=client, number="INV-9")
    receipt = m.Receipt.objects.create(shop=shop, sale=sale, amount_cents=100, status="pending")
    push_due()
    receipt_rec, sale_rec = record_of(receipt), record_of(sale)

    receipt.delete()
    sale.delete()
    push_due()

    receipt_rec.refresh_from_db()
    sale_rec.refresh_from_db()
    assert receipt_rec.state == "voided"
    assert sale_rec.state == "voided"
    assert len(thred.calls("POST", f"/invoices/{sale_rec.thred_id}/void/")) == 1
    assert len(thred.calls("POST", f"/payments/{receipt_rec.thred_id}/delete/")) == 1


def test_delete_without_a_thred_action_says_so(thred, shop):
    supplier = m.Supplier.objects.create(shop=shop, name="V")
    push_due()
    rec = record_of(supplier)
    supplier.delete()
    push_due()
    rec.refresh_from_db()
    assert rec.state == "orphaned"
    assert "no delete" in rec.last_error_message


def test_filtered_object_is_skipped_then_sent_when_it_qualifies(thred, shop):
    client = m.Client.objects.create(shop=shop, name="C")
    sale = m.Sale.objects.create(shop=shop, client=client, number="D-1", status="draft")
    push_due()
    assert record_of(sale).state == "skipped"
    assert thred.calls("POST", "/invoices/") == []

    sale.status = "issued"
    sale.save()
    push_due()
    assert record_of(sale).state == "synced"


def test_marking_after_bulk_create_and_the_sweep(thred, shop):
    from thred_django import tasks
    from thred_django.engine.marking import mark_queryset

    m.Client.objects.bulk_create([m.Client(shop=shop, name=f"Bulk {i}") for i in range(5)])
    assert SyncRecord.objects.filter(resource="customer").count() == 0  # no signals
    assert mark_queryset(m.Client.objects.all()) == 5
    tasks.sweep()
    assert SyncRecord.objects.filter(resource="customer", state="synced").count() == 5
    assert len(list(get_client().list_customers(business_id(shop)))) == 5


def test_idempotency_key_is_stable_and_persisted(thred, shop):
    ar = ar_chain(shop)
    push_due()
    rec = record_of(ar["receipt"])
    posts = thred.calls("POST", "/invoices/payments/")
    assert posts[0].headers["Idempotency-Key"] == rec.idempotency_key != ""


def test_delete_retried_after_a_lost_response_counts_as_done(thred, shop):
    client = m.Client.objects.create(shop=shop, name="C")
    push_due()
    rec = record_of(client)
    client.delete()
    # Thred archives the customer but the answer is lost; the retry reads it archived.
    thred.answer(
        "POST", "/archive/", 500, {"error": "x", "error_code": "server_error"}, after_sandbox=True
    )
    push_due(until_idle=True)
    rec.refresh_from_db()
    assert (rec.state, rec.inactive_in_thred) == ("voided", True)
    assert rec.last_error_message == "Deleted here; already archived in Thred."
    assert len(thred.calls("POST", "/archive/")) == 1
    assert len(thred.calls("GET", f"/customers/{rec.thred_id}/")) == 1


def test_bill_payment_amount_change_is_reported_not_claimed(thred, shop):
    from tests.engine.conftest import ap_chain

    ap = ap_chain(shop)
    push_due()
    bp = ap["bill_payment"]
    bp.amount_cents = 2500
    bp.save()
    push_due()
    rec = record_of(bp)
    assert rec.state == "drifted"
    assert rec.last_error_code == "update_partial"
    assert "amount_cents" in rec.last_error_message
    fields = rec.last_error_details["fields"]
    # The allocations follow the amount Thred holds, so the drift names them too.
    assert set(fields) == {"amount_cents", "allocations"}
    assert fields["amount_cents"] == {"host": 2500, "thred": 3000}
    assert fields["allocations"]["thred"][0]["amount_cents"] == 3000
    assert "cancel it" in rec.last_error_details["hint"]
    assert rec.acked_payload["amount_cents"] == 3000  # what Thred still holds
    assert len(thred.calls("PATCH", "/bills/payments/")) == 1


def test_parents_already_in_thred_are_looked_up_once_per_model_not_per_child(thred, shop):
    clients = [m.Client.objects.create(shop=shop, name=f"C{i}") for i in range(6)]
    push_due()
    for i, client in enumerate(clients):  # a new run: it has learnt nothing yet
        m.Sale.objects.create(shop=shop, client=client, number=f"N-{i}", amount_cents=100)

    with CaptureQueriesContext(connection) as queries:
        push_due()

    assert SyncRecord.objects.filter(resource="invoice", state="synced").count() == 6
    wheres = [
        q["sql"].split(" WHERE ", 1)[1]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "thred_django_syncrecord"') and " WHERE " in q["sql"]
    ]
    parent_lookups = [w for w in wheres if '"content_type_id" =' in w or '"resource" =' in w]
    # one query for the clients and one for the shop, not one per invoice
    assert len(parent_lookups) == 2, parent_lookups


def test_a_success_keeps_thred_s_answer_in_brief_and_a_refusal_keeps_it_whole(thred, shop):
    """The attempt log of a call Thred accepted keeps its answer's own fields (id, status,
    totals), a nested object as its id and a list as its length, next to the whole
    request; an answer refusing a call is kept whole."""
    from thred_django.models import SyncAttempt

    ar = ar_chain(shop)
    push_due()
    sale = ar["sale"]
    row = SyncAttempt.objects.filter(record=record_of(sale), outcome="success").get()
    answer = row.response_summary
    assert answer["id"] == record_of(sale).thred_id and answer["status"]
    assert answer["line_items"] == "[1 item]"  # in the request's summary, in full
    assert row.request_summary["line_items"][0]["unit_price"] == 12000
    assert answer["customer_id"] == answer["customer"]  # a nested object: its id
    assert not any(isinstance(v, dict | list) and v for v in answer.values())

    refusal = {"error": {"code": "x", "message": "nope", "details": {"a": ["b"]}}}
    thred.answer("PUT", "/invoices/", 422, body=refusal)
    sale.amount_cents = 15000
    sale.save()
    push_due()
    failed = SyncAttempt.objects.filter(record=record_of(sale)).exclude(outcome="success").get()
    assert failed.response_summary == refusal

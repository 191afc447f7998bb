"""The ledger app synced end to end against the sandbox: Decimal money in major units,
DateField documents, lines as child rows, a void status, and a payment kept on the
invoice row itself (one host row → a Thred invoice and a Thred payment)."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from tests.ledgerhost import models as m
from thred_django.client import get_client
from thred_django.engine.runner import push_due
from thred_django.models import SyncRecord

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")


def records(obj) -> dict[str, SyncRecord]:
    ct = ContentType.objects.get_for_model(type(obj))
    return {r.resource: r for r in SyncRecord.objects.filter(content_type=ct, object_id=obj.pk)}


def business_id(org) -> str:
    return records(org)["business"].thred_id


def build(currency="NOK", country="NO", zone="Europe/Oslo"):
    org = m.Organisation.objects.create(
        name="Fjord Regnskap AS", email="post@fjord.test", country=country, currency=currency,
        timezone=zone,
    )  # fmt: skip
    customer = m.Customer.objects.create(organisation=org, name="Nordlys AS")
    invoice = m.Invoice.objects.create(
        organisation=org,
        customer=customer,
        number="F-1001",
        status=m.Invoice.Status.SENT,
        issued_on=date(2026, 3, 2),
        due_on=date(2026, 4, 1),
    )
    m.InvoiceLine.objects.create(
        invoice=invoice, position=1, description="Rådgivning", quantity=Decimal("2.500"),
        unit_price=Decimal("1200.00"),
    )  # fmt: skip
    m.InvoiceLine.objects.create(
        invoice=invoice, position=2, description="Reise", quantity=Decimal("1"),
        unit_price=Decimal("349.90"),
    )  # fmt: skip
    return org, customer, invoice


def test_an_unpaid_invoice_syncs_with_decimal_money_and_dates(thred):
    org, _customer, invoice = build()
    push_due()
    mine = records(invoice)
    assert mine["invoice"].state == "synced", mine["invoice"].last_error_message
    # The payment the row will carry is not due yet: left out, nothing sent.
    assert mine["payment"].state == "skipped"
    assert mine["payment"].external_id == f"ledgerhost.invoice-{invoice.pk}-payment"
    assert mine["invoice"].external_id == f"ledgerhost.invoice-{invoice.pk}"
    held = get_client().get_invoice(business_id(org), mine["invoice"].thred_id).data
    # 2.5 x 1200.00 + 1 x 349.90 NOK, in øre
    assert int(Decimal(str(held["total_amount"]))) == 300000 + 34990
    sent = datetime.fromisoformat(held["sent_at"].replace("Z", "+00:00"))
    assert sent == datetime(2026, 3, 2, tzinfo=OSLO)  # midnight in the organisation's zone
    assert not list(get_client().list_payments(business_id(org)))


def test_paying_on_the_invoice_row_sends_a_payment_allocated_to_that_invoice(thred):
    org, _customer, invoice = build()
    push_due()
    invoice.amount_paid = Decimal("3349.90")
    invoice.paid_at = timezone.make_aware(datetime(2026, 3, 20, 23, 30), OSLO)
    invoice.status = m.Invoice.Status.PAID
    invoice.save()
    push_due()
    mine = records(invoice)
    assert {r: rec.state for r, rec in mine.items()} == {"invoice": "synced", "payment": "synced"}
    payment = get_client().get_payment(business_id(org), mine["payment"].thred_id).data
    body = json.dumps(payment)
    assert mine["invoice"].thred_id in body  # allocated to the same row's invoice
    assert (
        str(
            payment.get("total_amount_cents")
            or payment.get("payment", {}).get("total_amount_cents")
        )
        in body
    )
    sent = mine["payment"].acked_payload
    assert sent["total_amount_cents"] == 334990
    assert sent["payment_date"] == "2026-03-20"  # the day in Oslo, not in UTC
    assert sent["allocations"] == [{"invoice_id": mine["invoice"].thred_id, "amount_cents": 334990}]
    # An unchanged save sends nothing more.
    calls = len(thred.calls("POST")) + len(thred.calls("PUT")) + len(thred.calls("PATCH"))
    invoice.save()
    push_due()
    assert len(thred.calls("POST")) + len(thred.calls("PUT")) + len(thred.calls("PATCH")) == calls


def test_a_line_added_later_updates_the_invoice(thred):
    org, _customer, invoice = build()
    push_due()
    m.InvoiceLine.objects.create(
        invoice=invoice, position=3, description="Tillegg", quantity=Decimal("3"),
        unit_price=Decimal("10.00"),
    )  # fmt: skip
    push_due()
    mine = records(invoice)
    assert mine["invoice"].state == "synced"
    held = get_client().get_invoice(business_id(org), mine["invoice"].thred_id).data
    assert int(Decimal(str(held["total_amount"]))) == 300000 + 34990 + 3000
    assert len(held["line_items"]) == 3


def test_more_decimals_than_the_currency_fail_the_invoice_naming_the_line(thred):
    _org, _customer, invoice = build(currency="ISK", country="IS", zone="Atlantic/Reykjavik")
    push_due()
    mine = records(invoice)
    assert mine["invoice"].state == "failed"
    assert mine["invoice"].last_error_code == "invalid_payload"
    assert "line 2 unit_price: 349.90 ISK has more decimal places than ISK allows (0)" in (
        mine["invoice"].last_error_message
    )
    # The fix: whole krónur.
    m.InvoiceLine.objects.filter(invoice=invoice).update(unit_price=Decimal("350"))
    invoice.save()
    push_due()
    assert records(invoice)["invoice"].state == "synced"


def test_voiding_an_unpaid_invoice_voids_it_in_thred(thred):
    org, _customer, invoice = build()
    push_due()
    invoice.status = m.Invoice.Status.VOID
    invoice.save()
    push_due()
    mine = records(invoice)
    assert mine["invoice"].state == "voided", mine["invoice"].last_error_message
    assert mine["payment"].state == "skipped"  # never sent: nothing to cancel
    held = get_client().get_invoice(business_id(org), mine["invoice"].thred_id).data
    assert held["voided_at"]


def paid(invoice, *, cleared):
    invoice.amount_paid = Decimal("100.00")
    invoice.paid_at = timezone.make_aware(datetime(2026, 3, 5, 12, 0), OSLO)
    invoice.payment_cleared = cleared
    invoice.save()
    push_due()
    assert {r.state for r in records(invoice).values()} == {"synced"}


def test_voiding_an_invoice_with_a_pending_payment_cancels_the_payment_first(thred):
    _org, _customer, invoice = build()
    paid(invoice, cleared=False)
    invoice.status = m.Invoice.Status.VOID
    invoice.save()
    push_due()
    mine = records(invoice)
    # Thred voids no invoice with payments allocated: the payment on the row is
    # cancelled first (deactivations go children first, like deletes), then the invoice.
    assert mine["payment"].state == "voided", mine["payment"].last_error_message
    assert mine["invoice"].state == "voided", mine["invoice"].last_error_message
    paths = [c.url.path for c in thred.calls("POST")][-2:]
    assert paths[0].endswith(f"/invoices/payments/{mine['payment'].thred_id}/delete/")
    assert paths[1].endswith(f"/invoices/{mine['invoice'].thred_id}/void/")


def test_voiding_an_invoice_with_a_completed_payment_says_thred_refused(thred):
    _org, _customer, invoice = build()
    paid(invoice, cleared=True)
    invoice.status = m.Invoice.Status.VOID
    invoice.save()
    push_due()
    mine = records(invoice)
    # Thred cancels no completed payment, so it voids no such invoice: both records say
    # so (drifted, with Thred's code); "synced" is never claimed.
    assert mine["payment"].state == "drifted"
    assert mine["payment"].last_error_code == "payment_not_cancellable"
    assert mine["invoice"].state == "drifted"
    assert mine["invoice"].last_error_code == "invoice_has_payments"
    # The command line says which and why.
    out = io.StringIO()
    call_command("thred_status", "--drifted", stdout=out)
    text = out.getvalue()
    assert f"payment {mine['payment'].external_id} " in text
    assert "drifted [payment_not_cancellable]" in text
    assert "drifted [invoice_has_payments]" in text
    assert text.strip().endswith("2 record(s).")


def test_status_and_check_commands_show_both_records_of_the_row(thred):
    _org, _customer, invoice = build()
    push_due()
    out = io.StringIO()
    call_command("thred_status", "--state", "skipped", "--json", stdout=out)
    rows = json.loads(out.getvalue())["records"]
    assert [(r["resource"], r["object"]) for r in rows] == [
        ("payment", f"ledgerhost.invoice:{invoice.pk}")
    ]
    out = io.StringIO()
    call_command("thred_check", "ledgerhost.Invoice", stdout=out)
    text = out.getvalue()
    assert "ledgerhost.Invoice (invoice): 1 checked, 0 skipped, 0 failing" in text
    assert "ledgerhost.Invoice (payment): 1 checked, 1 skipped, 0 failing" in text


def test_backfill_marks_each_resource_of_existing_rows(thred):
    _org, _customer, invoice = build()
    SyncRecord.objects.all().delete()
    out = io.StringIO()
    call_command("thred_backfill", "ledgerhost.Invoice", stdout=out)
    assert "ledgerhost.Invoice (invoice, payment): 2 record(s) marked" in out.getvalue()
    assert set(records(invoice)) == {"invoice", "payment"}

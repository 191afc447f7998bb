"""What a host does to its objects, one function per step of the lifecycle matrix.

Each step receives a ``Run`` (the world, the recording transport, settings, an admin
client and ``check``, which pushes, compares and asserts a midway state) and returns the
host object whose record the matrix checks at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.engine.fake_transport import RecordingTransport
from tests.lifecycle.world import DAY, WHEN, World, bill_with_lines, drain, invoice_with_lines
from tests.realhost import models as h
from thred_django.engine.runner import push_due
from thred_django.models import SyncRecord


def record_of(obj: Any) -> SyncRecord:
    ct = ContentType.objects.get_for_model(type(obj))
    return SyncRecord.objects.get(content_type=ct, object_id=str(obj.pk))


@dataclass
class Run:
    world: World
    thred: RecordingTransport
    settings: Any
    admin_client: Any
    check: Callable[[Any, tuple[str, ...]], None]
    notes: list[str] = field(default_factory=list)


Step = Callable[[Run], Any]

# --- generic steps ------------------------------------------------------------------------


def create(resource: str) -> Step:
    return lambda run: run.world.of(resource)


def save_unchanged(resource: str) -> Step:
    def step(run: Run) -> Any:
        obj = run.world.of(resource)
        type(obj).objects.get(pk=obj.pk).save()
        return obj

    return step


def edit(resource: str, **changes: Any) -> Step:
    def step(run: Run) -> Any:
        obj = type(run.world.of(resource)).objects.get(pk=run.world.of(resource).pk)
        for name, value in changes.items():
            setattr(obj, name, value(run) if callable(value) else value)
        obj.save()
        return obj

    return step


def edit_and_back(resource: str, expect: tuple[str, ...], **changes: Any) -> Step:
    """An edit Thred cannot take (checked: ``expect``), then the original values again."""

    def step(run: Run) -> Any:
        obj = type(run.world.of(resource)).objects.get(pk=run.world.of(resource).pk)
        before = {name: getattr(obj, name) for name in changes}
        for name, value in changes.items():
            setattr(obj, name, value)
        obj.save()
        run.check(obj, expect)
        for name, value in before.items():
            setattr(obj, name, value)
        obj.save()
        return obj

    return step


def backfill_again(resource: str) -> Step:
    def step(run: Run) -> Any:
        call_command("thred_backfill", verbosity=0)
        return run.world.of(resource)

    return step


def admin_resync(resource: str) -> Step:
    def step(run: Run) -> Any:
        obj = run.world.of(resource)
        record = record_of(obj)
        url = reverse("admin:thred_django_syncrecord_resync", args=[record.pk])
        response = run.admin_client.post(url)
        assert response.status_code in (200, 302), response.status_code
        return obj

    return step


def in_thred(obj: Any) -> Any:
    """``obj`` once it has reached Thred (pushed if it is new)."""
    drain()
    assert record_of(obj).thred_id, f"{obj!r} never reached Thred"
    return obj


def deactivate_and_back(
    make: Callable[[Run], Any], off: dict[str, Any], on: dict[str, Any], expect_off: tuple[str, ...]
) -> Step:
    """Status void / cancel / archive (checked: ``expect_off``), then active again."""

    def step(run: Run) -> Any:
        obj = in_thred(make(run))
        for name, value in off.items():
            setattr(obj, name, value() if callable(value) else value)
        obj.save()
        run.check(obj, expect_off)
        for name, value in on.items():
            setattr(obj, name, value)
        obj.save()
        return obj

    return step


def deactivate(make: Callable[[Run], Any], **off: Any) -> Step:
    def step(run: Run) -> Any:
        obj = in_thred(make(run))
        for name, value in off.items():
            setattr(obj, name, value() if callable(value) else value)
        obj.save()
        return obj

    return step


def host_delete(make: Callable[[Run], Any]) -> Step:
    """Delete a synced object (made by ``make``, pushed first)."""

    def step(run: Run) -> Any:
        obj = in_thred(make(run))
        kept = record_of(obj)
        obj.delete()
        return kept

    return step


# POST path of each resource's create (the first POST of a fresh object).
CREATE_PATH = {
    "customer": "/customers/",
    "vendor": "/vendors/",
    "invoice": "/invoices/",
    "payment": "/invoices/payments/",
    "payout": "/payouts/",
    "refund": "/invoices/refunds/",
    "refund_payment": "/payments/",
    "bill": "/bills/",
    "bill_payment": "/bills/payments/",
    "vendor_credit": "/vendor-credits/",
}


def delete_after_lost_create(resource: str, make: Callable[[Run], Any]) -> Step:
    """Thred commits a create and answers 500 (the response is lost), the host deletes."""

    def step(run: Run) -> Any:
        run.thred.answer("POST", CREATE_PATH[resource], 500, after_sandbox=True)
        slow = {**run.settings.THRED, "BACKOFF_BASE": 600.0, "BACKOFF_MAX": 600.0}
        fast = run.settings.THRED
        run.settings.THRED = slow  # the retry must not come before the delete
        obj = make(run)
        push_due()
        run.settings.THRED = fast
        record = record_of(obj)
        assert record.state == "retrying" and not record.thred_id, (record.state, record.thred_id)
        assert not run.thred.rules, "the create never met its commit-then-500"
        obj.delete()
        return record

    return step


# --- objects made by a step -------------------------------------------------------------


def fresh_contact(run: Run) -> h.Contact:
    return h.Contact.objects.create(company=run.world.company, name="Fresh Contact")


def fresh_supplier(run: Run) -> h.Supplier:
    return h.Supplier.objects.create(company=run.world.company, name="Fresh Supplier")


def fresh_invoice(run: Run) -> h.Invoice:
    """An invoice with no payment or refund (Thred voids and re-parents only those)."""
    return invoice_with_lines(run.world.company, run.world.contact, "INV-2002")


def fresh_bill(run: Run) -> h.Bill:
    return bill_with_lines(run.world.company, run.world.supplier, "B-909")


def fresh_pending_payment(run: Run) -> h.Payment:
    return h.Payment.objects.create(
        company=run.world.company, invoice=run.world.invoice, amount=Decimal("5.00"),
        status="pending", received_on=DAY,
    )  # fmt: skip


def fresh_pending_bill_payment(run: Run) -> h.BillPayment:
    return h.BillPayment.objects.create(
        company=run.world.company, bill=run.world.bill, amount=Decimal("7.00"), status="pending",
        paid_on=DAY,
    )  # fmt: skip


def fresh_payout(run: Run) -> h.Payout:
    return h.Payout.objects.create(
        company=run.world.company, amount=Decimal("1.00"), fee=Decimal("0.10"), paid_at=WHEN
    )


def fresh_refund(run: Run) -> h.Refund:
    return h.Refund.objects.create(
        company=run.world.company, invoice=run.world.invoice, amount=Decimal("3.00"),
        refunded_at=WHEN,
    )  # fmt: skip


def fresh_refund_payment(run: Run) -> h.RefundPayment:
    return h.RefundPayment.objects.create(
        refund=fresh_refund(run), amount=Decimal("3.00"), paid_at=WHEN
    )


def fresh_vendor_credit(run: Run) -> h.VendorCredit:
    return h.VendorCredit.objects.create(
        company=run.world.company, supplier=run.world.supplier, amount=Decimal("4.00"),
        received_at=WHEN,
    )  # fmt: skip


def main(resource: str) -> Callable[[Run], Any]:
    return lambda run: type(run.world.of(resource)).objects.get(pk=run.world.of(resource).pk)


def now() -> Any:
    return timezone.now()


# --- child rows and parents -------------------------------------------------------------


def edit_invoice_line(run: Run) -> Any:
    """Save a line only (a new price and a new line); the invoice itself is not saved."""
    line = run.world.invoice.lines.order_by("position").first()
    line.unit_price = Decimal("55.00")
    line.save()
    h.InvoiceLine.objects.create(
        invoice=run.world.invoice, position=3, description="Milk jug", quantity=1,
        unit_price=Decimal("9.99"),
    )  # fmt: skip
    return run.world.invoice


def delete_bill_line(run: Run) -> Any:
    """Delete a bill line and edit another; the bill itself is not saved."""
    lines = list(run.world.bill.lines.order_by("position"))
    lines[1].delete()
    lines[0].quantity = Decimal("1.5")
    lines[0].save()
    return run.world.bill


def move_paid_invoice(run: Run) -> Any:
    invoice = h.Invoice.objects.get(pk=run.world.invoice.pk)
    invoice.contact = run.world.other_contact
    invoice.save()
    return invoice


def move_unpaid_invoice(run: Run) -> Any:
    invoice = fresh_invoice(run)
    run.check(invoice, ("synced",))
    invoice.contact = run.world.other_contact
    invoice.save()
    return invoice


def move_unpaid_bill(run: Run) -> Any:
    bill = fresh_bill(run)
    run.check(bill, ("synced",))
    bill.supplier = run.world.other_supplier
    bill.save()
    return bill


def move_paid_bill(run: Run) -> Any:
    bill = h.Bill.objects.get(pk=run.world.bill.pk)
    bill.supplier = run.world.other_supplier
    bill.save()
    return bill


def payment_of_moved_invoice(run: Run) -> Any:
    move_paid_invoice(run)
    return run.world.payment


def bill_payment_of_moved_bill(run: Run) -> Any:
    move_paid_bill(run)
    return run.world.bill_payment


def add_payment_to_payout(run: Run) -> Any:
    payout = h.Payout.objects.get(pk=run.world.payout.pk)
    payout.payments.add(run.world.pending_payment)
    payout.save()
    return payout

"""A realhost company holding one of everything, and draining the outbox.

Amounts keep every edit of the matrix valid in Thred: the invoice (125.50) has received
40.00 (completed) + 10.00 (pending) and refunded 20.00; the bill (330.00) has a pending
100.00 payment; the payout settles the completed payment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from django.utils import timezone

from tests.realhost import models as h
from thred_django.engine.runner import push_due
from thred_django.models import BusinessHealth, SyncRecord
from thred_django.resources import State

WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
DAY = date(2026, 3, 2)


@dataclass
class World:
    company: h.Company
    contact: h.Contact
    other_contact: h.Contact
    supplier: h.Supplier
    other_supplier: h.Supplier
    invoice: h.Invoice
    payment: h.Payment  # completed, in the payout
    pending_payment: h.Payment
    payout: h.Payout
    refund: h.Refund
    refund_payment: h.RefundPayment
    bill: h.Bill
    bill_payment: h.BillPayment  # pending
    vendor_credit: h.VendorCredit

    def of(self, resource: str) -> object:
        """The world's main object of a resource."""
        return {
            "business": self.company,
            "customer": self.contact,
            "vendor": self.supplier,
            "invoice": self.invoice,
            "payment": self.payment,
            "payout": self.payout,
            "refund": self.refund,
            "refund_payment": self.refund_payment,
            "bill": self.bill,
            "bill_payment": self.bill_payment,
            "vendor_credit": self.vendor_credit,
        }[resource]


def invoice_with_lines(company: h.Company, contact: h.Contact, number: str) -> h.Invoice:
    invoice = h.Invoice.objects.create(
        company=company, contact=contact, number=number, issued_on=DAY, due_on=date(2026, 4, 1)
    )
    h.InvoiceLine.objects.create(
        invoice=invoice, position=1, description="Espresso machine service", quantity=2,
        unit_price=Decimal("50.00"),
    )  # fmt: skip
    h.InvoiceLine.objects.create(
        invoice=invoice, position=2, description="Descaler", quantity=Decimal("1.5"),
        unit_price=Decimal("17.00"),
    )  # fmt: skip
    invoice.save()  # the lines were added after the invoice's own save, as hosts do
    return invoice


def bill_with_lines(company: h.Company, supplier: h.Supplier, number: str) -> h.Bill:
    bill = h.Bill.objects.create(company=company, supplier=supplier, number=number, issued_on=DAY)
    h.BillLine.objects.create(
        bill=bill, position=1, description="Green beans", quantity=1, unit_price=Decimal("300.00")
    )
    h.BillLine.objects.create(
        bill=bill, position=2, description="Sacks", quantity=3, unit_price=Decimal("10.00")
    )
    bill.save()
    return bill


def build_world(name: str = "Northwind Roasters Ltd") -> World:
    company = h.Company.objects.create(legal_name=name)
    contact = h.Contact.objects.create(company=company, name="Jane Buyer", email="jane@buyer.test")
    other = h.Contact.objects.create(company=company, name="Omar Other", email="omar@other.test")
    supplier = h.Supplier.objects.create(company=company, name="Beans Wholesale")
    other_supplier = h.Supplier.objects.create(company=company, name="Sacks & Co")
    invoice = invoice_with_lines(company, contact, "INV-1001")  # 100.00 + 25.50
    payment = h.Payment.objects.create(
        company=company, invoice=invoice, amount=Decimal("40.00"), method="card", received_on=DAY
    )
    pending = h.Payment.objects.create(
        company=company, invoice=invoice, amount=Decimal("10.00"), status="pending",
        received_on=DAY, reference="BACS-77",
    )  # fmt: skip
    payout = h.Payout.objects.create(
        company=company, amount=Decimal("38.00"), fee=Decimal("2.00"), paid_at=WHEN
    )
    payout.payments.add(payment)
    payout.save()
    refund = h.Refund.objects.create(
        company=company, invoice=invoice, amount=Decimal("20.00"), refunded_at=WHEN
    )
    refund_payment = h.RefundPayment.objects.create(
        refund=refund, amount=Decimal("20.00"), paid_at=WHEN
    )
    bill = bill_with_lines(company, supplier, "B-501")  # 330.00
    bill_payment = h.BillPayment.objects.create(
        company=company, bill=bill, amount=Decimal("100.00"), status="pending", paid_on=DAY
    )
    credit = h.VendorCredit.objects.create(
        company=company, supplier=supplier, amount=Decimal("15.00"), received_at=WHEN
    )
    return World(
        company, contact, other, supplier, other_supplier, invoice, payment, pending, payout,
        refund, refund_payment, bill, bill_payment, credit,
    )  # fmt: skip


def drain(rounds: int = 30) -> None:
    """Push until nothing is due, moving every backoff and pause to now (no sleeping)."""
    for _ in range(rounds):
        push_due()
        waiting = SyncRecord.objects.filter(state__in=(State.PENDING, State.RETRYING))
        lapsed = SyncRecord.objects.filter(state=State.IN_FLIGHT, lease_until__lt=timezone.now())
        if not waiting.exists() and not lapsed.exists():
            return
        now = timezone.now()
        waiting.update(next_attempt_at=now)
        lapsed.update(lease_until=now)
        BusinessHealth.objects.update(paused_until=None, consecutive_failures=0)
    states = dict(SyncRecord.objects.values_list("external_id", "state"))
    raise AssertionError(f"the outbox is not idle after {rounds} pushes: {states}")

"""Reference and balance checks shared by the document views.

Each check either returns what it resolved or raises one 400 ``validation_error``
naming every offending field (``customer_id``, ``allocations[1].invoice_id``, …).
Allocation checks lock the target documents (PostgreSQL row locks, in id order) and
compute what is still open from the allocations of *other* payments, so they are right
for creates and for updates that replace a payment's own allocations; call them inside
the write transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Sum

from thred_django.sandbox import ledger, readings
from thred_django.sandbox.errors import field_error, validation_failed
from thred_django.sandbox.models import (
    Bill,
    BillPaymentAllocation,
    Business,
    Customer,
    Invoice,
    PaymentAllocation,
    Vendor,
    VendorCreditAllocation,
)


def resolve_customer(
    business: Business, cleaned: dict[str, Any], *, new_document: bool = False
) -> Customer:
    """The customer named by ``customer_id`` (or ``customer_external_id``)."""
    if cleaned.get("customer_id"):
        field, lookup = "customer_id", {"id": cleaned["customer_id"]}
    else:
        field, lookup = "customer_external_id", {"external_id": cleaned["customer_external_id"]}
    customer = Customer.objects.filter(business=business, **lookup).first()
    if customer is None:
        raise field_error(
            field, f"Customer {next(iter(lookup.values()))} does not exist in this business."
        )
    if (
        new_document
        and customer.is_archived
        and readings.ARCHIVED_COUNTERPARTY_REFUSES_NEW_DOCUMENTS
    ):
        raise field_error(field, "The customer is archived; unarchive it first.")
    return customer


def resolve_vendor(
    business: Business, cleaned: dict[str, Any], *, new_document: bool = False
) -> Vendor:
    """The vendor named by ``vendor_id`` (or ``vendor_external_id``)."""
    if cleaned.get("vendor_id"):
        field, lookup = "vendor_id", {"id": cleaned["vendor_id"]}
    else:
        field, lookup = "vendor_external_id", {"external_id": cleaned["vendor_external_id"]}
    vendor = Vendor.objects.filter(business=business, **lookup).first()
    if vendor is None:
        raise field_error(
            field, f"Vendor {next(iter(lookup.values()))} does not exist in this business."
        )
    if (
        new_document
        and vendor.status == "ARCHIVED"
        and readings.ARCHIVED_COUNTERPARTY_REFUSES_NEW_DOCUMENTS
    ):
        raise field_error(field, "The vendor is archived; unarchive it first.")
    return vendor


def check_external_id_free(model: Any, business: Business, external_id: str, own_id: Any) -> None:
    """400 on ``external_id`` when another object of the business already uses it."""
    taken = (
        model.objects.filter(business=business, external_id=external_id).exclude(id=own_id).exists()
    )
    if taken:
        raise field_error("external_id", f"external_id {external_id!r} is already used.")


def check_invoice_allocations(
    business: Business,
    customer: Customer,
    allocations: Sequence[dict[str, Any]],
    *,
    exclude_payment_id: Any = None,
    locked: dict[str, Invoice] | None = None,
) -> list[tuple[Invoice, int]]:
    """Invoices exist, belong to ``customer``, are not voided and are open enough.

    ``locked`` are the invoices already locked by the caller (``ledger.lock_invoices``).
    """
    if locked is None:
        locked = ledger.lock_invoices(business, (a["invoice_id"] for a in allocations))
    invoices = locked
    others = (
        PaymentAllocation.objects.filter(
            invoice_id__in=list(invoices),
            payment__status__in=readings.ALLOCATING_PAYMENT_STATUSES,
        )
        .exclude(payment_id=exclude_payment_id)
        .values("invoice_id")
        .annotate(total=Sum("amount_cents"))
    )
    received = {str(row["invoice_id"]): int(row["total"] or 0) for row in others}
    errors: dict[str, list[str]] = {}
    resolved: list[tuple[Invoice, int]] = []
    for index, allocation in enumerate(allocations):
        invoice = invoices.get(allocation["invoice_id"])
        key = f"allocations[{index}]"
        if invoice is None:
            message = f"Invoice {allocation['invoice_id']} does not exist in this business."
            errors.setdefault(f"{key}.invoice_id", []).append(message)
            continue
        if invoice.customer_id != customer.id:
            errors.setdefault(f"{key}.invoice_id", []).append(
                "The invoice belongs to another customer."
            )
        elif invoice.voided_at is not None:
            errors.setdefault(f"{key}.invoice_id", []).append("The invoice is voided.")
        open_cents = max(0, invoice.total_cents - received.get(str(invoice.id), 0))
        if allocation["amount_cents"] > open_cents:
            errors.setdefault(f"{key}.amount_cents", []).append(
                f"Exceeds the invoice's outstanding amount ({open_cents})."
            )
        resolved.append((invoice, allocation["amount_cents"]))
    if errors:
        raise validation_failed(errors)
    return resolved


def check_bill_allocations(
    business: Business,
    vendor: Vendor,
    allocations: Sequence[dict[str, Any]],
    *,
    amount_key: str = "amount_cents",
    exclude_bill_payment_id: Any = None,
    locked: dict[str, Bill] | None = None,
) -> list[tuple[Bill, int]]:
    """Bills exist, belong to ``vendor`` and are open enough (payments and credits).

    ``locked`` are the bills already locked by the caller (``ledger.lock_bills``).
    """
    if locked is None:
        locked = ledger.lock_bills(business, (a["bill_id"] for a in allocations))
    bills = locked
    ids = list(bills)
    paid: dict[str, int] = {}
    payment_rows = (
        BillPaymentAllocation.objects.filter(
            bill_id__in=ids, bill_payment__status__in=readings.ALLOCATING_BILL_PAYMENT_STATUSES
        )
        .exclude(bill_payment_id=exclude_bill_payment_id)
        .values("bill_id")
        .annotate(total=Sum("amount_cents"))
    )
    credit_rows = (
        VendorCreditAllocation.objects.filter(bill_id__in=ids)
        .values("bill_id")
        .annotate(total=Sum("amount_cents"))
    )
    for row in [*payment_rows, *credit_rows]:
        paid[str(row["bill_id"])] = paid.get(str(row["bill_id"]), 0) + int(row["total"] or 0)
    errors: dict[str, list[str]] = {}
    resolved: list[tuple[Bill, int]] = []
    for index, allocation in enumerate(allocations):
        bill = bills.get(allocation["bill_id"])
        key = f"allocations[{index}]"
        if bill is None:
            message = f"Bill {allocation['bill_id']} does not exist in this business."
            errors.setdefault(f"{key}.bill_id", []).append(message)
            continue
        if bill.vendor_id != vendor.id:
            errors.setdefault(f"{key}.bill_id", []).append("The bill belongs to another vendor.")
        open_cents = max(0, bill.total_cents - paid.get(str(bill.id), 0))
        if allocation[amount_key] > open_cents:
            errors.setdefault(f"{key}.{amount_key}", []).append(
                f"Exceeds the bill's outstanding amount ({open_cents})."
            )
        resolved.append((bill, allocation[amount_key]))
    if errors:
        raise validation_failed(errors)
    return resolved

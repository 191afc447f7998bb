"""Querysets that load what the renderers need, so a page costs a fixed query count."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from thred_django.sandbox.models import (
    Bill,
    BillPayment,
    BillPaymentAllocation,
    Invoice,
    Payment,
    PaymentAllocation,
    Payout,
    Refund,
    RefundPayment,
    VendorCredit,
    VendorCreditAllocation,
)


def invoices() -> QuerySet[Invoice]:
    return Invoice.objects.select_related("customer")


def payments() -> QuerySet[Payment]:
    allocations = PaymentAllocation.objects.select_related("invoice").order_by("created_at", "id")
    return Payment.objects.select_related("customer").prefetch_related(
        Prefetch("allocations", queryset=allocations)
    )


def refunds() -> QuerySet[Refund]:
    return Refund.objects.select_related("invoice", "customer").prefetch_related(
        Prefetch("payments", queryset=RefundPayment.objects.order_by("-created_at", "id"))
    )


def refund_payments() -> QuerySet[RefundPayment]:
    return RefundPayment.objects.all()


def payouts() -> QuerySet[Payout]:
    return Payout.objects.prefetch_related(
        Prefetch("payments", queryset=Payment.objects.select_related("customer").order_by("id")),
        Prefetch(
            "refund_payments",
            queryset=RefundPayment.objects.select_related("refund__customer").order_by("id"),
        ),
    )


def bills() -> QuerySet[Bill]:
    allocations: QuerySet[Any] = BillPaymentAllocation.objects.select_related(
        "bill_payment"
    ).order_by("created_at", "id")
    return Bill.objects.select_related("vendor").prefetch_related(
        Prefetch("payment_allocations", queryset=allocations),
        Prefetch("credit_allocations", queryset=VendorCreditAllocation.objects.order_by("id")),
    )


def bill_payments() -> QuerySet[BillPayment]:
    allocations = BillPaymentAllocation.objects.select_related("bill").order_by("created_at", "id")
    return BillPayment.objects.select_related("vendor").prefetch_related(
        Prefetch("allocations", queryset=allocations)
    )


def vendor_credits() -> QuerySet[VendorCredit]:
    allocations = VendorCreditAllocation.objects.select_related("bill").order_by("created_at", "id")
    return VendorCredit.objects.select_related("vendor").prefetch_related(
        Prefetch("allocations", queryset=allocations)
    )

"""Invoice payments: create (Idempotency-Key or external_id), PATCH and cancel (the
settlements family: ``writes.settlements``); their allocations pay into invoices.

The request bodies may also carry ``processor_reference``, ``bank_reference``,
``transaction_tags`` and a creatable ``status`` (the PATCH schema has them; a create
with ``pending`` is the only way to a cancellable payment).
"""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import uuid4

from django.db import models
from django.db.models import F, Prefetch, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework.request import Request

from thred_django.sandbox import filters as f
from thred_django.sandbox import ledger
from thred_django.sandbox import readings as r
from thred_django.sandbox.catalog import Kind
from thred_django.sandbox.errors import field_error
from thred_django.sandbox.kinds import customer, invoice
from thred_django.sandbox.pagination import param
from thred_django.sandbox.render.common import day, display_amount, display_name, sid, strings, ts
from thred_django.sandbox.schemas import Body, Check
from thred_django.sandbox.schemas.bodies import strings as string_list
from thred_django.sandbox.schemas.fields import (
    Cents,
    Choice,
    Day,
    Dict,
    Field,
    Obj,
    Text,
    Uuid,
    long_text,
    many,
)
from thred_django.sandbox.tables import BusinessObject
from thred_django.sandbox.writes import settlements


class Payment(BusinessObject):
    customer = models.ForeignKey(
        customer.Customer, on_delete=models.CASCADE, related_name="payments"
    )
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    total_amount_cents = models.BigIntegerField()
    processing_fee_cents = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, db_index=True)
    payment_date = models.DateField()
    payment_method = models.CharField(max_length=20, blank=True, default="")
    payment_processor = models.CharField(max_length=100, blank=True, default="")
    payout = models.ForeignKey(  # a payout names its payments (kinds.payout)
        "thred_sandbox.Payout",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payments",
    )
    completed_at = models.DateTimeField(null=True)
    failed_at = models.DateTimeField(null=True)
    cancelled_at = models.DateTimeField(null=True)

    class Meta(BusinessObject.Meta):
        pass

    def __str__(self) -> str:
        return f"Payment {self.external_id or self.id}"


class PaymentAllocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid4, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey(
        invoice.Invoice, on_delete=models.CASCADE, related_name="allocations"
    )
    amount_cents = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.amount_cents} to invoice {self.invoice_id}"


invoice.LEDGER.pays_into(
    ledger.Source(
        PaymentAllocation,
        "invoice_id",
        tuple(r.ALLOCATING_PAYMENT_STATUSES),
        owner="payment",
    )
)

# --- Request bodies (CreateInvoicePaymentRequest, UpdateInvoicePaymentRequest) ----------------

FIELDS: dict[str, Field] = {
    "customer_id": Uuid(),
    "total_amount_cents": Cents(minimum=1),
    "allocations": many(
        {"invoice_id": Uuid(required=True), "amount_cents": Cents(required=True, minimum=1)}
    ),
    "payment_date": Day(),
    "currency": Text(3),
    "payment_method": Choice(r.PAYMENT_METHODS),
    "payment_reference": Text(),
    "external_id": Text(),
    "note": long_text(),
    "notes": long_text(),
    "metadata": Dict(),
    "references": Obj(
        {"bank_reference": Text(), "end_to_end_id": Text(), "payment_reference": Text()}
    ),
    "processing_fee_cents": Cents(minimum=0),
    "payment_processor": Text(100),
    "processor_reference": Text(),
    "bank_reference": Text(),
    "transaction_tags": string_list(),
}

CREATE = Obj(
    {
        **FIELDS,
        "customer_id": Uuid(required=True),
        "total_amount_cents": Cents(required=True, minimum=1),
        "allocations": many(
            {"invoice_id": Uuid(required=True), "amount_cents": Cents(required=True, minimum=1)},
            required=r.PAYMENT_NEEDS_ALLOCATIONS,
        ),
        "payment_date": Day(required=True),
        "status": Choice(r.NEW_PAYMENT_STATUSES),
    }
)
UPDATE = Obj({**FIELDS, "status": Choice(r.PAYMENT_STATUSES)})


def _rules(create: bool) -> Any:
    def rules(c: Check) -> None:
        c.currency()
        c.allocations("invoice_id", "amount_cents", c.clean.get("total_amount_cents"))
        c.fee_within("processing_fee_cents", "total_amount_cents")
        if not create:
            c.not_cancelled_by_patch("payment")

    return rules


# --- Responses ---------------------------------------------------------------------------------


def query() -> Any:
    allocations = PaymentAllocation.objects.select_related("invoice").order_by("created_at", "id")
    return Payment.objects.select_related("customer").prefetch_related(
        Prefetch("allocations", queryset=allocations)
    )


def summary(p: Payment, allocations: list[PaymentAllocation] | None = None) -> dict[str, Any]:
    """The create / PATCH shape (callers wrap it in ``{"payment": …}``).

    ``allocations`` (with their invoices) may be passed in when they are at hand, else
    they are read from ``p.allocations`` (prefetch them).
    """
    d = p.data
    rows = list(p.allocations.all()) if allocations is None else allocations
    allocated = sum(a.amount_cents for a in rows)
    return {
        "id": str(p.id),
        "business_id": str(p.business_id),
        "customer_id": str(p.customer_id),
        "external_id": p.external_id,
        "total_amount_cents": p.total_amount_cents,
        "applied_amount_cents": allocated,
        "allocated_amount_cents": allocated,
        "unapplied_amount_cents": p.total_amount_cents - allocated,
        "remaining_amount_cents": p.total_amount_cents - allocated,
        "processing_fee_cents": p.processing_fee_cents,
        "currency": p.currency,
        "status": p.status,
        "payment_date": day(p.payment_date),
        "payment_method": p.payment_method,
        "payment_processor": p.payment_processor,
        **strings(d, "payment_reference", "note", "bank_reference", "processor_reference"),
        "metadata": d.get("metadata", {}),
        "idempotency_key": p.idempotency_key,
        "payout_id": sid(p.payout_id),
        "created_at": ts(p.created_at),
        "updated_at": ts(p.updated_at),
        "applied_invoices": [
            {
                "id": str(a.invoice_id),
                "invoice_number": a.invoice.invoice_number,
                "applied_amount_cents": a.amount_cents,
                "status": a.invoice.status.lower(),
                "outstanding_amount_cents": invoice.outstanding_cents(a.invoice),
            }
            for a in rows
        ],
    }


def render(p: Payment) -> dict[str, Any]:
    """The get / list shape: the summary fields plus the documented detail fields."""
    allocated = sum(a.amount_cents for a in p.allocations.all())
    payer = p.customer
    net = p.total_amount_cents - p.processing_fee_cents
    return {
        **summary(p),
        "customer": {
            "id": str(payer.id),
            "name": display_name(payer),
            "email": payer.email,
            "company_name": payer.company_name,
        },
        "customer_name": display_name(payer),
        "customer_email": payer.email,
        "total_amount": p.total_amount_cents,
        "allocated_amount": allocated,
        "unallocated_amount": p.total_amount_cents - allocated,
        "unallocated_amount_cents": p.total_amount_cents - allocated,
        "net_amount": net,
        "net_amount_cents": net,
        "processing_fee": p.processing_fee_cents,
        "display_amount": display_amount(p.total_amount_cents, p.currency),
        "is_fully_allocated": allocated >= p.total_amount_cents,
        "is_completed": p.status == "completed",
        "processed_at": ts(p.completed_at),
        "failed_at": ts(p.failed_at),
        "cancelled_at": ts(p.cancelled_at),
        "allocations": [
            {
                "id": str(a.id),
                "invoice_id": str(a.invoice_id),
                "invoice_number": a.invoice.invoice_number,
                "invoice_status": a.invoice.status,
                "amount": a.amount_cents,
                "amount_cents": a.amount_cents,
                "allocated_at": ts(a.created_at),
                "transaction_tags": [],
                "notes": "",
            }
            for a in p.allocations.all()
        ],
        "refund_allocations": [],
        "reconciled_bank_transactions": [],
    }


# --- Writes and lists --------------------------------------------------------------------------

SETTLEMENT = settlements.Settlement(
    resource="payment",
    label="payment",
    model=Payment,
    allocation=PaymentAllocation,
    party=customer.PARTY,
    settled=invoice.LEDGER,
    amount="total_amount_cents",
    allocating=r.ALLOCATING_PAYMENT_STATUSES,
    default_currency=lambda business: business.base_currency,
    columns=("payment_method", "payment_processor"),
    patchable=("currency", "payment_date", "payment_method", "payment_processor"),
    created=lambda obj, rows: {"payment": summary(obj, rows)},
    shown=lambda obj: {"payment": summary(obj)},
    query=query,
)


def _fully_allocated(queryset: Any, fully: bool) -> Any:
    allocated = queryset.annotate(_allocated=Coalesce(Sum("allocations__amount_cents"), 0))
    lookup = "_allocated__gte" if fully else "_allocated__lt"
    return allocated.filter(**{lookup: F("total_amount_cents")})


_SORTS = {
    "payment_date": "payment_date",
    "amount": "total_amount_cents",
    "created_at": "created_at",
}


def _order(request: Request) -> tuple[str, ...]:
    sort = _SORTS.get(param(request, "sort_by") or "payment_date")
    if sort is None:
        raise field_error("sort_by", f"Must be one of: {', '.join(_SORTS)}.")
    order = (param(request, "order") or "desc").lower()
    if order not in ("asc", "desc"):
        raise field_error("order", "Must be asc or desc.")
    prefix = "-" if order == "desc" else ""
    return (f"{prefix}{sort}", f"{prefix}created_at", "id")


def _feeds(payment: Payment) -> Any:
    ids = list(payment.allocations.values_list("invoice_id", flat=True))
    return ledger.refresh_existing(invoice.LEDGER, ids)


KIND = Kind(
    "payment",
    model=Payment,
    query=query,
    render=render,
    bodies={
        "create": Body(CREATE, _rules(create=True)),
        "update": Body(UPDATE, _rules(create=False)),
    },
    filters=(
        f.ids("customer_id"),
        f.ids("invoice_id", "allocations__invoice_id", distinct=True),
        f.at_least("date_from", "payment_date", "datetime", to_date=True),
        f.at_most("date_to", "payment_date", "datetime", to_date=True),
        f.at_least("min_amount", "total_amount_cents"),
        f.at_most("max_amount", "total_amount_cents"),
        f.exact("status"),
        f.exact("payment_method"),
        f.exact("payment_processor"),
        f.flag("fully_allocated", _fully_allocated),
        f.search(
            "external_id",
            *(f"data__{key}" for key in ("payment_reference", "processor_reference")),
            *(f"data__{key}" for key in ("bank_reference", "note", "notes")),
            "customer__company_name",
            "customer__individual_name",
        ),
    ),
    order=_order,
    summed="total_amount_cents",
    create=partial(settlements.create, SETTLEMENT),
    update=("patch", partial(settlements.update, SETTLEMENT)),
    actions={"cancel": partial(settlements.cancel, SETTLEMENT)},
    tables=(PaymentAllocation,),
    feeds=_feeds,
)

"""Bill payments: create (Idempotency-Key or external_id), PATCH and cancel (the
settlements family: ``writes.settlements``); their allocations pay into bills."""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import uuid4

from django.db import models
from django.db.models import Prefetch
from django.utils import timezone

from thred_django.sandbox import filters as f
from thred_django.sandbox import ledger
from thred_django.sandbox import readings as r
from thred_django.sandbox.catalog import Kind
from thred_django.sandbox.kinds import bill, vendor
from thred_django.sandbox.render.common import day, display_name, strings, ts
from thred_django.sandbox.schemas import Body, Check
from thred_django.sandbox.schemas.bodies import external_id
from thred_django.sandbox.schemas.fields import (
    Cents,
    Choice,
    Day,
    Dict,
    Obj,
    Text,
    Uuid,
    long_text,
    many,
)
from thred_django.sandbox.tables import BusinessObject
from thred_django.sandbox.writes import settlements


class BillPayment(BusinessObject):
    vendor = models.ForeignKey(
        vendor.Vendor, on_delete=models.CASCADE, related_name="bill_payments"
    )
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    amount_cents = models.BigIntegerField()
    processing_fee_cents = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, db_index=True)
    payment_method = models.CharField(max_length=20)
    payment_date = models.DateField()
    check_number = models.CharField(max_length=50, blank=True, default="")
    completed_at = models.DateTimeField(null=True)
    failed_at = models.DateTimeField(null=True)
    cancelled_at = models.DateTimeField(null=True)

    class Meta(BusinessObject.Meta):
        pass

    def __str__(self) -> str:
        return f"Bill payment {self.external_id or self.id}"


class BillPaymentAllocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid4, editable=False)
    bill_payment = models.ForeignKey(
        BillPayment, on_delete=models.CASCADE, related_name="allocations"
    )
    bill = models.ForeignKey(
        bill.Bill, on_delete=models.CASCADE, related_name="payment_allocations"
    )
    amount_cents = models.BigIntegerField()
    description = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.amount_cents} to bill {self.bill_id}"


bill.LEDGER.pays_into(
    ledger.Source(
        BillPaymentAllocation,
        "bill_id",
        tuple(r.ALLOCATING_BILL_PAYMENT_STATUSES),
        owner="bill_payment",
    )
)

# --- Request bodies (CreateBillPaymentRequest, UpdateBillPaymentRequest) ----------------------

ALLOCATION = {
    "bill_id": Uuid(required=True),
    "amount_cents": Cents(required=True, minimum=1),
    "description": long_text(),
}


def _required(name: str) -> bool:
    return name in r.BILL_PAYMENT_REQUIRED


CREATE = Obj(
    {
        "vendor_id": Uuid(required=_required("vendor_id")),
        "amount_cents": Cents(required=_required("amount_cents"), minimum=1),
        "currency": Text(3),
        "payment_method": Choice(r.BILL_PAYMENT_METHODS, required=_required("payment_method")),
        "payment_date": Day(required=_required("payment_date")),
        "payment_reference": Text(100),
        "check_number": Text(50),
        "description": long_text(),
        "memo": long_text(),
        "processing_fee_cents": Cents(minimum=0),
        "external_id": external_id("bill_payment"),
        "metadata": Dict(),
        "allocations": many(ALLOCATION, required=_required("allocations")),
        "status": Choice(r.NEW_PAYMENT_STATUSES),
    }
)

UPDATE = Obj(
    {
        "status": Choice(r.BILL_PAYMENT_STATUSES),
        "failure_reason": long_text(),
        "payment_reference": Text(100),
        "check_number": Text(50),
        "description": long_text(),
        "memo": long_text(),
        "processing_fee_cents": Cents(minimum=0),
        "metadata": Dict(),
        "allocations": many(ALLOCATION),
    }
)


def _create_rules(c: Check) -> None:
    if c.clean.get("payment_method") == "check" and not c.sent("check_number"):
        c.add("check_number", "Required when payment_method is check.")
    c.currency(default=r.BILL_PAYMENT_DEFAULT_CURRENCY)
    c.allocations("bill_id", "amount_cents", c.clean.get("amount_cents"))
    c.fee_within("processing_fee_cents", "amount_cents")


def _update_rules(c: Check) -> None:
    c.allocations("bill_id", "amount_cents", None)
    c.not_cancelled_by_patch("bill payment")


# --- Response ----------------------------------------------------------------------------------


def query() -> Any:
    allocations = BillPaymentAllocation.objects.select_related("bill").order_by("created_at", "id")
    return BillPayment.objects.select_related("vendor").prefetch_related(
        Prefetch("allocations", queryset=allocations)
    )


def render(
    p: BillPayment, allocations: list[BillPaymentAllocation] | None = None
) -> dict[str, Any]:
    """A bill payment (expects vendor and allocations__bill loaded, or ``allocations``)."""
    d = p.data
    allocations = list(p.allocations.all()) if allocations is None else allocations
    allocated = sum(a.amount_cents for a in allocations)
    return {
        "id": str(p.id),
        "business_id": str(p.business_id),
        "vendor_id": str(p.vendor_id),
        "vendor_name": display_name(p.vendor),
        "external_id": p.external_id,
        "payment_reference": d.get("payment_reference", ""),
        "processor_payment_id": d.get("processor_payment_id", ""),
        "check_number": p.check_number,
        "amount_cents": p.amount_cents,
        "currency": p.currency,
        "processing_fee_cents": p.processing_fee_cents,
        "net_amount_cents": p.amount_cents - p.processing_fee_cents,
        "allocated_amount_cents": allocated,
        "unallocated_amount_cents": p.amount_cents - allocated,
        "is_fully_allocated": allocated >= p.amount_cents,
        "payment_method": p.payment_method,
        "status": p.status,
        "payment_date": day(p.payment_date),
        "value_date": day(p.payment_date),
        "submitted_at": ts(p.created_at),
        "completed_at": ts(p.completed_at),
        "failed_at": ts(p.failed_at),
        "cancelled_at": ts(p.cancelled_at),
        **strings(d, "description", "memo", "failure_reason"),
        "metadata": d.get("metadata", {}),
        "idempotency_key": p.idempotency_key,
        "allocations": [
            {
                "id": str(a.id),
                "bill_id": str(a.bill_id),
                "bill_number": a.bill.bill_number,
                "vendor_bill_number": a.bill.data.get("vendor_bill_number", ""),
                "bill_status": a.bill.status,
                "amount_cents": a.amount_cents,
                "allocation_date": ts(a.created_at),
                "created_at": ts(a.created_at),
                "description": a.description,
            }
            for a in allocations
        ],
        "vendor_refund_allocations": [],
        "reconciled_bank_transactions": [],
        "created_at": ts(p.created_at),
        "updated_at": ts(p.updated_at),
    }


# --- Writes ------------------------------------------------------------------------------------

SETTLEMENT = settlements.Settlement(
    resource="bill_payment",
    label="bill payment",
    model=BillPayment,
    allocation=BillPaymentAllocation,
    party=vendor.PARTY,
    settled=bill.LEDGER,
    amount="amount_cents",
    allocating=r.ALLOCATING_BILL_PAYMENT_STATUSES,
    default_currency=lambda business: r.BILL_PAYMENT_DEFAULT_CURRENCY,
    columns=("payment_method", "check_number"),
    patchable=("check_number",),
    created=lambda obj, rows: render(obj, rows),
    shown=render,
    query=query,
)


def _feeds(payment: BillPayment) -> Any:
    ids = list(payment.allocations.values_list("bill_id", flat=True))
    return ledger.refresh_existing(bill.LEDGER, ids)


KIND = Kind(
    "bill_payment",
    model=BillPayment,
    query=query,
    render=render,
    bodies={"create": Body(CREATE, _create_rules), "update": Body(UPDATE, _update_rules)},
    filters=(
        f.ids("vendor_id"),
        f.ids("bill_id", "allocations__bill_id", distinct=True),
        f.choice("status", r.BILL_PAYMENT_FILTER_STATUSES),
        f.exact("payment_method"),
        f.at_least("payment_date_start", "payment_date", "date"),
        f.at_most("payment_date_end", "payment_date", "date"),
        f.search("check_number", "data__payment_reference", "data__processor_payment_id"),
    ),
    order=lambda request: ("-payment_date", "-created_at", "id"),
    auth="business_only",
    summed="amount_cents",
    create=partial(settlements.create, SETTLEMENT),
    update=("patch", partial(settlements.update, SETTLEMENT)),
    actions={"cancel": partial(settlements.cancel, SETTLEMENT)},
    tables=(BillPaymentAllocation,),
    feeds=_feeds,
)

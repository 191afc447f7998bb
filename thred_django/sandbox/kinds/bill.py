"""Bills: create (idempotent on external_id) and PUT (the documents family:
``writes.documents``); the bill ledger other kinds pay into (bill payments, vendor
credits). A bill PUT takes every create field, all optional (documented)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.db import models
from django.utils import timezone

from thred_django.sandbox import filters as f
from thred_django.sandbox import ledger
from thred_django.sandbox import readings as r
from thred_django.sandbox.catalog import Kind
from thred_django.sandbox.kinds import vendor
from thred_django.sandbox.render.common import day, lines, strings, ts, without_nulls
from thred_django.sandbox.schemas import Body, Check, totals
from thred_django.sandbox.schemas.bodies import SALES_TAX, external_id
from thred_django.sandbox.schemas.bodies import strings as string_list
from thred_django.sandbox.schemas.fields import (
    Cents,
    DateTime,
    Day,
    Dict,
    ListOf,
    Obj,
    Quantity,
    Text,
    Url,
    Uuid,
    account,
    long_text,
    many,
)
from thred_django.sandbox.tables import Business, BusinessObject
from thred_django.sandbox.writes import documents


class Bill(BusinessObject):
    vendor = models.ForeignKey(vendor.Vendor, on_delete=models.CASCADE, related_name="bills")
    bill_number = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=20, default="OPEN", db_index=True)
    currency = models.CharField(max_length=3)
    total_cents = models.BigIntegerField(default=0)
    paid_cents = models.BigIntegerField(default=0)
    due_at = models.DateTimeField(null=True)
    paid_at = models.DateTimeField(null=True)

    class Meta(BusinessObject.Meta):
        pass

    def __str__(self) -> str:
        return f"Bill {self.bill_number or self.external_id or self.id}"


# --- Balances --------------------------------------------------------------------------------


def status(bill: Bill) -> str:
    if bill.paid_cents >= bill.total_cents:
        return "PAID"
    return "PARTIALLY_PAID" if bill.paid_cents > 0 else "OPEN"


LEDGER = ledger.Settled("bill", Bill, "vendor", "paid_cents", status)


def lock(business: Business, ids: Iterable[Any]) -> dict[str, Any]:
    return ledger.lock(LEDGER, business, ids)


def refresh(bills: Iterable[Any], inserting: Sequence[Sequence[Any]] = ()) -> None:
    """``ledger.refresh`` (``inserting``: new rows stored with the sums, counted in them)."""
    ledger.refresh(LEDGER, bills, inserting)


def outstanding_cents(bill: Bill) -> int:
    return ledger.outstanding(LEDGER, bill)


# --- Request bodies (CreateBillRequest, UpdateBillRequest) ------------------------------------

LINE = {
    "quantity": Quantity(required=True),
    "unit_price": Cents(required=True, minimum=r.UNIT_PRICE_MIN),
    "description": long_text(),
    "account_identifier": account(),
    "product": Text(),
    "sales_taxes": many(SALES_TAX),
}

CREATE = Obj(
    {
        "external_id": external_id("bill"),
        "line_items": many(LINE, required=True),
        "vendor_id": Uuid(),
        "vendor_external_id": Text(),
        "bill_number": Text(),
        "vendor_bill_number": Text(),
        "purchase_order_number": Text(),
        "memo": long_text(),
        "reference_numbers": string_list(),
        "attachment_urls": ListOf(Url()),
        "bill_date": Day(),
        "received_at": DateTime(),
        "due_at": DateTime(),
        "approved_at": DateTime(),
        "currency": Text(3),
        "document": Dict(),
    }
)


def _rules(create: bool) -> Any:
    def rules(c: Check) -> None:
        if create:
            c.one_of("vendor_id", "vendor_external_id")
        c.currency()
        c.total(totals.bill)

    return rules


# --- Response ----------------------------------------------------------------------------------

_LINE = {
    "bill_id": lambda bill, subtotal, total: str(bill.id),
    "sales_taxes_total": lambda bill, subtotal, total: total - subtotal,
    "tax_rate": lambda bill, subtotal, total: (
        round((total - subtotal) / subtotal, 6) if subtotal else 0
    ),
}


def _allocations(name: str) -> Any:
    """The manager of the rows that allocate to bills under ``name`` (the kinds paying
    into bills declare them)."""
    related: Any = Bill._meta.get_field(name).related_model
    return related._default_manager


def query() -> Any:
    """Bills with what ``render`` reads: vendor, payment and credit allocations."""
    payments = _allocations("payment_allocations").select_related("bill_payment")
    return Bill.objects.select_related("vendor").prefetch_related(
        models.Prefetch("payment_allocations", queryset=payments.order_by("created_at", "id")),
        models.Prefetch(
            "credit_allocations", queryset=_allocations("credit_allocations").order_by("id")
        ),
    )


def render(b: Bill, new: bool = False) -> dict[str, Any]:
    """A bill (expects vendor, payment_allocations__bill_payment, credit_allocations;
    a ``new`` bill has no allocations)."""
    d = b.data
    payments = () if new else b.payment_allocations.all()
    credits = () if new else b.credit_allocations.all()
    open_status = b.status in ("OPEN", "PARTIALLY_PAID")
    return without_nulls(
        {
            "type": "Bill",
            "id": str(b.id),
            "business_id": str(b.business_id),
            "external_id": b.external_id,
            "status": b.status,
            "terms": d.get("terms", ""),
            "bill_number": b.bill_number,
            **strings(d, "vendor_bill_number", "purchase_order_number", "memo"),
            "issue_date": d.get("bill_date"),
            "bill_date": d.get("bill_date"),
            "received_at": d.get("received_at"),
            "approved_at": d.get("approved_at"),
            "due_at": ts(b.due_at),
            "paid_at": ts(b.paid_at),
            "voided_at": None,
            "is_overdue": bool(open_status and b.due_at and b.due_at < timezone.now()),
            "currency": b.currency,
            "vendor_id": str(b.vendor_id),
            "vendor": vendor.render(b.vendor),
            "reference_numbers": d.get("reference_numbers", []),
            "attachment_urls": d.get("attachment_urls", []),
            "line_items": lines(b, totals.bill_line, **_LINE),
            "total_amount": b.total_cents,
            "total_amount_cents": b.total_cents,
            "paid_amount_cents": b.paid_cents,
            "outstanding_amount_cents": outstanding_cents(b),
            "bill_payment_allocations": [
                {
                    "bill_payment_id": str(a.bill_payment_id),
                    "amount_cents": a.amount_cents,
                    "payment_date": day(a.bill_payment.payment_date),
                    "payment_method": a.bill_payment.payment_method,
                    "status": a.bill_payment.status,
                }
                for a in payments
            ],
            "vendor_credit_allocations": [
                {"vendor_credit_id": str(a.vendor_credit_id), "amount_cents": a.amount_cents}
                for a in credits
            ],
            "created_at": ts(b.created_at),
            "updated_at": ts(b.updated_at),
        },
        "received_at",
    )


# --- Writes ------------------------------------------------------------------------------------

DOCUMENT = documents.Document(
    resource="bill",
    settled=LEDGER,
    party=vendor.PARTY,
    total=totals.bill,
    columns=("bill_number", "due_at"),
    put_columns=("bill_number", "currency", "due_at"),
    moves=lambda doc, cleaned: bool(cleaned.get("vendor_id") or cleaned.get("vendor_external_id")),
    currency=lambda business, cleaned: cleaned.get("currency") or business.base_currency,
    query=query,
    render=render,
    render_new=partial(render, new=True),
)

KIND = Kind(
    "bill",
    model=Bill,
    query=query,
    render=render,
    bodies={
        "create": Body(CREATE, _rules(create=True)),
        "update": Body(CREATE.optional(), _rules(create=False)),
    },
    filters=(f.ids("vendor_id"), f.exact("status", fold=str.upper)),
    create=partial(documents.create, DOCUMENT),
    update=("put", partial(documents.update, DOCUMENT)),
    feeds=lambda obj: ledger.refresh_existing(LEDGER, [obj.pk]),
    total=totals.bill,
)

"""Vendor credit notes: create (idempotent on external_id); their allocations pay into
bills.

The vendor is ``vendor_id`` (must exist) or ``vendor_external_id``, which creates the
vendor when unknown (documented). Optional allocations apply the credit to open bills
of that vendor and may not exceed the credit's total or a bill's outstanding amount.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import uuid4

from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from rest_framework.response import Response

from thred_django.sandbox import filters as f
from thred_django.sandbox import ledger
from thred_django.sandbox import readings as r
from thred_django.sandbox.catalog import Kind
from thred_django.sandbox.errors import field_error
from thred_django.sandbox.kinds import bill, vendor
from thred_django.sandbox.references import check_allocations, resolve
from thred_django.sandbox.render.common import display_name, sid, ts, without_nulls
from thred_django.sandbox.schemas import Body, Check, totals
from thred_django.sandbox.schemas.bodies import external_id
from thred_django.sandbox.schemas.fields import (
    Anything,
    Cents,
    DateTime,
    Dict,
    ListOf,
    Obj,
    Text,
    Uuid,
    account,
    long_text,
    many,
)
from thred_django.sandbox.tables import Business, BusinessObject
from thred_django.sandbox.views.base import SandboxAPIView, echo
from thred_django.sandbox.writes import common


class VendorCredit(BusinessObject):
    vendor = models.ForeignKey(vendor.Vendor, on_delete=models.CASCADE, related_name="credits")
    total_cents = models.BigIntegerField(default=0)
    applied_cents = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, default="open")

    class Meta(BusinessObject.Meta):
        pass

    def __str__(self) -> str:
        return f"Vendor credit {self.external_id or self.id}"


class VendorCreditAllocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid4, editable=False)
    vendor_credit = models.ForeignKey(
        VendorCredit, on_delete=models.CASCADE, related_name="allocations"
    )
    bill = models.ForeignKey(bill.Bill, on_delete=models.CASCADE, related_name="credit_allocations")
    amount_cents = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.amount_cents} to bill {self.bill_id}"


bill.LEDGER.pays_into(ledger.Source(VendorCreditAllocation, "bill_id", owner="vendor_credit"))

# --- Request body (CreateVendorCreditRequest) -------------------------------------------------

CREATE = Obj(
    {
        "external_id": external_id("vendor_credit"),
        "vendor_external_id": Text(),
        "vendor_id": Uuid(),
        "line_items": many(
            {
                "amount": Cents(required=True, minimum=1),
                "expense_account_identifier": account(),
                "tax_amount_cents": Cents(minimum=0),
                "memo": long_text(),
                "metadata": Dict(),
                "reference_number": Text(),
                "tags": ListOf(Anything()),
            },
            required=True,
        ),
        "allocations": many(
            {"bill_id": Uuid(required=True), "amount": Cents(required=True, minimum=1)}
        ),
        "received_at": DateTime(),
        "source_bill_id": Uuid(),
        "currency": Text(3),
        "tags": ListOf(Anything()),
        "document": Dict(),
    }
)


def _rules(c: Check) -> None:
    c.one_of("vendor_id", "vendor_external_id")
    c.currency()
    c.allocations("bill_id", "amount", c.total(totals.vendor_credit))


# --- Response ----------------------------------------------------------------------------------


def query() -> Any:
    allocations = VendorCreditAllocation.objects.select_related("bill").order_by("created_at", "id")
    return VendorCredit.objects.select_related("vendor").prefetch_related(
        Prefetch("allocations", queryset=allocations)
    )


def render(c: VendorCredit, allocations: Iterable[Any] | None = None) -> dict[str, Any]:
    """A vendor credit (expects vendor and allocations__bill loaded, or the
    ``allocations`` given: a new credit's, with their bills)."""
    d = c.data
    if allocations is None:
        allocations = c.allocations.all()
    return without_nulls(
        {
            "id": str(c.id),
            "business_id": str(c.business_id),
            "external_id": c.external_id,
            "status": c.status,
            "received_at": d.get("received_at"),
            "vendor_id": str(c.vendor_id),
            "vendor": {
                "id": str(c.vendor_id),
                "external_id": c.vendor.external_id,
                "display_name": display_name(c.vendor),
            },
            "source_bill_id": sid(d.get("source_bill_id")),
            "line_items": d.get("line_items", []),
            "allocations": [
                {
                    "bill_id": str(a.bill_id),
                    "bill_number": a.bill.bill_number,
                    "amount": a.amount_cents,
                    "amount_cents": a.amount_cents,
                    "bill_outstanding_balance_cents": bill.outstanding_cents(a.bill),
                    "applied_at": ts(a.created_at),
                }
                for a in allocations
            ],
            "tags": d.get("tags", []),
            "total_amount": c.total_cents,
            "total_amount_cents": c.total_cents,
            "applied_amount": c.applied_cents,
            "applied_amount_cents": c.applied_cents,
            "currency": c.currency,
            "document": None,
            "created_at": ts(c.created_at),
            "updated_at": ts(c.updated_at),
        },
        "received_at",
        "document",
    )


# --- Writes ------------------------------------------------------------------------------------


def _vendor(business: Business, cleaned: dict[str, Any]) -> vendor.Vendor:
    if cleaned.get("vendor_id") or not r.VENDOR_CREDIT_CREATES_VENDOR:
        found: vendor.Vendor = resolve(vendor.PARTY, business, cleaned, new_document=True)
        return found
    payee, _ = vendor.Vendor.objects.get_or_create(
        business=business, external_id=cleaned["vendor_external_id"]
    )
    if vendor.PARTY.is_archived(payee) and r.ARCHIVED_COUNTERPARTY_REFUSES_NEW_DOCUMENTS:
        raise field_error("vendor_external_id", "The vendor is archived; unarchive it first.")
    return payee


def _status(applied: int, total: int) -> str:
    if applied <= 0:
        return "open"
    return "applied" if applied >= total else "partially_applied"


def create(v: SandboxAPIView) -> Response:
    business = v.business

    made: list[VendorCreditAllocation] = []
    locked: dict[str, Any] = {}  # the bills ``lock`` took, checked by ``build``

    def build(data: dict[str, Any], cleaned: dict[str, Any]) -> VendorCredit:
        payee = _vendor(business, cleaned)
        allocations = cleaned.get("allocations") or []
        resolved = check_allocations(
            bill.LEDGER, business, payee, allocations, amount_key="amount", locked=locked
        )
        total = totals.vendor_credit(cleaned)
        applied = sum(amount for _, amount in resolved)
        credit = VendorCredit(
            business=business,
            vendor=payee,
            external_id=cleaned["external_id"],
            total_cents=total,
            applied_cents=applied,
            currency=cleaned.get("currency") or business.base_currency,
            status=_status(applied, total),
            data=echo(data, cleaned),
        )
        made[:] = [
            VendorCreditAllocation(vendor_credit=credit, bill=one, amount_cents=amount)
            for one, amount in resolved
        ]
        # Stored with the bills' sums (one statement on PostgreSQL), counted in them;
        # the bills were locked: refreshed in place.
        bill.refresh({one.pk: one for one, _ in resolved}.values(), ([credit], made))
        return credit

    def built(credit: VendorCredit) -> dict[str, Any]:
        """As ``query`` loads it: allocations by creation time and id."""
        return render(credit, sorted(made, key=lambda a: (a.created_at, a.id)))

    def lock(cleaned: dict[str, Any]) -> None:
        bill_ids = [a["bill_id"] for a in cleaned.get("allocations") or []]
        if bill_ids:
            locked.update(bill.lock(business, bill_ids))

    def one_write(cleaned: dict[str, Any]) -> bool:
        """No allocations, and a vendor that is only read (not made): one INSERT."""
        creates_vendor = not cleaned.get("vendor_id") and r.VENDOR_CREDIT_CREATES_VENDOR
        return not cleaned.get("allocations") and not creates_vendor

    return common.create(
        v, "vendor_credit", query, build, render, lock=lock, built=built, one_write=one_write
    )


def _feeds(credit: VendorCredit) -> Any:
    ids = list(credit.allocations.values_list("bill_id", flat=True))
    return ledger.refresh_existing(bill.LEDGER, ids)


KIND = Kind(
    "vendor_credit",
    model=VendorCredit,
    query=query,
    render=render,
    bodies={"create": Body(CREATE, _rules)},
    filters=(f.ids("vendor_id"), f.exact("status", fold=str.lower)),
    create=create,
    tables=(VendorCreditAllocation,),
    feeds=_feeds,
)

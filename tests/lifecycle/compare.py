"""What the host says against what the sandbox holds, object by object.

``host_view()`` reads the realhost models (never the outbox) and says, per Thred object
``(resource, external_id)``, whether it should be live in Thred and with which fields:
amounts in cents, lines, links (the parent's external_id), status. ``thred_view()``
reads the same facts from the sandbox's own tables. ``compare()`` lists every
``Difference``; ``unexplained()`` keeps those the outbox does not admit in the record's
own state (``drifted`` naming the field, ``orphaned`` for a deletion Thred cannot
carry). The lifecycle matrix and the convergence test both use it; the convergence site
runs it in its own process (tests/lifecycle/scripts/compare.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType

from tests.realhost import models as h
from tests.realhost.thred_mappings import MAPPINGS, cents
from thred_django.mappings import Mapping
from thred_django.models import SyncRecord
from thred_django.sandbox import models as s

Key = tuple[str, str]  # (resource, external_id)
Facts = dict[str, Any]

LIVE = "live"  # the fact "this object is live (not void / cancelled / archived)"
EXISTS = "exists"


def _mapping(model: type) -> Mapping:
    return MAPPINGS[model](model)


def _ext(obj: Any) -> str:
    return _mapping(type(obj)).get_external_id(obj)


def _day(value: date | datetime | str | None) -> str:
    """A date or date-time as its UTC date (what both sides can be compared on)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = (
            datetime.fromisoformat(value.replace("Z", "+00:00"))
            if "T" in value
            else (date.fromisoformat(value))
        )
    return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()


def _line_total(quantity: Any, unit_cents: int) -> int:
    amount = Decimal(str(quantity)) * unit_cents
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _host_lines(lines: Any) -> list[tuple[str, int]]:
    """(description, line total in cents) per line: what Thred books for each."""
    return [(ln.description, _line_total(ln.quantity, cents(ln.unit_price))) for ln in lines]


# THRED["FRACTIONAL_LINES"] = "single_line" (the default) sends a line whose total is not
# whole cents as one unit at its rounded total, "(1.5 x 199.39 GBP)" after its description.
_FOLDED = re.compile(r" \([0-9.]+ x [^)]*\)$")


def _thred_lines(data: dict[str, Any]) -> list[tuple[str, int]]:
    return [
        (
            _FOLDED.sub("", ln.get("description", "")),
            _line_total(ln["quantity"], int(ln["unit_price"])),
        )
        for ln in data.get("line_items") or []
    ]


# --- the host ---------------------------------------------------------------------------


def _host_facts(obj: Any) -> Facts:
    if isinstance(obj, h.Company):
        return {
            "legal_name": obj.legal_name,
            "email": obj.email,
            "country": obj.country,
            "base_currency": obj.currency,
        }
    if isinstance(obj, h.Contact | h.Supplier):
        return {"company_name": obj.name, "email": obj.email}
    if isinstance(obj, h.Invoice):
        lines = _host_lines(obj.lines.all())
        return {
            "customer_id": _ext(obj.contact),
            "invoice_number": obj.number,
            "sent_at": _day(obj.issued_on),
            "due_at": _day(obj.due_on),
            "memo": obj.memo,
            "line_items": lines,
            "total_cents": sum(total for _, total in lines),
        }
    if isinstance(obj, h.Payment):
        return {
            "customer_id": _ext(obj.invoice.contact),
            "total_amount_cents": cents(obj.amount),
            "payment_date": _day(obj.received_on),
            "status": "pending" if obj.status == "pending" else "completed",
            "payment_reference": obj.reference,
            "allocations": [(_ext(obj.invoice), cents(obj.amount))],
        }
    if isinstance(obj, h.Payout):
        return {
            "paid_out_amount_cents": cents(obj.amount),
            "fee_cents": cents(obj.fee),
            "completed_at": _day(obj.paid_at),
            "memo": obj.memo,
            "payment_ids": sorted(_ext(p) for p in obj.payments.all()),
        }
    if isinstance(obj, h.Refund):
        return {
            "invoice_id": _ext(obj.invoice),
            "amount_cents": cents(obj.amount),
            "completed_at": _day(obj.refunded_at),
            "memo": obj.memo,
        }
    if isinstance(obj, h.RefundPayment):
        return {
            "refund_id": _ext(obj.refund),
            "amount_cents": cents(obj.amount),
            "completed_at": _day(obj.paid_at),
            "memo": obj.memo,
        }
    if isinstance(obj, h.Bill):
        lines = _host_lines(obj.lines.all())
        return {
            "vendor_id": _ext(obj.supplier),
            "bill_number": obj.number,
            "bill_date": _day(obj.issued_on),
            "memo": obj.memo,
            "line_items": lines,
            "total_cents": sum(total for _, total in lines),
        }
    if isinstance(obj, h.BillPayment):
        return {
            "vendor_id": _ext(obj.bill.supplier),
            "amount_cents": cents(obj.amount),
            "payment_date": _day(obj.paid_on),
            "status": "pending" if obj.status == "pending" else "completed",
            "payment_reference": obj.reference,
            "allocations": [(_ext(obj.bill), cents(obj.amount))],
        }
    if isinstance(obj, h.VendorCredit):
        return {
            "vendor_id": _ext(obj.supplier),
            "total_cents": cents(obj.amount),
            "received_at": _day(obj.received_at),
            "memo": obj.memo or "Credit",
        }
    raise TypeError(f"no host facts for {type(obj).__name__}")


def _host_live(mapping: Mapping, obj: Any) -> bool:
    """Should Thred hold this object live? (mapped filter and status / soft delete)"""
    is_active = getattr(mapping, "is_active", lambda obj: True)  # the Mapping default
    return bool(mapping.should_sync(obj)) and bool(is_active(obj))


_PREFETCH = {
    h.Invoice: ("lines",),
    h.Bill: ("lines",),
    h.Payout: ("payments",),
}


def host_view() -> dict[Key, Facts]:
    """Every realhost object that exists, as Thred should hold it."""
    view: dict[Key, Facts] = {}
    for model, mapping_class in MAPPINGS.items():
        mapping = mapping_class(model)
        queryset = mapping.get_queryset().prefetch_related(*_PREFETCH.get(model, ()))
        for obj in queryset:
            facts = _host_facts(obj)
            facts[LIVE] = _host_live(mapping, obj)
            view[(mapping.resource, mapping.get_external_id(obj))] = facts
    return view


# --- the sandbox ------------------------------------------------------------------------


def _ext_of(row: Any) -> str:
    return row.external_id or "" if row is not None else ""


def _thred_facts(resource: str, row: Any) -> Facts:
    d = row.data or {}
    if resource == "business":
        return {
            "legal_name": row.legal_name,
            "email": row.email,
            "country": row.country,
            "base_currency": row.base_currency,
            LIVE: True,
        }
    if resource == "customer":
        return {
            "company_name": row.company_name,
            "email": row.email,
            LIVE: not row.is_archived,
        }
    if resource == "vendor":
        return {
            "company_name": row.company_name,
            "email": row.email,
            LIVE: row.status != "ARCHIVED",
        }
    if resource == "invoice":
        return {
            "customer_id": _ext_of(row.customer),
            "invoice_number": row.invoice_number,
            "sent_at": _day(row.sent_at),
            "due_at": _day(row.due_at),
            "memo": d.get("memo", ""),
            "line_items": _thred_lines(d),
            "total_cents": row.total_cents,
            LIVE: row.status != "VOID",
        }
    if resource == "payment":
        return {
            "customer_id": _ext_of(row.customer),
            "total_amount_cents": row.total_amount_cents,
            "payment_date": _day(row.payment_date),
            "status": row.status,
            "payment_reference": d.get("payment_reference", ""),
            "allocations": sorted(
                (_ext_of(a.invoice), a.amount_cents) for a in row.allocations.all()
            ),
            LIVE: row.status != "cancelled",
        }
    if resource == "payout":
        return {
            "paid_out_amount_cents": row.paid_out_amount_cents,
            "fee_cents": row.fee_cents,
            "completed_at": _day(row.completed_at),
            "memo": d.get("memo", ""),
            "payment_ids": sorted(_ext_of(p) for p in row.payments.all()),
            LIVE: row.status != "cancelled",
        }
    if resource == "refund":
        return {
            "invoice_id": _ext_of(row.invoice),
            "amount_cents": row.amount_cents,
            "completed_at": _day(row.completed_at),
            "memo": d.get("memo", ""),
            LIVE: True,
        }
    if resource == "refund_payment":
        return {
            "refund_id": _ext_of(row.refund),
            "amount_cents": row.amount_cents,
            "completed_at": _day(row.completed_at),
            "memo": d.get("memo", ""),
            LIVE: True,
        }
    if resource == "bill":
        return {
            "vendor_id": _ext_of(row.vendor),
            "bill_number": row.bill_number,
            "bill_date": _day(d.get("bill_date")),
            "memo": d.get("memo", ""),
            "line_items": _thred_lines(d),
            "total_cents": row.total_cents,
            LIVE: row.status != "VOID",
        }
    if resource == "bill_payment":
        return {
            "vendor_id": _ext_of(row.vendor),
            "amount_cents": row.amount_cents,
            "payment_date": _day(row.payment_date),
            "status": row.status,
            "payment_reference": d.get("payment_reference", ""),
            "allocations": sorted((_ext_of(a.bill), a.amount_cents) for a in row.allocations.all()),
            LIVE: row.status != "cancelled",
        }
    if resource == "vendor_credit":
        lines = d.get("line_items") or [{}]
        return {
            "vendor_id": _ext_of(row.vendor),
            "total_cents": row.total_cents,
            "received_at": _day(d.get("received_at")),
            "memo": lines[0].get("memo", ""),
            LIVE: True,
        }
    raise ValueError(resource)


_SANDBOX = {
    "customer": s.Customer.objects.all(),
    "vendor": s.Vendor.objects.all(),
    "invoice": s.Invoice.objects.select_related("customer"),
    "payment": s.Payment.objects.select_related("customer").prefetch_related(
        "allocations__invoice"
    ),
    "payout": s.Payout.objects.prefetch_related("payments"),
    "refund": s.Refund.objects.select_related("invoice"),
    "refund_payment": s.RefundPayment.objects.select_related("refund"),
    "bill": s.Bill.objects.select_related("vendor"),
    "bill_payment": s.BillPayment.objects.select_related("vendor").prefetch_related(
        "allocations__bill"
    ),
    "vendor_credit": s.VendorCredit.objects.select_related("vendor"),
}


def thred_view(business_external_ids: list[str] | None = None) -> dict[Key, Facts]:
    """What the sandbox holds for the realhost companies' businesses (or the ones named)."""
    if business_external_ids is None:
        company = _mapping(h.Company)
        business_external_ids = [company.get_external_id(c) for c in h.Company.objects.all()]
    businesses = list(s.Business.objects.filter(external_id__in=business_external_ids))
    view: dict[Key, Facts] = {}
    for business in businesses:
        view[("business", business.external_id)] = _thred_facts("business", business)
    for resource, queryset in _SANDBOX.items():
        for row in queryset.all().filter(business__in=businesses):
            key = (resource, row.external_id or f"<no external_id {row.id}>")
            if key in view:  # never two objects for one external_id (a database constraint)
                view[key] = {**view[key], EXISTS: "twice"}
            else:
                view[key] = _thred_facts(resource, row)
    return view


# --- differences ------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    resource: str
    external_id: str
    field: str
    host: Any
    thred: Any
    state: str = ""  # the outbox record's state ("" when there is none)
    code: str = ""
    admitted: bool = False

    def __str__(self) -> str:
        return (
            f"{self.resource} {self.external_id} {self.field}: host {self.host!r} != thred "
            f"{self.thred!r} (record {self.state or '—'} {self.code})"
        )


# A difference in these facts shows in the record's details under this payload field.
_PAYLOAD_FIELD = {
    ("invoice", "total_cents"): "line_items",
    ("bill", "total_cents"): "line_items",
    ("vendor_credit", "total_cents"): "line_items",
    ("vendor_credit", "memo"): "line_items",
}


def _raw_differences(
    host: dict[Key, Facts], thred: dict[Key, Facts]
) -> list[tuple[Key, str, Any, Any]]:
    found: list[tuple[Key, str, Any, Any]] = []
    for key in sorted(set(host) | set(thred)):
        want, have = host.get(key), thred.get(key)
        if have is not None and have.get(EXISTS) == "twice":
            found.append((key, EXISTS, "once", "twice"))
        if want is None:  # deleted in the host: Thred must not keep it live
            if have is not None and have[LIVE]:
                found.append((key, LIVE, False, True))
            continue
        if have is None:
            if want[LIVE]:
                found.append((key, EXISTS, True, False))
            continue
        if want[LIVE] != have[LIVE]:
            found.append((key, LIVE, want[LIVE], have[LIVE]))
        if not (want[LIVE] and have[LIVE]):
            continue  # a void / archived object's other fields are not compared
        for name, value in want.items():
            if name != LIVE and have.get(name) != value:
                found.append((key, name, value, have.get(name)))
    return found


def _records() -> dict[Key, SyncRecord]:
    models = [ContentType.objects.get_for_model(model) for model in MAPPINGS]
    return {
        (r.resource, r.external_id): r for r in SyncRecord.objects.filter(content_type__in=models)
    }


def admits(record: SyncRecord | None, field: str) -> bool:
    """Does the record's own state say that Thred differs from the host in ``field``?

    ``orphaned`` (deleted here, kept in Thred) and ``drifted`` (Thred cannot follow a
    status) admit a status difference; ``drifted`` admits the fields its details name;
    ``failed`` with Thred's refusal of the change (400, 409: a paid invoice's customer is
    fixed, a completed payment cannot be cancelled) admits whatever that change was.
    """
    if record is None:
        return False
    if record.state == "failed" and record.last_error_status in (400, 409):
        return field != EXISTS
    if field in (LIVE, EXISTS):
        return record.state in ("orphaned", "drifted") and field == LIVE
    details = record.last_error_details if isinstance(record.last_error_details, dict) else {}
    if record.state == "drifted":
        named = _PAYLOAD_FIELD.get((record.resource, field), field)
        return named in (details.get("fields") or {})
    return False


def compare(business_external_ids: list[str] | None = None) -> list[Difference]:
    """Every difference between the host and the sandbox, each with its record's verdict."""
    records = _records()
    out = []
    for key, name, want, have in _raw_differences(host_view(), thred_view(business_external_ids)):
        record = records.get(key)
        out.append(
            Difference(
                key[0],
                key[1],
                name,
                want,
                have,
                state=record.state if record else "",
                code=record.last_error_code if record else "",
                admitted=admits(record, name),
            )
        )
    return out


def unexplained(differences: list[Difference]) -> list[Difference]:
    return [d for d in differences if not d.admitted]

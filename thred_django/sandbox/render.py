"""JSON representations of businesses, customers and vendors, and shared helpers.

Documents are rendered by ``render_ar`` (invoices, payments, refunds, payouts) and
``render_ap`` (bills, bill payments, vendor credits), in the documented shapes.

Every function returns JSON-safe data (ids as lower-case UUID strings, date-times as
ISO 8601 with ``Z``, dates as ``YYYY-MM-DD``, amounts as integers in minor units; the
un-suffixed amount fields carry the same minor-unit value as their ``*_cents`` twin,
gaps.md 2, read as in ``readings``). Optional request fields that
were never sent render as ``""`` (strings), ``None``, ``[]`` or ``{}``. Renderers of
documents expect their related rows to be loaded (``select_related`` /
``prefetch_related``, see ``queries``) so a page costs a fixed number of queries.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from thred_django.sandbox import readings
from thred_django.sandbox.models import Business, Customer, Vendor


def ts(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def sid(value: Any) -> str | None:
    return str(value) if value else None


def without_nulls(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """``data`` without those ``keys`` whose value is None: optional fields the schema
    types as non-null (a string, an integer, an object) are left out, not null."""
    for key in keys:
        if data.get(key, 0) is None:
            del data[key]
    return data


def number(value: Any) -> Any:
    """A quantity as a JSON number, however it was sent ("1.00" -> 1, "2.5" -> 2.5)."""
    try:
        exact = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    if not exact.is_finite():
        return value
    return int(exact) if exact == exact.to_integral_value() else float(exact)


def strings(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: data.get(key, "") for key in keys}


def display_amount(cents: int, currency: str) -> str:
    decimals = readings.CURRENCY_DECIMALS.get(currency, 2)
    major = cents / (10**decimals)
    return f"{major:,.{decimals}f} {currency}"


def business_json(b: Business, *, created: bool | None = None) -> dict[str, Any]:
    d = b.data
    out = {
        "id": str(b.id),
        "external_id": b.external_id,
        "legal_name": b.legal_name,
        "name": b.legal_name,
        "entity_type": b.entity_type,
        **strings(d, "phone_number", "tin", "vat_number", "company_number", "province"),
        "eu_nace_industry_code": d.get("eu_nace_industry_code", ""),
        "country": b.country,
        "email": b.email,
        "base_currency": b.base_currency,
        "accounting_method": b.accounting_method,
        "fiscal_year_end": d.get("fiscal_year_end"),
        "coa_language": d.get("coa_language", ""),
        "activation_at": ts(b.created_at),
        "is_active": b.is_active,
        "is_archived": b.is_archived,
        "metadata": d.get("metadata", {}),
        "created_at": ts(b.created_at),
        "updated_at": ts(b.updated_at),
    }
    if created is not None:
        out["_meta"] = {readings.BUSINESS_META_CREATED_KEY: created}
    return without_nulls(out, "fiscal_year_end")


def display_name(obj: Customer | Vendor) -> str:
    return obj.company_name or obj.individual_name or (obj.external_id or "")


def customer_json(c: Customer) -> dict[str, Any]:
    d = c.data
    address = [d.get(k, "") for k in ("address_line1", "address_line2", "city")]
    address += [d.get(k, "") for k in ("state_county", "postal_code", "country")]
    full_address = ", ".join(part for part in address if part)
    return without_nulls(
        {
            "type": "Customer",
            "id": str(c.id),
            "external_id": c.external_id,
            "reference_number": d.get("reference_number", ""),
            "individual_name": c.individual_name,
            "company_name": c.company_name,
            "display_name": display_name(c),
            "email": c.email,
            **strings(d, "mobile_phone", "office_phone", "address_line1", "address_line2"),
            **strings(d, "city", "state_county", "postal_code", "country", "vat_number", "notes"),
            "full_address": full_address,
            "address_string": full_address,
            "tax_exempt": bool(d.get("tax_exempt", False)),
            "status": c.status,
            "is_active": not c.is_archived and c.status == "active",
            "is_archived": c.is_archived,
            "transaction_tags": d.get("transaction_tags", []),
            "metadata": d.get("metadata", {}),
            "payment_terms_days": d.get("payment_terms_days"),
            "credit_limit": d.get("credit_limit_cents"),
            "credit_limit_cents": d.get("credit_limit_cents"),
            "outstanding_balance": c.outstanding_cents,
            "outstanding_balance_cents": c.outstanding_cents,
            "documents": [],
            "created_at": ts(c.created_at),
            "updated_at": ts(c.updated_at),
            "archived_at": ts(c.archived_at),
        },
        "payment_terms_days",
        "credit_limit",
        "credit_limit_cents",
    )


def line_id(owner: Any, index: int) -> str:
    """A stable id for the ``index``-th line of a document."""
    return str(uuid.uuid5(owner.id, f"line-{index}"))


def vendor_json(v: Vendor) -> dict[str, Any]:
    d = v.data
    return {
        "type": "VendorData",
        "id": str(v.id),
        "external_id": v.external_id,
        "individual_name": v.individual_name,
        "company_name": v.company_name,
        "display_name": display_name(v),
        "email": v.email,
        **strings(d, "mobile_phone", "office_phone", "address_string", "memo"),
        **strings(d, "country", "vat_number"),
        "status": v.status,
        "transaction_tags": d.get("transaction_tags", []),
        "documents": [],
        "created_at": ts(v.created_at),
        "updated_at": ts(v.updated_at),
    }

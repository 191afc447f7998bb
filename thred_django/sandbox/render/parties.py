"""JSON of businesses, customers and vendors (see ``common`` for the conventions)."""

from __future__ import annotations

from typing import Any

from thred_django.sandbox import readings
from thred_django.sandbox.models import Business, Customer, Vendor
from thred_django.sandbox.render.common import display_name, strings, ts, without_nulls


def business(b: Business, *, created: bool | None = None) -> dict[str, Any]:
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


def customer(c: Customer) -> dict[str, Any]:
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


def vendor(v: Vendor) -> dict[str, Any]:
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

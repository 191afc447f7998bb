"""Businesses: create (idempotent per partner on external_id) and PATCH.

Partner token only. A create repeat returns the stored business unchanged with 200;
create responses carry ``_meta: {"created": bool}``. A PATCH may repeat ``country``
and ``base_currency`` unchanged (a different value is refused by the body's rules).
Its model is ``tables.Business``: every other object hangs under one, and the request
plumbing loads it.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework.response import Response

from thred_django.sandbox import filters as f
from thred_django.sandbox import readings as r
from thred_django.sandbox.catalog import Kind
from thred_django.sandbox.idempotency import create_once
from thred_django.sandbox.render.common import strings, ts, without_nulls
from thred_django.sandbox.schemas import Body, Check
from thred_django.sandbox.schemas.fields import Choice, Day, Dict, Email, Field, Obj, Text
from thred_django.sandbox.tables import Business
from thred_django.sandbox.views.base import SandboxAPIView, echo

# --- Request bodies (CreateBusinessRequest, UpdateBusinessRequest) ------------------------

_OPTIONAL: dict[str, Field] = {
    "phone_number": Text(),
    "tin": Text(),
    "vat_number": Text(20),
    "company_number": Text(20),
    "province": Text(100),
    "eu_nace_industry_code": Text(10),
    "accounting_method": Choice(("cash", "accrual")),
    "fiscal_year_end": Day(),
    "metadata": Dict(),
}


def _create_rules(c: Check) -> None:
    c.entity_type(c.clean.get("country"))


def _update_rules(c: Check) -> None:
    c.entity_type(c.country)
    for name, held in (("country", c.country), ("base_currency", c.base_currency)):
        value = c.clean.get(name)
        if name in r.BUSINESS_FIXED and value and held and value != held:
            c.add(name, f"Cannot be changed (the business has {held}).")


CREATE = Obj(
    {
        "external_id": Text(required="external_id" in r.BUSINESS_REQUIRED),
        "legal_name": Text(required="legal_name" in r.BUSINESS_REQUIRED),
        "entity_type": Text(required="entity_type" in r.BUSINESS_REQUIRED),
        "email": Email(required="email" in r.BUSINESS_REQUIRED),
        "country": Choice(r.COUNTRIES, required="country" in r.BUSINESS_REQUIRED),
        "base_currency": Choice(r.BASE_CURRENCIES, required="base_currency" in r.BUSINESS_REQUIRED),
        "coa_language": Text(10),
        **_OPTIONAL,
    }
)

UPDATE = Obj(
    {
        "legal_name": Text(blank=False),
        "entity_type": Text(blank=False),
        "email": Email(),
        "country": Choice(r.COUNTRIES),
        "base_currency": Choice(r.BASE_CURRENCIES),
        **_OPTIONAL,
    }
)

# --- Response ------------------------------------------------------------------------------


def render(b: Business, *, created: bool | None = None) -> dict[str, Any]:
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
        out["_meta"] = {r.BUSINESS_META_CREATED_KEY: created}
    return without_nulls(out, "fiscal_year_end")


# --- Writes --------------------------------------------------------------------------------

_COLUMNS = ("legal_name", "entity_type", "email", "accounting_method")


def create(v: SandboxAPIView) -> Response:
    data = v.payload()
    cleaned = v.clean("business", "create", data)
    partner_id = v.principal.partner_id

    def existing() -> Business | None:
        found = Business.objects.filter(partner_id=partner_id, external_id=cleaned["external_id"])
        return found.first()

    def build() -> Business:
        return Business.objects.create(
            partner_id=partner_id,
            external_id=cleaned["external_id"],
            country=cleaned["country"],
            base_currency=cleaned["base_currency"],
            data=echo(data, cleaned),
            **{key: cleaned[key] for key in _COLUMNS if key in cleaned},
        )

    business, created = create_once(existing, build, one_write=True)  # one INSERT
    v.log.business_id = business.id
    v.log.created = created
    return Response(render(business, created=created), status=201 if created else 200)


def update(v: SandboxAPIView, business_id: str) -> Response:
    business = v.business = v.load_business(business_id)  # clean() checks against it
    v.log.business_id = business.id
    data = v.payload()
    cleaned: dict[str, Any] = v.clean("business", "update", data)
    for key in ("country", "base_currency"):
        cleaned.pop(key, None)
    business.data = {**business.data, **echo(data, cleaned)}
    for key in _COLUMNS:
        if key in cleaned:
            setattr(business, key, cleaned[key])
    business.updated_at = timezone.now()
    business.save()
    return Response(render(business))


def _get(view: SandboxAPIView, business_id: str) -> Business:
    business = view.load_business(business_id)
    view.log.business_id = business.id
    return business


KIND = Kind(
    "business",
    model=Business,
    query=Business.objects.all,
    render=render,
    bodies={"create": Body(CREATE, _create_rules), "update": Body(UPDATE, _update_rules)},
    filters=(
        f.iexact("country"),
        f.iexact("entity_type"),
        f.flag("is_archived", lambda qs, value: qs.filter(is_archived=value)),
    ),
    auth="partner",
    get=_get,
    create=create,
    update=("patch", update),
)

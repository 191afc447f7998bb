"""Businesses: create (idempotent per partner on external_id) and PATCH.

Partner token only. A create repeat returns the stored business unchanged with 200;
create responses carry ``_meta: {"created": bool}``. A PATCH may repeat ``country``
and ``base_currency`` unchanged (a different value is refused by the schema's rules).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework.response import Response

from thred_django.sandbox import render as r
from thred_django.sandbox.idempotency import create_once
from thred_django.sandbox.models import Business
from thred_django.sandbox.views.base import SandboxAPIView, echo

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

    business, created = create_once(existing, build)
    v.log.business_id = business.id
    v.log.created = created
    return Response(r.business(business, created=created), status=201 if created else 200)


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
    return Response(r.business(business))

"""Vendors: create (idempotent on external_id) and unarchive (the docs have no vendor
archive; the parties family: ``writes.parties``)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import models

from thred_django.sandbox import readings as r
from thred_django.sandbox.catalog import Kind
from thred_django.sandbox.references import Party
from thred_django.sandbox.render.common import display_name, strings, ts
from thred_django.sandbox.schemas import Body
from thred_django.sandbox.schemas.bodies import external_id
from thred_django.sandbox.schemas.bodies import strings as string_list
from thred_django.sandbox.schemas.fields import Dict, Email, Obj, Text, long_text
from thred_django.sandbox.schemas.rules import counterparty
from thred_django.sandbox.tables import BusinessObject
from thred_django.sandbox.writes import parties


class Vendor(BusinessObject):
    individual_name = models.CharField(max_length=255, blank=True, default="")
    company_name = models.CharField(max_length=255, blank=True, default="")
    email = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=20, default="ACTIVE")

    class Meta(BusinessObject.Meta):
        pass

    def __str__(self) -> str:
        return self.company_name or self.individual_name or str(self.external_id or self.id)


ARCHIVED = {"status": "ARCHIVED"}
PARTY = Party("vendor", Vendor, ARCHIVED)

# CreateVendorRequest
CREATE = Obj(
    {
        "external_id": external_id("vendor"),
        "individual_name": Text(),
        "company_name": Text(),
        "email": Email(),
        "mobile_phone": Text(),
        "office_phone": Text(),
        "address_string": long_text(),
        "memo": long_text(),
        "transaction_tags": string_list(),
        "country": Text(2),
        "vat_number": Text(),
        "document": Dict(),
    }
)


def render(v: Vendor) -> dict[str, Any]:
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


UNARCHIVE = parties.Archiving(
    "vendor",
    Vendor,
    render,
    ARCHIVED,
    {"status": "ACTIVE"},
    r.ERROR_NOT_ARCHIVED.format(resource="vendor"),
    "Only archived vendors can be unarchived.",
)

KIND = Kind(
    "vendor",
    model=Vendor,
    query=Vendor.objects.all,
    render=render,
    bodies={"create": Body(CREATE, counterparty)},
    filters=parties.filters(ARCHIVED),
    create=partial(parties.create, "vendor", Vendor, render),
    actions={"unarchive": UNARCHIVE},
)

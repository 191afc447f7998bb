"""Customers: create (idempotent on external_id), archive and unarchive (the parties
family: ``writes.parties``)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import models

from thred_django.sandbox import readings as r
from thred_django.sandbox.catalog import Kind
from thred_django.sandbox.references import Party
from thred_django.sandbox.render.common import display_name, strings, ts, without_nulls
from thred_django.sandbox.schemas import Body
from thred_django.sandbox.schemas.bodies import external_id
from thred_django.sandbox.schemas.bodies import strings as string_list
from thred_django.sandbox.schemas.fields import (
    Bool,
    Cents,
    Choice,
    Dict,
    Email,
    Integer,
    Obj,
    Text,
    long_text,
)
from thred_django.sandbox.schemas.rules import counterparty
from thred_django.sandbox.tables import BusinessObject
from thred_django.sandbox.writes import parties


class Customer(BusinessObject):
    individual_name = models.CharField(max_length=255, blank=True, default="")
    company_name = models.CharField(max_length=255, blank=True, default="")
    email = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=20, default="active")
    is_archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    outstanding_cents = models.BigIntegerField(default=0)

    class Meta(BusinessObject.Meta):
        pass

    def __str__(self) -> str:
        return self.company_name or self.individual_name or str(self.external_id or self.id)


ARCHIVED = {"is_archived": True}
PARTY = Party("customer", Customer, ARCHIVED)

# CreateCustomerRequest
CREATE = Obj(
    {
        "external_id": external_id("customer"),
        "reference_number": Text(),
        "individual_name": Text(),
        "company_name": Text(),
        "email": Email(),
        **{
            name: Text()
            for name in ("mobile_phone", "office_phone", "address_line1", "address_line2")
        },
        **{name: Text() for name in ("city", "state_county", "postal_code", "vat_number")},
        "country": Text(2),
        "tax_exempt": Bool(),
        "status": Choice(r.CUSTOMER_STATUSES),
        "transaction_tags": string_list(),
        "notes": long_text(),
        "metadata": Dict(),
        "payment_terms_days": Integer(minimum=0),
        "credit_limit_cents": Cents(minimum=1),
        "document": Dict(),
    }
)


def render(c: Customer) -> dict[str, Any]:
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


ARCHIVE = parties.Archiving(
    "customer",
    Customer,
    render,
    {"is_archived": False},
    {"is_archived": True, "archived_at": parties.NOW},
    r.ERROR_ALREADY_ARCHIVED.format(resource="customer"),
    "The customer is already archived.",
)
UNARCHIVE = parties.Archiving(
    "customer",
    Customer,
    render,
    ARCHIVED,
    {"is_archived": False, "archived_at": None},
    r.ERROR_NOT_ARCHIVED.format(resource="customer"),
    "Only archived customers can be unarchived.",
)

KIND = Kind(
    "customer",
    model=Customer,
    query=Customer.objects.all,
    render=render,
    bodies={"create": Body(CREATE, counterparty)},
    filters=parties.filters(ARCHIVED),
    create=partial(parties.create, "customer", Customer, render),
    actions={"archive": ARCHIVE, "unarchive": UNARCHIVE},
)

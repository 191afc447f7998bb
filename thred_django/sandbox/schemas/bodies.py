"""Field groups several request bodies share, read from the reference.

Each kind module declares its own bodies (``schemas.Body``) from these and
``fields``. Field names and types are ``openapi.json``'s request schemas
(``CreateInvoiceRequest`` …); required markers, bounds and enums the docs leave open
come from ``readings``. Where a body departs from the schema its kind module says so.
Every body reads ``*_cents`` and the un-suffixed amounts the schema types ``number``
as integers in minor units (gaps.md 2).
"""

from __future__ import annotations

from thred_django.sandbox import readings as r
from thred_django.sandbox.schemas.fields import Cents, ListOf, Text, Uuid, account


def external_id(resource: str) -> Text:
    return Text(required=resource not in r.EXTERNAL_ID_OPTIONAL_FOR)


def strings() -> ListOf:
    return ListOf(Text())


def uuids() -> ListOf:
    return ListOf(Uuid())


SALES_TAX = {
    "amount": Cents(required=True, minimum=0),
    "tax_account": account(),
    "discount_amount": Cents(minimum=0),
}

"""Invoices: PUT updates (omitted fields kept, ``line_items`` replaced), void."""

from thred_django.specs.base import BUSINESS_PATH, Op, Spec

_PATH = BUSINESS_PATH + "/invoices/"
_ONE = _PATH + "{invoice_id}/"

SPEC = Spec(
    name="invoice",
    label="Invoice",
    order=3,
    plural="invoices",
    parents=("customer",),
    ops={
        "list": Op("GET", _PATH),
        "get": Op("GET", _ONE),
        "create": Op("POST", _PATH),
        "update": Op("PUT", _ONE),
        "void": Op("POST", _ONE + "void/", empty_body=True),
    },
)

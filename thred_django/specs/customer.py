"""Customers (accounts receivable counterparties)."""

from thred_django.specs.base import BUSINESS_PATH, Op, Spec

_PATH = BUSINESS_PATH + "/customers/"
_ONE = _PATH + "{customer_id}/"

SPEC = Spec(
    name="customer",
    label="Customer",
    order=1,
    plural="customers",
    parents=("business",),
    ops={
        "list": Op("GET", _PATH),
        "get": Op("GET", _ONE),
        "create": Op("POST", _PATH),
        "archive": Op("POST", _ONE + "archive/", empty_body=True),
        "unarchive": Op("POST", _ONE + "unarchive/", empty_body=True),
    },
    lookup_filter="external_id",
)

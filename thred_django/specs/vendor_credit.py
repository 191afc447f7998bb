"""Vendor credit notes (applied to the vendor's bills); create, list and get only."""

from thred_django.specs.base import BUSINESS_PATH, Op, Spec

_PATH = BUSINESS_PATH + "/vendor-credits/"

SPEC = Spec(
    name="vendor_credit",
    label="Vendor credit note",
    order=10,
    plural="vendor_credits",
    parents=("vendor", "bill"),
    ops={
        "list": Op("GET", _PATH),
        "get": Op("GET", _PATH + "{credit_id}/"),
        "create": Op("POST", _PATH),
    },
)

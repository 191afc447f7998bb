"""Vendors (accounts payable counterparties). Thred documents an unarchive but no
archive, so it never holds one of ours archived."""

from thred_django.specs.base import BUSINESS_PATH, Op, Spec

_PATH = BUSINESS_PATH + "/vendors/"
_ONE = _PATH + "{vendor_id}/"

SPEC = Spec(
    name="vendor",
    label="Vendor",
    order=2,
    plural="vendors",
    parents=("business",),
    ops={
        "list": Op("GET", _PATH),
        "get": Op("GET", _ONE),
        "create": Op("POST", _PATH),
        "unarchive": Op("POST", _ONE + "unarchive/", empty_body=True),
    },
    lookup_filter="external_id",
    prefix_filter="external_id_contains",
)

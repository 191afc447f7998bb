"""Businesses: the partner's tenants; every other resource lives under one."""

from thred_django.specs.base import Op, Spec

_PATH = "/v1/platform/businesses/"

SPEC = Spec(
    name="business",
    label="Business",
    order=0,
    plural="businesses",
    under_business=False,
    ops={
        "list": Op("GET", _PATH),
        "get": Op("GET", _PATH + "{business_id}/"),
        "create": Op("POST", _PATH),
        "update": Op("PATCH", _PATH + "{business_id}/"),
    },
    # Not in the PATCH body. A *different* country or base currency is refused rather than
    # ignored, so a client never believes it changed them (an equal value is ignored).
    fixed=("country", "base_currency", "coa_language"),
    refused_when_changed=("country", "base_currency"),
)

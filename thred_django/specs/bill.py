"""Bills: PUT updates; Thred has no void, cancel or archive for them."""

from thred_django.specs.base import BUSINESS_PATH, Op, Spec

_PATH = BUSINESS_PATH + "/bills/"
_ONE = _PATH + "{bill_id}/"

SPEC = Spec(
    name="bill",
    label="Bill",
    order=8,
    plural="bills",
    parents=("vendor",),
    ops={
        "list": Op("GET", _PATH),
        "get": Op("GET", _ONE),
        "create": Op("POST", _PATH),
        "update": Op("PUT", _ONE),
    },
)

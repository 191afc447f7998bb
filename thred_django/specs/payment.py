"""Invoice payments: PATCH updates, cancel (``…/delete/``), Idempotency-Key on create
(which lets the external_id be omitted)."""

from thred_django.specs.base import BUSINESS_PATH, Op, Spec

_PATH = BUSINESS_PATH + "/invoices/payments/"
_ONE = _PATH + "{payment_id}/"

SPEC = Spec(
    name="payment",
    label="Invoice payment",
    order=4,
    plural="payments",
    parents=("invoice",),
    ops={
        "list": Op("GET", _PATH),
        "get": Op("GET", _ONE),
        "create": Op("POST", _PATH),
        "update": Op("PATCH", _ONE),
        "cancel": Op("POST", _ONE + "delete/"),
    },
    external_id_required=False,
    idempotency_key=True,
)

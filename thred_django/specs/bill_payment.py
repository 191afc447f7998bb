"""Bill payments: PATCH updates of all but the money fields, cancel (``…/delete/``),
Idempotency-Key on create (which lets the external_id be omitted)."""

from thred_django.specs.base import BUSINESS_PATH, Op, Spec

_PATH = BUSINESS_PATH + "/bills/payments/"
_ONE = _PATH + "{bill_payment_id}/"

SPEC = Spec(
    name="bill_payment",
    label="Bill payment",
    order=9,
    plural="bill_payments",
    parents=("bill", "vendor"),
    ops={
        "list": Op("GET", _PATH),
        "get": Op("GET", _ONE),
        "create": Op("POST", _PATH),
        "update": Op("PATCH", _ONE),
        "cancel": Op("POST", _ONE + "delete/"),
    },
    external_id_required=False,
    idempotency_key=True,
    fixed=("vendor_id", "amount_cents", "currency", "payment_date", "payment_method"),
    # The allocations add up to the amount: while the amount differs from Thred's, an
    # update keeps them at Thred's values too.
    bound=("allocations",),
)

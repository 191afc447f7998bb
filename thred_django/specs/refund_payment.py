"""Refund payments: money sent back for a refund. They live under their refund's path
(the body's ``refund_id`` moves to the URL) and have no business-wide list: each refund
lists its own in ``refund_payments``."""

from thred_django.specs.base import BUSINESS_PATH, Op, Spec

_PATH = BUSINESS_PATH + "/invoices/refunds/{refund_id}/payments/"

SPEC = Spec(
    name="refund_payment",
    label="Refund payment",
    order=7,
    plural="refund_payments",
    parents=("refund",),
    ops={
        "list": Op("GET", _PATH),
        "get": Op("GET", _PATH + "{payment_id}/"),
        "create": Op("POST", _PATH),
    },
    listed_in=("refund", "refund_payments"),
)

"""Refunds of an invoice (the liability; the money sent back is a refund payment)."""

from thred_django.specs.base import BUSINESS_PATH, Op, Spec

_PATH = BUSINESS_PATH + "/invoices/refunds/"

SPEC = Spec(
    name="refund",
    label="Refund",
    order=6,
    plural="refunds",
    parents=("invoice",),
    # Claimed after the invoice's payments: money is received before it is refunded.
    claimed_after=("payment",),
    ops={
        "list": Op("GET", _PATH),
        "get": Op("GET", _PATH + "{refund_id}/"),
        "create": Op("POST", _PATH),
    },
)

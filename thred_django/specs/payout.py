"""Payouts: the create is an upsert by external_id (and so also the update)."""

from thred_django.specs.base import BUSINESS_PATH, Op, Spec

_PATH = BUSINESS_PATH + "/payouts/"

SPEC = Spec(
    name="payout",
    label="Payout",
    order=5,
    plural="payouts",
    parents=("payment", "refund_payment"),
    ops={
        "list": Op("GET", _PATH),
        "get": Op("GET", _PATH + "{payout_id}/"),
        "create": Op("POST", _PATH, name="upsert_payout"),
    },
    repeat_create="upserted",
    lookup_filter="external_id",
)

"""The sandbox's responses: one renderer per resource, in the documented shapes.

``RENDER[resource]`` renders an object as get and list answer it; creates and updates
answer the same, except payments (``payment_summary``) and businesses (``_meta``).
Conventions (ids, dates, amounts, omitted fields) are in ``common``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from thred_django.sandbox.render.common import display_name, ts
from thred_django.sandbox.render.documents import bill, invoice
from thred_django.sandbox.render.money import payout, refund, refund_payment, vendor_credit
from thred_django.sandbox.render.parties import business, customer, vendor
from thred_django.sandbox.render.settlements import (
    bill_payment,
    cancellation,
    payment_detail,
    payment_summary,
)

RENDER: dict[str, Callable[[Any], dict[str, Any]]] = {
    "business": business,
    "customer": customer,
    "vendor": vendor,
    "invoice": invoice,
    "payment": payment_detail,
    "payout": payout,
    "refund": refund,
    "refund_payment": refund_payment,
    "bill": bill,
    "bill_payment": bill_payment,
    "vendor_credit": vendor_credit,
}

__all__ = [
    "RENDER",
    "bill",
    "bill_payment",
    "business",
    "cancellation",
    "customer",
    "display_name",
    "invoice",
    "payment_detail",
    "payment_summary",
    "payout",
    "refund",
    "refund_payment",
    "ts",
    "vendor",
    "vendor_credit",
]

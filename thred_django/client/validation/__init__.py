"""Body-shape validation of Thred Partner API request payloads (being split into modules)."""

from thred_django.client.validation.receivables import (
    ACTIONS,
    RESOURCES,
    Errors,
    bill_line_total_cents,
    bill_total_cents,
    invoice_line_total_cents,
    invoice_total_cents,
    line_subtotal_cents,
    validate_payload,
    validated_payload,
    vendor_credit_total_cents,
)

__all__ = [
    "ACTIONS",
    "RESOURCES",
    "Errors",
    "bill_line_total_cents",
    "bill_total_cents",
    "invoice_line_total_cents",
    "invoice_total_cents",
    "line_subtotal_cents",
    "validate_payload",
    "validated_payload",
    "vendor_credit_total_cents",
]

"""Accounts-receivable endpoints (business token): customers, invoices, invoice
payments, payouts, refunds and refund payments."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from thred_django.client import gaps
from thred_django.client.core import ClientCore
from thred_django.client.response import ThredResponse
from thred_django.client.types import (
    CancellationResponse,
    CreateCustomerRequest,
    CreateInvoicePaymentRequest,
    CreateInvoiceRequest,
    CreatePayoutRequest,
    CreateRefundPaymentRequest,
    CreateRefundRequest,
    Customer,
    Invoice,
    InvoicePaymentCreateResponse,
    InvoicePaymentDetail,
    Payload,
    Payout,
    Refund,
    RefundPayment,
    UpdateInvoicePaymentRequest,
    UpdateInvoiceRequest,
    VoidInvoiceRequest,
)


def idempotency_headers(idempotency_key: str | None) -> dict[str, str] | None:
    """The ``Idempotency-Key`` header, or ``None`` when no key (or an empty one) is given."""
    if idempotency_key is None or not str(idempotency_key).strip():
        return None
    return {gaps.IDEMPOTENCY_KEY_HEADER: str(idempotency_key)}


class ReceivablesMixin(ClientCore):
    # --- customers --------------------------------------------------------------------

    def create_customer(
        self, business_id: str, data: Payload[CreateCustomerRequest]
    ) -> ThredResponse[Customer]:
        return self._call("create_customer", body=data, business_id=business_id)

    def list_customers(self, business_id: str, **filters: Any) -> Iterator[Customer]:
        return self._list("list_customers", filters, business_id=business_id)

    def get_customer(self, business_id: str, customer_id: str) -> ThredResponse[Customer]:
        return self._call("get_customer", business_id=business_id, customer_id=customer_id)

    def archive_customer(self, business_id: str, customer_id: str) -> ThredResponse[Customer]:
        return self._call(
            "archive_customer", body={}, business_id=business_id, customer_id=customer_id
        )

    def unarchive_customer(self, business_id: str, customer_id: str) -> ThredResponse[Customer]:
        return self._call(
            "unarchive_customer", body={}, business_id=business_id, customer_id=customer_id
        )

    # --- invoices ---------------------------------------------------------------------

    def create_invoice(
        self, business_id: str, data: Payload[CreateInvoiceRequest]
    ) -> ThredResponse[Invoice]:
        return self._call("create_invoice", body=data, business_id=business_id)

    def list_invoices(self, business_id: str, **filters: Any) -> Iterator[Invoice]:
        return self._list("list_invoices", filters, business_id=business_id)

    def get_invoice(self, business_id: str, invoice_id: str) -> ThredResponse[Invoice]:
        return self._call("get_invoice", business_id=business_id, invoice_id=invoice_id)

    def update_invoice(
        self, business_id: str, invoice_id: str, data: Payload[UpdateInvoiceRequest]
    ) -> ThredResponse[Invoice]:
        """PUT (Thred has no PATCH for invoices)."""
        return self._call(
            "update_invoice", body=data, business_id=business_id, invoice_id=invoice_id
        )

    def void_invoice(
        self,
        business_id: str,
        invoice_id: str,
        data: Payload[VoidInvoiceRequest] | None = None,
    ) -> ThredResponse[Invoice]:
        return self._call(
            "void_invoice",
            body=data if data is not None else {},
            business_id=business_id,
            invoice_id=invoice_id,
        )

    # --- invoice payments -------------------------------------------------------------

    def create_payment(
        self,
        business_id: str,
        data: Payload[CreateInvoicePaymentRequest],
        *,
        idempotency_key: str | None = None,
    ) -> ThredResponse[InvoicePaymentCreateResponse]:
        """Record an invoice payment; ``idempotency_key`` is sent as ``Idempotency-Key``."""
        return self._call(
            "create_payment",
            body=data,
            headers=idempotency_headers(idempotency_key),
            business_id=business_id,
        )

    def list_payments(self, business_id: str, **filters: Any) -> Iterator[InvoicePaymentDetail]:
        return self._list("list_payments", filters, business_id=business_id)

    def get_payment(self, business_id: str, payment_id: str) -> ThredResponse[InvoicePaymentDetail]:
        return self._call("get_payment", business_id=business_id, payment_id=payment_id)

    def update_payment(
        self, business_id: str, payment_id: str, data: Payload[UpdateInvoicePaymentRequest]
    ) -> ThredResponse[InvoicePaymentCreateResponse]:
        """PATCH: partial update."""
        return self._call(
            "update_payment", body=data, business_id=business_id, payment_id=payment_id
        )

    def cancel_payment(
        self, business_id: str, payment_id: str
    ) -> ThredResponse[CancellationResponse]:
        """Cancel a pending or failed payment (Thred's ``…/delete/``)."""
        return self._call("cancel_payment", business_id=business_id, payment_id=payment_id)

    # --- payouts ----------------------------------------------------------------------

    def upsert_payout(
        self, business_id: str, data: Payload[CreatePayoutRequest]
    ) -> ThredResponse[Payout]:
        """Create (201) or update (200) the payout with ``data['external_id']``."""
        return self._call("upsert_payout", body=data, business_id=business_id)

    def list_payouts(self, business_id: str, **filters: Any) -> Iterator[Payout]:
        return self._list("list_payouts", filters, business_id=business_id)

    def get_payout(self, business_id: str, payout_id: str) -> ThredResponse[Payout]:
        return self._call("get_payout", business_id=business_id, payout_id=payout_id)

    # --- refunds and refund payments --------------------------------------------------

    def create_refund(
        self, business_id: str, data: Payload[CreateRefundRequest]
    ) -> ThredResponse[Refund]:
        return self._call("create_refund", body=data, business_id=business_id)

    def list_refunds(self, business_id: str, **filters: Any) -> Iterator[Refund]:
        return self._list("list_refunds", filters, business_id=business_id)

    def get_refund(self, business_id: str, refund_id: str) -> ThredResponse[Refund]:
        return self._call("get_refund", business_id=business_id, refund_id=refund_id)

    def create_refund_payment(
        self, business_id: str, refund_id: str, data: Payload[CreateRefundPaymentRequest]
    ) -> ThredResponse[RefundPayment]:
        return self._call(
            "create_refund_payment", body=data, business_id=business_id, refund_id=refund_id
        )

    def list_refund_payments(
        self, business_id: str, refund_id: str, **filters: Any
    ) -> Iterator[RefundPayment]:
        return self._list(
            "list_refund_payments", filters, business_id=business_id, refund_id=refund_id
        )

    def get_refund_payment(
        self, business_id: str, refund_id: str, payment_id: str
    ) -> ThredResponse[RefundPayment]:
        return self._call(
            "get_refund_payment",
            business_id=business_id,
            refund_id=refund_id,
            payment_id=payment_id,
        )

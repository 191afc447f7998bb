"""Accounts-payable endpoints (business token): vendors, bills, bill payments and
vendor credit notes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from thred_django.client.core import ClientCore
from thred_django.client.receivables import idempotency_headers
from thred_django.client.response import ThredResponse
from thred_django.client.types import (
    Bill,
    BillPayment,
    CancellationResponse,
    CreateBillPaymentRequest,
    CreateBillRequest,
    CreateVendorCreditRequest,
    CreateVendorRequest,
    Payload,
    UpdateBillPaymentRequest,
    UpdateBillRequest,
    Vendor,
    VendorCredit,
)


class PayablesMixin(ClientCore):
    # --- vendors ----------------------------------------------------------------------

    def create_vendor(
        self, business_id: str, data: Payload[CreateVendorRequest]
    ) -> ThredResponse[Vendor]:
        return self._call("create_vendor", body=data, business_id=business_id)

    def list_vendors(self, business_id: str, **filters: Any) -> Iterator[Vendor]:
        """Filters: external_id, external_id_contains, include_archived, name, name_contains."""
        return self._list("list_vendors", filters, business_id=business_id)

    def get_vendor(self, business_id: str, vendor_id: str) -> ThredResponse[Vendor]:
        return self._call("get_vendor", business_id=business_id, vendor_id=vendor_id)

    def unarchive_vendor(self, business_id: str, vendor_id: str) -> ThredResponse[Vendor]:
        return self._call("unarchive_vendor", body={}, business_id=business_id, vendor_id=vendor_id)

    # --- bills ------------------------------------------------------------------------

    def create_bill(
        self, business_id: str, data: Payload[CreateBillRequest]
    ) -> ThredResponse[Bill]:
        return self._call("create_bill", body=data, business_id=business_id)

    def list_bills(self, business_id: str, **filters: Any) -> Iterator[Bill]:
        return self._list("list_bills", filters, business_id=business_id)

    def get_bill(self, business_id: str, bill_id: str) -> ThredResponse[Bill]:
        return self._call("get_bill", business_id=business_id, bill_id=bill_id)

    def update_bill(
        self, business_id: str, bill_id: str, data: Payload[UpdateBillRequest]
    ) -> ThredResponse[Bill]:
        """PUT; sending ``line_items`` replaces all of them, omitting keeps them."""
        return self._call("update_bill", body=data, business_id=business_id, bill_id=bill_id)

    # --- bill payments ----------------------------------------------------------------

    def create_bill_payment(
        self,
        business_id: str,
        data: Payload[CreateBillPaymentRequest],
        *,
        idempotency_key: str | None = None,
    ) -> ThredResponse[BillPayment]:
        """Record a bill payment; ``idempotency_key`` is sent as ``Idempotency-Key``."""
        return self._call(
            "create_bill_payment",
            body=data,
            headers=idempotency_headers(idempotency_key),
            business_id=business_id,
        )

    def list_bill_payments(self, business_id: str, **filters: Any) -> Iterator[BillPayment]:
        return self._list("list_bill_payments", filters, business_id=business_id)

    def get_bill_payment(
        self, business_id: str, bill_payment_id: str
    ) -> ThredResponse[BillPayment]:
        return self._call(
            "get_bill_payment", business_id=business_id, bill_payment_id=bill_payment_id
        )

    def update_bill_payment(
        self, business_id: str, bill_payment_id: str, data: Payload[UpdateBillPaymentRequest]
    ) -> ThredResponse[BillPayment]:
        """PATCH: partial update (amount, vendor and date cannot change)."""
        return self._call(
            "update_bill_payment",
            body=data,
            business_id=business_id,
            bill_payment_id=bill_payment_id,
        )

    def cancel_bill_payment(
        self, business_id: str, bill_payment_id: str
    ) -> ThredResponse[CancellationResponse]:
        """Cancel a pending or failed bill payment (Thred's ``…/delete/``)."""
        return self._call(
            "cancel_bill_payment", business_id=business_id, bill_payment_id=bill_payment_id
        )

    # --- vendor credit notes ----------------------------------------------------------

    def create_vendor_credit(
        self, business_id: str, data: Payload[CreateVendorCreditRequest]
    ) -> ThredResponse[VendorCredit]:
        return self._call("create_vendor_credit", body=data, business_id=business_id)

    def list_vendor_credits(self, business_id: str, **filters: Any) -> Iterator[VendorCredit]:
        return self._list("list_vendor_credits", filters, business_id=business_id)

    def get_vendor_credit(self, business_id: str, credit_id: str) -> ThredResponse[VendorCredit]:
        return self._call("get_vendor_credit", business_id=business_id, credit_id=credit_id)

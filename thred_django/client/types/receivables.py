"""Invoice payments, payouts, refunds and refund payments (accounts receivable)."""

from __future__ import annotations

from typing import Any, Required, TypedDict

from thred_django.client.types.common import (
    DocumentUpload,
    PageInfo,
    ReconciledBankTransaction,
)


class InvoicePaymentAllocationInput(TypedDict, total=False):
    invoice_id: Required[str]
    amount_cents: Required[int]


class PaymentReferences(TypedDict, total=False):
    bank_reference: str
    end_to_end_id: str
    payment_reference: str


class CreateInvoicePaymentRequest(TypedDict, total=False):
    customer_id: str
    total_amount_cents: int
    allocations: list[InvoicePaymentAllocationInput]
    payment_date: str
    currency: str
    payment_method: str
    payment_reference: str
    external_id: str
    note: str
    notes: str
    metadata: dict[str, Any]
    references: PaymentReferences
    processing_fee_cents: int
    payment_processor: str


class UpdateInvoicePaymentRequest(TypedDict, total=False):
    """PATCH body; all fields optional."""

    customer_id: str
    total_amount_cents: int
    allocations: list[InvoicePaymentAllocationInput]
    payment_date: str
    currency: str
    payment_method: str
    payment_reference: str
    external_id: str
    note: str
    notes: str
    metadata: dict[str, Any]
    references: PaymentReferences
    processor_reference: str
    bank_reference: str
    status: str
    transaction_tags: list[str]
    payment_processor: str
    processing_fee_cents: int


class AppliedInvoice(TypedDict, total=False):
    id: str
    invoice_number: str
    applied_amount_cents: int
    status: str
    outstanding_amount_cents: int


class InvoicePaymentSummary(TypedDict, total=False):
    """All amounts in cents."""

    id: str
    business_id: str
    customer_id: str
    total_amount_cents: int
    applied_amount_cents: int
    allocated_amount_cents: int
    unapplied_amount_cents: int
    remaining_amount_cents: int
    currency: str
    status: str
    payment_method: str
    payment_reference: str
    external_id: str
    note: str
    bank_reference: str
    metadata: dict[str, Any]
    idempotency_key: str | None
    created_at: str
    updated_at: str
    applied_invoices: list[AppliedInvoice]


class InvoicePaymentCreateResponse(TypedDict, total=False):
    payment: InvoicePaymentSummary


class InvoicePaymentAllocation(TypedDict, total=False):
    id: str
    invoice_id: str
    invoice_number: str
    invoice_status: str
    amount: float
    allocated_at: str
    transaction_tags: Any
    notes: str


class RefundAllocationOnPayment(TypedDict, total=False):
    refund_id: str
    amount_cents: int
    allocated_at: str
    reference_number: str


class InvoicePaymentDetail(TypedDict, total=False):
    id: str
    customer: dict[str, Any]
    customer_name: str
    customer_email: str
    payment_method: str
    total_amount: float
    allocated_amount: float
    unallocated_amount: float
    net_amount: float
    processing_fee: float
    processing_fee_cents: int
    display_amount: str
    is_fully_allocated: bool
    is_completed: bool
    processed_at: str | None
    failed_at: str | None
    created_at: str
    updated_at: str
    allocations: list[InvoicePaymentAllocation]
    refund_allocations: list[RefundAllocationOnPayment]
    reconciled_bank_transactions: list[ReconciledBankTransaction]


class InvoicePaymentDetailList(TypedDict, total=False):
    """Reference pages show count + page_info + results; the pagination guide shows count +
    next + previous + results.
    """

    count: int
    page_info: PageInfo
    next: str | None
    previous: str | None
    results: Required[list[InvoicePaymentDetail]]


class CreatePayoutRequest(TypedDict, total=False):
    external_id: str
    processor: str
    paid_out_amount_cents: int
    fee_cents: int
    currency: str
    status: str
    completed_at: str
    processor_payout_id: str
    additional_refunds_amount_cents: int
    payment_ids: list[str]
    refund_payment_ids: list[str]
    reference_number: str
    memo: str
    metadata: dict[str, Any]


class PayoutPaymentRef(TypedDict, total=False):
    id: str
    external_id: str
    payment_reference: str
    customer_name: str
    payment_date: str
    total_amount_cents: int
    currency: str


class PayoutRefundPaymentRef(TypedDict, total=False):
    id: str
    external_id: str
    refund_id: str
    customer_name: str
    refunded_amount_cents: int
    completed_at: str


class Payout(TypedDict, total=False):
    id: str
    business_id: str
    external_id: str
    processor: str
    processor_payout_id: str
    paid_out_amount_cents: int
    fee_cents: int
    additional_refunds_amount_cents: int
    net_amount_cents: int
    currency: str
    status: str
    completed_at: str
    imported_at: str
    reference_number: str
    memo: str
    metadata: dict[str, Any]
    payment_count: int
    refund_payment_count: int
    gross_payments_amount_cents: int
    total_refunds_amount_cents: int
    expected_net_amount_cents: int
    amount_variance_cents: int
    payments: list[PayoutPaymentRef]
    refund_payments: list[PayoutRefundPaymentRef]
    reconciliation_status: str
    settlement_file_id: str | None
    created_at: str
    updated_at: str


class PayoutList(TypedDict, total=False):
    """Reference pages show count + page_info + results; the pagination guide shows count +
    next + previous + results.
    """

    count: int
    page_info: PageInfo
    next: str | None
    previous: str | None
    results: Required[list[Payout]]


class CreateRefundRequest(TypedDict, total=False):
    invoice_id: str
    method: str
    completed_at: str
    external_id: str
    amount_cents: int
    memo: str
    reference_number: str
    processor: str
    refund_processing_fee_cents: int
    document: DocumentUpload


class RefundAllocation(TypedDict, total=False):
    id: str
    allocation_type: str
    amount: float
    invoice_id: str
    invoice_number: str
    invoice_outstanding_balance_cents: int
    target_description: str
    description: str
    allocation_date: str


class CreateRefundPaymentRequest(TypedDict, total=False):
    amount_cents: int
    method: str
    external_id: str
    completed_at: str
    processor: str
    memo: str
    transaction_tags: list[str]
    refund_processing_fee_cents: int


class RefundPayment(TypedDict, total=False):
    id: str
    refund_id: str
    refunded_amount: float
    refund_processing_fee: float
    reconciled_bank_transactions: list[ReconciledBankTransaction]
    created_at: str
    updated_at: str
    external_id: str
    completed_at: str
    method: str
    processor: str
    transaction_tags: Any
    memo: str
    metadata: dict[str, Any]


class Refund(TypedDict, total=False):
    """Only the leading fields are documented. Refund status moves pending -> processing ->
    paid as refund payments are recorded.
    """

    id: str
    refunded_amount: float
    customer_id: str
    customer_name: str
    allocations: list[RefundAllocation]
    refund_payments: list[RefundPayment]


class RefundList(TypedDict, total=False):
    """Reference pages show count + page_info + results; the pagination guide shows count +
    next + previous + results.
    """

    count: int
    page_info: PageInfo
    next: str | None
    previous: str | None
    results: Required[list[Refund]]


class RefundPaymentList(TypedDict, total=False):
    """Reference pages show count + page_info + results; the pagination guide shows count +
    next + previous + results.
    """

    count: int
    page_info: PageInfo
    next: str | None
    previous: str | None
    results: Required[list[RefundPayment]]

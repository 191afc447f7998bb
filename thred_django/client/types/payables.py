"""Vendors, bills, bill payments, vendor credit notes."""

from __future__ import annotations

from typing import Any, Required, TypedDict

from thred_django.client.types.common import (
    AccountIdentifier,
    DocumentLink,
    DocumentUpload,
    PageInfo,
    ReconciledBankTransaction,
)


class CreateVendorRequest(TypedDict, total=False):
    external_id: str
    individual_name: str
    company_name: str
    email: str
    mobile_phone: str
    office_phone: str
    address_string: str
    memo: str
    transaction_tags: list[Any]
    country: str
    vat_number: str
    document: DocumentUpload


class VendorRequest(TypedDict, total=False):
    """Body schema declared for unarchive; presumably ignored. Send {}."""

    external_id: str
    individual_name: str
    company_name: str
    email: str


class Vendor(TypedDict, total=False):
    type: Required[str]
    id: Required[str]
    mobile_phone: Required[str]
    office_phone: Required[str]
    address_string: Required[str]
    memo: Required[str]
    status: Required[str]
    transaction_tags: Required[list[Any]]
    documents: list[DocumentLink]
    external_id: str
    individual_name: str
    company_name: str
    email: str


class BillLineItemInput(TypedDict, total=False):
    quantity: float
    unit_price: float
    description: str
    account_identifier: AccountIdentifier
    product: str
    sales_taxes: list[dict[str, Any]]


class CreateBillRequest(TypedDict, total=False):
    external_id: str
    line_items: list[BillLineItemInput]
    vendor_id: str
    vendor_external_id: str
    bill_number: str
    vendor_bill_number: str
    purchase_order_number: str
    memo: str
    reference_numbers: list[str]
    attachment_urls: list[str]
    bill_date: str
    received_at: str
    due_at: str
    approved_at: str
    currency: str
    document: DocumentUpload


class UpdateBillRequest(TypedDict, total=False):
    """PUT body (fields not legible; assumed to mirror create). If line_items is present all
    existing lines are replaced; if absent they are kept.
    """

    external_id: str
    line_items: list[BillLineItemInput]
    vendor_id: str
    vendor_external_id: str
    bill_number: str
    vendor_bill_number: str
    purchase_order_number: str
    memo: str
    reference_numbers: list[str]
    attachment_urls: list[str]
    bill_date: str
    received_at: str
    due_at: str
    approved_at: str
    currency: str
    document: DocumentUpload


class BillLineItem(TypedDict, total=False):
    id: str
    bill_id: str
    account_identifier: AccountIdentifier
    currency: str
    unit_price: float
    quantity: float
    subtotal: float
    sales_taxes_total: float
    total_amount: float
    tax_rate: float
    description: str
    product: str


class BillPaymentAllocationOnBill(TypedDict, total=False):
    """Further fields (bill payment id, …) not documented."""

    amount_cents: int
    payment_date: str
    payment_method: str


class Bill(TypedDict, total=False):
    """Only the leading fields are documented."""

    type: str
    id: str
    business_id: str
    status: str
    terms: str
    issue_date: str
    received_at: str
    due_at: str
    paid_at: str | None
    voided_at: str | None
    is_overdue: bool
    currency: str
    vendor: Vendor
    line_items: list[BillLineItem]
    bill_payment_allocations: list[BillPaymentAllocationOnBill]


class BillPaymentAllocationInput(TypedDict, total=False):
    bill_id: Required[str]
    amount_cents: Required[int]
    description: str


class CreateBillPaymentRequest(TypedDict, total=False):
    """Atomic create with allocations. The docs' own example sends vendor_id, amount_cents,
    payment_method, payment_date and allocations.
    """

    vendor_id: str
    amount_cents: int
    currency: str
    payment_method: str
    payment_date: str
    payment_reference: str
    check_number: str
    description: str
    memo: str
    processing_fee_cents: int
    external_id: str
    metadata: dict[str, Any]
    allocations: list[BillPaymentAllocationInput]


class UpdateBillPaymentRequest(TypedDict, total=False):
    """PATCH body; all fields optional."""

    status: str
    failure_reason: str
    payment_reference: str
    check_number: str
    description: str
    memo: str
    processing_fee_cents: int
    metadata: dict[str, Any]
    allocations: list[BillPaymentAllocationInput]


class BillPaymentAllocation(TypedDict, total=False):
    id: str
    bill_id: str
    bill_number: str
    vendor_bill_number: str
    bill_status: str
    amount_cents: int
    allocation_date: str
    created_at: str
    description: str


class VendorRefundAllocationOnPayment(TypedDict, total=False):
    vendor_refund_id: str
    amount_cents: int
    allocated_at: str
    reference_number: str


class BillPayment(TypedDict, total=False):
    """All amounts in cents."""

    id: str
    business_id: str
    vendor_id: str
    vendor_name: str
    payment_reference: str
    external_id: str
    processor_payment_id: str
    check_number: str
    amount_cents: int
    currency: str
    processing_fee_cents: int
    net_amount_cents: int
    allocated_amount_cents: int
    unallocated_amount_cents: int
    is_fully_allocated: bool
    payment_method: str
    status: str
    payment_date: str
    value_date: str
    submitted_at: str | None
    completed_at: str | None
    failed_at: str | None
    description: str
    memo: str
    failure_reason: str
    metadata: dict[str, Any]
    allocations: list[BillPaymentAllocation]
    vendor_refund_allocations: list[VendorRefundAllocationOnPayment]
    reconciled_bank_transactions: list[ReconciledBankTransaction]
    created_at: str
    updated_at: str


class VendorCreditLineItemInput(TypedDict, total=False):
    """Inferred from the vendor-credit response and the customer-credit request; verify."""

    amount: float
    expense_account_identifier: AccountIdentifier
    tax_amount_cents: int
    memo: str
    metadata: dict[str, Any]
    reference_number: str
    tags: list[Any]


class VendorCreditAllocationInput(TypedDict, total=False):
    """Inferred by analogy with customer-credit allocations {amount, invoice_id}; verify."""

    bill_id: str
    amount: float


class CreateVendorCreditRequest(TypedDict, total=False):
    """Request schema not legible in the docs; only external_id, vendor_external_id, line_items
    and allocations are named by the endpoint description.
    """

    external_id: str
    vendor_external_id: str
    vendor_id: str
    line_items: list[VendorCreditLineItemInput]
    allocations: list[VendorCreditAllocationInput]
    received_at: str
    source_bill_id: str
    currency: str
    tags: list[Any]
    document: DocumentUpload


class VendorCredit(TypedDict, total=False):
    id: str
    status: str
    received_at: str
    vendor: dict[str, Any]
    source_bill_id: str | None
    line_items: list[dict[str, Any]]
    allocations: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    total_amount: float
    applied_amount: float
    document: DocumentLink
    created_at: str
    updated_at: str
    external_id: str
    currency: str


class VendorList(TypedDict, total=False):
    """Reference pages show count + page_info + results; the pagination guide shows count +
    next + previous + results.
    """

    count: int
    page_info: PageInfo
    next: str | None
    previous: str | None
    results: Required[list[Vendor]]


class BillList(TypedDict, total=False):
    """Reference pages show count + page_info + results; the pagination guide shows count +
    next + previous + results.
    """

    count: int
    page_info: PageInfo
    next: str | None
    previous: str | None
    results: Required[list[Bill]]


class BillPaymentList(TypedDict, total=False):
    """Reference pages show count + page_info + results; the pagination guide shows count +
    next + previous + results.
    """

    count: int
    page_info: PageInfo
    next: str | None
    previous: str | None
    results: Required[list[BillPayment]]


class VendorCreditList(TypedDict, total=False):
    """Reference pages show count + page_info + results; the pagination guide shows count +
    next + previous + results.
    """

    count: int
    page_info: PageInfo
    next: str | None
    previous: str | None
    results: Required[list[VendorCredit]]

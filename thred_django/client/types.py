"""Request and response shapes of the Thred Partner API, as TypedDicts.

Taken from ``shared/thred-api/openapi.json`` (assembled from Thred's public docs).
``total=False`` throughout because the docs leave most fields' presence open;
``Required[...]`` marks the few fields the docs state as required. Fields the docs only
*list first* (``x-probably-required``) stay optional here: the sandbox's validation is
the place that enforces them.

Client methods accept either the TypedDict or any ``Mapping[str, Any]`` (see
``Payload``), so callers that build bodies dynamically need no casts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Required, TypeAlias, TypedDict, TypeVar

_T = TypeVar("_T")

# A request body: the documented TypedDict or any JSON-ready mapping.
Payload: TypeAlias = _T | Mapping[str, Any]


class ErrorResponse(TypedDict, total=False):
    """Error body documented by the error-handling guide. All keys optional; parse defensively."""

    error: str
    error_code: str
    details: dict[str, Any]
    detail: str


class PageInfo(TypedDict, total=False):
    total_count: int
    current_page: int
    total_pages: int
    page_size: int


class AccountIdentifier(TypedDict, total=False):
    """Reference to a ledger account. Only the {id, type: AccountId} form is shown in the docs;
    request schemas declare this field loosely, other forms are not documented.
    """

    id: str
    type: str


class DocumentUpload(TypedDict, total=False):
    """Optional supporting document attached on create."""

    file: str
    document_type: str
    upload_source: str
    metadata: dict[str, Any]
    tags: Any


class DocumentLink(TypedDict, total=False):
    url: str
    expires_in: int
    document_id: str
    file_name: str
    file_size: int
    mime_type: str


class ReconciledBankTransaction(TypedDict, total=False):
    bank_transaction_id: str
    bank_transaction_date: str
    bank_transaction_amount_cents: int
    bank_transaction_direction: str
    reconciled_amount_cents: int
    reconciliation_link_id: str
    reconciled_at: str
    currency: str
    payment_type: str
    bank_account_name: str
    notes: str


class CancellationResponse(TypedDict, total=False):
    message: Required[str]
    payment_id: Required[str]
    status: Required[str]
    updated_at: Required[str]


class TokenRequest(TypedDict, total=False):
    """Reference schema marks client_id required; guides send only grant_type. Send both."""

    client_id: Required[str]
    grant_type: str


class TokenResponse(TypedDict, total=False):
    access_token: Required[str]
    expires_in: Required[int]
    token_type: str


class BusinessTokenResponse(TypedDict, total=False):
    access_token: Required[str]
    token_type: str
    expires_in: Required[int]
    scope: str
    business_id: str


class CreateBusinessRequest(TypedDict, total=False):
    external_id: Required[str]
    legal_name: Required[str]
    entity_type: Required[str]
    email: Required[str]
    phone_number: str
    tin: str
    vat_number: str
    company_number: str
    country: str
    province: str
    eu_nace_industry_code: str
    base_currency: str
    accounting_method: str
    fiscal_year_end: str
    metadata: dict[str, Any]
    coa_language: str


class UpdateBusinessRequest(TypedDict, total=False):
    """Partial update; country, base_currency and external_id are not part of this schema."""

    legal_name: str
    entity_type: str
    phone_number: str
    tin: str
    vat_number: str
    company_number: str
    province: str
    eu_nace_industry_code: str
    email: str
    accounting_method: str
    fiscal_year_end: str
    metadata: dict[str, Any]


class Business(TypedDict, total=False):
    id: Required[str]
    external_id: str
    legal_name: str
    name: str
    entity_type: str
    phone_number: str
    tin: str
    vat_number: str
    company_number: str
    country: Required[str]
    province: str
    eu_nace_industry_code: str
    email: Required[str]
    base_currency: Required[str]
    accounting_method: Required[str]
    fiscal_year_end: str
    activation_at: str
    is_active: bool
    created_at: str
    updated_at: str
    metadata: dict[str, Any]
    _meta: dict[str, Any]  # tells a create from an idempotent return (fields undocumented)


class CreateCustomerRequest(TypedDict, total=False):
    """No field is documented as required."""

    external_id: str
    reference_number: str
    individual_name: str
    company_name: str
    email: str
    mobile_phone: str
    office_phone: str
    address_line1: str
    address_line2: str
    city: str
    state_county: str
    postal_code: str
    country: str
    vat_number: str
    tax_exempt: bool
    status: str
    transaction_tags: list[Any]
    notes: str
    metadata: dict[str, Any]
    payment_terms_days: int
    credit_limit_cents: int
    document: DocumentUpload


class Customer(TypedDict, total=False):
    type: str
    id: str
    external_id: str
    reference_number: str
    individual_name: str
    company_name: str
    display_name: str
    email: str
    mobile_phone: str
    office_phone: str
    address_line1: str
    address_line2: str
    city: str
    state_county: str
    postal_code: str
    country: str
    full_address: str
    address_string: str
    vat_number: str
    tax_exempt: bool
    status: str
    is_active: bool
    is_archived: bool
    transaction_tags: list[Any]
    notes: str
    metadata: dict[str, Any]
    payment_terms_days: int
    credit_limit: float
    credit_limit_cents: int
    outstanding_balance: float
    documents: list[DocumentLink]
    created_at: str
    updated_at: str
    archived_at: str | None


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


class SalesTaxInput(TypedDict, total=False):
    amount: float
    tax_account: AccountIdentifier
    discount_amount: float


class InvoiceLineItemInput(TypedDict, total=False):
    quantity: float
    unit_price: float
    external_id: str
    description: str
    account_identifier: AccountIdentifier
    product: str
    discount_amount: float
    sales_taxes: list[SalesTaxInput]


class CreateInvoiceRequest(TypedDict, total=False):
    """Required list not legible in the docs; see x-probably-required. No currency field
    (guides send one).
    """

    external_id: str
    sent_at: str
    line_items: list[InvoiceLineItemInput]
    due_at: str
    voided_at: str
    invoice_number: str
    invoice_type: str
    customer_id: str
    customer_external_id: str
    memo: str
    additional_discount: float
    additional_sales_taxes: list[dict[str, Any]]
    additional_sales_taxes_total: float
    tips: float
    tips_account: AccountIdentifier
    transaction_tags: list[str]
    metadata: dict[str, Any]
    document: DocumentUpload


class UpdateInvoiceRequest(TypedDict, total=False):
    """Sent with PUT; semantics for omitted fields not documented."""

    invoice_number: str
    invoice_type: str
    memo: str
    external_id: str
    due_at: str
    document: DocumentUpload
    customer_id: str
    line_items: list[InvoiceLineItemInput]
    additional_discount: float
    additional_sales_taxes_total: float
    tips: float


class VoidInvoiceRequest(TypedDict, total=False):
    """Generic invoice schema declared on the void endpoint; presumably optional. Send {}."""

    invoice_number: str
    external_id: str
    memo: str
    customer_id: str


class Invoice(TypedDict, total=False):
    """Only the leading fields of the invoice object are documented; more fields are returned."""

    type: str
    id: str
    business_id: str
    status: str
    sent_at: str
    due_at: str
    paid_at: str | None
    voided_at: str | None
    is_overdue: bool
    invoice_number: str
    invoice_type: str
    currency: str
    customer: Customer


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


class BusinessList(TypedDict, total=False):
    """Reference pages show count + page_info + results; the pagination guide shows count +
    next + previous + results.
    """

    count: int
    page_info: PageInfo
    next: str | None
    previous: str | None
    results: Required[list[Business]]


class CustomerList(TypedDict, total=False):
    """Reference pages show count + page_info + results; the pagination guide shows count +
    next + previous + results.
    """

    count: int
    page_info: PageInfo
    next: str | None
    previous: str | None
    results: Required[list[Customer]]


class VendorList(TypedDict, total=False):
    """Reference pages show count + page_info + results; the pagination guide shows count +
    next + previous + results.
    """

    count: int
    page_info: PageInfo
    next: str | None
    previous: str | None
    results: Required[list[Vendor]]


class InvoiceList(TypedDict, total=False):
    """Reference pages show count + page_info + results; the pagination guide shows count +
    next + previous + results.
    """

    count: int
    page_info: PageInfo
    next: str | None
    previous: str | None
    results: Required[list[Invoice]]


class InvoicePaymentDetailList(TypedDict, total=False):
    """Reference pages show count + page_info + results; the pagination guide shows count +
    next + previous + results.
    """

    count: int
    page_info: PageInfo
    next: str | None
    previous: str | None
    results: Required[list[InvoicePaymentDetail]]


class PayoutList(TypedDict, total=False):
    """Reference pages show count + page_info + results; the pagination guide shows count +
    next + previous + results.
    """

    count: int
    page_info: PageInfo
    next: str | None
    previous: str | None
    results: Required[list[Payout]]


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

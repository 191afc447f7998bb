"""Customers and invoices (accounts receivable)."""

from __future__ import annotations

from typing import Any, Required, TypedDict

from thred_django.client.types.common import (
    AccountIdentifier,
    DocumentLink,
    DocumentUpload,
    PageInfo,
)


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


class CustomerList(TypedDict, total=False):
    """Reference pages show count + page_info + results; the pagination guide shows count +
    next + previous + results.
    """

    count: int
    page_info: PageInfo
    next: str | None
    previous: str | None
    results: Required[list[Customer]]


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


class InvoiceList(TypedDict, total=False):
    """Reference pages show count + page_info + results; the pagination guide shows count +
    next + previous + results.
    """

    count: int
    page_info: PageInfo
    next: str | None
    previous: str | None
    results: Required[list[Invoice]]

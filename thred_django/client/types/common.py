"""Shared shapes (errors, pages, accounts, documents), tokens and businesses."""

from __future__ import annotations

from typing import Any, Required, TypedDict


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


class BusinessList(TypedDict, total=False):
    """Reference pages show count + page_info + results; the pagination guide shows count +
    next + previous + results.
    """

    count: int
    page_info: PageInfo
    next: str | None
    previous: str | None
    results: Required[list[Business]]

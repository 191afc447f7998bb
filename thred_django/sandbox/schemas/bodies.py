"""Request bodies the sandbox accepts, per resource and action, from the reference.

Field names and types are ``openapi.json``'s request schemas (``CreateInvoiceRequest``
…) and the resource pages; required markers, bounds and enums the docs leave open come
from ``readings``. Where this reading departs from the schema it says so here:

* ``*_cents`` and the un-suffixed amounts the schema types ``number`` are integers in
  minor units (gaps.md 2);
* invoice and bill PUT take every create field, all optional: the pages list only the
  update fields "seen", and a PUT carries the representation (bills: documented);
* payments may also carry ``processor_reference``, ``bank_reference``,
  ``transaction_tags`` and a creatable ``status`` (the PATCH schema has them; a
  create with ``pending`` is the only way to a cancellable payment);
* a payout update is its create (upsert); a business PATCH may repeat ``country`` and
  ``base_currency`` only unchanged.
"""

from __future__ import annotations

from thred_django.sandbox import readings as r
from thred_django.sandbox.schemas.fields import (
    Anything,
    Bool,
    Cents,
    Choice,
    DateTime,
    Day,
    Dict,
    Email,
    Field,
    Integer,
    ListOf,
    Obj,
    Quantity,
    Text,
    Url,
    Uuid,
    account,
    long_text,
    many,
)


def external_id(resource: str) -> Text:
    return Text(required=resource not in r.EXTERNAL_ID_OPTIONAL_FOR)


def strings() -> ListOf:
    return ListOf(Text())


def uuids() -> ListOf:
    return ListOf(Uuid())


# --- Business (CreateBusinessRequest, UpdateBusinessRequest) ------------------------------

_BUSINESS_OPTIONAL: dict[str, Field] = {
    "phone_number": Text(),
    "tin": Text(),
    "vat_number": Text(20),
    "company_number": Text(20),
    "province": Text(100),
    "eu_nace_industry_code": Text(10),
    "accounting_method": Choice(("cash", "accrual")),
    "fiscal_year_end": Day(),
    "metadata": Dict(),
}

BUSINESS_CREATE = Obj(
    {
        "external_id": Text(required="external_id" in r.BUSINESS_REQUIRED),
        "legal_name": Text(required="legal_name" in r.BUSINESS_REQUIRED),
        "entity_type": Text(required="entity_type" in r.BUSINESS_REQUIRED),
        "email": Email(required="email" in r.BUSINESS_REQUIRED),
        "country": Choice(r.COUNTRIES, required="country" in r.BUSINESS_REQUIRED),
        "base_currency": Choice(r.BASE_CURRENCIES, required="base_currency" in r.BUSINESS_REQUIRED),
        "coa_language": Text(10),
        **_BUSINESS_OPTIONAL,
    }
)

BUSINESS_UPDATE = Obj(
    {
        "legal_name": Text(blank=False),
        "entity_type": Text(blank=False),
        "email": Email(),
        "country": Choice(r.COUNTRIES),
        "base_currency": Choice(r.BASE_CURRENCIES),
        **_BUSINESS_OPTIONAL,
    }
)

# --- Counterparties (CreateCustomerRequest, CreateVendorRequest) ---------------------------

CUSTOMER_CREATE = Obj(
    {
        "external_id": external_id("customer"),
        "reference_number": Text(),
        "individual_name": Text(),
        "company_name": Text(),
        "email": Email(),
        **{
            name: Text()
            for name in ("mobile_phone", "office_phone", "address_line1", "address_line2")
        },
        **{name: Text() for name in ("city", "state_county", "postal_code", "vat_number")},
        "country": Text(2),
        "tax_exempt": Bool(),
        "status": Choice(r.CUSTOMER_STATUSES),
        "transaction_tags": strings(),
        "notes": long_text(),
        "metadata": Dict(),
        "payment_terms_days": Integer(minimum=0),
        "credit_limit_cents": Cents(minimum=1),
        "document": Dict(),
    }
)

VENDOR_CREATE = Obj(
    {
        "external_id": external_id("vendor"),
        "individual_name": Text(),
        "company_name": Text(),
        "email": Email(),
        "mobile_phone": Text(),
        "office_phone": Text(),
        "address_string": long_text(),
        "memo": long_text(),
        "transaction_tags": strings(),
        "country": Text(2),
        "vat_number": Text(),
        "document": Dict(),
    }
)

# --- Invoices (CreateInvoiceRequest, UpdateInvoiceRequest) ---------------------------------

SALES_TAX = {
    "amount": Cents(required=True, minimum=0),
    "tax_account": account(),
    "discount_amount": Cents(minimum=0),
}

INVOICE_LINE = {
    "quantity": Quantity(required=True),
    "unit_price": Cents(required=True, minimum=r.UNIT_PRICE_MIN),
    "external_id": Text(),
    "description": long_text(),
    "account_identifier": account(),
    "product": Text(),
    "discount_amount": Cents(minimum=0),
    "sales_taxes": many(SALES_TAX),
}

INVOICE_CREATE = Obj(
    {
        "external_id": external_id("invoice"),
        "sent_at": DateTime(required=True),
        "line_items": many(INVOICE_LINE, required=True),
        "due_at": DateTime(),
        "voided_at": DateTime(),
        "invoice_number": Text(),
        "invoice_type": Choice(r.INVOICE_TYPES),
        "customer_id": Uuid(),
        "customer_external_id": Text(),
        "memo": long_text(),
        "currency": Text(3),
        "additional_discount": Cents(minimum=0),
        "additional_sales_taxes": ListOf(Dict()),
        "additional_sales_taxes_total": Cents(minimum=0),
        "tips": Cents(minimum=0),
        "tips_account": account(),
        "transaction_tags": strings(),
        "metadata": Dict(),
        "document": Dict(),
    }
)
INVOICE_UPDATE = INVOICE_CREATE.optional()

# --- Invoice payments (CreateInvoicePaymentRequest, UpdateInvoicePaymentRequest) -----------

PAYMENT_FIELDS: dict[str, Field] = {
    "customer_id": Uuid(),
    "total_amount_cents": Cents(minimum=1),
    "allocations": many(
        {"invoice_id": Uuid(required=True), "amount_cents": Cents(required=True, minimum=1)}
    ),
    "payment_date": Day(),
    "currency": Text(3),
    "payment_method": Choice(r.PAYMENT_METHODS),
    "payment_reference": Text(),
    "external_id": Text(),
    "note": long_text(),
    "notes": long_text(),
    "metadata": Dict(),
    "references": Obj(
        {"bank_reference": Text(), "end_to_end_id": Text(), "payment_reference": Text()}
    ),
    "processing_fee_cents": Cents(minimum=0),
    "payment_processor": Text(100),
    "processor_reference": Text(),
    "bank_reference": Text(),
    "transaction_tags": strings(),
}

PAYMENT_CREATE = Obj(
    {
        **PAYMENT_FIELDS,
        "customer_id": Uuid(required=True),
        "total_amount_cents": Cents(required=True, minimum=1),
        "allocations": many(
            {"invoice_id": Uuid(required=True), "amount_cents": Cents(required=True, minimum=1)},
            required=r.PAYMENT_NEEDS_ALLOCATIONS,
        ),
        "payment_date": Day(required=True),
        "status": Choice(r.NEW_PAYMENT_STATUSES),
    }
)
PAYMENT_UPDATE = Obj({**PAYMENT_FIELDS, "status": Choice(r.PAYMENT_STATUSES)})

# --- Payouts (CreatePayoutRequest: an upsert) ----------------------------------------------

PAYOUT_UPSERT = Obj(
    {
        "external_id": external_id("payout"),
        "processor": Text(100, required=True),
        "paid_out_amount_cents": Cents(
            required=True, minimum=None if r.PAYOUT_AMOUNT_MAY_BE_NEGATIVE else 0
        ),
        "fee_cents": Cents(minimum=0),
        "currency": Text(3),
        "status": Choice(r.PAYOUT_STATUSES),
        "completed_at": DateTime(),
        "processor_payout_id": Text(),
        "additional_refunds_amount_cents": Cents(minimum=0),
        "payment_ids": uuids(),
        "refund_payment_ids": uuids(),
        "reference_number": Text(),
        "memo": long_text(),
        "metadata": Dict(),
    }
)

# --- Refunds and refund payments (CreateRefundRequest, CreateRefundPaymentRequest) --------

REFUND_CREATE = Obj(
    {
        "invoice_id": Uuid(required=True),
        "method": Choice(r.REFUND_METHODS, required=True),
        "completed_at": DateTime(required=True),
        "external_id": external_id("refund"),
        "amount_cents": Cents(minimum=1),
        "memo": long_text(),
        "reference_number": Text(),
        "processor": Text(100),
        "refund_processing_fee_cents": Cents(minimum=0),
        "document": Dict(),
    }
)

REFUND_PAYMENT_CREATE = Obj(
    {
        "amount_cents": Cents(required=True, minimum=1),
        "method": Choice(r.REFUND_METHODS, required=True),
        "external_id": external_id("refund_payment"),
        "completed_at": DateTime(),
        "processor": Text(100),
        "memo": long_text(),
        "transaction_tags": strings(),
        "refund_processing_fee_cents": Cents(minimum=0),
        "metadata": Dict(),
    }
)

# --- Bills (CreateBillRequest, UpdateBillRequest) ------------------------------------------

BILL_LINE = {
    "quantity": Quantity(required=True),
    "unit_price": Cents(required=True, minimum=r.UNIT_PRICE_MIN),
    "description": long_text(),
    "account_identifier": account(),
    "product": Text(),
    "sales_taxes": many(SALES_TAX),
}

BILL_CREATE = Obj(
    {
        "external_id": external_id("bill"),
        "line_items": many(BILL_LINE, required=True),
        "vendor_id": Uuid(),
        "vendor_external_id": Text(),
        "bill_number": Text(),
        "vendor_bill_number": Text(),
        "purchase_order_number": Text(),
        "memo": long_text(),
        "reference_numbers": strings(),
        "attachment_urls": ListOf(Url()),
        "bill_date": Day(),
        "received_at": DateTime(),
        "due_at": DateTime(),
        "approved_at": DateTime(),
        "currency": Text(3),
        "document": Dict(),
    }
)
BILL_UPDATE = BILL_CREATE.optional()

# --- Bill payments (CreateBillPaymentRequest, UpdateBillPaymentRequest) --------------------

BILL_ALLOCATION = {
    "bill_id": Uuid(required=True),
    "amount_cents": Cents(required=True, minimum=1),
    "description": long_text(),
}


def _bill_payment_required(name: str) -> bool:
    return name in r.BILL_PAYMENT_REQUIRED


BILL_PAYMENT_CREATE = Obj(
    {
        "vendor_id": Uuid(required=_bill_payment_required("vendor_id")),
        "amount_cents": Cents(required=_bill_payment_required("amount_cents"), minimum=1),
        "currency": Text(3),
        "payment_method": Choice(
            r.BILL_PAYMENT_METHODS, required=_bill_payment_required("payment_method")
        ),
        "payment_date": Day(required=_bill_payment_required("payment_date")),
        "payment_reference": Text(100),
        "check_number": Text(50),
        "description": long_text(),
        "memo": long_text(),
        "processing_fee_cents": Cents(minimum=0),
        "external_id": external_id("bill_payment"),
        "metadata": Dict(),
        "allocations": many(BILL_ALLOCATION, required=_bill_payment_required("allocations")),
        "status": Choice(r.NEW_PAYMENT_STATUSES),
    }
)

BILL_PAYMENT_UPDATE = Obj(
    {
        "status": Choice(r.BILL_PAYMENT_STATUSES),
        "failure_reason": long_text(),
        "payment_reference": Text(100),
        "check_number": Text(50),
        "description": long_text(),
        "memo": long_text(),
        "processing_fee_cents": Cents(minimum=0),
        "metadata": Dict(),
        "allocations": many(BILL_ALLOCATION),
    }
)

# --- Vendor credits (CreateVendorCreditRequest) ---------------------------------------------

VENDOR_CREDIT_CREATE = Obj(
    {
        "external_id": external_id("vendor_credit"),
        "vendor_external_id": Text(),
        "vendor_id": Uuid(),
        "line_items": many(
            {
                "amount": Cents(required=True, minimum=1),
                "expense_account_identifier": account(),
                "tax_amount_cents": Cents(minimum=0),
                "memo": long_text(),
                "metadata": Dict(),
                "reference_number": Text(),
                "tags": ListOf(Anything()),
            },
            required=True,
        ),
        "allocations": many(
            {"bill_id": Uuid(required=True), "amount": Cents(required=True, minimum=1)}
        ),
        "received_at": DateTime(),
        "source_bill_id": Uuid(),
        "currency": Text(3),
        "tags": ListOf(Anything()),
        "document": Dict(),
    }
)

BODIES: dict[tuple[str, str], Obj] = {
    ("business", "create"): BUSINESS_CREATE,
    ("business", "update"): BUSINESS_UPDATE,
    ("customer", "create"): CUSTOMER_CREATE,
    ("vendor", "create"): VENDOR_CREATE,
    ("invoice", "create"): INVOICE_CREATE,
    ("invoice", "update"): INVOICE_UPDATE,
    ("payment", "create"): PAYMENT_CREATE,
    ("payment", "update"): PAYMENT_UPDATE,
    ("payout", "create"): PAYOUT_UPSERT,
    ("payout", "update"): PAYOUT_UPSERT,
    ("refund", "create"): REFUND_CREATE,
    ("refund_payment", "create"): REFUND_PAYMENT_CREATE,
    ("bill", "create"): BILL_CREATE,
    ("bill", "update"): BILL_UPDATE,
    ("bill_payment", "create"): BILL_PAYMENT_CREATE,
    ("bill_payment", "update"): BILL_PAYMENT_UPDATE,
    ("vendor_credit", "create"): VENDOR_CREDIT_CREATE,
}

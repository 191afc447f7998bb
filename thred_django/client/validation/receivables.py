"""Body-shape validation of Thred Partner API request payloads.

The contract: ``validate_payload(resource, action, data, *, base_currency=None,
country=None)`` returns ``{field: [messages]}`` for everything wrong with ``data`` that
can be told from the body alone (required fields, types, integer minor-unit amounts,
enums, lengths, e-mail format, dates, currency equal to the business base currency,
entity type valid for the country, allocation sums) and ``{}`` when it is valid. It has
no side effects, touches no database and imports nothing of the ORM or the sandbox: the
sync engine calls it before sending, and the sandbox calls it (through
``validated_payload``, which also returns the coerced values) before its own reference
and state checks, so both reject exactly the same bodies.

``resource`` is one of ``RESOURCES``; ``action`` is ``"create"`` or ``"update"``
(the update body of invoices and bills (PUT), payments and bill payments (PATCH),
businesses (PATCH); a payout update is its upsert create). Asking for an action the API
does not have raises ``ValueError``. Nested field errors are flattened to keys like
``line_items[1].unit_price``. Every reading of undocumented behaviour comes from
``thred_django.client.gaps``.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from thred_django.client import gaps

RESOURCES = (
    "business",
    "customer",
    "vendor",
    "invoice",
    "payment",
    "payout",
    "refund",
    "refund_payment",
    "bill",
    "bill_payment",
    "vendor_credit",
)
ACTIONS = ("create", "update")

Errors = dict[str, list[str]]

_NULL = gaps.REQUEST_FIELDS_ACCEPT_NULL
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DATETIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$"
)
_INT_RE = re.compile(r"^-?\d+$")


# --- Fields --------------------------------------------------------------------------


class MinorUnitsField(serializers.IntegerField):
    """An integer amount in minor units; refuses floats, booleans and decimal strings."""

    default_error_messages = {
        "invalid": "A valid integer is required.",
        "not_minor_units": "Must be an integer in minor units (e.g. 1050 for 10.50).",
    }

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            return data
        if isinstance(data, float | Decimal):
            self.fail("not_minor_units")
        if isinstance(data, str) and _INT_RE.match(data.strip()):
            return int(data.strip())
        self.fail("invalid")
        raise AssertionError  # unreachable: fail() raises


class QuantityField(serializers.Field):
    """A number (int, float, Decimal or numeric string), returned as ``Decimal``."""

    default_error_messages = {
        "invalid": "A valid number is required.",
        "positive": "Ensure this value is greater than 0.",
    }

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, int | float | Decimal | str):
            self.fail("invalid")
        try:
            value = Decimal(str(data).strip())
        except InvalidOperation:
            self.fail("invalid")
        if not value.is_finite():
            self.fail("invalid")
        if gaps.LINE_QUANTITY_MUST_BE_POSITIVE and value <= 0:
            self.fail("positive")
        return value

    def to_representation(self, value: Any) -> Any:
        return value


class CanonicalUUIDField(serializers.Field):
    """A lower-case, hyphenated UUID string (or ``uuid.UUID``), returned as ``str``."""

    default_error_messages = {"invalid": "Must be a valid lower-case UUID."}

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, uuid.UUID):
            return str(data)
        if isinstance(data, str):
            if gaps.UUIDS_MUST_BE_CANONICAL_LOWERCASE and _UUID_RE.match(data):
                return data
            if not gaps.UUIDS_MUST_BE_CANONICAL_LOWERCASE:
                try:
                    return str(uuid.UUID(data))
                except ValueError:
                    pass
        self.fail("invalid")
        raise AssertionError

    def to_representation(self, value: Any) -> Any:
        return value


class ZonedDateTimeField(serializers.Field):
    """An ISO 8601 date-time with time and zone, returned as an aware ``datetime``."""

    default_error_messages = {
        "invalid": "Must be an ISO 8601 date-time with a time zone, e.g. 2024-12-20T14:30:45Z."
    }

    def to_internal_value(self, data: Any) -> datetime:
        if isinstance(data, datetime):
            if data.tzinfo is None and gaps.DATETIME_REQUIRES_TIME_AND_ZONE:
                self.fail("invalid")
            return data
        if isinstance(data, str):
            text = data.strip()
            if gaps.DATETIME_REQUIRES_TIME_AND_ZONE and not _DATETIME_RE.match(text):
                self.fail("invalid")
            try:
                parsed = parse_datetime(text)
            except ValueError:
                parsed = None
            if parsed is not None:
                return parsed
        self.fail("invalid")
        raise AssertionError

    def to_representation(self, value: Any) -> Any:
        return value


def _text(max_length: int = gaps.DEFAULT_MAX_LENGTH, *, required: bool = False) -> Any:
    return serializers.CharField(
        max_length=max_length, required=required, allow_blank=not required, allow_null=_NULL
    )


def _long_text() -> Any:
    return _text(gaps.TEXT_MAX_LENGTH)


def _choice(choices: tuple[str, ...], *, required: bool = False) -> Any:
    return serializers.ChoiceField(choices=choices, required=required, allow_null=_NULL)


def _cents(*, required: bool = False, min_value: int | None = None) -> Any:
    return MinorUnitsField(required=required, min_value=min_value, allow_null=_NULL)


def _uuid(*, required: bool = False) -> Any:
    return CanonicalUUIDField(required=required, allow_null=_NULL)


def _datetime(*, required: bool = False) -> Any:
    return ZonedDateTimeField(required=required, allow_null=_NULL)


def _date(*, required: bool = False) -> Any:
    return serializers.DateField(required=required, allow_null=_NULL, input_formats=["%Y-%m-%d"])


def _dict() -> Any:
    return serializers.DictField(required=False, allow_null=_NULL)


def _strings() -> Any:
    return serializers.ListField(child=serializers.CharField(), required=False, allow_null=_NULL)


def _uuids() -> Any:
    return serializers.ListField(child=CanonicalUUIDField(), required=False, allow_null=_NULL)


def _email(*, required: bool = False) -> Any:
    return serializers.EmailField(
        max_length=gaps.DEFAULT_MAX_LENGTH, required=required, allow_blank=False, allow_null=_NULL
    )


def _external_id(resource: str) -> Any:
    return _text(required=resource in gaps.EXTERNAL_ID_REQUIRED_FOR)


def _many(serializer: type[serializers.Serializer], *, required: bool = False) -> Any:
    return serializer(many=True, required=required, allow_empty=not required, allow_null=_NULL)


# --- Nested shapes -------------------------------------------------------------------


class AccountIdentifier(serializers.Serializer):
    id = CanonicalUUIDField()
    type = serializers.ChoiceField(choices=gaps.ACCOUNT_IDENTIFIER_TYPES)


def _account() -> Any:
    return AccountIdentifier(required=False, allow_null=_NULL)


class SalesTax(serializers.Serializer):
    amount = _cents(required=True, min_value=0)
    tax_account = _account()
    discount_amount = _cents(min_value=0)


class InvoiceLine(serializers.Serializer):
    quantity = QuantityField()
    unit_price = _cents(required=True, min_value=gaps.UNIT_PRICE_MIN)
    external_id = _text()
    description = _long_text()
    account_identifier = _account()
    product = _text()
    discount_amount = _cents(min_value=0)
    sales_taxes = _many(SalesTax)


class BillLine(serializers.Serializer):
    quantity = QuantityField()
    unit_price = _cents(required=True, min_value=gaps.UNIT_PRICE_MIN)
    description = _long_text()
    account_identifier = _account()
    product = _text()
    sales_taxes = _many(SalesTax)


class PaymentAllocation(serializers.Serializer):
    invoice_id = CanonicalUUIDField()
    amount_cents = _cents(required=True, min_value=1)


class BillPaymentAllocation(serializers.Serializer):
    bill_id = CanonicalUUIDField()
    amount_cents = _cents(required=True, min_value=1)
    description = _long_text()


class VendorCreditLine(serializers.Serializer):
    amount = _cents(required=True, min_value=1)
    expense_account_identifier = _account()
    tax_amount_cents = _cents(min_value=0)
    memo = _long_text()
    metadata = _dict()
    reference_number = _text()
    tags = serializers.ListField(required=False, allow_null=_NULL)


class VendorCreditAllocation(serializers.Serializer):
    bill_id = CanonicalUUIDField()
    amount = _cents(required=True, min_value=1)


class PaymentReferences(serializers.Serializer):
    bank_reference = _text()
    end_to_end_id = _text()
    payment_reference = _text()


# --- Top-level bodies ----------------------------------------------------------------


def _business_field(name: str, field: Callable[..., Any], *args: Any) -> Any:
    return field(*args, required=name in gaps.BUSINESS_REQUIRED_FIELDS)


class BusinessCreate(serializers.Serializer):
    external_id = _business_field("external_id", _text)
    legal_name = _business_field("legal_name", _text)
    entity_type = _business_field("entity_type", _text)
    email = _business_field("email", _email)
    phone_number = _text()
    tin = _text()
    vat_number = _text(20)
    company_number = _text(20)
    country = _business_field("country", _choice, gaps.SUPPORTED_COUNTRIES)
    province = _text(100)
    eu_nace_industry_code = _text(10)
    base_currency = _business_field("base_currency", _choice, gaps.BASE_CURRENCIES)
    accounting_method = _choice(("cash", "accrual"))
    fiscal_year_end = _date()
    metadata = _dict()
    coa_language = _text(10)


class BusinessUpdate(serializers.Serializer):
    legal_name = serializers.CharField(max_length=255, required=False, allow_null=_NULL)
    entity_type = serializers.CharField(max_length=255, required=False, allow_null=_NULL)
    phone_number = _text()
    tin = _text()
    vat_number = _text(20)
    company_number = _text(20)
    province = _text(100)
    eu_nace_industry_code = _text(10)
    email = _email()
    accounting_method = _choice(("cash", "accrual"))
    fiscal_year_end = _date()
    metadata = _dict()
    # Read-only in Thred; declared so a changed value can be refused (see gaps).
    country = _choice(gaps.SUPPORTED_COUNTRIES)
    base_currency = _choice(gaps.BASE_CURRENCIES)


class CustomerCreate(serializers.Serializer):
    external_id = _external_id("customer")
    reference_number = _text()
    individual_name = _text()
    company_name = _text()
    email = _email()
    mobile_phone = _text()
    office_phone = _text()
    address_line1 = _text()
    address_line2 = _text()
    city = _text()
    state_county = _text()
    postal_code = _text()
    country = _text(2)
    vat_number = _text()
    tax_exempt = serializers.BooleanField(required=False)
    status = _choice(gaps.CUSTOMER_STATUSES)
    transaction_tags = _strings()
    notes = _long_text()
    metadata = _dict()
    payment_terms_days = serializers.IntegerField(required=False, min_value=0, allow_null=_NULL)
    credit_limit_cents = _cents(min_value=1)
    document = _dict()


class VendorCreate(serializers.Serializer):
    external_id = _external_id("vendor")
    individual_name = _text()
    company_name = _text()
    email = _email()
    mobile_phone = _text()
    office_phone = _text()
    address_string = _long_text()
    memo = _long_text()
    transaction_tags = _strings()
    country = _text(2)
    vat_number = _text()
    document = _dict()


class InvoiceCreate(serializers.Serializer):
    external_id = _external_id("invoice")
    sent_at = _datetime(required=True)
    line_items = _many(InvoiceLine, required=True)
    due_at = _datetime()
    voided_at = _datetime()
    invoice_number = _text()
    invoice_type = _choice(gaps.INVOICE_TYPES)
    customer_id = _uuid()
    customer_external_id = _text()
    memo = _long_text()
    currency = _text(3)
    additional_discount = _cents(min_value=0)
    additional_sales_taxes = serializers.ListField(
        child=serializers.DictField(), required=False, allow_null=_NULL
    )
    additional_sales_taxes_total = _cents(min_value=0)
    tips = _cents(min_value=0)
    tips_account = _account()
    transaction_tags = _strings()
    metadata = _dict()
    document = _dict()


class PaymentCreate(serializers.Serializer):
    customer_id = _uuid(required=True)
    total_amount_cents = _cents(required=True, min_value=1)
    allocations = _many(PaymentAllocation, required=gaps.PAYMENT_ALLOCATIONS_REQUIRED)
    payment_date = _date(required=True)
    currency = _text(3)
    payment_method = _choice(gaps.PAYMENT_METHODS)
    payment_reference = _text()
    external_id = _external_id("payment")
    note = _long_text()
    notes = _long_text()
    metadata = _dict()
    references = PaymentReferences(required=False, allow_null=_NULL)
    processing_fee_cents = _cents(min_value=0)
    payment_processor = _text(100)
    processor_reference = _text()
    bank_reference = _text()
    transaction_tags = _strings()
    status = _choice(gaps.PAYMENT_CREATE_STATUSES)


class PaymentUpdate(serializers.Serializer):
    customer_id = _uuid()
    total_amount_cents = _cents(min_value=1)
    allocations = _many(PaymentAllocation)
    payment_date = _date()
    currency = _text(3)
    payment_method = _choice(gaps.PAYMENT_METHODS)
    payment_reference = _text()
    external_id = _text()
    note = _long_text()
    notes = _long_text()
    metadata = _dict()
    references = PaymentReferences(required=False, allow_null=_NULL)
    processor_reference = _text()
    bank_reference = _text()
    status = _choice(gaps.PAYMENT_STATUSES)
    transaction_tags = _strings()
    payment_processor = _text(100)
    processing_fee_cents = _cents(min_value=0)


class PayoutUpsert(serializers.Serializer):
    external_id = _external_id("payout")
    processor = _text(100, required=True)
    paid_out_amount_cents = _cents(
        required=True, min_value=None if gaps.PAYOUT_AMOUNT_MAY_BE_NEGATIVE else 0
    )
    fee_cents = _cents(min_value=0)
    currency = _text(3)
    status = _choice(gaps.PAYOUT_STATUSES)
    completed_at = _datetime()
    processor_payout_id = _text()
    additional_refunds_amount_cents = _cents(min_value=0)
    payment_ids = _uuids()
    refund_payment_ids = _uuids()
    reference_number = _text()
    memo = _long_text()
    metadata = _dict()


class RefundCreate(serializers.Serializer):
    invoice_id = _uuid(required=True)
    method = _choice(gaps.REFUND_METHODS, required=True)
    completed_at = _datetime(required=True)
    external_id = _external_id("refund")
    amount_cents = _cents(min_value=1)
    memo = _long_text()
    reference_number = _text()
    processor = _text(100)
    refund_processing_fee_cents = _cents(min_value=0)
    document = _dict()


class RefundPaymentCreate(serializers.Serializer):
    amount_cents = _cents(required=True, min_value=1)
    method = _choice(gaps.REFUND_METHODS, required=True)
    external_id = _external_id("refund_payment")
    completed_at = _datetime()
    processor = _text(100)
    memo = _long_text()
    transaction_tags = _strings()
    refund_processing_fee_cents = _cents(min_value=0)
    metadata = _dict()


class BillCreate(serializers.Serializer):
    external_id = _external_id("bill")
    line_items = _many(BillLine, required=True)
    vendor_id = _uuid()
    vendor_external_id = _text()
    bill_number = _text()
    vendor_bill_number = _text()
    purchase_order_number = _text()
    memo = _long_text()
    reference_numbers = _strings()
    attachment_urls = serializers.ListField(
        child=serializers.URLField(), required=False, allow_null=_NULL
    )
    bill_date = _date()
    received_at = _datetime()
    due_at = _datetime()
    approved_at = _datetime()
    currency = _text(3)
    document = _dict()


def _bill_payment_field(name: str, field: Callable[..., Any], *args: Any) -> Any:
    return field(*args, required=name in gaps.BILL_PAYMENT_REQUIRED_FIELDS)


class BillPaymentCreate(serializers.Serializer):
    vendor_id = _bill_payment_field("vendor_id", _uuid)
    amount_cents = _cents(required="amount_cents" in gaps.BILL_PAYMENT_REQUIRED_FIELDS, min_value=1)
    currency = _text(3)
    payment_method = _bill_payment_field("payment_method", _choice, gaps.BILL_PAYMENT_METHODS)
    payment_date = _bill_payment_field("payment_date", _date)
    payment_reference = _text(100)
    check_number = _text(50)
    description = _long_text()
    memo = _long_text()
    processing_fee_cents = _cents(min_value=0)
    external_id = _external_id("bill_payment")
    metadata = _dict()
    allocations = _many(
        BillPaymentAllocation, required="allocations" in gaps.BILL_PAYMENT_REQUIRED_FIELDS
    )
    status = _choice(gaps.BILL_PAYMENT_CREATE_STATUSES)


class BillPaymentUpdate(serializers.Serializer):
    status = _choice(gaps.BILL_PAYMENT_STATUSES)
    failure_reason = _long_text()
    payment_reference = _text(100)
    check_number = _text(50)
    description = _long_text()
    memo = _long_text()
    processing_fee_cents = _cents(min_value=0)
    metadata = _dict()
    allocations = _many(BillPaymentAllocation)


class VendorCreditCreate(serializers.Serializer):
    external_id = _external_id("vendor_credit")
    vendor_external_id = _text()
    vendor_id = _uuid()
    line_items = _many(VendorCreditLine, required=True)
    allocations = _many(VendorCreditAllocation)
    received_at = _datetime()
    source_bill_id = _uuid()
    currency = _text(3)
    tags = serializers.ListField(required=False, allow_null=_NULL)
    document = _dict()


def _all_optional(source: type[serializers.Serializer], name: str) -> type:
    """A copy of ``source`` whose top-level fields are optional (nested ones unchanged)."""
    fields: dict[str, Any] = {}
    for field_name, field in source._declared_fields.items():
        # DRF keeps every field's constructor arguments for deepcopy; reuse them.
        args, kwargs = getattr(field, "_args", ()), dict(getattr(field, "_kwargs", {}))
        kwargs = {key: copy.deepcopy(value) for key, value in kwargs.items()}
        kwargs["required"] = False
        fields[field_name] = type(field)(*args, **kwargs)
    return type(name, (serializers.Serializer,), fields)


InvoiceUpdate = _all_optional(InvoiceCreate, "InvoiceUpdate")
BillUpdate = _all_optional(BillCreate, "BillUpdate")


# --- Totals (the formula is a gap decision; see gaps.py) -----------------------------


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(value)
    return int(value)


def line_subtotal_cents(line: Mapping[str, Any]) -> int:
    """round_half_up(quantity * unit_price) of one invoice or bill line."""
    value = Decimal(str(line["quantity"])) * _int(line["unit_price"])
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _net_taxes(line: Mapping[str, Any]) -> int:
    return sum(
        _int(tax.get("amount", 0)) - _int(tax.get("discount_amount", 0))
        for tax in line.get("sales_taxes") or ()
    )


def invoice_line_total_cents(line: Mapping[str, Any]) -> int:
    """Subtotal - discount_amount + net sales taxes of one invoice line."""
    return line_subtotal_cents(line) - _int(line.get("discount_amount", 0)) + _net_taxes(line)


def bill_line_total_cents(line: Mapping[str, Any]) -> int:
    """Subtotal + net sales taxes of one bill line."""
    return line_subtotal_cents(line) + _net_taxes(line)


def invoice_total_cents(data: Mapping[str, Any]) -> int:
    """Invoice total in minor units from its line items and invoice-level terms."""
    lines = sum(invoice_line_total_cents(line) for line in data["line_items"])
    return (
        lines
        - _int(data.get("additional_discount", 0))
        + _int(data.get("additional_sales_taxes_total", 0))
        + _int(data.get("tips", 0))
    )


def bill_total_cents(data: Mapping[str, Any]) -> int:
    """Bill total in minor units from its line items."""
    return sum(bill_line_total_cents(line) for line in data["line_items"])


def vendor_credit_total_cents(data: Mapping[str, Any]) -> int:
    """Vendor credit total: sum of line amount + tax_amount_cents (minor units)."""
    return sum(
        _int(line["amount"]) + _int(line.get("tax_amount_cents", 0)) for line in data["line_items"]
    )


# --- Cross-field rules (run on the raw body, so they report alongside field errors) --


class _Rules:
    """Collects errors of rules that involve several fields or the context."""

    def __init__(self, data: Mapping[str, Any], base_currency: str | None, country: str | None):
        self.data = data
        self.base_currency = base_currency
        self.country = country
        self.errors: Errors = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def given(self, field: str) -> bool:
        value = self.data.get(field)
        return value is not None and value != ""

    def one_of(self, *fields: str) -> None:
        if not any(self.given(f) for f in fields):
            for field in fields:
                self.add(field, f"One of {' or '.join(fields)} is required.")

    def currency(self, *, default: str | None = None) -> None:
        currency = self.data.get("currency", default)
        if not isinstance(currency, str) or not currency:
            return
        if currency not in gaps.BASE_CURRENCIES:
            self.add(
                "currency", f"Invalid currency code. Must be one of: {_join(gaps.BASE_CURRENCIES)}"
            )
        elif (
            self.base_currency
            and gaps.SINGLE_CURRENCY_PER_BUSINESS
            and currency != self.base_currency
        ):
            hint = " (an omitted currency defaults to GBP)" if "currency" not in self.data else ""
            self.add(
                "currency",
                f"Currency must equal the business base currency {self.base_currency}{hint}.",
            )

    def entity_type(self, country: Any) -> None:
        entity_type = self.data.get("entity_type")
        allowed = gaps.ENTITY_TYPES_BY_COUNTRY.get(country) if isinstance(country, str) else None
        if allowed and isinstance(entity_type, str) and entity_type and entity_type not in allowed:
            self.add(
                "entity_type",
                f"Invalid entity type '{entity_type}' for {country}. Valid codes: {_join(allowed)}",
            )

    def allocations(self, key: str, id_field: str, amount_field: str, total: Any) -> None:
        items = self.data.get(key)
        if not isinstance(items, list):
            return
        seen: set[Any] = set()
        amounts: list[int] = []
        for index, item in enumerate(items):
            if not isinstance(item, Mapping):
                continue
            ref = item.get(id_field)
            if isinstance(ref, str) and ref in seen:
                self.add(f"{key}[{index}].{id_field}", "Appears more than once in allocations.")
            seen.add(ref)
            try:
                amounts.append(_int(item.get(amount_field)))
            except (TypeError, ValueError):
                return
        try:
            limit = _int(total) if total is not None else None
        except (TypeError, ValueError):
            return
        if limit is not None and sum(amounts) > limit:
            self.add(
                key, f"Allocations total {sum(amounts)} exceeds the amount to allocate ({limit})."
            )

    def fee_within(self, fee_field: str, amount_field: str) -> None:
        if not gaps.FEE_MAY_NOT_EXCEED_AMOUNT:
            return
        try:
            fee, amount = _int(self.data[fee_field]), _int(self.data[amount_field])
        except (KeyError, TypeError, ValueError):
            return
        if fee > amount:
            self.add(fee_field, f"May not exceed {amount_field} ({amount}).")

    def total_not_negative(self, compute: Callable[[Mapping[str, Any]], int]) -> None:
        if not isinstance(self.data.get("line_items"), list):
            return
        try:
            total = compute(self.data)
        except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation):
            return
        if total < gaps.DOCUMENT_TOTAL_MIN_CENTS:
            self.add("line_items", f"The document total may not be negative (got {total}).")

    def distinct(self, key: str) -> None:
        items = self.data.get(key)
        if isinstance(items, list) and len({str(i) for i in items}) != len(items):
            self.add(key, "Contains duplicate ids.")


def _join(values: tuple[str, ...]) -> str:
    return ", ".join(values)


def _rules_business_create(r: _Rules) -> None:
    r.entity_type(r.data.get("country"))


def _rules_business_update(r: _Rules) -> None:
    r.entity_type(r.country)
    for field, current in (("country", r.country), ("base_currency", r.base_currency)):
        value = r.data.get(field)
        refused = field in gaps.BUSINESS_IMMUTABLE_FIELDS_REFUSED_WHEN_CHANGED
        if refused and value and current and value != current:
            r.add(field, f"Cannot be changed (the business has {current}).")


def _rules_counterparty(r: _Rules) -> None:
    r.one_of(*gaps.COUNTERPARTY_NAME_FIELDS)


def _rules_invoice(create: bool) -> Callable[[_Rules], None]:
    def rules(r: _Rules) -> None:
        if create:
            r.one_of("customer_id", "customer_external_id")
        r.currency()
        r.total_not_negative(invoice_total_cents)

    return rules


def _rules_payment(create: bool) -> Callable[[_Rules], None]:
    def rules(r: _Rules) -> None:
        r.currency()
        r.allocations("allocations", "invoice_id", "amount_cents", r.data.get("total_amount_cents"))
        r.fee_within("processing_fee_cents", "total_amount_cents")
        if not create and gaps.UPDATE_MAY_NOT_SET_CANCELLED and r.data.get("status") == "cancelled":
            r.add("status", "Use the cancel endpoint (…/delete/) to cancel a payment.")

    return rules


def _rules_payout(r: _Rules) -> None:
    r.currency()
    r.distinct("payment_ids")
    r.distinct("refund_payment_ids")


def _rules_refund(r: _Rules) -> None:
    alias = gaps.REFUND_PARTIAL_AMOUNT_ALIAS_REFUSED
    if alias in r.data:
        r.add(alias, "Not supported: send the partial refund amount as amount_cents.")


def _rules_bill(create: bool) -> Callable[[_Rules], None]:
    def rules(r: _Rules) -> None:
        if create:
            r.one_of("vendor_id", "vendor_external_id")
        r.currency()
        r.total_not_negative(bill_total_cents)

    return rules


def _rules_bill_payment_create(r: _Rules) -> None:
    if r.data.get("payment_method") == "check" and not r.given("check_number"):
        r.add("check_number", "This field is required when payment_method is check.")
    r.currency(default=gaps.BILL_PAYMENT_DEFAULT_CURRENCY)
    r.allocations("allocations", "bill_id", "amount_cents", r.data.get("amount_cents"))
    r.fee_within("processing_fee_cents", "amount_cents")


def _rules_bill_payment_update(r: _Rules) -> None:
    r.allocations("allocations", "bill_id", "amount_cents", None)
    if gaps.UPDATE_MAY_NOT_SET_CANCELLED and r.data.get("status") == "cancelled":
        r.add("status", "Use the cancel endpoint (…/delete/) to cancel a bill payment.")


def _rules_vendor_credit(r: _Rules) -> None:
    r.one_of("vendor_id", "vendor_external_id")
    r.currency()
    total: int | None
    try:
        total = vendor_credit_total_cents(r.data)
    except (KeyError, TypeError, ValueError, AttributeError):
        total = None
    r.allocations("allocations", "bill_id", "amount", total)


_Spec = tuple[type[serializers.Serializer], Callable[[_Rules], None]]

_SPECS: dict[tuple[str, str], _Spec] = {
    ("business", "create"): (BusinessCreate, _rules_business_create),
    ("business", "update"): (BusinessUpdate, _rules_business_update),
    ("customer", "create"): (CustomerCreate, _rules_counterparty),
    ("vendor", "create"): (VendorCreate, _rules_counterparty),
    ("invoice", "create"): (InvoiceCreate, _rules_invoice(create=True)),
    ("invoice", "update"): (InvoiceUpdate, _rules_invoice(create=False)),
    ("payment", "create"): (PaymentCreate, _rules_payment(create=True)),
    ("payment", "update"): (PaymentUpdate, _rules_payment(create=False)),
    ("payout", "create"): (PayoutUpsert, _rules_payout),
    ("payout", "update"): (PayoutUpsert, _rules_payout),
    ("refund", "create"): (RefundCreate, _rules_refund),
    ("refund_payment", "create"): (RefundPaymentCreate, lambda r: None),
    ("bill", "create"): (BillCreate, _rules_bill(create=True)),
    ("bill", "update"): (BillUpdate, _rules_bill(create=False)),
    ("bill_payment", "create"): (BillPaymentCreate, _rules_bill_payment_create),
    ("bill_payment", "update"): (BillPaymentUpdate, _rules_bill_payment_update),
    ("vendor_credit", "create"): (VendorCreditCreate, _rules_vendor_credit),
}


def _flatten(errors: Any, prefix: str = "") -> Errors:
    out: Errors = {}

    def merge(more: Errors) -> None:
        for key, messages in more.items():
            out.setdefault(key, []).extend(messages)

    if isinstance(errors, Mapping):
        for key, value in errors.items():
            if key == "non_field_errors" and prefix:
                path = prefix
            elif isinstance(key, int):
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            merge(_flatten(value, path))
    elif isinstance(errors, list):
        if all(isinstance(e, str) for e in errors):
            if errors:
                out[prefix or "non_field_errors"] = [str(e) for e in errors]
        else:
            for index, item in enumerate(errors):
                if item:
                    merge(_flatten(item, f"{prefix}[{index}]"))
    else:
        out[prefix or "non_field_errors"] = [str(errors)]
    return out


def validated_payload(
    resource: str,
    action: str,
    data: Any,
    *,
    base_currency: str | None = None,
    country: str | None = None,
) -> tuple[Errors, dict[str, Any]]:
    """``(errors, cleaned)``: the errors of ``validate_payload`` and, when there are
    none, the coerced values (ints, ``Decimal`` quantities, aware datetimes, dates)."""
    if resource not in RESOURCES:
        raise ValueError(f"Unknown Thred resource {resource!r}; expected one of {RESOURCES}.")
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}; expected 'create' or 'update'.")
    spec = _SPECS.get((resource, action))
    if spec is None:
        raise ValueError(f"The Thred API has no {action} call for {resource}.")
    if not isinstance(data, Mapping):
        return {"non_field_errors": ["Expected a JSON object."]}, {}
    serializer_class, rules = spec
    serializer = serializer_class(data=data)
    valid = serializer.is_valid()
    errors = {} if valid else _flatten(serializer.errors)
    checker = _Rules(data, base_currency, country)
    rules(checker)
    for field, messages in checker.errors.items():
        errors.setdefault(field, []).extend(m for m in messages if m not in errors[field])
    if errors:
        return errors, {}
    return {}, dict(serializer.validated_data)


def validate_payload(
    resource: str,
    action: str,
    data: dict[str, Any],
    *,
    base_currency: str | None = None,
    country: str | None = None,
) -> dict[str, list[str]]:
    """Field errors of a request body (``{}`` when valid). See the module docstring."""
    errors, _ = validated_payload(
        resource, action, data, base_currency=base_currency, country=country
    )
    return errors


__all__ = [
    "RESOURCES",
    "bill_total_cents",
    "invoice_total_cents",
    "validate_payload",
    "validated_payload",
    "vendor_credit_total_cents",
]

"""Payables bodies: vendor, bill, bill payment, vendor credit."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rest_framework import serializers

from thred_django.client import gaps
from thred_django.client.validation.common import SalesTax, _account
from thred_django.client.validation.fields import (
    _NULL,
    CanonicalUUIDField,
    QuantityField,
    _all_optional,
    _cents,
    _choice,
    _date,
    _datetime,
    _dict,
    _email,
    _external_id,
    _listed_required,
    _long_text,
    _many,
    _strings,
    _text,
    _uuid,
)
from thred_django.client.validation.registry import register
from thred_django.client.validation.rules import _Rules, _rules_counterparty
from thred_django.client.validation.totals import bill_total_cents, vendor_credit_total_cents


class BillLine(serializers.Serializer):
    quantity = QuantityField()
    unit_price = _cents(required=True, min_value=gaps.UNIT_PRICE_MIN)
    description = _long_text()
    account_identifier = _account()
    product = _text()
    sales_taxes = _many(SalesTax)


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


BillUpdate = _all_optional(BillCreate, "BillUpdate")


_bill_payment_field = partial(_listed_required, gaps.BILL_PAYMENT_REQUIRED_FIELDS)


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


register("vendor", "create", VendorCreate, _rules_counterparty)
register("bill", "create", BillCreate, _rules_bill(create=True))
register("bill", "update", BillUpdate, _rules_bill(create=False))
register("bill_payment", "create", BillPaymentCreate, _rules_bill_payment_create)
register("bill_payment", "update", BillPaymentUpdate, _rules_bill_payment_update)
register("vendor_credit", "create", VendorCreditCreate, _rules_vendor_credit)

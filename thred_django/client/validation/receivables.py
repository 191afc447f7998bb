"""Receivables bodies: customer, invoice, payment, refund, refund payment, payout."""

from __future__ import annotations

from collections.abc import Callable

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
    _long_text,
    _many,
    _strings,
    _text,
    _uuid,
    _uuids,
)
from thred_django.client.validation.registry import register
from thred_django.client.validation.rules import _Rules, _rules_counterparty
from thred_django.client.validation.totals import invoice_total_cents


class InvoiceLine(serializers.Serializer):
    quantity = QuantityField()
    unit_price = _cents(required=True, min_value=gaps.UNIT_PRICE_MIN)
    external_id = _text()
    description = _long_text()
    account_identifier = _account()
    product = _text()
    discount_amount = _cents(min_value=0)
    sales_taxes = _many(SalesTax)


class PaymentAllocation(serializers.Serializer):
    invoice_id = CanonicalUUIDField()
    amount_cents = _cents(required=True, min_value=1)


class PaymentReferences(serializers.Serializer):
    bank_reference = _text()
    end_to_end_id = _text()
    payment_reference = _text()


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


InvoiceUpdate = _all_optional(InvoiceCreate, "InvoiceUpdate")


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


register("customer", "create", CustomerCreate, _rules_counterparty)
register("invoice", "create", InvoiceCreate, _rules_invoice(create=True))
register("invoice", "update", InvoiceUpdate, _rules_invoice(create=False))
register("payment", "create", PaymentCreate, _rules_payment(create=True))
register("payment", "update", PaymentUpdate, _rules_payment(create=False))
register("payout", "create", PayoutUpsert, _rules_payout)
register("payout", "update", PayoutUpsert, _rules_payout)  # the upsert create again
register("refund", "create", RefundCreate, _rules_refund)
register("refund_payment", "create", RefundPaymentCreate)
